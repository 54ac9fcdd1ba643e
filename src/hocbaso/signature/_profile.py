"""The docs/signing.md §1 signature profile: building a ``Signature`` and checking an earlier one.

Built the way .NET ``SignedXml`` writes it: an unprefixed ``Signature`` declaring the XMLDSig
namespace as default; Reference 1 to the role's element, Reference 2 to the ``Object`` holding the
signed SigningTime; one explicit C14N 1.0 Transform per Reference; SHA-256 digests; base64 values
on one line. The signature is built as a standalone tree that redeclares every prefixed namespace
in scope at the slot, so its canonical SignedInfo and Object are the same standalone and spliced
into the packet.

Every signature is **bound to the record** it was made for: next to ``SigningTime``, the signed
``Object`` carries a second ``SignatureProperty`` (same Target, same namespace) holding a
``HocBaKy`` element with the record identifier and version (:class:`HocBaKy`). A subject
teacher's signature covers only a subject row, which names no student; without the binding it
could be copied, with its row, into another student's record with the same marks.

The checker here is deliberately narrow (the full verifier is ``hocbaso.verify``): before a role is
added, the signing core re-checks the signatures it depends on against this profile's pinned
References, allowed algorithms, digests and signature value.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from cryptography import x509
from lxml import etree

from hocbaso.signature._algorithms import DSIG_NS, SIGPROP_NS, C14nMethod, DigestMethod
from hocbaso.signature._algorithms import SignatureMethod as _SigMethod
from hocbaso.signature._c14n import canonicalize
from hocbaso.signature._keys import der, verify_value
from hocbaso.signature._policy import SigningPolicy
from hocbaso.signature._profile_check import (
    LoadedCertificate,
    ProfileViolation,
    ReferenceParts,
    Violation,
    algorithm_problems,
    decode_b64,
    leaf_string_value,
    read_signature,
    signing_time_of,
)

__all__ = [
    "CheckedSignature",
    "HocBaKy",
    "SignatureTemplate",
    "build_signature",
    "build_signature_lxml",
    "check_signature",
    "key_info_xml",
    "key_info_xml_der",
    "read_hoc_ba_ky",
    "record_binding_of",
]

_PLACEHOLDER = b"HOCBASO-SIGNATURE-VALUE-PLACEHOLDER"
_D = f"{{{DSIG_NS}}}"


def _q(name: str) -> str:
    return _D + name


_OBJECT = _q("Object")
_PROPERTIES = _q("SignatureProperties")
_PROPERTY = _q("SignatureProperty")
_SIGNING_TIME = f"{{{SIGPROP_NS}}}SigningTime"
_HOC_BA_KY = f"{{{SIGPROP_NS}}}HocBaKy"
_BINDING_FIELDS = (f"{{{SIGPROP_NS}}}MA_DINH_DANH_HOC_BA", f"{{{SIGPROP_NS}}}PHIEN_BAN")


class HocBaKy(NamedTuple):
    """The record a signature was made for: its identifier and version (``PHIEN_BAN``).

    Written inside every signature's signed ``Object`` as
    ``<HocBaKy xmlns="urn:hocbaso:signature-properties"><MA_DINH_DANH_HOC_BA>…
    </MA_DINH_DANH_HOC_BA><PHIEN_BAN>…</PHIEN_BAN></HocBaKy>``, in a ``SignatureProperty`` of
    its own next to ``SigningTime``. ``phien_ban`` is kept as the decimal text it is written as.
    """

    ma_dinh_danh_hoc_ba: str
    phien_ban: str


@dataclass(frozen=True, slots=True)
class SignatureTemplate:
    """A serialised Signature split around its (empty) SignatureValue text."""

    before_value: bytes
    after_value: bytes
    to_be_signed: bytes


def build_signature(
    *,
    signature_id: str,
    object_id: str,
    reference_uri: str,
    reference_c14n: bytes,
    signing_time: str,
    record: HocBaKy,
    method: _SigMethod,
    certificates: tuple[x509.Certificate, ...],
    context_nsmap: Mapping[str | None, str],
    key_info: str | None = None,
) -> SignatureTemplate:
    """Build the Signature for one role; ``reference_c14n`` is the signed element's C14N bytes.

    ``record`` is the identifier and version of the record being signed: they go into the
    signed ``Object`` next to the signing time (the record binding, see the module docstring).

    ``key_info`` may pass ``key_info_xml(certificates)`` already computed (the signing core
    does, once per signer and call); it must be exactly that.

    With no prefixed namespace in scope at the slot (every packet hocbaso writes) the bytes are
    written from a template whose canonical forms are spelled out by hand — several times
    faster than building and canonicalising a tree. Otherwise, and as the reference the
    template is tested against, the Signature is built with lxml and canonicalised.
    """
    unusual = _UNUSUAL_TIME.search(signing_time + record.ma_dinh_danh_hoc_ba + record.phien_ban)
    # Values the template does not spell out are not reachable with xs:dateTime values and
    # NCName Ids; the lxml path handles them anyway.
    if (
        any(prefix is not None for prefix in context_nsmap)
        or unusual
        or _UNUSUAL_ATTR.search(signature_id + object_id + reference_uri)
    ):
        return build_signature_lxml(
            signature_id=signature_id,
            object_id=object_id,
            reference_uri=reference_uri,
            reference_c14n=reference_c14n,
            signing_time=signing_time,
            record=record,
            method=method,
            certificates=certificates,
            context_nsmap=context_nsmap,
        )
    return _build_from_template(
        signature_id=signature_id,
        object_id=object_id,
        reference_uri=reference_uri,
        reference_c14n=reference_c14n,
        signing_time=signing_time,
        record=record,
        method=method,
        certificates=certificates,
        key_info=key_info,
    )


_ESCAPED_IN_ATTR = re.compile(r'[&<>"\t\n\r]')
# Values the template does not spell out (the lxml path takes them; see _build_from_template).
_UNUSUAL_TIME = re.compile(r"[\t\n\r>]")
_UNUSUAL_ATTR = re.compile(r"[\t\n\r]")


def _attr(value: str) -> str:
    """An attribute value escaped as C14N writes it (and as lxml serialises it)."""
    if _ESCAPED_IN_ATTR.search(value) is None:
        return value  # the usual case (NCName Ids, URIs): nothing to escape
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace('"', "&quot;")
        .replace("\t", "&#x9;")
        .replace("\n", "&#xA;")
        .replace("\r", "&#xD;")
    )


def _attr_serial(value: str) -> str:
    """An attribute value escaped as libxml2 serialises it (``>`` too)."""
    return _attr(value).replace(">", "&gt;")


def _text(value: str) -> str:
    """Character data escaped as C14N writes it."""
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#xD;")
    )


# The fixed parts of the template, spelled out once (algorithm URIs hold nothing to escape, but
# they go through the same escaping as caller data so the template stays correct if they did).
_C14N_ALG = _attr(C14nMethod.C14N_10.value)
_SHA256_ALG = _attr(DigestMethod.SHA256.value)
_REF_TAIL_C14N = (
    f'"><Transforms><Transform Algorithm="{_C14N_ALG}"></Transform></Transforms>'
    f'<DigestMethod Algorithm="{_SHA256_ALG}"></DigestMethod><DigestValue>'
)
_REF_TAIL_SERIAL = (
    f'"><Transforms><Transform Algorithm="{_C14N_ALG}"/></Transforms>'
    f'<DigestMethod Algorithm="{_SHA256_ALG}"/><DigestValue>'
)
_SIGNED_INFO_HEAD_C14N = {
    m: f'<SignedInfo xmlns="{DSIG_NS}"><CanonicalizationMethod Algorithm="{_C14N_ALG}">'
    f'</CanonicalizationMethod><SignatureMethod Algorithm="{_attr(m.value)}"></SignatureMethod>'
    for m in _SigMethod
}
_SIGNED_INFO_HEAD_SERIAL = {
    m: f'<SignedInfo><CanonicalizationMethod Algorithm="{_C14N_ALG}"/>'
    f'<SignatureMethod Algorithm="{_attr(m.value)}"/>'
    for m in _SigMethod
}
_SIGNING_TIME_OPEN = f'<SigningTime xmlns="{SIGPROP_NS}">'
_SIGNING_TIME_CLOSE = '</SigningTime></SignatureProperty><SignatureProperty Target="#'
_HOC_BA_KY_OPEN = f'"><HocBaKy xmlns="{SIGPROP_NS}"><MA_DINH_DANH_HOC_BA>'
_OBJECT_TAIL = "</PHIEN_BAN></HocBaKy></SignatureProperty></SignatureProperties></Object>"


def _build_from_template(
    *,
    signature_id: str,
    object_id: str,
    reference_uri: str,
    reference_c14n: bytes,
    signing_time: str,
    record: HocBaKy,
    method: _SigMethod,
    certificates: tuple[x509.Certificate, ...],
    key_info: str | None,
) -> SignatureTemplate:
    """The Signature's bytes spelled out by hand; only for the values :func:`build_signature`
    sends here (no prefixed namespace in scope, no tab, newline, CR or ``>`` to escape)."""
    # Attribute values appear twice: canonical (C14N escapes & < " only, here) and serialised
    # (libxml2 also escapes >). Ids and URIs are caller data, so both are spelled out.
    obj_uri = f"#{object_id}"
    if _ESCAPED_IN_ATTR.search(signature_id + object_id + reference_uri) is None:
        # Every Id and URI hocbaso writes: nothing to escape in either form.
        sig_c = sig_s = signature_id
        obj_c = obj_s = object_id
        ref_c = ref_s = reference_uri
        obj_uri_c = obj_uri_s = obj_uri
    else:
        sig_c, sig_s = _attr(signature_id), _attr_serial(signature_id)
        obj_c, obj_s = _attr(object_id), _attr_serial(object_id)
        ref_c, ref_s = _attr(reference_uri), _attr_serial(reference_uri)
        obj_uri_c, obj_uri_s = _attr(obj_uri), _attr_serial(obj_uri)
    time_text = _text(signing_time)
    binding = (
        f"{_text(record.ma_dinh_danh_hoc_ba)}</MA_DINH_DANH_HOC_BA>"
        f"<PHIEN_BAN>{_text(record.phien_ban)}{_OBJECT_TAIL}"
    )
    props = '<SignatureProperties><SignatureProperty Target="#'
    time_part = f'">{_SIGNING_TIME_OPEN}{time_text}{_SIGNING_TIME_CLOSE}'
    # Canonical Object (C14N 1.0 as a document subset: the apex carries the default namespace).
    obj_c14n = (
        f'<Object xmlns="{DSIG_NS}" Id="{obj_c}">{props}{sig_c}{time_part}{sig_c}'
        f"{_HOC_BA_KY_OPEN}{binding}"
    )
    ref_digest = _b64_sha256(reference_c14n)
    obj_digest = _b64_sha256(obj_c14n.encode())
    refs_c14n = (
        f'<Reference URI="{ref_c}{_REF_TAIL_C14N}{ref_digest}'
        f'</DigestValue></Reference><Reference URI="{obj_uri_c}{_REF_TAIL_C14N}'
        f"{obj_digest}</DigestValue></Reference>"
    )
    refs_serial = (
        f'<Reference URI="{ref_s}{_REF_TAIL_SERIAL}{ref_digest}'
        f'</DigestValue></Reference><Reference URI="{obj_uri_s}{_REF_TAIL_SERIAL}'
        f"{obj_digest}</DigestValue></Reference>"
    )
    signed_info_c14n = f"{_SIGNED_INFO_HEAD_C14N[method]}{refs_c14n}</SignedInfo>"
    before = (
        f'<Signature xmlns="{DSIG_NS}" Id="{sig_s}">{_SIGNED_INFO_HEAD_SERIAL[method]}'
        f"{refs_serial}</SignedInfo><SignatureValue>"
    )
    after = (
        f"</SignatureValue>{key_info_xml(certificates) if key_info is None else key_info}"
        f'<Object Id="{obj_s}">{props}{sig_s}{time_part}{sig_s}{_HOC_BA_KY_OPEN}{binding}'
        "</Signature>"
    )
    return SignatureTemplate(before.encode(), after.encode(), signed_info_c14n.encode())


def key_info_xml(certificates: tuple[x509.Certificate, ...]) -> str:
    """The KeyInfo block for a signer's certificate and chain."""
    return key_info_xml_der(tuple(der(c) for c in certificates))


@functools.lru_cache(maxsize=256)
def key_info_xml_der(certificates_der: tuple[bytes, ...]) -> str:
    """:func:`key_info_xml` from the certificates' DER: the same few signers sign many packets,
    and base64 of the DER is the same every time (keyed by the exact DER bytes)."""
    certs = "".join(
        f"<X509Certificate>{base64.b64encode(d).decode()}</X509Certificate>"
        for d in certificates_der
    )
    return f"<KeyInfo><X509Data>{certs}</X509Data></KeyInfo>"


def build_signature_lxml(
    *,
    signature_id: str,
    object_id: str,
    reference_uri: str,
    reference_c14n: bytes,
    signing_time: str,
    record: HocBaKy,
    method: _SigMethod,
    certificates: tuple[x509.Certificate, ...],
    context_nsmap: Mapping[str | None, str],
) -> SignatureTemplate:
    """Reference implementation: build the Signature as an lxml tree and canonicalise it."""
    nsmap: dict[str | None, str] = {p: u for p, u in context_nsmap.items() if p is not None}
    nsmap[None] = DSIG_NS
    sig = etree.Element(_q("Signature"), nsmap=nsmap)  # type: ignore[arg-type]
    sig.set("Id", signature_id)
    signed_info = etree.SubElement(sig, _q("SignedInfo"))
    etree.SubElement(signed_info, _q("CanonicalizationMethod"), Algorithm=C14nMethod.C14N_10.value)
    etree.SubElement(signed_info, _q("SignatureMethod"), Algorithm=method.value)
    digest_values = []
    for uri in (reference_uri, f"#{object_id}"):
        ref = etree.SubElement(signed_info, _q("Reference"), URI=uri)
        transforms = etree.SubElement(ref, _q("Transforms"))
        etree.SubElement(transforms, _q("Transform"), Algorithm=C14nMethod.C14N_10.value)
        etree.SubElement(ref, _q("DigestMethod"), Algorithm=DigestMethod.SHA256.value)
        digest_values.append(etree.SubElement(ref, _q("DigestValue")))
    value = etree.SubElement(sig, _q("SignatureValue"))
    value.text = _PLACEHOLDER.decode()
    x509_data = etree.SubElement(etree.SubElement(sig, _q("KeyInfo")), _q("X509Data"))
    for cert in certificates:
        etree.SubElement(x509_data, _q("X509Certificate")).text = _b64_der(cert)
    obj = etree.SubElement(sig, _q("Object"), Id=object_id)
    props = etree.SubElement(obj, _q("SignatureProperties"))
    prop = etree.SubElement(props, _q("SignatureProperty"), Target=f"#{signature_id}")
    time_nsmap: dict[str | None, str] = {None: SIGPROP_NS}
    time_el = etree.SubElement(
        prop,
        f"{{{SIGPROP_NS}}}SigningTime",
        nsmap=time_nsmap,  # type: ignore[arg-type]
    )
    time_el.text = signing_time
    bound = etree.SubElement(
        etree.SubElement(props, _q("SignatureProperty"), Target=f"#{signature_id}"),
        _HOC_BA_KY,
        nsmap=time_nsmap,  # type: ignore[arg-type]
    )
    for field_tag, field_text in zip(_BINDING_FIELDS, record, strict=True):
        etree.SubElement(bound, field_tag).text = field_text
    digest_values[0].text = _b64_sha256(reference_c14n)
    digest_values[1].text = _b64_sha256(canonicalize(obj))
    to_be_signed = canonicalize(signed_info)
    before, sep, after = etree.tostring(sig, encoding="UTF-8").partition(_PLACEHOLDER)
    assert sep, "placeholder must be present exactly once"
    return SignatureTemplate(before, after, to_be_signed)


@functools.lru_cache(maxsize=256)
def _b64_der(certificate: x509.Certificate) -> str:
    return base64.b64encode(der(certificate)).decode()


def _b64_sha256(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


# --------------------------------------------------------------------------------------------
# Checking an earlier signature (narrow, profile-pinned)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckedSignature:
    """What the core needs from an earlier, verified signature."""

    certificate: x509.Certificate
    signing_time: datetime
    #: The record the signature is bound to (its signed ``HocBaKy`` property).
    record: HocBaKy
    #: Reference 1's canonical bytes, as digested (empty when ``crypto=False``).
    reference_c14n: bytes = b""


_VERSION_DIGITS = re.compile(r"[0-9]{1,9}")


def record_binding_of(obj: etree._Element, signature_id: str) -> HocBaKy | None:
    """The ``HocBaKy`` property of a signature's signed ``Object``, or None if it is missing,
    repeated or malformed.

    Exactly one ``SignatureProperty[@Target="#<signature_id>"]/HocBaKy`` (namespace
    ``urn:hocbaso:signature-properties``) must exist, holding exactly the two elements
    ``MA_DINH_DANH_HOC_BA`` and ``PHIEN_BAN`` (same namespace) and nothing else. Values are
    read as XPath string-values (the text nodes a canonical form carries; a comment or a
    processing instruction cannot shorten them), stripped; the version must be decimal digits
    and is returned without leading zeros, so two spellings of one number compare equal.
    """
    target = f"#{signature_id}"
    found = [
        b
        for props in obj.iterchildren(_PROPERTIES)
        for prop in props.iterchildren(_PROPERTY)
        if prop.get("Target") == target
        for b in prop.iterchildren(_HOC_BA_KY)
    ]
    if len(found) != 1:
        return None
    fields = list(found[0].iterchildren(etree.Element))
    if [f.tag for f in fields] != list(_BINDING_FIELDS) or any(len(f) for f in fields):
        return None
    ident, version = (leaf_string_value(f).strip() for f in fields)
    if not ident or _VERSION_DIGITS.fullmatch(version) is None:
        return None
    return HocBaKy(ident, str(int(version)))


def read_hoc_ba_ky(sig: etree._Element, signature_id: str, object_id: str) -> HocBaKy:
    """:func:`record_binding_of` for ``Object[@Id=object_id]`` of ``sig``; raises
    :class:`SignatureProblem` when the binding is missing or malformed."""
    obj = _signed_object(sig, object_id)
    found = record_binding_of(obj, signature_id) if obj is not None else None
    if found is None:
        raise SignatureProblem(
            "SIGN.EXISTING.RECORD_BINDING",
            "the signature does not name the record it was made for (HocBaKy)",
            "chữ ký không ghi học bạ mà nó được ký cho (HocBaKy)",
        )
    return found


class SignatureProblem(Exception):
    """Internal: why an earlier signature did not check (code + English/Vietnamese text)."""

    def __init__(self, code: str, en: str, vi: str) -> None:
        super().__init__(en)
        self.code = code
        self.en = en
        self.vi = vi


#: The refusal code of each kind of profile violation, when an earlier signature breaks one.
_VIOLATION_CODE = {
    Violation.SHAPE: (
        "SIGN.EXISTING.STRUCTURE",
        "the Signature is not shaped as the profile requires",
        "phần tử Signature không đúng cấu trúc quy định",
    ),
    Violation.REFERENCE: (
        "SIGN.EXISTING.REFERENCES",
        "the References are not the ones this role must sign",
        "các Reference không đúng phần tử vai trò này phải ký",
    ),
    Violation.KEY_INFO: (
        "SIGN.EXISTING.KEY_INFO",
        "unreadable or ambiguous certificates in KeyInfo",
        "không đọc được hoặc không xác định được chứng thư số trong KeyInfo",
    ),
    Violation.ENCODING: (
        "SIGN.EXISTING.KEY_INFO",
        "unreadable SignatureValue or DigestValue",
        "không đọc được SignatureValue hoặc DigestValue",
    ),
}


@functools.lru_cache(maxsize=256)
def _load_certificate(text: str) -> LoadedCertificate:
    """An ``X509Certificate`` text parsed, once per distinct text (bounded, exact key)."""
    certificate = x509.load_der_x509_certificate(decode_b64(text))
    return certificate, certificate.subject.public_bytes(), certificate.issuer.public_bytes()


def _signed_object(sig: etree._Element, object_id: str) -> etree._Element | None:
    objects = [o for o in sig.iterchildren(_OBJECT) if o.get("Id") == object_id]
    return objects[0] if len(objects) == 1 else None


def read_signing_time(sig: etree._Element, signature_id: str, object_id: str) -> datetime:
    """The SigningTime of a signature, from ``Object[@Id=object_id]``, by the profile's one
    rule (:func:`~hocbaso.signature._profile_check.signing_time_of`)."""
    obj = _signed_object(sig, object_id)
    found = signing_time_of(obj, signature_id) if obj is not None else None
    if found is None:
        raise SignatureProblem(
            "SIGN.EXISTING.SIGNING_TIME",
            "the signing time is missing, repeated, not an xs:dateTime with an offset, "
            "or out of range",
            "thời điểm ký bị thiếu, lặp, sai định dạng xs:dateTime có múi giờ hoặc ngoài khoảng",
        )
    return found


def check_signature(
    sig: etree._Element,
    *,
    signature_id: str,
    object_id: str,
    reference_id: str,
    ids: Mapping[str, etree._Element],
    policy: SigningPolicy,
    crypto: bool = True,
    record: HocBaKy | None = None,
) -> CheckedSignature:
    """Check one earlier signature against the profile; raise :class:`SignatureProblem`.

    The shape and algorithm rules are the verifier's own (``_profile_check``), so the signer
    never builds on a signature a receiving school would refuse.

    ``record``: the identifier and version of the record holding the signature; the
    signature's signed ``HocBaKy`` must name exactly them. ``None`` (a revocation notice,
    whose caller compares after reading the notice) only requires the property to be present.

    ``crypto=False`` checks structure, pinned References and algorithms and reads the
    certificate and time, but skips digests and the signature value: for bytes this process
    has already verified (see ``_memo``).
    """
    if sig.tag != _q("Signature") or sig.get("Id") != signature_id:
        raise SignatureProblem(
            "SIGN.EXISTING.STRUCTURE",
            "the slot does not hold the expected Signature",
            "ô chữ ký không chứa phần tử Signature như quy định",
        )
    try:
        parts = read_signature(
            sig,
            reference_id=reference_id,
            object_id=object_id,
            ids=ids,
            load_certificate=_load_certificate,
        )
    except ProfileViolation as v:
        code, en, vi = _VIOLATION_CODE[v.kind]
        raise SignatureProblem(code, en, vi) from None
    if algorithm_problems(
        parts,
        c14n_methods=policy.c14n_methods,
        digest_methods=policy.digest_methods,
        signature_methods=policy.signature_methods,
    ):
        raise SignatureProblem(
            "SIGN.EXISTING.ALGORITHM",
            "an algorithm outside the signing policy",
            "thuật toán nằm ngoài chính sách ký",
        )
    bound = read_hoc_ba_ky(sig, signature_id, object_id)
    if record is not None and bound != record:
        raise SignatureProblem(
            "SIGN.EXISTING.RECORD_BINDING",
            "the signature was made for another record (identifier or version)",
            "chữ ký được ký cho một học bạ khác (mã định danh hoặc phiên bản)",
        )
    if not crypto:
        return CheckedSignature(parts.leaf, read_signing_time(sig, signature_id, object_id), bound)
    digested = [_check_digest(r) for r in parts.references]
    signed_bytes = canonicalize(
        parts.signed_info, C14nMethod(parts.c14n_uri), inclusive_ns_prefixes=parts.c14n_prefixes
    )
    if not verify_value(parts.leaf, _SigMethod(parts.method_uri), parts.value, signed_bytes):
        raise SignatureProblem(
            "SIGN.EXISTING.VALUE",
            "the signature value does not verify",
            "giá trị chữ ký không hợp lệ",
        )
    return CheckedSignature(
        parts.leaf, read_signing_time(sig, signature_id, object_id), bound, digested[0]
    )


def _check_digest(ref: ReferenceParts) -> bytes:
    """Check one Reference's digest (its algorithms already judged); returns the canonical
    bytes digested."""
    ((transform, prefixes),) = ref.transforms
    digested = canonicalize(ref.target, C14nMethod(transform), inclusive_ns_prefixes=prefixes)
    if hashlib.new(DigestMethod(ref.digest_uri).hash_name, digested).digest() != ref.digest_value:
        raise SignatureProblem(
            "SIGN.EXISTING.DIGEST",
            "a digest does not match: signed content changed",
            "giá trị băm không khớp: nội dung đã ký bị thay đổi",
        )
    return digested
