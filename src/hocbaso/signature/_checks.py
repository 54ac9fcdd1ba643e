"""Every check a receiving school runs on a record's content, run before it can be issued.

An issued record cannot be taken back, only corrected or revoked; so issuing (KY_PHAT_HANH)
refuses a record that a receiving school's verifier would fail: the bundled XSD, the catalogue
rules of the models, and the Thông tư 22 consistency of its own results (``CONTENT.*``, the
very codes ``verify`` reports). CBQL signing, which signs the same ``#data`` block as a whole,
runs them too, and so do :func:`~hocbaso.signature.correct` (on the corrected record) and the
full :func:`validate`.

Why this layer: it is the lowest one that may see both the packet and the Thông tư 22 rules.
``packet`` reads and writes XML and must stay free of assessment rules (``packet`` and
``tt22`` are siblings over ``models``; neither imports the other), ``tt22`` is pure rules over
models and reads no XML, and ``verify`` sits above ``signature``, so issuing could not call
it. ``signature`` → ``tt22`` is a downward import; ``verify`` keeps its own CONTENT step, and
both map findings the same way.
"""

from __future__ import annotations

from lxml import etree

from hocbaso.errors import ContentError, ErrorDetail, InputError
from hocbaso.models import HocBa
from hocbaso.packet import Engine, parse_xml, read_hoc_ba, to_xml
from hocbaso.packet import validate as validate_schema
from hocbaso.packet._internal import Document, type_name
from hocbaso.tt22 import RuleReport, check_record

__all__ = ["check_content", "check_packet", "content_error", "validate"]


def content_error(report: RuleReport) -> ContentError:
    """One :class:`ContentError` for a report with findings: coded, with paths, no values.

    Codes and messages are the ones ``verify`` reports in its CONTENT step (the provision
    broken in brackets); expected and actual values stay out of the error.
    """
    details = tuple(
        ErrorDetail(
            f.code if f.code.startswith("CONTENT.") else f"CONTENT.{f.code}",
            f.path,
            f"{f.message_vi} ({f.dieu})",
            f"{f.message_en} ({f.dieu})",
        )
        for f in report.findings
    )
    return ContentError.from_details(
        details,
        "the record's results disagree with Thông tư 22: ",
        "kết quả của học bạ không khớp Thông tư 22: ",
    )


def check_content(hoc_ba: HocBa) -> None:
    """Raise :class:`ContentError` if ``hoc_ba``'s Thông tư 22 results disagree with its data."""
    report = check_record(hoc_ba)
    if report.findings:
        raise content_error(report)


def check_packet(
    root: etree._Element, *, engine: Engine = "lxml", content: bool = True
) -> HocBa:
    """The receiving school's checks on a parsed packet; the record read from it.

    XSD (``SchemaError``, ``FORMAT.*``), catalogue rules (``ModelError``, ``MODEL.*``), then,
    unless ``content=False``, Thông tư 22 (``ContentError``, ``CONTENT.*``).
    """
    validate_schema(root, engine=engine)
    hoc_ba = read_hoc_ba(root)
    if content:
        check_content(hoc_ba)
    return hoc_ba


def validate(
    document: Document | HocBa, *, engine: Engine = "lxml", content: bool = True
) -> None:
    """Check a packet as a receiving school would before trusting its content; raise if not.

    Runs the bundled XSD (:class:`~hocbaso.errors.SchemaError` listing every violation), the
    catalogue rules (:class:`~hocbaso.errors.ModelError`) and the Thông tư 22 content check
    (:class:`~hocbaso.errors.ContentError`, the ``CONTENT.*`` codes ``verify`` reports).
    ``content=False`` skips the last one (for a draft whose results are not final yet).
    Signatures are not checked here: that is ``hocbaso.verify.verify``.

    ``document``: bytes, a ``pathlib.Path``, an ``IssuedRecord``, a parsed tree, or a
    ``HocBa`` (checked as the packet ``to_xml`` writes). A ``str`` is refused
    (``INPUT.TYPE``): pass ``text.encode()`` or a ``Path``. For the XSD alone, use
    ``hocbaso.packet.validate``.
    """
    if isinstance(document, HocBa):
        document = to_xml(document)
    elif isinstance(document, dict):
        raise InputError(
            f"document: got {type_name(document)}; pass packet bytes, a pathlib.Path or a "
            "HocBa (HocBa.model_validate(data) for a dict)",
            f"document: nhận được {type_name(document)}; hãy truyền bytes, pathlib.Path hoặc "
            "HocBa (HocBa.model_validate(dữ liệu) cho dict)",
            code="INPUT.TYPE",
            path="document",
        )
    if isinstance(document, etree._ElementTree):
        root = document.getroot()
    elif isinstance(document, etree._Element):
        root = document
    else:
        root = parse_xml(document)
    check_packet(root, engine=engine, content=content)
