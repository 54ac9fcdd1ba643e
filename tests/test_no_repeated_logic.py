"""No logic is written twice in ``src/`` (CONTRIBUTING.md, "Repeated code").

A cheap form of the duplicate scan a maintainer runs by hand: six or more significant lines
that stand identical in two places. Blank lines, comments, imports and lone punctuation are
passed over and white space is folded, as the full scan does; runs made only of names (import
and ``__all__`` lists, re-exports) are tables, not logic. The full scan also finds runs alike
but for names and values; CONTRIBUTING.md says how to run it and which of its rows are tables.

Each allowed pair below says why the two places must stay separate.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
RUN = 6

_PUNCTUATION = re.compile(r"^[()\[\]{},:;.\"']*$")
_NAME_ONLY = re.compile(r"^(__all__ = [\[(]|\"?[A-Za-z_][A-Za-z0-9_]*\"?,?)$")

#: (file, file) → why the identical run is not repeated logic.
ALLOWED: dict[frozenset[str], str] = {
    frozenset({"hocbaso/signature/_profile.py"}): (
        "build_signature and build_signature_lxml take the same keywords: the fast path and "
        "its reference implementation, proved equal by tests/signature/test_template.py"
    ),
    frozenset({"hocbaso/signature/_twophase.py"}): (
        "prepare and prepare_many are public and take the same parameters: the one-packet form "
        "and its batch form, which calls it for each packet"
    ),
    frozenset({"hocbaso/packet/_codec.py"}): (
        "the tree writer (to_element) and the byte writer (to_xml) walk the same plan; "
        "tests/packet/test_roundtrip.py proves their outputs equal"
    ),
}


def _significant(path: Path) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    in_import = False
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = " ".join(raw.split())
        if in_import:  # the names of a parenthesised import
            in_import = not line.startswith(")")
            continue
        if line.startswith(("import ", "from ")):
            in_import = line.endswith("(")
            continue
        if not line or line.startswith("#") or _PUNCTUATION.match(line):
            continue
        out.append((number, line))
    return out


def repeated_runs(root: Path = SRC) -> dict[frozenset[str], list[str]]:
    """Every pair of files (or a file with itself) that shares an identical run of ``RUN``
    significant lines, with where: ``{files: ["a.py:10 ~ b.py:40", …]}``."""
    where: dict[tuple[str, ...], list[tuple[str, int, int]]] = defaultdict(list)
    for path in sorted(root.rglob("*.py")):
        name = path.relative_to(root).as_posix()
        lines = _significant(path)
        for i in range(len(lines) - RUN + 1):
            run = tuple(text for _, text in lines[i : i + RUN])
            if all(_NAME_ONLY.match(text) for text in run):
                continue  # an import, __all__ or re-export list
            where[run].append((name, lines[i][0], lines[i + RUN - 1][0]))
    found: dict[frozenset[str], list[str]] = defaultdict(list)
    for places in where.values():
        for a, (fa, sa, ea) in enumerate(places):
            for fb, sb, _ in places[a + 1 :]:
                if fa == fb and sb <= ea:
                    continue  # the same lines, overlapping themselves
                found[frozenset({fa, fb})].append(f"{fa}:{sa} ~ {fb}:{sb}")
    return found


def test_scan_finds_a_repeated_run(tmp_path: Path) -> None:
    """The scan itself works: six lines written twice are found, a re-export list is not."""
    body = "".join(f"    total = total + {i} * factor\n" for i in range(RUN))
    (tmp_path / "a.py").write_text(f"def f(factor):\n    total = 0\n{body}    return total\n")
    (tmp_path / "b.py").write_text(f"def g(factor):\n    total = 1\n{body}    return -total\n")
    names = "".join(f'    "name{i}",\n' for i in range(RUN + 2))
    (tmp_path / "c.py").write_text(f"__all__ = [\n{names}]\n")
    (tmp_path / "d.py").write_text(f"__all__ = [\n{names}]\n")
    found = repeated_runs(tmp_path)
    assert set(found) == {frozenset({"a.py", "b.py"})}


def test_no_logic_is_repeated_in_src() -> None:
    found = repeated_runs()
    unexplained = {
        " & ".join(sorted(files)): places[:3]
        for files, places in found.items()
        if files not in ALLOWED
    }
    assert not unexplained, unexplained


def test_every_allowed_pair_still_exists() -> None:
    """An allowance whose repetition is gone must go too, so the list stays true."""
    assert set(ALLOWED) <= set(repeated_runs())
