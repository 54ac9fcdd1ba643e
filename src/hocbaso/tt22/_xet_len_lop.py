"""Promotion (Điều 12–14), the summer re-test (Điều 14) and awards (Điều 15).

Promotion needs year conduct ≥ Đạt, year learning ≥ Đạt and at most 45 absences (Điều 12
khoản 1). A student who misses only on conduct trains over the summer (Điều 13); one who misses
on learning is re-tested in every subject below 5.0 or Chưa đạt (Điều 14), whose results
replace the year results. ``docs/tt22.md`` §2: a student short on both does the training
first and then the re-test, and is promoted only if both succeed. Absences cannot be made up
over the summer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from hocbaso.models import DanhGiaNhanXet, Khoi, MucDanhGia
from hocbaso.tt22._hoc_tap import KetQuaHocTap, KetQuaMon, muc_hoc_tap

__all__ = [
    "SO_BUOI_NGHI_TOI_DA",
    "DanhHieu",
    "KetQuaXetLenLop",
    "XetLenLop",
    "danh_hieu",
    "hoc_tap_sau_kiem_tra_lai",
    "mon_kiem_tra_lai",
    "noi_dung_len_lop",
    "xet_len_lop",
]

#: "nghỉ không quá 45 buổi trong một năm học" (Điều 12 khoản 1 điểm c): 45 passes, 46 fails.
SO_BUOI_NGHI_TOI_DA = 45

_5_0 = Decimal("5.0")
_9_0 = Decimal("9.0")


class XetLenLop(StrEnum):
    """Outcome of the promotion decision; the value is the evaluator's JSON code.

    The three ``REN_LUYEN_HE…``/``KIEM_TRA_LAI`` values mean "pending summer results"; once the
    summer results are known the outcome is ``LEN_LOP`` or ``O_LAI_LOP``.
    """

    LEN_LOP = "LEN_LOP"
    O_LAI_LOP = "O_LAI_LOP"
    REN_LUYEN_HE = "REN_LUYEN_HE"
    KIEM_TRA_LAI = "KIEM_TRA_LAI"
    REN_LUYEN_HE_VA_KIEM_TRA_LAI = "REN_LUYEN_HE_VA_KIEM_TRA_LAI"


class DanhHieu(StrEnum):
    """End-of-year titles of Điều 15 khoản 1 điểm a; ``ten`` is the wording on the certificate."""

    XUAT_SAC = "XUAT_SAC"
    GIOI = "GIOI"

    @property
    def ten(self) -> str:
        return "Học sinh Xuất sắc" if self is DanhHieu.XUAT_SAC else "Học sinh Giỏi"


@dataclass(frozen=True, slots=True)
class KetQuaXetLenLop:
    """The promotion decision, the provision that decided it, the subjects to re-test and the
    wording for the record's ``ND_DUOC_LEN_LOP`` (``None`` while summer results are pending)."""

    ket_qua: XetLenLop
    dieu: str
    mon_kiem_tra_lai: tuple[str, ...]
    noi_dung: str | None

    @property
    def duoc_len_lop(self) -> bool:
        return self.ket_qua is XetLenLop.LEN_LOP


#: The level a grade completes (Điều 12): grades 9 and 12 end THCS and THPT.
_CHUONG_TRINH = {Khoi.K09: "trung học cơ sở", Khoi.K12: "trung học phổ thông"}


def noi_dung_len_lop(khoi: Khoi, duoc_len_lop: bool) -> str:
    """The wording of ``ND_DUOC_LEN_LOP``, in the words of Điều 12 (``docs/tt22.md`` §1.8).

    Khoản 1: a student who meets the conditions "được lên lớp", or in grades 9 and 12 "được
    công nhận hoàn thành chương trình" of the level. Khoản 3: one who does not is not promoted
    ("ở lại lớp") or, in grades 9 and 12, "không được công nhận hoàn thành chương trình" — a
    grade 9 or 12 student is not "kept in the class" but has not completed the level.
    """
    chuong_trinh = _CHUONG_TRINH.get(khoi)
    if chuong_trinh is None:
        return "Được lên lớp" if duoc_len_lop else "Ở lại lớp"
    if duoc_len_lop:
        return f"Được công nhận hoàn thành chương trình {chuong_trinh}"
    return f"Không được công nhận hoàn thành chương trình {chuong_trinh}"


def mon_kiem_tra_lai(ket_qua_ca_nam: Mapping[str, KetQuaMon]) -> tuple[str, ...]:
    """Subjects to re-test (Điều 14): scored subjects with ĐTBmcn < 5.0 and comment subjects
    rated Chưa đạt — all of them, not a chosen few as under TT58. Mapping order is kept."""
    return tuple(
        ma
        for ma, kq in ket_qua_ca_nam.items()
        if kq is DanhGiaNhanXet.CHUA_DAT or (isinstance(kq, Decimal) and kq < _5_0)
    )


def hoc_tap_sau_kiem_tra_lai(
    ket_qua_ca_nam: Mapping[str, KetQuaMon], kiem_tra_lai: Mapping[str, KetQuaMon]
) -> KetQuaHocTap:
    """Year learning level after the re-test (Điều 14): each re-test result *replaces* that
    subject's year result (even if lower), then Điều 9 khoản 2 and 3 are applied again."""
    thay_the = {ma: kiem_tra_lai.get(ma, kq) for ma, kq in ket_qua_ca_nam.items()}
    return muc_hoc_tap(thay_the)


def xet_len_lop(
    *,
    khoi: Khoi,
    hoc_tap_ca_nam: MucDanhGia,
    ren_luyen_ca_nam: MucDanhGia,
    so_buoi_nghi: int,
    ket_qua_ca_nam: Mapping[str, KetQuaMon],
    ren_luyen_sau_he: MucDanhGia | None = None,
    hoc_tap_sau_kiem_tra_lai: MucDanhGia | None = None,
) -> KetQuaXetLenLop:
    """Decide promotion (Điều 12) from the year results and, when known, the summer results.

    ``ren_luyen_sau_he`` (Điều 13) is used only when year conduct is Chưa đạt and
    ``hoc_tap_sau_kiem_tra_lai`` (Điều 14) only when year learning is Chưa đạt; otherwise they
    are ignored, as the rules give them no role. ``None`` means "not known yet", which yields a
    pending outcome; a record that is final should treat a missing summer result as not
    achieved (the check does).
    """
    if so_buoi_nghi > SO_BUOI_NGHI_TOI_DA:
        return KetQuaXetLenLop(
            XetLenLop.O_LAI_LOP, "Điều 12 khoản 1 điểm c", (), noi_dung_len_lop(khoi, False)
        )
    can_ren_luyen = ren_luyen_ca_nam is MucDanhGia.CHUA_DAT
    can_kiem_tra = hoc_tap_ca_nam is MucDanhGia.CHUA_DAT
    mon = mon_kiem_tra_lai(ket_qua_ca_nam) if can_kiem_tra else ()
    if not can_ren_luyen and not can_kiem_tra:
        return KetQuaXetLenLop(
            XetLenLop.LEN_LOP, "Điều 12 khoản 1", (), noi_dung_len_lop(khoi, True)
        )

    if can_kiem_tra and not mon:
        # Chưa đạt with nothing below 5.0 or Chưa đạt (too few scored subjects): a re-test of
        # no subject cannot change the level, so the outcome is final now.
        hoc_tap_sau_kiem_tra_lai = MucDanhGia.CHUA_DAT

    def that_bai(muc: MucDanhGia | None) -> bool:
        return muc is MucDanhGia.CHUA_DAT

    if can_ren_luyen and that_bai(ren_luyen_sau_he):
        return KetQuaXetLenLop(
            XetLenLop.O_LAI_LOP,
            "Điều 12 khoản 1 điểm a, Điều 13",
            mon,
            noi_dung_len_lop(khoi, False),
        )
    if can_kiem_tra and that_bai(hoc_tap_sau_kiem_tra_lai):
        return KetQuaXetLenLop(
            XetLenLop.O_LAI_LOP,
            "Điều 12 khoản 1 điểm b, Điều 14",
            mon,
            noi_dung_len_lop(khoi, False),
        )
    cho_ren_luyen = can_ren_luyen and ren_luyen_sau_he is None
    cho_kiem_tra = can_kiem_tra and hoc_tap_sau_kiem_tra_lai is None
    if cho_ren_luyen and can_kiem_tra:
        # docs/tt22.md §2: training first, then the re-test, even if a re-test result is known.
        return KetQuaXetLenLop(XetLenLop.REN_LUYEN_HE_VA_KIEM_TRA_LAI, "Điều 12 khoản 2", mon, None)
    if cho_ren_luyen:
        return KetQuaXetLenLop(XetLenLop.REN_LUYEN_HE, "Điều 13", mon, None)
    if cho_kiem_tra:
        return KetQuaXetLenLop(XetLenLop.KIEM_TRA_LAI, "Điều 14", mon, None)
    return KetQuaXetLenLop(
        XetLenLop.LEN_LOP, "Điều 12 khoản 1, khoản 2", mon, noi_dung_len_lop(khoi, True)
    )


def danh_hieu(
    *,
    hoc_tap_ca_nam: MucDanhGia,
    ren_luyen_ca_nam: MucDanhGia,
    ket_qua_ca_nam: Mapping[str, KetQuaMon],
) -> DanhHieu | None:
    """End-of-year title (Điều 15 khoản 1 điểm a), from the year results before the summer.

    Xuất sắc: conduct Tốt, learning Tốt and at least 6 scored subjects with ĐTBmcn ≥ 9.0;
    Giỏi: conduct Tốt and learning Tốt. Xuất sắc supersedes Giỏi. An adjusted level (Điều 9
    khoản 3) is never Tốt, so an adjusted student never receives a title.
    """
    if hoc_tap_ca_nam is not MucDanhGia.TOT or ren_luyen_ca_nam is not MucDanhGia.TOT:
        return None
    so_mon_9 = sum(1 for kq in ket_qua_ca_nam.values() if isinstance(kq, Decimal) and kq >= _9_0)
    return DanhHieu.XUAT_SAC if so_mon_9 >= 6 else DanhHieu.GIOI
