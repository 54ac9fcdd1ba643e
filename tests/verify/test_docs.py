"""docs/verification.md documents every code the verifier can emit."""

from __future__ import annotations

from pathlib import Path

from hocbaso.tt22 import MA_PHAT_HIEN
from hocbaso.verify import CODES

DOC = (Path(__file__).resolve().parents[2] / "docs" / "verification.md").read_text("utf-8")


def test_every_verifier_code_is_documented_with_advice() -> None:
    for code, info in CODES.items():
        assert f"`{code}`" in DOC, code
        assert info.advice_en in DOC, code


def test_every_content_code_is_listed() -> None:
    for code in MA_PHAT_HIEN:
        assert f"`{code}`" in DOC, code


def test_steps_are_numbered_in_spec_order() -> None:
    positions = [DOC.index(f"**Step {n} — ") for n in range(1, 9)]
    assert positions == sorted(positions)
