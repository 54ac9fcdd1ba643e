"""The packet layout, written once: element names, signed Ids, signature slots and the roles.

Everything that says where something lives in a packet (docs/packet.md §1–§3) and who signs
it (docs/signing.md §1) is here, and only here: the packet writer builds the skeleton from
these names, the signing core finds its slots and pinned Ids with them, and the verifier
checks the layout against them. A test (``tests/test_one_table.py``) fails when a slot path, an
Id format or a role name is spelled out anywhere else in ``src/`` (the subject-row Id format
is defined in ``hocbaso/models/_ids.py``, below the Thông tư 22 engine that also names rows by
it, and re-exported here), so the signer and the
verifier cannot drift apart.
"""

from __future__ import annotations

from enum import StrEnum

from hocbaso.models._internal import MON_ID_PREFIX, mon_id, mon_of_id

__all__ = [
    "ATTR_FORMAT",
    "ATTR_MA_MON",
    "BANG_DIEM",
    "DANH_SACH_GVBM",
    "DANH_SACH_KY",
    "DIEM_TONG_KET",
    "DU_LIEU",
    "FORMAT_VERSION",
    "ID_DATA",
    "ID_THONG_TIN",
    "MA_MON_HOC",
    "MON_ID_PREFIX",
    "OBJECT_ID_PREFIX",
    "PERSONAL_ID_TAG",
    "PHAT_HANH",
    "ROOT",
    "SIGNATURE_ID_PREFIX",
    "SLOT_PATHS",
    "THONG_TIN",
    "THONG_TIN_CHUNG",
    "THONG_TIN_CHUNG_PATH",
    "RoleSlot",
    "VaiTroKy",
    "mon_id",
    "mon_of_id",
    "slot_xpath",
]

#: Version of the packet format; also in the XSD file name ``hocba-1.0.xsd``.
FORMAT_VERSION = "1.0"

ROOT = "HOC_BA"
ATTR_FORMAT = "PHIEN_BAN_DINH_DANG"
DU_LIEU = "DU_LIEU_HOC_BA"
THONG_TIN = "THONG_TIN_HOC_BA"
BANG_DIEM = "BANG_DIEM"
DIEM_TONG_KET = "DIEM_TONG_KET"
MA_MON_HOC = "MA_MON_HOC"
DANH_SACH_KY = "DANH_SACH_THONG_TIN_KY"
DANH_SACH_GVBM = "DANH_SACH_GVBM"
PHAT_HANH = "PHAT_HANH_HOC_BA"
THONG_TIN_CHUNG = "THONG_TIN_CHUNG"
#: Where the record's identity (``MA_DINH_DANH_HOC_BA``, ``PHIEN_BAN``) lives, from the root.
THONG_TIN_CHUNG_PATH = f"{DU_LIEU}/{THONG_TIN}/{THONG_TIN_CHUNG}"
#: The attribute naming a GVBM slot's subject.
ATTR_MA_MON = MA_MON_HOC

#: Id of ``DU_LIEU_HOC_BA`` (signed by CBQL and KY_PHAT_HANH).
ID_DATA = "data"
#: Id of ``THONG_TIN_HOC_BA`` (signed by GVCN).
ID_THONG_TIN = "thongtinhocba"
#: A Signature's Id is this prefix and its role's suffix (:meth:`VaiTroKy.suffix`).
SIGNATURE_ID_PREFIX = "sig-"
#: The Id of a Signature's signed ``Object`` (its SigningTime and record binding).
OBJECT_ID_PREFIX = "st-"


class VaiTroKy(StrEnum):
    """A signing role (vai trò ký), in the order the roles must sign.

    GVBM (giáo viên bộ môn) signs each subject row; GVCN (giáo viên chủ nhiệm) the record's
    information block; CBQL (cán bộ quản lý, the head of school) the whole data block; and
    KY_PHAT_HANH (issuance) the data block again with the school's organisation certificate.
    """

    GVBM = "GVBM"
    GVCN = "GVCN"
    CBQL = "CBQL"
    KY_PHAT_HANH = "KY_PHAT_HANH"

    @property
    def rank(self) -> int:
        """Position in the signing order, 0 (GVBM) to 3 (KY_PHAT_HANH)."""
        return _RANK[self]

    @property
    def personal(self) -> bool:
        """Whether the role is signed with a personal certificate (``UID=CCCD:…``)."""
        return self is not VaiTroKy.KY_PHAT_HANH

    def suffix(self, mon: str | None = None) -> str:
        """The Id suffix: ``gvbm-<code>``, ``gvcn``, ``cbql`` or ``kyphathanh``."""
        if self is VaiTroKy.GVBM:
            return f"gvbm-{mon}"
        return _SUFFIX[self]

    def signature_id(self, mon: str | None = None) -> str:
        """The Id of the role's ``Signature`` element."""
        return f"{SIGNATURE_ID_PREFIX}{self.suffix(mon)}"

    def object_id(self, mon: str | None = None) -> str:
        """The Id of the role's signed ``Object`` (SigningTime and record binding)."""
        return f"{OBJECT_ID_PREFIX}{self.suffix(mon)}"

    def reference_id(self, mon: str | None = None) -> str:
        """The Id of the element the role signs (Reference 1 points at ``#`` + this)."""
        if self is VaiTroKy.GVBM:
            return mon_id(mon or "")
        return _REFERENCE[self]


_RANK = {VaiTroKy.GVBM: 0, VaiTroKy.GVCN: 1, VaiTroKy.CBQL: 2, VaiTroKy.KY_PHAT_HANH: 3}
_SUFFIX = {VaiTroKy.GVCN: "gvcn", VaiTroKy.CBQL: "cbql", VaiTroKy.KY_PHAT_HANH: "kyphathanh"}
_REFERENCE = {VaiTroKy.GVCN: ID_THONG_TIN, VaiTroKy.CBQL: ID_DATA, VaiTroKy.KY_PHAT_HANH: ID_DATA}

#: Where each role's signature slot lives, relative to the root ``HOC_BA``, in signing order.
#: GVBM slots repeat, one per subject row, told apart by their ``MA_MON_HOC`` attribute.
SLOT_PATHS: dict[VaiTroKy, str] = {
    VaiTroKy.GVBM: f"{DANH_SACH_KY}/{DANH_SACH_GVBM}/{VaiTroKy.GVBM.value}",
    VaiTroKy.GVCN: f"{DANH_SACH_KY}/{VaiTroKy.GVCN.value}",
    VaiTroKy.CBQL: f"{PHAT_HANH}/{VaiTroKy.CBQL.value}",
    VaiTroKy.KY_PHAT_HANH: f"{PHAT_HANH}/{VaiTroKy.KY_PHAT_HANH.value}",
}

#: The element naming the personal ID a personal role's certificate must carry, inside the
#: element the role signs (the subject row for GVBM) or in ``THONG_TIN_HOC_BA/NGUOI_KY``.
PERSONAL_ID_TAG: dict[VaiTroKy, str] = {
    VaiTroKy.GVBM: "SO_DDCN_GVBM",
    VaiTroKy.GVCN: "SO_DDCN_GVCN",
    VaiTroKy.CBQL: "SO_DDCN_GIAM_HIEU",
}


class RoleSlot:
    """The Ids of one role's slot (``role`` and, for GVBM, ``mon``): a base for the signer's and
    the verifier's views of a slot, so both take every Id from :class:`VaiTroKy`."""

    __slots__ = ()
    role: VaiTroKy
    mon: str | None

    @property
    def signature_id(self) -> str:
        return self.role.signature_id(self.mon)

    @property
    def object_id(self) -> str:
        return self.role.object_id(self.mon)

    @property
    def reference_id(self) -> str:
        return self.role.reference_id(self.mon)


def slot_xpath(role: VaiTroKy, mon: str | None = None) -> str:
    """The absolute path of a role's slot, as reports and errors name it
    (``/HOC_BA/DANH_SACH_THONG_TIN_KY/DANH_SACH_GVBM/GVBM[@MA_MON_HOC='15']``)."""
    path = f"/{ROOT}/{SLOT_PATHS[role]}"
    return f"{path}[@{ATTR_MA_MON}='{mon}']" if mon is not None else path
