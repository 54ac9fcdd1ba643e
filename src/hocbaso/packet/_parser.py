"""The one gate all XML passes through.

Every module of hocbaso that reads XML calls :func:`parse_xml`. It refuses what an attacker
would use against a verifier: a DTD (and with it every entity, external or internal, so no XXE
and no billion laughs), network access, oversized input, deep nesting, and any encoding other
than UTF-8. Limits are checked *before* parsing where possible, so hostile input costs little.

Why limits on namespaces, attributes, signatures and Ids: the work a verifier does after parsing
(canonicalisation, the Id and signature-placement scans) can grow faster than the file. libxml2's
C14N keeps attributes and namespace declarations in sorted lists, so 4 000 declarations on one
element or 256 000 attributes in one ``Object`` cost seconds to minutes; thousands of stray
``Signature`` elements or repeated Ids each produce a finding. Capping each count, far above what
a genuine packet carries, bounds that work before any of it starts (docs/packet.md lists the
limits).
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass

from lxml import etree

from hocbaso.errors import ParseError
from hocbaso.packet._input import PacketSource, packet_bytes

__all__ = ["DEFAULT_LIMITS", "ParseLimits", "parse_canonical_subtree", "parse_xml"]


@dataclass(frozen=True, slots=True)
class ParseLimits:
    """Size limits for untrusted XML.

    A yearly record is about 10–30 KB and 8 levels deep once signed; the defaults leave a wide
    margin for long comments and many subjects while keeping hostile input cheap to refuse.
    """

    #: Largest accepted document, in bytes.
    max_bytes: int = 4 * 1024 * 1024
    #: Deepest accepted element nesting (the root is depth 1).
    max_depth: int = 32
    #: Most elements accepted in one document.
    max_elements: int = 20_000
    #: Most namespace declarations (``xmlns``, ``xmlns:p``) on one element.
    max_namespaces_per_element: int = 16
    #: Most namespace declarations in the whole document (a signed record has 2 per signature).
    max_namespaces: int = 256
    #: Most attributes (namespace declarations not counted) on one element.
    max_attributes_per_element: int = 32
    #: Most attributes in the whole document (a signed record has about 12 per signature).
    max_attributes: int = 4_096
    #: Most XML-Signature ``Signature`` elements (a record has one per subject row plus three).
    max_signatures: int = 128
    #: Most ``Id`` attributes (a record has three per subject row plus five).
    max_ids: int = 512


DEFAULT_LIMITS = ParseLimits()


def _new_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
        collect_ids=True,
    )


class _ThreadParser(threading.local):
    """One parser per thread, made on first use. An lxml parser is not thread-safe, but it
    may be reused within its thread: every parse starts from a reset context and the parser
    keeps no document. lxml itself keeps its default parser (the one ``etree.fromstring(data)``
    uses) per thread in the same way. A new parser per call cost ~2–3 µs of a record's read."""

    parser: etree.XMLParser | None = None


_THREAD_PARSER = _ThreadParser()


def _parser() -> etree.XMLParser:
    """This thread's parser, with the options of :func:`_new_parser`."""
    parser = _THREAD_PARSER.parser
    if parser is None:
        parser = _THREAD_PARSER.parser = _new_parser()
    return parser


def _refuse(code: str, en: str, vi: str) -> ParseError:
    return ParseError(en, vi, code=code)


def parse_xml(data: PacketSource, *, limits: ParseLimits = DEFAULT_LIMITS) -> etree._Element:
    """Parse untrusted bytes into an element tree, or raise :class:`ParseError`.

    ``data`` is bytes or a ``pathlib.Path`` (read as a regular file, at most the size limit
    + 1 byte); a ``str`` is refused with ``INPUT.TYPE`` (:class:`~hocbaso.errors.InputError`).
    Codes: ``PARSE.TOO_LARGE``, ``PARSE.DTD``, ``PARSE.ENCODING``, ``PARSE.MALFORMED``,
    ``PARSE.TOO_DEEP``, ``PARSE.TOO_MANY_ELEMENTS``, ``PARSE.ENTITY``,
    ``PARSE.TOO_MANY_NAMESPACES_PER_ELEMENT``, ``PARSE.TOO_MANY_NAMESPACES``,
    ``PARSE.TOO_MANY_ATTRIBUTES_PER_ELEMENT``, ``PARSE.TOO_MANY_ATTRIBUTES``,
    ``PARSE.TOO_MANY_SIGNATURES``, ``PARSE.TOO_MANY_IDS``.
    """
    return _parse(data, limits, walk=True)


def parse_canonical_subtree(data: bytes) -> etree._Element:
    """:func:`parse_xml` with the default limits, for bytes the verifier made itself: the
    inclusive C14N 1.0 of one element of a tree :func:`parse_xml` accepted with the default
    limits, when nothing was in scope from outside that element (no namespace, no ``xml:*``
    attribute on an ancestor). Every byte-level check still runs; the tree walks of
    ``_check_shape`` (depth, nodes, attributes, Ids, signatures) do not, because on such bytes
    none can fail where the whole tree passed (docs/verification.md §7):

    * the canonical form of a subtree holds that subtree's elements, attributes, Ids and
      ``Signature`` elements and nothing more (with nothing in scope, inclusive C14N adds no
      attribute to the apex), so each count is at most the whole tree's;
    * nodes: comments are dropped and text nodes only merge (CDATA becomes text), never split;
    * depth: the apex becomes depth 1, so every element is shallower than before.

    Anything else (exclusive C14N, a namespace in scope) must go through :func:`parse_xml`.
    """
    return _parse(data, DEFAULT_LIMITS, walk=False)


def _parse(data: PacketSource, limits: ParseLimits, *, walk: bool) -> etree._Element:
    return _parse_checked(data, limits, walk=walk)[0]


def parse_leaving_depth(
    data: PacketSource, limits: ParseLimits, *, root_tag: str, schema_depth: int
) -> tuple[etree._Element, bool]:
    """:func:`parse_xml`, except that the depth check may be left to the caller: the second
    item says it was. That happens only where a schema can settle it: the root is
    ``root_tag``, no ``Signature`` is spelled in the bytes (``_ByteBounds.signatures`` is 0),
    and ``schema_depth``, the deepest nesting the caller's schema allows below such a root
    when no ``Signature`` is present, is within ``limits.max_depth``. The caller must then,
    before anything else, either have the schema accept the tree (which proves the depth
    within ``schema_depth``) or call :func:`check_depth`, so that ``PARSE.TOO_DEEP`` still
    comes before any other finding. Every other check runs here as in :func:`parse_xml`; if
    one of them refuses, the depth is checked first, so the code is the one
    :func:`parse_xml` gives (tests/packet/test_parse_fast.py).
    """
    return _parse_checked(
        data, limits, walk=True, leave_depth=(root_tag, schema_depth)
    )


def check_canonical_subtree_bytes(data: bytes) -> None:
    """The checks :func:`parse_canonical_subtree` makes on ``data`` before libxml2 parses it
    (size, DTD markup, namespace declarations), raising the same :class:`ParseError`.

    For the verifier when it reads the record from the very element it verified instead of
    parsing that element's canonical bytes again (docs/verification.md §7): the parse itself
    cannot refuse such bytes, but these byte-level checks could (canonical text may spell
    ``xmlns=`` where the packet wrote a character reference, and canonical bytes may be longer
    than the packet), so they still run, on the very bytes, with the same limits.
    """
    _check_bytes(data, DEFAULT_LIMITS)


def _check_bytes(data: bytes, limits: ParseLimits) -> None:
    if len(data) > limits.max_bytes:
        raise _refuse(
            "PARSE.TOO_LARGE",
            f"Document is larger than {limits.max_bytes} bytes",
            f"Tệp lớn hơn giới hạn {limits.max_bytes} byte",
        )
    # A DOCTYPE is refused before libxml2 sees it, so no entity declaration is ever processed.
    # (Such markup inside a comment or CDATA section is refused too: a packet has no reason to
    # carry it, and a byte scan is cheaper and safer than trusting the parser's configuration.)
    # A one-byte search (memchr, ~1 µs) first: bytes without any "!" hold neither markup, and
    # a genuine packet has none; the two substring scans cost ~140 µs on a 73 KB record.
    if b"!" in data and (b"<!DOCTYPE" in data or b"<!ENTITY" in data):
        raise _refuse(
            "PARSE.DTD",
            "Document carries a DTD or entity declaration, which is not allowed",
            "Tệp chứa DTD hoặc khai báo thực thể, không được phép",
        )
    _check_namespace_declarations(data, limits)


def _parse_checked(
    data: PacketSource,
    limits: ParseLimits,
    *,
    walk: bool,
    leave_depth: tuple[str, int] | None = None,
) -> tuple[etree._Element, bool]:
    if type(data) is not bytes:
        data = packet_bytes(data, what="data", max_bytes=limits.max_bytes)
    _check_bytes(data, limits)
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        if "depth" in str(exc).lower():  # libxml2's own nesting cap (256) was hit first
            raise _too_deep_refusal(limits) from None
        raise ParseError(
            f"Not well-formed XML (line {exc.lineno})",
            f"XML không đúng cú pháp (dòng {exc.lineno})",
            code="PARSE.MALFORMED",
        ) from None
    tree = root.getroottree()
    docinfo = tree.docinfo
    has_dtd = docinfo.internalDTD is not None or docinfo.externalDTD is not None
    if getattr(docinfo, "doctype", "") or has_dtd:
        raise _refuse(
            "PARSE.DTD",
            "Document carries a DTD, which is not allowed",
            "Tệp chứa DTD, không được phép",
        )
    if (docinfo.encoding or "UTF-8").upper() not in ("UTF-8", "UTF8"):
        raise _refuse(
            "PARSE.ENCODING",
            "Document must be encoded in UTF-8",
            "Tệp phải được mã hoá UTF-8",
        )
    if not walk:
        return root, False
    bounds = _ByteBounds.of(data)
    depth_left = (
        leave_depth is not None
        and bounds.signatures == 0
        and leave_depth[1] <= limits.max_depth
        and root.tag == leave_depth[0]
    )
    _check_shape(root, limits, bounds, depth=not depth_left)
    return root, depth_left


#: Largest document whose attribute bound is read off its bytes. Counting a byte costs about
#: as much whatever the byte is, counting attributes in the tree costs per node: on a 10 KB
#: unsigned record the byte count is 2.7 µs against 8.8 µs in the tree, on a 76 KB signed one
#: (long base64 texts, few nodes per byte) 23 µs against 17 µs. Above this size the tree counts.
_BYTE_BOUND_MAX = 20_000


@dataclass(frozen=True, slots=True)
class _ByteBounds:
    """Upper bounds, read off the raw bytes, on counts that ``_check_shape`` would otherwise
    take from the tree; a bound within its limit proves that check cannot fail, so the count
    is skipped (docs/packet.md §Parsing untrusted XML). ``None``: no bound, count in the tree.

    * ``nodes``: the byte length. Every node ``count(//node())`` counts (element, text,
      comment, processing instruction) is made of at least one character of its own, and a
      character is at least one byte, in any encoding.
    * ``attributes``: the ``=`` bytes. Every attribute comes from one ``Name="value"`` in a
      start tag whose ``=`` is written literally (markup has no character references, and
      without a DTD no attribute is defaulted); namespace declarations and the XML
      declaration's pseudo-attributes only add to the count.

    * ``signatures``: 0 when the bytes do not spell ``Signature``, since a ``Signature``
      element's start tag spells its local name literally (a name holds no character
      reference); otherwise ``None``, count in the tree. A substring search stops at the
      first occurrence, so a signed document pays little for asking.

    The attribute and signature bounds read characters as bytes, which holds when libxml2
    read the bytes as UTF-8 (0x3D is then only ever ``=``, and ``Signature`` is spelled by
    its ASCII bytes). They are taken only then: the encoding check has passed (UTF-8
    declared, or nothing declared), the bytes begin with ``<`` (or the UTF-8 byte order mark
    and ``<``), so libxml2 detected neither UTF-16/32 nor EBCDIC, and they hold no NUL byte,
    which XML never carries and every UTF-16/32 text of ``<`` does; and only for documents
    up to ``_BYTE_BOUND_MAX`` bytes, where the byte counts are the cheaper ones.
    """

    nodes: int
    attributes: int | None
    signatures: int | None = None

    @classmethod
    def of(cls, data: bytes) -> _ByteBounds:
        if (
            len(data) > _BYTE_BOUND_MAX
            or b"\x00" in data
            or not (data[:1] == b"<" or data[:4] == b"\xef\xbb\xbf<")
        ):
            return cls(len(data), None)
        return cls(len(data), data.count(b"="), 0 if b"Signature" not in data else None)


def check_depth(root: etree._Element, limits: ParseLimits) -> None:
    """Refuse a tree nested deeper than ``limits.max_depth`` (``PARSE.TOO_DEEP``)."""
    if bool(_too_deep(limits.max_depth)(root)):
        raise _too_deep_refusal(limits)


def _too_deep_refusal(limits: ParseLimits) -> ParseError:
    """The one ``PARSE.TOO_DEEP`` refusal, whether libxml2's cap or our limit found it."""
    return _refuse(
        "PARSE.TOO_DEEP",
        f"Elements are nested deeper than {limits.max_depth} levels",
        f"Phần tử lồng nhau sâu hơn {limits.max_depth} cấp",
    )


def _check_shape(
    root: etree._Element,
    limits: ParseLimits,
    bounds: _ByteBounds | None = None,
    *,
    depth: bool = True,
) -> None:
    """Refuse a tree over the depth, node, attribute, Id or signature limits, the narrower
    limits first so that each flood is refused under its own code.

    ``bounds`` (see :class:`_ByteBounds`) only skips counts that cannot exceed their limit:
    the checks that can fail run exactly as without it, in the same order, with the same
    result (tests/packet/test_parse_bounds.py compares both on generated and hostile input).
    ``depth=False`` leaves the depth to the caller (:func:`parse_leaving_depth`) unless
    another limit refuses: then the depth is checked first, as it is without leaving it.
    """
    # Every count runs inside libxml2: a Python walk over every node cost a quarter of reading
    # a packet. Entity references need no check here: a DTD was refused above, and without
    # one an entity reference is not well-formed.
    if depth:
        check_depth(root, limits)
        _check_counts(root, limits, bounds)
        return
    try:
        _check_counts(root, limits, bounds)
    except ParseError:
        check_depth(root, limits)
        raise


def _check_counts(root: etree._Element, limits: ParseLimits, bounds: _ByteBounds | None) -> None:
    """The limits of :func:`_check_shape` after the depth, in their order."""
    if (bounds is None or bounds.nodes > limits.max_elements) and _over(
        _COUNT_NODES, root, limits.max_elements
    ):
        raise _refuse(
            "PARSE.TOO_MANY_ELEMENTS",
            f"Document has more than {limits.max_elements} nodes",
            f"Tệp có nhiều hơn {limits.max_elements} nút",
        )
    # Attributes, Ids and signatures: counted inside libxml2, one linear pass each. XPath's
    # attribute axis never includes namespace declarations (those are counted before
    # parsing). Ids are attributes, so their count is needed only when attributes are many.
    # A byte bound within both the Id and the total limits proves neither can fail; the
    # per-element check then runs when the bound is over its limit (an element with more
    # attributes than the limit needs that many in the document, so where the exact count
    # would have skipped it, it finds nothing).
    bound = None if bounds is None else bounds.attributes
    exact = bound is None or bound > limits.max_ids or bound > limits.max_attributes
    if exact:
        counted = _COUNT_ATTRIBUTES(root)
        assert isinstance(counted, float)
        attributes = counted
    else:
        assert bound is not None
        attributes = float(bound)
    per_element = limits.max_attributes_per_element
    if attributes > per_element and bool(_nth_attribute_exists(per_element + 1)(root)):
        raise _refuse(
            "PARSE.TOO_MANY_ATTRIBUTES_PER_ELEMENT",
            f"An element has more than {per_element} attributes",
            f"Một phần tử có nhiều hơn {per_element} thuộc tính",
        )
    if exact and attributes > limits.max_ids and _over(_COUNT_IDS, root, limits.max_ids):
        raise _refuse(
            "PARSE.TOO_MANY_IDS",
            f"Document has more than {limits.max_ids} Id attributes",
            f"Tệp có nhiều hơn {limits.max_ids} thuộc tính Id",
        )
    signatures = None if bounds is None else bounds.signatures
    if (signatures is None or signatures > limits.max_signatures) and _over(
        _COUNT_SIGNATURES, root, limits.max_signatures
    ):
        raise _refuse(
            "PARSE.TOO_MANY_SIGNATURES",
            f"Document has more than {limits.max_signatures} Signature elements",
            f"Tệp có nhiều hơn {limits.max_signatures} phần tử chữ ký (Signature)",
        )
    if exact and attributes > limits.max_attributes:
        raise _refuse(
            "PARSE.TOO_MANY_ATTRIBUTES",
            f"Document has more than {limits.max_attributes} attributes",
            f"Tệp có nhiều hơn {limits.max_attributes} thuộc tính",
        )


def _over(count: etree.XPath, root: etree._Element, limit: int) -> bool:
    """Whether one of the ``count(...)`` XPaths below gives more than ``limit`` on ``root``."""
    value = count(root)
    return isinstance(value, float) and value > limit


@functools.lru_cache(maxsize=8)
def _too_deep(max_depth: int) -> etree.XPath:
    # "Some element sits at depth max_depth + 1" (then every deeper one has such an ancestor):
    # max_depth + 1 child steps from the document, each over one level's elements only. The
    # former "/" + "/*" * (max_depth + 1) began with "//*", every element, and each of its
    # further steps went over all elements below the next level: about the sum of all depths
    # instead of the number of elements (70 µs -> 20 µs on a record; a test compares both).
    return etree.XPath("boolean(" + "/*" * (int(max_depth) + 1) + ")")


@functools.lru_cache(maxsize=8)
def _nth_attribute_exists(n: int) -> etree.XPath:
    # "Some element has an n-th attribute": a positional step, four times cheaper in libxml2
    # than counting every element's attributes in a predicate (elements only, as above).
    return etree.XPath(f"boolean(//*/@*[{int(n)}])")


_COUNT_SIGNATURES = etree.XPath(
    "count(//ds:Signature)", namespaces={"ds": "http://www.w3.org/2000/09/xmldsig#"}
)
# Attributes are taken as ``//*/@…`` (every element's) rather than ``//@…`` (every node's):
# the same attributes, since only elements have any, but libxml2 then walks the elements alone
# instead of every node, text included (count 18 -> 14 µs on a signed record, 9 -> 6 µs on an
# unsigned one; tests/packet/test_parse_bounds.py compares both spellings).
_COUNT_IDS = etree.XPath("count(//*/@Id)")
_COUNT_NODES = etree.XPath("count(//node())")
_COUNT_ATTRIBUTES = etree.XPath("count(//*/@*)")

# A namespace declaration is an attribute named ``xmlns`` or ``xmlns:prefix``. Everything from
# one ``<`` to the next holds at most one start tag (``<`` cannot occur inside a tag), so the
# matches between two ``<`` bound that element's declarations from above. Text, comments or
# CDATA that spell out ``xmlns=`` can only over-count, never hide a declaration.
_XMLNS = re.compile(rb"xmlns\s*[:=]")
# One match of ``_XMLNS`` and everything after it up to the next ``<`` (the group): the rest of
# that match's stretch between two ``<``, where any further match of the same stretch lies.
_XMLNS_RUN = re.compile(rb"xmlns\s*[:=]([^<]*)")

#: Largest document whose namespace declarations are first settled by ``_XMLNS_RUN`` (one C
#: pass, no Python step per match; a signed record is 20–80 KB). It gives up only when a limit
#: may be exceeded, and then the exact scan runs as well; the cap keeps that double work small
#: on a flood of declarations, which the exact scan alone refuses after the first count over a
#: limit (128 KB of one-declaration elements: ~1 ms instead of ~0.1 ms, far under the 1 s a
#: hostile file may take; larger files take the exact scan alone).
_NS_RUNS_MAX = 128 * 1024


def _check_namespace_declarations(data: bytes, limits: ParseLimits) -> None:
    """Refuse too many namespace declarations, per element and in total, before parsing.

    libxml2 parses many declarations quickly, but canonicalising below them costs the square of
    their number, and lxml exposes no cheap way to count declarations (only in-scope maps) once
    parsed. :func:`_namespace_runs_within` accepts the common case in one C pass; whatever it
    does not settle, :func:`_check_namespace_declarations_exact` decides (refusal and code).
    """
    if len(data) <= _NS_RUNS_MAX and _namespace_runs_within(data, limits):
        return
    _check_namespace_declarations_exact(data, limits)


def _namespace_runs_within(data: bytes, limits: ParseLimits) -> bool:
    """True only when :func:`_check_namespace_declarations_exact` accepts ``data``.

    That scan refuses exactly when some match of ``_XMLNS`` is the (limit + 1)-th in its
    stretch (the bytes between two ``<``) or the (limit + 1)-th in all. ``_XMLNS_RUN`` finds,
    left to right, a match and the rest of its stretch, then goes on after that stretch; so
    it finds the first match of each stretch that has one. A further match of that stretch
    holds no ``<``, so it lies wholly in the rest and spells ``xmlns`` there. When no rest
    spells ``xmlns`` (the ``<`` that joins the rests below cannot help to spell it), every
    stretch holds one match at most and the matches are those found: the scan accepts when
    they are no more than the total limit and the per-element limit allows one. Otherwise
    this says False (perhaps of bytes the scan accepts, such as ``xmlns`` followed by neither
    ``:`` nor ``=``), and the scan decides.
    """
    rests = _XMLNS_RUN.findall(data)
    if not rests:
        return True
    return (
        len(rests) <= limits.max_namespaces
        and limits.max_namespaces_per_element >= 1
        and b"xmlns" not in b"<".join(rests)
    )


def _check_namespace_declarations_exact(data: bytes, limits: ParseLimits) -> None:
    """The namespace limits by one pass over every match, stopping at the first count over a
    limit (the per-element limit checked first at each match)."""
    per_element = limits.max_namespaces_per_element
    on_element = 0
    previous = 0
    for total, match in enumerate(_XMLNS.finditer(data), start=1):
        start = match.start()
        if data.find(b"<", previous, start) >= 0:
            on_element = 0  # a new tag (or other markup) began since the last declaration
        previous = start
        on_element += 1
        if on_element > per_element:
            raise _refuse(
                "PARSE.TOO_MANY_NAMESPACES_PER_ELEMENT",
                f"An element declares more than {per_element} namespaces",
                f"Một phần tử khai báo nhiều hơn {per_element} không gian tên",
            )
        if total > limits.max_namespaces:
            raise _refuse(
                "PARSE.TOO_MANY_NAMESPACES",
                f"Document declares more than {limits.max_namespaces} namespaces",
                f"Tệp khai báo nhiều hơn {limits.max_namespaces} không gian tên",
            )
