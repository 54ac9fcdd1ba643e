"""The exact Signature shapes the XMLDSig schema accepts, proven without running it.

The packet XSD validates every ``ds:Signature`` subtree against the XMLDSig schema (and, laxly,
the signature-properties schema). The verifier's fast FORMAT step (``verify/_format.py``,
docs/verification.md §speed) validates the rest of the packet with libxml2 and asks
:func:`schema_shape` whether a Signature that the profile checker (:mod:`._profile_check`)
already read has one of the exact shapes below, each of which the XMLDSig schema accepts:

- ``Signature``: only the attribute ``Id`` (an ASCII NCName), exactly four child nodes
  (``SignedInfo``, ``SignatureValue``, ``KeyInfo``, ``Object``; no comment, processing
  instruction or entity), only XML white space between them;
- ``SignedInfo`` and ``Object``: their inclusive C14N 1.0 bytes match one fixed grammar
  (:data:`_SIGNED_INFO`, :data:`_OBJECT`). Canonical bytes show every element, attribute,
  namespace declaration, character and processing instruction of a subtree (only comments are
  dropped, which the schema ignores too), so matching them is matching the subtree: known
  algorithm URIs, Reference URIs ``#`` + an NCName, digests in canonical base64, the signing time
  a checked ``xs:dateTime`` with an offset of at most 14 hours, the record binding of the
  signature-properties types;
- ``SignatureValue`` and each ``X509Certificate``: no attribute, no child node, canonical
  base64 (RFC 4648 alphabet and padding, zero trailing bits, no white space) as text;
  ``KeyInfo``: no attribute, exactly one ``X509Data`` holding only ``X509Certificate``
  elements, white space between them.

Anything else answers None ("not proven"), and the caller runs the full XSD. The ``Object``
grammar captures the signing time and the record binding too: when it matched, both
``Target`` attributes name the signature and no comment hides in the Object, they are exactly
what :func:`signing_time_of` and :func:`record_binding_of` read from the tree (one pass instead
of three; tests compare them).
"""

from __future__ import annotations

import binascii
import datetime as dt
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cryptography import x509
from lxml import etree

from hocbaso.signature._algorithms import (
    DSIG_NS,
    SIGPROP_NS,
    C14nMethod,
    DigestMethod,
    SignatureMethod,
)
from hocbaso.signature._profile import HocBaKy
from hocbaso.signature._profile_check import (
    EARLIEST_SIGNING_TIME,
    LATEST_SIGNING_TIME,
    MAX_KEYINFO_CERTIFICATES,
    LoadedCertificate,
    ReferenceParts,
    SignatureParts,
    leaf_and_chain,
    usable_signing_time,
)

__all__ = ["ObjectFacts", "read_object", "read_signature_exact"]

_D = f"{{{DSIG_NS}}}"
_SIGNED_INFO_TAG = _D + "SignedInfo"
_VALUE_TAG = _D + "SignatureValue"
_KEY_INFO_TAG = _D + "KeyInfo"
_OBJECT_TAG = _D + "Object"
_X509_DATA_TAG = _D + "X509Data"
_X509_CERTIFICATE_TAG = _D + "X509Certificate"

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
#: Every Algorithm attribute must be one of these (absolute URIs without a character C14N
#: escapes, so the canonical attribute text is the value): checked after the match.
_ALGORITHMS = {
    m.value.encode(): m.value
    for methods in (C14nMethod, DigestMethod, SignatureMethod)
    for m in methods
}
_ALGORITHM_GROUPS = ("c14n", "method", "tr1", "dm1", "tr2", "dm2")
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
        .replace(b"{B64}", _B64)
        .replace(b"{NCNAME}", _NCNAME)
        .replace(b"{UUID}", _UUID)
        .replace(b"{DATETIME}", _DATETIME)
        .replace(b"{SP}", _SP)
    )
    return re.compile(text)


_REFERENCE = (
    b'{WS}<{P}Reference URI="#(?P<uri%d>{NCNAME})">{WS}'
    b'<{P}Transforms>{WS}<{P}Transform Algorithm="(?P<tr%d>[^"]*)"></{P}Transform>{WS}'
    b"</{P}Transforms>{WS}"
    b'<{P}DigestMethod Algorithm="(?P<dm%d>[^"]*)"></{P}DigestMethod>{WS}'
    b"<{P}DigestValue>(?P<dv%d>{B64})</{P}DigestValue>{WS}</{P}Reference>"
)
#: The profile's SignedInfo: two References, one Transform each (what the signer writes).
_SIGNED_INFO_TEMPLATE = (
    b"<{P}SignedInfo{DECL}>{WS}"
    b'<{P}CanonicalizationMethod Algorithm="(?P<c14n>[^"]*)"></{P}CanonicalizationMethod>{WS}'
    b'<{P}SignatureMethod Algorithm="(?P<method>[^"]*)"></{P}SignatureMethod>'
    + _REFERENCE.replace(b"%d", b"1")
    + _REFERENCE.replace(b"%d", b"2")
    + b"{WS}</{P}SignedInfo>"
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
_SIGNED_INFO = {
    None: _grammar(_SIGNED_INFO_TEMPLATE, b""),
    "ds": _grammar(_SIGNED_INFO_TEMPLATE, b"ds:"),
}
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
    return _facts(m["time"], m["ident"], m["version"])


#: The record binding per exact (identifier, version) bytes: a record's 15 signatures name the
#: same record, so each record reads it once. Keyed by the very bytes it is read from, and kept
#: small on purpose: it serves the signatures of the record at hand, not a batch.
_BINDINGS: dict[tuple[bytes, bytes], HocBaKy] = {}
_MAX_BINDINGS = 8


def _binding(ident: bytes, version: bytes) -> HocBaKy:
    key = (ident, version)
    found = _BINDINGS.get(key)
    if found is None:
        found = HocBaKy(ident.decode(), str(int(version)))
        with _LOCK:
            if len(_BINDINGS) >= _MAX_BINDINGS:
                _BINDINGS.clear()
            _BINDINGS[key] = found
    return found


def _facts(time: bytes, ident: bytes, version: bytes) -> ObjectFacts | None:
    """The facts of a matched Object: None when the time is no ``xs:dateTime`` Python reads or
    its offset exceeds 14 hours; the signing time None when outside the accepted range.

    Every signing time differs from record to record, so nothing keyed by it is remembered
    (a memory of whole facts missed on every record of a real batch). The range test is
    decided from the year digits when it cannot be in doubt: with an offset of at most 14
    hours, a time whose year is 1901 to 8998 lies inside [1900-01-01, 9000-01-01) UTC
    (:func:`usable_signing_time`); any other year is compared in full."""
    try:
        when = dt.datetime.fromisoformat(time.decode())
    except ValueError:
        return None
    offset = when.utcoffset()
    if offset is None or abs(offset) > _MAX_OFFSET:
        return None
    usable = _SURE_YEARS[0] <= when.year <= _SURE_YEARS[1] or usable_signing_time(when)
    return ObjectFacts(when if usable else None, _binding(ident, version))


#: Local years whose every instant, at any offset of at most 14 hours, lies inside the accepted
#: signing-time range, whose bounds are midnight UTC on a 1 January (asserted below): the year
#: after the first bound's (its 1 January at +14:00 is still after the bound) up to the second
#: year before the last bound's (31 December of the year just before, at -14:00, is already
#: past it).
_SURE_YEARS = (EARLIEST_SIGNING_TIME.year + 1, LATEST_SIGNING_TIME.year - 2)
assert all(
    bound == dt.datetime(bound.year, 1, 1, tzinfo=dt.UTC)
    for bound in (EARLIEST_SIGNING_TIME, LATEST_SIGNING_TIME)
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


def _key_info_texts(key_info: etree._Element) -> tuple[str, ...] | None:
    """The ``X509Certificate`` texts of a KeyInfo of the exact shape (no attribute, one
    ``X509Data`` of at most :data:`MAX_KEYINFO_CERTIFICATES` ``X509Certificate`` elements
    without attribute or child, white space between them); None for any other KeyInfo.
    Whether each text is canonical base64 is :func:`_chain`'s question."""
    if key_info.attrib or len(key_info) != 1 or not _blank(key_info.text):
        return None
    data = key_info[0]
    if (
        data.tag != _X509_DATA_TAG
        or data.attrib
        or not _blank(data.tail)
        or not _blank(data.text)
        or not 0 < len(data) <= MAX_KEYINFO_CERTIFICATES
    ):
        return None
    texts: list[str] = []
    for cert in data:
        if cert.tag != _X509_CERTIFICATE_TAG or cert.attrib or len(cert) or not _blank(cert.tail):
            return None
        texts.append(cert.text or "")
    return tuple(texts)


#: :func:`_chain`'s answers per (loader, exact texts): the same few certificate sets recur in
#: every record of a school. Bounded, keyed by the very texts (and the loader) they come from.
_CHAINS: dict[
    tuple[Callable[[str], LoadedCertificate], tuple[str, ...]],
    tuple[x509.Certificate, tuple[x509.Certificate, ...]] | None,
] = {}
_MAX_CHAINS = 1024


def _chain(
    texts: tuple[str, ...], load: Callable[[str], LoadedCertificate], key_info: etree._Element
) -> tuple[x509.Certificate, tuple[x509.Certificate, ...]] | None:
    """(leaf, intermediates) of a KeyInfo whose certificate texts are ``texts``, each text
    canonical base64 (RFC 4648 alphabet and padding, zero trailing bits, no white space),
    loaded with ``load`` and split by :func:`leaf_and_chain`; None when a text is not canonical,
    does not load, or the certificates break the one-leaf rule (then :func:`read_signature`
    decides and names the rule). A function of ``texts`` and ``load`` alone, so remembered."""
    key = (load, texts)
    try:
        return _CHAINS[key]
    except KeyError:
        pass
    found: tuple[x509.Certificate, tuple[x509.Certificate, ...]] | None = None
    if all(_canonical_b64(text) for text in texts):
        try:
            leaf, intermediates = leaf_and_chain([load(text) for text in texts], key_info)
            found = (leaf, tuple(intermediates))
        except Exception:  # unreadable, or not exactly one leaf
            found = None
    with _LOCK:
        if len(_CHAINS) >= _MAX_CHAINS:
            _CHAINS.clear()
        _CHAINS[key] = found
    return found


def read_signature_exact(
    sig: etree._Element,
    *,
    reference_id: str,
    object_id: str,
    signature_id: str,
    ids: Mapping[str, etree._Element],
    load_certificate: Callable[[str], LoadedCertificate],
    canonical: Callable[[etree._Element], bytes],
) -> tuple[SignatureParts, ObjectFacts] | None:
    """:func:`read_signature`'s parts and the Object's facts, read in one pass, when ``sig``
    has the exact shape of the module docstring (so the XMLDSig schema accepts it too); None
    otherwise, and then :func:`read_signature` and the tree readers decide.

    ``signature_id`` is the Id ``sig`` carries, ``canonical`` gives an element's inclusive
    C14N 1.0 bytes (the caller's cache; an exception from it means "not this shape"). When
    this returns parts, :func:`read_signature` returns equal parts (a test compares them):
    the SignedInfo grammar pins the children read_signature walks, no comment hides in
    SignedInfo (C14N drops comments; a comment would cut an element's ``.text``), and the
    References, the value and the certificates are read by the same rules."""
    if len(sig) != 4 or sig.keys() != ["Id"] or not _blank(sig.text):
        return None
    signed_info, value_el, key_info, obj = sig
    if (
        signed_info.tag != _SIGNED_INFO_TAG
        or value_el.tag != _VALUE_TAG
        or key_info.tag != _KEY_INFO_TAG
        or obj.tag != _OBJECT_TAG
        or not (
            _blank(signed_info.tail)
            and _blank(value_el.tail)
            and _blank(key_info.tail)
            and _blank(obj.tail)
        )
        or obj.get("Id") != object_id
        or value_el.attrib
        or len(value_el)
        or _NCNAME_FULL.fullmatch(sig.get("Id") or "") is None
    ):
        return None
    target = ids.get(reference_id)
    grammar = _SIGNED_INFO.get(sig.prefix)
    if target is None or grammar is None:
        return None
    texts = _key_info_texts(key_info)
    chain = _chain(texts, load_certificate, key_info) if texts is not None else None
    if chain is None:
        return None
    try:
        value = canonical_base64_value((value_el.text or "").encode("ascii"))
        if value is None:
            return None
        m = grammar.fullmatch(canonical(signed_info))
        if (
            m is None
            or m["uri1"] != reference_id.encode()
            or m["uri2"] != object_id.encode()
            or next(signed_info.iter(etree.Comment), None) is not None
        ):
            return None
        # Every Algorithm one of the known URIs (str, as the tree gives it).
        c14n, method, tr1, dm1, tr2, dm2 = map(_ALGORITHMS.__getitem__, m.group(*_ALGORITHM_GROUPS))
        facts = read_object(obj, canonical(obj), sig.prefix, signature_id)
        if facts is None:
            return None
        digest1 = binascii.a2b_base64(m["dv1"], strict_mode=True)
        digest2 = binascii.a2b_base64(m["dv2"], strict_mode=True)
    except Exception:  # not base64, an unknown URI, a C14N refusal, a certificate rule broken
        return None
    # The grammar matched and no comment hides in SignedInfo: its four children are
    # CanonicalizationMethod, SignatureMethod and the two References.
    uris = (c14n, method, tr1, dm1, tr2, dm2)
    ids_ = (reference_id, object_id)
    return exact_parts(sig, target, ids_, uris, (digest1, digest2), value, chain), facts


def canonical_base64_value(text: bytes) -> bytes | None:
    """The bytes of a SignatureValue text that is canonical base64 (decodes strictly and
    encodes back to the very same text), else None."""
    value = binascii.a2b_base64(text, strict_mode=True)
    return value if binascii.b2a_base64(value, newline=False) == text else None


def exact_parts(
    sig: etree._Element,
    target: etree._Element,
    ids: tuple[str, str],
    uris: tuple[str, str, str, str, str, str],
    digests: tuple[bytes, bytes],
    value: bytes,
    chain: tuple[x509.Certificate, tuple[x509.Certificate, ...]],
) -> SignatureParts:
    """The parts of a Signature proven to have the exact shape: ``sig``'s four children are
    SignedInfo, SignatureValue, KeyInfo and Object, SignedInfo's are CanonicalizationMethod,
    SignatureMethod and the two References; ``ids`` the Ids the References name (the
    target's, the Object's); ``uris`` the C14N, signature, and each Reference's transform and
    digest URIs, in that order."""
    c14n, method, tr1, dm1, tr2, dm2 = uris
    reference_id, object_id = ids
    signed_info, _, key_info, obj = sig
    references = [
        ReferenceParts(f"#{reference_id}", target, [(tr1, [])], dm1, digests[0], signed_info[2]),
        ReferenceParts(f"#{object_id}", obj, [(tr2, [])], dm2, digests[1], signed_info[3]),
    ]
    return SignatureParts(
        element=sig,
        signed_info=signed_info,
        c14n_uri=c14n,
        c14n_prefixes=[],
        method_uri=method,
        references=references,
        value=value,
        key_info=key_info,
        leaf=chain[0],
        intermediates=list(chain[1]),
    )
