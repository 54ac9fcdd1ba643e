"""Certificate rules shared by the signer and the verifier: one source, so that verification
refuses exactly what signing refuses (docs/signing.md §2, docs/verification.md §2 step 5).

- **Key strength**: RSA keys of at least :data:`MIN_RSA_BITS` bits; ECDSA keys only on the curves
  of :data:`ACCEPTED_CURVES` (NIST P-256, P-384, P-521, the curves XMLDSig's ECDSA methods and
  the Vietnamese CAs' ECDSA certificates use). Anything else is refused.
- **Extended Key Usage**: absent is fine (KeyUsage decides); when present, it must name at least
  one purpose of :data:`ACCEPTED_EKUS`. A ``serverAuth``-only certificate is a web server's and
  must not sign a record.
- **Identity**: :func:`certificate_identity` is the one reading of who a certificate names, used
  by the signing core, the life cycle (issue, revoke) and the verifier alike.
- **Personal ID**: :func:`matches_record_id` is the one answer to "is this the person the record
  names for the role?", asked by the signer before it signs and by the verifier after: the
  certificate's ``CCCD`` equals the record's 12-digit ID. Other personal identifiers (``CMND``,
  passport…) make a certificate personal but never match.
- **Holder kind**: :func:`holder_kind` decides whether a certificate belongs to a person or an
  organisation from the identities in its subject. Any personal identifier makes it personal,
  whatever else it carries, so a personal certificate that also names a tax code can never seal
  an issuance.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from hocbaso.signature._identity import (
    LoaiDinhDanh,
    SubjectIdentity,
    mentions_personal_identifier,
    subject_identities,
)

__all__ = [
    "ACCEPTED_CURVES",
    "ACCEPTED_EKUS",
    "MIN_RSA_BITS",
    "CertificateIdentity",
    "HolderKind",
    "certificate_identity",
    "extended_key_usage_ok",
    "holder_kind",
    "holder_kind_of",
    "key_strength_problem",
    "matches_record_id",
]

#: The shortest RSA modulus accepted, for signing and for verification.
MIN_RSA_BITS = 2048

#: ECDSA curves accepted (by their ``cryptography`` names).
ACCEPTED_CURVES: frozenset[str] = frozenset({"secp256r1", "secp384r1", "secp521r1"})

#: Extended Key Usage purposes that allow signing a record, with why:
#:
#: - ``anyExtendedKeyUsage`` (2.5.29.37.0): the CA restricts nothing;
#: - ``id-kp-documentSigning`` (1.3.6.1.5.5.7.3.36, RFC 9336): the purpose made for this;
#: - Microsoft ``documentSigning`` (1.3.6.1.4.1.311.10.3.12) and Adobe ``authenticDocuments``
#:   (1.2.840.113583.1.1.5): what document-signing certificates carried before RFC 9336;
#: - ``emailProtection`` (1.3.6.1.5.5.7.3.4) and ``clientAuth`` (1.3.6.1.5.5.7.3.2): what the
#:   Vietnamese CAs (VNPT-CA, Viettel-CA, FPT-CA, the government CA) put in the personal and
#:   organisation signing certificates they issue for USB tokens and remote signing — refusing
#:   them would refuse nearly every real signer.
#:
#: Not accepted on their own: ``serverAuth`` (a web server), ``codeSigning``, ``timeStamping``,
#: ``OCSPSigning`` and anything unknown.
ACCEPTED_EKUS: frozenset[x509.ObjectIdentifier] = frozenset(
    {
        ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,
        x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36"),
        x509.ObjectIdentifier("1.3.6.1.4.1.311.10.3.12"),
        x509.ObjectIdentifier("1.2.840.113583.1.1.5"),
        ExtendedKeyUsageOID.EMAIL_PROTECTION,
        ExtendedKeyUsageOID.CLIENT_AUTH,
    }
)


def key_strength_problem(key: object) -> str | None:
    """``None`` when ``key`` (a certificate's public key) is strong enough, else a short code:
    ``"KEY_SIZE"`` (RSA under :data:`MIN_RSA_BITS`), ``"CURVE"`` (an ECDSA curve outside
    :data:`ACCEPTED_CURVES`) or ``"KEY_TYPE"`` (neither RSA nor ECDSA)."""
    if isinstance(key, rsa.RSAPublicKey):
        return None if key.key_size >= MIN_RSA_BITS else "KEY_SIZE"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return None if key.curve.name in ACCEPTED_CURVES else "CURVE"
    return "KEY_TYPE"


def extended_key_usage_ok(certificate: x509.Certificate) -> bool:
    """Whether the certificate's Extended Key Usage (if any) allows signing a record.

    An unreadable EKU extension is refused (a certificate whose purposes cannot be read cannot
    show that signing is one of them)."""
    try:
        eku = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return True
    except ValueError:
        return False
    return any(oid in ACCEPTED_EKUS for oid in eku)


class HolderKind(StrEnum):
    """Whom a certificate belongs to, as its subject's identities say."""

    PERSON = "person"
    ORGANISATION = "organisation"
    UNKNOWN = "unknown"


def holder_kind(identities: Iterable[SubjectIdentity]) -> HolderKind:
    """PERSON if any identity is personal (whatever else there is), ORGANISATION if there are
    organisation identities and no personal one, else UNKNOWN."""
    found = tuple(identities)
    if any(i.personal for i in found):
        return HolderKind.PERSON
    if found:
        return HolderKind.ORGANISATION
    return HolderKind.UNKNOWN


def holder_kind_of(certificate: x509.Certificate) -> HolderKind:
    """:func:`holder_kind` of the certificate's subject identities; PERSON as well when a
    ``UID``/``serialNumber`` value names a personal identifier in a form that does not parse
    (:func:`~hocbaso.signature._identity.mentions_personal_identifier`)."""
    if mentions_personal_identifier(certificate):
        return HolderKind.PERSON
    return holder_kind(subject_identities(certificate))


@dataclass(frozen=True, slots=True)
class CertificateIdentity:
    """Who a certificate names, read once for every check that compares identities.

    ``cccd`` (the ``CCCD`` value, the only identifier compared with the record's 12-digit ID,
    see :func:`matches_record_id`) is for comparisons only and must never be printed.
    ``organisations`` holds every organisation identity, in order.
    """

    holder: HolderKind
    cccd: str | None
    organisations: tuple[SubjectIdentity, ...]

    @property
    def organisation_id(self) -> str | None:
        """The first organisation identifier (tax or budget-unit code), if any."""
        return self.organisations[0].value if self.organisations else None

    @property
    def organisation_ids(self) -> frozenset[str]:
        return frozenset(i.value for i in self.organisations)


def certificate_identity(certificate: x509.Certificate) -> CertificateIdentity:
    """The subject's ``UID=`` identities and its :class:`HolderKind`, by the one rule."""
    identities = subject_identities(certificate)
    return CertificateIdentity(
        holder=holder_kind_of(certificate),
        cccd=next((i.value for i in identities if i.kind is LoaiDinhDanh.CCCD), None),
        organisations=tuple(i for i in identities if not i.personal),
    )


def matches_record_id(identity: CertificateIdentity, record_id: str | None) -> bool:
    """Whether a personal certificate is the one the record names for a role (GVBM, GVCN, CBQL).

    The record's ID for a role is a 12-digit personal ID (căn cước công dân); a certificate
    matches when its ``UID=CCCD:`` value equals it, character for character. A ``CMND``,
    passport or other personal identifier with the same digits does not match: the record
    says CCCD, and the signer and the verifier must give the same answer (docs/signing.md,
    docs/verification.md step 5.5). An empty or missing record ID matches nothing.
    """
    return bool(record_id) and identity.cccd is not None and identity.cccd == record_id
