"""Byte-level insertion of a signature into its empty slot.

Signed bytes are never re-serialised: the packet is parsed only to *find* things, and the new
signature is spliced into the original bytes at the slot's position, so every byte outside the
slot element stays exactly as it was (docs/packet.md: "adding a signature never changes a byte that
an earlier signature covers").

lxml does not report byte offsets, so the slot is located by ordinal: the slot is the k-th
element named ``TAG`` in document order, and the k-th start tag ``<TAG`` in the bytes is the same
element, provided every ``<`` in the bytes opens markup we account for. When the packet has no
comment, CDATA section or processing instruction (beyond the XML declaration), every ``<`` is a
tag, and a plain search is exact (``<`` cannot occur inside an attribute value). Otherwise a
small tokenizer skips comments, CDATA and PIs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from hocbaso.errors import SigningError

__all__ = [
    "SlotEdit",
    "SlotSplice",
    "apply_edits",
    "edits_at",
    "locate_slot",
    "slot_edits",
    "slot_positions",
    "slot_qname",
]

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


@functools.lru_cache(maxsize=64)
def _fast_pattern(tags: tuple[bytes, ...]) -> re.Pattern[bytes]:
    alternatives = b"|".join(re.escape(t) for t in tags)
    return re.compile(rb"<(?:!--|!\[CDATA\[|\?|(" + alternatives + rb")(?=[\s/>]))")


@functools.lru_cache(maxsize=64)
def _start_tag_patterns(tag: bytes) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """The slot's start tag (attributes, optional ``/``) and an immediately following end tag."""
    return (
        re.compile(b"<" + re.escape(tag) + b"(" + _ATTRS + rb")\s*(/?)>"),
        re.compile(rb"\s*</" + re.escape(tag) + rb"\s*>"),
    )


def _start_offsets(data: bytes, tags: tuple[bytes, ...]) -> dict[bytes, list[int]]:
    """Byte offsets of every start tag ``<tag`` of each of ``tags``, in document order."""
    # One pass finds the start tags and anything that could hide a "<" that is not markup
    # (comment, CDATA section, processing instruction). Only the XML declaration may appear.
    offsets: dict[bytes, list[int]] = {t: [] for t in tags}
    for m in _fast_pattern(tags).finditer(data):
        name = m.group(1)
        if name is None:
            if m.start() == 0 and data.startswith(b"<?xml"):
                continue
            break
        offsets[name].append(m.start())
    else:
        return offsets
    offsets = {t: [] for t in tags}
    for m in _TOKEN.finditer(data):
        name = m.group(1)
        if name in offsets:
            offsets[name].append(m.start())
    return offsets


@dataclass(frozen=True, slots=True)
class SlotEdit:
    """How to fill one slot: ``data[:start] + head + content + tail + data[end:]``."""

    start: int
    end: int
    head: bytes
    tail: bytes


def _local_name(element: etree._Element) -> str:
    tag = element.tag
    assert isinstance(tag, str)
    return tag.rpartition("}")[2]


def slot_qname(slot: etree._Element) -> bytes:
    """The name a slot's start tag is written with in the bytes (``prefix:local`` or ``local``)."""
    local = _local_name(slot)
    return (local if slot.prefix is None else f"{slot.prefix}:{local}").encode()


def slot_positions(
    data: bytes, root: etree._Element, slots: Sequence[tuple[etree._Element, str]]
) -> dict[etree._Element, int]:
    """The byte offset in ``data`` of each slot's start tag (``root`` was parsed from ``data``).

    Raises ``SIGN.PACKET.SLOT`` when the start tags of a slot's name in the bytes cannot be
    matched one to one with the elements of that name in the tree.
    """
    wanted: dict[bytes, str] = {}
    for slot, _ in slots:
        wanted.setdefault(slot_qname(slot), _local_name(slot))
    # Every element written ``<qname`` in the bytes, in document order (root included), and
    # every start tag ``<qname`` in the bytes: one pass over each for all the slots' names.
    same: dict[bytes, list[etree._Element]] = {t: [] for t in wanted}
    for el in root.iter(*{f"{{*}}{local}" for local in wanted.values()}):
        key = slot_qname(el)
        if key in same:
            same[key].append(el)
    offsets = _start_offsets(data, tuple(wanted))
    position: dict[etree._Element, int] = {}
    for tag, elements in same.items():
        if len(offsets[tag]) != len(elements):
            path = next(p for slot, p in slots if slot_qname(slot) == tag)
            raise _slot_error(
                "slot start tags in the bytes do not match the parsed document",
                "thẻ mở của ô chữ ký trong dữ liệu không khớp với tài liệu đã phân tích",
                path,
            )
        position.update(zip(elements, offsets[tag], strict=True))
    return position


def edits_at(data: bytes, slots: Sequence[tuple[int, bytes, str]]) -> list[SlotEdit]:
    """The edit filling each (empty) slot, given as (start-tag offset in ``data``, qname, label).

    A self-closing ``<TAG .../>`` is opened into ``<TAG ...>`` … ``</TAG>``; these are the only
    changed bytes besides the inserted content.
    """
    edits = []
    for start, tag, path in slots:
        open_tag, close_tag = _start_tag_patterns(tag)
        m = open_tag.match(data, start)
        if m is None:
            raise _slot_error(
                "unreadable slot start tag", "thẻ mở của ô chữ ký không đọc được", path
            )
        if m.group(2) == b"/":
            head = data[start : m.end() - 2] + b">"
            edits.append(SlotEdit(start, m.end(), head, b"</" + tag + b">"))
            continue
        close = close_tag.match(data, m.end())
        if close is None:
            raise _slot_error("the slot is not empty", "ô chữ ký không trống", path)
        edits.append(SlotEdit(m.end(), m.end(), b"", b""))
    return edits


def slot_edits(
    data: bytes, root: etree._Element, slots: Sequence[tuple[etree._Element, str]]
) -> list[SlotEdit]:
    """Where the content of each (empty) slot goes in ``data``, the bytes ``root`` came from.

    ``slots`` pairs each slot element with a label for errors (see :func:`edits_at`).
    """
    position = slot_positions(data, root, slots)
    return edits_at(data, [(position[slot], slot_qname(slot), path) for slot, path in slots])


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
