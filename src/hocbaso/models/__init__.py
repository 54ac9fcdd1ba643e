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
    mon_hoc_info,
)
from hocbaso.models._hocba import (
    THONG_TU_22,
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
from hocbaso.models._types import KHONG_DANH_GIA, format_ket_qua, parse_ket_qua

__all__ = [
    "KHONG_DANH_GIA",
    "MON_HOC",
    "THONG_TU_22",
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
    "format_ket_qua",
    "mon_hoc_info",
    "parse_ket_qua",
]
