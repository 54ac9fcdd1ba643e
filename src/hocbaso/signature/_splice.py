"""Byte-level insertion of a signature into its empty slot.

Signed bytes are never re-serialised: the packet is parsed only to *find* things, and the new
signature is spliced into the original bytes at the slot's position, so every byte outside the
slot element stays exactly as it was (SPEC §3: "adding a signature never changes a byte that an
earlier signature covers").

lxml does not report byte offsets, so the slot is located by ordinal: the slot is the k-th
element named ``TAG`` in document order, and the k-th start tag ``<TAG`` in the bytes is the same
element, provided every ``<`` in the bytes opens markup we account for. When the packet has no
comment, CDATA section or processing instruction (beyond the XML declaration), every ``<`` is a
tag, and a plain search is exact (``<`` cannot occur inside an attribute value). Otherwise a
small tokenizer skips comments, CDATA and PIs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from hocbaso.errors import SigningError

__all__ = ["SlotEdit", "SlotSplice", "apply_edits", "locate_slot", "slot_edits"]

_NAME = rb"[^\s/>=\"'<]+"
_ATTRS = rb"(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*"
_TOKEN = re.compile(
    rb"<(?:!--.*?-->|!\[CDATA\[.*?\]\]>|\?.*?\?>|!DOCTYPE[^>]*>|/" + _NAME + rb"\s*>|"
    rb"(" + _NAME + rb"))",
    re.S,
)


@dataclass(frozen=True, slots=True)
class SlotSplice:
    """Where a slot's content goes: ``before + content + after`` is the new packet."""

    before: bytes
    after: bytes


def _slot_error(what: str, what_vi: str, path: str) -> SigningError:
    return SigningError(
        f"cannot place the signature: {what}",
        f"Không đặt được chữ ký: {what_vi}",
        code="SIGN.PACKET.SLOT",
        path=path,
    )


def _start_offsets(data: bytes, tag: bytes) -> list[int]:
    """Byte offsets of every start tag ``<tag`` in document order."""
    # One pass finds the start tags and anything that could hide a "<" that is not markup
    # (comment, CDATA section, processing instruction). Only the XML declaration may appear.
    fast = re.compile(rb"<(?:!--|!\[CDATA\[|\?|(" + re.escape(tag) + rb")(?=[\s/>]))")
    offsets = []
    for m in fast.finditer(data):
        if m.group(1) is None:
            if m.start() == 0 and data.startswith(b"<?xml"):
                continue
            break
        offsets.append(m.start())
    else:
        return offsets
    offsets = []
    for m in _TOKEN.finditer(data):
        if m.group(1) == tag:
            offsets.append(m.start())
    return offsets


@dataclass(frozen=True, slots=True)
class SlotEdit:
    """How to fill one slot: ``data[:start] + head + content + tail + data[end:]``."""

    start: int
    end: int
    head: bytes
    tail: bytes


def slot_edits(
    data: bytes, root: etree._Element, slots: Sequence[tuple[etree._Element, str]]
) -> list[SlotEdit]:
    """Where the content of each (empty) slot goes in ``data``, the bytes ``root`` came from.

    ``slots`` pairs each slot element with a label for errors. A self-closing ``<TAG .../>`` is
    opened into ``<TAG ...>`` … ``</TAG>``; these are the only changed bytes besides the
    inserted content.
    """
    offsets_by_tag: dict[bytes, tuple[list[etree._Element], list[int]]] = {}
    edits = []
    for slot, path in slots:
        local = etree.QName(slot).localname
        qname = local if slot.prefix is None else f"{slot.prefix}:{local}"
        tag = qname.encode()
        if tag not in offsets_by_tag:
            # Every element written ``<qname`` in the bytes, in document order (root included).
            same = [el for el in root.iter(f"{{*}}{local}") if el.prefix == slot.prefix]
            offsets = _start_offsets(data, tag)
            if len(offsets) != len(same):
                raise _slot_error(
                    "slot start tags in the bytes do not match the parsed document",
                    "thẻ mở của ô chữ ký trong dữ liệu không khớp với tài liệu đã phân tích",
                    path,
                )
            offsets_by_tag[tag] = (same, offsets)
        same, offsets = offsets_by_tag[tag]
        start = offsets[next(i for i, el in enumerate(same) if el is slot)]
        m = re.compile(b"<" + re.escape(tag) + b"(" + _ATTRS + rb")\s*(/?)>").match(data, start)
        if m is None:
            raise _slot_error(
                "unreadable slot start tag", "thẻ mở của ô chữ ký không đọc được", path
            )
        if m.group(2) == b"/":
            head = data[start : m.end() - 2] + b">"
            edits.append(SlotEdit(start, m.end(), head, b"</" + tag + b">"))
            continue
        close = re.compile(rb"\s*</" + re.escape(tag) + rb"\s*>").match(data, m.end())
        if close is None:
            raise _slot_error("the slot is not empty", "ô chữ ký không trống", path)
        edits.append(SlotEdit(m.end(), m.end(), b"", b""))
    return edits


def apply_edits(data: bytes, filled: Sequence[tuple[SlotEdit, bytes]]) -> bytes:
    """``data`` with every slot filled with its content (slots never overlap)."""
    pieces: list[bytes] = []
    pos = 0
    for edit, content in sorted(filled, key=lambda pair: pair[0].start):
        pieces += (data[pos : edit.start], edit.head, content, edit.tail)
        pos = edit.end
    pieces.append(data[pos:])
    return b"".join(pieces)


def locate_slot(data: bytes, root: etree._Element, slot: etree._Element, path: str) -> SlotSplice:
    """Split ``data`` where the content of one ``slot`` goes (see :func:`slot_edits`)."""
    (edit,) = slot_edits(data, root, [(slot, path)])
    return SlotSplice(data[: edit.start] + edit.head, edit.tail + data[edit.end :])
