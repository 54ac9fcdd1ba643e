"""The lifelong learning record number (mã số hồ sơ học tập suốt đời, Nghị định 88/2026/NĐ-CP):
optional, bounded text, carried by the model, the packet, the XSD and the JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hocbaso.errors import ModelError
from hocbaso.models import HocBa, HocSinh
from hocbaso.packet import from_xml, is_valid, parse_xml, to_xml
from hocbaso.testing import tao_hoc_ba
from hocbaso.testing.strategies import ma_so_suot_doi

REPO = Path(__file__).resolve().parents[2]
FIELD = "ma_so_ho_so_hoc_tap_suot_doi"
TAG = "MA_SO_HO_SO_HOC_TAP_SUOT_DOI"


def _with(value: object) -> HocBa:
    hb = tao_hoc_ba(3)
    data = hb.model_dump()
    data["thong_tin_hoc_ba"]["hoc_sinh"][FIELD] = value
    return HocBa(**data)


def test_optional_and_absent_by_default() -> None:
    assert HocSinh.model_fields[FIELD].is_required() is False
    hb = _with(None)
    assert hb.thong_tin_hoc_ba.hoc_sinh.ma_so_ho_so_hoc_tap_suot_doi is None
    assert TAG.encode() not in to_xml(hb)


def test_written_beside_the_students_identifiers() -> None:
    hb = _with("HTSD-0001/2027")
    root = parse_xml(to_xml(hb))
    hs = root.find("DU_LIEU_HOC_BA/THONG_TIN_HOC_BA/HOC_SINH")
    assert hs is not None
    tags = [child.tag for child in hs]
    assert tags.index(TAG) == tags.index("SO_DINH_DANH") + 1
    assert hs.findtext(TAG) == "HTSD-0001/2027"
    assert from_xml(to_xml(hb)) == hb


@pytest.mark.parametrize("value", ["A", "0" * 50, "79-2027.000123_x/1", "  HT123  "])
def test_accepted_shapes(value: str) -> None:
    hb = _with(value)
    assert hb.thong_tin_hoc_ba.hoc_sinh.ma_so_ho_so_hoc_tap_suot_doi == value.strip()
    assert is_valid(to_xml(hb)) and is_valid(to_xml(hb), engine="xmlschema")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("0" * 51, "MODEL.TOO_LONG"),
        ("HT 123", "MODEL.PATTERN"),  # no inner space
        ("-123", "MODEL.PATTERN"),  # starts with a letter or digit
        ("Mã123", "MODEL.PATTERN"),  # ASCII only until the shape is published
        ("", "MODEL.PATTERN"),
        (12345, "MODEL.TYPE"),
    ],
)
def test_refused_shapes(value: object, code: str) -> None:
    with pytest.raises(ModelError) as e:
        _with(value)
    assert e.value.code == code
    assert e.value.path == f"THONG_TIN_HOC_BA/HOC_SINH/{TAG}"


def test_xsd_bounds_it_like_the_model() -> None:
    packet = to_xml(_with("HT1"))
    assert is_valid(packet)
    assert not is_valid(packet.replace(b">HT1<", b">" + b"1" * 51 + b"<"))
    assert not is_valid(packet.replace(b">HT1<", b">H T<"))


def test_json_schema_has_it_optional_and_bounded() -> None:
    schema = json.loads((REPO / "schemas" / "hocba-1.0.schema.json").read_text(encoding="utf-8"))
    hs = schema["$defs"]["HocSinh"]
    assert FIELD not in hs["required"]
    alternatives = hs["properties"][FIELD]["anyOf"]
    text = next(a for a in alternatives if a.get("type") == "string")
    assert text["maxLength"] == 50
    assert {"type": "null"} in alternatives


def test_field_mapping_says_it_is_ours_not_the_catalogues() -> None:
    doc = (REPO / "docs" / "field-mapping.md").read_text(encoding="utf-8")
    extra = doc[doc.index("## Fields hocbaso adds") :]
    row = next(line for line in extra.splitlines() if f"`{FIELD}`" in line or FIELD in line)
    assert "not a catalogue column" in row and "88/2026/NĐ-CP" in row


@settings(max_examples=40)
@given(st.none() | ma_so_suot_doi())
def test_round_trips_through_the_packet(value: str | None) -> None:
    hb = _with(value)
    packet = to_xml(hb)
    assert from_xml(packet) == hb
    assert to_xml(from_xml(packet)) == packet
