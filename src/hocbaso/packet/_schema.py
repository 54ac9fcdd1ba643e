"""XSD validation of packets with two engines.

``lxml`` (libxml2) is the hot-path engine: about 90× faster than ``xmlschema``. ``xmlschema``
gives reports that name the element path and the rule broken in words a person can act on;
use it to explain a failure, e.g. ``hocbaso validate --engine xmlschema``. Both load the same
bundled files, loaded once per process, and neither fetches anything from the network.

Error messages from either engine quote the offending value (a name, a personal ID, a birth
date), and no pattern can reliably cut a value out of free text: a value may itself contain
quotes (``Nguyễn Thị 'Bé'``, ``O’Brien``) or look like the words around it. So the engines' own
message text is never passed on. Every message is built here from the error's structured
fields only: the engine's error type (libxml2's ``type_name``, xmlschema's validator class),
the line, and facet values taken from our own schema (a pattern, a maximum length), never from
the document. The element path, which names elements and never values, is the ``path``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any, Literal, TypeAlias, cast

from lxml import etree

from hocbaso.errors import ConfigurationError, ErrorDetail, SchemaError
from hocbaso.packet import _layout as L
from hocbaso.packet._input import PacketSource
from hocbaso.packet._parser import parse_xml
from hocbaso.packet._xsdgen import XSD_NAME

__all__ = ["Document", "Engine", "is_valid", "iter_errors", "schema_dir", "schema_path", "validate"]

Engine = Literal["lxml", "xmlschema"]


def schema_dir() -> Path:
    """Folder of the bundled schemas: inside the wheel, or ``schemas/`` of a source checkout."""
    here = Path(__file__).resolve()
    packaged = here.parents[1] / "_schemas"
    if (packaged / XSD_NAME).is_file():
        return packaged
    source = here.parents[3] / "schemas"
    if (source / XSD_NAME).is_file():
        return source
    raise FileNotFoundError("hocbaso's bundled XSD files are missing from this installation")


def schema_path() -> Path:
    """Path of the packet XSD (``hocba-1.0.xsd``) for tools outside Python."""
    return schema_dir() / XSD_NAME


def _load_schema_doc(path: Path) -> etree._ElementTree:
    # Schemas are our own files, but they still go through a parser that never touches the
    # network and expands no entities.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.parse(str(path), parser)


@cache
def _lxml_schema() -> etree.XMLSchema:
    return etree.XMLSchema(_load_schema_doc(schema_path()))


_XS = "{http://www.w3.org/2001/XMLSchema}"

#: The schema's identity constraints, each as (selector, field) written in the XSD, the XPath
#: that counts the fields (``None`` for an attribute field, which is its own value) and the
#: XPath that gives the values libxml2 compares for it, from the element validated. The
#: constraints are checked by these instead of libxml2's identity-constraint machinery, which
#: cost ~15 µs of a record's ~70 µs check (tests/packet/test_schema_fast_path.py pins this
#: table to the XSD, so a new constraint cannot go unchecked). Element fields are counted,
#: not listed: a count makes no lxml proxy per field.
_UNIQUE: tuple[tuple[str, str, etree.XPath | None, etree.XPath], ...] = tuple(
    (
        selector,
        field,
        None if field.startswith("@") else etree.XPath(f"count({selector}/{field})"),
        etree.XPath(
            f"{selector}/{field}" + ("" if field.startswith("@") else "/text()"),
            smart_strings=False,
        ),
    )
    for selector, field in (
        (f"{L.DU_LIEU}/{L.BANG_DIEM}/{L.DIEM_TONG_KET}", L.MA_MON_HOC),  # ROW_CODES_SELECTOR
        (L.SLOT_PATHS[L.VaiTroKy.GVBM], f"@{L.ATTR_MA_MON}"),
    )
)

#: The deepest element nesting (the root at depth 1) of a document the bundled schema accepts
#: with a ``HOC_BA`` root and no ``ds:Signature`` element: ``HOC_BA`` / ``DU_LIEU_HOC_BA`` /
#: ``THONG_TIN_HOC_BA`` / a group such as ``HOC_SINH`` / ``DIA_CHI`` / a leaf. Every element
#: there is declared by the schema's own types (no ``xs:any``, no untyped element, no
#: recursion); only a ``ds:Signature`` leads into the XML-Signature schema, whose ``Object``
#: takes any content. ``from_xml`` lets an accepted tree stand for the parser's depth check
#: when this is within the limit; tests/packet/test_parse_fast.py recomputes it from the XSD.
HOC_BA_DEPTH = 6


@cache
def _lxml_schema_without_unique() -> etree.XMLSchema:
    """The bundled schema without its ``xs:unique`` constraints (loaded the same way, so its
    imports resolve the same): every other rule, for :func:`_lxml_valid`."""
    doc = _load_schema_doc(schema_path())
    for unique in list(doc.getroot().iter(f"{_XS}unique")):
        parent = unique.getparent()
        assert parent is not None
        parent.remove(unique)
    return etree.XMLSchema(doc)


#: The text types' "no outer whitespace" facet (``TextN`` in the XSD): the value is not empty
#: and neither begins nor ends with an XSD whitespace character (space, tab, CR, LF). libxml2
#: runs its automaton over every character of every text, ~20 µs of an unsigned record's check;
#: ``from_xml`` checks it on the values it reads instead, where that is exact (below).
OUTER_SPACE_PATTERN = r"\S+(\s+\S+)*"


@cache
def _lxml_schema_without_unique_or_text_pattern() -> etree.XMLSchema:
    """The bundled schema without its ``xs:unique`` constraints and without the
    ``OUTER_SPACE_PATTERN`` facets, for :func:`valid_but_texts_and_codes`."""
    doc = _load_schema_doc(schema_path())
    removed = [
        *doc.getroot().iter(f"{_XS}unique"),
        *(
            facet
            for facet in doc.getroot().iter(f"{_XS}pattern")
            if facet.get("value") == OUTER_SPACE_PATTERN
        ),
    ]
    for el in removed:
        parent = el.getparent()
        assert parent is not None
        parent.remove(el)
    return etree.XMLSchema(doc)


#: The selector of the ``xs:unique`` on the rows' subject codes, which ``from_xml`` checks on
#: the codes it reads (``valid_but_texts_and_codes``).
ROW_CODES_SELECTOR = f"{L.DU_LIEU}/{L.BANG_DIEM}/{L.DIEM_TONG_KET}"


def valid_but_texts_and_codes(root: etree._Element) -> bool:
    """False only when the bundled schema refuses ``root``; True when it accepts ``root`` or
    refuses it only for ``OUTER_SPACE_PATTERN`` (on the values of elements of the types that
    carry it) or for the ``xs:unique`` on the rows' ``MA_MON_HOC`` (``ROW_CODES_SELECTOR``).
    So with True, the schema accepts ``root`` exactly when every such value is free of outer
    whitespace and the rows' codes are distinct, which the caller checks (``from_xml``).

    The reduced schema has every rule but the two ``xs:unique`` and that facet: if it refuses,
    the full schema does. If it accepts, the other ``xs:unique`` is checked as in
    :func:`_unique_values_distinct`, and where that is not certain the full schema decides.
    """
    if not _lxml_schema_without_unique_or_text_pattern().validate(root):
        return False
    for selector, _field, count, texts in _UNIQUE:
        if selector == ROW_CODES_SELECTOR:
            continue
        values = texts(root)
        assert isinstance(values, list)
        if (count is not None and count(root) != len(values)) or len(set(values)) != len(values):
            return bool(_lxml_schema().validate(root))
    return True


def _unique_values_distinct(root: etree._Element) -> bool:
    """Whether each constraint of ``_UNIQUE`` holds on ``root``, where that is certain; False
    also when it is not (the caller then asks libxml2).

    On a tree the rest of the schema accepts, each field is a ``MaMonHoc`` (an ``xs:string``
    with a pattern, so never empty and compared as written, whitespace preserved): an
    attribute, whose value is its text, or an element, whose value is its text when it has
    exactly one text node. That is when the text nodes are as many as the fields (each has at
    least one, being non-empty); otherwise (text split by a comment) this says False.
    """
    for _selector, _field, count, texts in _UNIQUE:
        values = texts(root)  # an attribute's values, or the text nodes of the elements
        assert isinstance(values, list)
        if count is not None and count(root) != len(values):
            return False
        if len(set(values)) != len(values):
            return False
    return True


def _lxml_valid(root: etree._Element) -> bool:
    """libxml2's yes or no for the bundled schema, cheaper: the schema without its identity
    constraints, then those constraints checked here (``_unique_values_distinct``). A tree the
    reduced schema refuses, the full one refuses too (it has every rule the reduced one has);
    where the check here is not certain, libxml2 decides with the full schema. So the answer
    is the full schema's, always (tests/packet/test_schema_fast_path.py)."""
    if not _lxml_schema_without_unique().validate(root):
        return False
    if _unique_values_distinct(root):
        return True
    return bool(_lxml_schema().validate(root))


@cache
def _xmlschema_schema() -> Any:
    import xmlschema

    return xmlschema.XMLSchema10(str(schema_path()), allow="local", defuse="always")


def _duplicate_id_paths(root: etree._Element) -> frozenset[str]:
    """libxml2's paths (the ones its error log uses) of elements whose Id value repeats."""
    by_value: dict[str, list[etree._Element]] = {}
    for el in root.iter(etree.Element):
        ident = el.get("Id")
        if ident is not None:
            by_value.setdefault(ident, []).append(el)
    tree = root.getroottree()
    return frozenset(tree.getpath(el) for els in by_value.values() if len(els) > 1 for el in els)


_INVALID = ("FORMAT.INVALID", "Không hợp lệ", "Invalid")
_CONTENT = (
    "FORMAT.CONTENT",
    "Phần tử thiếu, thừa hoặc sai thứ tự",
    "An element is missing, extra or out of order",
)
_NOT_ALLOWED = ("FORMAT.ATTRIBUTE", "Thuộc tính không được phép", "An attribute is not allowed")
_FIXED = (
    "FORMAT.ATTRIBUTE",
    "Giá trị thuộc tính cố định không khớp",
    "An attribute does not have its fixed value",
)
_DUPLICATE_ID = ("FORMAT.DUPLICATE_ID", "Id bị trùng", "An Id value is used twice")

# libxml2 error type → (our code, Vietnamese rule, English rule)
_LXML_CODES: dict[str, tuple[str, str, str]] = {
    "SCHEMAV_CVC_PATTERN_VALID": (
        "FORMAT.PATTERN",
        "Sai định dạng",
        "The value does not match the required format",
    ),
    "SCHEMAV_CVC_MAXLENGTH_VALID": (
        "FORMAT.LENGTH",
        "Vượt quá độ dài tối đa",
        "The value is longer than allowed",
    ),
    "SCHEMAV_CVC_MINLENGTH_VALID": (
        "FORMAT.LENGTH",
        "Ngắn hơn độ dài tối thiểu",
        "The value is shorter than allowed",
    ),
    "SCHEMAV_CVC_LENGTH_VALID": ("FORMAT.LENGTH", "Sai độ dài", "The value has the wrong length"),
    "SCHEMAV_CVC_ENUMERATION_VALID": (
        "FORMAT.ENUMERATION",
        "Giá trị không có trong danh mục",
        "The value is not in the code list",
    ),
    "SCHEMAV_CVC_MININCLUSIVE_VALID": (
        "FORMAT.RANGE",
        "Giá trị nhỏ hơn mức cho phép",
        "The value is below the allowed minimum",
    ),
    "SCHEMAV_CVC_MAXINCLUSIVE_VALID": (
        "FORMAT.RANGE",
        "Giá trị lớn hơn mức cho phép",
        "The value is above the allowed maximum",
    ),
    "SCHEMAV_ELEMENT_CONTENT": _CONTENT,
    "SCHEMAV_CVC_COMPLEX_TYPE_2_4": _CONTENT,
    "SCHEMAV_CVC_ELT_1": ("FORMAT.ROOT", "Phần tử gốc không đúng", "The root element is wrong"),
    "SCHEMAV_CVC_IDC": (
        "FORMAT.DUPLICATE",
        "Giá trị bị trùng",
        "A value that must be unique repeats",
    ),
    "SCHEMAV_CVC_ID": _DUPLICATE_ID,
    "SCHEMAV_CVC_DATATYPE_VALID_1_2_1": (
        "FORMAT.TYPE",
        "Sai kiểu dữ liệu",
        "The value is not of the required type",
    ),
    "SCHEMAV_CVC_COMPLEX_TYPE_3_2_1": _NOT_ALLOWED,
    "SCHEMAV_CVC_COMPLEX_TYPE_3_2_2": _NOT_ALLOWED,
    "SCHEMAV_CVC_COMPLEX_TYPE_4": (
        "FORMAT.ATTRIBUTE",
        "Thiếu thuộc tính bắt buộc",
        "A required attribute is missing",
    ),
    "SCHEMAV_CVC_ATTRIBUTE_3": (
        "FORMAT.TYPE",
        "Sai kiểu dữ liệu của thuộc tính",
        "An attribute value is not of the required type",
    ),
    "SCHEMAV_CVC_ELT_4_2": _FIXED,
    "SCHEMAV_CVC_AU": _FIXED,
}


#: What the schema functions take: packet bytes or a ``Path`` (parsed here), or a parsed tree.
Document: TypeAlias = "PacketSource | etree._Element | etree._ElementTree"


def _as_root(document: Document) -> etree._Element:
    """A parsed tree as given, or bytes / a ``Path`` through the hardened parser (which
    refuses a ``str`` and other types with ``INPUT.TYPE``)."""
    if isinstance(document, etree._ElementTree):
        return document.getroot()
    if isinstance(document, etree._Element):
        return document
    return parse_xml(document)


def _lxml_errors(root: etree._Element) -> Iterator[ErrorDetail]:
    schema = _lxml_schema()
    if schema.validate(root):
        return
    duplicated: frozenset[str] | None = None
    for entry in cast(Iterable[Any], schema.error_log):
        code, vi, en = _LXML_CODES.get(entry.type_name, _INVALID)
        if code == "FORMAT.TYPE":
            # libxml2 reports a repeated xs:ID as a datatype failure of the element carrying
            # it; say what it really is (decided from the tree, not from the message text).
            if duplicated is None:
                duplicated = _duplicate_id_paths(root)
            if entry.path in duplicated:
                code, vi, en = _DUPLICATE_ID
        line = int(entry.line or 0)
        yield ErrorDetail(code, entry.path or "", f"{vi} (dòng {line})", f"{en} (line {line})")


def _facet(validator: Any, name: str) -> str:
    """A facet's value as our schema states it (never the document's value), or ""."""
    value = getattr(validator, name, None)
    if isinstance(value, list | tuple):
        shown = [str(v) for v in value[:8]]
        return ", ".join(shown) + (", …" if len(value) > 8 else "")
    return "" if value is None else str(value)


def _xmlschema_rule(err: Any) -> tuple[str, str, str]:
    """(code, Vietnamese, English) from the validator that failed: its class and the facet
    values of our own schema, which explain the rule in words without the offending value."""
    v = err.validator
    kind = type(v).__name__
    if kind == "XsdPatternFacets":
        pattern = _facet(v, "regexps")
        return (
            "FORMAT.PATTERN",
            f"Sai định dạng (mẫu {pattern})",
            (f"The value does not match the required pattern {pattern}"),
        )
    if kind in ("XsdMaxLengthFacet", "XsdMinLengthFacet", "XsdLengthFacet"):
        n = _facet(v, "value")
        vi, en = {
            "XsdMaxLengthFacet": (f"Dài hơn {n} ký tự", f"The value is longer than {n} characters"),
            "XsdMinLengthFacet": (
                f"Ngắn hơn {n} ký tự",
                f"The value is shorter than {n} characters",
            ),
            "XsdLengthFacet": (f"Không đúng {n} ký tự", f"The value is not {n} characters long"),
        }[kind]
        return "FORMAT.LENGTH", vi, en
    if kind == "XsdEnumerationFacets":
        codes = _facet(v, "enumeration")
        return (
            "FORMAT.ENUMERATION",
            f"Giá trị không có trong danh mục ({codes})",
            (f"The value is not one of the codes {codes}"),
        )
    if kind in ("XsdMinInclusiveFacet", "XsdMaxInclusiveFacet"):
        n = _facet(v, "value")
        if kind == "XsdMinInclusiveFacet":
            return "FORMAT.RANGE", f"Nhỏ hơn {n}", f"The value is below {n}"
        return "FORMAT.RANGE", f"Lớn hơn {n}", f"The value is above {n}"
    if kind == "XsdUnique":
        return "FORMAT.DUPLICATE", "Giá trị bị trùng", "A value that must be unique repeats"
    if kind == "XsdGroup":
        return _CONTENT
    if "duplicated xs:ID" in str(err.reason or ""):
        # Classifies the error; the reason text itself is never shown.
        return _DUPLICATE_ID
    if kind in ("XsdAttributeGroup", "XsdAttribute"):
        return "FORMAT.ATTRIBUTE", "Thuộc tính sai hoặc thiếu", "An attribute is wrong or missing"
    type_name = getattr(v, "prefixed_name", None) or getattr(v, "local_name", None)
    if kind in ("XsdAtomicBuiltin", "XsdAtomicRestriction") and type_name:
        return (
            "FORMAT.TYPE",
            f"Không phải giá trị {type_name} hợp lệ",
            (f"The value is not a valid {type_name}"),
        )
    return _INVALID


def _xmlschema_errors(root: etree._Element) -> Iterator[ErrorDetail]:
    schema = _xmlschema_schema()
    for err in schema.iter_errors(root):
        code, vi, en = _xmlschema_rule(err)
        yield ErrorDetail(code, err.path or "", f"Vi phạm quy tắc: {vi}", en)


def iter_errors(
    document: Document, *, engine: Engine = "lxml"
) -> Iterator[ErrorDetail]:
    """Every schema violation of a packet, as coded details (empty when valid)."""
    root = _as_root(document)
    if engine == "lxml":
        yield from _lxml_errors(root)
    elif engine == "xmlschema":
        yield from _xmlschema_errors(root)
    else:
        raise ConfigurationError(
            "engine must be 'lxml' or 'xmlschema'",
            "engine phải là 'lxml' hoặc 'xmlschema'",
            code="CONFIG.ENGINE",
        )


def is_valid(
    document: Document, *, engine: Engine = "lxml"
) -> bool:
    """Whether a packet matches the bundled XSD (a yes/no :func:`validate`, cheaper to ask)."""
    if engine == "lxml":
        return _lxml_valid(_as_root(document))
    return next(iter_errors(document, engine=engine), None) is None


def validate(
    document: Document, *, engine: Engine = "lxml"
) -> None:
    """Raise :class:`SchemaError` listing every violation, or return if the packet is valid."""
    if engine == "lxml":
        # A valid packet (the common case) needs only libxml2's yes; the coded details are
        # built (validating again) only when there is something to report.
        document = _as_root(document)
        if _lxml_valid(document):
            return
    details = tuple(iter_errors(document, engine=engine))
    if not details:
        return
    raise SchemaError.from_details(
        details, "Packet does not match the schema: ", "Gói tin không khớp lược đồ: "
    )
