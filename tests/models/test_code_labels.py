"""Labels of the code lists that were once misspelt (the label is what a paper copy prints)."""

from __future__ import annotations

import pytest

from hocbaso.models import DanToc


@pytest.mark.parametrize(
    ("member", "code", "label"),
    [(DanToc.TA_OI, "31", "Tà-ôi"), (DanToc.CO_LAO, "47", "Co Lao")],
)
def test_ethnicity_labels(member: DanToc, code: str, label: str) -> None:
    assert (member.value, member.nhan) == (code, label)
    assert DanToc(code) is member


def test_ethnicity_labels_are_unique_and_codes_dense() -> None:
    assert [d.value for d in DanToc] == [f"{i:02d}" for i in range(1, 56)]
    assert len({d.nhan for d in DanToc}) == len(DanToc)
