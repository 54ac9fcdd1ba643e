"""The naming rule of CONTRIBUTING.md: Vietnamese for the Ministry's domain nouns, English for the
mechanics. Private helpers follow it too: a parser, an error builder, a path builder or a check
loop is named in English, even inside the Thông tư 22 engine; a helper that computes a Ministry
quantity keeps its Vietnamese name.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "hocbaso"

#: Vietnamese words for mechanics (read, error, path, to/into, check, detect, refuse, convert —
#: not ``chuyen_de``, a domain noun —, is, has, list, message, integer, input, the plural "các",
#: text, fail), as the first word of a private name.
MECHANICS = re.compile(
    r"^_+(doc|loi|duong_dan|thanh|kiem_tra|phat_hien|tu_choi|chuyen(?!_de)|la|co|danh_sach"
    r"|thong_bao|so_nguyen|vao|cac|chu|that_bai)(_|$)",
    re.IGNORECASE,
)


def _private_names(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.lineno, node.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name.startswith("_")
        and not node.name.startswith("__")
    ]


def test_private_mechanics_are_named_in_english() -> None:
    found = [
        f"{p.relative_to(SRC)}:{line}: {name}"
        for p in sorted(SRC.rglob("*.py"))
        for line, name in _private_names(p)
        if MECHANICS.match(name)
    ]
    assert found == []


def test_the_rule_catches_what_it_names() -> None:
    assert MECHANICS.match("_doc_diem") and MECHANICS.match("_Vao") and MECHANICS.match("_chu")
    assert not MECHANICS.match("_parse_diem") and not MECHANICS.match("_diem_trung_binh")


def test_public_names_that_break_the_rule_are_listed_as_kept() -> None:
    """Public names stay until a major release; CHANGELOG.md says which."""
    import hocbaso.testing

    changelog = (SRC.parents[1] / "CHANGELOG.md").read_text(encoding="utf-8")
    kept = [n for n in hocbaso.testing.__all__ if n.startswith("tao_")]
    assert kept
    for name in kept:
        assert f"`{name}`" in changelog, name
