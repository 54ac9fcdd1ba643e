"""The subject-code uniqueness the data schema leaves out (``verify/_format.py``, point 4).

The bundled XSD declares two ``xs:unique`` constraints on ``HOC_BA`` (the rows' subject codes,
the subject-teacher slots' ``MA_MON_HOC``); step 3 already refuses a repeat of either as a
document-level failure, so the data schema is built without them. Where step 3 is not fatal,
the data schema must say "valid" exactly where the full XSD does; the fast FORMAT step must
never say "valid" where the full XSD does not; ``verify`` must give the same report with it on
and off; and step 3 must stay fatal on each kind of repeat (the premise).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from hocbaso.packet import parse_xml, to_xml
from hocbaso.packet._schema import _lxml_schema
from hocbaso.testing import tao_hoc_ba
from hocbaso.testing.pki import TEST_NOW
from hocbaso.verify import CrlSet, TrustStore, verify
from hocbaso.verify import _format as fmt
from hocbaso.verify._policy import STRICT
from hocbaso.verify._structure import check_structure

_XS = "{http://www.w3.org/2001/XMLSchema}"
_CODES = ["15", "19", "015", "1", "1500", " 15", "15 ", "x", ""]
_OPS = ("copy_code", "set_code", "copy_slot", "set_slot", "drop_slot", "duplicate_row",
        "comment_in_code", "cdata_code", "pi_before_code", "swap_codes")  # fmt: skip


def _mutate(root: etree._Element, op: str, i: int, j: int, k: int) -> None:
    rows = list(root.iter("DIEM_TONG_KET"))
    slots = list(root.iterfind("DANH_SACH_THONG_TIN_KY/DANH_SACH_GVBM/GVBM"))
    row, other = rows[i % len(rows)], rows[j % len(rows)]
    ma = row.find("MA_MON_HOC")
    assert ma is not None
    if op == "copy_code":
        ma.text = other.findtext("MA_MON_HOC")
    elif op == "set_code":
        ma.text = _CODES[k % len(_CODES)]
    elif op == "copy_slot":
        slots[i % len(slots)].set("MA_MON_HOC", slots[j % len(slots)].get("MA_MON_HOC", ""))
    elif op == "set_slot":
        slots[i % len(slots)].set("MA_MON_HOC", _CODES[k % len(_CODES)])
    elif op == "drop_slot":
        slots[i % len(slots)].attrib.pop("MA_MON_HOC", "")
    elif op == "duplicate_row":
        row.addnext(copy.deepcopy(row))
    elif op == "comment_in_code":
        text = ma.text or ""
        ma.text = text[:1]
        comment = etree.Comment("c")
        comment.tail = text[1:]
        ma.append(comment)
    elif op == "cdata_code":
        ma.text = etree.CDATA(other.findtext("MA_MON_HOC") or "")
    elif op == "pi_before_code":
        row.insert(0, etree.ProcessingInstruction("p"))
    elif op == "swap_codes":
        other_ma = other.find("MA_MON_HOC")
        assert other_ma is not None
        ma.text, other_ma.text = other_ma.text, ma.text


def _answers(data: bytes) -> tuple[bool, bool, bool]:
    """(data schema, step 3 fatal, full XSD) for a packet the hardened parser accepts."""
    doc = parse_xml(data)
    schema = fmt.data_schema()
    assert schema is not None
    fatal = check_structure(doc, STRICT).fatal
    return bool(schema.validate(doc)), fatal, bool(_lxml_schema().validate(parse_xml(data)))


_STEPS = st.lists(
    st.tuples(st.sampled_from(_OPS), st.integers(0, 99), st.integers(0, 99), st.integers(0, 99)),
    min_size=1,
    max_size=3,
)


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 5), steps=_STEPS)
def test_unsigned_records_agree_with_the_full_xsd(seed: int, steps: list[Any]) -> None:
    root = etree.fromstring(to_xml(tao_hoc_ba(seed)))
    for step in steps:
        _mutate(root, *step)
    data_ok, fatal, full = _answers(etree.tostring(root))
    assert not (data_ok and not fatal) or full
    if not fatal:
        assert data_ok == full


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=_STEPS)
def test_signed_records_give_the_same_report(
    genuine: bytes, trust: TrustStore, crl: Any, steps: list[Any]
) -> None:
    root = etree.fromstring(genuine)
    for step in steps:
        _mutate(root, *step)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    data_ok, fatal, full = _answers(data)
    assert not (data_ok and not fatal) or full
    crls = CrlSet([crl])
    before = fmt.ENABLED
    try:
        fmt.ENABLED = False
        without = verify(data, trust, at=TEST_NOW, crls=crls)
    finally:
        fmt.ENABLED = before
    with_fast = verify(data, trust, at=TEST_NOW, crls=crls)
    assert with_fast.steps == without.steps
    assert with_fast.ok == without.ok


@pytest.mark.parametrize("op", ["copy_code", "copy_slot", "swap_codes"])
def test_step_3_is_fatal_on_a_repeated_code(genuine: bytes, op: str) -> None:
    """The premise: a subject code repeated among the rows or among the subject-teacher
    slots (as the schema reads it: string-value, CDATA or not) stops step 3, and the full XSD
    refuses it too; a swap repeats nothing, and only breaks the rows' Ids."""
    for row, other in ((0, 1), (2, 0)):
        root = parse_xml(genuine)
        _mutate(root, op, row, other, 0)
        data = etree.tostring(root)
        data_ok, fatal, full = _answers(data)
        assert fatal
        assert data_ok  # the data schema no longer sees it: step 3 must
        assert full == (op == "swap_codes")
    root = parse_xml(genuine)
    _mutate(root, "cdata_code", 0, 1, 0)
    assert _answers(etree.tostring(root))[1]
    assert not check_structure(parse_xml(genuine), STRICT).fatal


def test_the_data_schema_leaves_out_exactly_the_bundled_constraints() -> None:
    full = fmt._load_schema_doc().getroot()
    hoc_ba = next(e for e in full.iterchildren(f"{_XS}element") if e.get("name") == "HOC_BA")
    shapes = [
        [(c.tag, c.get("xpath")) for c in u.iterchildren(etree.Element)]
        for u in hoc_ba.iterchildren(f"{_XS}unique")
    ]
    assert shapes == fmt._UNIQUE_SHAPES


def test_a_constraint_declared_otherwise_turns_the_fast_path_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    doc = fmt._load_schema_doc()
    selector = next(doc.getroot().iter(f"{_XS}selector"))
    selector.set("xpath", "DU_LIEU_HOC_BA/BANG_DIEM/*")
    monkeypatch.setattr(fmt, "_load_schema_doc", lambda: doc)
    fmt.data_schema.cache_clear()
    try:
        assert fmt.data_schema() is None
    finally:
        monkeypatch.undo()
        fmt.data_schema.cache_clear()
    assert fmt.data_schema() is not None
