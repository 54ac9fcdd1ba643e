"""Every column of the data catalogue's THCS/THPT Học bạ số tables and where it lives.

This table is the source of ``docs/field-mapping.md`` and is checked by tests: each modelled
column names an existing model attribute path, each model field is listed, and the catalogue's
column count per table is complete. Paths are dotted attribute paths from :class:`HocBa`; the
packet element path is the same path upper-cased (the packet's one mapping rule).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CATALOGUE", "EXTRA_FIELDS", "SYNC_COLUMNS", "CatalogueColumn"]

T_MAIN = "thongtinsohocbasothcsthpt"
T_HIST = "thongtinsohocbasothcsthpt_quatrinhhoctap"
T_CERT = "thongtinsohocbasothcsthpt_chungchi"
T_SCORES = "thongtinsohocbasothcsthpt_bangdiem"

TT = "thong_tin_hoc_ba"
CHUNG = f"{TT}.thong_tin_chung"
TRUONG = f"{TT}.thong_tin_truong"
HS = f"{TT}.hoc_sinh"
TK = f"{TT}.tong_ket"
KY = f"{TT}.nguoi_ky"
QT = f"{TT}.qua_trinh_hoc_tap[]"
CC = f"{TT}.danh_sach_chung_chi[]"
BD = "bang_diem[]"

#: The five TTDLQG synchronisation columns every table ends with. They describe a transfer to
#: the national data centre, not the record, so they are not part of the signed packet.
SYNC_COLUMNS = ("idbanghi", "sukien", "phienban", "thoigiancapnhat", "ngaycapnhat")


@dataclass(frozen=True, slots=True)
class CatalogueColumn:
    """One catalogue column: its table, its model path (``None`` when not modelled), a note."""

    table: str
    column: str
    path: str | None
    note: str = ""


def _c(table: str, column: str, path: str | None, note: str = "") -> CatalogueColumn:
    return CatalogueColumn(table, column, path, note)


_KEY = "Technical database key of the sender; not record content, not in the packet."
_SYNC = "TTDLQG synchronisation metadata (transport, not record content); not in the packet."

CATALOGUE: tuple[CatalogueColumn, ...] = (
    _c(T_MAIN, "keythongtinsohocbasothcsthpt", None, _KEY),
    _c(T_MAIN, "trangthaithongtinhocba", f"{CHUNG}.trang_thai"),
    _c(T_MAIN, "trichluc", f"{CHUNG}.trich_luc"),
    _c(T_MAIN, "tenhuyen", f"{TRUONG}.ten_huyen", "Grouped with the school (the district of "
       "the school's address before the 2025 two-level map)."),
    _c(T_MAIN, "phienbanthongtinhocba", f"{CHUNG}.phien_ban",
       "An integer ≥ 1 (the catalogue's varchar(10)); docs/signing.md §7 versions count from 1."),
    _c(T_MAIN, "thongtu", f"{CHUNG}.thong_tu"),
    _c(T_MAIN, "madinhdanhhocba", f"{CHUNG}.ma_dinh_danh_hoc_ba",
       "A UUID, always written in lower case."),
    _c(T_MAIN, "namhoc", f"{CHUNG}.nam_hoc"),
    _c(T_MAIN, "masogd", f"{TRUONG}.ma_so_gd"),
    _c(T_MAIN, "tensogd", f"{TRUONG}.ten_so_gd"),
    _c(T_MAIN, "matruong", f"{TRUONG}.ma_truong"),
    _c(T_MAIN, "tentruong", f"{TRUONG}.ten_truong"),
    _c(T_MAIN, "thongtintruong_diachi_tenxa", f"{TRUONG}.dia_chi.ten_xa"),
    _c(T_MAIN, "thongtintruong_diachi_tentinh", f"{TRUONG}.dia_chi.ten_tinh"),
    _c(T_MAIN, "thongtintruong_diachi_maxa", f"{TRUONG}.dia_chi.ma_xa"),
    _c(T_MAIN, "thongtintruong_diachi_matinh", f"{TRUONG}.dia_chi.ma_tinh"),
    _c(T_MAIN, "macaphoc", f"{CHUNG}.ma_cap_hoc"),
    _c(T_MAIN, "sosodangbo", f"{CHUNG}.so_so_dang_bo"),
    _c(T_MAIN, "hovaten", f"{HS}.ho_va_ten"),
    _c(T_MAIN, "sodinhdanh", f"{HS}.so_dinh_danh",
       "Also checked against birth year and gender (4th–6th digits)."),
    _c(T_MAIN, "mahocsinh", f"{HS}.ma_hoc_sinh"),
    _c(T_MAIN, "gioitinh", f"{HS}.gioi_tinh"),
    _c(T_MAIN, "ngaythangnamsinh", f"{HS}.ngay_thang_nam_sinh",
       "At least one of the three birth forms is required; given forms must agree."),
    _c(T_MAIN, "thangnamsinh", f"{HS}.thang_nam_sinh"),
    _c(T_MAIN, "namsinh", f"{HS}.nam_sinh"),
    _c(T_MAIN, "noisinh_diachichitiet", f"{HS}.noi_sinh.dia_chi_chi_tiet"),
    _c(T_MAIN, "noisinh_maxa", f"{HS}.noi_sinh.ma_xa"),
    _c(T_MAIN, "noisinh_matinh", f"{HS}.noi_sinh.ma_tinh"),
    _c(T_MAIN, "quequan_diachichitiet", f"{HS}.que_quan.dia_chi_chi_tiet"),
    _c(T_MAIN, "quequan_maxa", f"{HS}.que_quan.ma_xa"),
    _c(T_MAIN, "quequan_matinh", f"{HS}.que_quan.ma_tinh"),
    _c(T_MAIN, "noiohiennay_diachichitiet", f"{HS}.noi_o_hien_nay.dia_chi_chi_tiet"),
    _c(T_MAIN, "noiohiennay_maxa", f"{HS}.noi_o_hien_nay.ma_xa"),
    _c(T_MAIN, "noiohiennay_matinh", f"{HS}.noi_o_hien_nay.ma_tinh"),
    _c(T_MAIN, "dantoc", f"{HS}.dan_toc", "Codes 01–55, zero-padded (unverified padding)."),
    _c(T_MAIN, "quoctich", f"{HS}.quoc_tich", "ISO 3166-1 alpha-2 (unverified), default VN."),
    _c(T_MAIN, "doituongchinhsach", f"{HS}.doi_tuong_chinh_sach"),
    _c(T_MAIN, "cokhuyettatkhongdanhgia", f"{HS}.co_khuyet_tat_khong_danh_gia"),
    _c(T_MAIN, "hotencha", f"{HS}.ho_ten_cha"),
    _c(T_MAIN, "nghenghiepcha", f"{HS}.nghe_nghiep_cha"),
    _c(T_MAIN, "hotenme", f"{HS}.ho_ten_me"),
    _c(T_MAIN, "nghenghiepme", f"{HS}.nghe_nghiep_me"),
    _c(T_MAIN, "hotennguoigiamho", f"{HS}.ho_ten_nguoi_giam_ho"),
    _c(T_MAIN, "nghenghiepnguoigiamho", f"{HS}.nghe_nghiep_nguoi_giam_ho"),
    _c(T_MAIN, "tengiamhieu", f"{KY}.ten_giam_hieu"),
    _c(T_MAIN, "soddcngiamhieu", f"{KY}.so_ddcn_giam_hieu",
       "Matched against the CBQL certificate's UID=CCCD."),
    _c(T_MAIN, "diadanhphathanh", f"{KY}.dia_danh_phat_hanh"),
    _c(T_MAIN, "ngaykyphathanh", f"{KY}.ngay_ky_phat_hanh",
       "The effective date (ngày có hiệu lực) of docs/records.md."),
    _c(T_MAIN, "ngaytao", f"{CHUNG}.ngay_tao"),
    _c(T_MAIN, "chucvugiamhieu", f"{KY}.chuc_vu_giam_hieu"),
    _c(T_MAIN, "tengvcn", f"{KY}.ten_gvcn"),
    _c(T_MAIN, "soddcngvcn", f"{KY}.so_ddcn_gvcn",
       "Required here (optional in the catalogue): the verifier matches the GVCN "
       "certificate's UID=CCCD against it."),
    _c(T_MAIN, "makhoi", f"{CHUNG}.ma_khoi", "Codes 06–12; must belong to MA_CAP_HOC."),
    _c(T_MAIN, "tenlop", f"{CHUNG}.ten_lop"),
    _c(T_MAIN, "duoclenlop", f"{TK}.duoc_len_lop"),
    _c(T_MAIN, "ndungduoclenlop", f"{TK}.nd_duoc_len_lop",
       "Wording per Thông tư 22 (see docs/tt22.md)."),
    _c(T_MAIN, "ndunghoanthanh", f"{TK}.nd_hoan_thanh"),
    _c(T_MAIN, "kquathamgiacuocthi", f"{TK}.kq_tham_gia_cuoc_thi"),
    _c(T_MAIN, "ndungkquarenluyen", f"{TK}.nd_kq_ren_luyen"),
    _c(T_MAIN, "ndungkhenthuong", f"{TK}.nd_khen_thuong"),
    _c(T_MAIN, "nxetgvcn", f"{TK}.nx_gvcn"),
    _c(T_MAIN, "hocky1", f"{TK}.hoc_ky_1",
       "Required unless CO_KHUYET_TAT_KHONG_DANH_GIA is 1 (likewise HOC_KY_2, CA_NAM)."),
    _c(T_MAIN, "hocky2", f"{TK}.hoc_ky_2"),
    _c(T_MAIN, "canam", f"{TK}.ca_nam"),
    _c(T_MAIN, "sobuoinghi", f"{TK}.so_buoi_nghi",
       "An integer 0–300: the catalogue's 'minimum 1' would forbid a student who was never "
       "absent."),
    _c(T_MAIN, "renluyenhocky1", f"{TK}.ren_luyen_hoc_ky_1"),
    _c(T_MAIN, "renluyenhocky2", f"{TK}.ren_luyen_hoc_ky_2"),
    _c(T_MAIN, "renluyencanam", f"{TK}.ren_luyen_ca_nam"),
    _c(T_MAIN, "renluyenlai", f"{TK}.ren_luyen_lai"),
    _c(T_MAIN, "kqhoctaplai", f"{TK}.kq_hoc_tap_lai"),
    *(_c(T_MAIN, col, None, _SYNC) for col in SYNC_COLUMNS),
    _c(T_HIST, "keythongtinsohocbasothcsthpt_quatrinhhoctap", None, _KEY),
    _c(T_HIST, "keythongtinsohocbasothcsthpt", None, _KEY + " Nesting replaces the FK."),
    _c(T_HIST, "namhoc", f"{QT}.nam_hoc"),
    _c(T_HIST, "tenlop", f"{QT}.ten_lop"),
    _c(T_HIST, "tentruong", f"{QT}.ten_truong"),
    _c(T_HIST, "tentinh", f"{QT}.ten_tinh"),
    _c(T_HIST, "ngaytrangthaichuyenden", f"{QT}.ngay_trang_thai_chuyen_den",
       "A date (the catalogue's THCS/THPT sheet says varchar(10); tiểu học says date)."),
    *(_c(T_HIST, col, None, _SYNC) for col in SYNC_COLUMNS),
    _c(T_CERT, "keythongtinsohocbasothcsthpt_chungchi", None, _KEY),
    _c(T_CERT, "keythongtinsohocbasothcsthpt", None, _KEY + " Nesting replaces the FK."),
    _c(T_CERT, "tenchungchi", f"{CC}.ten_chung_chi",
       "Both columns are optional in the catalogue; a row needs at least one."),
    _c(T_CERT, "loaichungchi", f"{CC}.loai_chung_chi"),
    *(_c(T_CERT, col, None, _SYNC) for col in SYNC_COLUMNS),
    _c(T_SCORES, "keythongtinsohocbasothcsthpt_bangdiem", None, _KEY),
    _c(T_SCORES, "keythongtinsohocbasothcsthpt", None, _KEY + " Nesting replaces the FK."),
    _c(T_SCORES, "mamonhoc", f"{BD}.ma_mon_hoc",
       "Vendor-derived code list (unverified against gddt020–022); also the row's Id "
       "mon-<code>."),
    _c(T_SCORES, "tenmonhoc", f"{BD}.ten_mon_hoc",
       "Up to 100 characters: the catalogue's 20 cannot hold 'Hoạt động trải nghiệm, "
       "hướng nghiệp' (35)."),
    _c(T_SCORES, "diemhocky1", f"{BD}.diem_hoc_ky_1",
       "0–10 written with one decimal (8.0), Đ/CĐ for comment subjects, or M; the kind "
       "must fit the subject."),
    _c(T_SCORES, "diemhocky2", f"{BD}.diem_hoc_ky_2"),
    _c(T_SCORES, "diemcanam", f"{BD}.diem_ca_nam"),
    _c(T_SCORES, "diemkttralai", f"{BD}.diem_kt_lai"),
    _c(T_SCORES, "nxetmonhoc", f"{BD}.nx_mon_hoc"),
    _c(T_SCORES, "soddcngvbm", f"{BD}.so_ddcn_gvbm",
       "Matched against the subject teacher's certificate UID=CCCD."),
    _c(T_SCORES, "gvbm", f"{BD}.gvbm", "The subject teacher's name."),
    *(_c(T_SCORES, col, None, _SYNC) for col in SYNC_COLUMNS),
)

#: Model fields that no catalogue column holds, with why they exist (docs/records.md,
#: docs/signing.md §7).
EXTRA_FIELDS: dict[str, str] = {
    f"{CHUNG}.ma_tra_cuu": "Lookup code (mã tra cứu) printed on the paper copy (docs/records.md).",
    f"{CHUNG}.dinh_chinh.ly_do": "Reason of a correction (đính chính, docs/signing.md §7).",
    f"{CHUNG}.dinh_chinh.bam_phien_ban_truoc": "SHA-256 (hex) of the previous version's "
    "signed bytes, chaining versions (docs/signing.md §7).",
    f"{KY}.hinh_thuc_ky": "KT./TL./Q. when the head-of-school signer signs on another's "
    "behalf (docs/records.md).",
    f"{HS}.ma_so_ho_so_hoc_tap_suot_doi": "Added by hocbaso, not a catalogue column: the "
    "lifelong learning record number (mã số hồ sơ học tập suốt đời) that Nghị định "
    "88/2026/NĐ-CP gives every learner. Optional; bounded text until its shape is published.",
}
