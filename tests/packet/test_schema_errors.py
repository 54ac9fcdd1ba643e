"""Schema failures: typed errors naming the element path and the rule, never the value."""

from __future__ import annotations

import pytest

from hocbaso.errors import ModelError, SchemaError
from hocbaso.packet import from_xml, iter_errors, to_xml, validate
from hocbaso.testing import tao_hoc_ba

PACKET = to_xml(tao_hoc_ba(8))
RECORD = tao_hoc_ba(8)
SECRET_ID = RECORD.thong_tin_hoc_ba.hoc_sinh.so_dinh_danh


def _replace(old: bytes, new: bytes, count: int = 1) -> bytes:
    assert old in PACKET
    return PACKET.replace(old, new, count if count else -1)


CASES = [
    ("score out of range", b"<DIEM_CA_NAM>", b"<DIEM_CA_NAM>1", "FORMAT.PATTERN",
     "DIEM_CA_NAM"),
    ("missing required element", b"NX_GVCN>", b"NX_GVCX>", "FORMAT.CONTENT", "TONG_KET"),
    ("unknown level code", b"<REN_LUYEN_CA_NAM>", b"<REN_LUYEN_CA_NAM>X", "FORMAT.ENUMERATION",
     "REN_LUYEN_CA_NAM"),
    ("personal ID pattern", f"<SO_DINH_DANH>{SECRET_ID}".encode(),
     f"<SO_DINH_DANH>{SECRET_ID}9".encode(), "FORMAT.PATTERN", "SO_DINH_DANH"),
    ("wrong data Id", b'Id="data"', b'Id="dulieu"', "FORMAT.ENUMERATION", "DU_LIEU_HOC_BA"),
    ("flag not 0/1", b"<TRICH_LUC>0<", b"<TRICH_LUC>true<", "FORMAT.PATTERN", "TRICH_LUC"),
]


@pytest.mark.parametrize("engine", ["lxml", "xmlschema"])
@pytest.mark.parametrize(("old", "new", "code", "where"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_schema_error_has_path_and_rule(
    engine: str, old: bytes, new: bytes, code: str, where: str
) -> None:
    bad = _replace(old, new, 0 if old == b"NX_GVCN>" else 1)
    details = list(iter_errors(bad, engine=engine))  # type: ignore[arg-type]
    assert details, "expected a schema error"
    assert any(where in d.path for d in details), [d.path for d in details]
    if engine == "lxml":
        assert any(d.code == code for d in details), [d.code for d in details]
    for d in details:
        assert d.code.startswith("FORMAT.")
        assert SECRET_ID not in d.message_en + d.message_vi + d.path


def test_duplicate_subject_rejected_by_unique_constraint() -> None:
    first_row_start = PACKET.index(b'<DIEM_TONG_KET Id="mon-19">')
    second_code = PACKET.index(b"<MA_MON_HOC>", PACKET.index(b"<DIEM_TONG_KET", first_row_start
                                                             + 10))
    end = PACKET.index(b"</MA_MON_HOC>", second_code)
    bad = PACKET[:second_code] + b"<MA_MON_HOC>19" + PACKET[end:]
    with pytest.raises(SchemaError) as info:
        validate(bad)
    assert any(d.code == "FORMAT.DUPLICATE" for d in info.value.details)


@pytest.mark.parametrize("engine", ["lxml", "xmlschema"])
def test_duplicate_ids_rejected(engine: str) -> None:
    bad = _replace(b'Id="mon-15"', b'Id="mon-19"')
    details = list(iter_errors(bad, engine=engine))  # type: ignore[arg-type]
    assert "FORMAT.DUPLICATE_ID" in {d.code for d in details}
    assert all("mon-19" not in d.message_en for d in details)


def test_from_xml_raises_schema_error_then_model_error() -> None:
    with pytest.raises(SchemaError) as schema_info:
        from_xml(_replace(b"<REN_LUYEN_CA_NAM>", b"<REN_LUYEN_CA_NAM>X"))
    assert schema_info.value.code == "FORMAT.ENUMERATION"
    assert "REN_LUYEN_CA_NAM" in schema_info.value.path
    # XSD-valid but inconsistent with the catalogue: a THPT subject in a THCS record.
    bad = _replace(b"<MA_MON_HOC>19<", b"<MA_MON_HOC>35<").replace(
        b'Id="mon-19"', b'Id="mon-35"').replace(b'MA_MON_HOC="19"', b'MA_MON_HOC="35"')
    with pytest.raises(ModelError) as model_info:
        from_xml(bad)
    assert model_info.value.code == "MODEL.SUBJECT_LEVEL"


def test_schema_error_str_is_bilingual() -> None:
    with pytest.raises(SchemaError) as info:
        validate(_replace(b"<DIEM_CA_NAM>", b"<DIEM_CA_NAM>1"))
    text = str(info.value)
    assert "lược đồ" in text and "schema" in text
