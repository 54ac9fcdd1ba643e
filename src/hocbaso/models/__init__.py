"""Typed, frozen models of one Học bạ số record (docs/records.md) and the catalogue's code lists.

Every model raises ``hocbaso.errors.ModelError`` (never a bare pydantic error) with a stable
code, the element path of the field and a Vietnamese + English message.
"""

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
)
from hocbaso.models._hocba import (
    ChungChi,
    DiaChi,
    DiaChiTruong,
    DiemTongKet,
    DinhChinh,
    HocBa,
    HocSinh,
    NguoiKy,
    QuaTrinhHocTap,
    ThongTinChung,
    ThongTinHocBa,
    ThongTinTruong,
    TongKet,
)

__all__ = [
    "MON_HOC",
    "CapHoc",
    "ChungChi",
    "DanToc",
    "DanhGiaNhanXet",
    "DiaChi",
    "DiaChiTruong",
    "DiemTongKet",
    "DinhChinh",
    "GioiTinh",
    "HinhThucKy",
    "HocBa",
    "HocSinh",
    "Khoi",
    "LoaiDanhGia",
    "MonHocInfo",
    "MucDanhGia",
    "NguoiKy",
    "QuaTrinhHocTap",
    "ThongTinChung",
    "ThongTinHocBa",
    "ThongTinTruong",
    "Tinh",
    "TongKet",
    "TrangThaiHocBa",
]
