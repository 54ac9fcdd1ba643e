"""The adjust-up rule's culprit search with one exclusion at most (``_thu_pham``) names exactly
the subjects the definition names (``_thu_pham_reference``: one khoản 2 level per excluded
subject, docs/tt22.md §2), on any mix of scored and comment subjects."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from hocbaso.models import DanhGiaNhanXet
from hocbaso.tt22._hoc_tap import _thu_pham, _thu_pham_reference, xep_muc_hoc_tap

# Every recorded average 0.0-10.0 is possible, but the rule only looks at the thresholds;
# values on and around each one (3.5, 5.0, 6.5, 8.0) find the edges fastest.
_DIEM = st.one_of(
    st.sampled_from([Decimal(x) for x in ("0.0", "3.4", "3.5", "4.9", "5.0", "6.4", "6.5",
                                           "7.9", "8.0", "9.0", "10.0")]),
    st.integers(min_value=0, max_value=100).map(lambda n: Decimal(n) / 10),
)
_KET_QUA = st.one_of(_DIEM, st.sampled_from(list(DanhGiaNhanXet)))


@given(st.dictionaries(st.sampled_from([f"M{i:02d}" for i in range(16)]), _KET_QUA,
                       max_size=16))
def test_one_exclusion_finds_the_culprits_the_definition_finds(
    ket_qua: dict[str, Decimal | DanhGiaNhanXet],
) -> None:
    muc = xep_muc_hoc_tap(ket_qua)
    assert _thu_pham(ket_qua, muc) == _thu_pham_reference(ket_qua, muc)


@given(st.lists(_DIEM, min_size=6, max_size=12), st.sampled_from([Decimal("3.4"),
       Decimal("4.9"), DanhGiaNhanXet.CHUA_DAT]))
def test_a_single_low_subject_among_strong_ones_is_found(
    diem: list[Decimal], thap: Decimal | DanhGiaNhanXet
) -> None:
    """The case the rule exists for (one weak subject among strong ones), drawn directly."""
    ket_qua: dict[str, Decimal | DanhGiaNhanXet] = {
        f"M{i:02d}": max(d, Decimal("8.0")) for i, d in enumerate(diem)
    }
    ket_qua["YEU"] = thap
    muc = xep_muc_hoc_tap(ket_qua)
    assert _thu_pham(ket_qua, muc) == _thu_pham_reference(ket_qua, muc) == ["YEU"]
