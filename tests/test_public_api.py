"""The public surface: every ``__all__`` is exact, and docs/api.md lists it."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

from hocbaso._apidoc import PUBLIC_MODULES, generate_api_doc

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_all_lists_exactly_the_public_names(name: str) -> None:
    module = importlib.import_module(name)
    exported = set(module.__all__)
    assert len(exported) == len(module.__all__), "duplicate names in __all__"
    assert all(hasattr(module, public) for public in exported)
    # A package's __init__ is an API surface: every hocbaso object it holds is exported.
    if not str(module.__file__).endswith("__init__.py"):
        return
    held = {
        n for n, v in vars(module).items()
        if not n.startswith("_") and not inspect.ismodule(v)
        and str(getattr(v, "__module__", "")).startswith("hocbaso")
    }
    assert held <= exported, held - exported


def test_no_private_name_is_exported() -> None:
    for name in PUBLIC_MODULES:
        module = importlib.import_module(name)
        assert all(not n.startswith("_") or n == "__version__" for n in module.__all__)


def test_top_level_keeps_verify_as_the_subpackage() -> None:
    import hocbaso
    import hocbaso.verify

    assert inspect.ismodule(hocbaso.verify)
    assert callable(hocbaso.verify.verify)


def test_api_doc_is_current() -> None:
    assert (REPO / "docs" / "api.md").read_text(encoding="utf-8") == generate_api_doc()


def test_api_doc_fits_one_page_per_layer() -> None:
    """docs/api.md is a compact reference: one short row a name, one page a layer at most."""
    text = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    sections = text.split("\n## ")[1:]
    assert len(sections) == len(PUBLIC_MODULES)
    for section in sections:
        rows = [line for line in section.splitlines() if line.startswith("| `")]
        assert len(rows) <= 45, section.splitlines()[0]
        for row in rows:
            name, summary = row.split(" | ", 1)
            assert len(name) <= 64 and len(summary) <= 100, row
            assert summary.strip(" |"), f"no summary: {row}"
            assert "str(object=" not in summary, row  # a docstring inherited from str


#: Plumbing that left the public surface (CHANGELOG.md, Unreleased → Removed): a vendor or a
#: receiving school builds, signs and verifies records without them.
REMOVED = {
    "hocbaso": ("KHONG_DANH_GIA", "THONG_TU_22"),
    "hocbaso.models": (
        "KHONG_DANH_GIA",
        "THONG_TU_22",
        "format_ket_qua",
        "parse_ket_qua",
        "mon_hoc_info",
    ),
    "hocbaso.testing": ("tao_truong",),
}


@pytest.mark.parametrize("name", sorted(REMOVED))
def test_plumbing_is_not_public(name: str) -> None:
    module = importlib.import_module(name)
    assert not set(REMOVED[name]) & set(module.__all__)
    assert not any(hasattr(module, n) for n in REMOVED[name])
