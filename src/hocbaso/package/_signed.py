"""Signing and believing the package layer's own documents (envelope, receipt).

One place for the two questions every signed document of this layer asks: sign it (with
:func:`hocbaso.signature.sign_element`, the record profile), and believe a signature — profile
check by :func:`hocbaso.signature.check_element_signature`, then the certificate: a path to a
configured trust anchor at the signing time (never the OS store), key usage and strength, a
supplied CRL, and an *organisation* certificate (``UID=MST:``/budget code). Those certificate
rules are the verifier's, the ones it applies to a revocation notice: one copy, reached through
``hocbaso.verify._internal`` (:func:`signer_distrust`; :func:`believe_notice` is the verifier's
own notice check). The signature layer's internals are imported only here, through
``hocbaso.signature._internal``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography import x509

from hocbaso.errors import HocBaSoError
from hocbaso.packet import ParseLimits
from hocbaso.signature import HocBaKy, SigningPolicy
from hocbaso.signature._internal import (
    DSIG_NS,
    ElementSignature,
    ElementSlot,
    certificate_identity,
    check_element_signature,
)
from hocbaso.verify import CrlSet, TrustStore
from hocbaso.verify._internal import believe_notice, signer_distrust

__all__ = [
    "DSIG_NS",
    "BelievedSignature",
    "as_crl_set",
    "believe",
    "believe_notice",
    "binding_for",
    "organisations_of",
]


@dataclass(frozen=True, slots=True)
class BelievedSignature:
    """A document signature that checked, or the code saying why it is not believed."""

    code: str | None
    signature: ElementSignature | None = None
    organisations: frozenset[str] = frozenset()


def organisations_of(certificate: x509.Certificate) -> frozenset[str]:
    """The organisation identities (``MST``/budget code) a certificate's subject carries."""
    return certificate_identity(certificate).organisation_ids


def as_crl_set(crls: Iterable[x509.CertificateRevocationList | bytes] | CrlSet) -> CrlSet:
    return crls if isinstance(crls, CrlSet) else CrlSet(crls)


def believe(
    document: bytes,
    slot: ElementSlot,
    *,
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
            slot,
            label=label,
            policy=policy,
            limits=limits,
        )
    except (HocBaSoError, ValueError):
        return BelievedSignature(f"{prefix}.SIGNATURE")
    code = signer_distrust(sig.certificate, sig.chain, sig.signing_time, trust, crls, at)
    if code is not None:
        return BelievedSignature(f"{prefix}.{code}", sig)
    orgs = organisations_of(sig.certificate)
    return BelievedSignature(None, sig, orgs)


def binding_for(document_id: str) -> HocBaKy:
    """The ``HocBaKy`` binding of a package-layer document: the UUID that ends its id (the
    signature-properties schema takes a UUID there), version 1."""
    return HocBaKy(document_id[-36:], "1")
