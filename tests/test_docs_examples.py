"""Python examples in the README and docs/ run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FILES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def _examples() -> list[tuple[str, str]]:
    out = []
    for path in FILES:
        for i, code in enumerate(BLOCK.findall(path.read_text(encoding="utf-8"))):
            if "# doc: no-run" not in code:
                out.append((f"{path.name}#{i + 1}", code))
    return out


@pytest.mark.parametrize(("where", "code"), _examples(), ids=[w for w, _ in _examples()])
def test_example_runs(where: str, code: str) -> None:
    namespace: dict[str, object] = {"__name__": f"example_{where}"}
    exec(compile(code, where, "exec"), namespace)  # our own documentation, run as a test
