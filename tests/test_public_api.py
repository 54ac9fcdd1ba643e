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
