"""Record ⇄ packet: round trips, determinism, layout, and validation by both XSD engines."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from lxml import etree

from hocbaso.models import HocBa, Khoi
from hocbaso.packet import (
    from_xml,
    is_valid,
    iter_errors,
    parse_xml,
    schema_dir,
    schema_path,
    to_element,
    to_xml,
    validate,
)
from hocbaso.packet._xsdgen import JSON_SCHEMA_NAME, XSD_NAME, generate_json_schema, generate_xsd
from hocbaso.testing import tao_hoc_ba, tao_lop
from hocbaso.testing.strategies import hoc_ba

REPO = Path(__file__).resolve().parents[2]


@given(hoc_ba())
def test_record_xml_record_is_equal(record: HocBa) -> None:
    assert from_xml(to_xml(record)) == record


@given(hoc_ba())
def test_xml_record_xml_is_byte_identical(record: HocBa) -> None:
    packet = to_xml(record)
    assert to_xml(from_xml(packet)) == packet


@settings(max_examples=15)
@given(hoc_ba())
def test_every_generated_packet_validates_with_both_engines(record: HocBa) -> None:
    packet = to_xml(record)
    assert list(iter_errors(packet, engine="lxml")) == []
    assert list(iter_errors(packet, engine="xmlschema")) == []


@pytest.mark.parametrize("khoi", list(Khoi))
def test_each_grade_validates(khoi: Khoi) -> None:
    packet = to_xml(tao_hoc_ba(11, khoi))
    assert is_valid(packet) and is_valid(packet, engine="xmlschema")


def test_output_is_deterministic() -> None:
    assert to_xml(tao_hoc_ba(5)) == to_xml(tao_hoc_ba(5))
    assert to_xml(tao_hoc_ba(5)) != to_xml(tao_hoc_ba(6))


def test_layout_ids_and_empty_slots() -> None:
    record = tao_hoc_ba(2, Khoi.K11)
    root = parse_xml(to_xml(record))
    assert root.tag == "HOC_BA" and root.get("PHIEN_BAN_DINH_DANG") == "1.0"
    assert [c.tag for c in root] == ["DU_LIEU_HOC_BA", "DANH_SACH_THONG_TIN_KY", "PHAT_HANH_HOC_BA"]
    assert root.find("DU_LIEU_HOC_BA").get("Id") == "data"
    assert root.find("DU_LIEU_HOC_BA/THONG_TIN_HOC_BA").get("Id") == "thongtinhocba"
    rows = root.findall("DU_LIEU_HOC_BA/BANG_DIEM/DIEM_TONG_KET")
    slots = root.findall("DANH_SACH_THONG_TIN_KY/DANH_SACH_GVBM/GVBM")
    assert [r.get("Id") for r in rows] == [f"mon-{m.ma_mon_hoc}" for m in record.bang_diem]
    assert [s.get("MA_MON_HOC") for s in slots] == [m.ma_mon_hoc for m in record.bang_diem]
    for path in ("DANH_SACH_THONG_TIN_KY/GVCN", "PHAT_HANH_HOC_BA/CBQL",
                 "PHAT_HANH_HOC_BA/KY_PHAT_HANH", *(f"DANH_SACH_THONG_TIN_KY/DANH_SACH_GVBM/"
                                                    f"GVBM[{i}]" for i in range(1, 3))):
        slot = root.find(path)
        assert slot is not None and len(slot) == 0
    assert to_xml(record).startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<HOC_BA')


def test_element_names_follow_the_one_rule() -> None:
    record = tao_hoc_ba(1)
    root = parse_xml(to_xml(record))
    hs = root.find("DU_LIEU_HOC_BA/THONG_TIN_HOC_BA/HOC_SINH")
    assert hs is not None
    names = [c.tag for c in hs]
    expected = [n.upper() for n, v in record.thong_tin_hoc_ba.hoc_sinh if v is not None]
    assert names == expected


def test_a_class_of_forty_is_valid_and_distinct() -> None:
    lop = tao_lop(7, Khoi.K09, 40)
    packets = [to_xml(h) for h in lop]
    assert all(is_valid(p) for p in packets)
    assert len({h.ma_dinh_danh_hoc_ba for h in lop}) == 40
    assert len({h.thong_tin_hoc_ba.hoc_sinh.so_dinh_danh for h in lop}) == 40
    assert len({h.thong_tin_hoc_ba.nguoi_ky.so_ddcn_gvcn for h in lop}) == 1


def test_committed_schemas_are_generated_from_the_models() -> None:
    assert (REPO / "schemas" / XSD_NAME).read_text(encoding="utf-8") == generate_xsd()
    assert (REPO / "schemas" / JSON_SCHEMA_NAME).read_text(encoding="utf-8") == (
        generate_json_schema()
    )
    assert schema_path() == schema_dir() / XSD_NAME and schema_path().is_file()


def test_signed_form_validates_too() -> None:
    """A slot may hold a ds:Signature with the SigningTime property in its own namespace."""
    packet = to_xml(tao_hoc_ba(4))
    root = parse_xml(packet)
    gvcn = root.find("DANH_SACH_THONG_TIN_KY/GVCN")
    ds = "http://www.w3.org/2000/09/xmldsig#"
    sig = etree.fromstring(
        f"""<Signature xmlns="{ds}" Id="sig-gvcn"><SignedInfo>
<CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>
<SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>
<Reference URI="#thongtinhocba"><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
<DigestValue>AAAA</DigestValue></Reference></SignedInfo><SignatureValue>AAAA</SignatureValue>
<Object Id="st-gvcn"><SignatureProperties><SignatureProperty Target="#sig-gvcn">
<SigningTime xmlns="urn:hocbaso:signature-properties">2025-05-21T08:30:00+07:00</SigningTime>
</SignatureProperty></SignatureProperties></Object></Signature>""".encode()
    )
    assert gvcn is not None
    gvcn.append(sig)
    assert is_valid(root) and is_valid(root, engine="xmlschema")
    sig.find(".//{urn:hocbaso:signature-properties}SigningTime").text = "2025-05-21T08:30:00"
    assert not is_valid(root)  # a signing time without offset is refused
    validate_errors = list(iter_errors(root, engine="xmlschema"))
    assert validate_errors and all(e.code.startswith("FORMAT.") for e in validate_errors)
    validate(packet)  # the unsigned packet is still valid


def test_reader_refuses_unknown_or_repeated_elements_without_the_xsd() -> None:
    from hocbaso.errors import PacketError

    packet = to_xml(tao_hoc_ba(9))
    unknown = packet.replace(b"<NX_GVCN>", b"<LA>1</LA><NX_GVCN>", 1)
    repeated = packet.replace(b"<TEN_LOP>", b"<TEN_LOP>6A1</TEN_LOP><TEN_LOP>", 1)
    for bad in (unknown, repeated):
        with pytest.raises(PacketError) as info:
            from_xml(bad, validate=False)
        assert info.value.code == "PACKET.UNEXPECTED_ELEMENT"


def test_comments_and_processing_instructions_carry_no_data() -> None:
    record = tao_hoc_ba(10)
    packet = to_xml(record).replace(b"<HO_VA_TEN>", b"<!-- x --><?pi y?><HO_VA_TEN>", 1)
    assert from_xml(packet) == record


def _reference_xml(record: HocBa) -> bytes:
    """The packet serialised by lxml from ``to_element``: the reference the text writer
    ``to_xml`` must equal byte for byte."""
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(
        to_element(record), xml_declaration=False, encoding="UTF-8", pretty_print=True
    )


@settings(max_examples=60)
@given(hoc_ba())
def test_text_writer_equals_the_lxml_reference(record: HocBa) -> None:
    assert to_xml(record) == _reference_xml(record)


def test_text_writer_escapes_like_libxml2() -> None:
    base = tao_hoc_ba(12)
    tricky = 'a < b && c > "d" \'e\'\r\nf\tg ]]> h'
    record = HocBa.model_validate({
        "thong_tin_hoc_ba": base.thong_tin_hoc_ba.model_copy(update={
            "tong_ket": base.thong_tin_hoc_ba.tong_ket.model_copy(update={"nx_gvcn": tricky}),
        }).model_dump(),
        "bang_diem": [r.model_dump() for r in base.bang_diem],
    })
    assert to_xml(record) == _reference_xml(record)
    assert from_xml(to_xml(record)).thong_tin_hoc_ba.tong_ket.nx_gvcn == tricky
