"""Conduct (Điều 8), promotion and the summer paths (Điều 12–14), awards (Điều 15)."""

from __future__ import annotations

from typing import Any

import pytest

from hocbaso.models import Khoi, MucDanhGia
from hocbaso.tt22 import DanhHieu, XetLenLop, evaluate, noi_dung_len_lop, ren_luyen_ca_nam

from ._helpers import dat_mon, dau_vao, mon_theo_ma

# The table of Điều 8 exactly as tt22-rules.md §5 writes it: rows HK I, columns HK II.
BANG_DIEU_8 = """
        T   K   Đ   CĐ
T       T   K   K   CĐ
K       T   K   Đ   CĐ
Đ       K   K   Đ   CĐ
CĐ      K   Đ   Đ   CĐ
"""


def _cap_ren_luyen() -> list[tuple[str, str, str]]:
    lines = [ln.split() for ln in BANG_DIEU_8.strip().splitlines()]
    cot = lines[0]
    return [(row[0], hk2, row[1 + j]) for row in lines[1:] for j, hk2 in enumerate(cot)]


CAP = _cap_ren_luyen()


def test_the_table_has_all_16_pairs() -> None:
    assert len(CAP) == 16
    assert len({(a, b) for a, b, _ in CAP}) == 16


@pytest.mark.parametrize(("hk1", "hk2", "ca_nam"), CAP, ids=[f"{a}-{b}" for a, b, _ in CAP])
def test_conduct_year_all_16_pairs(hk1: str, hk2: str, ca_nam: str) -> None:
    assert ren_luyen_ca_nam(MucDanhGia(hk1), MucDanhGia(hk2)) is MucDanhGia(ca_nam)
    out = evaluate(dau_vao(ren_luyen=(hk1, hk2)))
    assert out["ren_luyen"]["ca_nam"] == ca_nam


# --- absences (Điều 12 khoản 1 điểm c)


@pytest.mark.parametrize(("nghi", "ket_qua"), [(0, "LEN_LOP"), (45, "LEN_LOP"), (46, "O_LAI_LOP")])
def test_45_absences_pass_46_fail(nghi: int, ket_qua: str) -> None:
    out = evaluate(dau_vao(so_buoi_nghi=nghi))
    assert out["xet_len_lop"] == ket_qua
    assert out["noi_dung"] == ("Được lên lớp" if ket_qua == "LEN_LOP" else "Ở lại lớp")


def test_too_many_absences_cannot_be_made_up_in_summer() -> None:
    inp = dau_vao(["4.0"] * 8, ren_luyen=("CĐ", "CĐ"), so_buoi_nghi=46)
    inp["ren_luyen"]["sau_he"] = "T"
    out = evaluate(inp)
    assert out["xet_len_lop"] == "O_LAI_LOP"
    assert out["mon_kiem_tra_lai"] == []
    assert out["ren_luyen"]["sau_he"] is None


# --- wording (Điều 12 khoản 1)


_HT = "hoàn thành chương trình"


@pytest.mark.parametrize(
    ("khoi", "wording", "not_promoted"),
    [
        (6, "Được lên lớp", "Ở lại lớp"),
        (7, "Được lên lớp", "Ở lại lớp"),
        (8, "Được lên lớp", "Ở lại lớp"),
        (9, f"Được công nhận {_HT} trung học cơ sở", f"Không được công nhận {_HT} trung học cơ sở"),
        (10, "Được lên lớp", "Ở lại lớp"),
        (11, "Được lên lớp", "Ở lại lớp"),
        (12, f"Được công nhận {_HT} trung học phổ thông",
         f"Không được công nhận {_HT} trung học phổ thông"),
    ],
)  # fmt: skip
def test_promotion_wording_per_grade(khoi: int, wording: str, not_promoted: str) -> None:
    """Điều 12 khoản 1 (promoted / completed) and khoản 3 (not promoted / not completed): a
    grade 9 or 12 student who fails is "không được công nhận hoàn thành chương trình …", not
    "Ở lại lớp"."""
    out = evaluate(dau_vao(khoi=khoi))
    assert out["noi_dung"] == wording
    assert noi_dung_len_lop(next(k for k in Khoi if k.so == khoi), False) == not_promoted
    failed = evaluate(dau_vao(khoi=khoi, so_buoi_nghi=46))
    assert (failed["xet_len_lop"], failed["noi_dung"]) == ("O_LAI_LOP", not_promoted)


# --- summer conduct training (Điều 13)


def test_conduct_chua_dat_means_summer_training() -> None:
    inp = dau_vao(ren_luyen=("Đ", "CĐ"))
    out = evaluate(inp)
    assert out["ren_luyen"]["ca_nam"] == "CĐ"
    assert (out["xet_len_lop"], out["noi_dung"]) == ("REN_LUYEN_HE", None)
    inp["ren_luyen"]["sau_he"] = "Đ"
    out = evaluate(inp)
    assert out["ren_luyen"]["sau_he"] == "Đ"
    assert (out["xet_len_lop"], out["noi_dung"]) == ("LEN_LOP", "Được lên lớp")
    inp["ren_luyen"]["sau_he"] = "CĐ"
    assert evaluate(inp)["xet_len_lop"] == "O_LAI_LOP"


def test_summer_conduct_is_ignored_when_not_needed() -> None:
    inp = dau_vao(ren_luyen=("T", "K"))
    inp["ren_luyen"]["sau_he"] = "CĐ"
    out = evaluate(inp)
    assert out["ren_luyen"]["sau_he"] is None
    assert out["xet_len_lop"] == "LEN_LOP"


# --- re-test (Điều 14)


def _hoc_luc_chua_dat() -> dict[str, Any]:
    # two subjects below 3.5 and a comment subject Chưa đạt: learning Chưa đạt
    return dau_vao(
        ["7.0", "7.0", "7.0", "7.0", "7.0", "7.0", "3.0", "3.4"], nhan_xet=["Đ", "Đ", "CĐ", "Đ"]
    )


def test_retest_lists_every_subject_below_5_or_chua_dat() -> None:
    inp = _hoc_luc_chua_dat()
    dat_mon(inp, "05", hk1="4.9", hk2="4.9")  # also below 5.0: included
    out = evaluate(inp)
    assert out["hoc_tap"]["ca_nam"]["muc"] == "CĐ"
    assert out["xet_len_lop"] == "KIEM_TRA_LAI"
    assert out["noi_dung"] is None
    assert sorted(out["mon_kiem_tra_lai"]) == sorted(["05", "27", "32", "97"])
    assert out["hoc_tap"]["sau_kiem_tra_lai"] is None


def test_retest_results_replace_year_results_and_level_is_recomputed() -> None:
    inp = _hoc_luc_chua_dat()
    dat_mon(inp, "27", kiem_tra_lai="6.0")
    dat_mon(inp, "32", kiem_tra_lai="5.5")
    dat_mon(inp, "97", kiem_tra_lai="Đ")
    out = evaluate(inp)
    m = mon_theo_ma(out)
    assert (m["27"]["ca_nam"], m["27"]["sau_kiem_tra_lai"]) == ("3.0", "6.0")
    assert m["97"]["sau_kiem_tra_lai"] == "Đ"
    assert m["15"]["sau_kiem_tra_lai"] is None
    # after replacement: six 7.0, 6.0, 5.5, all comment Đạt → Khá
    assert out["hoc_tap"]["sau_kiem_tra_lai"] == {
        "muc": "K",
        "dieu_chinh": False,
        "mon_gay_dieu_chinh": None,
    }
    assert out["hoc_tap"]["ca_nam"]["muc"] == "CĐ"  # the year level itself is kept
    assert (out["xet_len_lop"], out["noi_dung"]) == ("LEN_LOP", "Được lên lớp")


def test_a_lower_retest_result_also_replaces() -> None:
    """Replacing (not keeping the better mark) decides here: 3.6 re-tested to 3.0 fails."""
    inp = dau_vao(["7.0"] * 6 + ["3.6", "3.0"])
    assert sorted(evaluate(inp)["mon_kiem_tra_lai"]) == ["27", "32"]
    dat_mon(inp, "27", kiem_tra_lai="3.0")  # lower than its year average 3.6
    dat_mon(inp, "32", kiem_tra_lai="3.5")
    out = evaluate(inp)
    assert mon_theo_ma(out)["27"]["sau_kiem_tra_lai"] == "3.0"
    # six 7.0, 3.0, 3.5 → Chưa đạt (3.0 < 3.5); without 27 only Đạt, so no adjustment.
    # Keeping the better 3.6 would have given Đạt and promotion.
    assert out["hoc_tap"]["sau_kiem_tra_lai"]["muc"] == "CĐ"
    assert (out["xet_len_lop"], out["noi_dung"]) == ("O_LAI_LOP", "Ở lại lớp")


def test_retest_level_uses_the_adjust_up_rule() -> None:
    inp = dau_vao(["9.0"] * 6 + ["3.0", "3.0"])
    assert evaluate(inp)["hoc_tap"]["ca_nam"]["muc"] == "CĐ"
    dat_mon(inp, "27", kiem_tra_lai="9.0")
    dat_mon(inp, "32", kiem_tra_lai="4.0")
    sau = evaluate(inp)["hoc_tap"]["sau_kiem_tra_lai"]
    # 7 × 9.0 and one 4.0: Đạt by khoản 2, adjusted to Khá because only subject 32
    assert sau == {"muc": "K", "dieu_chinh": True, "mon_gay_dieu_chinh": "32"}


def test_partial_retest_results_leave_the_outcome_pending() -> None:
    inp = _hoc_luc_chua_dat()
    dat_mon(inp, "27", kiem_tra_lai="6.0")
    out = evaluate(inp)
    assert out["xet_len_lop"] == "KIEM_TRA_LAI"
    assert out["hoc_tap"]["sau_kiem_tra_lai"] is None
    assert mon_theo_ma(out)["27"]["sau_kiem_tra_lai"] == "6.0"


def test_retest_result_of_a_subject_not_on_the_list_is_ignored() -> None:
    inp = dau_vao()
    dat_mon(inp, "15", kiem_tra_lai="2.0")
    out = evaluate(inp)
    assert mon_theo_ma(out)["15"]["sau_kiem_tra_lai"] is None
    assert out["hoc_tap"]["sau_kiem_tra_lai"] is None
    assert out["xet_len_lop"] == "LEN_LOP"


def test_chua_dat_with_nothing_to_retest_is_retained_at_once() -> None:
    """Too few scored subjects: Chưa đạt, but no subject below 5.0 to re-test."""
    out = evaluate(dau_vao(["9.0"] * 5))
    assert out["hoc_tap"]["ca_nam"]["muc"] == "CĐ"
    assert out["mon_kiem_tra_lai"] == []
    assert out["xet_len_lop"] == "O_LAI_LOP"


# --- both: training first, then re-test (docs/tt22.md)


def test_conduct_and_learning_chua_dat_need_both() -> None:
    inp = _hoc_luc_chua_dat()
    inp["ren_luyen"] = {"hk1": "CĐ", "hk2": "CĐ"}
    out = evaluate(inp)
    assert out["xet_len_lop"] == "REN_LUYEN_HE_VA_KIEM_TRA_LAI"
    assert sorted(out["mon_kiem_tra_lai"]) == ["27", "32", "97"]
    # re-test results alone do not settle it while the training is pending
    for ma, kq in (("27", "6.0"), ("32", "6.0"), ("97", "Đ")):
        dat_mon(inp, ma, kiem_tra_lai=kq)
    assert evaluate(inp)["xet_len_lop"] == "REN_LUYEN_HE_VA_KIEM_TRA_LAI"
    inp["ren_luyen"]["sau_he"] = "Đ"
    assert evaluate(inp)["xet_len_lop"] == "LEN_LOP"
    inp["ren_luyen"]["sau_he"] = "CĐ"
    assert evaluate(inp)["xet_len_lop"] == "O_LAI_LOP"


def test_training_done_then_retest_pending() -> None:
    inp = _hoc_luc_chua_dat()
    inp["ren_luyen"] = {"hk1": "CĐ", "hk2": "CĐ", "sau_he": "K"}
    out = evaluate(inp)
    assert out["ren_luyen"]["sau_he"] == "K"
    assert out["xet_len_lop"] == "KIEM_TRA_LAI"


# --- awards (Điều 15 khoản 1 điểm a)


@pytest.mark.parametrize(
    ("diem", "ren_luyen", "danh_hieu"),
    [
        (["9.0"] * 6 + ["8.0", "7.0"], ("T", "T"), "XUAT_SAC"),  # six ≥ 9.0
        (["9.0"] * 5 + ["8.9", "8.0", "8.0"], ("T", "T"), "GIOI"),  # only five ≥ 9.0
        (["9.0"] * 8, ("K", "T"), "XUAT_SAC"),  # year conduct Tốt (K then T)
        (["9.0"] * 8, ("T", "K"), None),  # year conduct Khá
        (["9.0"] * 7 + ["6.4"], ("T", "T"), None),  # learning Khá
        (["9.0"] * 7 + ["4.9"], ("T", "T"), None),  # adjusted to Khá: never a title
    ],
)
def test_awards(diem: list[str], ren_luyen: tuple[str, str], danh_hieu: str | None) -> None:
    out = evaluate(dau_vao(diem, ren_luyen=ren_luyen))
    assert out["danh_hieu"] == danh_hieu


def test_award_names() -> None:
    assert DanhHieu.XUAT_SAC.ten == "Học sinh Xuất sắc"
    assert DanhHieu.GIOI.ten == "Học sinh Giỏi"
    assert {x.value for x in XetLenLop} == {
        "LEN_LOP",
        "O_LAI_LOP",
        "REN_LUYEN_HE",
        "KIEM_TRA_LAI",
        "REN_LUYEN_HE_VA_KIEM_TRA_LAI",
    }
