"""Learning levels (Điều 9 khoản 2) and the adjust-up rule (khoản 3), as a table of worked cases.

Each case lists the scored subjects' averages and the comment subjects' results; the expected
level, whether khoản 3 fired and which subject caused it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from hocbaso.models import DanhGiaNhanXet, MucDanhGia
from hocbaso.tt22 import (
    KetQuaMon,
    danh_gia_nhan_xet_ca_nam,
    danh_gia_nhan_xet_hoc_ky,
    muc_hoc_tap,
    xep_muc_hoc_tap,
)

T, K, DAT, CD = MucDanhGia.TOT, MucDanhGia.KHA, MucDanhGia.DAT, MucDanhGia.CHUA_DAT
Đ, CĐ = DanhGiaNhanXet.DAT, DanhGiaNhanXet.CHUA_DAT


def mon(diem: str, nhan_xet: str = "") -> dict[str, KetQuaMon]:
    """``"9 9 9 4.9"`` → scored subjects d0..; ``"Đ CĐ"`` → comment subjects n0.."""
    out: dict[str, KetQuaMon] = {f"d{i}": Decimal(x) for i, x in enumerate(diem.split())}
    for i, x in enumerate(nhan_xet.split()):
        out[f"n{i}"] = DanhGiaNhanXet(x)
    return out


# (scored, comment, level, adjusted, culprit, why)
CASES = [
    # --- Tốt boundary: all ≥ 6.5, at least six ≥ 8.0, every comment subject Đạt
    ("8.0 8.0 8.0 8.0 8.0 8.0 6.5 6.5", "Đ Đ", T, False, None, "six at exactly 8.0, rest 6.5"),
    ("8.0 8.0 8.0 8.0 8.0 7.9 9.0 9.0", "Đ", T, False, None, "six ≥ 8.0 counted anywhere"),
    ("8.0 8.0 8.0 8.0 8.0 7.9 7.0 7.0", "Đ", K, False, None, "only five ≥ 8.0"),
    ("8.0 8.0 8.0 8.0 8.0 8.0 6.4 9.0", "Đ", K, False, None, "one below 6.5 (1-step drop)"),
    # --- Khá boundary: all ≥ 5.0, at least six ≥ 6.5
    ("6.5 6.5 6.5 6.5 6.5 6.5 5.0 5.0", "Đ", K, False, None, "six at exactly 6.5, rest 5.0"),
    ("6.5 6.5 6.5 6.5 6.5 6.4 5.0 5.0", "Đ", DAT, False, None, "only five ≥ 6.5"),
    ("6.5 6.5 6.5 6.5 6.5 6.5 4.9 5.0", "Đ", DAT, False, None, "4.9 (ref. Khá: 1 step)"),
    # --- Đạt boundary: at least six ≥ 5.0, none < 3.5, at most one comment Chưa đạt
    ("5.0 5.0 5.0 5.0 5.0 5.0 3.5 3.5", "Đ", DAT, False, None, "3.5 passes (strict < 3.5)"),
    ("5.0 5.0 5.0 5.0 5.0 5.0 3.4 5.0", "Đ", CD, False, None, "3.4 fails; ref. only Đạt"),
    ("5.0 5.0 5.0 5.0 5.0 4.9 4.9 4.9", "Đ", CD, False, None, "only five ≥ 5.0"),
    ("5.0 5.0 5.0 5.0 5.0 5.0 4.0 4.0", "Đ CĐ", DAT, False, None, "one comment CĐ allowed"),
    ("5.0 5.0 5.0 5.0 5.0 5.0 4.0 4.0", "CĐ CĐ", CD, False, None, "two comment CĐ"),
    ("9.0 9.0 9.0 9.0 9.0", "Đ", CD, False, None, "fewer than six scored subjects"),
    # --- adjust-up (Điều 9 khoản 3), worked examples of tt22-rules.md §4
    ("9.0 9.0 9.0 9.0 9.0 9.0 9.0 4.9", "Đ", K, True, "d7", "Tốt→Đạt by one subject ⇒ Khá"),
    ("9.0 9.0 9.0 9.0 9.0 9.0 9.0 3.4", "Đ", DAT, True, "d7", "Tốt→Chưa đạt ⇒ Đạt"),
    ("9.0 9.0 9.0 9.0 9.0 9.0 9.0 3.5", "Đ", K, True, "d7", "3.5 is Đạt ⇒ Khá"),
    ("9.0 9.0 9.0 9.0 9.0 9.0 9.0 5.0", "Đ", K, False, None, "1-step drop: no adjustment"),
    ("9.0 9.0 9.0 9.0 9.0 9.0 4.0 4.0", "Đ", DAT, False, None, "two culprits: no adjustment"),
    ("9.0 9.0 9.0 9.0 9.0 9.0 4.0 6.0", "Đ", DAT, False, None, "without 4.0 only Khá"),
    ("6.5 6.5 6.5 6.5 6.5 6.5 6.5 3.0", "Đ", DAT, True, "d7", "Khá→Chưa đạt ⇒ Đạt"),
    # exclusion reading (docs/tt22.md): removing X leaves only five ≥ 8.0 ⇒ reference Khá, no
    # adjustment; the "repair" reading would have given Khá here.
    ("9.0 9.0 9.0 9.0 9.0 7.0 7.0 4.0", "Đ", DAT, False, None, "exclusion, not repair"),
    # the "at least 06" counts stay 6 after excluding X: five subjects left cannot be Khá
    ("9.0 9.0 9.0 9.0 9.0 3.0", "Đ", CD, False, None, "counts unchanged by exclusion"),
    ("9.0 9.0 9.0 9.0 9.0 9.0 3.0", "Đ", DAT, True, "d6", "six left: Tốt ⇒ Đạt"),
    # comment subject as the single culprit (docs/tt22.md)
    ("9.0 9.0 9.0 9.0 9.0 9.0 9.0 9.0", "Đ CĐ", K, True, "n1", "comment CĐ culprit ⇒ Khá"),
    ("6.5 6.5 6.5 6.5 6.5 6.5 6.5 6.5", "CĐ", DAT, False, None, "Khá→Đạt: 1 step"),
    ("9.0 9.0 9.0 9.0 9.0 9.0 9.0 9.0", "CĐ CĐ", CD, False, None, "two comment culprits"),
    ("9.0 9.0 9.0 9.0 9.0 9.0 9.0 4.0", "CĐ", DAT, False, None, "a score and a comment"),
]


@pytest.mark.parametrize(
    ("diem", "nhan_xet", "level", "adjusted", "culprit", "why"), CASES, ids=[c[5] for c in CASES]
)
def test_worked_cases(
    diem: str,
    nhan_xet: str,
    level: MucDanhGia,
    adjusted: bool,
    culprit: str | None,
    why: str,
) -> None:
    kq = muc_hoc_tap(mon(diem, nhan_xet))
    assert (kq.muc, kq.dieu_chinh, kq.mon_gay_dieu_chinh) == (level, adjusted, culprit), why
    if adjusted:
        assert kq.muc_theo_khoan_2.rank == kq.muc.rank - 1
        assert kq.dieu == "Điều 9 khoản 3"
    else:
        assert kq.muc_theo_khoan_2 is kq.muc
        assert kq.dieu.startswith("Điều 9 khoản 2")


@pytest.mark.parametrize(
    ("level", "clause"),
    [(T, "điểm a"), (K, "điểm b"), (DAT, "điểm c"), (CD, "điểm d")],
)
def test_result_cites_the_clause_that_decided(level: MucDanhGia, clause: str) -> None:
    examples = {
        T: "9.0 9.0 9.0 9.0 9.0 9.0",
        K: "7.0 7.0 7.0 7.0 7.0 7.0",
        DAT: "5.0 5.0 5.0 5.0 5.0 5.0",
        CD: "3.0 3.0 3.0 3.0 3.0 3.0",
    }
    kq = muc_hoc_tap(mon(examples[level]))
    assert kq.muc is level
    assert kq.dieu == f"Điều 9 khoản 2 {clause}"


def test_adjust_up_applies_once_only() -> None:
    """Tốt→Chưa đạt is raised one step to Đạt, not on to Khá (no cascading)."""
    kq = muc_hoc_tap(mon("9.0 9.0 9.0 9.0 9.0 9.0 9.0 2.0"))
    assert (kq.muc_theo_khoan_2, kq.muc) == (CD, DAT)
    assert xep_muc_hoc_tap(mon("9.0 9.0 9.0 9.0 9.0 9.0 9.0 2.0")) is CD


def test_no_subjects_is_chua_dat() -> None:
    assert muc_hoc_tap({}).muc is CD


def test_result_does_not_depend_on_subject_order() -> None:
    a = mon("9.0 9.0 9.0 9.0 9.0 9.0 9.0 4.9", "Đ")
    b = dict(reversed(list(a.items())))
    assert muc_hoc_tap(a) == muc_hoc_tap(b)


def test_wrong_value_type_is_refused() -> None:
    with pytest.raises(TypeError):
        muc_hoc_tap({"x": 8.0})  # type: ignore[dict-item]


# --- comment-assessed subjects (Điều 9 khoản 1 điểm a)


@pytest.mark.parametrize(
    ("tx", "gk", "ck", "so_dgtx", "expected"),
    [
        ([Đ, Đ], Đ, Đ, 2, Đ),
        ([Đ, Đ, Đ], Đ, Đ, 2, Đ),  # more than required is fine
        ([Đ], Đ, Đ, 2, CĐ),  # too few regular assessments
        ([Đ, Đ], None, Đ, 2, CĐ),  # mid-term missing
        ([Đ, Đ], Đ, None, 2, CĐ),  # end-term missing
        ([Đ, CĐ], Đ, Đ, 2, CĐ),  # one Chưa đạt
        ([Đ, Đ], Đ, CĐ, 2, CĐ),
        ([Đ, Đ], Đ, Đ, 3, CĐ),  # chuyên đề: one more required
        ([Đ, Đ, Đ], Đ, Đ, 3, Đ),
    ],
)
def test_comment_subject_semester(
    tx: list[DanhGiaNhanXet],
    gk: DanhGiaNhanXet | None,
    ck: DanhGiaNhanXet | None,
    so_dgtx: int,
    expected: DanhGiaNhanXet,
) -> None:
    assert danh_gia_nhan_xet_hoc_ky(tx, gk, ck, so_dgtx=so_dgtx) is expected


@pytest.mark.parametrize(
    ("hk1", "hk2", "expected"), [(Đ, Đ, Đ), (CĐ, Đ, Đ), (Đ, CĐ, CĐ), (CĐ, CĐ, CĐ)]
)
def test_comment_subject_year_is_semester_two(
    hk1: DanhGiaNhanXet, hk2: DanhGiaNhanXet, expected: DanhGiaNhanXet
) -> None:
    assert danh_gia_nhan_xet_ca_nam(hk1, hk2) is expected
