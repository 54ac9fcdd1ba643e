"""Thông tư 22/2021/TT-BGDĐT results, computed exactly and checked.

Pure functions over marks and levels (no I/O): subject averages with half-up rounding to one
decimal, comment-subject results, the learning level with the adjust-up rule, year conduct,
promotion with the summer paths, awards; :func:`evaluate` for the language-neutral JSON
contract; :func:`check_record` for the consistency of a record's own results. The product
decisions where the circular leaves room are those of ``docs/tt22.md`` §2; it explains each
rule with an example.
"""

from hocbaso.tt22._evaluate import evaluate, evaluate_json
from hocbaso.tt22._hoc_tap import KetQuaHocTap, KetQuaMon, muc_hoc_tap, xep_muc_hoc_tap
from hocbaso.tt22._kiem_tra import MA_PHAT_HIEN, Finding, RuleReport, check_record
from hocbaso.tt22._mon_hoc import (
    danh_gia_nhan_xet_ca_nam,
    danh_gia_nhan_xet_hoc_ky,
    diem_trung_binh_ca_nam,
    diem_trung_binh_ca_nam_chinh_xac,
    diem_trung_binh_hoc_ky,
    diem_trung_binh_hoc_ky_chinh_xac,
    so_dgtx_yeu_cau,
)
from hocbaso.tt22._ren_luyen import ren_luyen_ca_nam
from hocbaso.tt22._so import lam_tron
from hocbaso.tt22._xet_len_lop import (
    SO_BUOI_NGHI_TOI_DA,
    DanhHieu,
    KetQuaXetLenLop,
    XetLenLop,
    danh_hieu,
    hoc_tap_sau_kiem_tra_lai,
    mon_kiem_tra_lai,
    noi_dung_len_lop,
    xet_len_lop,
)

__all__ = [
    "MA_PHAT_HIEN",
    "SO_BUOI_NGHI_TOI_DA",
    "DanhHieu",
    "Finding",
    "KetQuaHocTap",
    "KetQuaMon",
    "KetQuaXetLenLop",
    "RuleReport",
    "XetLenLop",
    "check_record",
    "danh_gia_nhan_xet_ca_nam",
    "danh_gia_nhan_xet_hoc_ky",
    "danh_hieu",
    "diem_trung_binh_ca_nam",
    "diem_trung_binh_ca_nam_chinh_xac",
    "diem_trung_binh_hoc_ky",
    "diem_trung_binh_hoc_ky_chinh_xac",
    "evaluate",
    "evaluate_json",
    "hoc_tap_sau_kiem_tra_lai",
    "lam_tron",
    "mon_kiem_tra_lai",
    "muc_hoc_tap",
    "noi_dung_len_lop",
    "ren_luyen_ca_nam",
    "so_dgtx_yeu_cau",
    "xep_muc_hoc_tap",
    "xet_len_lop",
]
