"""One subject's results: regular-assessment counts, semester and year averages, comment levels.

Scored subjects (Điều 5 khoản 3 điểm b) are averaged with the weights of Điều 9 khoản 1 điểm b;
comment subjects (Điều 5 khoản 3 điểm a) are Đạt only when every required assessment is Đạt
(Điều 9 khoản 1 điểm a). The functions here are pure and exact: marks are ``Decimal`` with one
decimal, intermediate sums are ``Fraction``, and rounding happens once per average.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from hocbaso.models import DanhGiaNhanXet
from hocbaso.tt22._so import lam_tron

__all__ = [
    "danh_gia_nhan_xet_ca_nam",
    "danh_gia_nhan_xet_hoc_ky",
    "diem_trung_binh_ca_nam",
    "diem_trung_binh_ca_nam_chinh_xac",
    "diem_trung_binh_hoc_ky",
    "diem_trung_binh_hoc_ky_chinh_xac",
    "so_dgtx_yeu_cau",
]

#: Comment subjects select 02 regular assessments per semester (Điều 6 khoản 2 điểm a).
SO_DGTX_NHAN_XET = 2


def so_dgtx_yeu_cau(so_tiet_nam: int, *, chuyen_de: bool = False) -> int:
    """Regular assessments (ĐĐGtx) a scored subject needs per semester (Điều 6 khoản 2 điểm b).

    35 periods a year or fewer → 2; more than 35 up to 70 → 3; more than 70 → 4. A THPT
    chuyên đề học tập cluster is assessed once per semester and counts as one more ĐĐGtx of its
    subject (``docs/tt22.md`` §2), hence ``+1``. The count fixes the average's denominator
    (n + 5), so a wrong count silently changes every average: the evaluator rejects a mismatch.
    """
    if so_tiet_nam < 1:
        raise ValueError("so_tiet_nam must be a positive number of periods")
    if so_tiet_nam <= 35:
        n = 2
    elif so_tiet_nam <= 70:
        n = 3
    else:
        n = 4
    return n + 1 if chuyen_de else n


def diem_trung_binh_hoc_ky_chinh_xac(tx: Sequence[Decimal], gk: Decimal, ck: Decimal) -> Fraction:
    """The unrounded ĐTBmhk = (ΣĐĐGtx + 2·ĐĐGgk + 3·ĐĐGck) / (n + 5) (Điều 9 khoản 1 điểm b).

    Exposed so that tests and vendors can see the raw value before the one rounding step.
    """
    if not tx:
        raise ValueError("a scored subject needs at least one regular assessment")
    tong = sum((Fraction(d) for d in tx), Fraction(0))
    return (tong + 2 * Fraction(gk) + 3 * Fraction(ck)) / (len(tx) + 5)


def diem_trung_binh_hoc_ky(tx: Sequence[Decimal], gk: Decimal, ck: Decimal) -> Decimal:
    """ĐTBmhk rounded half up to one decimal: the value the học bạ records (Điều 9 khoản 1 b)."""
    return lam_tron(diem_trung_binh_hoc_ky_chinh_xac(tx, gk, ck))


def diem_trung_binh_ca_nam_chinh_xac(hk1: Decimal, hk2: Decimal) -> Fraction:
    """The unrounded ĐTBmcn = (ĐTBmhkI + 2·ĐTBmhkII) / 3, from the *recorded* semester averages.

    ``docs/tt22.md`` §2: the year average uses the rounded semester averages as they stand in
    the record, because that is what every reader of the record can recompute.
    """
    return (Fraction(hk1) + 2 * Fraction(hk2)) / 3


def diem_trung_binh_ca_nam(hk1: Decimal, hk2: Decimal) -> Decimal:
    """ĐTBmcn rounded half up to one decimal (Điều 9 khoản 1 điểm b).

    Recorded marks have at most one decimal: in tenths they are integers ``a`` and ``b``, the
    year average in tenths is exactly ``(a + 2b) / 3``, and rounding it half up is
    ``floor((a + 2b) / 3 + 1/2) = (2a + 4b + 3) // 6`` in integers: the same exact value as the
    :class:`~fractions.Fraction` route (:func:`lam_tron` of
    :func:`diem_trung_binh_ca_nam_chinh_xac`, kept for every other input), a fraction of its
    cost (the verifier re-checks this for every scored subject of every record; a hypothesis
    test compares the two)."""
    a, b = _tenths(hk1), _tenths(hk2)
    if a is not None and b is not None and a >= 0 and b >= 0:
        return Decimal((2 * a + 4 * b + 3) // 6).scaleb(-1)
    return lam_tron(diem_trung_binh_ca_nam_chinh_xac(hk1, hk2))


def _tenths(mark: Decimal) -> int | None:
    """``mark`` × 10 as an int when that is exact (a finite Decimal with at most one decimal),
    else None."""
    if not isinstance(mark, Decimal):
        return None
    exponent = mark.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -1:
        return None
    return int(mark.scaleb(1))


def danh_gia_nhan_xet_hoc_ky(
    tx: Sequence[DanhGiaNhanXet],
    gk: DanhGiaNhanXet | None,
    ck: DanhGiaNhanXet | None,
    *,
    so_dgtx: int = SO_DGTX_NHAN_XET,
) -> DanhGiaNhanXet:
    """Semester result of a comment subject (Điều 9 khoản 1 điểm a).

    Đạt requires *enough* assessments (``so_dgtx`` regular ones plus the mid-term and end-term,
    Điều 6–7) **and** all of them Đạt; every other case is Chưa đạt. A missing assessment is
    therefore a Chưa đạt, not an input error: that is what the rule says.
    """
    du_so_lan = len(tx) >= so_dgtx and gk is not None and ck is not None
    tat_ca_dat = all(d is DanhGiaNhanXet.DAT for d in (*tx, gk, ck))
    return DanhGiaNhanXet.DAT if du_so_lan and tat_ca_dat else DanhGiaNhanXet.CHUA_DAT


def danh_gia_nhan_xet_ca_nam(hk1: DanhGiaNhanXet, hk2: DanhGiaNhanXet) -> DanhGiaNhanXet:
    """Year result of a comment subject: Đạt iff semester II is Đạt (Điều 9 khoản 1 điểm a).

    Semester I is deliberately ignored (the rule looks at the end of the year only); the
    parameter is kept so that call sites read like the rule and a future change is local.
    """
    del hk1
    return hk2
