"""The certificate rules a signer must pass for a role, at the signing time.

Validity, key usage, extended key usage, and identity: a personal certificate naming the
personal ID the record gives the role, or the school's organisation certificate for issuance
(docs/signing.md §2). The rules themselves (key strength, EKUs, holder kind, identity) are the
shared rulebook of ``_certrules``, which the verifier applies too.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509

from hocbaso.errors import (
    AlgorithmError,
    CertificateError,
)
from hocbaso.signature._algorithms import SignatureMethod
from hocbaso.signature._certrules import (
    CertificateIdentity,
    HolderKind,
    certificate_identity,
    extended_key_usage_ok,
    matches_record_id,
)
from hocbaso.signature._keys import der, signature_method_for
from hocbaso.signature._packet_view import PacketView, SlotInfo
from hocbaso.signature._policy import SigningPolicy

__all__ = [
    "check_certificate",
    "signature_method",
]

@dataclass(frozen=True, slots=True)
class _CertificateFacts:
    """What the signing rules read from one certificate, computed once per exact DER.

    The same teacher, principal and school certificates sign record after record; parsing the
    subject and extensions again each time changes nothing. Keyed by the DER bytes themselves
    (not by an object or a fingerprint), so two certificates share facts only if they are the
    same certificate byte for byte.
    """

    not_before: datetime
    not_after: datetime
    #: KeyUsage absent, or allows digitalSignature or contentCommitment.
    usage_allows_signing: bool
    #: Extended Key Usage absent, or names a signing purpose (``_certrules.ACCEPTED_EKUS``).
    eku_allows_signing: bool
    #: Who the subject names (holder kind, CCCD), by the rules the verifier also applies.
    identity: CertificateIdentity


@functools.lru_cache(maxsize=256)
def _certificate_facts(certificate_der: bytes) -> _CertificateFacts:
    certificate = x509.load_der_x509_certificate(certificate_der)
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    identity = certificate_identity(certificate)
    return _CertificateFacts(
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        usage_allows_signing=usage is None or usage.digital_signature or usage.content_commitment,
        eku_allows_signing=extended_key_usage_ok(certificate),
        identity=identity,
    )


@functools.lru_cache(maxsize=256)
def _method_for_der(certificate_der: bytes) -> SignatureMethod:
    """:func:`signature_method_for` of a certificate that passed (refusals are not cached)."""
    return signature_method_for(x509.load_der_x509_certificate(certificate_der), "")


def signature_method(
    certificate: x509.Certificate, label: str, certificate_der: bytes | None = None
) -> SignatureMethod:
    try:
        return _method_for_der(der(certificate) if certificate_der is None else certificate_der)
    except AlgorithmError:
        return signature_method_for(certificate, label)  # raises again, naming the role


def check_certificate(
    view: PacketView,
    target: SlotInfo,
    certificate: x509.Certificate,
    signing_time: datetime,
    policy: SigningPolicy,
    certificate_der: bytes | None = None,
) -> None:
    """Refuse ``certificate`` for ``target`` at ``signing_time`` (validity, key usage, identity).

    ``certificate_der`` may pass ``der(certificate)`` when the caller already has it.
    """
    label = target.label

    def fail(code: str, en: str, vi: str) -> CertificateError:
        return CertificateError(
            f"{label}: {en}", f"{label}: {vi}", code=f"SIGN.CERTIFICATE.{code}", path=label
        )

    facts = _certificate_facts(der(certificate) if certificate_der is None else certificate_der)
    if signing_time > facts.not_after:
        raise fail(
            "EXPIRED",
            "the certificate has expired at the signing time",
            "chứng thư số đã hết hạn tại thời điểm ký",
        )
    if signing_time < facts.not_before - policy.clock_skew:
        raise fail(
            "NOT_YET_VALID",
            "the certificate is not yet valid at the signing time",
            "chứng thư số chưa có hiệu lực tại thời điểm ký",
        )
    if not facts.usage_allows_signing:
        raise fail(
            "KEY_USAGE",
            "the certificate's key usage does not allow signatures",
            "mục đích sử dụng khoá của chứng thư số không cho phép ký",
        )
    if not facts.eku_allows_signing:
        raise fail(
            "EXTENDED_KEY_USAGE",
            "the certificate's extended key usage names no signing purpose (e.g. serverAuth only)",
            "mục đích sử dụng mở rộng của chứng thư số không cho phép ký (ví dụ chỉ serverAuth)",
        )
    if not policy.check_identity:
        return
    if target.role.personal:
        if facts.identity.holder is not HolderKind.PERSON:
            raise fail(
                "NOT_PERSONAL",
                "a personal certificate (UID=CCCD:…) is required for this role",
                "vai trò này cần chứng thư số cá nhân (UID=CCCD:…)",
            )
        expected = view.record_id(target.role, target.mon)
        if not expected:
            raise fail(
                "NO_RECORD_ID",
                "the record names no personal ID for this role",
                "học bạ không ghi số định danh cá nhân cho vai trò này",
            )
        if not matches_record_id(facts.identity, expected):
            raise fail(
                "IDENTITY",
                "the certificate's CCCD differs from the personal ID the record names",
                "số CCCD trong chứng thư số khác với số định danh học bạ ghi cho vai trò này",
            )
    elif facts.identity.holder is not HolderKind.ORGANISATION:
        raise fail(
            "NOT_ORGANISATION",
            "issuance needs the school's organisation certificate (UID=MST:… or budget-unit "
            "code) with no personal identifier (CCCD, CMND, passport…)",
            "ký phát hành cần chứng thư số tổ chức của nhà trường (UID=MST:… hoặc mã ĐVQHNS), "
            "không mang số định danh cá nhân (CCCD, CMND, hộ chiếu…)",
        )


