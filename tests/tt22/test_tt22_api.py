"""The public surface of ``hocbaso.tt22`` and its place in the layers."""

from __future__ import annotations

import ast
from pathlib import Path

import hocbaso.tt22 as tt22

PKG = Path(tt22.__file__).parent


def test_all_lists_exactly_the_public_names() -> None:
    public = {n for n in vars(tt22) if not n.startswith("_")}
    assert set(tt22.__all__) == public
    assert len(tt22.__all__) == len(set(tt22.__all__))


def test_tt22_imports_only_models_and_errors() -> None:
    """verify → tt22 → models: the engine must never import packet/signature/verify/cli."""
    allowed = ("hocbaso.tt22", "hocbaso.models", "hocbaso.errors")
    for path in PKG.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.startswith("hocbaso"):
                    assert name.startswith(allowed), f"{path.name} imports {name}"
