"""Typed, frozen models of one Học bạ số record (SPEC §2) and the catalogue's code lists."""

from hocbaso.models._codes import (
    MON_HOC,
    CapHoc,
    DanhGiaNhanXet,
    DanToc,
    GioiTinh,
    HinhThucKy,
    Khoi,
    LoaiDanhGia,
    MonHocInfo,
    MucDanhGia,
    Tinh,
    TrangThaiHocBa,
    mon_hoc_info,
)

__all__ = [
    "MON_HOC",
    "CapHoc",
    "DanToc",
    "DanhGiaNhanXet",
    "GioiTinh",
    "HinhThucKy",
    "Khoi",
    "LoaiDanhGia",
    "MonHocInfo",
    "MucDanhGia",
    "Tinh",
    "TrangThaiHocBa",
    "mon_hoc_info",
]
