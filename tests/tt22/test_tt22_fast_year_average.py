"""The year average's integer fast path (``diem_trung_binh_ca_nam``) against the Fraction
route it stands in for: ``lam_tron(diem_trung_binh_ca_nam_chinh_xac(hk1, hk2))``."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from hocbaso.tt22 import diem_trung_binh_ca_nam, diem_trung_binh_ca_nam_chinh_xac, lam_tron

_marks = st.one_of(
    # recorded marks: one decimal, 0.0–10.0 (the fast path's inputs)
    st.integers(0, 100).map(lambda n: Decimal(n).scaleb(-1)),
    # whole numbers, more decimals, negatives, large values: the fallback's
    st.decimals(min_value=-50, max_value=1000, places=0, allow_nan=False),
    st.decimals(min_value=-50, max_value=1000, places=2, allow_nan=False),
    st.decimals(min_value=-50, max_value=1000, places=3, allow_nan=False),
    st.sampled_from([Decimal("-0.0"), Decimal("0"), Decimal("1E+1"), Decimal("10.00")]),
)


@settings(max_examples=500)
@given(hk1=_marks, hk2=_marks)
def test_year_average_equals_the_fraction_route(hk1: Decimal, hk2: Decimal) -> None:
    fast = diem_trung_binh_ca_nam(hk1, hk2)
    reference = lam_tron(diem_trung_binh_ca_nam_chinh_xac(hk1, hk2))
    assert fast == reference
    assert fast.as_tuple() == reference.as_tuple()  # the same digits and exponent (8.0, not 8)


def test_every_pair_of_recorded_marks() -> None:
    marks = [Decimal(n).scaleb(-1) for n in range(101)]
    for hk1 in marks:
        for hk2 in marks:
            reference = lam_tron(diem_trung_binh_ca_nam_chinh_xac(hk1, hk2))
            assert diem_trung_binh_ca_nam(hk1, hk2).as_tuple() == reference.as_tuple()
