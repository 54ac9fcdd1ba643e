"""Sign one element of any document by its Id, in the record signature profile.

Records have fixed slots per role (``_core``); other documents the library signs — a package
envelope (``GOI_TIN.xml``), a receipt, a transfer note — are simpler: one element carrying an
``Id`` is signed, once, by an organisation, and the Signature goes into one empty slot element.
:func:`sign_element` does exactly that with the same profile code a record role uses
(:func:`~hocbaso.signature._profile.build_signature`: Reference 1 to ``#<Id>``, Reference 2 to
the signed ``Object`` holding ``SigningTime`` and the ``HocBaKy`` binding) and the same byte
splice (the document's bytes outside the slot never change). :func:`check_element_signature`
checks such a signature with the same profile checker the record verifier and the signing core
use (:func:`~hocbaso.signature._profile.check_signature`).

The ``HocBaKy`` binding of a non-record document names the document's own identifier (e.g. the
package id) and version, so a signature cannot be moved to another document with the same body.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from lxml import etree

from hocbaso.errors import CertificateError, SigningError
from hocbaso.packet import DEFAULT_LIMITS, ParseLimits, parse_xml
from hocbaso.signature._algorithms import DSIG_NS
from hocbaso.signature._c14n import canonicalize
from hocbaso.signature._keys import normalise_signature_value, signature_method_for, verify_value
from hocbaso.signature._planner import format_time
from hocbaso.signature._policy import SigningPolicy
from hocbaso.signature._profile import HocBaKy, SignatureProblem, build_signature, check_signature
from hocbaso.signature._signer import Signer
from hocbaso.signature._splice import locate_slot
from hocbaso.signature._twophase import check_signer

__all__ = ["ElementSignature", "check_element_signature", "sign_element"]

_D = f"{{{DSIG_NS}}}"


@dataclass(frozen=True, slots=True)
class ElementSlot:
    """Where a document signature lives: the signed element's ``Id``, the empty element the
    Signature goes into, and the Signature's and its signed Object's ``Id``. One value per
    document kind (the package envelope, the receipt, the revocation notice), so signing and
    checking name the same places."""

    element_id: str
    slot_tag: str
    signature_id: str
    object_id: str

    def unpack(self) -> tuple[str, str, str, str]:
        return self.element_id, self.slot_tag, self.signature_id, self.object_id


@dataclass(frozen=True, slots=True)
class ElementSignature:
    """A checked element signature: who signed, when, for what, and the signed bytes.

    ``signed_c14n`` is the canonical form of the signed element exactly as Reference 1
    digested it; read fields from it (re-parsed), never from the received tree.
    ``chain`` holds the other certificates the signature carries (intermediates).
    """

    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    signing_time: datetime
    binding: HocBaKy
    signed_c14n: bytes


def sign_element(
    document: bytes,
    slot: ElementSlot,
    *,
    binding: HocBaKy,
    signer: Signer,
    signing_time: datetime,
    label: str,
    policy: SigningPolicy = SigningPolicy(),  # noqa: B008 - frozen, immutable default
    limits: ParseLimits = DEFAULT_LIMITS,
) -> bytes:
    """Sign the element with ``Id=slot.element_id`` and splice the Signature into the one empty
    element named ``slot.slot_tag``; returns the new bytes (every other byte unchanged).

    Raises :class:`~hocbaso.errors.SigningError` (``SIGN.ELEMENT.TARGET``) when the Id is not
    unique or the slot is not exactly one empty element, ``SIGN.CERTIFICATE.EXPIRED`` when
    the certificate is not valid at ``signing_time``, ``SIGN.VALUE`` when the signer's value
    does not verify with its certificate.
    """
    element_id, slot_tag, signature_id, object_id = slot.unpack()
    time_text = format_time(signing_time, label)
    check_signer(signer)
    certificate = signer.certificate
    method = signature_method_for(certificate, label)
    if signing_time > certificate.not_valid_after_utc or (
        signing_time < certificate.not_valid_before_utc - policy.clock_skew
    ):
        raise CertificateError(
            f"{label}: the certificate is not valid at the signing time",
            f"{label}: chứng thư số không có hiệu lực tại thời điểm ký",
            code="SIGN.CERTIFICATE.EXPIRED",
            path=label,
        )
    root = parse_xml(document, limits=limits)
    targets = [el for el in root.iter(etree.Element) if el.get("Id") == element_id]
    slots = list(root.iter(slot_tag))
    if len(targets) != 1 or len(slots) != 1 or len(slots[0]) or (slots[0].text or "").strip():
        raise SigningError(
            f"{label}: the document needs one element Id={element_id!r} and one empty "
            f"{slot_tag}",
            f"{label}: tài liệu cần đúng một phần tử Id={element_id!r} và một {slot_tag} rỗng",
            code="SIGN.ELEMENT.TARGET",
            path=label,
        )
    signed_el, slot_el = targets[0], slots[0]
    template = build_signature(
        signature_id=signature_id,
        object_id=object_id,
        reference_uri=f"#{element_id}",
        reference_c14n=canonicalize(signed_el),
        signing_time=time_text,
        record=binding,
        method=method,
        certificates=(certificate, *signer.chain),
        context_nsmap=slot_el.nsmap,
    )
    value = normalise_signature_value(signer.sign_raw(template.to_be_signed), certificate)
    if not verify_value(certificate, method, value, template.to_be_signed):
        raise SigningError(
            f"{label}: the signer's value does not verify with its certificate",
            f"{label}: giá trị chữ ký không khớp với chứng thư số",
            code="SIGN.VALUE",
            path=label,
        )
    splice = locate_slot(document, root, slot_el, label)
    return (
        splice.before
        + template.before_value
        + base64.b64encode(value)
        + template.after_value
        + splice.after
    )


def check_element_signature(
    document: bytes,
    slot: ElementSlot,
    *,
    binding: HocBaKy | None = None,
    label: str,
    policy: SigningPolicy = SigningPolicy(),  # noqa: B008 - frozen, immutable default
    limits: ParseLimits = DEFAULT_LIMITS,
) -> ElementSignature:
    """Check the signature in ``slot.slot_tag`` over ``#slot.element_id`` with the profile
    checker.

    Every ``Id`` in the document must be unique, the slot must hold exactly one Signature, its
    References must be exactly ``#element_id`` and its own signed Object, digests and value
    must verify, algorithms must be in ``policy``. ``binding`` (when given) must be what the
    signature's ``HocBaKy`` names. Trust in the certificate (path to an anchor, revocation) is
    the caller's next step. Raises :class:`~hocbaso.errors.SigningError`
    (``SIGN.ELEMENT.SIGNATURE``) with the profile problem in the message.
    """
    element_id, slot_tag, signature_id, object_id = slot.unpack()
    root = parse_xml(document, limits=limits)

    def bad(en: str, vi: str) -> SigningError:
        return SigningError(
            f"{label}: the signature is not valid ({en})",
            f"{label}: chữ ký không hợp lệ ({vi})",
            code="SIGN.ELEMENT.SIGNATURE",
            path=label,
        )

    with_ids = root.findall(".//*[@Id]")
    ids = {el.get("Id") or "": el for el in with_ids}
    slots = list(root.iter(slot_tag))
    if len(ids) != len(with_ids) or element_id not in ids or len(slots) != 1:
        raise bad("duplicate Id, or no single signed element or slot",
                  "Id bị lặp, hoặc không có đúng một phần tử được ký hay ô chữ ký")
    sigs = slots[0].findall(f"{_D}Signature")
    if len(sigs) != 1 or len(slots[0]) != 1:
        raise bad("the slot does not hold exactly one Signature",
                  "ô chữ ký không chứa đúng một Signature")
    try:
        checked = check_signature(
            sigs[0],
            signature_id=signature_id,
            object_id=object_id,
            reference_id=element_id,
            ids=ids,
            policy=policy,
            record=binding,
        )
    except SignatureProblem as problem:
        raise bad(problem.en, problem.vi) from None
    chain: list[x509.Certificate] = []
    for el in sigs[0].iterfind(f"{_D}KeyInfo/{_D}X509Data/{_D}X509Certificate"):
        try:
            cert = x509.load_der_x509_certificate(
                base64.b64decode("".join((el.text or "").split()), validate=True)
            )
        except ValueError:
            continue
        if cert != checked.certificate:
            chain.append(cert)
    return ElementSignature(
        checked.certificate,
        tuple(chain),
        checked.signing_time,
        checked.record,
        checked.reference_c14n,
    )
