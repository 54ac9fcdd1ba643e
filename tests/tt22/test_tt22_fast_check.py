"""``check_record``'s one-pass check (``_khong_co_phat_hien``) never hides a finding.

``check_record`` answers "no finding" from a one-pass reading of the usual record and runs the
rule-by-rule walk (``_findings``, the former ``check_record``) whenever that reading is not
certain (docs/tt22.md §4). These tests compare the two on generated records, on records with
planted values (every finding code, each on its own and in mixtures, including values the
models refuse), and compare the integer level (``_muc_nhanh``) with ``muc_hoc_tap``.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from hocbaso.models import DanhGiaNhanXet, HocBa, Khoi, LoaiDanhGia, MucDanhGia
from hocbaso.models._internal import mon_hoc_info
from hocbaso.testing import tao_lop
from hocbaso.testing.strategies import hoc_ba
from hocbaso.tt22 import MA_PHAT_HIEN, RuleReport, check_record, muc_hoc_tap
from hocbaso.tt22._kiem_tra import _findings, _khong_co_phat_hien, _muc_nhanh

_plant = BaseModel.model_copy  # unvalidated: planting must reach values the models refuse


def _reference(hb: HocBa) -> RuleReport:
    """``check_record`` as it was: every rule walked, every finding collected."""
    return RuleReport(tuple(_findings(hb)))


def _same(hb: HocBa) -> RuleReport | None:
    """The report, after checking the one-pass answer against the walk (or, where a planted
    value the models refuse makes the walk raise, that ``check_record`` raises the same)."""
    try:
        reference = _reference(hb)
    except Exception as e:  # compared with what check_record raises
        with pytest.raises(type(e)):
            check_record(hb)
        return None
    if _khong_co_phat_hien(hb):
        assert reference.findings == ()
    report = check_record(hb)
    assert report == reference
    return report


@functools.cache
def _lop() -> tuple[HocBa, ...]:
    return tuple(hb for seed in (0, 1, 2) for khoi in Khoi for hb in tao_lop(seed, khoi, 40))


def _sua_tong_ket(hb: HocBa, **kw: Any) -> HocBa:
    tt = hb.thong_tin_hoc_ba
    tong_ket = _plant(tt.tong_ket, update=kw)
    return _plant(hb, update={"thong_tin_hoc_ba": _plant(tt, update={"tong_ket": tong_ket})})


def _sua_mon(hb: HocBa, i: int, **kw: Any) -> HocBa:
    rows = tuple(_plant(r, update=kw) if j == i else r for j, r in enumerate(hb.bang_diem))
    return _plant(hb, update={"bang_diem": rows})


def test_generated_records_take_the_one_pass_answer() -> None:
    """Consistent records (summer re-tests and re-trainings included) are answered in one pass,
    and the walk agrees that they hold no finding."""
    for hb in _lop():
        assert _khong_co_phat_hien(hb)
        assert _reference(hb).ok
        assert check_record(hb).ok


@settings(max_examples=60, deadline=None)
@given(hoc_ba())
def test_drawn_records_agree(hb: HocBa) -> None:
    report = _same(hb)
    assert report is not None and report.ok


_DIEM = st.integers(0, 100).map(lambda t: Decimal(t).scaleb(-1))
_KET_QUA = st.one_of(
    st.none(),
    st.sampled_from(["M", DanhGiaNhanXet.DAT, DanhGiaNhanXet.CHUA_DAT, Decimal("8"),
                     Decimal("7.25"), Decimal("-0.0"), Decimal("8.00"), Decimal("NaN"),
                     Decimal("sNaN"), Decimal("Infinity"), 8, True, "8.0"]),
    _DIEM,
)  # fmt: skip
_MUC = st.one_of(st.none(), st.sampled_from(list(MucDanhGia)))
_KHEN = st.sampled_from(
    [None, "Học sinh Giỏi", "Học sinh Xuất sắc", "HỌC SINH GIỎI", "Học sinh Giỏi; Học sinh "
     "Xuất sắc", "Học sinh Gio\u0309i", "Giải Nhì cấp huyện"]
)  # fmt: skip
_ND = st.sampled_from(
    ["Được lên lớp", "Ở lại lớp", "Lên lớp", "Đươ\u0323c lên lớp",
     "Được công nhận hoàn thành chương trình trung học cơ sở",
     "Không được công nhận hoàn thành chương trình trung học phổ thông"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.integers(0, len(_lop()) - 1), st.data())
def test_planted_records_agree(index: int, data: st.DataObject) -> None:
    """Any mixture of planted results, levels, summer fields, flags and wordings: the same
    report, finding for finding (code, rule, path, expected, actual, messages, order)."""
    hb = _lop()[index]
    for i in range(len(hb.bang_diem)):
        if data.draw(st.integers(0, 5)) == 0:
            field = data.draw(
                st.sampled_from(["diem_hoc_ky_1", "diem_hoc_ky_2", "diem_ca_nam", "diem_kt_lai"])
            )
            hb = _sua_mon(hb, i, **{field: data.draw(_KET_QUA)})
    if data.draw(st.integers(0, 9)) == 0:  # a subject twice
        hb = _plant(hb, update={"bang_diem": (*hb.bang_diem, hb.bang_diem[0])})
    for field in ("hoc_ky_1", "hoc_ky_2", "ca_nam", "kq_hoc_tap_lai", "ren_luyen_lai"):
        if data.draw(st.integers(0, 5)) == 0:
            hb = _sua_tong_ket(hb, **{field: data.draw(_MUC)})
    for field in ("ren_luyen_hoc_ky_1", "ren_luyen_hoc_ky_2", "ren_luyen_ca_nam"):
        if data.draw(st.integers(0, 5)) == 0:
            hb = _sua_tong_ket(hb, **{field: data.draw(st.sampled_from(list(MucDanhGia)))})
    if data.draw(st.integers(0, 5)) == 0:
        hb = _sua_tong_ket(hb, so_buoi_nghi=data.draw(st.one_of(st.none(), st.integers(0, 80))))
    if data.draw(st.integers(0, 5)) == 0:
        hb = _sua_tong_ket(hb, duoc_len_lop=data.draw(st.booleans()))
    if data.draw(st.integers(0, 5)) == 0:
        hb = _sua_tong_ket(hb, nd_duoc_len_lop=data.draw(_ND))
    if data.draw(st.integers(0, 5)) == 0:
        hb = _sua_tong_ket(hb, nd_khen_thuong=data.draw(_KHEN))
    if data.draw(st.integers(0, 9)) == 0:
        tt = hb.thong_tin_hoc_ba
        hs = _plant(tt.hoc_sinh, update={"co_khuyet_tat_khong_danh_gia": True})
        hb = _plant(hb, update={"thong_tin_hoc_ba": _plant(tt, update={"hoc_sinh": hs})})
    _same(hb)


def _first(pred: Any) -> HocBa:
    return next(hb for hb in _lop() if pred(hb))


def _row(hb: HocBa, loai: LoaiDanhGia) -> int:
    return next(
        i
        for i, r in enumerate(hb.bang_diem)
        if (info := mon_hoc_info(r.ma_mon_hoc)) is not None and info.loai is loai
    )


def _tk(hb: HocBa) -> Any:
    return hb.thong_tin_hoc_ba.tong_ket


def _retested(hb: HocBa) -> bool:
    return any(r.diem_kt_lai is not None for r in hb.bang_diem)


def _planted(code: str) -> HocBa:
    """A record whose walk reports ``code`` (one per finding code of MA_PHAT_HIEN)."""
    plain = _first(lambda h: _tk(h).ca_nam is MucDanhGia.TOT and not _retested(h))
    d, n = _row(plain, LoaiDanhGia.DIEM), _row(plain, LoaiDanhGia.NHAN_XET)
    retest = _first(lambda h: _retested(h) and _tk(h).kq_hoc_tap_lai is not None)
    k = next(i for i, r in enumerate(retest.bang_diem) if r.diem_kt_lai is not None)
    gioi = _first(lambda h: _tk(h).ca_nam is MucDanhGia.TOT and _tk(h).nd_khen_thuong)
    cases = {
        "CONTENT.SUBJECT_RESULT_KIND": lambda: _sua_mon(plain, n, diem_hoc_ky_1=Decimal("8.0")),
        "CONTENT.SUBJECT_NOT_ASSESSED": lambda: _sua_mon(plain, d, diem_hoc_ky_1="M"),
        "CONTENT.SUBJECT_RESULT_MISSING": lambda: _sua_mon(plain, d, diem_hoc_ky_2=None),
        "CONTENT.SUBJECT_YEAR_RESULT": lambda: _sua_mon(plain, d, diem_ca_nam=Decimal("0.0")),
        "CONTENT.LEARNING_SEMESTER_1": lambda: _sua_tong_ket(plain, hoc_ky_1=MucDanhGia.DAT),
        "CONTENT.LEARNING_SEMESTER_2": lambda: _sua_tong_ket(plain, hoc_ky_2=MucDanhGia.DAT),
        "CONTENT.LEARNING_YEAR": lambda: _sua_tong_ket(plain, ca_nam=MucDanhGia.KHA),
        "CONTENT.CONDUCT_YEAR": lambda: _sua_tong_ket(
            plain, ren_luyen_hoc_ky_1=MucDanhGia.TOT, ren_luyen_hoc_ky_2=MucDanhGia.TOT,
            ren_luyen_ca_nam=MucDanhGia.DAT),
        "CONTENT.CONDUCT_SUMMER": lambda: _sua_tong_ket(plain, ren_luyen_lai=MucDanhGia.DAT),
        "CONTENT.RETEST_NOT_REQUIRED": lambda: _sua_mon(plain, d, diem_kt_lai=Decimal("9.0")),
        "CONTENT.RETEST_MISSING": lambda: _sua_mon(retest, k, diem_kt_lai=None),
        "CONTENT.RETEST_RESULT": lambda: _sua_tong_ket(plain, kq_hoc_tap_lai=MucDanhGia.DAT),
        "CONTENT.PROMOTION": lambda: _sua_tong_ket(plain, so_buoi_nghi=46),
        "CONTENT.PROMOTION_WORDING": lambda: _sua_tong_ket(plain, nd_duoc_len_lop="Lên lớp"),
        "CONTENT.AWARD": lambda: _sua_tong_ket(gioi, nd_khen_thuong=None),
    }  # fmt: skip
    return cases[code]()


@pytest.mark.parametrize("code", sorted(MA_PHAT_HIEN))
def test_every_finding_code_goes_to_the_walk(code: str) -> None:
    """Each code the check can emit: the one-pass reading does not answer, the walk reports
    the code, and ``check_record`` gives the walk's report."""
    hb = _planted(code)
    assert not _khong_co_phat_hien(hb)
    report = _same(hb)
    assert report is not None and code in report.codes


_KET_QUA_MON = st.one_of(_DIEM, st.sampled_from(list(DanhGiaNhanXet)))


@given(st.dictionaries(st.sampled_from([f"M{i:02d}" for i in range(16)]), _KET_QUA_MON,
                       max_size=16))  # fmt: skip
def test_integer_level_is_muc_hoc_tap(ket_qua: dict[str, Decimal | DanhGiaNhanXet]) -> None:
    diem = [int(v.scaleb(1)) for v in ket_qua.values() if isinstance(v, Decimal)]
    chua_dat = sum(v is DanhGiaNhanXet.CHUA_DAT for v in ket_qua.values())
    expected = muc_hoc_tap(ket_qua).muc
    for ky in (1, 2, 3):  # the period's results, read from its own place in each row
        mon: list[Any] = [
            (ma, *(v if k == ky else None for k in (1, 2, 3)), None) for ma, v in ket_qua.items()
        ]
        assert _muc_nhanh(diem, chua_dat, mon, ky) is expected
