"""Code lists of the data catalogue, as enums whose value *is* the code written in the packet.

Each enum member also carries its Vietnamese label (``.nhan``), so that a vendor's user
interface and the paper copy can show the same words without a second table. Where the
catalogue points at a Ministry list we could not obtain (``data_green_g03_gddt0NN``), the list
here is the best public evidence; ``docs/field-mapping.md`` says which ones are unverified.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Self

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


class _LabelledEnum(StrEnum):
    """A ``str`` enum whose members are ``(code, label)`` pairs; the code is the value."""

    nhan: str
    _value_: str

    if not TYPE_CHECKING:  # members are declared as (code, label); the value is the code

        def __new__(cls, code: str, nhan: str) -> Self:
            obj = str.__new__(cls, code)
            obj._value_ = code
            obj.nhan = nhan
            return obj


class GioiTinh(_LabelledEnum):
    """Gender per QCVN 109:2017/BTTTT (catalogue ``gioitinh``)."""

    CHUA_CO_THONG_TIN = ("0", "Chưa có thông tin")
    NAM = ("1", "Nam")
    NU = ("2", "Nữ")


class MucDanhGia(_LabelledEnum):
    """Learning and conduct levels (``data_green_g03_gddt028``), best first."""

    TOT = ("T", "Tốt")
    KHA = ("K", "Khá")
    DAT = ("Đ", "Đạt")
    CHUA_DAT = ("CĐ", "Chưa đạt")

    @property
    def rank(self) -> int:
        """3 for Tốt down to 0 for Chưa đạt, so that levels compare numerically."""
        return {"T": 3, "K": 2, "Đ": 1, "CĐ": 0}[self._value_]

    @classmethod
    def from_rank(cls, rank: int) -> MucDanhGia:
        return {3: cls.TOT, 2: cls.KHA, 1: cls.DAT, 0: cls.CHUA_DAT}[rank]


class DanhGiaNhanXet(_LabelledEnum):
    """Result of a comment-assessed subject (Điều 5 khoản 3 điểm a)."""

    DAT = ("Đ", "Đạt")
    CHUA_DAT = ("CĐ", "Chưa đạt")


class TrangThaiHocBa(_LabelledEnum):
    """Record status (``trangthaithongtinhocba``, ``data_green_g03_gddt027``)."""

    CO_HIEU_LUC = ("1", "Có hiệu lực")
    THU_HOI = ("2", "Thu hồi")


class CapHoc(_LabelledEnum):
    """Level (``macaphoc``); v1 covers THCS and THPT."""

    THCS = ("03", "Trung học cơ sở")
    THPT = ("04", "Trung học phổ thông")


class Khoi(_LabelledEnum):
    """Grade (``makhoi``), zero-padded as the vendor portal tests ``'09'``."""

    K06 = ("06", "Lớp 6")
    K07 = ("07", "Lớp 7")
    K08 = ("08", "Lớp 8")
    K09 = ("09", "Lớp 9")
    K10 = ("10", "Lớp 10")
    K11 = ("11", "Lớp 11")
    K12 = ("12", "Lớp 12")

    @property
    def so(self) -> int:
        return int(self._value_)

    @property
    def cap_hoc(self) -> CapHoc:
        return CapHoc.THCS if self.so <= 9 else CapHoc.THPT


class HinhThucKy(_LabelledEnum):
    """How the head-of-school signer signs when not the principal in person."""

    KY_THAY = ("KT.", "Ký thay")
    THUA_LENH = ("TL.", "Thừa lệnh")
    QUYEN = ("Q.", "Quyền")


class LoaiDanhGia(StrEnum):
    """How a subject is assessed (Điều 5 khoản 3)."""

    DIEM = "diem"  # comments combined with a 0–10 score
    NHAN_XET = "nhan_xet"  # comment only: Đạt / Chưa đạt


@dataclass(frozen=True, slots=True)
class MonHocInfo:
    """A subject of the catalogue: its code, name, levels and kind of assessment."""

    ma: str
    ten: str
    cap_hoc: frozenset[CapHoc]
    loai: LoaiDanhGia
    tu_chon: bool = False  # optional subject (Tiếng dân tộc thiểu số, Ngoại ngữ 2)


_D, _N = LoaiDanhGia.DIEM, LoaiDanhGia.NHAN_XET
_THCS, _THPT = frozenset({CapHoc.THCS}), frozenset({CapHoc.THPT})
_BOTH = frozenset({CapHoc.THCS, CapHoc.THPT})

#: Subject codes (``mamonhoc``) as the vendor portal's templates use them; see
#: ``docs/field-mapping.md`` for provenance. Keys are the codes written in the packet.
MON_HOC: dict[str, MonHocInfo] = {
    m.ma: m
    for m in (
        MonHocInfo("05", "Lịch sử và Địa lí", _THCS, _D),
        MonHocInfo("14", "Tiếng dân tộc thiểu số", _BOTH, _D, tu_chon=True),
        MonHocInfo("15", "Toán", _BOTH, _D),
        MonHocInfo("19", "Ngữ văn", _BOTH, _D),
        MonHocInfo("26", "Giáo dục công dân", _THCS, _D),
        MonHocInfo("27", "Công nghệ", _THCS, _D),
        MonHocInfo("29", "Âm nhạc", _THPT, _N),
        MonHocInfo("30", "Mĩ thuật", _THPT, _N),
        MonHocInfo("31", "Ngoại ngữ 2", _THCS, _D, tu_chon=True),
        MonHocInfo("32", "Tin học", _THCS, _D),
        MonHocInfo("35", "Vật lí", _THPT, _D),
        MonHocInfo("36", "Hóa học", _THPT, _D),
        MonHocInfo("37", "Sinh học", _THPT, _D),
        MonHocInfo("38", "Tin học", _THPT, _D),
        MonHocInfo("40", "Lịch sử", _THPT, _D),
        MonHocInfo("41", "Địa lí", _THPT, _D),
        MonHocInfo("46", "Công nghệ", _THPT, _D),
        MonHocInfo("47", "Giáo dục quốc phòng và an ninh", _THPT, _D),
        MonHocInfo("66", "Khoa học tự nhiên", _THCS, _D),
        MonHocInfo("69", "Ngoại ngữ 1", _BOTH, _D),
        MonHocInfo("70", "Ngoại ngữ 2", _THPT, _D, tu_chon=True),
        MonHocInfo("88", "Giáo dục thể chất", _BOTH, _N),
        MonHocInfo("91", "Hoạt động trải nghiệm, hướng nghiệp", _BOTH, _N),
        MonHocInfo("97", "Nghệ thuật", _THCS, _N),
        MonHocInfo("99", "Nội dung giáo dục của địa phương", _BOTH, _N),
        MonHocInfo("100", "Giáo dục kinh tế và pháp luật", _THPT, _D),
    )
}


def mon_hoc_info(ma: str) -> MonHocInfo | None:
    """The catalogue entry for a subject code, or ``None`` for a code we do not know."""
    return MON_HOC.get(ma)


class DanToc(_LabelledEnum):
    """Ethnicity per QCVN 109:2017/BTTTT (General Statistics Office order), codes 01–55."""

    KINH = ("01", "Kinh")
    TAY = ("02", "Tày")
    THAI = ("03", "Thái")
    HOA = ("04", "Hoa")
    KHO_ME = ("05", "Khơ-me")
    MUONG = ("06", "Mường")
    NUNG = ("07", "Nùng")
    HMONG = ("08", "HMông")
    DAO = ("09", "Dao")
    GIA_RAI = ("10", "Gia-rai")
    NGAI = ("11", "Ngái")
    E_DE = ("12", "Ê-đê")
    BA_NA = ("13", "Ba-na")
    XO_DANG = ("14", "Xơ-đăng")
    SAN_CHAY = ("15", "Sán Chay")
    CO_HO = ("16", "Cơ-ho")
    CHAM = ("17", "Chăm")
    SAN_DIU = ("18", "Sán Dìu")
    HRE = ("19", "Hrê")
    MNONG = ("20", "Mnông")
    RA_GLAI = ("21", "Ra-glai")
    XTIENG = ("22", "Xtiêng")
    BRU_VAN_KIEU = ("23", "Bru-Vân Kiều")
    THO = ("24", "Thổ")
    GIAY = ("25", "Giáy")
    CO_TU = ("26", "Cơ-tu")
    GIE_TRIENG = ("27", "Gié-Triêng")
    MA = ("28", "Mạ")
    KHO_MU = ("29", "Khơ-mú")
    CO = ("30", "Co")
    TA_OI = ("31", "Tà-ôi")
    CHO_RO = ("32", "Chơ-ro")
    KHANG = ("33", "Kháng")
    XINH_MUN = ("34", "Xinh-mun")
    HA_NHI = ("35", "Hà Nhì")
    CHU_RU = ("36", "Chu-ru")
    LAO = ("37", "Lào")
    LA_CHI = ("38", "La Chí")
    LA_HA = ("39", "La Ha")
    PHU_LA = ("40", "Phù Lá")
    LA_HU = ("41", "La Hủ")
    LU = ("42", "Lự")
    LO_LO = ("43", "Lô Lô")
    CHUT = ("44", "Chứt")
    MANG = ("45", "Mảng")
    PA_THEN = ("46", "Pà Thẻn")
    CO_LAO = ("47", "Co Lao")
    CONG = ("48", "Cống")
    BO_Y = ("49", "Bố Y")
    SI_LA = ("50", "Si La")
    PU_PEO = ("51", "Pu Péo")
    BRAU = ("52", "Brâu")
    O_DU = ("53", "Ơ Đu")
    RO_MAM = ("54", "Rơ-măm")
    NGUOI_NUOC_NGOAI = ("55", "Người nước ngoài")


class Tinh(_LabelledEnum):
    """The 34 provinces and centrally-run cities of QĐ 19/2025/QĐ-TTg (two-digit codes)."""

    HA_NOI = ("01", "Thành phố Hà Nội")
    CAO_BANG = ("04", "Tỉnh Cao Bằng")
    TUYEN_QUANG = ("08", "Tỉnh Tuyên Quang")
    DIEN_BIEN = ("11", "Tỉnh Điện Biên")
    LAI_CHAU = ("12", "Tỉnh Lai Châu")
    SON_LA = ("14", "Tỉnh Sơn La")
    LAO_CAI = ("15", "Tỉnh Lào Cai")
    THAI_NGUYEN = ("19", "Tỉnh Thái Nguyên")
    LANG_SON = ("20", "Tỉnh Lạng Sơn")
    QUANG_NINH = ("22", "Tỉnh Quảng Ninh")
    BAC_NINH = ("24", "Tỉnh Bắc Ninh")
    PHU_THO = ("25", "Tỉnh Phú Thọ")
    HAI_PHONG = ("31", "Thành phố Hải Phòng")
    HUNG_YEN = ("33", "Tỉnh Hưng Yên")
    NINH_BINH = ("37", "Tỉnh Ninh Bình")
    THANH_HOA = ("38", "Tỉnh Thanh Hóa")
    NGHE_AN = ("40", "Tỉnh Nghệ An")
    HA_TINH = ("42", "Tỉnh Hà Tĩnh")
    QUANG_TRI = ("44", "Tỉnh Quảng Trị")
    HUE = ("46", "Thành phố Huế")
    DA_NANG = ("48", "Thành phố Đà Nẵng")
    QUANG_NGAI = ("51", "Tỉnh Quảng Ngãi")
    GIA_LAI = ("52", "Tỉnh Gia Lai")
    KHANH_HOA = ("56", "Tỉnh Khánh Hòa")
    DAK_LAK = ("66", "Tỉnh Đắk Lắk")
    LAM_DONG = ("68", "Tỉnh Lâm Đồng")
    DONG_NAI = ("75", "Tỉnh Đồng Nai")
    HO_CHI_MINH = ("79", "Thành phố Hồ Chí Minh")
    TAY_NINH = ("80", "Tỉnh Tây Ninh")
    DONG_THAP = ("82", "Tỉnh Đồng Tháp")
    VINH_LONG = ("86", "Tỉnh Vĩnh Long")
    AN_GIANG = ("91", "Tỉnh An Giang")
    CAN_THO = ("92", "Thành phố Cần Thơ")
    CA_MAU = ("96", "Tỉnh Cà Mau")
