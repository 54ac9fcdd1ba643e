"""Process-local memory of packet layouts: what the signing core learnt from a parse, carried
to the bytes it produces, so signing those bytes again needs no second parse.

Why: ``sign()`` is bytes → bytes, so signing a record role by role parses the whole growing
packet once per role; for a half-signed record that parse (with the hardened parser's limit
checks) costs more than the RSA operation itself (docs/signing.md §3). Yet the next input is
exactly the bytes this process spliced a moment ago, and the splice changed nothing the
planner reads except one empty slot, which now holds one Signature the library built.

What an entry says about the bytes it is keyed by (the *whole* packet's exact bytes, as in
``_memo``):

- the parse of some earlier bytes ``B0`` (the *base*: its tree, Ids and slots) passed
  :func:`~hocbaso.signature._packet_view.load_packet`, and the bytes are ``B0`` with Signatures
  spliced into empty slots (``spliced``: slot → the exact bytes put there), nothing else;
- the byte offset of every slot's start tag in these bytes.

Why a derived view is the view a parse would give: every element the planner reads (the data
block and its Ids, the record's identity, the slots' ancestors and namespaces) lies outside
the slots, so its bytes and context are those of ``B0``; each spliced fragment is checked, once,
before a view is derived from it: it passes the hardened parser on its own (depth counted from
its slot), is one ``Signature``, holds no comment, CDATA or processing instruction (so the
start-tag scan stays exact), no element named like a slot, and no Id that the base or another
fragment holds or that a role references. The parser's whole-document limits are bounded from
the bytes (every element, comment or text node needs a ``<`` or sits between two; every
attribute an ``=``; every Id attribute the letters ``Id``; every ``Signature`` element a
``Signature`` tag). Whenever a check or bound is inconclusive the entry is not used and the
packet is parsed in full, so the memory can make signing faster, never different.

A derived view is used only where it cannot decide anything a parse would: the input is in the
verified memory (``_memo``) with its latest signing time, so no earlier Signature element is
read; or no Signature was spliced since the base, so the view *is* a parse of these bytes. The
record checks of CBQL/KY_PHAT_HANH run on a full parse unless ``_memo`` has them for the bytes.

Bounded: at most :data:`MAX_ENTRIES` entries and :data:`MAX_BYTES` bytes of packets described
(least recently used first out), only packets up to :data:`MAX_PACKET` bytes; the entries
derived from one base share its tree, which is never modified. Thread-safe (the map has a lock;
trees are only read); never shared between processes; cleared with the rest of the memory by
``_memo.forget_all``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from lxml import etree

from hocbaso.errors import HocBaSoError
from hocbaso.packet import DEFAULT_LIMITS, parse_xml
from hocbaso.packet._internal import VaiTroKy
from hocbaso.packet._internal import layout as L
from hocbaso.signature._algorithms import DSIG_NS
from hocbaso.signature._bounded import Bounded
from hocbaso.signature._packet_view import PacketView, SlotInfo
from hocbaso.signature._profile import HocBaKy
from hocbaso.signature._splice import SlotEdit, slot_positions, slot_qname

__all__ = ["MAX_BYTES", "MAX_ENTRIES", "MAX_PACKET", "KnownPacket", "forget_all", "known", "note"]

MAX_ENTRIES = 256
MAX_BYTES = 32 * 1024 * 1024
MAX_PACKET = 1024 * 1024

SlotKey = tuple[VaiTroKy, str | None]

_SLOT_NAMES = frozenset(role.value for role in VaiTroKy)
_SIGNATURE_TAG = re.compile(rb"Signature[\s/>]")
_SIGNATURE = f"{{{DSIG_NS}}}Signature"


@dataclass(slots=True, eq=False)
class _Base:
    """One parse: the view and facts every entry derived from it shares (``c14n`` and
    ``counts`` fill in on first use; nothing else changes)."""

    view: PacketView
    #: Depth of each slot element (the root is 1).
    depth: Mapping[SlotKey, int]
    #: The start-tag name of each slot as written in the bytes.
    qname: Mapping[SlotKey, bytes]
    #: Ids no spliced fragment may carry: the base's, and every Id a role references.
    reserved: frozenset[str]
    #: Canonical bytes of referenced elements, filled on first use (the data block, and so
    #: each of them, is the same in every entry of this base).
    c14n: dict[str, bytes] = field(default_factory=dict)
    #: :func:`_counts` of the base's bytes, computed on first use.
    counts: tuple[int, int, int, int, int] | None = None
    #: The record identifier and version the data block names, read on first use.
    record: HocBaKy | None = None
    #: Slot ancestors found free of ``xml:*`` attributes (the tree never changes).
    clean_ancestors: set[etree._Element] = field(default_factory=set)


@dataclass(frozen=True, slots=True, eq=False)
class KnownPacket:
    """What this process knows about one packet's bytes (see the module docstring)."""

    base: _Base
    size: int
    #: Byte offset of each slot's start tag in these bytes.
    positions: Mapping[SlotKey, int]
    #: Slot → the exact content spliced into it since the base.
    spliced: Mapping[SlotKey, bytes]
    #: Spliced slots whose fragment passed the checks (for these bytes or earlier ones).
    checked: frozenset[SlotKey]
    #: The Ids those checked fragments hold.
    fragment_ids: frozenset[str]
    #: :func:`_counts` of these bytes minus those of the base's, for the splices folded in.
    delta: tuple[int, ...] = (0, 0, 0, 0, 0)
    #: Splices whose counts are not in ``delta`` yet, as (bytes put in, bytes taken out):
    #: counted only when a view is first derived from these bytes.
    pending: tuple[tuple[bytes, bytes], ...] = ()

    def view(self, data: bytes) -> PacketView:
        """The view of ``data`` (the bytes this entry is keyed by)."""
        base = self.base.view
        if not self.spliced:
            return base if base.data is data else replace(base, data=data)
        slots = tuple(
            SlotInfo(s.role, s.mon, s.element, None, True) if (s.role, s.mon) in self.spliced else s
            for s in base.slots
        )
        return PacketView(data, base.root, base.ids, slots, derived=True)

    def after(
        self, data: bytes, filled: Sequence[tuple[SlotEdit, SlotKey, bytes]]
    ) -> KnownPacket:
        """The entry for the bytes ``apply_edits`` makes from ``data`` (these bytes) with
        ``filled``."""
        spliced = dict(self.spliced)
        shifts = []
        pending = list(self.pending)
        for edit, key, content in filled:
            spliced[key] = content
            grown = len(edit.head) + len(content) + len(edit.tail) - (edit.end - edit.start)
            shifts.append((edit.end, grown))
            pending.append((edit.head + content + edit.tail, data[edit.start : edit.end]))
        positions = {
            key: pos + sum(grown for end, grown in shifts if end <= pos)
            for key, pos in self.positions.items()
        }
        size = self.size + sum(grown for _, grown in shifts)
        return KnownPacket(
            self.base,
            size,
            positions,
            spliced,
            self.checked,
            self.fragment_ids,
            self.delta,
            tuple(pending),
        )


def _max_entries() -> int:
    return MAX_ENTRIES


_entries: Bounded[bytes, KnownPacket] = Bounded(len, _max_entries)


def from_view(view: PacketView) -> KnownPacket | None:
    """An entry for the bytes ``view`` was parsed from, or None when their slots' start tags
    cannot be located (the planner then reports that itself, for the slots it fills)."""
    if len(view.data) > MAX_PACKET:
        return None
    try:
        found = slot_positions(view.data, view.root, [(s.element, s.label) for s in view.slots])
    except HocBaSoError:
        return None
    depth: dict[SlotKey, int] = {}
    for s in view.slots:
        depth[(s.role, s.mon)] = 1 + sum(1 for _ in s.element.iterancestors())
    reserved = frozenset(view.ids) | {s.reference_id for s in view.slots}
    base = _Base(
        view,
        depth,
        {(s.role, s.mon): slot_qname(s.element) for s in view.slots},
        reserved | {L.ID_DATA, L.ID_THONG_TIN},
    )
    positions = {(s.role, s.mon): found[s.element] for s in view.slots}
    return KnownPacket(base, len(view.data), positions, {}, frozenset(), frozenset())


def _fragment_ids(base: _Base, key: SlotKey, content: bytes) -> frozenset[str] | None:
    """The Ids of one spliced fragment if it passes every check of the module docstring."""
    if b"<!" in content or b"<?" in content:
        return None
    limits = replace(DEFAULT_LIMITS, max_depth=DEFAULT_LIMITS.max_depth - base.depth[key])
    try:
        root = parse_xml(content, limits=limits)
    except HocBaSoError:
        return None
    if root.tag != _SIGNATURE:
        return None
    ids: list[str] = []
    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str) or tag.rpartition("}")[2] in _SLOT_NAMES:
            return None
        ident = el.get("Id")
        if ident is not None:
            ids.append(ident)
    found = frozenset(ids)
    if len(found) != len(ids) or not found.isdisjoint(base.reserved):
        return None
    return found


def _counts(data: bytes) -> tuple[int, int, int, int, int]:
    """Byte counts bounding the parser's whole-document counts from above: ``<`` (every
    element, comment, processing instruction and CDATA section starts with one, and text nodes
    sit between them), ``=`` (every attribute), ``Id`` (every Id attribute), ``xmlns`` (every
    namespace declaration) and ``Signature`` followed by a space, ``/`` or ``>`` (every
    ``Signature`` element's start tag). None of the patterns holds ``<`` or ``>`` inside, so
    the counts of bytes spliced together at tag boundaries add up exactly."""
    return (
        data.count(b"<"),
        data.count(b"="),
        data.count(b"Id"),
        data.count(b"xmlns"),
        len(_SIGNATURE_TAG.findall(data)),
    )


def _within_limits(size: int, counts: Sequence[int]) -> bool:
    """Whether the bounds rule out every whole-document limit of the hardened parser."""
    limits = DEFAULT_LIMITS
    markup, equals, ids, xmlns, signatures = counts
    return (
        size <= limits.max_bytes
        and 2 * markup + 1 <= limits.max_elements
        and equals <= limits.max_attributes
        and ids <= limits.max_ids
        and xmlns <= limits.max_namespaces
        and signatures <= limits.max_signatures
    )


def known(data: bytes, *, derived: bool) -> KnownPacket | None:
    """The entry for exactly ``data``, its fragments checked; or None.

    ``derived=False`` asks only for an entry that is a parse of exactly these bytes (nothing
    spliced since): the caller may have to read an earlier Signature's element.
    """
    entry = _entries.get(data)
    if entry is None or entry.size != len(data) or (entry.spliced and not derived):
        return None
    unchecked = [key for key in entry.spliced if key not in entry.checked]
    if not unchecked:
        return entry
    base = entry.base
    if base.counts is None:
        base.counts = _counts(base.view.data)
    assert base.counts is not None
    delta = list(entry.delta)
    for added, removed in entry.pending:
        plus, minus = _counts(added), _counts(removed)
        delta = [d + a - r for d, a, r in zip(delta, plus, minus, strict=True)]
    counts = [a + b for a, b in zip(base.counts, delta, strict=True)]
    if not _within_limits(len(data), counts):
        return None
    seen = set(entry.fragment_ids)
    for key in unchecked:
        ids = _fragment_ids(entry.base, key, entry.spliced[key])
        if ids is None or not seen.isdisjoint(ids):
            return None
        seen |= ids
    checked = replace(
        entry,
        checked=frozenset(entry.spliced),
        fragment_ids=frozenset(seen),
        delta=tuple(delta),
        pending=(),
    )
    note(data, checked)
    return checked


def note(data: bytes, entry: KnownPacket) -> None:
    """Remember ``entry`` for exactly the bytes ``data``."""
    if len(data) > MAX_PACKET:
        return
    old = _entries.get(data)
    if old is not None and old.base is entry.base and old.checked >= entry.checked:
        return  # the same facts, with as many fragments already checked
    _entries.put(data, entry, max_bytes=MAX_BYTES)


def size() -> tuple[int, int]:
    """(entries, bytes of the packets they describe): for tests of the bound."""
    return _entries.size()


def forget_all() -> None:
    _entries.clear()
