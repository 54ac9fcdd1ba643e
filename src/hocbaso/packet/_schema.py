"""XSD validation of packets with two engines.

``lxml`` (libxml2) is the hot-path engine: about 90× faster than ``xmlschema``. ``xmlschema``
gives reports that name the element path and the rule broken in words a person can act on;
use it to explain a failure, e.g. ``hocbaso validate --engine xmlschema``. Both load the same
bundled files, loaded once per process, and neither fetches anything from the network.

Error messages from either engine can quote the offending value (a name, a personal ID), so
values are cut out of every message before it reaches the caller.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any, Literal, cast

from lxml import etree

from hocbaso.errors import ErrorDetail, SchemaError
from hocbaso.packet._parser import parse_xml
from hocbaso.packet._xsdgen import XSD_NAME

__all__ = ["Engine", "is_valid", "iter_errors", "schema_dir", "schema_path", "validate"]

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


@cache
def _xmlschema_schema() -> Any:
    import xmlschema

    return xmlschema.XMLSchema10(str(schema_path()), allow="local", defuse="always")


_QUOTED_VALUE = re.compile(r"(?i)\b(value|literal|instance|content)\s+'[^']*'")
_VALUE_IS_NOT = re.compile(r"(^|:\s*)'[^']*'(?=\s+is not)")
_ASSIGNED_VALUE = re.compile(r"='[^']*'")
_ELEMENT_CONTENT = re.compile(r"Instance:.*", re.S)
_LONG_DIGITS = re.compile(r"\d{9,}")


def _sanitise(message: str) -> str:
    """Remove quoted values; keep element and attribute names, facets and the rule."""
    message = _ELEMENT_CONTENT.sub("", message)
    message = _QUOTED_VALUE.sub(lambda m: m.group(1), message)
    message = _VALUE_IS_NOT.sub(lambda m: f"{m.group(1)}the value", message)
    message = _ASSIGNED_VALUE.sub("", message)
    message = _LONG_DIGITS.sub("…", message)  # a personal ID can never survive
    return " ".join(message.split())


def _duplicate_ids(root: etree._Element) -> bool:
    seen: set[str] = set()
    for el in root.iter():
        ident = el.get("Id") if isinstance(el.tag, str) else None
        if ident is not None:
            if ident in seen:
                return True
            seen.add(ident)
    return False


# libxml2 error type → (our code, Vietnamese rule name)
_LXML_CODES: dict[str, tuple[str, str]] = {
    "SCHEMAV_CVC_PATTERN_VALID": ("FORMAT.PATTERN", "Sai định dạng"),
    "SCHEMAV_CVC_MAXLENGTH_VALID": ("FORMAT.LENGTH", "Vượt quá độ dài tối đa"),
    "SCHEMAV_CVC_MINLENGTH_VALID": ("FORMAT.LENGTH", "Ngắn hơn độ dài tối thiểu"),
    "SCHEMAV_CVC_LENGTH_VALID": ("FORMAT.LENGTH", "Sai độ dài"),
    "SCHEMAV_CVC_ENUMERATION_VALID": ("FORMAT.ENUMERATION", "Giá trị không có trong danh mục"),
    "SCHEMAV_CVC_MININCLUSIVE_VALID": ("FORMAT.RANGE", "Giá trị nhỏ hơn mức cho phép"),
    "SCHEMAV_CVC_MAXINCLUSIVE_VALID": ("FORMAT.RANGE", "Giá trị lớn hơn mức cho phép"),
    "SCHEMAV_ELEMENT_CONTENT": ("FORMAT.CONTENT", "Phần tử thiếu, thừa hoặc sai thứ tự"),
    "SCHEMAV_CVC_COMPLEX_TYPE_2_4": ("FORMAT.CONTENT", "Phần tử thiếu, thừa hoặc sai thứ tự"),
    "SCHEMAV_CVC_ELT_1": ("FORMAT.ROOT", "Phần tử gốc không đúng"),
    "SCHEMAV_CVC_IDC": ("FORMAT.DUPLICATE", "Giá trị bị trùng"),
    "SCHEMAV_CVC_ID": ("FORMAT.DUPLICATE_ID", "Id bị trùng"),
    "SCHEMAV_CVC_DATATYPE_VALID_1_2_1": ("FORMAT.TYPE", "Sai kiểu dữ liệu"),
    "SCHEMAV_CVC_COMPLEX_TYPE_3_2_1": ("FORMAT.ATTRIBUTE", "Thuộc tính không được phép"),
    "SCHEMAV_CVC_COMPLEX_TYPE_3_2_2": ("FORMAT.ATTRIBUTE", "Thuộc tính không được phép"),
    "SCHEMAV_CVC_COMPLEX_TYPE_4": ("FORMAT.ATTRIBUTE", "Thiếu thuộc tính bắt buộc"),
    "SCHEMAV_CVC_ATTRIBUTE_3": ("FORMAT.TYPE", "Sai kiểu dữ liệu của thuộc tính"),
    "SCHEMAV_CVC_ELT_4_2": ("FORMAT.ATTRIBUTE", "Giá trị thuộc tính cố định không khớp"),
    "SCHEMAV_CVC_AU": ("FORMAT.ATTRIBUTE", "Giá trị thuộc tính cố định không khớp"),
}


def _as_root(document: bytes | etree._Element | etree._ElementTree) -> etree._Element:
    if isinstance(document, bytes | bytearray):
        return parse_xml(bytes(document))
    if isinstance(document, etree._ElementTree):
        return document.getroot()
    return document


def _lxml_errors(root: etree._Element) -> Iterator[ErrorDetail]:
    schema = _lxml_schema()
    if schema.validate(root):
        return
    duplicates: bool | None = None
    for entry in cast(Iterable[Any], schema.error_log):
        code, vi = _LXML_CODES.get(entry.type_name, ("FORMAT.INVALID", "Không hợp lệ"))
        if code == "FORMAT.TYPE" and "attribute 'Id'" in entry.message:
            # libxml2 reports a repeated xs:ID as a datatype failure; say what it really is.
            duplicates = _duplicate_ids(root) if duplicates is None else duplicates
            if duplicates:
                code, vi = "FORMAT.DUPLICATE_ID", "Id bị trùng"
        path = entry.path or ""
        yield ErrorDetail(code, path, f"{vi} (dòng {entry.line})", _sanitise(entry.message))


def _xmlschema_errors(root: etree._Element) -> Iterator[ErrorDetail]:
    schema = _xmlschema_schema()
    for err in schema.iter_errors(root):
        reason = _sanitise(str(err.reason or err.message))
        validator = type(err.validator).__name__
        code = {
            "XsdPatternFacets": "FORMAT.PATTERN",
            "XsdMaxLengthFacet": "FORMAT.LENGTH",
            "XsdMinLengthFacet": "FORMAT.LENGTH",
            "XsdEnumerationFacets": "FORMAT.ENUMERATION",
            "XsdMinInclusiveFacet": "FORMAT.RANGE",
            "XsdMaxInclusiveFacet": "FORMAT.RANGE",
            "XsdUnique": "FORMAT.DUPLICATE",
            "XsdGroup": "FORMAT.CONTENT",
        }.get(validator, "FORMAT.INVALID")
        if "duplicated xs:ID" in reason:
            code = "FORMAT.DUPLICATE_ID"
        yield ErrorDetail(code, err.path or "", f"Vi phạm quy tắc: {reason}", reason)


def iter_errors(
    document: bytes | etree._Element | etree._ElementTree, *, engine: Engine = "lxml"
) -> Iterator[ErrorDetail]:
    """Every schema violation of a packet, as coded details (empty when valid)."""
    root = _as_root(document)
    if engine == "lxml":
        yield from _lxml_errors(root)
    elif engine == "xmlschema":
        yield from _xmlschema_errors(root)
    else:
        raise ValueError(f"unknown engine {engine!r}")


def is_valid(
    document: bytes | etree._Element | etree._ElementTree, *, engine: Engine = "lxml"
) -> bool:
    if engine == "lxml":
        return bool(_lxml_schema().validate(_as_root(document)))
    return next(iter_errors(document, engine=engine), None) is None


def validate(
    document: bytes | etree._Element | etree._ElementTree, *, engine: Engine = "lxml"
) -> None:
    """Raise :class:`SchemaError` listing every violation, or return if the packet is valid."""
    details = tuple(iter_errors(document, engine=engine))
    if not details:
        return
    first = details[0]
    more = f" (+{len(details) - 1})" if len(details) > 1 else ""
    raise SchemaError(
        f"Packet does not match the schema: {first.message_en}{more}",
        f"Gói tin không khớp lược đồ: {first.message_vi}{more}",
        code=first.code,
        path=first.path,
        details=details,
    )
