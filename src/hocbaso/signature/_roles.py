"""The four signing roles of a Học bạ số packet, their slots, Ids and order (SPEC §3–§4)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["VaiTroKy"]


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

    @property
    def slot_path(self) -> str:
        """Where the role's signature lives, relative to the root ``HOC_BA``."""
        return _SLOT_PATH[self]

    def suffix(self, mon: str | None = None) -> str:
        """The Id suffix: ``gvbm-<code>``, ``gvcn``, ``cbql`` or ``kyphathanh``."""
        if self is VaiTroKy.GVBM:
            return f"gvbm-{mon}"
        return _SUFFIX[self]

    def signature_id(self, mon: str | None = None) -> str:
        return f"sig-{self.suffix(mon)}"

    def object_id(self, mon: str | None = None) -> str:
        return f"st-{self.suffix(mon)}"

    def reference_id(self, mon: str | None = None) -> str:
        """The Id of the element the role signs (Reference 1 points at ``#`` + this)."""
        if self is VaiTroKy.GVBM:
            return f"mon-{mon}"
        return _REFERENCE[self]


_RANK = {VaiTroKy.GVBM: 0, VaiTroKy.GVCN: 1, VaiTroKy.CBQL: 2, VaiTroKy.KY_PHAT_HANH: 3}
_SLOT_PATH = {
    VaiTroKy.GVBM: "DANH_SACH_THONG_TIN_KY/DANH_SACH_GVBM/GVBM",
    VaiTroKy.GVCN: "DANH_SACH_THONG_TIN_KY/GVCN",
    VaiTroKy.CBQL: "PHAT_HANH_HOC_BA/CBQL",
    VaiTroKy.KY_PHAT_HANH: "PHAT_HANH_HOC_BA/KY_PHAT_HANH",
}
_SUFFIX = {VaiTroKy.GVCN: "gvcn", VaiTroKy.CBQL: "cbql", VaiTroKy.KY_PHAT_HANH: "kyphathanh"}
_REFERENCE = {VaiTroKy.GVCN: "thongtinhocba", VaiTroKy.CBQL: "data", VaiTroKy.KY_PHAT_HANH: "data"}
