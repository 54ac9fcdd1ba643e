"""Believing a signed revocation notice (thông báo thu hồi, docs/signing.md §7).

The notice's format and its signature check belong to the signing core
(:func:`hocbaso.signature.read_thong_bao_thu_hoi`: layout, digests, value, and fields read from
the signed data). On top of that a verifier must know *who* signed: the certificate must chain
to a trust anchor at the notice's signing time, not be revoked by a supplied CRL, and be an
organisation certificate (``UID=MST:``/budget code). Anything less and the notice is not
believed: step 8 reports it as a failure (``STATUS.NOTICE_INVALID``), because an unverifiable
notice must neither revoke a record nor be silently dropped (a doctored notice would otherwise
un-revoke the record it names).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography import x509
from lxml import etree

from hocbaso.errors import HocBaSoError
from hocbaso.packet import parse_xml
from hocbaso.signature import ThongBaoThuHoi, read_thong_bao_thu_hoi
from hocbaso.signature._internal import DSIG_NS, HolderKind, usable_signing_time
from hocbaso.verify._certificates import identity_of

if TYPE_CHECKING:
    from hocbaso.verify._crl import CrlSet
    from hocbaso.verify._trust import TrustStore

__all__ = [
    "RevocationNotice",
    "believe_notice",
    "read_notice",
    "signature_chain",
    "signer_distrust",
]

#: Where a notice's Signature sits, relative to its root.
_NOTICE_SIGNATURE = f"KY_THU_HOI/{{{DSIG_NS}}}Signature"


@dataclass(frozen=True, slots=True)
class RevocationNotice:
    """A revocation notice whose signature has already been verified by the caller's code.

    Pass raw notice bytes to ``verify`` to have them verified there; pass this only for
    notices verified elsewhere (e.g. by a national service you trust).
    """

    ma_dinh_danh_hoc_ba: str
    phien_ban: int
    #: The revoked version's record digest (``BAM_HOC_BA`` in the notice): SHA-256 (hex) of the
    #: inclusive C14N 1.0 of its ``#data`` (:func:`hocbaso.signature.record_digest`).
    bam_hoc_ba: str
    #: The signing organisation's ``MST``/budget code; when known, it must be the one that
    #: issued the record (its KY_PHAT_HANH certificate), or the notice FAILs as invalid.
    organisation_id: str | None = None


def signature_chain(
    root: etree._Element, signature_path: str, leaf: x509.Certificate
) -> list[x509.Certificate]:
    """The other certificates (intermediates) the Signature at ``signature_path`` (relative to
    ``root``, e.g. ``KY_THU_HOI/{dsig}Signature``) carries besides ``leaf``; undecodable ones
    are passed over (path building then fails if one was needed)."""
    out: list[x509.Certificate] = []
    for el in root.iterfind(f"{signature_path}//{{{DSIG_NS}}}X509Certificate"):
        try:
            cert = x509.load_der_x509_certificate(
                base64.b64decode("".join((el.text or "").split()), validate=True)
            )
        except (binascii.Error, ValueError):
            continue
        if cert != leaf:
            out.append(cert)
    return out


def signer_distrust(
    certificate: x509.Certificate,
    chain: Sequence[x509.Certificate],
    when: dt.datetime,
    trust: TrustStore,
    crls: CrlSet,
    at: dt.datetime,
) -> str | None:
    """Why an *organisation* document signer (a revocation notice; the package envelope and
    receipt above this layer) is not believed, or None when it is.

    ``"CERTIFICATE"``: the signing time is after ``at`` or out of the usable range (which keeps
    date arithmetic in bounds), no path to a configured anchor at that time (never the OS
    store), key usage, key strength or extended key usage refused, or a supplied CRL revokes
    it. ``"NOT_ORGANISATION"``: the holder is not an organisation (``UID=MST:``/budget code).
    The one copy of these rules: the package layer reaches it through ``verify._internal``.
    """
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
    if len(path.chain) > 1 and crls.status(certificate, path.chain[1], when, now=at).code:
        return "CERTIFICATE"
    if identity_of(certificate).holder is not HolderKind.ORGANISATION:
        return "NOT_ORGANISATION"
    return None


def believe_notice(
    data: bytes, trust: TrustStore, crls: CrlSet, at: dt.datetime
) -> ThongBaoThuHoi | None:
    """A revocation notice whose signature checks (the signing core reads it from its signed
    bytes) and whose signer is believed (:func:`signer_distrust`), or None."""
    try:
        notice = read_thong_bao_thu_hoi(bytes(data))
        chain = signature_chain(parse_xml(bytes(data)), _NOTICE_SIGNATURE, notice.certificate)
    except (HocBaSoError, ValueError):
        return None
    if signer_distrust(notice.certificate, chain, notice.signing_time, trust, crls, at):
        return None
    return notice


def read_notice(
    data: bytes, trust: TrustStore, crls: CrlSet, at: dt.datetime
) -> RevocationNotice | None:
    """The verified notice, or None when it cannot be believed."""
    notice = believe_notice(data, trust, crls, at)
    if notice is None:
        return None
    return RevocationNotice(
        notice.ma_dinh_danh_hoc_ba,
        notice.phien_ban,
        notice.bam_hoc_ba,
        organisation_id=identity_of(notice.certificate).organisation_id,
    )
