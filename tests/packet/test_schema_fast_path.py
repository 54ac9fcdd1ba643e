"""libxml2's yes or no for the bundled schema, answered without its identity constraints plus a
check of those constraints here (``_lxml_valid``), is the full schema's answer.

The ``xs:unique`` machinery cost about a fifth of a record's XSD check; the reduced schema
keeps every other rule and the two constraints (a subject once in the score table, once among
the subject teachers' signature slots) are checked on the values libxml2 compares. These
tests pin the constraint table to the XSD and compare both answers on generated packets and
on packets mutated where the constraints bite: repeated codes, codes split by comments,
padded or emptied codes, missing or extra slots.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from hocbaso.errors import SchemaError
from hocbaso.packet import is_valid, parse_xml, to_xml, validate
from hocbaso.packet._schema import (
    _UNIQUE,
    _XS,
    _load_schema_doc,
    _lxml_schema,
    _lxml_valid,
    iter_errors,
    schema_path,
)
from hocbaso.testing.strategies import hoc_ba


def test_the_constraint_table_is_every_identity_constraint_of_the_xsd() -> None:
    root = _load_schema_doc(schema_path()).getroot()
    constraints = [
        el
        for kind in ("unique", "key", "keyref")
        for el in root.iter(f"{_XS}{kind}")
    ]
    found = set()
    for el in constraints:
        assert el.tag == f"{_XS}unique"  # a key or keyref would need a check of its own
        selector = el.find(f"{_XS}selector")
        fields = el.findall(f"{_XS}field")
        assert selector is not None and len(fields) == 1
        parent = el.getparent()
        assert parent is not None and parent.get("name") == "HOC_BA"  # paths are from the root
        found.add((selector.get("xpath"), fields[0].get("xpath")))
    assert found == {(selector, field) for selector, field, _, _ in _UNIQUE}
    assert len(constraints) == len(_UNIQUE)


_OPS = st.sampled_from(
    ["dup_row", "dup_slot", "split", "split_dup", "pad", "empty", "drop_attr", "extra_slot",
     "comment_slot", "none"]
)


@st.composite
def _mutated(draw: Any) -> etree._Element:
    root = parse_xml(to_xml(draw(hoc_ba())))
    codes = root.findall("DU_LIEU_HOC_BA/BANG_DIEM/DIEM_TONG_KET/MA_MON_HOC")
    slots = root.findall("DANH_SACH_THONG_TIN_KY/DANH_SACH_GVBM/GVBM")
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        op = draw(_OPS)
        code = draw(st.sampled_from(codes))
        other = draw(st.sampled_from(codes))
        slot = draw(st.sampled_from(slots))
        if op == "dup_row":
            code.text = other.text
        elif op == "dup_slot":
            slot.set("MA_MON_HOC", draw(st.sampled_from(slots)).get("MA_MON_HOC", "15"))
        elif op in ("split", "split_dup"):
            # "1<!--x-->5": libxml2 compares "15", the element's whole string value.
            text = (other if op == "split_dup" else code).text or "15"
            for child in list(code):
                code.remove(child)
            code.text = text[:1]
            comment = etree.Comment("x")
            comment.tail = text[1:]
            code.append(comment)
        elif op == "pad":
            code.text = f" {code.text}"
        elif op == "empty":
            code.text = None
        elif op == "drop_attr":
            slot.attrib.pop("MA_MON_HOC", None)
        elif op == "extra_slot":
            slot.addnext(copy.deepcopy(slot))
        elif op == "comment_slot":
            slot.addprevious(etree.Comment("GVBM"))
    return root


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated())
def test_the_cheaper_answer_is_the_full_schemas(root: etree._Element) -> None:
    expected = bool(_lxml_schema().validate(root))
    assert _lxml_valid(root) == expected
    assert is_valid(root) == expected
    details = tuple(iter_errors(root))
    assert bool(details) != expected
    try:
        validate(root)
    except SchemaError as exc:
        assert not expected
        assert exc.details == details
    else:
        assert expected


def test_a_code_repeated_through_a_comment_is_still_refused() -> None:
    """"15" and "1<!--x-->5" are the same value to libxml2; the cheaper check cannot see that
    from text nodes and must leave the answer to the full schema, which refuses."""
    from hocbaso.models import Khoi
    from hocbaso.testing import tao_hoc_ba

    root = parse_xml(to_xml(tao_hoc_ba(42, Khoi.K12)))
    first, second = root.findall("DU_LIEU_HOC_BA/BANG_DIEM/DIEM_TONG_KET/MA_MON_HOC")[:2]
    value = first.text or ""
    second.text = value[:1]
    comment = etree.Comment("x")
    comment.tail = value[1:]
    second.append(comment)
    assert not _lxml_schema().validate(root)
    assert not _lxml_valid(root)
    assert any(d.code == "FORMAT.DUPLICATE" for d in iter_errors(root))
