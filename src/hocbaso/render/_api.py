"""The render entry points (re-exported by :mod:`hocbaso.render`)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from hocbaso.errors import RenderError
from hocbaso.render._html import html_of_view
from hocbaso.render._pdf import PACKET_NAME, font_css, seal_pdf, write_pdf
from hocbaso.render._view import build_view
from hocbaso.signature import IssuedRecord, Signer
from hocbaso.verify import TrustStore, VerificationReport, verify

__all__ = ["Source", "render_html", "render_pdf"]

#: What the render functions take: a report, or the signed packet to verify first.
Source = VerificationReport | IssuedRecord | bytes


def _as_list(sources: Source | Sequence[Source]) -> list[Source]:
    if isinstance(sources, VerificationReport | IssuedRecord | bytes):
        return [sources]
    if isinstance(sources, bytearray | memoryview):
        return [bytes(sources)]
    if isinstance(sources, list | tuple):
        return list(sources)
    raise _wrong_input()


def _wrong_input() -> RenderError:
    return RenderError(
        "pass a VerificationReport, signed packet bytes or an IssuedRecord (or a list of them)",
        "hãy truyền VerificationReport, bytes của gói tin đã ký hoặc IssuedRecord (hoặc danh "
        "sách của chúng)",
        code="RENDER.INPUT",
    )


def _verified(
    sources: Source | Sequence[Source],
    trust: TrustStore | None,
    packets: Sequence[bytes],
    verify_options: dict[str, Any],
) -> list[tuple[VerificationReport, bytes | None]]:
    """Each source as (report, its packet bytes when known)."""
    by_sha = {hashlib.sha256(p).hexdigest(): bytes(p) for p in packets}
    out: list[tuple[VerificationReport, bytes | None]] = []
    for s in _as_list(sources):
        if isinstance(s, VerificationReport):
            out.append((s, by_sha.get(s.packet_sha256)))
            continue
        if not isinstance(s, IssuedRecord | bytes | bytearray):
            raise _wrong_input()
        data = bytes(s)
        if trust is None:
            raise RenderError(
                "packet bytes are verified before rendering: pass trust=TrustStore(...)",
                "gói tin được xác minh trước khi thể hiện: hãy truyền trust=TrustStore(...)",
                code="RENDER.TRUST_MISSING",
            )
        out.append((verify(data, trust, **verify_options), data))
    return out


def render_html(
    sources: Source | Sequence[Source],
    *,
    trust: TrustStore | None = None,
    masked: bool = False,
    booklet: bool = False,
    **verify_options: Any,
) -> str:
    """The HTML soft copy: one record, or (``booklet=True``) the years of one student.

    Packet bytes are verified first with ``trust`` and ``verify_options`` (``crls=``,
    ``revocations=``, ``at=`` … of :func:`hocbaso.verify.verify`). Raises
    :class:`~hocbaso.errors.RenderError` for a booklet of several students (``RENDER.BOOKLET.*``)
    or a wrong input; a record that did not verify is not an exception, it is shown as the
    "KHÔNG HỢP LỆ" copy.
    """
    pairs = _verified(sources, trust, (), verify_options)
    view = build_view([r for r, _ in pairs], masked=masked, booklet=booklet)
    return html_of_view(view)


def render_pdf(
    sources: Source | Sequence[Source],
    *,
    trust: TrustStore | None = None,
    masked: bool = False,
    booklet: bool = False,
    packets: Sequence[bytes] = (),
    seal: Signer | None = None,
    **verify_options: Any,
) -> bytes:
    """The PDF/A-3b soft copy of :func:`render_html`'s pages.

    Unless ``masked``, each verified record's signed packet is embedded byte for byte as an
    associated file (``hocba-<năm học>.xml``, relationship Source): for packet bytes given as
    sources that is automatic; for reports, pass the packets they were verified from in
    ``packets`` (matched by SHA-256), else ``RENDER.PACKET_MISSING``. ``seal`` adds a PAdES
    B-B signature by that signer (the school's organisation certificate).
    """
    pairs = _verified(sources, trust, packets, verify_options)
    view = build_view([r for r, _ in pairs], masked=masked, booklet=booklet)
    attach: list[tuple[str, bytes]] = []
    if view.ok and not masked:
        for report, packet in sorted(pairs, key=lambda p: _year_of(p[0])):
            if packet is None:
                raise RenderError(
                    "the PDF embeds the signed packet: pass it in packets= with its report",
                    "tệp PDF chứa gói tin đã ký: hãy truyền gói tin qua packets= cùng báo cáo",
                    code="RENDER.PACKET_MISSING",
                )
            attach.append((PACKET_NAME.format(_year_of(report)), packet))
    pdf = write_pdf(html_of_view(view, extra_css=font_css()), packets=attach)
    return seal_pdf(pdf, seal) if seal is not None else pdf


def _year_of(report: VerificationReport) -> str:
    assert report.record is not None
    return str(report.record.thong_tin_hoc_ba.thong_tin_chung.nam_hoc)
