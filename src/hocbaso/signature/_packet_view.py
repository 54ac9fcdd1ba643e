"""A packet as the signing core sees it: its Id index and its signature slots in signing order.

Parsed through ``hocbaso.packet.parse_xml`` (the one hardened gate) and checked against the one
layout table (``hocbaso/packet/_layout.py``): every Id once, every signed Id where the layout
puts it, one GVBM slot per subject row, and each slot empty or holding exactly one Signature.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from hocbaso.errors import (
    SigningError,
)
from hocbaso.packet import parse_xml
from hocbaso.packet._internal import VaiTroKy
from hocbaso.packet._internal import layout as L
from hocbaso.signature._algorithms import DSIG_NS
from hocbaso.signature._profile import (
    HocBaKy,
)
from hocbaso.signature._record import record_binding_in

__all__ = [
    "PacketView",
    "SlotInfo",
    "load_packet",
    "packet_error",
    "role_label",
]

_ALL_IDS = etree.XPath("//@Id")


def packet_error(code: str, en: str, vi: str, path: str = "") -> SigningError:
    return SigningError(en, vi, code=f"SIGN.PACKET.{code}", path=path)


def role_label(role: VaiTroKy, mon: str | None) -> str:
    """Role name for messages and error paths: ``GVBM[TOAN]``, ``GVCN``…"""
    return f"GVBM[{mon}]" if role is VaiTroKy.GVBM else role.value


@dataclass(frozen=True, slots=True)
class SlotInfo(L.RoleSlot):
    """One signature slot of a packet and the Signature it holds, if any."""

    role: VaiTroKy
    mon: str | None
    element: etree._Element
    signature: etree._Element | None
    #: The slot holds a Signature this process spliced in after ``element``'s tree was parsed
    #: (a view the signing core derived, ``_known``): signed, but with no element to read.
    spliced: bool = False

    @property
    def label(self) -> str:
        return role_label(self.role, self.mon)

    @property
    def signed(self) -> bool:
        """The slot holds a Signature (read from the tree, or spliced in by this process)."""
        return self.signature is not None or self.spliced


@dataclass(frozen=True, slots=True)
class PacketView:
    """A parsed packet: its Id index and its slots in signing order."""

    data: bytes
    root: etree._Element
    ids: dict[str, etree._Element]
    slots: tuple[SlotInfo, ...]
    #: Derived by ``_known`` from the parse of earlier bytes, not parsed from ``data`` itself:
    #: the Signatures spliced in since (``SlotInfo.spliced``) have no elements to read.
    derived: bool = False

    def binding(self) -> HocBaKy:
        """The record identifier and version this packet names: what every signature in it
        must be bound to. Raises ``SIGN.PACKET.RECORD_ID`` when they cannot be read."""
        found = record_binding_in(self.root)
        if found is None:
            raise packet_error(
                "RECORD_ID",
                "the packet names no single record identifier and version "
                "(THONG_TIN_CHUNG/MA_DINH_DANH_HOC_BA, PHIEN_BAN)",
                "gói tin không ghi đúng một mã định danh học bạ và phiên bản "
                "(THONG_TIN_CHUNG/MA_DINH_DANH_HOC_BA, PHIEN_BAN)",
                f"/{L.ROOT}/{L.THONG_TIN_CHUNG_PATH}",
            )
        return found

    def slot(self, role: VaiTroKy, mon: str | None) -> SlotInfo | None:
        for s in self.slots:
            if s.role is role and s.mon == mon:
                return s
        return None

    def record_id(self, role: VaiTroKy, mon: str | None) -> str | None:
        """The personal ID the record names for ``role`` (never logged, only compared)."""
        if role is VaiTroKy.GVBM:
            row = self.ids.get(L.mon_id(mon or ""))
            found = _child(row, L.PERSONAL_ID_TAG[role]) if row is not None else None
        elif role in (VaiTroKy.GVCN, VaiTroKy.CBQL):
            info = self.ids.get(L.ID_THONG_TIN)
            name = L.PERSONAL_ID_TAG[role]
            # What ``info.find(f"NGUOI_KY/{name}")`` finds, without ElementPath's overhead.
            found = (
                next((c for k in info.iterchildren("NGUOI_KY") for c in k.iterchildren(name)), None)
                if info is not None
                else None
            )
        else:
            return None
        return (found.text or "").strip() if found is not None else None


def _child(element: etree._Element, tag: str) -> etree._Element | None:
    """``element.find(tag)`` for a plain (no-namespace) tag: the first such child."""
    return next(element.iterchildren(tag), None)


def _child_text(element: etree._Element, tag: str) -> str:
    """``element.findtext(tag) or ""`` for a plain tag."""
    found = _child(element, tag)
    return (found.text or "") if found is not None else ""


def _signature_in(slot: etree._Element, path: str) -> etree._Element | None:
    children = list(slot)
    if (slot.text or "").strip():
        raise packet_error("SLOT_CONTENT", "a slot holds text", "ô chữ ký chứa văn bản", path)
    if not children:
        return None
    elements = [c for c in children if isinstance(c.tag, str)]
    if len(elements) != 1 or elements[0].tag != f"{{{DSIG_NS}}}Signature":
        raise packet_error(
            "SLOT_CONTENT",
            "a slot holds something other than one Signature",
            "ô chữ ký chứa nội dung khác ngoài một chữ ký",
            path,
        )
    return elements[0]


def load_packet(data: bytes) -> PacketView:
    """Parse ``data`` with the hardened parser and index its Ids and signature slots."""
    root = parse_xml(data)
    ids: dict[str, etree._Element] = {}
    found_ids = _ALL_IDS(root)  # every element's Id, root included, in document order
    assert isinstance(found_ids, list)
    for attr in found_ids:
        assert isinstance(attr, etree._ElementUnicodeResult)
        key = str(attr)
        el = attr.getparent()
        assert el is not None
        if key in ids:
            # Two elements with one Id is the classic signature-wrapping set-up: refuse.
            raise packet_error(
                "DUPLICATE_ID", "an Id occurs twice", "một Id xuất hiện hai lần", key
            )
        ids[key] = el
    # Each Id a role signs must sit where the layout puts it (docs/packet.md), not anywhere.
    pinned = [(L.ID_DATA, L.DU_LIEU), (L.ID_THONG_TIN, f"{L.DU_LIEU}/{L.THONG_TIN}")]
    rows_path = f"{L.DU_LIEU}/{L.BANG_DIEM}/{L.DIEM_TONG_KET}"
    rows = root.findall(rows_path)
    row_codes = [_child_text(r, L.MA_MON_HOC).strip() for r in rows]
    for key, path in pinned:
        if key in ids and ids[key] is not root.find(path):
            raise packet_error(
                "REFERENCE",
                f"the element with Id {key!r} is not at {path}",
                f"phần tử có Id {key!r} không nằm ở {path}",
                path,
            )
    for row, row_code in zip(rows, row_codes, strict=True):
        if row.get("Id") != L.mon_id(row_code):
            raise packet_error(
                "REFERENCE",
                "a subject row's Id does not match its subject code",
                "Id của dòng môn học không khớp mã môn học",
                rows_path,
            )
    slots: list[SlotInfo] = []
    for role, path in L.SLOT_PATHS.items():
        found = root.findall(path)
        if role is VaiTroKy.GVBM:
            seen: set[str] = set()
            for el in found:
                code = el.get(L.ATTR_MA_MON)
                if not code or code in seen:
                    raise packet_error(
                        "SLOT",
                        "a GVBM slot has no or a repeated MA_MON_HOC",
                        "ô GVBM thiếu hoặc lặp MA_MON_HOC",
                        path,
                    )
                seen.add(code)
                slots.append(SlotInfo(role, code, el, _signature_in(el, f"{path}[{code}]")))
            if sorted(seen) != sorted(row_codes):
                # Every subject row needs exactly one GVBM slot, or a row could go unsigned.
                raise packet_error(
                    "SLOT",
                    "the GVBM slots do not match the subject rows one to one",
                    "các ô GVBM không tương ứng một-một với các dòng môn học",
                    path,
                )
            continue
        if len(found) != 1:
            raise packet_error(
                "SLOT",
                f"the packet must have exactly one {path} slot",
                f"gói tin phải có đúng một ô {path}",
                path,
            )
        slots.append(SlotInfo(role, None, found[0], _signature_in(found[0], path)))
    return PacketView(data, root, ids, tuple(slots))


