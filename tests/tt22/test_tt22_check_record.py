"""``check_record``: the consistency check finds a planted error in each derived field.

Records come from ``hocbaso.testing`` (consistent by construction, through ``evaluate``); an
error is planted with pydantic's own, unvalidated ``BaseModel.model_copy(update=...)`` (the
models' ``model_copy`` validates; planting must also reach values the models refuse, to show
the check never raises) and the check must report it with its code, rule, packet path,
expected and actual values.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from hocbaso.models import DanhGiaNhanXet, HocBa, Khoi, LoaiDanhGia, MucDanhGia
from hocbaso.models._internal import mon_hoc_info
from hocbaso.packet import parse_xml, to_xml
from hocbaso.testing import tao_lop
from hocbaso.tt22 import MA_PHAT_HIEN, Finding, RuleReport, check_record, muc_hoc_tap

TK = "THONG_TIN_HOC_BA/TONG_KET"


def mon_path(ma: str, field: str) -> str:
    return f"BANG_DIEM/DIEM_TONG_KET[@Id='mon-{ma}']/{field}"


@pytest.fixture(scope="module")
def lop() -> list[HocBa]:
    return [hb for seed in (0, 1) for khoi in Khoi for hb in tao_lop(seed, khoi, 40)]


def chon(lop: list[HocBa], dieu_kien: Callable[[HocBa], bool]) -> HocBa:
    for hb in lop:
        if dieu_kien(hb):
            return hb
    raise AssertionError("no generated record fits; widen the fixture")


def tk(hb: HocBa) -> Any:
    return hb.thong_tin_hoc_ba.tong_ket


_plant = BaseModel.model_copy  # unvalidated, on purpose (see the module docstring)


def sua_tong_ket(hb: HocBa, **kw: Any) -> HocBa:
    tt = hb.thong_tin_hoc_ba
    return _plant(
        hb,
        update={
            "thong_tin_hoc_ba": _plant(tt, update={"tong_ket": _plant(tt.tong_ket, update=kw)})
        },
    )


def sua_mon(hb: HocBa, ma: str, **kw: Any) -> HocBa:
    rows = tuple(_plant(r, update=kw) if r.ma_mon_hoc == ma else r for r in hb.bang_diem)
    return _plant(hb, update={"bang_diem": rows})


def loai(ma: str) -> LoaiDanhGia:
    info = mon_hoc_info(ma)
    assert info is not None
    return info.loai


def mot(report: RuleReport, code: str, path: str) -> Finding:
    hits = [f for f in report.findings if f.code == code and f.path == path]
    assert len(hits) == 1, report.findings
    return hits[0]


def hop_le(hb: HocBa) -> HocBa:
    """The planted record is one the models accept (not an impossible state)."""
    return HocBa.model_validate(hb.model_dump())


def khop_packet(hb: HocBa, report: RuleReport) -> None:
    """Every finding's path names the element of the packet that holds ``actual``."""
    data = parse_xml(to_xml(hb)).find("DU_LIEU_HOC_BA")
    assert data is not None
    for f in report.findings:
        parent = f.path.rsplit("/", 1)[0]
        assert data.find(parent) is not None, f.path
        el = data.find(f.path)
        assert (None if el is None else el.text) == f.actual, f


# --- consistent records pass


def test_generated_records_are_consistent(lop: list[HocBa]) -> None:
    for hb in lop:
        report = check_record(hb)
        assert report.ok, report.findings
        assert report.findings == () and report.codes == ()


# --- one planted error per derived field


def test_subject_year_average(lop: list[HocBa]) -> None:
    hb = lop[0]
    row = next(r for r in hb.bang_diem if loai(r.ma_mon_hoc) is LoaiDanhGia.DIEM)
    assert isinstance(row.diem_ca_nam, Decimal)
    wrong = row.diem_ca_nam + Decimal("0.1") if row.diem_ca_nam < 10 else Decimal("9.9")
    bad = hop_le(sua_mon(hb, row.ma_mon_hoc, diem_ca_nam=wrong))
    report = check_record(bad)
    f = mot(report, "CONTENT.SUBJECT_YEAR_RESULT", mon_path(row.ma_mon_hoc, "DIEM_CA_NAM"))
    assert (f.expected, f.actual) == (str(row.diem_ca_nam), str(wrong))
    assert f.dieu == "Điều 9 khoản 1 điểm b"
    assert not report.ok
    khop_packet(bad, report)


def test_comment_subject_year_result(lop: list[HocBa]) -> None:
    hb = chon(
        lop,
        lambda h: any(
            r.diem_hoc_ky_2 is DanhGiaNhanXet.DAT and r.diem_hoc_ky_1 is DanhGiaNhanXet.DAT
            for r in h.bang_diem
        ),
    )
    row = next(r for r in hb.bang_diem if r.diem_hoc_ky_2 is DanhGiaNhanXet.DAT)
    bad = hop_le(sua_mon(hb, row.ma_mon_hoc, diem_ca_nam=DanhGiaNhanXet.CHUA_DAT))
    report = check_record(bad)
    f = mot(report, "CONTENT.SUBJECT_YEAR_RESULT", mon_path(row.ma_mon_hoc, "DIEM_CA_NAM"))
    assert (f.expected, f.actual, f.dieu) == ("Đ", "CĐ", "Điều 9 khoản 1 điểm a")
    khop_packet(bad, report)


@pytest.mark.parametrize(
    ("field", "code"),
    [
        ("hoc_ky_1", "CONTENT.LEARNING_SEMESTER_1"),
        ("hoc_ky_2", "CONTENT.LEARNING_SEMESTER_2"),
        ("ca_nam", "CONTENT.LEARNING_YEAR"),
    ],
)
def test_learning_levels(lop: list[HocBa], field: str, code: str) -> None:
    hb = chon(lop, lambda h: getattr(tk(h), field) is MucDanhGia.KHA)
    bad = hop_le(sua_tong_ket(hb, **{field: MucDanhGia.TOT}))
    report = check_record(bad)
    f = mot(report, code, f"{TK}/{field.upper()}")
    assert (f.expected, f.actual) == ("K", "T")
    assert f.dieu.startswith("Điều 9 khoản")
    khop_packet(bad, report)


def test_learning_level_cites_the_adjust_up_rule(lop: list[HocBa]) -> None:
    def adjusted(h: HocBa) -> bool:
        ket_qua = {r.ma_mon_hoc: r.diem_ca_nam for r in h.bang_diem}
        return muc_hoc_tap(ket_qua).dieu_chinh  # type: ignore[arg-type]

    hb = chon(lop, adjusted)
    right = tk(hb).ca_nam
    wrong = MucDanhGia.from_rank(right.rank - 1)  # forgetting khoản 3: one step lower
    report = check_record(hop_le(sua_tong_ket(hb, ca_nam=wrong)))
    f = mot(report, "CONTENT.LEARNING_YEAR", f"{TK}/CA_NAM")
    assert (f.expected, f.actual, f.dieu) == (str(right), str(wrong), "Điều 9 khoản 3")
    assert "adjusted up" in f.message_en


def test_conduct_year(lop: list[HocBa]) -> None:
    hb = chon(
        lop,
        lambda h: (
            tk(h).ren_luyen_hoc_ky_1 is MucDanhGia.KHA
            and tk(h).ren_luyen_hoc_ky_2 is MucDanhGia.KHA
        ),
    )
    bad = hop_le(sua_tong_ket(hb, ren_luyen_ca_nam=MucDanhGia.DAT))
    report = check_record(bad)
    f = mot(report, "CONTENT.CONDUCT_YEAR", f"{TK}/REN_LUYEN_CA_NAM")
    assert (f.expected, f.actual, f.dieu) == ("K", "Đ", "Điều 8 khoản 2 điểm b")
    assert report.codes == ("CONTENT.CONDUCT_YEAR",)
    khop_packet(bad, report)


def test_summer_conduct_for_a_student_who_did_not_need_it(lop: list[HocBa]) -> None:
    hb = chon(lop, lambda h: tk(h).ren_luyen_ca_nam is not MucDanhGia.CHUA_DAT)
    bad = hop_le(sua_tong_ket(hb, ren_luyen_lai=MucDanhGia.DAT))
    report = check_record(bad)
    f = mot(report, "CONTENT.CONDUCT_SUMMER", f"{TK}/REN_LUYEN_LAI")
    assert (f.expected, f.actual, f.dieu) == (None, "Đ", "Điều 13")
    khop_packet(bad, report)


def test_retest_result_in_a_subject_not_to_retest(lop: list[HocBa]) -> None:
    hb = chon(lop, lambda h: tk(h).ca_nam is not MucDanhGia.CHUA_DAT)
    row = next(r for r in hb.bang_diem if loai(r.ma_mon_hoc) is LoaiDanhGia.DIEM)
    bad = hop_le(sua_mon(hb, row.ma_mon_hoc, diem_kt_lai=Decimal("6.0")))
    report = check_record(bad)
    f = mot(report, "CONTENT.RETEST_NOT_REQUIRED", mon_path(row.ma_mon_hoc, "DIEM_KT_LAI"))
    assert (f.expected, f.actual, f.dieu) == (None, "6.0", "Điều 14")
    khop_packet(bad, report)


def _retested(h: HocBa) -> bool:
    return tk(h).kq_hoc_tap_lai is not None


def test_level_after_retest(lop: list[HocBa]) -> None:
    hb = chon(lop, _retested)
    right = tk(hb).kq_hoc_tap_lai
    wrong = MucDanhGia.TOT if right is not MucDanhGia.TOT else MucDanhGia.KHA
    bad = hop_le(sua_tong_ket(hb, kq_hoc_tap_lai=wrong))
    report = check_record(bad)
    f = mot(report, "CONTENT.RETEST_RESULT", f"{TK}/KQ_HOC_TAP_LAI")
    assert (f.expected, f.actual) == (str(right), str(wrong))
    assert f.dieu.startswith("Điều 14")
    khop_packet(bad, report)


def test_level_after_retest_without_a_retest(lop: list[HocBa]) -> None:
    hb = chon(lop, lambda h: tk(h).ca_nam is MucDanhGia.KHA)
    report = check_record(hop_le(sua_tong_ket(hb, kq_hoc_tap_lai=MucDanhGia.KHA)))
    f = mot(report, "CONTENT.RETEST_RESULT", f"{TK}/KQ_HOC_TAP_LAI")
    assert (f.expected, f.actual) == (None, "K")


def test_missing_retest_result(lop: list[HocBa]) -> None:
    hb = chon(lop, _retested)
    row = next(r for r in hb.bang_diem if r.diem_kt_lai is not None)
    bad = hop_le(sua_mon(hb, row.ma_mon_hoc, diem_kt_lai=None))
    report = check_record(bad)
    f = mot(report, "CONTENT.RETEST_MISSING", mon_path(row.ma_mon_hoc, "DIEM_KT_LAI"))
    assert (f.expected, f.actual) == (None, None)
    khop_packet(bad, report)


def test_promoted_flag(lop: list[HocBa]) -> None:
    hb = chon(lop, lambda h: tk(h).duoc_len_lop)
    bad = hop_le(sua_tong_ket(hb, duoc_len_lop=False))
    report = check_record(bad)
    f = mot(report, "CONTENT.PROMOTION", f"{TK}/DUOC_LEN_LOP")
    assert (f.expected, f.actual) == ("1", "0")
    assert f.dieu.startswith("Điều 12")
    # the wording follows the (wrong) flag, so it is reported too
    assert "CONTENT.PROMOTION_WORDING" in report.codes
    khop_packet(bad, report)


def test_46_absences_mean_not_promoted(lop: list[HocBa]) -> None:
    hb = chon(lop, lambda h: tk(h).duoc_len_lop and (tk(h).so_buoi_nghi or 0) <= 45)
    assert check_record(hop_le(sua_tong_ket(hb, so_buoi_nghi=45))).ok
    report = check_record(hop_le(sua_tong_ket(hb, so_buoi_nghi=46)))
    f = mot(report, "CONTENT.PROMOTION", f"{TK}/DUOC_LEN_LOP")
    assert (f.expected, f.actual, f.dieu) == ("0", "1", "Điều 12 khoản 1 điểm c")


def test_missing_summer_conduct_result_means_not_promoted(lop: list[HocBa]) -> None:
    hb = chon(lop, lambda h: tk(h).ren_luyen_lai is not None and tk(h).duoc_len_lop)
    report = check_record(hop_le(sua_tong_ket(hb, ren_luyen_lai=None)))
    f = mot(report, "CONTENT.PROMOTION", f"{TK}/DUOC_LEN_LOP")
    assert (f.expected, f.actual) == ("0", "1")


@pytest.mark.parametrize(
    ("khoi", "expected"),
    [
        (Khoi.K09, "Được công nhận hoàn thành chương trình trung học cơ sở"),
        (Khoi.K12, "Được công nhận hoàn thành chương trình trung học phổ thông"),
        (Khoi.K07, "Được lên lớp"),
    ],
)
def test_promotion_wording(lop: list[HocBa], khoi: Khoi, expected: str) -> None:
    hb = chon(
        lop,
        lambda h: h.thong_tin_hoc_ba.thong_tin_chung.ma_khoi is khoi and tk(h).duoc_len_lop,
    )
    assert tk(hb).nd_duoc_len_lop == expected
    wrong = "Lên lớp" if khoi is Khoi.K07 else "Được lên lớp"
    bad = hop_le(sua_tong_ket(hb, nd_duoc_len_lop=wrong))
    report = check_record(bad)
    f = mot(report, "CONTENT.PROMOTION_WORDING", f"{TK}/ND_DUOC_LEN_LOP")
    assert (f.expected, f.actual) == (expected, wrong)
    khop_packet(bad, report)


@pytest.mark.parametrize(
    ("khoi", "expected"),
    [
        (Khoi.K09, "Không được công nhận hoàn thành chương trình trung học cơ sở"),
        (Khoi.K12, "Không được công nhận hoàn thành chương trình trung học phổ thông"),
        (Khoi.K08, "Ở lại lớp"),
    ],
)
def test_not_promoted_wording_follows_dieu_12_khoan_3(
    lop: list[HocBa], khoi: Khoi, expected: str
) -> None:
    """Grades 9 and 12 do not "stay in the class": they have not completed the level."""
    hb = chon(
        lop,
        lambda h: h.thong_tin_hoc_ba.thong_tin_chung.ma_khoi is khoi and tk(h).duoc_len_lop,
    )
    # 46 absences: not promoted whatever the rest (Điều 12 khoản 1 điểm c).
    base = sua_tong_ket(hb, so_buoi_nghi=46, duoc_len_lop=False)
    assert check_record(hop_le(sua_tong_ket(base, nd_duoc_len_lop=expected))).ok
    if khoi is not Khoi.K08:
        report = check_record(hop_le(sua_tong_ket(base, nd_duoc_len_lop="Ở lại lớp")))
        f = mot(report, "CONTENT.PROMOTION_WORDING", f"{TK}/ND_DUOC_LEN_LOP")
        assert (f.expected, f.actual, f.dieu) == (expected, "Ở lại lớp", "Điều 12 khoản 3")


def test_award_missing(lop: list[HocBa]) -> None:
    hb = chon(lop, lambda h: tk(h).nd_khen_thuong == "Học sinh Giỏi")
    report = check_record(hop_le(sua_tong_ket(hb, nd_khen_thuong=None)))
    f = mot(report, "CONTENT.AWARD", f"{TK}/ND_KHEN_THUONG")
    assert (f.expected, f.actual, f.dieu) == ("Học sinh Giỏi", None, "Điều 15 khoản 1 điểm a")


def test_award_too_low(lop: list[HocBa]) -> None:
    hb = chon(lop, lambda h: tk(h).nd_khen_thuong == "Học sinh Xuất sắc")
    bad = hop_le(sua_tong_ket(hb, nd_khen_thuong="Học sinh Giỏi"))
    report = check_record(bad)
    f = mot(report, "CONTENT.AWARD", f"{TK}/ND_KHEN_THUONG")
    assert (f.expected, f.actual) == ("Học sinh Xuất sắc", "Học sinh Giỏi")
    khop_packet(bad, report)


def test_award_not_deserved(lop: list[HocBa]) -> None:
    hb = chon(lop, lambda h: tk(h).ca_nam is MucDanhGia.KHA)
    report = check_record(hop_le(sua_tong_ket(hb, nd_khen_thuong="Danh hiệu Học sinh giỏi")))
    f = mot(report, "CONTENT.AWARD", f"{TK}/ND_KHEN_THUONG")
    assert f.expected is None


def test_other_award_text_alongside_the_title_is_fine(lop: list[HocBa]) -> None:
    hb = chon(lop, lambda h: tk(h).nd_khen_thuong == "Học sinh Giỏi")
    text = "Học sinh Giỏi; khen thưởng thành tích đột xuất trong phong trào Đội"
    assert check_record(hop_le(sua_tong_ket(hb, nd_khen_thuong=text))).ok


# --- rows that cannot be used, "M" and the disability flag


def test_wrong_kind_of_result(lop: list[HocBa]) -> None:
    hb = lop[0]
    row = next(r for r in hb.bang_diem if loai(r.ma_mon_hoc) is LoaiDanhGia.DIEM)
    report = check_record(sua_mon(hb, row.ma_mon_hoc, diem_ca_nam=DanhGiaNhanXet.DAT))
    f = mot(report, "CONTENT.SUBJECT_RESULT_KIND", mon_path(row.ma_mon_hoc, "DIEM_CA_NAM"))
    assert (f.actual, f.dieu) == ("Đ", "Điều 5 khoản 3")
    # a broken row makes the level checks meaningless: they are not run on it
    assert report.codes == ("CONTENT.SUBJECT_RESULT_KIND",)


def test_missing_semester_result(lop: list[HocBa]) -> None:
    hb = lop[0]
    ma = hb.bang_diem[0].ma_mon_hoc
    report = check_record(sua_mon(hb, ma, diem_hoc_ky_1=None))
    f = mot(report, "CONTENT.SUBJECT_RESULT_MISSING", mon_path(ma, "DIEM_HOC_KY_1"))
    assert f.actual is None


def test_partly_not_assessed_row(lop: list[HocBa]) -> None:
    hb = lop[0]
    ma = hb.bang_diem[0].ma_mon_hoc
    bad = hop_le(sua_mon(hb, ma, diem_hoc_ky_1="M"))
    report = check_record(bad)
    for field in ("DIEM_HOC_KY_2", "DIEM_CA_NAM"):
        f = mot(report, "CONTENT.SUBJECT_NOT_ASSESSED", mon_path(ma, field))
        assert f.expected == "M"
    khop_packet(bad, report)


def test_a_whole_m_comment_row_is_left_out(lop: list[HocBa]) -> None:
    hb = chon(
        lop,
        lambda h: tk(h).ca_nam is MucDanhGia.TOT and tk(h).hoc_ky_1 is MucDanhGia.TOT,
    )
    row = next(r for r in hb.bang_diem if loai(r.ma_mon_hoc) is LoaiDanhGia.NHAN_XET)
    m = hop_le(sua_mon(hb, row.ma_mon_hoc, diem_hoc_ky_1="M", diem_hoc_ky_2="M", diem_ca_nam="M"))
    assert check_record(m).ok


def _khuyet_tat(hb: HocBa) -> HocBa:
    tt = hb.thong_tin_hoc_ba
    hs = tt.hoc_sinh.model_copy(update={"co_khuyet_tat_khong_danh_gia": True})
    rows = tuple(
        r.model_copy(update={"diem_hoc_ky_1": "M", "diem_hoc_ky_2": "M", "diem_ca_nam": "M"})
        for r in hb.bang_diem
    )
    tong_ket = tt.tong_ket.model_copy(update={"hoc_ky_1": None, "hoc_ky_2": None, "ca_nam": None})
    return hop_le(
        hb.model_copy(
            update={
                "thong_tin_hoc_ba": tt.model_copy(update={"hoc_sinh": hs, "tong_ket": tong_ket}),
                "bang_diem": rows,
            }
        )
    )


def test_disabled_not_assessed_student_may_have_no_levels(lop: list[HocBa]) -> None:
    hb = chon(lop, lambda h: tk(h).kq_hoc_tap_lai is None)
    assert check_record(_khuyet_tat(hb)).ok


def test_disabled_student_conduct_is_still_checked(lop: list[HocBa]) -> None:
    hb = chon(
        lop,
        lambda h: (
            tk(h).kq_hoc_tap_lai is None
            and tk(h).ren_luyen_hoc_ky_2 is MucDanhGia.TOT
            and tk(h).ren_luyen_hoc_ky_1 is MucDanhGia.TOT
        ),
    )
    bad = sua_tong_ket(_khuyet_tat(hb), ren_luyen_ca_nam=MucDanhGia.KHA)
    assert check_record(bad).codes == ("CONTENT.CONDUCT_YEAR",)


def test_missing_level_without_the_flag(lop: list[HocBa]) -> None:
    report = check_record(sua_tong_ket(lop[0], hoc_ky_1=None))
    f = mot(report, "CONTENT.LEARNING_SEMESTER_1", f"{TK}/HOC_KY_1")
    assert f.actual is None and f.expected is not None


# --- the report itself


def test_findings_carry_no_personal_data_and_known_codes(lop: list[HocBa]) -> None:
    hb = chon(lop, lambda h: tk(h).nd_khen_thuong is not None)
    bad = sua_tong_ket(
        hb,
        ca_nam=MucDanhGia.DAT,
        ren_luyen_ca_nam=MucDanhGia.KHA,
        nd_duoc_len_lop="Lên lớp",
        ren_luyen_lai=MucDanhGia.DAT,
    )
    report = check_record(bad)
    assert len(report.findings) >= 4
    hs = hb.thong_tin_hoc_ba.hoc_sinh
    private = [hs.ho_va_ten, hs.so_dinh_danh, hs.ma_hoc_sinh]
    for f in report.findings:
        assert f.code in MA_PHAT_HIEN
        assert f.message_vi and f.message_en and f.dieu.startswith("Điều ")
        text = " ".join(str(x) for x in (f.message_vi, f.message_en, f.expected, f.actual, f.path))
        assert not any(p in text for p in private)


def test_report_is_frozen() -> None:
    report = RuleReport()
    assert report.ok
    with pytest.raises(AttributeError):
        report.findings = ()  # type: ignore[misc]


# --- robustness: whatever a record holds, the check reports and never raises

_KET_QUA = st.one_of(
    st.none(),
    st.sampled_from(["M", DanhGiaNhanXet.DAT, DanhGiaNhanXet.CHUA_DAT]),
    st.integers(0, 100).map(lambda t: Decimal(t).scaleb(-1)),
)
_MUC = st.one_of(st.none(), st.sampled_from(list(MucDanhGia)))


@functools.cache
def _lop_10() -> list[HocBa]:
    return tao_lop(3, Khoi.K10, 40)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 39), st.data())
def test_check_never_raises_on_planted_values(index: int, data: st.DataObject) -> None:
    hb = _lop_10()[index]
    for row in hb.bang_diem:
        if data.draw(st.booleans()):
            field = data.draw(
                st.sampled_from(["diem_hoc_ky_1", "diem_hoc_ky_2", "diem_ca_nam", "diem_kt_lai"])
            )
            hb = sua_mon(hb, row.ma_mon_hoc, **{field: data.draw(_KET_QUA)})
    for field in ("hoc_ky_1", "hoc_ky_2", "ca_nam", "kq_hoc_tap_lai", "ren_luyen_lai"):
        if data.draw(st.booleans()):
            hb = sua_tong_ket(hb, **{field: data.draw(_MUC)})
    if data.draw(st.booleans()):
        hb = sua_tong_ket(hb, ren_luyen_ca_nam=data.draw(st.sampled_from(list(MucDanhGia))))
    if data.draw(st.booleans()):
        hb = sua_tong_ket(hb, so_buoi_nghi=data.draw(st.one_of(st.none(), st.integers(0, 80))))
    report = check_record(hb)
    assert all(f.code in MA_PHAT_HIEN for f in report.findings)
    assert report.ok == (report.findings == ())
