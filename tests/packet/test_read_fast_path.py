"""The fast reading path gives exactly what the plain reference gives: the same record, or the
same error (type, code, path and every detail), over generated records and mutated packets.

The fast path (docs/packet.md §Speed) is three changes, each checked here against what it
replaced: the element walk (``_read_fast``, falling back to ``_read`` for anything unusual),
``validate`` answering libxml2's yes without building details, and the XSD's no-outer-space
pattern written deterministically. The result table of ``parse_ket_qua`` (every form the
packet writes) is checked against its general branch, and the data block's children scan
against ElementPath's ``find``.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from hocbaso.errors import HocBaSoError, SchemaError
from hocbaso.models import DanhGiaNhanXet, HocBa, Khoi
from hocbaso.models._types import _EXACT, _NO_OUTER_SPACE, _parse_ket_qua, format_ket_qua
from hocbaso.packet import from_xml, parse_xml, read_hoc_ba, to_xml
from hocbaso.packet._codec import _child, _read_hoc_ba_reference
from hocbaso.packet._schema import iter_errors
from hocbaso.testing import tao_hoc_ba
from hocbaso.testing.strategies import hoc_ba


def _reference_from_xml(data: bytes, *, validate: bool) -> HocBa:
    """``from_xml`` as it was written before the fast path: every schema detail built, then
    the plain element-by-element reading."""
    root = parse_xml(data)
    if validate:
        details = tuple(iter_errors(root))
        if details:
            raise SchemaError.from_details(
                details, "Packet does not match the schema: ", "Gói tin không khớp lược đồ: "
            )
    return _read_hoc_ba_reference(root)


def _outcome(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, ...]:
    try:
        record = fn(*args, **kwargs)
    except HocBaSoError as exc:
        details = tuple((d.code, d.path, d.message_en, d.message_vi) for d in exc.details)
        return ("error", type(exc), exc.code, exc.path, exc.message_en, details)
    # repr of the dump tells Decimal("8.0") from Decimal("8.00"), which == would not.
    return ("record", record, repr(record.model_dump()))


# Text a mutation may put into an element: the results' words and digits, whitespace that XSD
# and Python treat differently (NBSP), a combining accent (NFC), markup-looking characters.
_TEXT = st.text(
    st.sampled_from(list("0123456789.ĐCMđ TKa-\t\n\xa0\u0301<&x")), max_size=12
) | st.sampled_from(["8.0", "10.0", "10", "7.25", "Đ", "CĐ", " Đ ", "M", "D\u0301", "", "1", "0"])


_CONTAINERS = frozenset({"QUA_TRINH_HOC_TAP", "DANH_SACH_CHUNG_CHI", "BANG_DIEM"})


@st.composite
def _mutated(draw: Any) -> tuple[bytes, etree._Element]:
    """A packet of a generated record with one to three edits inside its data block."""
    record = draw(hoc_ba())
    root = parse_xml(to_xml(record))
    data = root.find("DU_LIEU_HOC_BA")
    assert data is not None
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        elements = [el for el in data.iter(etree.Element) if el is not data]
        op = draw(st.sampled_from(
            ["text", "comment", "pi", "repeat", "unknown", "drop", "swap", "text"]
        ))
        if not elements:
            break  # everything was dropped
        if op == "text":
            leaves = [el for el in elements if len(el) == 0]
            if leaves:
                draw(st.sampled_from(leaves)).text = draw(st.none() | _TEXT)
            continue
        # Edits inside an element with children (a container of items, a nested model, a
        # row) are the ones the two readings could treat differently; aim there often.
        inner = [el for el in elements if len(el)]
        containers = [el for el in inner if el.tag in _CONTAINERS]
        target = draw(st.one_of([st.sampled_from(g) for g in (containers, inner, elements) if g]))
        parent = target.getparent()
        assert parent is not None
        position = draw(st.integers(0, len(target)))
        if op == "comment":
            target.insert(position, etree.Comment("ghi chú"))
        elif op == "pi":
            target.insert(position, etree.ProcessingInstruction("x"))
        elif op == "unknown":
            target.insert(position, etree.Element("KHONG_CO"))
        elif op == "repeat":
            target.addnext(copy.deepcopy(target))
        elif op == "drop":
            parent.remove(target)
        else:
            following = target.getnext()
            if following is not None:
                following.addnext(target)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8"), data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated())
def test_fast_reading_equals_the_reference_on_mutated_packets(
    case: tuple[bytes, etree._Element],
) -> None:
    packet, data = case
    for validate in (True, False):
        assert _outcome(from_xml, packet, validate=validate) == _outcome(
            _reference_from_xml, packet, validate=validate
        )
    # The tree itself, comments and processing instructions included (the verifier reads a
    # bare DU_LIEU_HOC_BA element).
    assert _outcome(read_hoc_ba, data) == _outcome(_read_hoc_ba_reference, data)


@settings(max_examples=40, deadline=None)
@given(hoc_ba())
def test_fast_reading_equals_the_reference_on_valid_records(record: HocBa) -> None:
    packet = to_xml(record)
    fast = _outcome(from_xml, packet)
    assert fast == _outcome(_reference_from_xml, packet, validate=True)
    assert fast[0] == "record" and fast[1] == record


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        (b"<MA_MON_HOC>15<", b"<MA_MON_HOC>19<", "FORMAT.DUPLICATE"),  # reference: validates
        (b"<TEN_LOP>", b"<TEN_LOP> ", "FORMAT.PATTERN"),
        (b"<DIEM_CA_NAM>", b"<DIEM_CA_NAM>1", "FORMAT.PATTERN"),
    ],
)
def test_schema_errors_are_the_reference_details(old: bytes, new: bytes, code: str) -> None:
    packet = to_xml(tao_hoc_ba(42, Khoi.K12))
    assert old in packet
    bad = packet.replace(old, new, 1)
    fast = _outcome(from_xml, bad)
    assert fast == _outcome(_reference_from_xml, bad, validate=True)
    assert fast[2] == code or any(d[0] == code for d in fast[5])


_OLD_NO_OUTER_SPACE = r"\S((\s|\S)*\S)?"


def _pattern_schema(pattern: str) -> etree.XMLSchema:
    escaped = pattern.replace("&", "&amp;").replace('"', "&quot;")
    return etree.XMLSchema(etree.fromstring(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        '<xs:element name="v"><xs:simpleType><xs:restriction base="xs:string">'
        f'<xs:pattern value="{escaped}"/></xs:restriction></xs:simpleType></xs:element>'
        "</xs:schema>"
    ))


_OLD_SCHEMA = _pattern_schema(_OLD_NO_OUTER_SPACE)
_NEW_SCHEMA = _pattern_schema(_NO_OUTER_SPACE)


@settings(max_examples=400)
@given(st.text(st.sampled_from(list(" \t\n\rab\xa0\u2003Đ.")), max_size=8))
def test_the_deterministic_text_pattern_accepts_exactly_what_the_old_one_did(text: str) -> None:
    """libxml2 itself decides, on both patterns, for text made of XSD whitespace (space, tab,
    CR, LF), characters Python calls whitespace but XSD does not (NBSP, em space) and others."""
    assert _NO_OUTER_SPACE != _OLD_NO_OUTER_SPACE
    element = etree.Element("v")
    element.text = text
    assert _NEW_SCHEMA.validate(element) == _OLD_SCHEMA.validate(element)


@pytest.mark.parametrize("word", ["Đ", "CĐ", "M", "8.0", "10.0", "0.5"])
def test_result_word_table_equals_the_general_branch(word: str) -> None:
    """The exact forms take a table lookup; padded, they go through the general branch
    (NFC, trim, regex), which must give the very same value."""
    fast, general = _parse_ket_qua(word), _parse_ket_qua(f" {word}\n")
    assert fast == general and type(fast) is type(general)
    if isinstance(fast, Decimal):
        assert fast.as_tuple() == general.as_tuple()
    else:
        assert fast is general


def test_every_exact_result_is_the_general_branch_and_every_written_form_is_exact() -> None:
    """The table ``_parse_ket_qua`` answers a packet's results from holds, for each text, the
    very value the general branch (NFC, trim, regex) gives; and every result the writer
    produces (``format_ket_qua``) is in it, so a packet's results never take the long way."""
    for text, value in _EXACT.items():
        general = _parse_ket_qua(f" {text}\n")
        assert value == general and type(value) is type(general)
        if isinstance(value, Decimal):
            assert isinstance(general, Decimal) and value.as_tuple() == general.as_tuple()
        else:
            assert value is general
    written = {format_ket_qua(Decimal(n) / 10) for n in range(101)}
    written |= {format_ket_qua(m) for m in DanhGiaNhanXet} | {format_ket_qua("M")}
    assert written == set(_EXACT)


_CHILD_TAGS = st.sampled_from(
    ["DU_LIEU_HOC_BA", "{urn:x}DU_LIEU_HOC_BA", "BANG_DIEM", "{urn:y}BANG_DIEM", "X", "#c", "#pi"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_CHILD_TAGS, max_size=6), st.sampled_from(["DU_LIEU_HOC_BA", "BANG_DIEM"]))
def test_child_lookup_is_elementpath_find(tags: list[str], wanted: str) -> None:
    """``_child`` (a C-level scan of the children) finds what ``find`` found: the first child
    element of that name in no namespace, past comments, processing instructions and
    namespaced elements of the same local name."""
    parent = etree.Element("P")
    for tag in tags:
        if tag == "#c":
            parent.append(etree.Comment("DU_LIEU_HOC_BA"))
        elif tag == "#pi":
            parent.append(etree.ProcessingInstruction("BANG_DIEM"))
        else:
            etree.SubElement(parent, tag)
    expected = parent.find(wanted)
    assert _child(parent, wanted) is expected
