"""Fixed names of the packet layout (SPEC §3): element names, Ids and signature slots."""

from __future__ import annotations

__all__ = [
    "FORMAT_VERSION",
    "ID_DATA",
    "ID_THONG_TIN",
    "SLOT_CBQL",
    "SLOT_GVBM",
    "SLOT_GVCN",
    "SLOT_KY_PHAT_HANH",
    "mon_id",
]

#: Version of the packet format; also in the XSD file name ``hocba-1.0.xsd``.
FORMAT_VERSION = "1.0"
ID_DATA = "data"
ID_THONG_TIN = "thongtinhocba"

ROOT = "HOC_BA"
ATTR_FORMAT = "PHIEN_BAN_DINH_DANG"
DU_LIEU = "DU_LIEU_HOC_BA"
THONG_TIN = "THONG_TIN_HOC_BA"
BANG_DIEM = "BANG_DIEM"
DIEM_TONG_KET = "DIEM_TONG_KET"
DANH_SACH_KY = "DANH_SACH_THONG_TIN_KY"
DANH_SACH_GVBM = "DANH_SACH_GVBM"
PHAT_HANH = "PHAT_HANH_HOC_BA"
ATTR_MA_MON = "MA_MON_HOC"

#: Slot paths from the root, as the signing and verification layers address them.
SLOT_GVBM = f"{DANH_SACH_KY}/{DANH_SACH_GVBM}/GVBM"
SLOT_GVCN = f"{DANH_SACH_KY}/GVCN"
SLOT_CBQL = f"{PHAT_HANH}/CBQL"
SLOT_KY_PHAT_HANH = f"{PHAT_HANH}/KY_PHAT_HANH"


def mon_id(ma_mon_hoc: str) -> str:
    """Id of a subject row, the target of its subject teacher's signature."""
    return f"mon-{ma_mon_hoc}"
