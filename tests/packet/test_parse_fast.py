"""The hardened parse's shortcuts decide exactly as the checks they shortcut.

* The namespace declarations: ``_namespace_runs_within`` (one C pass) accepts only what the
  exact scan ``_check_namespace_declarations_exact`` accepts, and otherwise the exact scan
  decides, so ``_check_namespace_declarations`` refuses exactly as the exact scan does, with
  the same code, on generated and hostile bytes: floods of declarations on one element and
  over many, inside text, comments, CDATA and attribute values, with whitespace before ``=``
  or ``:``, ``xmlns`` not followed by either, under small limits.
* ``from_xml`` lets the schema settle an unsigned packet's depth (``parse_leaving_depth``,
  ``HOC_BA_DEPTH``): it gives the same record or the same error (type, code, path, messages,
  details) as ``parse_xml`` then ``validate`` then ``read_hoc_ba``, on packets nested deeper
  inside their data block and signature slots, with ``Signature`` elements or the word in a
  comment, with other roots, under small depth limits; and ``HOC_BA_DEPTH`` is recomputed
  here from the XSD.

docs/packet.md §Parsing untrusted XML says why each shortcut is exact.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from hocbaso.errors import HocBaSoError, ParseError
from hocbaso.models import HocBa
from hocbaso.packet import DEFAULT_LIMITS, ParseLimits, from_xml, parse_xml, read_hoc_ba, to_xml
from hocbaso.packet._parser import (
    _NS_RUNS_MAX,
    _check_namespace_declarations,
    _check_namespace_declarations_exact,
    _namespace_runs_within,
    parse_leaving_depth,
)
from hocbaso.packet._schema import HOC_BA_DEPTH, schema_path, validate
from hocbaso.testing import tao_hoc_ba
from hocbaso.testing.strategies import hoc_ba

DS_NS = "http://www.w3.org/2000/09/xmldsig#"


# -- namespace declarations ------------------------------------------------------------------


def _ns_outcome(check: Any, data: bytes, limits: ParseLimits) -> tuple[Any, ...]:
    try:
        check(data, limits)
    except ParseError as exc:
        return ("error", exc.code, exc.message_en, exc.message_vi)
    return ("ok",)


_PIECES = st.sampled_from([
    b"<a", b"<b:c", b">", b"/>", b"</a>", b"<", b" ", b"\n", b"=", b":", b"x", b"xmlns",
    b"xmlnsx", b"xmlns-", b" xmlns='u'", b' xmlns:p="u"', b" xmlns = 'u'", b"xmlns\n:q",
    b"xmlns\t\t=", b" a='xmlns=xmlns:'", b"<!-- xmlns= xmlns:p= -->", b"<![CDATA[xmlns=]]>",
    b"<?pi xmlns=?>", b"text xmlns= xmlns: ", b"xmlns=xmlns=", b"\xc4\x90xmlns=",
])


@st.composite
def _ns_bytes(draw: Any) -> bytes:
    parts = draw(st.lists(
        st.tuples(_PIECES, st.integers(min_value=1, max_value=1) | st.integers(0, 40)),
        max_size=30,
    ))
    return b"".join(piece * n for piece, n in parts)


@st.composite
def _ns_limits(draw: Any) -> ParseLimits:
    if draw(st.booleans()):
        return DEFAULT_LIMITS
    return dataclasses.replace(
        DEFAULT_LIMITS,
        max_namespaces_per_element=draw(st.integers(0, 5) | st.just(16)),
        max_namespaces=draw(st.integers(0, 20) | st.just(256)),
    )


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_ns_bytes(), _ns_limits())
def test_namespace_check_refuses_as_the_exact_scan(data: bytes, limits: ParseLimits) -> None:
    exact = _ns_outcome(_check_namespace_declarations_exact, data, limits)
    assert _ns_outcome(_check_namespace_declarations, data, limits) == exact
    if _namespace_runs_within(data, limits):
        assert exact == ("ok",)


def _signed_like(signatures: int) -> bytes:
    """An unsigned packet whose slots hold signature-shaped elements with declarations as a
    signed packet carries them (three per signature, one per element)."""
    packet = to_xml(tao_hoc_ba(3))
    sig = (
        f'<Signature xmlns="{DS_NS}" Id="s"><Object><QualifyingProperties '
        'xmlns="http://uri.etsi.org/01903/v1.3.2#"><p:X xmlns:p="urn:p">AAAA</p:X>'
        "</QualifyingProperties></Object></Signature>"
    ).encode()
    return packet.replace(b"<GVCN/>", b"<GVCN>" + sig * signatures + b"</GVCN>")


def test_a_signed_packet_is_settled_by_the_one_pass_and_floods_by_the_exact_scan() -> None:
    """The point of the one pass: a signed packet's declarations (one per tag, ~45) need no
    Python step each. A flood over the size cap goes to the exact scan alone; over the cap
    or under, the same code."""
    assert _namespace_runs_within(_signed_like(15), DEFAULT_LIMITS)
    assert _ns_outcome(_check_namespace_declarations, _signed_like(15), DEFAULT_LIMITS) == ("ok",)
    many = _signed_like(86)  # 258 declarations
    assert not _namespace_runs_within(many, DEFAULT_LIMITS)
    over_cap = b"<a xmlns='u'/>" * (_NS_RUNS_MAX // 14 + 10)
    for flood in (many, over_cap, b"<a" + b" xmlns:p='u'" * 17):
        assert _ns_outcome(_check_namespace_declarations, flood, DEFAULT_LIMITS) == _ns_outcome(
            _check_namespace_declarations_exact, flood, DEFAULT_LIMITS
        )
        assert _ns_outcome(_check_namespace_declarations, flood, DEFAULT_LIMITS)[0] == "error"


# -- the depth left to the schema ------------------------------------------------------------


def _outcome(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, ...]:
    try:
        record = fn(*args, **kwargs)
    except HocBaSoError as exc:
        details = tuple((d.code, d.path, d.message_en, d.message_vi) for d in exc.details)
        return ("error", type(exc), exc.code, exc.path, exc.message_en, exc.message_vi, details)
    return ("record", record, repr(record.model_dump()))


def _reference_from_xml(data: bytes, *, limits: ParseLimits) -> HocBa:
    """``from_xml`` before the depth was left to the schema: every parser check, then the XSD,
    then the record."""
    root = parse_xml(data, limits=limits)
    validate(root)
    return read_hoc_ba(root)


def _chain(depth: int, tag: str = "X") -> etree._Element:
    top = el = etree.Element(tag)
    for _ in range(depth - 1):
        el = etree.SubElement(el, tag)
    return top


def _schema_valid_signature(depth: int) -> etree._Element:
    def ds(parent: etree._Element | None, name: str, **attrs: str) -> etree._Element:
        tag = f"{{{DS_NS}}}{name}"
        if parent is None:
            return etree.Element(tag, attrs, nsmap={"ds": DS_NS})
        return etree.SubElement(parent, tag, attrs)

    sig = ds(None, "Signature")
    info = ds(sig, "SignedInfo")
    ds(info, "CanonicalizationMethod", Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#")
    ds(info, "SignatureMethod", Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
    ref = ds(info, "Reference", URI="#data")
    ds(ref, "DigestMethod", Algorithm="http://www.w3.org/2001/04/xmlenc#sha256")
    ds(ref, "DigestValue").text = "AAAA"
    ds(sig, "SignatureValue").text = "AAAA"
    ds(sig, "Object").append(_chain(depth))
    return sig


@st.composite
def _deepened(draw: Any) -> bytes:
    """A generated packet, perhaps nested deeper somewhere, given Signature elements, or
    re-rooted; as bytes, perhaps with the word Signature in a comment only."""
    root = parse_xml(to_xml(draw(hoc_ba())))
    elements = list(root.iter(etree.Element))
    for _ in range(draw(st.integers(0, 2))):
        op = draw(st.sampled_from(
            ["deep", "signature", "deep-signature", "valid-signature", "xsi", "comment"]
        ))
        target = draw(st.sampled_from(elements))
        if op == "deep":
            target.append(_chain(draw(st.integers(1, 40))))
        elif op == "signature":
            target.append(etree.Element(f"{{{DS_NS}}}Signature"))
        elif op == "deep-signature":
            sig = etree.SubElement(target, f"{{{DS_NS}}}Signature")
            obj = etree.SubElement(sig, f"{{{DS_NS}}}Object")
            obj.append(_chain(draw(st.integers(1, 40))))
        elif op == "valid-signature":
            # One the schema accepts in a slot (XML-Signature's Object takes any content), so
            # only the parser's own count keeps its depth from being left to the schema.
            slots = [el for el in elements if el.tag in ("GVBM", "GVCN", "CBQL", "KY_PHAT_HANH")]
            if slots and not len(slot := draw(st.sampled_from(slots))):
                slot.append(_schema_valid_signature(draw(st.integers(1, 40))))
        elif op == "xsi" and target.getparent() is not None:
            # A declared element re-typed to the XML-Signature schema's Object type (any
            # content), the prefix in scope: libxml2 must refuse it, as a type not derived
            # from the declared one.
            retyped = etree.Element(target.tag, dict(target.attrib), nsmap={"ds": DS_NS})
            retyped.set("{http://www.w3.org/2001/XMLSchema-instance}type", "ds:ObjectType")
            retyped.append(_chain(draw(st.integers(1, 8))))
            parent = target.getparent()
            assert parent is not None
            parent.replace(target, retyped)
            elements = list(root.iter(etree.Element))
        elif op == "comment":
            target.append(etree.Comment(" Signature "))
    if draw(st.integers(0, 5)) == 0:
        obj = etree.Element(f"{{{DS_NS}}}Object")
        obj.append(_chain(draw(st.integers(1, 40))))  # valid: Object takes any content
        root = obj
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@st.composite
def _depth_limits(draw: Any) -> ParseLimits:
    if draw(st.booleans()):
        return DEFAULT_LIMITS
    return dataclasses.replace(
        DEFAULT_LIMITS,
        max_depth=draw(st.integers(1, 12)),
        max_signatures=draw(st.integers(0, 2) | st.just(128)),
        max_elements=draw(st.integers(50, 400) | st.just(20_000)),
    )


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_deepened(), _depth_limits())
def test_from_xml_decides_as_parse_then_validate(data: bytes, limits: ParseLimits) -> None:
    assert _outcome(from_xml, data, limits=limits) == _outcome(
        _reference_from_xml, data, limits=limits
    )


def test_an_unsigned_packet_leaves_its_depth_to_the_schema_and_a_signed_one_does_not() -> None:
    packet = to_xml(tao_hoc_ba(5))
    left = parse_leaving_depth(
        packet, DEFAULT_LIMITS, root_tag="HOC_BA", schema_depth=HOC_BA_DEPTH
    )[1]
    assert left
    # A limit below the schema's depth: the parser checks the depth itself (and this record
    # is as deep as the schema allows, so it is refused).
    tight = dataclasses.replace(DEFAULT_LIMITS, max_depth=HOC_BA_DEPTH - 1)
    with pytest.raises(ParseError) as refused:
        parse_leaving_depth(packet, tight, root_tag="HOC_BA", schema_depth=HOC_BA_DEPTH)
    assert refused.value.code == "PARSE.TOO_DEEP"
    signed = _signed_like(2)
    assert not parse_leaving_depth(
        signed, DEFAULT_LIMITS, root_tag="HOC_BA", schema_depth=HOC_BA_DEPTH
    )[1]
    # Too deep for the limit and invalid for the schema: the depth is refused first.
    deep = packet.replace(b"<GVCN/>", b"<GVCN>" + b"<X>" * 40 + b"</X>" * 40 + b"</GVCN>")
    assert _outcome(from_xml, deep)[2] == "PARSE.TOO_DEEP"


_XS = "{http://www.w3.org/2001/XMLSchema}"


def _xsd_depth() -> int:
    """The deepest nesting the bundled XSD allows under its global elements, a ``ds:Signature``
    reference counting as nothing (the packet holds none when the shortcut is taken). Any
    construct that could let content nest without bound (``xs:any``, an untyped element,
    mixed content, recursion, a reference to anything but ``ds:Signature``) fails the test."""
    doc = etree.parse(str(schema_path())).getroot()
    types = {t.get("name"): t for t in doc.findall(f"{_XS}complexType")}
    simple = {t.get("name") for t in doc.findall(f"{_XS}simpleType")}

    def particles(node: etree._Element) -> list[etree._Element]:
        out: list[etree._Element] = []
        assert node.get("mixed") in (None, "false")
        for child in node:
            if child.tag == f"{_XS}element":
                out.append(child)
            elif child.tag in (f"{_XS}sequence", f"{_XS}choice", f"{_XS}complexContent"):
                out += particles(child)
            elif child.tag == f"{_XS}extension":
                out += particles(types[child.get("base")]) + particles(child)
            else:
                assert child.tag in (f"{_XS}attribute", f"{_XS}annotation"), child.tag
        return out

    def depth(el: etree._Element, seen: tuple[str, ...]) -> int:
        if el.get("ref") is not None:
            assert el.get("ref") == "ds:Signature"
            return 0
        name, kind = el.get("name"), el.get("type")
        assert name not in seen
        if kind is None:
            complex_type = el.find(f"{_XS}complexType")
            assert complex_type is not None or el.find(f"{_XS}simpleType") is not None
            if complex_type is None:
                return 1
        elif (kind.startswith("xs:") and kind != "xs:anyType") or kind in simple:
            return 1
        else:
            complex_type = types[kind]
        return 1 + max((depth(c, (*seen, name or "")) for c in particles(complex_type)), default=0)

    return max(depth(el, ()) for el in doc.findall(f"{_XS}element"))


def test_hoc_ba_depth_is_the_schema_s() -> None:
    assert _xsd_depth() == HOC_BA_DEPTH
    assert Path(schema_path()).name == "hocba-1.0.xsd"


# -- the text types' outer-whitespace facet, checked on the values read ----------------------

#: What a leaf's bytes may become: outer whitespace of each XSD kind (and NBSP, which is not
#: XSD whitespace), spelled raw or by character reference, only whitespace, empty, split by a
#: comment or a processing instruction, in CDATA, line ends that the parser normalises, and
#: the "!" and "?" that make the byte test give up.
_LEAF_EDITS = (
    b"a", b" a", b"a ", b"\ta", b"a\n", b"\ra", b"a\r\n", b"a b", b"  ", b"", b"\xc2\xa0a",
    b"a\xc2\xa0", b"&#32;a", b"a&#x9;", b"&#13;a", b"a&#10;", b"&amp; a", b"a &lt;",
    b"<![CDATA[ a]]>", b"<![CDATA[a]]>", b"a<!--c--> ", b" <!--c-->a", b"a<!--c-->b",
    b"a<?p x?> ", b"a<?p x?>b", b"a?b", b"a!b", b"?", b"10", "Đ".encode(),
)
_LEAF_BYTES = st.sampled_from(_LEAF_EDITS)


@st.composite
def _texts_edited(draw: Any) -> bytes:
    record = draw(hoc_ba())
    root = parse_xml(to_xml(record))
    data = root.find("DU_LIEU_HOC_BA")
    assert data is not None
    leaves = [el for el in data.iter(etree.Element) if len(el) == 0]
    texts = [el for el in leaves if el.tag in _text_tags()] or leaves
    pool = texts if draw(st.integers(0, 3)) else leaves  # mostly the fields the facet is on
    chosen = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
    for i, leaf in enumerate(chosen):
        leaf.text = f"MARKER{i}X"
    packet = etree.tostring(root, xml_declaration=draw(st.booleans()), encoding="UTF-8")
    for i in range(len(chosen)):
        packet = packet.replace(f"MARKER{i}X".encode(), draw(_LEAF_BYTES))
    if draw(st.integers(0, 9)) == 0:
        packet = packet.replace(b"<HOC_BA", b"<?pi x?><HOC_BA", 1)
    return packet


@st.composite
def _codes_repeated(draw: Any) -> bytes:
    """A packet whose rows or signature slots may repeat a subject code (the two
    ``xs:unique``), the Ids left distinct; perhaps with a comment in a code."""
    root = parse_xml(to_xml(draw(hoc_ba())))
    codes = root.findall("DU_LIEU_HOC_BA/BANG_DIEM/DIEM_TONG_KET/MA_MON_HOC")
    slots = root.findall("DANH_SACH_THONG_TIN_KY/DANH_SACH_GVBM/GVBM")
    if len(codes) > 1 and draw(st.booleans()):
        a, b = draw(st.lists(st.sampled_from(codes), min_size=2, max_size=2, unique=True))
        a.text = b.text
        codes = [a, b]  # a split below then hides the repeat from a reading of the first node
    if len(slots) > 1 and draw(st.booleans()):
        a, b = draw(st.lists(st.sampled_from(slots), min_size=2, max_size=2, unique=True))
        a.set("MA_MON_HOC", b.get("MA_MON_HOC") or "")
    if codes and draw(st.booleans()):
        code = draw(st.sampled_from(codes))
        text = code.text or ""
        code.text = text[:1]
        comment = etree.Comment("x")
        comment.tail = text[1:]
        code.append(comment)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_codes_repeated())
def test_from_xml_checks_subject_codes_as_the_schema(data: bytes) -> None:
    assert _outcome(from_xml, data) == _outcome(_reference_from_xml, data, limits=DEFAULT_LIMITS)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_texts_edited())
def test_from_xml_checks_text_values_as_the_schema(data: bytes) -> None:
    assert _outcome(from_xml, data) == _outcome(_reference_from_xml, data, limits=DEFAULT_LIMITS)


@pytest.mark.parametrize("tag", ["TEN_TRUONG", "TEN_XA", "NX_MON_HOC", "TEN_LOP"])
@pytest.mark.parametrize("snippet", _LEAF_EDITS)
def test_each_leaf_edit_decides_as_the_schema(tag: str, snippet: bytes) -> None:
    """Every edit of ``_LEAF_BYTES`` in a text field of the record, of a nested group, of a
    row (checked inline) and of a repeated item, against ``parse_xml`` + ``validate``."""
    packet = to_xml(tao_hoc_ba(7))
    start = packet.index(f"<{tag}>".encode()) + len(tag) + 2
    end = packet.index(f"</{tag}>".encode(), start)
    edited = packet[:start] + snippet + packet[end:]
    assert _outcome(from_xml, edited) == _outcome(
        _reference_from_xml, edited, limits=DEFAULT_LIMITS
    )


@functools.cache
def _text_tags() -> frozenset[str]:
    from hocbaso.models import DiemTongKet, ThongTinHocBa
    from hocbaso.packet._codec import _text_plan
    from hocbaso.packet._mapping import plan

    def tags(cls: Any, text_plan: Any) -> set[str]:
        names, nested = text_plan
        by_name = {fp.name: fp for fp in plan(cls)}
        out = {by_name[n].tag for n in names}
        for name, sub, _many in nested:
            out |= tags(by_name[name].model, sub)
        return out

    return frozenset(
        tags(ThongTinHocBa, _text_plan(ThongTinHocBa)) | tags(DiemTongKet, _text_plan(DiemTongKet))
    )


def test_the_text_fields_checked_are_the_schema_s() -> None:
    """The elements whose types carry the outer-whitespace facet are exactly the text fields
    of the reading plans (no type derives from such a type, and none outside the data block
    has one), and the reduced schema differs from the full one by those facets and the two
    ``xs:unique`` only."""
    from hocbaso.packet._schema import OUTER_SPACE_PATTERN

    doc = etree.parse(str(schema_path())).getroot()
    simple = {t.get("name"): t for t in doc.iter(f"{_XS}simpleType") if t.get("name")}
    for t in simple.values():
        for restriction in t.iter(f"{_XS}restriction"):
            assert (restriction.get("base") or "").startswith("xs:")
    spaced = {
        name
        for name, t in simple.items()
        if any(p.get("value") == OUTER_SPACE_PATTERN for p in t.iter(f"{_XS}pattern"))
    }
    assert spaced
    in_xsd = {el.get("name") for el in doc.iter(f"{_XS}element") if el.get("type") in spaced}

    assert in_xsd == _text_tags()


def test_a_whitespace_only_text_is_refused_as_before() -> None:
    packet = to_xml(tao_hoc_ba(7))
    start = packet.index(b"<TEN_TRUONG>") + len(b"<TEN_TRUONG>")
    end = packet.index(b"</TEN_TRUONG>")
    spaced = packet[:start] + b"   " + packet[end:]
    outcome = _outcome(from_xml, spaced)
    assert outcome[2] == "FORMAT.PATTERN"
    assert outcome == _outcome(_reference_from_xml, spaced, limits=DEFAULT_LIMITS)
