"""Record ⇄ packet bytes, driven by the mapping plan.

Output is deterministic: the same record always gives the same bytes (attribute order,
indentation, ``8.0`` for eight, ``1``/``0`` for flags), so that two vendors produce identical
packets and a packet can be re-derived from its model for comparison.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import Enum
from functools import cache
from typing import Any

from lxml import etree
from pydantic import ValidationError

from hocbaso.errors import InputError, PacketError
from hocbaso.models import DiemTongKet, HocBa, ThongTinHocBa
from hocbaso.models._internal import HocBaModel, format_ket_qua, model_error
from hocbaso.packet import _layout as L
from hocbaso.packet._input import PacketSource, packet_bytes, type_name
from hocbaso.packet._mapping import FieldPlan, plan, plan_by_tag
from hocbaso.packet._parser import (
    DEFAULT_LIMITS,
    ParseLimits,
    check_depth,
    parse_leaving_depth,
    parse_xml,
)
from hocbaso.packet._schema import (
    HOC_BA_DEPTH,
    OUTER_SPACE_PATTERN,
    _lxml_valid,
    valid_but_texts_and_codes,
)
from hocbaso.packet._schema import validate as _validate

__all__ = ["from_xml", "read_hoc_ba", "to_element", "to_xml"]


def _identity(value: Any) -> str:
    return str(value)


def _flag(value: bool) -> str:
    return "1" if value else "0"


def _code(value: Enum) -> str:
    return str(value.value)


def _iso(value: date) -> str:
    return value.isoformat()


def _converter(fp: FieldPlan) -> Callable[[Any], str]:
    """How a scalar is written, chosen once per field instead of tested per value."""
    if fp.enum is not None:
        return _code
    assert fp.xsd is not None
    if fp.xsd.base == "xs:boolean":
        return _flag
    if fp.xsd.base == "xs:date":
        return _iso
    if fp.xsd.name == "KetQuaMon":
        return format_ket_qua
    return _identity


_Writer = tuple[str, str, "type[HocBaModel] | None", bool, "Callable[[Any], str] | None"]


@cache
def _writers(cls: type[HocBaModel]) -> tuple[_Writer, ...]:
    return tuple(
        (fp.name, fp.tag, fp.model, fp.many, None if fp.model is not None else _converter(fp))
        for fp in plan(cls)
    )


def _fill(parent: etree._Element, model: HocBaModel) -> None:
    sub = etree.SubElement
    values = model.__dict__
    for name, tag, item_model, many, convert in _writers(type(model)):
        value = values[name]
        if value is None:
            continue
        if convert is not None:
            sub(parent, tag).text = convert(value)
        elif many:
            if value:
                container = sub(parent, tag)
                assert item_model is not None
                item_tag = item_model.xml_tag
                for item in value:
                    _fill(sub(container, item_tag), item)
        else:
            _fill(sub(parent, tag), value)


# Written by hand so the bytes match what .NET SignedXml and xmlsec1 emit (double quotes).
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def to_element(hoc_ba: HocBa) -> etree._Element:
    """The packet as an lxml tree, with empty signature slots (see :func:`to_xml`)."""
    _require_hoc_ba(hoc_ba)
    sub = etree.SubElement
    root = etree.Element(L.ROOT, {L.ATTR_FORMAT: L.FORMAT_VERSION})
    data = sub(root, L.DU_LIEU, Id=L.ID_DATA)
    _fill(sub(data, L.THONG_TIN, Id=L.ID_THONG_TIN), hoc_ba.thong_tin_hoc_ba)
    bang_diem = sub(data, L.BANG_DIEM)
    for row in hoc_ba.bang_diem:
        _fill(sub(bang_diem, L.DIEM_TONG_KET, Id=L.mon_id(row.ma_mon_hoc)), row)
    ky = sub(root, L.DANH_SACH_KY)
    gvbm = sub(ky, L.DANH_SACH_GVBM)
    for row in hoc_ba.bang_diem:
        sub(gvbm, L.VaiTroKy.GVBM.value, {L.ATTR_MA_MON: row.ma_mon_hoc})
    sub(ky, L.VaiTroKy.GVCN.value)
    phat_hanh = sub(root, L.PHAT_HANH)
    sub(phat_hanh, L.VaiTroKy.CBQL.value)
    sub(phat_hanh, L.VaiTroKy.KY_PHAT_HANH.value)
    return root


def _escape(text: str) -> str:
    """Escape character data exactly as libxml2 does for element content."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def _emit(out: list[str], model: HocBaModel, depth: int) -> None:
    pad = "  " * depth
    values = model.__dict__
    for name, tag, item_model, many, convert in _writers(type(model)):
        value = values[name]
        if value is None:
            continue
        if convert is not None:
            out.append(f"{pad}<{tag}>{_escape(convert(value))}</{tag}>\n")
        elif many:
            if value:
                assert item_model is not None
                item_tag, item_pad = item_model.xml_tag, pad + "  "
                out.append(f"{pad}<{tag}>\n")
                for item in value:
                    out.append(f"{item_pad}<{item_tag}>\n")
                    _emit(out, item, depth + 2)
                    out.append(f"{item_pad}</{item_tag}>\n")
                out.append(f"{pad}</{tag}>\n")
        else:
            out.append(f"{pad}<{tag}>\n")
            _emit(out, value, depth + 1)
            out.append(f"{pad}</{tag}>\n")


def _require_hoc_ba(hoc_ba: object) -> None:
    if not isinstance(hoc_ba, HocBa):
        raise InputError(
            f"hoc_ba: got {type_name(hoc_ba)}; pass a HocBa (HocBa(...) or "
            "HocBa.model_validate(data)); to read a packet use from_xml",
            f"hoc_ba: nhận được {type_name(hoc_ba)}; hãy truyền một HocBa (HocBa(...) hoặc "
            "HocBa.model_validate(dữ liệu)); để đọc gói tin dùng from_xml",
            code="INPUT.TYPE",
            path="hoc_ba",
        )


def to_xml(hoc_ba: HocBa) -> bytes:
    """Serialise a record into its unsigned packet (UTF-8, layout of ``docs/packet.md``, empty
    slots).

    Written as text from the same mapping plan as :func:`to_element`, about three times faster
    than building an lxml tree; the output is byte-identical to lxml's pretty-printed
    serialisation of that tree, which stays as the reference. Every ``HocBa`` is validated
    (its constructor, ``model_validate*``, ``model_copy(update=…)`` and ``model_construct``
    all validate), so what is written here is always a record the models accept.
    """
    _require_hoc_ba(hoc_ba)
    out = [
        f'<{L.ROOT} {L.ATTR_FORMAT}="{L.FORMAT_VERSION}">\n',
        f'  <{L.DU_LIEU} Id="{L.ID_DATA}">\n',
        f'    <{L.THONG_TIN} Id="{L.ID_THONG_TIN}">\n',
    ]
    _emit(out, hoc_ba.thong_tin_hoc_ba, 3)
    out.append(f"    </{L.THONG_TIN}>\n    <{L.BANG_DIEM}>\n")
    for row in hoc_ba.bang_diem:
        out.append(f'      <{L.DIEM_TONG_KET} Id="{L.mon_id(row.ma_mon_hoc)}">\n')
        _emit(out, row, 4)
        out.append(f"      </{L.DIEM_TONG_KET}>\n")
    out.append(
        f"    </{L.BANG_DIEM}>\n  </{L.DU_LIEU}>\n  <{L.DANH_SACH_KY}>\n    <{L.DANH_SACH_GVBM}>\n"
    )
    gvbm, gvcn, cbql, kph = (role.value for role in L.VaiTroKy)
    out.extend(f'      <{gvbm} {L.ATTR_MA_MON}="{row.ma_mon_hoc}"/>\n' for row in hoc_ba.bang_diem)
    out.append(
        f"    </{L.DANH_SACH_GVBM}>\n    <{gvcn}/>\n  </{L.DANH_SACH_KY}>\n  <{L.PHAT_HANH}>\n"
        f"    <{cbql}/>\n    <{kph}/>\n  </{L.PHAT_HANH}>\n</{L.ROOT}>\n"
    )
    return _DECLARATION + "".join(out).encode("utf-8")


_Reader = tuple[str, "type[HocBaModel] | None", bool]


@cache
def _readers(cls: type[HocBaModel]) -> dict[str, _Reader]:
    return {fp.tag: (fp.name, fp.model, fp.many) for fp in plan_by_tag(cls).values()}


def _read(el: etree._Element, cls: type[HocBaModel]) -> dict[str, Any]:
    get = _readers(cls).get
    out: dict[str, Any] = {}
    for child in el:
        tag = child.tag
        reader = get(tag)
        if reader is None:
            if not isinstance(tag, str):
                continue  # comments and processing instructions carry no data
            reader = ("", None, False)
        name, model, many = reader
        if not name or name in out:
            raise PacketError(
                "Unexpected or repeated element in the packet",
                "Phần tử không mong đợi hoặc bị lặp trong gói tin",
                code="PACKET.UNEXPECTED_ELEMENT",
                path=f"{el.tag}/{tag}",
            )
        if model is None:
            out[name] = child.text or ""
        elif many:
            out[name] = tuple([_read(item, model) for item in child if isinstance(item.tag, str)])
        else:
            out[name] = _read(child, model)
    return out


#: A class's reading plan, compiled once: leaf tag → attribute, and nested tag →
#: (attribute, the nested class's plan, whether it is a container of items).
_Spec = tuple[dict[str, str], dict[str, tuple[str, "_Spec", bool]]]


@cache
def _spec(cls: type[HocBaModel]) -> _Spec:
    leaves: dict[str, str] = {}
    nested: dict[str, tuple[str, _Spec, bool]] = {}
    for fp in plan(cls):
        if fp.model is None:
            leaves[fp.tag] = fp.name
        else:
            nested[fp.tag] = (fp.name, _spec(fp.model), fp.many)
    return leaves, nested


def _read_fast(el: etree._Element, spec: _Spec) -> dict[str, Any] | None:
    """:func:`_read` for the common case, or ``None`` when anything is unusual.

    Same reading as :func:`_read` (text of a leaf, or ""; nested dicts; item tuples), with
    no per-child bookkeeping: a child it does not know, a comment or processing instruction,
    or a repeated element (fewer attributes read than children) makes it give up, and the
    caller reads the whole record again with :func:`_read`, which decides what each of
    those means (skip, or ``PACKET.UNEXPECTED_ELEMENT`` with its path). So every result and
    every error is :func:`_read`'s own (tests/packet/test_read_fast_path.py).
    """
    leaves, nested = spec
    get_leaf, get_nested = leaves.get, nested.get
    out: dict[str, Any] = {}
    for child in el:
        tag = child.tag
        name = get_leaf(tag)
        if name is not None:
            out[name] = child.text or ""
            continue
        sub = get_nested(tag)
        if sub is None:
            return None
        name, item_spec, many = sub
        if many:
            items = []
            for item in child.iterchildren(tag=etree.Element):  # as _read: elements only
                value = _read_fast(item, item_spec)
                if value is None:
                    return None
                items.append(value)
            out[name] = tuple(items)
        else:
            value = _read_fast(child, item_spec)
            if value is None:
                return None
            out[name] = value
    if len(out) != len(el):
        return None  # a repeated element, or a comment: _read says which and what it means
    return out


def _child(element: etree._Element, tag: str) -> etree._Element | None:
    """``element.find(tag)`` for a plain tag (the first child element of that name, in no
    namespace), without ElementPath's parsing and cache: a C-level scan of the children."""
    return next(element.iterchildren(tag), None)


def _data_block(element: etree._Element) -> tuple[etree._Element, etree._Element]:
    data = element if element.tag == L.DU_LIEU else _child(element, L.DU_LIEU)
    if data is None:
        raise PacketError(
            "The packet has no DU_LIEU_HOC_BA element",
            "Gói tin không có phần tử DU_LIEU_HOC_BA",
            code="PACKET.NO_DATA",
        )
    thong_tin = _child(data, L.THONG_TIN)
    bang_diem = _child(data, L.BANG_DIEM)
    if thong_tin is None or bang_diem is None:
        raise PacketError(
            "The packet's data block is incomplete",
            "Khối dữ liệu của gói tin không đầy đủ",
            code="PACKET.NO_DATA",
        )
    return thong_tin, bang_diem


def _read_hoc_ba_reference(element: etree._Element) -> HocBa:
    """:func:`read_hoc_ba` written plainly, element by element with :func:`_read`: the
    reference that the fast reading must match, result for result and error for error."""
    thong_tin, bang_diem = _data_block(element)
    return HocBa(
        thong_tin_hoc_ba=_read(thong_tin, ThongTinHocBa),
        bang_diem=tuple(
            _read(row, DiemTongKet) for row in bang_diem.iterchildren(tag=etree.Element)
        ),
    )


def read_hoc_ba(element: etree._Element) -> HocBa:
    """Build the record from a parsed ``HOC_BA`` root or a bare ``DU_LIEU_HOC_BA`` element.

    The verifier calls it on the re-parsed canonical bytes of ``#data`` so the record it
    reports is made only of signed content. The elements are read by :func:`_read_fast`
    (falling back to :func:`_read` for anything unusual), then the record is validated once,
    by one pydantic call over the nested dicts.
    """
    thong_tin, bang_diem = _data_block(element)
    rows = list(bang_diem.iterchildren(tag=etree.Element))
    fields = _read_fast(thong_tin, _spec(ThongTinHocBa))
    row_spec = _spec(DiemTongKet)
    table = [_read_fast(row, row_spec) for row in rows]
    if fields is None or None in table:
        fields = _read(thong_tin, ThongTinHocBa)  # the reference reading decides, and raises
        table = [_read(row, DiemTongKet) for row in rows]
    return _record(fields, table)


def _record(fields: dict[str, Any], table: list[Any]) -> HocBa:
    # What ``HocBa(**data)`` does, without its two Python wrappers (~1.3 µs): pydantic-core
    # validates the same dict, and its error becomes the same ModelError.
    try:
        record: HocBa = HocBa.__pydantic_validator__.validate_python(
            {"thong_tin_hoc_ba": fields, "bang_diem": tuple(table)}
        )
    except ValidationError as exc:
        raise model_error(exc, HocBa) from None
    return record


#: A class's text fields (the ``OUTER_SPACE_PATTERN`` ones), and its nested classes' plans.
_TextPlan = tuple[tuple[str, ...], tuple[tuple[str, "_TextPlan", bool], ...]]

#: XSD whitespace: ``\s`` in a pattern is exactly these four characters.
_XSD_SPACE = " \t\n\r"


@cache
def _text_plan(cls: type[HocBaModel]) -> _TextPlan:
    texts = tuple(
        fp.name
        for fp in plan(cls)
        if fp.xsd is not None and ("pattern", OUTER_SPACE_PATTERN) in fp.xsd.facets
    )
    nested = tuple(
        (fp.name, _text_plan(fp.model), fp.many) for fp in plan(cls) if fp.model is not None
    )
    return texts, nested


def _outer_space_free(values: dict[str, Any], text_plan: _TextPlan) -> bool:
    """Whether every text field read into ``values`` (nested ones too) matches
    ``OUTER_SPACE_PATTERN``: not empty, and nothing to strip of XSD whitespace at either end
    (``strip`` returns the string itself then, so the comparison is an identity test)."""
    texts, nested = text_plan
    get = values.get
    for name in texts:
        value = get(name)
        if value is not None and (not value or value.strip(_XSD_SPACE) != value):
            return False
    for name, sub, many in nested:
        value = get(name)
        if value is None:
            continue
        if many:
            if not all(_outer_space_free(item, sub) for item in value):
                return False
        elif not _outer_space_free(value, sub):
            return False
    return True


def _text_is_whole(data: bytes) -> bool:
    """Whether the bytes hold no comment, CDATA section or processing instruction (an XML
    declaration aside): then no element's text is split, and a leaf's ``.text`` is its whole
    value. Each of those begins ``<!`` or ``<?``; a ``!`` or a ``?`` anywhere else (text) only
    makes this say False. The declaration, when the bytes begin with one, holds two ``?``
    (its pseudo-attribute values cannot hold one)."""
    if b"!" in data:
        return False
    first = data.find(b"?")
    if first < 0:
        return True
    if first != 1 or not data.startswith(b"<?xml") or data[5:6] not in (b" ", b"\t", b"\n", b"\r"):
        return False
    end = data.find(b"?", first + 1)
    return data[end + 1 : end + 2] == b">" and data.find(b"?", end + 1) < 0


def _read_unsigned(root: etree._Element) -> HocBa | None:
    """The end of ``from_xml``'s validation and its reading of an unsigned packet in one
    pass, or ``None`` when that is not certain (the caller then validates and reads as
    before); for a tree that :func:`valid_but_texts_and_codes` passed, from bytes that
    :func:`_text_is_whole` passed.

    On a ``HOC_BA`` tree with no ``Signature`` every element is declared by the packet's own
    types (``HOC_BA_DEPTH`` says why), so the elements of the text types are exactly the text
    fields of the data block, which the fast reading reads, every one of them, when it
    succeeds. :func:`valid_but_texts_and_codes` then leaves only ``OUTER_SPACE_PATTERN`` and
    the rows' distinct subject codes open, and where the text is whole (``_text_is_whole``)
    the values read are the values the schema checks (each code one text node, compared as
    written): if the texts are free of outer whitespace and the codes distinct, the schema
    accepts the tree (and its depth is within ``HOC_BA_DEPTH``); if not, or if anything is
    unusual, ``None``.
    """
    # The caller asked _text_is_whole and valid_but_texts_and_codes (True) first.
    thong_tin, bang_diem = _data_block(root)
    fields = _read_fast(thong_tin, _spec(ThongTinHocBa))
    row_spec = _spec(DiemTongKet)
    table = [_read_fast(row, row_spec) for row in bang_diem.iterchildren(tag=etree.Element)]
    if fields is None or not _outer_space_free(fields, _text_plan(ThongTinHocBa)):
        return None
    row_plan = _text_plan(DiemTongKet)
    if any(row is None or not _outer_space_free(row, row_plan) for row in table):
        return None
    code = row_spec[0][L.MA_MON_HOC]  # the row attribute the constraint's field is
    if len({row.get(code) for row in table if row is not None}) != len(table):
        return None
    return _record(fields, table)


def from_xml(
    data: PacketSource, *, validate: bool = True, limits: ParseLimits = DEFAULT_LIMITS
) -> HocBa:
    """Read a packet (signed or not) into its record: hardened parse, XSD, then the model.

    ``data`` is bytes, a ``pathlib.Path`` or an ``IssuedRecord`` (``str`` is refused with
    ``INPUT.TYPE``). Raises ``ParseError``, ``SchemaError`` or ``ModelError``.
    ``validate=False`` skips the XSD (for trusted bytes you produced yourself); never skip it
    for received packets. This reads the record; it does not run the Thông tư 22 content
    check (``hocbaso.validate`` does).
    """
    if not validate:
        return read_hoc_ba(parse_xml(data, limits=limits))
    if type(data) is not bytes:
        data = packet_bytes(data, what="data", max_bytes=limits.max_bytes)
    # parse_xml then validate, with one check fewer where the schema settles it: an unsigned
    # packet's depth is bounded by the schema (HOC_BA_DEPTH) once the schema accepts it, so
    # the parser leaves that check here; an accepted tree needs it no more, a refused one
    # gets it before the schema's finding, as parse_xml would have raised it first.
    root, depth_left = parse_leaving_depth(
        data, limits, root_tag=L.ROOT, schema_depth=HOC_BA_DEPTH
    )
    if depth_left and _text_is_whole(data):
        if valid_but_texts_and_codes(root):
            record = _read_unsigned(root)
            if record is not None:
                return record
        else:  # the full schema refuses too: its finding, after the depth
            check_depth(root, limits)
            _validate(root)
    if not (depth_left and _lxml_valid(root)):
        if depth_left:
            check_depth(root, limits)
        _validate(root)
    return read_hoc_ba(root)
