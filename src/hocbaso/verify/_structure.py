"""Step 3: the packet's signature layout, before any cryptography (docs/verification.md §2).

Why a layout check before any cryptography: XML-signature wrapping attacks work by making a
Reference resolve to a node other than the one the application reads. Here every signed Id has
exactly one fixed place (``data`` is ``/HOC_BA/DU_LIEU_HOC_BA``, a subject row's Id a row of
``BANG_DIEM``, ``st-…`` an ``Object`` of its own ``Signature``), Ids are unique, every
``Signature`` sits in its role's slot and nowhere else, and each Reference URI is pinned to
the role. Signatures are then located by slot, never "the first one found". Where things are is
read from the one layout table (``hocbaso/packet/_layout.py``); how a Signature must be shaped
from the one profile checker the signer uses too (``hocbaso/signature/_profile_check.py``).

Only ``Id`` attributes name elements (as in .NET ``SignedXml`` and xmlsec1 with
``register_id(…, "Id")``); ``xml:id``, ``ID`` or ``id`` never do.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from cryptography import x509
from lxml import etree

from hocbaso.packet._internal import VaiTroKy
from hocbaso.packet._internal import layout as L
from hocbaso.signature._internal import (
    DSIG_NS,
    ObjectFacts,
    ProfileViolation,
    RawSignatures,
    ReferenceParts,
    Violation,
    leaf_string_value,
    read_signature,
    read_signature_exact,
    read_signature_raw,
    scan_signatures,
    tags_only,
)
from hocbaso.verify._certificates import load_certificate_b64
from hocbaso.verify._codes import Status
from hocbaso.verify._policy import VerificationPolicy
from hocbaso.verify._report import StepResult

__all__ = ["ParsedReference", "ParsedSignature", "Slot", "StructureOutcome", "check_structure"]

_D = f"{{{DSIG_NS}}}"


@dataclass(frozen=True, slots=True)
class Slot(L.RoleSlot):
    """A signature slot of the layout, with the Ids its role must use (``packet/_layout.py``)."""

    role: VaiTroKy
    mon: str | None
    element: etree._Element
    path: str
    # The role's Ids, computed once (read several times per signature): the same strings
    # :class:`~hocbaso.packet._layout.RoleSlot` computes on each read.
    signature_id: str = field(init=False)
    object_id: str = field(init=False)
    reference_id: str = field(init=False)

    def __post_init__(self) -> None:
        sid, oid, rid = _role_ids(self.role, self.mon)
        object.__setattr__(self, "signature_id", sid)
        object.__setattr__(self, "object_id", oid)
        object.__setattr__(self, "reference_id", rid)


#: A slot's path and Ids per exact (role, subject code): the same few subjects recur in every
#: record, and a record has 16 slots. Bounded (a hostile document names any codes it likes).
_SLOT_STRINGS: dict[tuple[VaiTroKy, str | None], tuple[str, str, str, str]] = {}
_MAX_SLOT_STRINGS = 1024


def _slot_strings(role: VaiTroKy, mon: str | None) -> tuple[str, str, str, str]:
    """(``L.slot_xpath``, signature Id, Object Id, Reference Id) of a slot: the strings
    :class:`~hocbaso.packet._layout.VaiTroKy` computes, computed once per (role, code)."""
    key = (role, mon)
    found = _SLOT_STRINGS.get(key)
    if found is None:
        found = (
            L.slot_xpath(role, mon),
            role.signature_id(mon),
            role.object_id(mon),
            role.reference_id(mon),
        )
        if len(_SLOT_STRINGS) >= _MAX_SLOT_STRINGS:
            _SLOT_STRINGS.clear()
        _SLOT_STRINGS[key] = found
    return found


def _role_ids(role: VaiTroKy, mon: str | None) -> tuple[str, str, str]:
    _, sid, oid, rid = _slot_strings(role, mon)
    return sid, oid, rid


#: A Reference as the profile checker read it. Its readable path is named only when a report
#: needs it (a failed digest or C14N: :meth:`ParsedSignature.reference_path`); naming the 30
#: References of every sound record cost about a tenth of a full verification.
ParsedReference = ReferenceParts


@dataclass(slots=True)
class ParsedSignature:
    """A structurally sound signature in its slot, ready for the cryptographic check."""

    slot: Slot
    element: etree._Element
    signed_info: etree._Element
    c14n_uri: str
    c14n_prefixes: list[str]
    method_uri: str
    references: list[ParsedReference]
    value: bytes
    leaf: x509.Certificate
    intermediates: list[x509.Certificate]
    path: str
    #: The document's one sibling-position memo, for naming a Reference's path when needed.
    positions: _Positions
    # Filled by the signature step:
    verified: bool = False
    signing_time: dt.datetime | None = None
    signed_target: bytes | None = None
    legacy: bool = False
    #: The signed Object's signing time and binding, read with the rest in one pass when the
    #: Signature has the profile's exact shape (which also proves it valid against the XMLDSig
    #: schema, for the FORMAT step: ``verify/_format.py``); None: read them from the tree.
    object_facts: ObjectFacts | None = None

    def reference_path(self, ref: ReferenceParts) -> str:
        """The readable path of one of this signature's References: the same string, computed
        by the same function over the same (never modified) tree, whenever it is read."""
        return _path(ref.element, self.positions)


@dataclass(slots=True)
class StructureOutcome:
    results: list[StepResult] = field(default_factory=list)
    fatal: bool = False
    slots: list[Slot] = field(default_factory=list)
    signatures: list[ParsedSignature] = field(default_factory=list)
    data_element: etree._Element | None = None
    rows: dict[str, etree._Element] = field(default_factory=dict)
    positions: _Positions = field(default_factory=lambda: _Positions())

    def path(self, el: etree._Element) -> str:
        """``_path`` sharing this document's sibling-position memo."""
        return _path(el, self.positions)


_ALL_IDS = etree.XPath("//@Id")


class _Positions:
    """Position of each element among its same-tag siblings, computed once per parent.

    Naming an element by ``[n]`` needs its index among its siblings; finding it by scanning the
    siblings for every element named made thousands of stray elements under one parent cost
    the square of their number (16 000 stray ``Signature`` elements took a minute).
    """

    __slots__ = ("_by_parent",)

    def __init__(self) -> None:
        # Keyed by the element proxies themselves, which keeps them (and their identity) alive.
        self._by_parent: dict[etree._Element, dict[etree._Element, tuple[int, int]]] = {}

    def of(self, node: etree._Element, parent: etree._Element) -> tuple[int, int]:
        """(1-based index among same-tag siblings, number of such siblings)."""
        table = self._by_parent.get(parent)
        if table is None:
            counts: dict[object, int] = {}
            order: list[tuple[etree._Element, int]] = []
            for child in parent:
                n = counts.get(child.tag, 0) + 1
                counts[child.tag] = n
                order.append((child, n))
            table = {child: (n, counts[child.tag]) for child, n in order}
            self._by_parent[parent] = table
        return table[node]


def _path(el: etree._Element, positions: _Positions | None = None) -> str:
    """A readable XPath: ``ds:`` for XMLDSig, subject rows and GVBM slots by their code.

    Pass one ``positions`` memo for every element named in a document, so that naming many
    elements stays linear."""
    positions = positions if positions is not None else _Positions()
    parts: list[str] = []
    node: etree._Element | None = el
    while node is not None:
        q = etree.QName(node)
        if q.namespace == DSIG_NS:
            name = f"ds:{q.localname}"
        elif q.namespace:
            name = f"*[local-name()='{q.localname}']"
        else:
            name = q.localname
        parent = node.getparent()
        mon = node.get(L.ATTR_MA_MON)
        if q.namespace is None and q.localname == VaiTroKy.GVBM and mon is not None:
            name += f"[@{L.ATTR_MA_MON}='{mon}']"
        elif q.localname == L.DIEM_TONG_KET and node.get("Id") is not None:
            name += f"[@Id='{node.get('Id')}']"
        elif parent is not None:
            index, same = positions.of(node, parent)
            if same > 1:
                name += f"[{index}]"
        parts.append(name)
        node = parent
    return "/" + "/".join(reversed(parts))


def _fail(code: str, path: str, slot: Slot | None = None, **kw: str) -> StepResult:
    return StepResult.of(
        code,
        Status.FAIL,
        role=slot.role.value if slot else None,
        path=path,
        extra_vi=kw.get("vi", ""),
        extra_en=kw.get("en", ""),
    )




def _subject_code(row: etree._Element) -> str:
    """XPath ``string(MA_MON_HOC)`` of a row, stripped: the string-value of its first
    ``MA_MON_HOC`` child ("" when none), without an XPath evaluation."""
    first = next(row.iterchildren(L.MA_MON_HOC), None)
    return leaf_string_value(first).strip() if first is not None else ""


def _find_slots(root: etree._Element, out: StructureOutcome) -> bool:
    """Locate every slot; False (with a LAYOUT failure) when the skeleton is wrong."""

    def one(parent: etree._Element, tag: str) -> etree._Element | None:
        # Children with exactly this un-namespaced tag, in order: what ``findall(tag)`` gives
        # for a plain tag, without ElementPath's Python-level machinery (as below).
        found = list(parent.iterchildren(tag))
        if len(found) != 1:
            out.results.append(
                _fail(
                    "STRUCTURE.LAYOUT",
                    f"{out.path(parent)}/{tag}",
                    en=f"({len(found)} × {tag})",
                    vi=f"({len(found)} × {tag})",
                )
            )
            return None
        return found[0]

    if root.tag != L.ROOT:
        out.results.append(_fail("STRUCTURE.LAYOUT", "/", en="(root)", vi="(gốc)"))
        return False
    # The skeleton, level by level as the layout table (packet/_layout.py) names it: the data
    # block and the slot containers, then the slots and the data block's parts. Every element
    # of a level is looked at (and reported) before giving up.
    du = one(root, L.DU_LIEU)
    # GVBM slots repeat (one per subject, found below): only their container is looked up.
    paths = [
        rel.split("/")[: -1 if role is VaiTroKy.GVBM else None]
        for role, rel in L.SLOT_PATHS.items()
    ]
    found: dict[tuple[str, ...], etree._Element | None] = {(): root}
    for depth in range(max(len(p) for p in paths)):
        for parts in paths:
            key = tuple(parts[: depth + 1])
            parent = found.get(key[:-1])
            if len(parts) > depth and key not in found and parent is not None:
                found[key] = one(parent, key[-1])
        if depth == 0 and (du is None or None in found.values()):
            return False
    if du is None:
        return False
    out.data_element = du
    bang_diem = one(du, L.BANG_DIEM)
    if one(du, L.THONG_TIN) is None or None in found.values() or bang_diem is None:
        return False
    for row in bang_diem.iterchildren(L.DIEM_TONG_KET):
        code = _subject_code(row)
        if code in out.rows or row.get("Id") != L.mon_id(code):
            out.results.append(_fail("STRUCTURE.ID_MISPLACED", out.path(row)))
            return False
        out.rows[code] = row
    seen: set[str] = set()
    *gvbm_parent, gvbm_tag = L.SLOT_PATHS[VaiTroKy.GVBM].split("/")
    gvbm_container = found[tuple(gvbm_parent)]
    assert gvbm_container is not None
    for slot_el in gvbm_container.iterchildren(gvbm_tag):
        mon = slot_el.get(L.ATTR_MA_MON) or ""
        if mon in seen:
            out.results.append(_fail("STRUCTURE.LAYOUT", out.path(slot_el), en="(GVBM ×2)"))
            return False
        seen.add(mon)
        out.slots.append(Slot(VaiTroKy.GVBM, mon, slot_el, _slot_strings(VaiTroKy.GVBM, mon)[0]))
        if mon not in out.rows:
            # A slot for a subject the record does not have: signed or empty, the layout is
            # not the record's (an empty one was once accepted silently).
            out.results.append(_fail("STRUCTURE.ORPHAN_SLOT", out.path(slot_el)))
    for role, rel in L.SLOT_PATHS.items():
        if role is not VaiTroKy.GVBM:
            el = found[tuple(rel.split("/"))]
            assert el is not None
            out.slots.append(Slot(role, None, el, _slot_strings(role, None)[0]))
    return True


def _unique_ids(root: etree._Element, out: StructureOutcome) -> dict[str, etree._Element] | None:
    """Every ``Id`` value → its element, or None (with failures) if any value repeats."""
    # One XPath inside libxml2 instead of a Python walk over every element (a third of the
    # cost). ``@Id`` is the un-namespaced attribute only, exactly what ``el.get("Id")`` reads.
    # Each result is an attribute value ("smart string") that knows its element.
    found = cast(list[etree._ElementUnicodeResult], _ALL_IDS(root))
    first: dict[str, etree._Element] = {}
    repeated = False
    for attr in found:
        el = cast(etree._Element, attr.getparent())
        if first.setdefault(str(attr), el) is not el:
            repeated = True
    if not repeated:
        return first
    # Some value repeats: report every element carrying one, in document order per value.
    by_id: dict[str, list[etree._Element]] = {}
    for attr in found:
        by_id.setdefault(str(attr), []).append(cast(etree._Element, attr.getparent()))
    for els in by_id.values():
        if len(els) > 1:
            for el in els:
                out.results.append(_fail("STRUCTURE.DUPLICATE_ID", out.path(el)))
    return None


def _check_ids(ids: dict[str, etree._Element], out: StructureOutcome) -> bool:
    """Each signed Id at its one fixed place (a Signature's own place is checked later)."""
    ok = True
    du = out.data_element
    assert du is not None
    expected = {L.ID_DATA: du, L.ID_THONG_TIN: next(du.iterchildren(L.THONG_TIN), None)}
    for value, el in ids.items():
        mon = L.mon_of_id(value)
        if value in expected:
            good = el is expected[value]
        elif mon is not None:
            good = out.rows.get(mon) is el
        elif value.startswith(L.SIGNATURE_ID_PREFIX):
            good = el.tag == _D + "Signature"
        elif value.startswith(L.OBJECT_ID_PREFIX):
            parent = el.getparent()
            good = (
                el.tag == _D + "Object" and parent is not None and (parent.tag == _D + "Signature")
            )
        else:
            continue
        if not good:
            ok = False
            out.results.append(_fail("STRUCTURE.ID_MISPLACED", out.path(el)))
    for value, maybe in expected.items():
        if maybe is None or maybe.get("Id") != value:
            ok = False
            where = maybe if maybe is not None else du
            out.results.append(_fail("STRUCTURE.ID_MISPLACED", out.path(where)))
    return ok


def _check_comments(
    root: etree._Element, out: StructureOutcome, policy: VerificationPolicy
) -> None:
    """Comments / PIs inside signed content (the data block or any Signature)."""
    for node in root.iter(etree.Comment, etree.ProcessingInstruction):
        anc = node.getparent()
        while anc is not None:
            if anc.tag in (L.DU_LIEU, _D + "Signature"):
                status = Status.WARN if policy.allow_comments else Status.FAIL
                parent = node.getparent()
                out.results.append(
                    StepResult.of(
                        "STRUCTURE.COMMENT",
                        status,
                        path=out.path(parent) if parent is not None else "",
                    )
                )
                break
            anc = anc.getparent()




#: The failure code of each kind of profile violation.
_VIOLATION_CODE = {
    Violation.SHAPE: "STRUCTURE.SIGNATURE_SHAPE",
    Violation.ENCODING: "STRUCTURE.SIGNATURE_SHAPE",
    Violation.KEY_INFO: "STRUCTURE.SIGNATURE_SHAPE",
    Violation.REFERENCE: "STRUCTURE.REFERENCE_MISMATCH",
}


#: Canonical bytes found without canonicalising, handed to the run's cache: (element, bytes).
Remember = Callable[[etree._Element, bytes], None]


@dataclass(slots=True)
class _RawReading:
    """The packet's bytes and, once a Signature asks, what :func:`scan_signatures` found."""

    data: bytes
    remember: Remember
    #: :func:`tags_only` of ``data``, asked once (None: not every "<" begins a tag).
    body: int | None
    found: RawSignatures | None = None

    def of(self, signature_id: str) -> tuple[re.Match[bytes], str | None] | None:
        if self.body is None:
            return None
        if self.found is None:
            self.found = scan_signatures(self.data, self.body)
        return self.found.get(signature_id)


def _shape(
    sig: etree._Element,
    slot: Slot,
    ids: dict[str, etree._Element],
    out: StructureOutcome,
    canonical: Callable[[etree._Element], bytes] | None,
    raw: _RawReading | None = None,
) -> ParsedSignature | None:
    """Read one in-slot Signature by the profile's rules; append the failure and return None
    if it breaks one.

    Three readers, cheapest first, each giving the same parts whenever it answers (tests
    compare them). With ``raw`` (the bytes the tree was parsed from), a Signature whose bytes
    have the profile's exact shape is read in one match over them, and the canonical bytes of
    its SignedInfo and Object are built from the match and handed to ``raw.remember``
    (:func:`~hocbaso.signature._internal.read_signature_raw`). Otherwise, with ``canonical``
    (inclusive C14N 1.0 of an element, from the run's cache), one of the exact shape is read
    in one pass from its canonical SignedInfo and Object
    (:func:`~hocbaso.signature._internal.read_signature_exact`: the same parts, plus the
    Object's facts and the proof the FORMAT step uses); any other goes through
    :func:`~hocbaso.signature._internal.read_signature`, which names the rule broken."""
    path = f"{slot.path}/ds:Signature"
    exact = None
    found = raw.of(slot.signature_id) if raw is not None else None
    if found is not None:
        assert raw is not None
        read = read_signature_raw(
            sig,
            found,
            reference_id=slot.reference_id,
            object_id=slot.object_id,
            ids=ids,
            load_certificate=load_certificate_b64,
        )
        if read is not None:
            raw_parts, raw_facts, signed_info, obj = read
            raw.remember(raw_parts.signed_info, signed_info)
            raw.remember(raw_parts.references[1].target, obj)
            exact = raw_parts, raw_facts
    if exact is None and canonical is not None:
        exact = read_signature_exact(
            sig,
            reference_id=slot.reference_id,
            object_id=slot.object_id,
            signature_id=slot.signature_id,
            ids=ids,
            load_certificate=load_certificate_b64,
            canonical=canonical,
        )
    facts = None
    if exact is not None:
        parts, facts = exact
    else:
        try:
            parts = read_signature(
                sig,
                reference_id=slot.reference_id,
                object_id=slot.object_id,
                ids=ids,
                load_certificate=load_certificate_b64,
            )
        except ProfileViolation as v:
            where = path if v.element is sig else out.path(v.element)
            out.results.append(_fail(_VIOLATION_CODE[v.kind], where, slot, en=v.en, vi=v.vi))
            return None
    return ParsedSignature(
        slot=slot,
        element=sig,
        signed_info=parts.signed_info,
        c14n_uri=parts.c14n_uri,
        c14n_prefixes=parts.c14n_prefixes,
        method_uri=parts.method_uri,
        references=parts.references,
        value=parts.value,
        leaf=parts.leaf,
        intermediates=parts.intermediates,
        path=path,
        positions=out.positions,
        object_facts=facts,
    )


def check_structure(
    root: etree._Element,
    policy: VerificationPolicy,
    canonical: Callable[[etree._Element], bytes] | None = None,
    *,
    data: bytes | None = None,
    remember: Remember | None = None,
) -> StructureOutcome:
    """Step 3. ``fatal`` means the document is ambiguous and no signature may be checked.
    ``canonical``, ``data`` (the very bytes ``root`` was parsed from by the hardened parser)
    and ``remember``: see :func:`_shape`; the raw reading needs both of the last two."""
    out = StructureOutcome()
    body = tags_only(data) if data is not None else None
    raw = _RawReading(data, remember, body) if data is not None and remember is not None else None
    ids = _unique_ids(root, out)
    if ids is None or not _find_slots(root, out) or not _check_ids(ids, out):
        out.fatal = True
        return out
    # Bytes in which every "<" begins a tag hold no comment and no processing instruction,
    # so the walk looking for them would find nothing (``signature/_profile_raw.py``).
    if body is None:
        _check_comments(root, out, policy)
    slot_elements = {s.element for s in out.slots}
    in_slot: dict[etree._Element, list[etree._Element]] = {}
    for sig in root.iter(_D + "Signature"):
        parent = sig.getparent()
        if parent is None or parent not in slot_elements:
            out.results.append(_fail("STRUCTURE.MISPLACED_SIGNATURE", out.path(sig)))
            continue
        in_slot.setdefault(parent, []).append(sig)
    for slot in out.slots:
        sigs = in_slot.get(slot.element, [])
        if not sigs:
            continue
        if len(sigs) > 1:
            out.results.append(
                _fail("STRUCTURE.MISPLACED_SIGNATURE", slot.path, slot, en="(2 in one slot)")
            )
            continue
        sig = sigs[0]
        if sig.get("Id") != slot.signature_id:
            out.results.append(
                _fail(
                    "STRUCTURE.MISPLACED_SIGNATURE",
                    out.path(sig),
                    slot,
                    en=f"(slot expects Id {slot.signature_id})",
                    vi=f"(ô ký cần Id {slot.signature_id})",
                )
            )
            continue
        if slot.role is VaiTroKy.GVBM and slot.mon not in out.rows:
            out.results.append(
                _fail("STRUCTURE.REFERENCE_MISMATCH", slot.path, slot, en="(no such subject row)")
            )
            continue
        parsed = _shape(sig, slot, ids, out, canonical, raw)
        if parsed is not None:
            out.signatures.append(parsed)
    if not any(r.status is Status.FAIL for r in out.results):
        out.results.append(StepResult.of("STRUCTURE.OK", Status.PASS))
    return out


