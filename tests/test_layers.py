"""Layers import downward only (CONTRIBUTING.md, "Layout"), and the CLI uses only public names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "hocbaso"

# package → internal packages it may import (besides itself and hocbaso.errors)
ALLOWED: dict[str, set[str]] = {
    "models": set(),
    "packet": {"models"},
    "tt22": {"models"},
    # signature → tt22: issuing and CBQL signing run the Thông tư 22 content check
    # (signature/_checks.py says why it lives there).
    "signature": {"packet", "tt22", "models"},
    "verify": {"signature", "packet", "tt22", "models"},
    # render shows what verify accepted; it never decides validity (docs/render.md).
    "render": {"verify", "signature", "packet", "models"},
    # package: containers of issued records, receipts, the store (docs/package.md).
    "package": {"verify", "signature", "packet", "tt22", "models"},
    "testing": {"tt22", "signature", "packet", "models"},
    "cli": {"package", "verify", "signature", "packet", "tt22", "models", "testing", "render"},
}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append(node.module)
    return [m for m in out if m == "hocbaso" or m.startswith("hocbaso.")]


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if p.parent != SRC)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_imports_go_downward_only(path: Path) -> None:
    package = path.relative_to(SRC).parts[0]
    if package not in ALLOWED:
        pytest.fail(f"no layer rule for package {package}")
    for module in _imports(path):
        parts = module.split(".")
        if len(parts) == 1:
            assert package == "cli", f"{path}: only the CLI imports the top-level package"
            continue
        target = parts[1]
        if target in (package, "errors"):
            continue
        assert target in ALLOWED[package], f"{path.relative_to(SRC)} imports {module}"


@pytest.mark.parametrize("path", sorted((SRC / "cli").glob("*.py")), ids=lambda p: p.name)
def test_cli_uses_only_public_names(path: Path) -> None:
    for module in _imports(path):
        private = [p for p in module.split(".")[1:] if p.startswith("_")]
        if module.startswith("hocbaso.cli."):
            continue
        assert not private, f"{path.name} imports private {module}"


def test_no_library_module_imports_the_cli() -> None:
    for path in _modules():
        if path.relative_to(SRC).parts[0] == "cli":
            continue
        assert not any(m.startswith("hocbaso.cli") for m in _imports(path)), path


def _private_imports(path: Path) -> list[str]:
    """Modules ``path`` imports from another layer's private modules (``hocbaso.<layer>._x``)."""
    own = path.relative_to(SRC).parts[0]
    out = []
    for module in _imports(path):
        parts = module.split(".")
        if len(parts) > 2 and parts[1] != own and any(p.startswith("_") for p in parts[2:]):
            out.append(module)
    return out


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_layers_share_internals_only_through_their_internal_module(path: Path) -> None:
    """A layer uses another layer's public names or its one ``_internal`` module, never the
    private modules behind it (CONTRIBUTING.md, "Layers"): those may be reorganised freely."""
    stray = [m for m in _private_imports(path) if m.split(".")[2:] != ["_internal"]]
    assert stray == [], f"{path.relative_to(SRC)} imports {stray}"


def test_every_internal_module_is_one_a_lower_layer_offers() -> None:
    internals = sorted(p.relative_to(SRC).parts[0] for p in SRC.glob("*/_internal.py"))
    assert internals == ["models", "packet", "signature", "verify"]
    for layer in internals:
        users = {p.relative_to(SRC).parts[0] for p in _modules() if any(
            m == f"hocbaso.{layer}._internal" for m in _imports(p)
        )} - {layer}
        assert users, f"nothing uses hocbaso.{layer}._internal"
        assert all(layer in ALLOWED[u] for u in users), (layer, users)
