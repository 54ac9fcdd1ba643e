"""Realistic synthetic schools, classes and students for demos, tests and benchmarks.

Everything is derived from a seed, so the same seed always gives the same record. Results are
computed from generated raw marks by the Thông tư 22 engine (``hocbaso.tt22.evaluate``), so a
generated record is consistent by construction, the way a school's software should produce it.
None of the people exist; personal IDs have the right structure (birth province, century and
gender digit, birth year) but are random.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hocbaso.models import (
    MON_HOC,
    CapHoc,
    ChungChi,
    DanToc,
    DiaChi,
    DiaChiTruong,
    DiemTongKet,
    GioiTinh,
    HocBa,
    HocSinh,
    Khoi,
    LoaiDanhGia,
    MucDanhGia,
    NguoiKy,
    QuaTrinhHocTap,
    ThongTinChung,
    ThongTinHocBa,
    ThongTinTruong,
    Tinh,
    TongKet,
)
from hocbaso.models._internal import parse_ket_qua
from hocbaso.tt22 import evaluate

__all__ = [
    "GiaoVien",
    "Lop",
    "Truong",
    "tao_hoc_ba",
    "tao_hoc_ba_trong_lop",
    "tao_lop",
    "tao_lop_hoc",
    "tao_truong",
]

HO = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
      "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Mai", "Lương"]
DEM_NAM = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Gia", "Bảo", "Thành", "Xuân", "Công", "Anh"]
DEM_NU = ["Thị", "Ngọc", "Thu", "Thanh", "Khánh", "Hoài", "Bảo", "Mỹ", "Diệu", "Phương", "Minh"]
TEN_NAM = ["An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hoàng", "Huy", "Khang",
           "Khoa", "Kiên", "Long", "Lộc", "Nam", "Nghĩa", "Phúc", "Quân", "Sơn", "Thắng",
           "Tuấn", "Việt", "Vinh", "Vũ"]
TEN_NU = ["Anh", "Châu", "Chi", "Diệp", "Giang", "Hà", "Hằng", "Hương", "Lan", "Linh", "Mai",
          "My", "Ngân", "Ngọc", "Nhi", "Oanh", "Phương", "Quyên", "Thảo", "Trang", "Trâm",
          "Uyên", "Vy", "Yến"]
NGHE = ["Công nhân", "Nông dân", "Giáo viên", "Kỹ sư", "Kinh doanh", "Bác sĩ", "Nội trợ",
        "Lái xe", "Công chức", "Kế toán", "Thợ may", "Buôn bán"]
# Birth-province prefixes of the 12-digit ID (pre-2025 province codes) with a matching
# present-day province of QĐ 19/2025/QĐ-TTg for addresses.
NOI_SINH: list[tuple[str, Tinh, str]] = [
    ("001", Tinh.HA_NOI, "Hà Nội"),
    ("079", Tinh.HO_CHI_MINH, "Thành phố Hồ Chí Minh"),
    ("048", Tinh.DA_NANG, "Đà Nẵng"),
    ("031", Tinh.HAI_PHONG, "Hải Phòng"),
    ("092", Tinh.CAN_THO, "Cần Thơ"),
    ("038", Tinh.THANH_HOA, "Thanh Hóa"),
    ("040", Tinh.NGHE_AN, "Nghệ An"),
    ("046", Tinh.HUE, "Huế"),
    ("066", Tinh.DAK_LAK, "Đắk Lắk"),
    ("075", Tinh.DONG_NAI, "Đồng Nai"),
]
XA = ["Phường Ba Đình", "Phường Hoàn Kiếm", "Phường Bến Thành", "Phường Hải Châu",
      "Xã Tân Phú", "Xã Hòa Bình", "Phường Ninh Kiều", "Xã Quảng Phú", "Phường Vinh Phú"]
DUONG = ["Lê Lợi", "Trần Hưng Đạo", "Nguyễn Huệ", "Hai Bà Trưng", "Lý Thường Kiệt",
         "Quang Trung", "Phan Đình Phùng", "Nguyễn Trãi", "Điện Biên Phủ", "Hùng Vương"]

#: Subjects and periods per year (from the schools' education plans) by level and grade.
MON_THCS: list[tuple[str, int]] = [
    ("19", 140), ("15", 140), ("69", 105), ("26", 35), ("05", 105), ("66", 140),
    ("27", 35), ("32", 35), ("88", 70), ("97", 70), ("91", 105), ("99", 35),
]
MON_THPT_BAT_BUOC: list[tuple[str, int]] = [
    ("19", 105), ("15", 105), ("69", 105), ("40", 52), ("47", 35),
    ("88", 70), ("91", 105), ("99", 35),
]
MON_THPT_LUA_CHON: list[tuple[str, int]] = [
    ("41", 70), ("100", 70), ("35", 70), ("36", 70), ("37", 70), ("46", 70), ("38", 70),
]

NHAN_XET_GVCN = [
    "Chăm ngoan, tích cực tham gia các hoạt động của lớp.",
    "Có ý thức học tập tốt, cần mạnh dạn phát biểu hơn.",
    "Lễ phép, hòa đồng với bạn bè; cần cố gắng hơn ở một số môn.",
    "Tiến bộ rõ rệt trong học kì II, giữ vững phong độ.",
    "Năng động, có tinh thần trách nhiệm với tập thể.",
]
CHUNG_CHI = [("Chứng chỉ IELTS 6.5", "Ngoại ngữ"), ("Chứng chỉ Tin học IC3", "Tin học"),
             ("Chứng chỉ TOEFL Junior", "Ngoại ngữ")]


@dataclass(frozen=True)
class GiaoVien:
    """A teacher: name and 12-digit personal ID (what the record and certificate carry)."""

    ho_ten: str
    so_ddcn: str


@dataclass(frozen=True)
class Truong:
    """A generated school with its staff."""

    thong_tin: ThongTinTruong
    hieu_truong: GiaoVien
    ma_so_thue: str
    dia_danh: str


@dataclass(frozen=True)
class Lop:
    """A generated class: its school, grade, name, homeroom and subject teachers."""

    truong: Truong
    khoi: Khoi
    ten_lop: str
    gvcn: GiaoVien
    gvbm: dict[str, GiaoVien]
    mon: tuple[tuple[str, int], ...]
    nam_hoc: str


def _ho_ten(rng: random.Random, nu: bool) -> str:
    dem = DEM_NU if nu else DEM_NAM
    ten = TEN_NU if nu else TEN_NAM
    return f"{rng.choice(HO)} {rng.choice(dem)} {rng.choice(ten)}"


def _so_ddcn(rng: random.Random, nam_sinh: int, nu: bool, tinh: str | None = None) -> str:
    prefix = tinh or rng.choice(NOI_SINH)[0]
    digit = 2 * ((nam_sinh - 1900) // 100) + (1 if nu else 0)
    return f"{prefix}{digit}{nam_sinh % 100:02d}{rng.randrange(10**6):06d}"


def _giao_vien(rng: random.Random) -> GiaoVien:
    nu = rng.random() < 0.7
    return GiaoVien(_ho_ten(rng, nu), _so_ddcn(rng, rng.randint(1968, 1998), nu))


def tao_truong(seed: int = 0, cap_hoc: CapHoc = CapHoc.THCS) -> Truong:
    """A school (THCS or THPT) in one of a handful of provinces."""
    rng = random.Random(f"truong-{seed}-{cap_hoc.value}")
    _, tinh, ten_tinh = rng.choice(NOI_SINH)
    loai = "THCS" if cap_hoc is CapHoc.THCS else "THPT"
    ten = f"Trường {loai} {rng.choice(DUONG)}"
    thong_tin = ThongTinTruong(
        ma_so_gd=tinh.value,
        ten_so_gd=f"Sở Giáo dục và Đào tạo {ten_tinh}",
        ma_truong=f"{tinh.value}{loai}{rng.randrange(10**4):04d}",
        ten_truong=ten,
        dia_chi=DiaChiTruong(
            ten_xa=rng.choice(XA), ten_tinh=tinh.nhan, ma_xa=f"{rng.randrange(10**5):05d}",
            ma_tinh=tinh,
        ),
    )
    return Truong(thong_tin, _giao_vien(rng), f"0{rng.randrange(10**9):09d}", ten_tinh)


def _mon_cua_khoi(rng: random.Random, khoi: Khoi) -> tuple[tuple[str, int], ...]:
    if khoi.cap_hoc is CapHoc.THCS:
        return tuple((ma, 52 if ma == "27" and khoi is Khoi.K08 else t) for ma, t in MON_THCS)
    chon = sorted(rng.sample(MON_THPT_LUA_CHON, 4), key=lambda m: MON_THPT_LUA_CHON.index(m))
    return tuple(MON_THPT_BAT_BUOC[:5] + chon + MON_THPT_BAT_BUOC[5:])


def _lop(seed: int, khoi: Khoi, nam_hoc: str) -> Lop:
    truong = tao_truong(seed, khoi.cap_hoc)
    rng = random.Random(f"lop-{seed}-{khoi.value}")
    mon = _mon_cua_khoi(rng, khoi)
    gvbm = {ma: _giao_vien(rng) for ma, _ in mon}
    gvcn = gvbm[rng.choice([ma for ma, _ in mon])]
    return Lop(truong, khoi, f"{khoi.so}A{rng.randint(1, 9)}", gvcn, gvbm, mon, nam_hoc)


def _mark(rng: random.Random, mean: float) -> str:
    value = Decimal(str(min(10.0, max(0.0, rng.gauss(mean, 1.1)))))
    return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _so_dgtx(so_tiet: int) -> int:
    return 2 if so_tiet <= 35 else 3 if so_tiet <= 70 else 4


def _hoc_ky(rng: random.Random, ma: str, so_tiet: int, mean: float) -> dict[str, Any]:
    n = _so_dgtx(so_tiet) if MON_HOC[ma].loai is LoaiDanhGia.DIEM else 2
    if MON_HOC[ma].loai is LoaiDanhGia.DIEM:
        return {"tx": [_mark(rng, mean) for _ in range(n)], "gk": _mark(rng, mean),
                "ck": _mark(rng, mean)}
    p_dat = 0.995 if mean >= 5 else 0.9
    return {"tx": ["Đ" if rng.random() < p_dat else "CĐ" for _ in range(n)],
            "gk": "Đ" if rng.random() < p_dat else "CĐ",
            "ck": "Đ" if rng.random() < p_dat else "CĐ"}


def _ren_luyen(rng: random.Random) -> str:
    return rng.choices(["T", "K", "Đ", "CĐ"], weights=[70, 22, 7, 1])[0]


def _ma_so_suot_doi(ma_hoc_sinh: str) -> str | None:
    """About half the students carry a lifelong learning record number (none did before 2027).

    Derived from the already drawn student code rather than drawn itself, so adding the field
    did not shift the random stream that every other generated value comes from.
    """
    so = ma_hoc_sinh[2:]
    return f"HTSD-{so[:4]}/{so[4:]}" if int(so[-1]) % 2 == 0 else None


def _hoc_sinh(rng: random.Random, nam_hoc: str, khoi: Khoi) -> HocSinh:
    nu = rng.random() < 0.5
    nam_sinh = int(nam_hoc[:4]) - khoi.so - 6 + (1 if rng.random() < 0.05 else 0)
    prefix, tinh, ten_tinh = rng.choice(NOI_SINH)
    sinh = date(nam_sinh, rng.randint(1, 12), rng.randint(1, 28))
    ho_ten = _ho_ten(rng, nu)
    ho = ho_ten.split()[0]
    dia_chi = DiaChi(
        dia_chi_chi_tiet=f"Số {rng.randint(1, 300)} đường {rng.choice(DUONG)}, "
        f"{rng.choice(XA)}, {tinh.nhan}",
        ma_xa=f"{rng.randrange(10**5):05d}", ma_tinh=tinh,
    )
    ma_hoc_sinh = f"HS{rng.randrange(10**10):010d}"
    return HocSinh(
        ma_hoc_sinh=ma_hoc_sinh,
        so_dinh_danh=_so_ddcn(rng, nam_sinh, nu, prefix),
        ma_so_ho_so_hoc_tap_suot_doi=_ma_so_suot_doi(ma_hoc_sinh),
        ho_va_ten=ho_ten,
        gioi_tinh=GioiTinh.NU if nu else GioiTinh.NAM,
        ngay_thang_nam_sinh=sinh,
        noi_sinh=DiaChi(dia_chi_chi_tiet=f"Bệnh viện Đa khoa {ten_tinh}", ma_tinh=tinh),
        que_quan=DiaChi(dia_chi_chi_tiet=f"{rng.choice(XA)}, {tinh.nhan}", ma_tinh=tinh),
        noi_o_hien_nay=dia_chi,
        dan_toc=rng.choices([DanToc.KINH, DanToc.TAY, DanToc.THAI, DanToc.HOA, DanToc.KHO_ME,
                             DanToc.MUONG], weights=[85, 3, 3, 3, 3, 3])[0],
        ho_ten_cha=f"{ho} {rng.choice(DEM_NAM)} {rng.choice(TEN_NAM)}",
        nghe_nghiep_cha=rng.choice(NGHE),
        ho_ten_me=_ho_ten(rng, True),
        nghe_nghiep_me=rng.choice(NGHE),
        doi_tuong_chinh_sach="Con hộ nghèo" if rng.random() < 0.03 else None,
    )


def _danh_gia(rng: random.Random, lop: Lop) -> tuple[dict[str, Any], dict[str, Any]]:
    """Raw marks for a year, then ``evaluate()``; summer results added where needed."""
    ability = min(9.6, max(3.8, rng.gauss(7.3, 1.1)))
    mon_hoc = []
    for ma, so_tiet in lop.mon:
        mean = ability + rng.uniform(-0.8, 0.8)
        mon_hoc.append({"ma": ma, "so_tiet_nam": so_tiet,
                        "hk1": _hoc_ky(rng, ma, so_tiet, mean),
                        "hk2": _hoc_ky(rng, ma, so_tiet, mean + 0.2)})
    rl1 = _ren_luyen(rng)
    rl2 = rl1 if rng.random() < 0.7 else _ren_luyen(rng)
    request: dict[str, Any] = {
        "khoi": lop.khoi.so, "mon_hoc": mon_hoc,
        "ren_luyen": {"hk1": rl1, "hk2": rl2},
        "so_buoi_nghi": rng.choices([rng.randint(0, 5), rng.randint(6, 20), rng.randint(46, 60)],
                                    weights=[80, 19, 1])[0],
    }
    result: dict[str, Any] = evaluate(request)
    if result["xet_len_lop"] in ("REN_LUYEN_HE", "KIEM_TRA_LAI", "REN_LUYEN_HE_VA_KIEM_TRA_LAI"):
        # The summer round (before 20 August): re-tests and summer conduct training.
        by_code = {m["ma"]: m for m in mon_hoc}
        for ma in result["mon_kiem_tra_lai"]:
            if MON_HOC[ma].loai is LoaiDanhGia.DIEM:
                by_code[ma]["kiem_tra_lai"] = _mark(rng, 6.0)
            else:
                by_code[ma]["kiem_tra_lai"] = "Đ" if rng.random() < 0.85 else "CĐ"
        if result["xet_len_lop"] != "KIEM_TRA_LAI":
            request["ren_luyen"]["sau_he"] = "Đ" if rng.random() < 0.85 else "CĐ"
        result = evaluate(request)
    return request, result


def _muc(value: Any) -> MucDanhGia | None:
    return None if value is None else MucDanhGia(value)


def tao_hoc_ba_trong_lop(lop: Lop, index: int, *, seed: int = 0) -> HocBa:
    """The record of the ``index``-th student of a generated class."""
    rng = random.Random(f"hs-{seed}-{lop.khoi.value}-{index}")
    hoc_sinh = _hoc_sinh(rng, lop.nam_hoc, lop.khoi)
    request, result = _danh_gia(rng, lop)
    ket_qua = {m["ma"]: m for m in result["mon_hoc"]}
    rows = []
    for ma, _ in lop.mon:
        kq = ket_qua[ma]
        gv = lop.gvbm[ma]
        rows.append(DiemTongKet(
            ma_mon_hoc=ma,
            ten_mon_hoc=MON_HOC[ma].ten,
            diem_hoc_ky_1=parse_ket_qua(kq["hk1"]),
            diem_hoc_ky_2=parse_ket_qua(kq["hk2"]),
            diem_ca_nam=parse_ket_qua(kq["ca_nam"]),
            diem_kt_lai=parse_ket_qua(kq["sau_kiem_tra_lai"])
            if kq.get("sau_kiem_tra_lai") is not None else None,
            nx_mon_hoc=rng.choice(["Nắm vững kiến thức cơ bản.", "Cần luyện tập thêm.",
                                   "Có nhiều tiến bộ.", "Tích cực, sáng tạo."]),
            so_ddcn_gvbm=gv.so_ddcn,
            gvbm=gv.ho_ten,
        ))
    hoc_tap = result["hoc_tap"]
    ren_luyen = result["ren_luyen"]
    duoc_len_lop = result["xet_len_lop"] == "LEN_LOP"
    danh_hieu = result["danh_hieu"]
    sau_he = ren_luyen.get("sau_he")
    sau_ktl = hoc_tap.get("sau_kiem_tra_lai")
    nam_bat_dau = int(lop.nam_hoc[:4])
    first = 6 if lop.khoi.cap_hoc is CapHoc.THCS else 10
    qua_trinh = tuple(
        QuaTrinhHocTap(
            nam_hoc=f"{nam_bat_dau - (lop.khoi.so - k)}-{nam_bat_dau - (lop.khoi.so - k) + 1}",
            ten_lop=f"{k}A{1 + (index + k) % 9}" if k != lop.khoi.so else lop.ten_lop,
            ten_truong=lop.truong.thong_tin.ten_truong,
            ten_tinh=lop.truong.thong_tin.dia_chi.ten_tinh,
        )
        for k in range(first, lop.khoi.so + 1)
    )
    chung_chi: tuple[ChungChi, ...] = ()
    if rng.random() < 0.1:
        ten_cc, loai_cc = rng.choice(CHUNG_CHI)
        chung_chi = (ChungChi(ten_chung_chi=ten_cc, loai_chung_chi=loai_cc),)
    u = uuid.UUID(int=rng.getrandbits(128), version=4)
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    thong_tin = ThongTinHocBa(
        thong_tin_chung=ThongTinChung(
            ma_dinh_danh_hoc_ba=str(u),
            ma_tra_cuu="".join(rng.choice(alphabet) for _ in range(10)),
            nam_hoc=lop.nam_hoc,
            ma_cap_hoc=lop.khoi.cap_hoc,
            ma_khoi=lop.khoi,
            ten_lop=lop.ten_lop,
            so_so_dang_bo=f"{index + 1:03d}/{nam_bat_dau}",
            ngay_tao=date(nam_bat_dau + 1, 5, 20),
        ),
        thong_tin_truong=lop.truong.thong_tin,
        hoc_sinh=hoc_sinh,
        qua_trinh_hoc_tap=qua_trinh,
        tong_ket=TongKet(
            hoc_ky_1=_muc(hoc_tap["hk1"]["muc"]),
            hoc_ky_2=_muc(hoc_tap["hk2"]["muc"]),
            ca_nam=_muc(hoc_tap["ca_nam"]["muc"]),
            ren_luyen_hoc_ky_1=MucDanhGia(ren_luyen["hk1"]),
            ren_luyen_hoc_ky_2=MucDanhGia(ren_luyen["hk2"]),
            ren_luyen_ca_nam=MucDanhGia(ren_luyen["ca_nam"]),
            ren_luyen_lai=_muc(sau_he),
            kq_hoc_tap_lai=_muc(sau_ktl["muc"]) if sau_ktl else None,
            so_buoi_nghi=request["so_buoi_nghi"],
            duoc_len_lop=duoc_len_lop,
            nd_duoc_len_lop=result["noi_dung"],
            nd_kq_ren_luyen="Hoàn thành nhiệm vụ rèn luyện trong kì nghỉ hè"
            if sau_he == "Đ" else None,
            nd_khen_thuong={"XUAT_SAC": "Học sinh Xuất sắc", "GIOI": "Học sinh Giỏi"}.get(
                danh_hieu or ""),
            nx_gvcn=rng.choice(NHAN_XET_GVCN),
        ),
        danh_sach_chung_chi=chung_chi,
        nguoi_ky=NguoiKy(
            ten_gvcn=lop.gvcn.ho_ten,
            so_ddcn_gvcn=lop.gvcn.so_ddcn,
            ten_giam_hieu=lop.truong.hieu_truong.ho_ten,
            so_ddcn_giam_hieu=lop.truong.hieu_truong.so_ddcn,
            chuc_vu_giam_hieu="Hiệu trưởng",
            dia_danh_phat_hanh=lop.truong.dia_danh,
            ngay_ky_phat_hanh=date(nam_bat_dau + 1, 5, 25),
        ),
    )
    return HocBa(thong_tin_hoc_ba=thong_tin, bang_diem=tuple(rows))


def tao_lop(
    seed: int = 0, khoi: Khoi = Khoi.K09, so_hoc_sinh: int = 40, nam_hoc: str = "2024-2025"
) -> list[HocBa]:
    """A whole class: ``so_hoc_sinh`` records sharing school, class and teachers."""
    lop = _lop(seed, khoi, nam_hoc)
    return [tao_hoc_ba_trong_lop(lop, i, seed=seed) for i in range(so_hoc_sinh)]


def tao_lop_hoc(seed: int = 0, khoi: Khoi = Khoi.K09, nam_hoc: str = "2024-2025") -> Lop:
    """The class itself (school, teachers), e.g. to build the certificates that sign for it."""
    return _lop(seed, khoi, nam_hoc)


def tao_hoc_ba(seed: int = 0, khoi: Khoi = Khoi.K09, nam_hoc: str = "2024-2025") -> HocBa:
    """One realistic record with consistent Thông tư 22 results."""
    return tao_hoc_ba_trong_lop(_lop(seed, khoi, nam_hoc), seed % 40, seed=seed)
