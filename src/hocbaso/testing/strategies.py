"""Hypothesis strategies for records, for vendors' own property tests as well as ours.

``hoc_ba()`` starts from a realistic generated record and lets Hypothesis vary what a property
should be indifferent to: free text (any XML-safe Unicode, including markup characters and
non-NFC input), optional fields present or absent, grade and seed. Hypothesis is not a
dependency of the library: it comes with the ``testing`` extra (``pip install 'hocbaso[testing]'``).
"""

from __future__ import annotations

import unicodedata
from typing import Any

try:
    from hypothesis import strategies as st
except ModuleNotFoundError as e:  # pragma: no cover - exercised in a subprocess test
    raise ModuleNotFoundError(
        "hocbaso.testing.strategies cần Hypothesis: pip install 'hocbaso[testing]' / "
        "hocbaso.testing.strategies needs Hypothesis: pip install 'hocbaso[testing]'",
        name=e.name,
    ) from e

from hocbaso.models import HocBa, Khoi
from hocbaso.testing._synthetic import tao_hoc_ba

__all__ = ["hoc_ba", "ma_so_suot_doi", "van_ban"]

_XML_SAFE = st.characters(
    blacklist_categories=("Cs", "Co", "Cn"),
    blacklist_characters="\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12"
    "\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\ufffe\uffff",
)


def van_ban(max_size: int = 40) -> st.SearchStrategy[str]:
    """Text that is valid after NFC and trimming: not empty, any XML-safe character."""
    return (
        st.text(_XML_SAFE, min_size=1, max_size=max_size)
        .map(lambda s: unicodedata.normalize("NFC", s).strip())
        .filter(lambda s: 0 < len(s) <= max_size)
    )


def ma_so_suot_doi() -> st.SearchStrategy[str]:
    """A lifelong learning record number as the model accepts it: 1–50 characters of letters,
    digits and ``. _ / -``, starting with a letter or digit."""
    return st.from_regex(r"[0-9A-Za-z][0-9A-Za-z._/-]{0,49}", fullmatch=True)


@st.composite
def hoc_ba(draw: Any, khoi: Khoi | None = None) -> HocBa:
    """A valid record: a generated one, with drawn free text and optional fields."""
    base = tao_hoc_ba(
        draw(st.integers(min_value=0, max_value=10_000)),
        khoi if khoi is not None else draw(st.sampled_from(list(Khoi))),
    )
    tt = base.thong_tin_hoc_ba
    tong_ket = tt.tong_ket.model_copy(
        update={
            "nx_gvcn": draw(van_ban(200)),
            "kq_tham_gia_cuoc_thi": draw(st.none() | van_ban(100)),
        }
    )
    hoc_sinh = tt.hoc_sinh.model_copy(
        update={
            "ho_va_ten": draw(van_ban(60)),
            "ho_ten_cha": draw(st.none() | van_ban(60)),
            "ma_so_ho_so_hoc_tap_suot_doi": draw(st.none() | ma_so_suot_doi()),
            "nghe_nghiep_me": draw(st.none() | van_ban(60)),
        }
    )
    rows = tuple(
        row.model_copy(update={"nx_mon_hoc": draw(st.none() | van_ban(80))})
        for row in base.bang_diem
    )
    # model_copy(update=...) validates each part; the whole record is validated once more here.
    return HocBa.model_validate(
        {
            "thong_tin_hoc_ba": tt.model_copy(
                update={"tong_ket": tong_ket, "hoc_sinh": hoc_sinh}
            ).model_dump(),
            "bang_diem": [r.model_dump() for r in rows],
        }
    )
