"""Exact marks: half-up rounding, ties from raw marks, and rounded-vs-unrounded averages."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from hocbaso.tt22 import (
    diem_trung_binh_ca_nam,
    diem_trung_binh_ca_nam_chinh_xac,
    diem_trung_binh_hoc_ky,
    diem_trung_binh_hoc_ky_chinh_xac,
    lam_tron,
    so_dgtx_yeu_cau,
)


def D(s: str) -> Decimal:
    return Decimal(s)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (Fraction(129, 20), "6.5"),  # 6.45: half up, never down
        (Fraction(33, 4), "8.3"),  # 8.25: float round() gives 8.2 (banker's)
        (Fraction(25, 4), "6.3"),  # 6.25
        (Fraction(127, 20), "6.4"),  # 6.35
        (Fraction(141, 20), "7.1"),  # 7.05
        (Fraction(1, 20), "0.1"),
        (Fraction(199, 20), "10.0"),  # 9.95 rounds up to the top of the scale
        (Fraction(6449, 1000), "6.4"),  # just below the tie
        (Fraction(0), "0.0"),
        (10, "10.0"),
        (D("7.5"), "7.5"),
    ],
)
def test_lam_tron_is_half_up_with_one_decimal(raw: Fraction | int | Decimal, expected: str) -> None:
    result = lam_tron(raw)
    assert str(result) == expected
    assert result.as_tuple().exponent == -1


def test_float_round_would_be_wrong_on_the_same_ties() -> None:
    """The reason for exact arithmetic: Python's float ``round`` fails these ties."""
    assert round(8.25, 1) == 8.2 and str(lam_tron(Fraction(33, 4))) == "8.3"
    assert round(6.25, 1) == 6.2 and str(lam_tron(Fraction(25, 4))) == "6.3"
    assert round(70.5 / 10, 1) == 7.0 and str(lam_tron(Fraction(141, 20))) == "7.1"


def test_tie_645_from_raw_tx_marks_and_float_gets_it_wrong() -> None:
    """3 ĐĐGtx (denominator 8): 6.0, 6.0, 6.0, gk 6.6, ck 6.8 → 51.6 / 8 = 6.45 exactly → 6.5.

    The same computation in binary floating point gives 6.449999… and rounds to 6.4.
    """
    tx, gk, ck = [D("6.0"), D("6.0"), D("6.0")], D("6.6"), D("6.8")
    assert diem_trung_binh_hoc_ky_chinh_xac(tx, gk, ck) == Fraction(129, 20)
    assert diem_trung_binh_hoc_ky(tx, gk, ck) == D("6.5")
    as_float = (6.0 + 6.0 + 6.0 + 2 * 6.6 + 3 * 6.8) / 8
    assert round(as_float, 1) == 6.4  # the wrong answer vendor software produces


def test_tie_with_five_tx_denominator_10() -> None:
    """4 ĐĐGtx + chuyên đề = 5 (denominator 10): 7.0×4 + 7.5, gk 7.0, ck 7.0 → 70.5/10 → 7.1."""
    tx = [D("7.0")] * 4 + [D("7.5")]
    assert diem_trung_binh_hoc_ky_chinh_xac(tx, D("7.0"), D("7.0")) == Fraction(141, 20)
    assert diem_trung_binh_hoc_ky(tx, D("7.0"), D("7.0")) == D("7.1")


def test_semester_weights() -> None:
    # (8.0 + 7.5 + 8.1 + 9.0 + 2×8.0 + 3×7.5) / 9 = 71.1 / 9 = 7.9
    tx = [D("8.0"), D("7.5"), D("8.1"), D("9.0")]
    assert diem_trung_binh_hoc_ky(tx, D("8.0"), D("7.5")) == D("7.9")
    # end-term weighs 3, mid-term 2, each tx 1
    assert diem_trung_binh_hoc_ky([D("0.0"), D("0.0")], D("0.0"), D("10.0")) == D("4.3")
    assert diem_trung_binh_hoc_ky([D("0.0"), D("0.0")], D("10.0"), D("0.0")) == D("2.9")


def test_year_average_uses_rounded_semester_averages() -> None:
    """tt22-rules.md §3: HK I raw 6.4375 → 6.4, HK II raw 6.45 → 6.5 ⇒ ĐTBmcn 19.4/3 → 6.5.

    Computing from the unrounded semester averages would give 6.446 → 6.4.
    """
    six = [D("6.0"), D("6.0"), D("6.0")]
    raw1 = diem_trung_binh_hoc_ky_chinh_xac(six, D("7.0"), D("6.5"))
    raw2 = diem_trung_binh_hoc_ky_chinh_xac(six, D("6.3"), D("7.0"))
    assert raw1 == Fraction(103, 16)  # 6.4375
    assert raw2 == Fraction(129, 20)  # 6.45
    hk1 = diem_trung_binh_hoc_ky(six, D("7.0"), D("6.5"))
    hk2 = diem_trung_binh_hoc_ky(six, D("6.3"), D("7.0"))
    assert (hk1, hk2) == (D("6.4"), D("6.5"))
    assert diem_trung_binh_ca_nam_chinh_xac(hk1, hk2) == Fraction(194, 30)
    assert diem_trung_binh_ca_nam(hk1, hk2) == D("6.5")
    assert lam_tron((raw1 + 2 * raw2) / 3) == D("6.4")  # the wrong, unrounded route


def test_year_average_weights_semester_two_double() -> None:
    assert diem_trung_binh_ca_nam(D("5.0"), D("8.0")) == D("7.0")
    assert diem_trung_binh_ca_nam(D("8.0"), D("5.0")) == D("6.0")
    assert diem_trung_binh_ca_nam(D("8.0"), D("8.3")) == D("8.2")


@pytest.mark.parametrize(
    ("so_tiet", "chuyen_de", "expected"),
    [
        (1, False, 2),
        (35, False, 2),
        (36, False, 3),
        (52, False, 3),
        (70, False, 3),
        (71, False, 4),
        (105, False, 4),
        (140, False, 4),
        (35, True, 3),
        (70, True, 4),
        (105, True, 5),
    ],
)
def test_so_dgtx_yeu_cau(so_tiet: int, chuyen_de: bool, expected: int) -> None:
    assert so_dgtx_yeu_cau(so_tiet, chuyen_de=chuyen_de) == expected


def test_so_dgtx_yeu_cau_refuses_no_periods() -> None:
    with pytest.raises(ValueError):
        so_dgtx_yeu_cau(0)
