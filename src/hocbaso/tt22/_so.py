"""Exact marks: parsing and half-up rounding to one decimal (Điều 5 khoản 3 điểm b).

Every mark and every average of Thông tư 22 is "số nguyên hoặc số thập phân được lấy đến chữ số
thập phân thứ nhất sau khi làm tròn số". School mathematics rounds half *up* (6.45 → 6.5), while
Python's ``round`` on floats gives 6.4 for 6.449999… (the nearest double of 6.45) and 8.2 for the
exact tie 8.25 (banker's rounding). So averages are computed as :class:`fractions.Fraction` and
rounded here, once, with integer arithmetic; a recorded mark is a :class:`decimal.Decimal` with
exactly one decimal place.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

__all__ = ["DIEM_TOI_DA", "DIEM_TOI_THIEU", "lam_tron"]

#: The scale is 0–10 (Điều 5 khoản 3 điểm b); other scales must be converted first.
DIEM_TOI_THIEU = Decimal("0.0")
DIEM_TOI_DA = Decimal("10.0")


def lam_tron(gia_tri: Fraction | Decimal | int) -> Decimal:
    """Round half up to one decimal and return a ``Decimal`` with exponent -1 (``8.0``, not ``8``).

    Why not ``Decimal.quantize(..., ROUND_HALF_UP)`` on a Decimal quotient? A quotient such as
    51.6/8 is exact in Decimal, but 19.4/3 is not; dividing in ``Fraction`` and rounding once
    here is exact for every denominator. Negative values (never a mark) round symmetrically.
    """
    x = Fraction(gia_tri)
    if x < 0:
        return -lam_tron(-x)
    muoi_lan = (x * 10 + Fraction(1, 2)).__floor__()
    return Decimal(muoi_lan).scaleb(-1)
