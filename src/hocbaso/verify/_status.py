"""Step 8: is this version the record in force? Version chain and revocation notices (SPEC §5).

A correction names the SHA-256 of the previous version's packet bytes
(``DINH_CHINH/BAM_PHIEN_BAN_TRUOC``); given the earlier versions, the chain is checked link by
link (same identifier, version + 1, matching digest). A revocation notice is only believed when
its own signature verifies with a trusted *organisation* certificate; then a notice naming this
record's identifier, version and packet digest makes the record revoked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hocbaso.errors import HocBaSoError
from hocbaso.models import TrangThaiHocBa
from hocbaso.packet import parse_xml, read_hoc_ba
from hocbaso.verify._codes import Status
from hocbaso.verify._report import StepResult

if TYPE_CHECKING:
    from hocbaso.models import HocBa
    from hocbaso.verify._trust import CrlSet, TrustStore

__all__ = ["RevocationNotice", "check_status"]


@dataclass(frozen=True, slots=True)
class RevocationNotice:
    """A revocation notice whose signature has already been verified by the caller's code.

    Pass raw notice bytes to ``verify`` to have them verified there; pass this only for
    notices verified elsewhere (e.g. by a national service you trust).
    """

    ma_dinh_danh_hoc_ba: str
    phien_ban: int
    #: SHA-256 (hex) of the revoked version's packet bytes (``BAM_HOC_BA`` in the notice).
    bam_goi_tin: str
    #: The signing organisation's ``MST``/budget code; when known, it must be the one that
    #: issued the record (its KY_PHAT_HANH certificate), or the notice is ignored.
    organisation_id: str | None = None


#: Reads and verifies a signed notice: (bytes, trust, crls, at) -> notice, or None if invalid.
NoticeReader = Callable[["bytes", "TrustStore", "CrlSet", dt.datetime], RevocationNotice | None]


def _default_reader(
    data: bytes, trust: TrustStore, crls: CrlSet, at: dt.datetime
) -> RevocationNotice | None:
    from hocbaso.verify._notice import read_notice

    return read_notice(data, trust, crls, at)


def _read_previous(data: bytes) -> HocBa | None:
    try:
        return read_hoc_ba(parse_xml(data))
    except HocBaSoError:
        return None


def check_status(
    record: HocBa,
    packet_sha256: str,
    *,
    trust: TrustStore,
    crls: CrlSet,
    revocations: Iterable[bytes | RevocationNotice],
    previous_versions: Iterable[bytes],
    at: dt.datetime,
    issuer_organisation: str | None = None,
    reader: NoticeReader = _default_reader,
) -> tuple[list[StepResult], bool]:
    """Results of step 8 and whether the record is revoked."""
    out: list[StepResult] = []
    revoked = False
    tc = record.thong_tin_hoc_ba.thong_tin_chung
    if tc.trang_thai is TrangThaiHocBa.THU_HOI:
        out.append(StepResult.of("STATUS.REVOKED", Status.FAIL, extra_en="(TRANG_THAI = 2)"))
        revoked = True

    # -- version chain ---------------------------------------------------------------------
    previous = {hashlib.sha256(p).hexdigest(): bytes(p) for p in previous_versions}
    checked_anything = bool(previous)
    current = record
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
        prev_bytes = previous.get(want)
        if prev_bytes is None:
            if link == 0 and previous:
                out.append(StepResult.of("STATUS.VERSION_DIGEST_MISMATCH", Status.FAIL))
            elif link == 0:
                out.append(
                    StepResult.of(
                        "STATUS.NOT_CHECKED",
                        Status.SKIP,
                        extra_en="(previous version not supplied)",
                        extra_vi="(chưa cung cấp phiên bản trước)",
                    )
                )
            break
        prev = _read_previous(prev_bytes)
        if prev is None:
            out.append(StepResult.of("STATUS.PREVIOUS_INVALID", Status.FAIL))
            break
        ptc = prev.thong_tin_hoc_ba.thong_tin_chung
        if ptc.ma_dinh_danh_hoc_ba != ctc.ma_dinh_danh_hoc_ba:
            out.append(StepResult.of("STATUS.VERSION_IDENTIFIER_MISMATCH", Status.FAIL))
            break
        if ptc.phien_ban + 1 != ctc.phien_ban:
            out.append(
                StepResult.of(
                    "STATUS.VERSION_NUMBER_GAP",
                    Status.FAIL,
                    extra_en=f"({ptc.phien_ban} → {ctc.phien_ban})",
                    extra_vi=f"({ptc.phien_ban} → {ctc.phien_ban})",
                )
            )
            break
        current = prev
        link += 1

    # -- revocation notices --------------------------------------------------------------------
    for item in revocations:
        checked_anything = True
        notice = item if isinstance(item, RevocationNotice) else reader(item, trust, crls, at)
        if notice is None or (
            notice.organisation_id is not None
            and issuer_organisation is not None
            and notice.organisation_id != issuer_organisation
        ):
            out.append(StepResult.of("STATUS.NOTICE_INVALID", Status.WARN))
            continue
        if (
            notice.ma_dinh_danh_hoc_ba == tc.ma_dinh_danh_hoc_ba
            and notice.phien_ban == tc.phien_ban
            and notice.bam_goi_tin.lower() == packet_sha256
        ):
            out.append(StepResult.of("STATUS.REVOKED", Status.FAIL, extra_en="(notice)"))
            revoked = True

    if not any(r.status is Status.FAIL for r in out):
        out.insert(0, StepResult.of("STATUS.OK", Status.PASS))
        if not checked_anything and not any(r.code == "STATUS.NOT_CHECKED" for r in out):
            out.append(StepResult.of("STATUS.NOT_CHECKED", Status.SKIP))
    return out, revoked
