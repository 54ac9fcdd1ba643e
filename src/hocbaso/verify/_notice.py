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
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography import x509

from hocbaso.errors import HocBaSoError
from hocbaso.packet import parse_xml
from hocbaso.signature import read_thong_bao_thu_hoi
from hocbaso.signature._internal import DSIG_NS, HolderKind, usable_signing_time
from hocbaso.verify._certificates import identity_of

if TYPE_CHECKING:
    from hocbaso.verify._crl import CrlSet
    from hocbaso.verify._trust import TrustStore

__all__ = ["RevocationNotice", "read_notice"]


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


def _intermediates(data: bytes, leaf: x509.Certificate) -> list[x509.Certificate]:
    root = parse_xml(data)
    out: list[x509.Certificate] = []
    for el in root.iterfind(f"KY_THU_HOI/{{{DSIG_NS}}}Signature//{{{DSIG_NS}}}X509Certificate"):
        try:
            cert = x509.load_der_x509_certificate(
                base64.b64decode("".join((el.text or "").split()), validate=True)
            )
        except (binascii.Error, ValueError):
            continue
        if cert != leaf:
            out.append(cert)
    return out


def read_notice(
    data: bytes, trust: TrustStore, crls: CrlSet, at: dt.datetime
) -> RevocationNotice | None:
    """The verified notice, or None when it cannot be believed."""
    try:
        notice = read_thong_bao_thu_hoi(bytes(data))
        chain = _intermediates(data, notice.certificate)
    except (HocBaSoError, ValueError):
        return None
    when = notice.signing_time
    if when > at or not usable_signing_time(when):  # the range keeps date arithmetic in bounds
        return None
    path = trust.validate(notice.certificate, chain, when)
    if path.code is not None or not trust.check_key_usage(notice.certificate):
        return None
    if trust.check_key_strength(notice.certificate) is not None:
        return None
    if not trust.check_extended_key_usage(notice.certificate):
        return None
    if len(path.chain) > 1:
        code = crls.status(notice.certificate, path.chain[1], when, now=at).code
        if code is not None:
            return None
    ident = identity_of(notice.certificate)
    if ident.holder is not HolderKind.ORGANISATION:
        return None
    return RevocationNotice(
        notice.ma_dinh_danh_hoc_ba,
        notice.phien_ban,
        notice.bam_hoc_ba,
        organisation_id=ident.organisation_id,
    )
