"""Issued records for tests, demos and benchmarks: every role signs with the test PKI.

A rendered copy (``hocbaso.render``) needs *verified* records, and a booklet needs several
school years of one student. ``phat_hanh_thu`` runs the whole signing order on one record
(each subject teacher, the homeroom teacher, the head of school, the school's issuance) with
keys of :class:`~hocbaso.testing.pki.TestPKI`; ``tao_hoc_ba_cac_nam`` makes the yearly records
of one student across a level. TEST-ONLY: nothing here is a real person or a real key.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from hocbaso.models import CapHoc, HocBa, Khoi
from hocbaso.packet import to_xml
from hocbaso.signature import IssuedRecord, VaiTroKy, issue, sign
from hocbaso.testing._synthetic import _lop, tao_hoc_ba_trong_lop
from hocbaso.testing.pki import TEST_NOW, TestPKI

__all__ = ["phat_hanh_thu", "tao_hoc_ba_cac_nam"]

_KHOI = {
    CapHoc.THCS: (Khoi.K06, Khoi.K07, Khoi.K08, Khoi.K09),
    CapHoc.THPT: (Khoi.K10, Khoi.K11, Khoi.K12),
}


def tao_hoc_ba_cac_nam(
    seed: int = 0, cap_hoc: CapHoc = CapHoc.THCS, so_nam: int | None = None, index: int = 0
) -> list[HocBa]:
    """The yearly records of one student through a level (4 years of THCS, 3 of THPT, or the
    first ``so_nam``), ending in school year 2024-2025; the same student in every year."""
    khoi = _KHOI[cap_hoc][: so_nam or None]
    last = _KHOI[cap_hoc][-1] if so_nam is None else khoi[-1]
    out: list[HocBa] = []
    hoc_sinh = None
    for k in khoi:
        start = 2024 - (last.so - k.so)
        record = tao_hoc_ba_trong_lop(_lop(seed, k, f"{start}-{start + 1}"), index, seed=seed)
        if hoc_sinh is None:
            hoc_sinh = record.thong_tin_hoc_ba.hoc_sinh
        else:
            info = record.thong_tin_hoc_ba.model_copy(update={"hoc_sinh": hoc_sinh})
            record = HocBa.model_validate(
                {**record.model_dump(), "thong_tin_hoc_ba": info.model_dump()}
            )
        out.append(record)
    return out


def phat_hanh_thu(
    record: HocBa,
    pki: TestPKI | None = None,
    *,
    signing_time: datetime = TEST_NOW,
    packet: bytes | None = None,
) -> IssuedRecord:
    """Sign ``record`` in the protocol's order with test keys named after the record's own
    signers (subject teachers, homeroom teacher, head of school) and issue it by a test school
    certificate. ``packet`` is the unsigned packet to sign when it is not ``to_xml(record)``
    (the output of :func:`hocbaso.signature.correct` for a correction)."""
    pki = pki or TestPKI.cached()
    info = record.thong_tin_hoc_ba
    packet = to_xml(record) if packet is None else packet
    for row in record.bang_diem:
        who = pki.personal(row.so_ddcn_gvbm, row.gvbm)
        packet = sign(packet, VaiTroKy.GVBM, who.signer(), mon=row.ma_mon_hoc,
                      signing_time=signing_time)
    nguoi_ky = info.nguoi_ky
    packet = sign(packet, VaiTroKy.GVCN, pki.personal(nguoi_ky.so_ddcn_gvcn,
                                                      nguoi_ky.ten_gvcn).signer(),
                  signing_time=signing_time + timedelta(hours=1))
    packet = sign(packet, VaiTroKy.CBQL, pki.personal(nguoi_ky.so_ddcn_giam_hieu,
                                                      nguoi_ky.ten_giam_hieu).signer(),
                  signing_time=signing_time + timedelta(hours=2))
    school = pki.school(name=info.thong_tin_truong.ten_truong)
    return issue(packet, school.signer(), signing_time=signing_time + timedelta(hours=3))
