"""Step 2 without validating the signatures twice (docs/verification.md §speed).

The packet XSD validates each of the 15 ``ds:Signature`` subtrees against the XMLDSig schema:
four fifths of the XSD check's time (thirty base64 certificates), for subtrees that step 3 reads
element by element anyway. :func:`schema_valid_fast` answers "the full XSD accepts this packet"
more cheaply, and answers it only when it can prove it:

1. The packet is valid against the *data schema*: the bundled XSD with the one particle
   ``<xs:element ref="ds:Signature" minOccurs="0"/>`` of the slot type ``ONhanChuKy`` replaced
   by ``<xs:any namespace="…xmldsig#" processContents="skip" minOccurs="0"/>``. Everything
   else (data, slots, their attributes, the slot's content model of at most one element, the
   identity constraints) is validated by libxml2 exactly as before.
2. Every slot holds nothing, or exactly one child, which step 3 read as a well-shaped signature
   (:class:`~hocbaso.verify._structure.ParsedSignature`), and that subtree has one of the
   exact shapes below, each of which the XMLDSig schema (with the signature-properties schema it
   reaches laxly) accepts:

   - ``Signature``: only the attribute ``Id`` (an ASCII NCName), exactly four child nodes
     (``SignedInfo``, ``SignatureValue``, ``KeyInfo``, ``Object``; no comment or processing
     instruction), only XML white space between them;
   - ``SignedInfo`` and ``Object``: their inclusive C14N 1.0 bytes (the very bytes the
     signature step digests and verifies, cached) match one fixed grammar (:data:`_SIGNED_INFO`,
     :data:`_OBJECT`). Canonical bytes show every element, attribute, namespace declaration,
     character and processing instruction of the subtree, so matching them is matching the
     subtree. Algorithms are known URIs, Reference URIs ``#`` + an NCName, digests canonical
     base64, the signing time a checked ``xs:dateTime``, the record binding the
     signature-properties types;
   - ``SignatureValue`` and each ``X509Certificate``: no attribute, no child node, canonical
     base64 (no white space) as text; ``KeyInfo``: no attribute, exactly one ``X509Data``
     holding only ``X509Certificate`` elements, white space between them.
3. Step 3 found every ``Id`` of the document distinct (the schema's ``xs:ID`` uniqueness across
   data and signatures), and no document-level layout failure.

Then the full XSD accepts the packet: it differs from the data schema only inside the slots, and
there it requires a valid ``ds:Signature``, which 2. establishes. Anything else (an unusual but
valid signature, a failure of any kind) answers "not proven", and the caller runs the full XSD:
the report is the same in every case, only the work differs. Tests compare the two on mutated
signatures and on data parts (``tests/verify/test_format_fast.py``).

The signed ``Object``'s grammar captures the signing time and the record binding as well; when
it matched with both ``Target`` attributes naming the signature, they are exactly what
:func:`~hocbaso.signature._internal.signing_time_of` and
:func:`~hocbaso.signature._internal.record_binding_of` read from the tree (one pass instead of
three; a test compares them).
"""

from __future__ import annotations

import binascii
import datetime as dt
import functools
import re
import threading
from dataclasses import dataclass

from lxml import etree

from hocbaso.packet import schema_path
from hocbaso.packet._internal import layout as L
from hocbaso.signature import C14nMethod, DigestMethod, HocBaKy, SignatureMethod
from hocbaso.signature._internal import DSIG_NS, SIGPROP_NS, usable_signing_time
from hocbaso.verify._signatures import CanonCache
from hocbaso.verify._structure import ParsedSignature, StructureOutcome

__all__ = ["ObjectFacts", "read_object", "schema_valid_fast", "signature_schema_valid"]

_XS = "http://www.w3.org/2001/XMLSchema"
_D = f"{{{DSIG_NS}}}"
_SLOT_TYPES = frozenset({"ONhanChuKy", "ONhanChuKyGvbm"})

#: Set to False to always run the full XSD (the tests compare both ways).
ENABLED = True


def _load_schema_doc() -> etree._ElementTree:
    # Our own files, through a parser that never touches the network nor expands entities.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.parse(str(schema_path()), parser)


@functools.cache
def data_schema() -> etree.XMLSchema | None:
    """The bundled XSD with the slots' ``ds:Signature`` made an opaque ``xs:any`` (skip), or
    None (the fast path off) if the XSD is not shaped as this module's argument assumes."""
    doc = _load_schema_doc()
    root = doc.getroot()
    refs = [
        el
        for el in root.iter(f"{{{_XS}}}element")
        if el.get("ref") == "ds:Signature" and el.nsmap.get("ds") == DSIG_NS
    ]
    if len(refs) != 1:
        return None
    ref = refs[0]
    container = ref.getparent()
    owner = container.getparent() if container is not None else None
    if (
        dict(ref.attrib) != {"ref": "ds:Signature", "minOccurs": "0"}
        or container is None
        or container.tag != f"{{{_XS}}}sequence"
        or len(container) != 1
        or owner is None
        or owner.get("name") != "ONhanChuKy"
    ):
        return None
    # The slot tags are the only elements of the slot types (the argument's premise: step 3
    # finds every one of them); anything else and the fast path stays off.
    typed = {
        el.get("name")
        for el in root.iter(f"{{{_XS}}}element")
        if el.get("type") in _SLOT_TYPES
    }
    if typed != {role.value for role in L.SLOT_PATHS}:
        return None
    wildcard = etree.Element(
        f"{{{_XS}}}any",
        namespace=DSIG_NS,
        processContents="skip",
        minOccurs="0",
    )
    container.replace(ref, wildcard)
    return etree.XMLSchema(doc)


# -- the grammars of a SignedInfo and an Object, as inclusive C14N 1.0 bytes ------------------

_WS = rb"[ \t\n]*"
#: Canonical base64 (RFC 4648, padding, zero trailing bits, no white space): a subset of
#: ``xs:base64Binary``'s lexical space.
_B64 = (
    rb"(?:[A-Za-z0-9+/]{4})*"
    rb"(?:[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?"
)
_NCNAME = rb"[A-Za-z_][A-Za-z0-9_.\-]*"
_B64_FULL = re.compile(_B64.decode())
_NCNAME_FULL = re.compile(_NCNAME.decode())
_KNOWN_URIS = sorted(
    {m.value for m in C14nMethod} | {m.value for m in DigestMethod} | {m.value for m in SignatureMethod},
    key=len,
    reverse=True,
)
_ALG = b'"(?:' + b"|".join(re.escape(u.encode()) for u in _KNOWN_URIS) + b')"'
_UUID = rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_DATETIME = (
    rb"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?"
    rb"(?:Z|[+\-][0-9]{2}:[0-9]{2})"
)
_SP = re.escape(SIGPROP_NS.encode())


def _grammar(template: bytes, prefix: bytes) -> re.Pattern[bytes]:
    decl = b' xmlns:ds="' if prefix else b' xmlns="'
    text = (
        template.replace(b"{P}", prefix)
        .replace(b"{DECL}", decl + re.escape(DSIG_NS.encode()) + b'"')
        .replace(b"{WS}", _WS)
        .replace(b"{ALG}", _ALG)
        .replace(b"{B64}", _B64)
        .replace(b"{NCNAME}", _NCNAME)
        .replace(b"{UUID}", _UUID)
        .replace(b"{DATETIME}", _DATETIME)
        .replace(b"{SP}", _SP)
    )
    return re.compile(text)


_SIGNED_INFO_TEMPLATE = (
    b"<{P}SignedInfo{DECL}>{WS}"
    b"<{P}CanonicalizationMethod Algorithm={ALG}></{P}CanonicalizationMethod>{WS}"
    b"<{P}SignatureMethod Algorithm={ALG}></{P}SignatureMethod>"
    b'(?:{WS}<{P}Reference URI="#{NCNAME}">{WS}'
    b"(?:<{P}Transforms>(?:{WS}<{P}Transform Algorithm={ALG}></{P}Transform>)+{WS}"
    b"</{P}Transforms>{WS})?"
    b"<{P}DigestMethod Algorithm={ALG}></{P}DigestMethod>{WS}"
    b"<{P}DigestValue>{B64}</{P}DigestValue>{WS}</{P}Reference>)+{WS}"
    b"</{P}SignedInfo>"
)
_OBJECT_TEMPLATE = (
    b'<{P}Object{DECL} Id="(?P<oid>{NCNAME})">{WS}<{P}SignatureProperties>{WS}'
    b'<{P}SignatureProperty Target="#(?P<t1>{NCNAME})">{WS}'
    b'<SigningTime xmlns="{SP}">(?P<time>{DATETIME})</SigningTime>{WS}'
    b"</{P}SignatureProperty>{WS}"
    b'<{P}SignatureProperty Target="#(?P<t2>{NCNAME})">{WS}'
    b'<HocBaKy xmlns="{SP}">{WS}<MA_DINH_DANH_HOC_BA>(?P<ident>{UUID})</MA_DINH_DANH_HOC_BA>'
    b"{WS}<PHIEN_BAN>(?P<version>[1-9][0-9]{0,8})</PHIEN_BAN>{WS}</HocBaKy>{WS}"
    b"</{P}SignatureProperty>{WS}</{P}SignatureProperties>{WS}</{P}Object>"
)
#: Keyed by the Signature's prefix (None: the default namespace).
_SIGNED_INFO = {None: _grammar(_SIGNED_INFO_TEMPLATE, b""), "ds": _grammar(_SIGNED_INFO_TEMPLATE, b"ds:")}
_OBJECT = {None: _grammar(_OBJECT_TEMPLATE, b""), "ds": _grammar(_OBJECT_TEMPLATE, b"ds:")}

_MAX_OFFSET = dt.timedelta(hours=14)


@dataclass(frozen=True, slots=True)
class ObjectFacts:
    """What the signed ``Object`` says, read from its canonical bytes in one match: the signing
    time (None when outside the accepted range, as ``signing_time_of`` gives) and the record
    binding."""

    signing_time: dt.datetime | None
    binding: HocBaKy


def read_object(
    obj: etree._Element, canonical: bytes, prefix: str | None, signature_id: str
) -> ObjectFacts | None:
    """The facts of a signed ``Object`` from ``canonical``, its inclusive C14N 1.0 bytes, or
    None when they do not have the one exact shape (then the tree readers decide).

    C14N drops comments, which the tree readers do not ignore (a comment inside
    ``SigningTime`` makes it unreadable there): an Object holding one is left to them."""
    if next(obj.iter(etree.Comment), None) is not None:
        return None
    grammar = _OBJECT.get(prefix)
    m = grammar.fullmatch(canonical) if grammar is not None else None
    if m is None:
        return None
    sid = signature_id.encode()
    if m["t1"] != sid or m["t2"] != sid:
        return None
    try:
        when = dt.datetime.fromisoformat(m["time"].decode())
    except ValueError:
        return None
    offset = when.utcoffset()
    if offset is None or abs(offset) > _MAX_OFFSET:
        return None
    return ObjectFacts(
        when if usable_signing_time(when) else None,
        HocBaKy(m["ident"].decode(), str(int(m["version"]))),
    )


def _blank(text: str | None) -> bool:
    return text is None or not text.strip(" \t\r\n")


#: X509Certificate texts already found canonical base64 (the same few certificates recur in
#: every record of a school): bounded, keyed by the exact text.
_CANONICAL_TEXT: dict[str, bool] = {}
_MAX_TEXTS = 4096
_LOCK = threading.Lock()


def _canonical_b64(text: str) -> bool:
    found = _CANONICAL_TEXT.get(text)
    if found is None:
        found = bool(text.isascii() and _B64_FULL.fullmatch(text))
        with _LOCK:
            if len(_CANONICAL_TEXT) >= _MAX_TEXTS:
                _CANONICAL_TEXT.clear()
            _CANONICAL_TEXT[text] = found
    return found


def _key_info_valid(key_info: etree._Element) -> bool:
    if key_info.attrib or len(key_info) != 1 or not _blank(key_info.text):
        return False
    data = key_info[0]
    if data.tag != _D + "X509Data" or data.attrib or not _blank(data.tail):
        return False
    if not _blank(data.text) or not len(data):
        return False
    for cert in data:
        if (
            cert.tag != _D + "X509Certificate"
            or cert.attrib
            or len(cert)
            or not _blank(cert.tail)
            or not _canonical_b64(cert.text or "")
        ):
            return False
    return True


def signature_schema_valid(ps: ParsedSignature, canon: CanonCache) -> ObjectFacts | None:
    """The facts of ``ps``'s Object when its whole Signature subtree has one of the shapes of
    the module docstring (so the XMLDSig schema accepts it), else None."""
    sig = ps.element
    if (
        len(sig) != 4
        or sig.keys() != ["Id"]
        or _NCNAME_FULL.fullmatch(sig.get("Id") or "") is None
        or not _blank(sig.text)
    ):
        return None
    signed_info, value, key_info, obj = sig
    if not all(_blank(k.tail) for k in (signed_info, value, key_info, obj)):
        return None
    if value.attrib or len(value) or binascii.b2a_base64(ps.value, newline=False) != (
        (value.text or "").encode("ascii", "replace")
    ):
        return None
    if not _key_info_valid(key_info):
        return None
    grammar = _SIGNED_INFO.get(sig.prefix)
    if grammar is None:
        return None
    try:
        if grammar.fullmatch(canon.get(signed_info, C14nMethod.C14N_10, [])) is None:
            return None
        return read_object(
            obj, canon.get(obj, C14nMethod.C14N_10, []), sig.prefix, ps.slot.signature_id
        )
    except Exception:  # noqa: BLE001 - not provable here (e.g. C14N refused): full XSD decides
        return None


def schema_valid_fast(structure: StructureOutcome, root: etree._Element, canon: CanonCache) -> bool:
    """True only when the full XSD accepts ``root`` (the module docstring's argument); False
    when that is not proven here. Fills each signature's ``object_facts`` on the way."""
    if not ENABLED or structure.fatal:
        return False
    schema = data_schema()
    if schema is None:
        return False
    by_element = {ps.element: ps for ps in structure.signatures}
    for slot in structure.slots:
        n = len(slot.element)
        if n == 0:
            continue
        ps = by_element.get(slot.element[0]) if n == 1 else None
        if ps is None:
            return False
        facts = signature_schema_valid(ps, canon)
        if facts is None:
            return False
        ps.object_facts = facts
    return bool(schema.validate(root))
