"""Step 8: is this version the record in force? Version chain and revocation notices
(docs/signing.md §7).

Everything here identifies a record the same two ways: by **identifier and version** (read from
signed content), and by the **record digest** — the SHA-256 of the inclusive C14N 1.0 of its
``#data`` block (:func:`hocbaso.signature.record_digest`), never of file bytes, which no
signature covers (a trailing newline, CRLF, a BOM, re-wrapped base64 must not change which
record it is).

- *Version chain.* A correction names its predecessor's record digest
  (``DINH_CHINH/BAM_PHIEN_BAN_TRUOC``). Given earlier versions, the predecessor is the supplied
  version with the same identifier and version − 1; if its record digest differs from the one
  named, that is ``STATUS.VERSION_DIGEST_MISMATCH`` (fail closed), never a skipped link. The
  digest binds the predecessor's content to the correction's signatures; who issued the
  predecessor is only in its own issuance signature, so a link is taken only when that
  signature checks and is believed (``STATUS.PREVIOUS_UNTRUSTED``) and its organisation is the
  correction's issuer (``STATUS.VERSION_OTHER_ISSUER``): otherwise any trusted school could
  "correct" another school's record (docs/verification.md, step 8.2, has the argument).
- *Revocation notices.* A notice is believed only when its own signature verifies with a trusted
  *organisation* certificate (``_notice``); a notice that cannot be read or believed FAILs
  (``STATUS.NOTICE_INVALID``): silence would let a damaged or doctored notice un-revoke a
  record. A believed notice binds by identifier and version; if they are this record's and the
  digest is too, the record is revoked; if the digest differs, ``STATUS.NOTICE_DIGEST_MISMATCH``
  FAILs (someone holds a different record under the same identifier and version). A believed
  notice for another identifier or version concerns another record and is left aside.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from lxml import etree

from hocbaso.errors import HocBaSoError
from hocbaso.models import TrangThaiHocBa
from hocbaso.packet import parse_xml, read_hoc_ba
from hocbaso.packet._internal import VaiTroKy
from hocbaso.packet._internal import layout as L
from hocbaso.signature import HocBaKy
from hocbaso.signature._internal import (
    ElementSlot,
    check_element_signature,
    record_digest_of_c14n,
    signed_data_c14n,
)
from hocbaso.verify._certificates import identity_of
from hocbaso.verify._codes import Status
from hocbaso.verify._notice import RevocationNotice, read_notice, signer_distrust
from hocbaso.verify._report import StepResult

if TYPE_CHECKING:
    from hocbaso.models import HocBa
    from hocbaso.verify._crl import CrlSet
    from hocbaso.verify._trust import TrustStore

__all__ = ["check_status"]

_KPH = VaiTroKy.KY_PHAT_HANH
#: The issuance signature of a record, as an element signature over ``#data``.
_ISSUANCE = ElementSlot(L.ID_DATA, _KPH.value, _KPH.signature_id(), _KPH.object_id())


def _read_previous(data: bytes) -> tuple[HocBa, str] | None:
    """A supplied previous version: its record, read only from the canonical bytes of its
    ``#data`` (as the verifier reads a record), and its record digest over those same bytes —
    so the identifier and version used for matching are bound by the digest compared."""
    try:
        c14n = signed_data_c14n(parse_xml(bytes(data)))
        tree = parse_xml(c14n)
        if next(tree.iter(etree.ProcessingInstruction), None) is not None:
            return None
        return read_hoc_ba(tree), record_digest_of_c14n(c14n)
    except (HocBaSoError, ValueError):
        return None


def _issuers_of_previous(
    data: bytes, previous: HocBa, trust: TrustStore, crls: CrlSet, at: dt.datetime
) -> frozenset[str] | None:
    """The organisation identities of a linked previous version's issuer, or None when its
    issuance (KY_PHAT_HANH) signature does not check — profile, digests, value, its
    ``HocBaKy`` naming the previous version's identifier and version — or its certificate is
    not believed (:func:`signer_distrust`, at its own signing time). The signature covers the
    same single ``#data`` block whose record digest the correction names."""
    tc = previous.thong_tin_hoc_ba.thong_tin_chung
    try:
        sig = check_element_signature(
            bytes(data), _ISSUANCE, label=_KPH.value,
            binding=HocBaKy(tc.ma_dinh_danh_hoc_ba, str(tc.phien_ban)),
        )
    except (HocBaSoError, ValueError):
        return None
    if signer_distrust(sig.certificate, sig.chain, sig.signing_time, trust, crls, at):
        return None
    return identity_of(sig.certificate).organisation_ids


def check_status(
    record: HocBa,
    record_digest: str,
    *,
    trust: TrustStore,
    crls: CrlSet,
    revocations: Iterable[bytes | RevocationNotice],
    previous_versions: Iterable[bytes],
    at: dt.datetime,
    issuer_organisation: str | None = None,
) -> tuple[list[StepResult], bool]:
    """Results of step 8 and whether the record is revoked.

    ``record_digest`` is this record's digest (over the canonical ``#data`` it was read from).
    """
    out: list[StepResult] = []
    revoked = False
    tc = record.thong_tin_hoc_ba.thong_tin_chung
    if tc.trang_thai is TrangThaiHocBa.THU_HOI:
        out.append(StepResult.of("STATUS.REVOKED", Status.FAIL, extra_en="(TRANG_THAI = 2)"))
        revoked = True

    # -- version chain ---------------------------------------------------------------------
    versions: list[tuple[HocBa, str, bytes]] = []
    for p in previous_versions:
        read = _read_previous(p)
        if read is None:
            out.append(StepResult.of("STATUS.PREVIOUS_INVALID", Status.FAIL))
        else:
            versions.append((*read, p))
    supplied = bool(versions) or any(r.code == "STATUS.PREVIOUS_INVALID" for r in out)
    checked_anything = supplied
    current = record
    issuers = frozenset({issuer_organisation} if issuer_organisation else ())
    link = 0
    while True:
        ctc = current.thong_tin_hoc_ba.thong_tin_chung
        if ctc.dinh_chinh is None:
            if ctc.phien_ban > 1:
                out.append(
                    StepResult.of(
                        "STATUS.VERSION_MISSING_LINK",
                        Status.FAIL,
                        extra_en=f"(version {ctc.phien_ban})",
                        extra_vi=f"(phiên bản {ctc.phien_ban})",
                    )
                )
            break
        want = ctc.dinh_chinh.bam_phien_ban_truoc.lower()
        if not supplied:
            out.append(
                StepResult.of(
                    "STATUS.NOT_CHECKED",
                    Status.SKIP,
                    extra_en="(previous version not supplied)",
                    extra_vi="(chưa cung cấp phiên bản trước)",
                )
            )
            break
        # The predecessor is bound by identifier and version; its digest must then match.
        same = [
            (v, d, raw)
            for v, d, raw in versions
            if v.thong_tin_hoc_ba.thong_tin_chung.ma_dinh_danh_hoc_ba == ctc.ma_dinh_danh_hoc_ba
            and v.thong_tin_hoc_ba.thong_tin_chung.phien_ban == ctc.phien_ban - 1
        ]
        found = next(((v, raw) for v, d, raw in same if d == want), None)
        if found is not None:
            # The digest binds the previous version's content; who issued it is only in its
            # own issuance signature, which must check before a correction may follow it.
            earlier = _issuers_of_previous(found[1], found[0], trust, crls, at)
            if earlier is None:
                out.append(StepResult.of("STATUS.PREVIOUS_UNTRUSTED", Status.FAIL))
                break
            if issuers and not issuers & earlier:
                out.append(StepResult.of("STATUS.VERSION_OTHER_ISSUER", Status.FAIL))
                break
            current, issuers = found[0], earlier
            link += 1
            continue
        if same:
            out.append(StepResult.of("STATUS.VERSION_DIGEST_MISMATCH", Status.FAIL))
            break
        named = next((v for v, d, _ in versions if d == want), None)
        if named is not None:
            ptc = named.thong_tin_hoc_ba.thong_tin_chung
            if ptc.ma_dinh_danh_hoc_ba != ctc.ma_dinh_danh_hoc_ba:
                out.append(StepResult.of("STATUS.VERSION_IDENTIFIER_MISMATCH", Status.FAIL))
            else:
                out.append(
                    StepResult.of(
                        "STATUS.VERSION_NUMBER_GAP",
                        Status.FAIL,
                        extra_en=f"({ptc.phien_ban} → {ctc.phien_ban})",
                        extra_vi=f"({ptc.phien_ban} → {ctc.phien_ban})",
                    )
                )
        elif link == 0:
            # Versions were supplied, and none is the one this correction names.
            out.append(StepResult.of("STATUS.VERSION_DIGEST_MISMATCH", Status.FAIL))
        break

    # -- revocation notices --------------------------------------------------------------------
    for item in revocations:
        checked_anything = True
        notice = item if isinstance(item, RevocationNotice) else read_notice(item, trust, crls, at)
        if notice is None:
            out.append(StepResult.of("STATUS.NOTICE_INVALID", Status.FAIL))
            continue
        if notice.ma_dinh_danh_hoc_ba != tc.ma_dinh_danh_hoc_ba:
            continue  # a believed notice about another record
        if (
            notice.organisation_id is not None
            and issuer_organisation is not None
            and notice.organisation_id != issuer_organisation
        ):
            out.append(
                StepResult.of(
                    "STATUS.NOTICE_INVALID",
                    Status.FAIL,
                    extra_en="(not signed by the issuing school)",
                    extra_vi="(không do trường phát hành ký)",
                )
            )
            continue
        if notice.phien_ban != tc.phien_ban:
            continue  # another version of this record
        if notice.bam_hoc_ba.strip().lower() != record_digest:
            out.append(StepResult.of("STATUS.NOTICE_DIGEST_MISMATCH", Status.FAIL))
            continue
        out.append(StepResult.of("STATUS.REVOKED", Status.FAIL, extra_en="(notice)"))
        revoked = True

    if not any(r.status is Status.FAIL for r in out):
        out.insert(0, StepResult.of("STATUS.OK", Status.PASS))
        if not checked_anything and not any(r.code == "STATUS.NOT_CHECKED" for r in out):
            out.append(StepResult.of("STATUS.NOT_CHECKED", Status.SKIP))
    return out, revoked
