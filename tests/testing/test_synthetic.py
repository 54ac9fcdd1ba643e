"""Synthetic data is deterministic, realistic and consistent with the rules it claims."""

from __future__ import annotations

from collections import Counter

import pytest

from hocbaso.models import MON_HOC, CapHoc, Khoi, LoaiDanhGia
from hocbaso.testing import tao_hoc_ba, tao_lop, tao_lop_hoc
from hocbaso.tt22 import check_record


def test_same_seed_same_record() -> None:
    assert tao_hoc_ba(17) == tao_hoc_ba(17)
    assert tao_lop(3, Khoi.K07, 5) == tao_lop(3, Khoi.K07, 5)
    assert tao_hoc_ba(17) != tao_hoc_ba(18)


@pytest.mark.parametrize("khoi", list(Khoi))
def test_subject_list_fits_the_level(khoi: Khoi) -> None:
    lop = tao_lop_hoc(5, khoi)
    codes = [ma for ma, _ in lop.mon]
    assert all(khoi.cap_hoc in MON_HOC[ma].cap_hoc for ma in codes)
    scored = [ma for ma in codes if MON_HOC[ma].loai is LoaiDanhGia.DIEM]
    if khoi.cap_hoc is CapHoc.THCS:
        assert len(codes) == 12 and len(scored) == 8
    else:
        assert len(codes) == 12 and len(scored) == 9  # 5 compulsory scored + 4 electives


def test_class_is_plausible_and_consistent() -> None:
    lop = tao_lop(11, Khoi.K09, 40)
    levels = Counter(h.thong_tin_hoc_ba.tong_ket.ca_nam for h in lop)
    assert len(levels) >= 3  # a spread of results, not one level for everybody
    for record in lop:
        hs = record.thong_tin_hoc_ba.hoc_sinh
        assert any(ord(c) > 127 for c in hs.ho_va_ten)  # Vietnamese names with diacritics
        assert hs.nam_sinh_so in (2009, 2010)
        assert check_record(record).ok, check_record(record).findings
    teachers = {(r.ma_mon_hoc, r.so_ddcn_gvbm) for h in lop for r in h.bang_diem}
    assert len(teachers) == 12  # one teacher per subject for the class


def test_some_generated_students_carry_a_lifelong_learning_number() -> None:
    """The optional field is exercised by every property test that uses the generator."""
    values = [hb.thong_tin_hoc_ba.hoc_sinh.ma_so_ho_so_hoc_tap_suot_doi for hb in tao_lop(3)]
    assert any(v is None for v in values) and any(v is not None for v in values)
