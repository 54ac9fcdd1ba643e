"""docs/records.md: its example builds a valid record from plain rows, and its tables (classes,
code lists) and the JSON Schema's enums are generated from the code, so they cannot drift."""

from __future__ import annotations

import json
import re
from enum import Enum
from pathlib import Path

import pytest

from hocbaso.models import MON_HOC, DanToc, HocBa, Tinh
from hocbaso.packet import from_xml, is_valid, to_xml
from hocbaso.packet._docgen import (
    code_list_enums,
    generate_code_lists,
    update_records_doc,
)
from hocbaso.packet._xsdgen import generate_json_schema
from hocbaso.tt22 import check_record

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "records.md"
SCHEMA = REPO / "schemas" / "hocba-1.0.schema.json"


def _doc() -> str:
    return DOC.read_text(encoding="utf-8")


def _example() -> str:
    blocks = re.findall(r"```python\n(.*?)```", _doc(), re.S)
    return next(b for b in blocks if "hoc_ba = HocBa(" in b)


def test_example_builds_a_valid_record_that_round_trips() -> None:
    code = _example()
    assert "hocbaso.testing" not in code  # built from the vendor's rows, not the generator
    namespace: dict[str, object] = {"__name__": "records_example"}
    exec(compile(code, "docs/records.md", "exec"), namespace)  # our own documentation
    hoc_ba = namespace["hoc_ba"]
    assert isinstance(hoc_ba, HocBa)
    assert check_record(hoc_ba).ok
    packet = to_xml(hoc_ba)
    assert is_valid(packet) and is_valid(packet, engine="xmlschema")
    assert from_xml(packet) == hoc_ba
    assert to_xml(from_xml(packet)) == packet
    # Every nested class of the record is built in the walk-through.
    for cls in ("ThongTinChung", "ThongTinTruong", "DiaChiTruong", "HocSinh", "DiaChi",
                "QuaTrinhHocTap", "TongKet", "ChungChi", "NguoiKy", "DiemTongKet"):  # fmt: skip
        assert f"{cls}(" in code, cls


def test_generated_tables_are_current() -> None:
    text = _doc()
    assert update_records_doc(text) == text
    assert generate_code_lists() in text


def test_every_code_of_every_list_is_a_table_row() -> None:
    text = _doc()
    enums = code_list_enums()
    assert {DanToc, Tinh} <= set(enums)
    for enum in enums:
        for m in enum:
            row = f"| `{m.value}` | {getattr(m, 'nhan', m.name)} | `{enum.__name__}.{m.name}` |"
            assert row in text, row
    for ma, info in MON_HOC.items():
        assert f"| `{ma}` | {info.ten} |" in text


def test_ethnicity_labels_as_corrected_appear_in_the_docs() -> None:
    text = _doc()
    assert "| `31` | Tà-ôi |" in text and "| `47` | Co Lao |" in text


def test_json_schema_is_current() -> None:
    assert SCHEMA.read_text(encoding="utf-8") == generate_json_schema()


@pytest.mark.parametrize("enum", list(code_list_enums()), ids=lambda e: e.__name__)
def test_json_schema_code_lists_are_enums_with_labels(enum: type[Enum]) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    entry = schema["$defs"][enum.__name__]
    assert entry["enum"] == [m.value for m in enum]
    assert entry["oneOf"] == [
        {"const": m.value, "description": getattr(m, "nhan", m.name)} for m in enum
    ]


def test_json_schema_subject_codes_are_an_enum_with_names() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    prop = schema["$defs"]["DiemTongKet"]["properties"]["ma_mon_hoc"]
    assert set(prop["enum"]) == set(MON_HOC)
    assert {o["const"]: o["description"] for o in prop["oneOf"]} == {
        ma: info.ten for ma, info in MON_HOC.items()
    }
