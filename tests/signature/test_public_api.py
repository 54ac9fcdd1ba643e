"""The public surface of hocbaso.signature and its import layering."""

from __future__ import annotations

import ast
from pathlib import Path

import hocbaso.signature as signature

PKG = Path(signature.__file__).resolve().parent


def test_all_is_sorted_and_complete() -> None:
    names = list(signature.__all__)
    assert len(names) == len(set(names))
    public = {n for n in vars(signature) if not n.startswith("_")} - {"annotations"}
    modules = {n for n in public if type(vars(signature)[n]).__name__ == "module"}
    assert set(names) == public - modules
    for name in names:
        assert getattr(signature, name) is not None


def test_signature_imports_only_lower_layers() -> None:
    allowed = (
        "hocbaso.signature", "hocbaso.packet", "hocbaso.tt22", "hocbaso.models", "hocbaso.errors"
    )
    for path in PKG.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                mod = node.module
            elif isinstance(node, ast.Import):
                mod = node.names[0].name
            else:
                continue
            if mod.startswith("hocbaso"):
                assert mod.startswith(allowed), f"{path.name} imports {mod}"
