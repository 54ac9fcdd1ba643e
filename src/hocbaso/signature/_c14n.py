"""Canonicalisation of one element the way xmlsec1 and .NET ``SignedXml`` do it.

Why not simply ``etree.tostring(element, method="c14n")``: lxml (5.4, 6.1 and 6.2 measured) emits a
spurious ``xmlns=""`` two levels below a subtree apex that has a default namespace, whether it
inherits it from an ancestor (docs/signing.md §1, "Canonicalisation pitfall") or declares it
itself below an ancestor without namespaces (a whole ``Signature`` below its slot). The result
is self-consistent but other verifiers reject it.

The fix used here: copy the subtree into a document of its own (lxml declares every in-scope
namespace of the ancestors on the copy's root, exactly the namespace context inclusive C14N must
carry) and canonicalise that *whole* document, where the bug does not occur. The copy is made in
libxml2 (``copy.deepcopy``); where it could differ from the subtree's own context (see
``_standalone``) the subtree is serialised and re-parsed with a locked-down parser instead.
xml:* attributes that inclusive C14N 1.0 inherits from ancestors (``xml:lang``, ``xml:space``,
…) are copied onto the apex as the specification requires.

C14N 1.1: libxml2 implements it but lxml exposes only 1.0 and exclusive C14N. For a whole document
C14N 1.1 and 1.0 give identical bytes; they differ only for document subsets, in how inherited
``xml:id`` (not inherited in 1.1) and ``xml:base`` (joined in 1.1) are handled. Canonicalising
the copied subtree as a whole document with ``xml:lang``/``xml:space`` inherited and
``xml:id`` not inherited is therefore exact for 1.1 — except when an ancestor carries
``xml:base``, whose URI join is not implemented: that case is refused rather than guessed.

``#WithComments`` variants are refused (comment-induced truncation attacks, docs/signing.md §1).

A document that no C14N can serialise (libxml2 refuses a relative namespace URI such as
``xmlns:x="rel"`` or ``"#frag"``, as the C14N specification requires) raises
:class:`~hocbaso.errors.AlgorithmError` ``SIGN.ALGORITHM.C14N_FAILED`` rather than lxml's own
exception, so that callers see one coded error type.

A fast path skips the re-parse when the apex has no namespace in scope and no ancestor carries an
``xml:*`` attribute; then lxml's own subtree C14N has no context to get wrong (the packet's data
elements are in this case; a test checks both paths agree).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

from lxml import etree

from hocbaso.errors import AlgorithmError
from hocbaso.signature._algorithms import C14nMethod

__all__ = ["canonicalize", "xml_attribute_above"]

_XML_NS = "http://www.w3.org/XML/1998/namespace"
_XML_BASE = f"{{{_XML_NS}}}base"
_XML_ID = f"{{{_XML_NS}}}id"

# Only our own serialiser's output is ever parsed here, but the parser is locked down anyway:
# no DTD, no entity resolution, no network, and whitespace kept exactly.
_REPARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    remove_blank_text=False,
    remove_comments=False,
    remove_pis=False,
    strip_cdata=False,
    huge_tree=False,
)


_XML_PREFIX = f"{{{_XML_NS}}}"


def _inherited_xml_attributes(element: etree._Element, method: C14nMethod) -> dict[str, str]:
    """xml:* attributes of the ancestors that inclusive C14N carries onto the apex."""
    found: dict[str, str] = {}
    for parent in element.iterancestors():
        for key in parent.attrib:
            name = key if isinstance(key, str) else key.decode()
            if name.startswith(_XML_PREFIX) and name not in found:
                value = parent.get(name) or ""
                found[name] = value if isinstance(value, str) else value.decode()
    for name in list(found):
        if name in element.attrib:
            del found[name]
    if method is C14nMethod.C14N_11:
        found.pop(_XML_ID, None)
        if _XML_BASE in found:
            raise AlgorithmError(
                "C14N 1.1 of an element below an xml:base attribute is not supported",
                "Không hỗ trợ C14N 1.1 cho phần tử nằm dưới thuộc tính xml:base",
                code="SIGN.ALGORITHM.C14N11_XML_BASE",
            )
    return found


def xml_attribute_above(element: etree._Element) -> bool:
    """Whether an ancestor of ``element`` carries an ``xml:*`` attribute: the only attributes
    inclusive C14N carries from outside a subtree onto its apex (the callers that build or
    read canonical bytes without canonicalising need that none is there)."""
    for ancestor in element.iterancestors():
        for key in ancestor.attrib:
            name = key if isinstance(key, str) else key.decode()
            if name.startswith(_XML_PREFIX):
                return True
    return False


def _standalone(element: etree._Element, nsmap: dict[str | None, str]) -> etree._Element:
    """A copy of ``element``'s subtree as the root of a document of its own, carrying every
    namespace in scope at ``element`` (and nothing else from outside it).

    ``copy.deepcopy`` does it in libxml2 (it copies the subtree and declares each in-scope
    namespace of the ancestors on the new root, as the serialiser does), 2-3 µs where writing
    the subtree out and parsing it back took about 10 µs, 15 times per record for SignedInfo and
    15 for Object (docs/verification.md §7). The copy is used only when its in-scope map is the
    original's and the subtree holds no entity reference node (a tree our parser made has none:
    it refuses DTDs); otherwise the subtree is serialised and re-parsed as before. ``nsmap`` is
    ``element.nsmap``, which the caller has already read. The tail is not part of the element
    and is dropped. Tests compare both ways on generated trees.
    """
    copied = copy.deepcopy(element)
    copied.tail = None
    if copied.nsmap == nsmap and next(element.iter(etree.Entity), None) is None:
        return copied
    return etree.fromstring(etree.tostring(element, with_tail=False), _REPARSER)


def canonicalize(
    element: etree._Element,
    method: C14nMethod = C14nMethod.C14N_10,
    *,
    inclusive_ns_prefixes: Iterable[str] = (),
) -> bytes:
    """Return the canonical bytes of ``element`` (its subtree) as a document subset.

    ``method`` is inclusive C14N 1.0 (the signing profile), C14N 1.1 (see module docstring) or
    exclusive C14N; ``inclusive_ns_prefixes`` is exclusive C14N's ``InclusiveNamespaces
    PrefixList`` and is refused for the inclusive methods. Comment-preserving variants, and
    content no C14N can serialise (a relative namespace URI), raise
    :class:`~hocbaso.errors.AlgorithmError`.
    """
    try:
        return _canonicalize(element, method, inclusive_ns_prefixes=inclusive_ns_prefixes)
    except etree.C14NError:
        raise AlgorithmError(
            "the content cannot be canonicalised (e.g. a relative namespace URI)",
            "Không thể chuẩn hoá nội dung (ví dụ: URI không gian tên tương đối)",
            code="SIGN.ALGORITHM.C14N_FAILED",
        ) from None


def _canonicalize(
    element: etree._Element,
    method: C14nMethod = C14nMethod.C14N_10,
    *,
    inclusive_ns_prefixes: Iterable[str] = (),
) -> bytes:
    nsmap = element.nsmap
    if method is C14nMethod.C14N_10 and not inclusive_ns_prefixes:
        # The signing profile's own case (every Reference the core writes), without the
        # argument checks below, which it passes.
        exclusive = False
        prefixes: list[str] = []
        inherited = _inherited_xml_attributes(element, method)
    else:
        method = C14nMethod(method)
        if method.with_comments:
            raise AlgorithmError(
                f"canonicalisation {method.value} keeps comments and is refused",
                f"Phương pháp chuẩn hoá {method.value} giữ chú thích và bị từ chối",
                code="SIGN.ALGORITHM.C14N_COMMENTS",
            )
        exclusive = method is C14nMethod.EXC_C14N
        prefixes = list(inclusive_ns_prefixes)
        if prefixes and not exclusive:
            raise AlgorithmError(
                "an InclusiveNamespaces prefix list applies only to exclusive C14N",
                "Danh sách InclusiveNamespaces chỉ áp dụng cho C14N loại trừ",
                code="SIGN.ALGORITHM.C14N_PREFIXES",
            )
        inherited = {} if exclusive else _inherited_xml_attributes(element, method)
    if not inherited and not nsmap:
        # Nothing in scope from outside the subtree: lxml's subtree C14N is exact.
        return etree.tostring(
            element,
            method="c14n",
            exclusive=exclusive,
            with_comments=False,
            inclusive_ns_prefixes=prefixes or None,
        )
    apex = _standalone(element, nsmap)
    for name, value in inherited.items():
        apex.set(name, value)
    return etree.tostring(
        apex.getroottree(),
        method="c14n",
        exclusive=exclusive,
        with_comments=False,
        inclusive_ns_prefixes=prefixes or None,
    )
