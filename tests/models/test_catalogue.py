"""Every catalogue column is mapped and documented; the document is generated from the code."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from hocbaso.models._catalogue import CATALOGUE, EXTRA_FIELDS, CatalogueColumn
from hocbaso.packet._docgen import generate_field_mapping, leaf_paths, resolve

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "field-mapping.md"
REFERENCE = REPO.parent / "shared" / "reference" / "data-catalog.md"
SNAPSHOT = REPO / "tests" / "data" / "catalogue-columns.tsv"


def test_column_counts_per_table_match_the_catalogue() -> None:
    counts = Counter(c.table for c in CATALOGUE)
    assert counts == {
        "thongtinsohocbasothcsthpt": 75,
        "thongtinsohocbasothcsthpt_quatrinhhoctap": 12,
        "thongtinsohocbasothcsthpt_chungchi": 9,
        "thongtinsohocbasothcsthpt_bangdiem": 16,
    }
    assert len({(c.table, c.column) for c in CATALOGUE}) == len(CATALOGUE)


def test_every_column_is_a_row_of_the_document_first_cell_verbatim() -> None:
    text = DOC.read_text(encoding="utf-8")
    first_cells = {line.split("|")[1].strip() for line in text.splitlines()
                   if line.startswith("| ") and not line.startswith("| Catalogue")}
    missing = {c.column for c in CATALOGUE} - first_cells
    assert not missing


def test_document_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == generate_field_mapping()


def test_every_model_field_is_a_catalogue_column_or_a_documented_extra() -> None:
    mapped = {c.path for c in CATALOGUE if c.path}
    leaves = set(leaf_paths())
    assert leaves == mapped | set(EXTRA_FIELDS)
    assert not mapped & set(EXTRA_FIELDS)


@pytest.mark.parametrize("column", [c for c in CATALOGUE if c.path], ids=lambda c: c.column)
def test_mapped_paths_resolve_to_elements_by_the_one_rule(column: CatalogueColumn) -> None:
    assert column.path is not None
    element, fp = resolve(column.path)
    assert element.startswith("HOC_BA/DU_LIEU_HOC_BA/")
    assert element.endswith("/" + fp.name.upper())
    assert fp.model is None  # a catalogue column is a leaf value, never a group


def _snapshot() -> list[tuple[str, str]]:
    lines = SNAPSHOT.read_text(encoding="utf-8").splitlines()
    return [(t, c) for t, c in (line.split("\t") for line in lines if not line.startswith("#"))]


def test_catalogue_table_matches_the_column_snapshot_in_order() -> None:
    assert [(c.table, c.column) for c in CATALOGUE] == _snapshot()


def test_snapshot_matches_the_reference_catalogue_when_present() -> None:
    """The snapshot was extracted from the catalogue reference; re-check when it is beside."""
    if REFERENCE.is_file():
        text = REFERENCE.read_text(encoding="utf-8")
        columns: list[tuple[str, str]] = []
        for section in ("2.1", "2.2", "2.3", "2.4"):
            start = text.index(f"### {section} ")
            end = text.index("\n### ", start + 1)
            match = re.search(r"`([a-z_]+)`", text[start:end])
            assert match is not None
            for col in re.findall(r"^\| \d+ \| `([a-z0-9_]+)` \|", text[start:end], re.M):
                columns.append((match.group(1), col))
        assert columns == _snapshot()
    assert len(_snapshot()) == 112
