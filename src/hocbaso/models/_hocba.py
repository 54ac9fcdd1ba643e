"""One Học bạ số record: one student × one school year × one school (docs/records.md).

The attribute order is the element order of the packet, and every element name is the
attribute name upper-cased. Catalogue columns map to attributes by splitting the column into
its Vietnamese syllables (``madinhdanhhocba`` → ``ma_dinh_danh_hoc_ba``); the catalogue's own
abbreviations are kept as words, shortened consistently (``ndung`` → ``nd``, ``kqua`` → ``kq``,
``nxet`` → ``nx``, ``kttra`` → ``kt``, ``soddcn`` → ``so_ddcn``). ``docs/field-mapping.md`` lists
every column.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias

from pydantic import Field, field_validator, model_validator

from hocbaso.errors import ModelError
from hocbaso.models._base import HocBaModel
from hocbaso.models._codes import (
    MON_HOC,
    CapHoc,
    DanhGiaNhanXet,
    DanToc,
    GioiTinh,
    HinhThucKy,
    Khoi,
    LoaiDanhGia,
    MucDanhGia,
    Tinh,
    TrangThaiHocBa,
)
from hocbaso.models._ids import mon_id
from hocbaso.models._types import (
    Co,
    Date,
    KetQuaMon,
    MaTruong,
    MaXa,
    NamHoc,
    PhienBan,
    QuocTich,
    SoBuoiNghi,
    SoDinhDanh,
    Text10,
    Text20,
    Text30,
    Text50,
    Text100,
    Text150,
    Text250,
    Text500,
    Text2000,
    _pattern,
)

__all__ = [
    "THONG_TU_22",
    "ChungChi",
    "DiaChi",
    "DiaChiTruong",
    "DiemTongKet",
    "DinhChinh",
    "HocBa",
    "HocSinh",
    "NguoiKy",
    "QuaTrinhHocTap",
    "ThongTinChung",
    "ThongTinHocBa",
    "ThongTinTruong",
    "TongKet",
]

THONG_TU_22 = "22/2021/TT-BGDĐT"

if TYPE_CHECKING:
    MaDinhDanhHocBa: TypeAlias = str
    MaTraCuu: TypeAlias = str
    MaSoGd: TypeAlias = str
    MaMonHoc: TypeAlias = str
    ThangNamSinh: TypeAlias = str
    NamSinh: TypeAlias = str
    BamSha256: TypeAlias = str
    MaSoHoSoHocTapSuotDoi: TypeAlias = str
else:
    MaDinhDanhHocBa = _pattern(
        "MaDinhDanhHocBa",
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        max_length=36,
    )
    MaTraCuu = _pattern("MaTraCuu", r"[0-9A-Z]{6,20}", max_length=20)
    MaSoGd = _pattern("MaSoGd", r"[0-9]{2}", max_length=2)
    MaMonHoc = _pattern("MaMonHoc", r"[0-9]{2,3}", max_length=3)
    ThangNamSinh = _pattern("ThangNamSinh", r"[0-9]{4}-(0[1-9]|1[0-2])", max_length=7)
    NamSinh = _pattern("NamSinh", r"[0-9]{4}", max_length=4)
    BamSha256 = _pattern("BamSha256", r"[0-9a-f]{64}", max_length=64)
    #: Lifelong learning record number (Nghị định 88/2026/NĐ-CP). Its shape is not published
    #: yet, so it is bounded text of a conservative ASCII set that any future format (digits,
    #: letters, separators) fits: 1–50 characters, starting with a letter or digit.
    MaSoHoSoHocTapSuotDoi = _pattern(
        "MaSoHoSoHocTapSuotDoi", r"[0-9A-Za-z][0-9A-Za-z._/-]{0,49}", max_length=50
    )


def _err(code: str, path: str, vi: str, en: str) -> ModelError:
    return ModelError(en, vi, code=code, path=path)


class DinhChinh(HocBaModel):
    """Correction (đính chính): why this version exists and which signed bytes it replaces."""

    ly_do: Text500
    bam_phien_ban_truoc: BamSha256


class ThongTinChung(HocBaModel):
    """Header: identity, version and status of the record, and where it sits in school."""

    ma_dinh_danh_hoc_ba: MaDinhDanhHocBa
    ma_tra_cuu: MaTraCuu
    phien_ban: PhienBan = 1
    trang_thai: TrangThaiHocBa = TrangThaiHocBa.CO_HIEU_LUC
    thong_tu: Text30 = THONG_TU_22
    trich_luc: Co = False
    nam_hoc: NamHoc
    ma_cap_hoc: CapHoc
    ma_khoi: Khoi
    ten_lop: Text10
    so_so_dang_bo: Text50 | None = None
    ngay_tao: Date
    dinh_chinh: DinhChinh | None = None

    @field_validator("ma_dinh_danh_hoc_ba", mode="before")
    @classmethod
    def _uuid_text(cls, value: Any) -> Any:
        # Accept uuid.UUID and upper-case text; the packet always carries the lower-case form.
        return str(value).lower() if value is not None else value

    @model_validator(mode="after")
    def _consistent(self) -> ThongTinChung:
        if self.ma_khoi.cap_hoc is not self.ma_cap_hoc:
            raise _err(
                "MODEL.GRADE_LEVEL",
                "MA_KHOI",
                "Khối lớp không thuộc cấp học đã khai báo",
                "Grade does not belong to the declared level",
            )
        if (self.dinh_chinh is None) != (self.phien_ban == 1):
            raise _err(
                "MODEL.CORRECTION",
                "DINH_CHINH",
                "Phiên bản sau phiên bản 1 phải có thông tin đính chính, phiên bản 1 thì không",
                "A version after 1 needs correction details; version 1 must have none",
            )
        return self


class DiaChiTruong(HocBaModel):
    """The school's address on the two-level map of QĐ 19/2025/QĐ-TTg."""

    ten_xa: Text150
    ten_tinh: Text150
    ma_xa: MaXa | None = None
    ma_tinh: Tinh


class ThongTinTruong(HocBaModel):
    """The issuing school and its Sở."""

    ma_so_gd: MaSoGd
    ten_so_gd: Text150
    ma_truong: MaTruong
    ten_truong: Text150
    ten_huyen: Text250 | None = None
    dia_chi: DiaChiTruong


class DiaChi(HocBaModel):
    """A person's address: free text plus optional commune and province codes."""

    dia_chi_chi_tiet: Text250
    ma_xa: MaXa | None = None
    ma_tinh: Tinh | None = None


class HocSinh(HocBaModel):
    """The student. Birth is given as a full date, a year-month, or only a year."""

    ma_hoc_sinh: Text20
    so_dinh_danh: SoDinhDanh
    #: "Mã số hồ sơ học tập suốt đời" (Nghị định 88/2026/NĐ-CP): one per learner, tied to the
    #: personal ID. Optional until the Ministry publishes its shape; not a catalogue column.
    ma_so_ho_so_hoc_tap_suot_doi: MaSoHoSoHocTapSuotDoi | None = None
    ho_va_ten: Text150
    gioi_tinh: GioiTinh
    ngay_thang_nam_sinh: Date | None = None
    thang_nam_sinh: ThangNamSinh | None = None
    nam_sinh: NamSinh | None = None
    noi_sinh: DiaChi
    que_quan: DiaChi
    noi_o_hien_nay: DiaChi
    dan_toc: DanToc
    quoc_tich: QuocTich = "VN"
    doi_tuong_chinh_sach: Text250 | None = None
    co_khuyet_tat_khong_danh_gia: Co = False
    ho_ten_cha: Text150 | None = None
    nghe_nghiep_cha: Text150 | None = None
    ho_ten_me: Text150 | None = None
    nghe_nghiep_me: Text150 | None = None
    ho_ten_nguoi_giam_ho: Text150 | None = None
    nghe_nghiep_nguoi_giam_ho: Text150 | None = None

    @property
    def nam_sinh_so(self) -> int | None:
        """Year of birth from whichever form was given."""
        if self.ngay_thang_nam_sinh is not None:
            return self.ngay_thang_nam_sinh.year
        if self.thang_nam_sinh is not None:
            return int(self.thang_nam_sinh[:4])
        return int(self.nam_sinh) if self.nam_sinh is not None else None

    @model_validator(mode="after")
    def _birth_and_id(self) -> HocSinh:
        d, ym, y = self.ngay_thang_nam_sinh, self.thang_nam_sinh, self.nam_sinh
        if ym is None and y is None:
            if d is None:
                raise _err(
                    "MODEL.BIRTH_DATE",
                    "NGAY_THANG_NAM_SINH",
                    "Phải có ngày sinh, tháng năm sinh hoặc năm sinh",
                    "A birth date, birth year-month or birth year is required",
                )
            # The usual record: one full date, so there is no other form to disagree with.
            year = d.year
        else:
            years = set()
            if d is not None:
                years.add(d.year)
                if ym is not None and ym != f"{d:%Y-%m}":
                    years.add(-1)
            if ym is not None:
                years.add(int(ym[:4]))
            if y is not None:
                years.add(int(y))
            if len(years) > 1:
                raise _err(
                    "MODEL.BIRTH_DATE",
                    "NGAY_THANG_NAM_SINH",
                    "Các dạng ngày sinh không khớp nhau",
                    "The birth date forms disagree",
                )
            year = years.pop()
        # The 12-digit ID encodes century and gender in its 4th digit and the birth year's
        # last two digits in the 5th–6th: a cheap check that catches swapped IDs.
        so = self.so_dinh_danh
        digit = int(so[3])
        gioi_tinh = self.gioi_tinh
        if (
            1900 + 100 * (digit // 2) + int(so[4:6]) != year
            or (gioi_tinh is GioiTinh.NAM and digit % 2 != 0)
            or (gioi_tinh is GioiTinh.NU and digit % 2 != 1)
        ):
            raise _err(
                "MODEL.PERSONAL_ID_MISMATCH",
                "SO_DINH_DANH",
                "Số định danh không khớp với năm sinh hoặc giới tính",
                "Personal ID does not match the birth year or gender",
            )
        return self


class QuaTrinhHocTap(HocBaModel):
    """One earlier (or the current) year of the student's learning history."""

    xml_tag: ClassVar[str] = "QUA_TRINH"

    nam_hoc: NamHoc
    ten_lop: Text100
    ten_truong: Text250
    ten_tinh: Text150
    ngay_trang_thai_chuyen_den: Date | None = None


class TongKet(HocBaModel):
    """Year summary: learning and conduct levels, summer results, promotion, comments."""

    hoc_ky_1: MucDanhGia | None = None
    hoc_ky_2: MucDanhGia | None = None
    ca_nam: MucDanhGia | None = None
    ren_luyen_hoc_ky_1: MucDanhGia
    ren_luyen_hoc_ky_2: MucDanhGia
    ren_luyen_ca_nam: MucDanhGia
    ren_luyen_lai: MucDanhGia | None = None
    kq_hoc_tap_lai: MucDanhGia | None = None
    so_buoi_nghi: SoBuoiNghi | None = None
    duoc_len_lop: Co
    nd_duoc_len_lop: Text150
    nd_hoan_thanh: Text150 | None = None
    kq_tham_gia_cuoc_thi: Text2000 | None = None
    nd_kq_ren_luyen: Text500 | None = None
    nd_khen_thuong: Text2000 | None = None
    nx_gvcn: Text2000


class ChungChi(HocBaModel):
    """A certificate the student holds (``_chungchi``); at least one of the two is given."""

    xml_tag: ClassVar[str] = "CHUNG_CHI"

    ten_chung_chi: Text150 | None = None
    loai_chung_chi: Text500 | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> ChungChi:
        if self.ten_chung_chi is None and self.loai_chung_chi is None:
            raise _err(
                "MODEL.REQUIRED",
                "TEN_CHUNG_CHI",
                "Chứng chỉ phải có tên hoặc loại",
                "A certificate needs a name or a kind",
            )
        return self


class NguoiKy(HocBaModel):
    """Who signs: the homeroom teacher and the head-of-school signer; place and date."""

    ten_gvcn: Text150
    so_ddcn_gvcn: SoDinhDanh
    ten_giam_hieu: Text150
    so_ddcn_giam_hieu: SoDinhDanh
    chuc_vu_giam_hieu: Text150
    hinh_thuc_ky: HinhThucKy | None = None
    dia_danh_phat_hanh: Text150
    ngay_ky_phat_hanh: Date


class ThongTinHocBa(HocBaModel):
    """Everything the homeroom teacher signs (``Id="thongtinhocba"``)."""

    thong_tin_chung: ThongTinChung
    thong_tin_truong: ThongTinTruong
    hoc_sinh: HocSinh
    qua_trinh_hoc_tap: tuple[QuaTrinhHocTap, ...] = ()
    tong_ket: TongKet
    danh_sach_chung_chi: tuple[ChungChi, ...] = ()
    nguoi_ky: NguoiKy

    @model_validator(mode="after")
    def _levels_present(self) -> ThongTinHocBa:
        if self.hoc_sinh.co_khuyet_tat_khong_danh_gia:
            return self
        for name in ("hoc_ky_1", "hoc_ky_2", "ca_nam"):
            if getattr(self.tong_ket, name) is None:
                raise _err(
                    "MODEL.REQUIRED",
                    f"TONG_KET/{name.upper()}",
                    "Thiếu kết quả học tập (chỉ được bỏ trống khi học sinh khuyết tật "
                    "không đánh giá)",
                    "Learning result missing (only allowed for a disabled student not assessed)",
                )
        return self


_RESULT_FIELDS = ("diem_hoc_ky_1", "diem_hoc_ky_2", "diem_ca_nam", "diem_kt_lai")
#: A scored subject cannot carry Đ/CĐ, a comment-only subject cannot carry a score.
_WRONG_RESULT: dict[LoaiDanhGia, type] = {
    LoaiDanhGia.DIEM: DanhGiaNhanXet,
    LoaiDanhGia.NHAN_XET: Decimal,
}


class DiemTongKet(HocBaModel):
    """One subject row (``_bangdiem``), signed by its subject teacher (``Id="mon-<code>"``)."""

    xml_tag: ClassVar[str] = "DIEM_TONG_KET"

    ma_mon_hoc: MaMonHoc
    ten_mon_hoc: Text100
    diem_hoc_ky_1: KetQuaMon | None = None
    diem_hoc_ky_2: KetQuaMon | None = None
    diem_ca_nam: KetQuaMon | None = None
    diem_kt_lai: KetQuaMon | None = None
    nx_mon_hoc: Text2000 | None = None
    so_ddcn_gvbm: SoDinhDanh
    gvbm: Text150

    @property
    def xml_id(self) -> str:
        """The row's Id in the packet, the target of its subject teacher's signature."""
        return mon_id(self.ma_mon_hoc)

    @property
    def loai(self) -> LoaiDanhGia:
        return MON_HOC[self.ma_mon_hoc].loai

    @model_validator(mode="after")
    def _kind(self) -> DiemTongKet:
        info = MON_HOC.get(self.ma_mon_hoc)
        if info is None:
            raise _err(
                "MODEL.SUBJECT_CODE",
                "MA_MON_HOC",
                "Mã môn học không có trong danh mục; mã hai hoặc ba chữ số, ví dụ 15 (Toán); "
                "danh sách: hocbaso.MON_HOC (docs/records.md §6)",
                "Subject code is not in the code list; two or three digits, e.g. 15 (Toán); "
                "the list is hocbaso.MON_HOC (docs/records.md §6)",
            )
        # The result type the subject's kind excludes, looked up once per row.
        wrong_type = _WRONG_RESULT.get(info.loai)
        if wrong_type is None:
            return self
        values = self.__dict__
        h1, h2 = values["diem_hoc_ky_1"], values["diem_hoc_ky_2"]
        cn, kt = values["diem_ca_nam"], values["diem_kt_lai"]
        if wrong_type is DanhGiaNhanXet:
            # An enum with members can have no subclass, so its instances are exactly the
            # values whose type it is: one tuple test instead of four isinstance calls, each
            # of which goes through EnumType's __instancecheck__ lookup (~70 ns).
            found = wrong_type in (type(h1), type(h2), type(cn), type(kt))
        else:
            found = (
                isinstance(h1, wrong_type)
                or isinstance(h2, wrong_type)
                or isinstance(cn, wrong_type)
                or isinstance(kt, wrong_type)
            )
        if found:
            # The first of them, in _RESULT_FIELDS order, names the error.
            name = next(n for n in _RESULT_FIELDS if isinstance(values[n], wrong_type))
            raise _err(
                "MODEL.SCORE_KIND",
                name.upper(),
                "Kết quả không đúng hình thức đánh giá của môn (điểm số hoặc nhận xét)",
                "Result does not fit how the subject is assessed (score or comment)",
            )
        return self


def _row_path(i: int) -> str:
    """Where a subject-code problem of row ``i`` (from 1) is reported."""
    return f"BANG_DIEM/DIEM_TONG_KET[{i}]/MA_MON_HOC"


class HocBa(HocBaModel):
    """A whole yearly record: what the packet's ``DU_LIEU_HOC_BA Id="data"`` holds."""

    thong_tin_hoc_ba: ThongTinHocBa
    bang_diem: tuple[DiemTongKet, ...] = Field(min_length=1)

    def mon(self, ma: str) -> DiemTongKet:
        """The subject row with code ``ma``; ``KeyError`` if the record has none."""
        for row in self.bang_diem:
            if row.ma_mon_hoc == ma:
                return row
        raise KeyError(ma)

    @property
    def ma_dinh_danh_hoc_ba(self) -> str:
        return self.thong_tin_hoc_ba.thong_tin_chung.ma_dinh_danh_hoc_ba

    @property
    def phien_ban(self) -> int:
        return self.thong_tin_hoc_ba.thong_tin_chung.phien_ban

    @model_validator(mode="after")
    def _subjects(self) -> HocBa:
        cap = self.thong_tin_hoc_ba.thong_tin_chung.ma_cap_hoc
        seen: set[str] = set()
        for i, row in enumerate(self.bang_diem, start=1):
            if row.ma_mon_hoc in seen:
                raise _err(
                    "MODEL.DUPLICATE_SUBJECT",
                    _row_path(i),
                    "Môn học xuất hiện hai lần trong bảng điểm",
                    "Subject appears twice in the score table",
                )
            seen.add(row.ma_mon_hoc)
            if cap not in MON_HOC[row.ma_mon_hoc].cap_hoc:
                raise _err(
                    "MODEL.SUBJECT_LEVEL",
                    _row_path(i),
                    "Môn học không thuộc chương trình của cấp học này",
                    "Subject is not taught at this level",
                )
        return self

