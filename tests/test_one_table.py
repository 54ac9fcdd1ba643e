"""One table per fact: the packet layout, the roles and the algorithm URIs are written once.

The signer and the verifier must agree on where every slot is, which Id each role signs and which
algorithms exist; when each keeps its own copy they drift apart silently. These tests read every
string literal of ``src/`` (docstrings aside: prose may name the layout) and fail on a copy of a
layout fact outside ``hocbaso/packet/_layout.py`` (and ``hocbaso/models/_ids.py`` for the
subject-row Id format), or of an algorithm URI outside ``hocbaso/signature/_algorithms.py``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from hocbaso.packet._internal import VaiTroKy
from hocbaso.packet._internal import layout as L
from hocbaso.signature import C14nMethod, DigestMethod, SignatureMethod

SRC = Path(__file__).resolve().parents[1] / "src" / "hocbaso"
LAYOUT_HOMES = {Path("packet/_layout.py"), Path("models/_ids.py")}
ALGORITHM_HOME = Path("signature/_algorithms.py")


def _docstrings(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(
            node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
        ) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _literals(path: Path) -> Iterator[tuple[int, str]]:
    """(line, text) of every string literal, f-string parts included, docstrings excluded."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            yield node.lineno, node.value


def _sources() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def _stray(forbidden: list[str], homes: set[Path], *, exact: bool = False) -> list[str]:
    out = []
    for path in _sources():
        rel = path.relative_to(SRC)
        if rel in homes:
            continue
        for line, text in _literals(path):
            for f in forbidden:
                if (text == f) if exact else (f in text):
                    out.append(f"{rel}:{line}: {text[:70]!r} holds {f!r}")
    return out


def test_the_layout_table_is_the_one_the_writer_signer_and_verifier_read() -> None:
    assert L.slot_xpath(VaiTroKy.GVBM, "15") == (
        "/HOC_BA/DANH_SACH_THONG_TIN_KY/DANH_SACH_GVBM/GVBM[@MA_MON_HOC='15']"
    )
    assert VaiTroKy.GVBM.reference_id("15") == L.mon_id("15") == "mon-15"
    assert L.mon_of_id("mon-15") == "15" and L.mon_of_id("data") is None
    assert [r.reference_id() for r in VaiTroKy][1:] == [L.ID_THONG_TIN, L.ID_DATA, L.ID_DATA]
    assert list(L.SLOT_PATHS) == list(VaiTroKy)


def test_no_copy_of_the_layout_outside_its_module() -> None:
    """Slot paths, the Id prefixes and the signed Ids' values are written in the layout only."""
    forbidden = [*L.SLOT_PATHS.values(), f"{L.DANH_SACH_KY}/", f"{L.PHAT_HANH}/", f"{L.DU_LIEU}/"]
    found = _stray(forbidden, LAYOUT_HOMES)
    prefixes = (L.MON_ID_PREFIX, L.SIGNATURE_ID_PREFIX, L.OBJECT_ID_PREFIX, "gvbm-")
    for path in _sources():
        rel = path.relative_to(SRC)
        if rel in LAYOUT_HOMES:
            continue
        found += [
            f"{rel}:{line}: {text!r}"
            for line, text in _literals(path)
            if text.startswith(prefixes) or f"'{L.MON_ID_PREFIX}" in text
        ]
    found += _stray([L.ID_THONG_TIN], LAYOUT_HOMES, exact=True)
    found += _stray([f"#{L.ID_DATA}", f"#{L.ID_THONG_TIN}", f'Id="{L.ID_DATA}"'], LAYOUT_HOMES)
    assert found == []


def test_roles_are_never_compared_as_strings() -> None:
    """A role name as a bare string literal outside the layout is a second copy of the roles:
    code compares :class:`VaiTroKy` members."""
    found = _stray([r.value for r in VaiTroKy], LAYOUT_HOMES, exact=True)
    assert found == []


def test_algorithm_uris_are_written_once() -> None:
    uris = [m.value for enum in (C14nMethod, DigestMethod, SignatureMethod) for m in enum]
    assert _stray(uris, {ALGORITHM_HOME}) == []


def test_the_algorithm_sets_are_shared_by_both_policies() -> None:
    from hocbaso.signature import SigningPolicy
    from hocbaso.signature._internal import SHA2_DIGEST_METHODS, SHA2_SIGNATURE_METHODS
    from hocbaso.verify import STRICT

    assert SigningPolicy().signature_methods == STRICT.signature_methods == SHA2_SIGNATURE_METHODS
    assert SigningPolicy().digest_methods == STRICT.digest_methods == SHA2_DIGEST_METHODS
    for name in ("signature/_policy.py", "verify/_policy.py"):
        text = (SRC / name).read_text(encoding="utf-8")
        assert "SignatureMethod.RSA_SHA384" not in text, name  # the set is not listed again
