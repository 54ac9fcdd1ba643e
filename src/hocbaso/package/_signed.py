"""Signing and believing the package layer's own documents (envelope, receipt).

One place for the two questions every signed document of this layer asks: sign it (with
:func:`hocbaso.signature.sign_element`, the record profile), and believe a signature — profile
check by :func:`hocbaso.signature.check_element_signature`, then the certificate: a path to a
configured trust anchor at the signing time (never the OS store), key usage and strength, a
supplied CRL, and an *organisation* certificate (``UID=MST:``/budget code), as for a
revocation notice (:func:`believe_notice` applies the same certificate rules to a notice read
with :func:`hocbaso.signature.read_thong_bao_thu_hoi`). The signature layer's internals are
imported only here, through ``hocbaso.signature._internal``.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography import x509

from hocbaso.errors import HocBaSoError
from hocbaso.packet import ParseLimits, parse_xml
from hocbaso.signature import (
    HocBaKy,
    SigningPolicy,
    ThongBaoThuHoi,
    read_thong_bao_thu_hoi,
)
from hocbaso.signature._internal import (
    DSIG_NS,
    ElementSignature,
    ElementSlot,
    HolderKind,
    certificate_identity,
    check_element_signature,
    usable_signing_time,
)
from hocbaso.verify import CrlSet, TrustStore

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
    code = _distrust(sig.certificate, sig.chain, sig.signing_time, trust, crls, at)
    if code is not None:
        return BelievedSignature(f"{prefix}.{code}", sig)
    orgs = organisations_of(sig.certificate)
    return BelievedSignature(None, sig, orgs)


def _distrust(
    certificate: x509.Certificate,
    chain: tuple[x509.Certificate, ...],
    when: dt.datetime,
    trust: TrustStore,
    crls: CrlSet,
    at: dt.datetime,
) -> str | None:
    """Why a signer's certificate is not believed (``CERTIFICATE`` / ``NOT_ORGANISATION``),
    or None: a signing time in range and not after ``at``, a path to an anchor at that time
    (never the OS store), key usage, strength and extended usage, a supplied CRL, and an
    organisation holder."""
    if when > at or not usable_signing_time(when):
        return "CERTIFICATE"
    path = trust.validate(certificate, list(chain), when)
    if (
        path.code is not None
        or not trust.check_key_usage(certificate)
        or trust.check_key_strength(certificate) is not None
        or not trust.check_extended_key_usage(certificate)
    ):
        return "CERTIFICATE"
    if len(path.chain) > 1:
        code = crls.status(certificate, path.chain[1], when, now=at).code
        if code is not None:
            return "CERTIFICATE"
    ident = certificate_identity(certificate)
    if not ident.organisation_ids or ident.holder is not HolderKind.ORGANISATION:
        return "NOT_ORGANISATION"
    return None


def believe_notice(
    data: bytes, trust: TrustStore, crls: CrlSet, at: dt.datetime
) -> ThongBaoThuHoi | None:
    """A revocation notice whose signature checks (the signing core reads it from its signed
    bytes) and whose certificate is believed by the rules of :func:`_distrust`; else None."""
    try:
        notice = read_thong_bao_thu_hoi(bytes(data))
        root = parse_xml(bytes(data))
    except (HocBaSoError, ValueError):
        return None
    chain: list[x509.Certificate] = []
    for el in root.iterfind(f"KY_THU_HOI/{{{DSIG_NS}}}Signature//{{{DSIG_NS}}}X509Certificate"):
        try:
            cert = x509.load_der_x509_certificate(
                base64.b64decode("".join((el.text or "").split()), validate=True)
            )
        except ValueError:
            continue
        if cert != notice.certificate:
            chain.append(cert)
    code = _distrust(notice.certificate, tuple(chain), notice.signing_time, trust, crls, at)
    return notice if code is None else None


def binding_for(document_id: str) -> HocBaKy:
    """The ``HocBaKy`` binding of a package-layer document: the UUID that ends its id (the
    signature-properties schema takes a UUID there), version 1."""
    return HocBaKy(document_id[-36:], "1")
