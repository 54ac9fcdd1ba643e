"""Signing and believing the package layer's own documents (envelope, receipt).

One place for the two questions every signed document of this layer asks: sign it (with
:func:`hocbaso.signature.sign_element`, the record profile), and believe a signature — profile
check by :func:`hocbaso.signature.check_element_signature`, then the certificate: a path to a
configured trust anchor at the signing time (never the OS store), key usage and strength, a
supplied CRL, and an *organisation* certificate (``UID=MST:``/budget code), as for a
revocation notice. The one import of a verifier internal (``read_notice``) also lives here, so a
rename in ``hocbaso.verify`` is a one-line fix.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography import x509

from hocbaso.errors import HocBaSoError
from hocbaso.packet import ParseLimits
from hocbaso.signature import (
    ElementSignature,
    HocBaKy,
    HolderKind,
    SigningPolicy,
    check_element_signature,
    holder_kind_of,
    subject_identities,
)
from hocbaso.verify import CrlSet, TrustStore
from hocbaso.verify._notice import read_notice

__all__ = ["BelievedSignature", "as_crl_set", "believe", "organisations_of", "read_notice"]


@dataclass(frozen=True, slots=True)
class BelievedSignature:
    """A document signature that checked, or the code saying why it is not believed."""

    code: str | None
    signature: ElementSignature | None = None
    organisations: frozenset[str] = frozenset()


def organisations_of(certificate: x509.Certificate) -> frozenset[str]:
    """The organisation identities (``MST``/budget code) a certificate's subject carries."""
    return frozenset(i.value for i in subject_identities(certificate) if not i.personal)


def as_crl_set(crls: Iterable[x509.CertificateRevocationList | bytes] | CrlSet) -> CrlSet:
    return crls if isinstance(crls, CrlSet) else CrlSet(crls)


def believe(
    document: bytes,
    *,
    element_id: str,
    slot_tag: str,
    signature_id: str,
    object_id: str,
    label: str,
    trust: TrustStore,
    crls: CrlSet,
    at: dt.datetime,
    limits: ParseLimits,
    prefix: str,
    policy: SigningPolicy = SigningPolicy(),  # noqa: B008 - frozen, immutable default
) -> BelievedSignature:
    """Check a document signature and its certificate; codes are ``<prefix>.SIGNATURE``,
    ``<prefix>.CERTIFICATE`` and ``<prefix>.NOT_ORGANISATION``."""
    try:
        sig = check_element_signature(
            document,
            element_id=element_id,
            slot_tag=slot_tag,
            signature_id=signature_id,
            object_id=object_id,
            label=label,
            policy=policy,
            limits=limits,
        )
    except (HocBaSoError, ValueError):
        return BelievedSignature(f"{prefix}.SIGNATURE")
    when = sig.signing_time
    if when > at + dt.timedelta(minutes=5):
        return BelievedSignature(f"{prefix}.CERTIFICATE", sig)
    path = trust.validate(sig.certificate, list(sig.chain), when)
    if (
        path.code is not None
        or not trust.check_key_usage(sig.certificate)
        or trust.check_key_strength(sig.certificate) is not None
        or not trust.check_extended_key_usage(sig.certificate)
    ):
        return BelievedSignature(f"{prefix}.CERTIFICATE", sig)
    if len(path.chain) > 1:
        code, _, _ = crls.check(sig.certificate, path.chain[1], when, now=at)
        if code is not None:
            return BelievedSignature(f"{prefix}.CERTIFICATE", sig)
    orgs = organisations_of(sig.certificate)
    if not orgs or holder_kind_of(sig.certificate) is not HolderKind.ORGANISATION:
        return BelievedSignature(f"{prefix}.NOT_ORGANISATION", sig)
    return BelievedSignature(None, sig, orgs)


def binding_for(document_id: str) -> HocBaKy:
    """The ``HocBaKy`` binding of a package-layer document: the UUID that ends its id (the
    signature-properties schema takes a UUID there), version 1."""
    return HocBaKy(document_id[-36:], "1")
