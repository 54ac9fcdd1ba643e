"""Structural fuzzing: whatever is done to a genuine packet, verify() returns a report (never
raises), and the only record a caller can ever read is the genuinely signed one."""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from hocbaso.testing import tao_hoc_ba
from hocbaso.verify import TrustStore, verify

from .conftest import mv

OPS = ("delete", "duplicate", "move", "steal_id", "text", "attribute", "comment", "rename")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_mutations_never_crash_or_leak(
    genuine: bytes, trust: TrustStore, data: st.DataObject
) -> None:
    root = etree.fromstring(genuine)
    elements = [e for e in root.iter(etree.Element) if e is not root]
    ids = [e.get("Id") for e in root.iter(etree.Element) if e.get("Id")]
    steps = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from(OPS),
                st.integers(0, len(elements) - 1),
                st.integers(0, len(elements) - 1),
                st.sampled_from(ids),
                st.text("abc-xyzĐạ0189 ", max_size=8),
                st.sampled_from(["GVBM", "GVCN", "DU_LIEU_HOC_BA", "X"]),
            ),
            min_size=1,
            max_size=3,
        )
    )
    for op, i, j, stolen, text, tag in steps:
        el, dest = elements[i], elements[j]
        parent = el.getparent()
        if parent is None:
            continue
        if op == "delete":
            parent.remove(el)
        elif op == "duplicate":
            el.addnext(copy.deepcopy(el))
        elif op == "move":
            if dest is not el and el not in dest.iterancestors():
                dest.append(el)
        elif op == "steal_id":
            el.set("Id", stolen)
        elif op == "text":
            if len(el) == 0:
                el.text = text
        elif op == "attribute":
            el.set("Id", text.strip() or "x")
        elif op == "comment":
            el.insert(0, etree.Comment("x"))
        elif op == "rename":
            el.tag = tag
    mutated = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    report = verify(mutated, trust, at=mv.VERIFY_AT)
    assert report.record is None or report.record == tao_hoc_ba(0)
    if report.ok:
        assert report.record == tao_hoc_ba(0)
