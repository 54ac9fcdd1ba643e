"""The one gate all XML passes through.

Every module of hocbaso that reads XML calls :func:`parse_xml`. It refuses what an attacker
would use against a verifier: a DTD (and with it every entity, external or internal, so no XXE
and no billion laughs), network access, oversized input, deep nesting, and any encoding other
than UTF-8. Limits are checked *before* parsing where possible, so hostile input costs little.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from hocbaso.errors import ParseError

__all__ = ["DEFAULT_LIMITS", "ParseLimits", "parse_xml"]


@dataclass(frozen=True, slots=True)
class ParseLimits:
    """Size limits for untrusted XML.

    A yearly record is about 10–30 KB and 8 levels deep once signed; the defaults leave a wide
    margin for long comments and many subjects while keeping hostile input cheap to refuse.
    """

    #: Largest accepted document, in bytes.
    max_bytes: int = 4 * 1024 * 1024
    #: Deepest accepted element nesting (the root is depth 1).
    max_depth: int = 32
    #: Most elements accepted in one document.
    max_elements: int = 20_000


DEFAULT_LIMITS = ParseLimits()


def _parser() -> etree.XMLParser:
    # A parser object is cheap but not thread-safe; make one per call.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
        collect_ids=True,
    )


def _refuse(code: str, en: str, vi: str) -> ParseError:
    return ParseError(en, vi, code=code)


def parse_xml(data: bytes, *, limits: ParseLimits = DEFAULT_LIMITS) -> etree._Element:
    """Parse untrusted bytes into an element tree, or raise :class:`ParseError`.

    Codes: ``PARSE.TOO_LARGE``, ``PARSE.DTD``, ``PARSE.ENCODING``, ``PARSE.MALFORMED``,
    ``PARSE.TOO_DEEP``, ``PARSE.TOO_MANY_ELEMENTS``, ``PARSE.ENTITY``.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("parse_xml takes bytes")
    data = bytes(data)
    if len(data) > limits.max_bytes:
        raise _refuse(
            "PARSE.TOO_LARGE",
            f"Document is larger than {limits.max_bytes} bytes",
            f"Tệp lớn hơn giới hạn {limits.max_bytes} byte",
        )
    # A DOCTYPE is refused before libxml2 sees it, so no entity declaration is ever processed.
    # (Such markup inside a comment or CDATA section is refused too: a packet has no reason to
    # carry it, and a byte scan is cheaper and safer than trusting the parser's configuration.)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise _refuse(
            "PARSE.DTD",
            "Document carries a DTD or entity declaration, which is not allowed",
            "Tệp chứa DTD hoặc khai báo thực thể, không được phép",
        )
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        if "depth" in str(exc).lower():  # libxml2's own nesting cap (256) was hit first
            raise _refuse(
                "PARSE.TOO_DEEP",
                f"Elements are nested deeper than {limits.max_depth} levels",
                f"Phần tử lồng nhau sâu hơn {limits.max_depth} cấp",
            ) from None
        raise ParseError(
            f"Not well-formed XML (line {exc.lineno})",
            f"XML không đúng cú pháp (dòng {exc.lineno})",
            code="PARSE.MALFORMED",
        ) from None
    tree = root.getroottree()
    docinfo = tree.docinfo
    has_dtd = docinfo.internalDTD is not None or docinfo.externalDTD is not None
    if getattr(docinfo, "doctype", "") or has_dtd:
        raise _refuse(
            "PARSE.DTD",
            "Document carries a DTD, which is not allowed",
            "Tệp chứa DTD, không được phép",
        )
    if (docinfo.encoding or "UTF-8").upper() not in ("UTF-8", "UTF8"):
        raise _refuse(
            "PARSE.ENCODING",
            "Document must be encoded in UTF-8",
            "Tệp phải được mã hoá UTF-8",
        )
    _check_shape(root, limits)
    return root


def _check_shape(root: etree._Element, limits: ParseLimits) -> None:
    # Both counts run inside libxml2: a Python walk over every node cost a quarter of reading
    # a packet. Entity references need no check here: a DTD was refused above, and without
    # one an entity reference is not well-formed.
    too_deep = "/" + "/*" * (limits.max_depth + 1)
    if bool(root.xpath(f"boolean({too_deep})")):
        raise _refuse(
            "PARSE.TOO_DEEP",
            f"Elements are nested deeper than {limits.max_depth} levels",
            f"Phần tử lồng nhau sâu hơn {limits.max_depth} cấp",
        )
    nodes = root.xpath("count(//node())")
    if isinstance(nodes, float) and nodes > limits.max_elements:
        raise _refuse(
            "PARSE.TOO_MANY_ELEMENTS",
            f"Document has more than {limits.max_elements} nodes",
            f"Tệp có nhiều hơn {limits.max_elements} nút",
        )
