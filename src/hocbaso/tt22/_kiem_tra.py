"""Consistency check of a record's own results (verification step CONTENT).

A record carries per-subject semester/year/re-test results (not the raw marks) and the year
summary (``TongKet``). Every derived field is recomputed **from the record's own recorded
inputs of that field** — the year average from the recorded semester averages, the year level
from the recorded year averages, promotion from the recorded levels — so that one wrong value
yields one finding at the place where it is wrong, instead of a cascade through everything
computed after it.

Finding codes are stable (``CONTENT.<WHAT>``); ``docs/tt22.md`` lists them. Messages never
contain personal data: they name the field and the rule, and ``expected``/``actual`` hold only
marks, level codes and the fixed wordings of Thông tư 22.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from hocbaso.errors import InputError
from hocbaso.models import (
    MON_HOC,
    DanhGiaNhanXet,
    DiemTongKet,
    HocBa,
    LoaiDanhGia,
    MucDanhGia,
)
from hocbaso.models._internal import mon_hoc_info, mon_id
from hocbaso.tt22._hoc_tap import KetQuaHocTap, KetQuaMon, muc_hoc_tap
from hocbaso.tt22._mon_hoc import danh_gia_nhan_xet_ca_nam, diem_trung_binh_ca_nam
from hocbaso.tt22._ren_luyen import DIEU_REN_LUYEN_CA_NAM, ren_luyen_ca_nam
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

__all__ = ["MA_PHAT_HIEN", "Finding", "RuleReport", "check_record"]

#: Every finding code this check can produce, with what it means (also in ``docs/tt22.md``).
MA_PHAT_HIEN: dict[str, str] = {
    "CONTENT.SUBJECT_RESULT_KIND": "a score in a comment subject, or Đ/CĐ in a scored subject",
    "CONTENT.SUBJECT_NOT_ASSESSED": "'M' (not assessed) in some but not all of a row's results",
    "CONTENT.SUBJECT_RESULT_MISSING": "a semester or year result of an assessed subject is absent",
    "CONTENT.SUBJECT_YEAR_RESULT": "a subject's year result disagrees with its semester results",
    "CONTENT.LEARNING_SEMESTER_1": "learning level of semester I disagrees with the subjects",
    "CONTENT.LEARNING_SEMESTER_2": "learning level of semester II disagrees with the subjects",
    "CONTENT.LEARNING_YEAR": "learning level of the year disagrees with the subjects",
    "CONTENT.CONDUCT_YEAR": "year conduct disagrees with the semesters (Điều 8 khoản 2 điểm b)",
    "CONTENT.CONDUCT_SUMMER": "a summer conduct re-evaluation for a student who did not need one",
    "CONTENT.RETEST_NOT_REQUIRED": "a re-test result in a subject that was not to be re-tested",
    "CONTENT.RETEST_MISSING": "a subject to re-test has no re-test result, yet the level after "
    "the re-test is recorded",
    "CONTENT.RETEST_RESULT": "the learning level after the re-test disagrees with the re-test "
    "results, or is recorded without (or missing after) a re-test",
    "CONTENT.PROMOTION": "the promoted flag disagrees with Điều 12",
    "CONTENT.PROMOTION_WORDING": "the promotion wording is not the one for the grade and flag",
    "CONTENT.AWARD": "the award (Học sinh Xuất sắc / Giỏi) disagrees with Điều 15",
}

_TONG_KET = "THONG_TIN_HOC_BA/TONG_KET"
_KIEU = {
    LoaiDanhGia.DIEM: ("điểm số", "a score"),
    LoaiDanhGia.NHAN_XET: ("Đ/CĐ", "Đ/CĐ"),
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One result that disagrees with Thông tư 22.

    ``code`` is stable (``CONTENT.*``); ``dieu`` cites the provision broken ("Điều 9 khoản 2
    điểm b"); ``path`` is the element path in the packet, e.g.
    ``BANG_DIEM/DIEM_TONG_KET[@Id='mon-15']/DIEM_CA_NAM``; ``expected``/``actual`` are the
    values as written in the packet (``None`` for an absent element).
    """

    code: str
    dieu: str
    path: str
    expected: str | None
    actual: str | None
    message_vi: str
    message_en: str


@dataclass(frozen=True, slots=True)
class RuleReport:
    """All findings of one record (subject rows first, then the year summary); ``ok`` when none."""

    findings: tuple[Finding, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def codes(self) -> tuple[str, ...]:
        """The finding codes, in order (handy for tests and summaries)."""
        return tuple(f.code for f in self.findings)


def _as_written(value: object) -> str | None:
    """A value as the packet writes it: ``8.0``, ``Đ``, ``T``, ``1``/``0``, or ``None``."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.1")))
    if isinstance(value, DanhGiaNhanXet | MucDanhGia | DanhHieu):
        return str(value)
    return str(value)


def _subject_path(ma: str, truong: str) -> str:
    return f"BANG_DIEM/DIEM_TONG_KET[@Id='{mon_id(ma)}']/{truong.upper()}"


def _loai_of(row: DiemTongKet) -> LoaiDanhGia | None:
    info = mon_hoc_info(row.ma_mon_hoc)
    if info is not None:
        return info.loai
    for v in (row.diem_hoc_ky_1, row.diem_hoc_ky_2, row.diem_ca_nam, row.diem_kt_lai):
        if isinstance(v, Decimal):
            return LoaiDanhGia.DIEM
        if isinstance(v, DanhGiaNhanXet):
            return LoaiDanhGia.NHAN_XET
    return None


def _has_kind(value: object, loai: LoaiDanhGia) -> bool:
    if loai is LoaiDanhGia.DIEM:
        return isinstance(value, Decimal)
    return isinstance(value, DanhGiaNhanXet)


@dataclass(slots=True)
class _Mon:
    """A usable subject row: its recorded semester, year and re-test results."""

    ma: str
    hk1: KetQuaMon
    hk2: KetQuaMon
    ca_nam: KetQuaMon
    kiem_tra_lai: KetQuaMon | None


def _check_mon(
    row: DiemTongKet, khuyet_tat: bool, out: list[Finding]
) -> tuple[_Mon | None, bool]:
    """Check one row; return it for the level checks, and whether it can be used at all.

    ``(None, True)`` is a row left out on purpose (not assessed, Điều 11); ``(None, False)``
    is a broken row, which makes the level checks meaningless (they are then skipped).
    """
    ma = row.ma_mon_hoc
    truong = ("diem_hoc_ky_1", "diem_hoc_ky_2", "diem_ca_nam", "diem_kt_lai")
    gia_tri = {t: getattr(row, t) for t in truong}
    m_fields = [t for t in truong[:3] if gia_tri[t] == "M"]
    if m_fields:
        for t in truong:
            v = gia_tri[t]
            if v != "M" and (t != "diem_kt_lai" or v is not None):
                out.append(
                    Finding(
                        "CONTENT.SUBJECT_NOT_ASSESSED",
                        "Điều 11",
                        _subject_path(ma, t),
                        "M" if t != "diem_kt_lai" else None,
                        _as_written(v),
                        "Môn không đánh giá (M) phải là M ở cả học kì I, học kì II và cả năm, "
                        "không có kết quả kiểm tra lại",
                        "A subject not assessed (M) must be M in semester I, semester II and "
                        "the year, with no re-test result",
                    )
                )
        return None, True
    loai = _loai_of(row)
    if loai is None:
        # Nothing recorded at all: a missing-result problem, found below.
        loai = LoaiDanhGia.DIEM
    dung = True
    for t in truong:
        v = gia_tri[t]
        if v is None or (v == "M" and t == "diem_kt_lai"):
            continue
        if not _has_kind(v, loai):
            vi, en = _KIEU[loai]
            out.append(
                Finding(
                    "CONTENT.SUBJECT_RESULT_KIND",
                    "Điều 5 khoản 3",
                    _subject_path(ma, t),
                    None,
                    _as_written(v),
                    f"Kết quả của môn này phải là {vi}",
                    f"This subject's result must be {en}",
                )
            )
            dung = False
    for t in truong[:3]:
        if gia_tri[t] is None and not khuyet_tat:
            out.append(
                Finding(
                    "CONTENT.SUBJECT_RESULT_MISSING",
                    "Điều 9 khoản 1",
                    _subject_path(ma, t),
                    None,
                    None,
                    "Thiếu kết quả của môn học được đánh giá",
                    "A result of an assessed subject is missing",
                )
            )
        if gia_tri[t] is None:
            dung = False
    if not dung:
        return None, False
    hk1, hk2, cn = gia_tri["diem_hoc_ky_1"], gia_tri["diem_hoc_ky_2"], gia_tri["diem_ca_nam"]
    ktl = gia_tri["diem_kt_lai"]
    if isinstance(hk1, Decimal) and isinstance(hk2, Decimal):
        ky_vong: KetQuaMon = diem_trung_binh_ca_nam(hk1, hk2)
        dieu = "Điều 9 khoản 1 điểm b"
        vi = "Điểm trung bình cả năm phải là (ĐTBmhkI + 2 × ĐTBmhkII) / 3, làm tròn một chữ số"
        en = "The year average must be (semester I + 2 × semester II) / 3, rounded half up"
    else:
        assert isinstance(hk1, DanhGiaNhanXet) and isinstance(hk2, DanhGiaNhanXet)
        ky_vong = danh_gia_nhan_xet_ca_nam(hk1, hk2)
        dieu = "Điều 9 khoản 1 điểm a"
        vi = "Kết quả cả năm của môn đánh giá bằng nhận xét là kết quả học kì II"
        en = "The year result of a comment-assessed subject is its semester II result"
    if cn != ky_vong:
        out.append(
            Finding(
                "CONTENT.SUBJECT_YEAR_RESULT",
                dieu,
                _subject_path(ma, "diem_ca_nam"),
                _as_written(ky_vong),
                _as_written(cn),
                vi,
                en,
            )
        )
    assert cn is not None
    return _Mon(ma, hk1, hk2, cn, None if ktl == "M" else ktl), True


def _muc_message(kq: KetQuaHocTap, ky: tuple[str, str]) -> tuple[str, str]:
    vi, en = ky
    if kq.dieu_chinh:
        return (
            f"Kết quả học tập {vi} phải là {kq.muc.nhan}: mức theo khoản 2 được điều chỉnh lên "
            f"một mức vì chỉ do môn {kq.mon_gay_dieu_chinh}",
            f"The learning level of {en} must be {kq.muc!s}: the khoản 2 level is adjusted "
            f"up one step because only subject {kq.mon_gay_dieu_chinh} pulled it down",
        )
    return (
        f"Kết quả học tập {vi} phải là {kq.muc.nhan} theo kết quả các môn học",
        f"The learning level of {en} must be {kq.muc!s} given the subject results",
    )


def _names_danh_hieu(text: str | None, dh: DanhHieu) -> bool:
    if text is None:
        return False
    return dh.ten.casefold() in unicodedata.normalize("NFC", text).casefold()


def _check_tong_ket(hoc_ba: HocBa, mon: list[_Mon], out: list[Finding]) -> None:
    tk = hoc_ba.thong_tin_hoc_ba.tong_ket
    for ky, attr, code, ten in (
        ("hk1", "hoc_ky_1", "CONTENT.LEARNING_SEMESTER_1", ("học kì I", "semester I")),
        ("hk2", "hoc_ky_2", "CONTENT.LEARNING_SEMESTER_2", ("học kì II", "semester II")),
        ("ca_nam", "ca_nam", "CONTENT.LEARNING_YEAR", ("cả năm", "the year")),
    ):
        kq = muc_hoc_tap({m.ma: getattr(m, ky) for m in mon})
        thuc_te = getattr(tk, attr)
        if thuc_te is not kq.muc:
            vi, en = _muc_message(kq, ten)
            out.append(
                Finding(code, kq.dieu, f"{_TONG_KET}/{attr.upper()}", str(kq.muc),
                        _as_written(thuc_te), vi, en)
            )  # fmt: skip
    _check_he_va_len_lop(hoc_ba, mon, out)


def _check_he_va_len_lop(hoc_ba: HocBa, mon: list[_Mon], out: list[Finding]) -> None:
    """The rest of :func:`_check_tong_ket` after the three learning levels: the re-test and
    the summer (Điều 13–14), promotion and its wording (Điều 12), the title (Điều 15)."""
    tk = hoc_ba.thong_tin_hoc_ba.tong_ket
    khoi = hoc_ba.thong_tin_hoc_ba.thong_tin_chung.ma_khoi
    ca_nam = {m.ma: m.ca_nam for m in mon}
    ht_cn = tk.ca_nam
    rl_cn = tk.ren_luyen_ca_nam
    if ht_cn is None:
        return  # reported above as LEARNING_YEAR; promotion cannot be judged without it

    # Điều 14: who re-tests, and the level after the re-test.
    can_kt = ht_cn is MucDanhGia.CHUA_DAT
    ds_kt = mon_kiem_tra_lai(ca_nam) if can_kt else ()
    for m in mon:
        if m.kiem_tra_lai is not None and m.ma not in ds_kt:
            out.append(
                Finding(
                    "CONTENT.RETEST_NOT_REQUIRED",
                    "Điều 14",
                    _subject_path(m.ma, "diem_kt_lai"),
                    None,
                    _as_written(m.kiem_tra_lai),
                    "Môn này không thuộc diện kiểm tra lại (chỉ khi kết quả học tập cả năm Chưa "
                    "đạt, môn có ĐTBmcn dưới 5,0 hoặc Chưa đạt)",
                    "This subject is not to be re-tested (only when the year learning level is "
                    "Chưa đạt, subjects below 5.0 or Chưa đạt)",
                )
            )
    ktl = {m.ma: m.kiem_tra_lai for m in mon if m.ma in ds_kt and m.kiem_tra_lai is not None}
    ht_sau: MucDanhGia | None = tk.kq_hoc_tap_lai
    path_ktl = f"{_TONG_KET}/KQ_HOC_TAP_LAI"
    if not ds_kt:
        if ht_sau is not None:
            out.append(
                Finding(
                    "CONTENT.RETEST_RESULT", "Điều 14", path_ktl, None, _as_written(ht_sau),
                    "Có kết quả học tập sau kiểm tra lại nhưng học sinh không phải kiểm tra lại",
                    "A level after re-test is recorded but the student had nothing to re-test",
                )
            )  # fmt: skip
    elif len(ktl) == len(ds_kt):
        sau = hoc_tap_sau_kiem_tra_lai(ca_nam, ktl)
        if ht_sau is not sau.muc:
            out.append(
                Finding(
                    "CONTENT.RETEST_RESULT",
                    f"Điều 14, {sau.dieu}",
                    path_ktl,
                    str(sau.muc),
                    _as_written(ht_sau),
                    f"Kết quả học tập sau kiểm tra lại phải là {sau.muc.nhan}: kết quả kiểm tra "
                    "lại thay cho kết quả cả năm của môn đó",
                    f"The level after re-test must be {sau.muc!s}: each re-test result "
                    "replaces that subject's year result",
                )
            )
    elif ht_sau is not None:
        for ma in ds_kt:
            if ma not in ktl:
                out.append(
                    Finding(
                        "CONTENT.RETEST_MISSING", "Điều 14", _subject_path(ma, "diem_kt_lai"),
                        None, None,
                        "Môn phải kiểm tra lại chưa có kết quả, nhưng đã ghi kết quả học tập sau "
                        "kiểm tra lại",
                        "A subject to re-test has no result, yet a level after re-test is "
                        "recorded",
                    )
                )  # fmt: skip

    # Điều 13: a summer re-evaluation of conduct only for year conduct Chưa đạt.
    if tk.ren_luyen_lai is not None and rl_cn is not MucDanhGia.CHUA_DAT:
        out.append(
            Finding(
                "CONTENT.CONDUCT_SUMMER", "Điều 13", f"{_TONG_KET}/REN_LUYEN_LAI", None,
                _as_written(tk.ren_luyen_lai),
                "Chỉ học sinh có kết quả rèn luyện cả năm Chưa đạt mới rèn luyện trong hè",
                "Only a student whose year conduct is Chưa đạt trains over the summer",
            )
        )  # fmt: skip

    # Điều 12: the decision, as final (a missing summer result counts as not achieved).
    ht_sau_dung = ht_sau if ds_kt and len(ktl) == len(ds_kt) else None
    quyet: KetQuaXetLenLop = xet_len_lop(
        khoi=khoi,
        hoc_tap_ca_nam=ht_cn,
        ren_luyen_ca_nam=rl_cn,
        so_buoi_nghi=tk.so_buoi_nghi or 0,
        ket_qua_ca_nam=ca_nam,
        ren_luyen_sau_he=tk.ren_luyen_lai,
        hoc_tap_sau_kiem_tra_lai=ht_sau_dung,
    )
    len_lop = quyet.ket_qua is XetLenLop.LEN_LOP
    dieu_len_lop = quyet.dieu if quyet.ket_qua in (XetLenLop.LEN_LOP, XetLenLop.O_LAI_LOP) else (
        f"Điều 12 khoản 3 ({quyet.dieu})"
    )  # fmt: skip
    if tk.duoc_len_lop is not len_lop:
        out.append(
            Finding(
                "CONTENT.PROMOTION",
                dieu_len_lop,
                f"{_TONG_KET}/DUOC_LEN_LOP",
                _as_written(len_lop),
                _as_written(tk.duoc_len_lop),
                "Được lên lớp khi rèn luyện và học tập cả năm (kể cả sau hè) từ Đạt trở lên và "
                "nghỉ không quá 45 buổi"
                if len_lop
                else "Không đủ điều kiện lên lớp (rèn luyện hoặc học tập cả năm, kể cả sau hè, "
                "Chưa đạt, hoặc nghỉ quá 45 buổi)",
                "Promoted when year conduct and learning (after the summer) are at least Đạt "
                "and absences are at most 45"
                if len_lop
                else "Not eligible for promotion (year conduct or learning, after the summer, "
                "Chưa đạt, or more than 45 absences)",
            )
        )
    ky_vong_nd = noi_dung_len_lop(khoi, tk.duoc_len_lop)
    if unicodedata.normalize("NFC", tk.nd_duoc_len_lop) != ky_vong_nd:
        out.append(
            Finding(
                "CONTENT.PROMOTION_WORDING",
                "Điều 12 khoản 1" if tk.duoc_len_lop else "Điều 12 khoản 3",
                f"{_TONG_KET}/ND_DUOC_LEN_LOP",
                ky_vong_nd,
                tk.nd_duoc_len_lop,
                "Nội dung được lên lớp không đúng cách ghi theo khối lớp và kết quả xét lên lớp",
                "The promotion wording does not match the grade and the promoted flag",
            )
        )

    # Điều 15: titles from the year results before the summer.
    dh = danh_hieu(hoc_tap_ca_nam=ht_cn, ren_luyen_ca_nam=rl_cn, ket_qua_ca_nam=ca_nam)
    co = [d for d in DanhHieu if _names_danh_hieu(tk.nd_khen_thuong, d)]
    sai = (dh is None and co) or (dh is not None and co != [dh])
    if sai:
        out.append(
            Finding(
                "CONTENT.AWARD",
                "Điều 15 khoản 1 điểm a",
                f"{_TONG_KET}/ND_KHEN_THUONG",
                None if dh is None else dh.ten,
                tk.nd_khen_thuong,
                "Danh hiệu không đúng: Học sinh Xuất sắc khi rèn luyện và học tập cả năm Tốt và "
                "ít nhất 6 môn tính điểm có ĐTBmcn từ 9,0; Học sinh Giỏi khi rèn luyện và học "
                "tập cả năm Tốt",
                "Wrong title: Học sinh Xuất sắc needs year conduct and learning Tốt and at least "
                "6 scored subjects with a year average of 9.0 or more; Học sinh Giỏi needs year "
                "conduct and learning Tốt",
            )
        )


def _check_ren_luyen(hoc_ba: HocBa, out: list[Finding]) -> None:
    tk = hoc_ba.thong_tin_hoc_ba.tong_ket
    ky_vong = ren_luyen_ca_nam(tk.ren_luyen_hoc_ky_1, tk.ren_luyen_hoc_ky_2)
    if tk.ren_luyen_ca_nam is not ky_vong:
        out.append(
            Finding(
                "CONTENT.CONDUCT_YEAR",
                DIEU_REN_LUYEN_CA_NAM,
                f"{_TONG_KET}/REN_LUYEN_CA_NAM",
                str(ky_vong),
                _as_written(tk.ren_luyen_ca_nam),
                f"Kết quả rèn luyện cả năm phải là {ky_vong.nhan} theo kết quả hai học kì",
                f"Year conduct must be {ky_vong!s} given the two semesters",
            )
        )


def _findings(hoc_ba: HocBa) -> Iterator[Finding]:
    khuyet_tat = hoc_ba.thong_tin_hoc_ba.hoc_sinh.co_khuyet_tat_khong_danh_gia
    out: list[Finding] = []
    mon: list[_Mon] = []
    dung_duoc = True
    for row in hoc_ba.bang_diem:
        m, ok = _check_mon(row, khuyet_tat, out)
        dung_duoc = dung_duoc and ok
        if m is not None:
            mon.append(m)
    _check_ren_luyen(hoc_ba, out)
    # Levels, summer results, promotion and awards: from usable rows only, and not for a
    # student with a disability who is not assessed (Điều 11, Điều 12 khoản 4: the principal
    # decides; the levels may be absent).
    if dung_duoc and mon and not khuyet_tat:
        _check_tong_ket(hoc_ba, mon, out)
    yield from out


#: What the rules compare a recorded score with, in tenths: every one-decimal mark 0.0–10.0.
#: Keys are compared as numbers (``Decimal("8.0") == Decimal("8")``), which is all the rules
#: ever do with a score; the fast check below reads scores through this table only.
_PHAN_MUOI: dict[Decimal, int] = {Decimal(n).scaleb(-1): n for n in range(101)}
_DIEM, _NHAN_XET = LoaiDanhGia.DIEM, LoaiDanhGia.NHAN_XET
_CHUA_DAT_NX = DanhGiaNhanXet.CHUA_DAT
_T, _K, _D, _CD = MucDanhGia.TOT, MucDanhGia.KHA, MucDanhGia.DAT, MucDanhGia.CHUA_DAT
_TEN_DANH_HIEU = tuple((d, d.ten.casefold()) for d in DanhHieu)
_OK = RuleReport()


#: One usable row as the one-pass check reads it: (code, semester I, semester II, year,
#: re-test), the fields of :class:`_Mon` in order.
_Hang = tuple[str, KetQuaMon, KetQuaMon, KetQuaMon, KetQuaMon | None]


def _muc_nhanh(
    diem: list[int], so_chua_dat: int, mon: list[_Hang], ky: int
) -> MucDanhGia:
    """:func:`muc_hoc_tap`'s level for period ``ky`` (1, 2, 3: semester I, II, the year) of
    the rows ``mon``, given the period's scores in tenths (sorted here, in place) and its count
    of comment subjects Chưa đạt: khoản 2 (:func:`xep_muc_hoc_tap`) read off the sorted scores
    ("at least 6 scores ≥ t" is "the sixth highest ≥ t", "every score ≥ t" is "the lowest
    ≥ t"), and khoản 3 left to :func:`muc_hoc_tap` itself in the one case it can change the
    level (Đạt or Chưa đạt with exactly one subject below the floor: ``_thu_pham`` names
    nobody otherwise)."""
    diem.sort()
    thap_nhat = diem[0] if diem else 100
    thu_sau = diem[-6] if len(diem) >= 6 else -1
    if so_chua_dat == 0:
        if thap_nhat >= 65 and thu_sau >= 80:
            return _T
        if thap_nhat >= 50 and thu_sau >= 65:
            return _K
    if so_chua_dat + bisect_left(diem, 50) == 1:
        return muc_hoc_tap({m[0]: cast(KetQuaMon, m[ky]) for m in mon}).muc
    if so_chua_dat <= 1 and thap_nhat >= 35 and thu_sau >= 50:
        return _D
    return _CD


def _khong_co_phat_hien(hoc_ba: HocBa) -> bool:
    """True only when :func:`_findings` finds nothing in ``hoc_ba``; False when that is not
    certain here (the caller then runs :func:`_findings`, which decides).

    One pass over the usual record: a student who is not disabled-not-assessed; every row of a
    catalogued subject, with no "M", its three results (and a re-test result, if any) of the
    subject's kind, and the year result its semesters give; each subject once; year conduct,
    the three learning levels, promotion, its wording and the title as recorded. Each is
    decided by the values :func:`_findings` reads, compared the same way: scores as integers
    of tenths (exact for one-decimal marks, see :func:`diem_trung_binh_ca_nam`), the levels
    by :func:`_muc_nhanh`. With a summer to judge (a re-test, a summer result, year learning
    or conduct Chưa đạt), once the levels agree the rest is :func:`_check_he_va_len_lop`, the
    walk's own code. Anything else answers False (tests/tt22/test_tt22_fast_check.py compares
    the two on generated, drawn and planted records).
    """
    tt = hoc_ba.thong_tin_hoc_ba
    if tt.hoc_sinh.co_khuyet_tat_khong_danh_gia:
        return False
    tk = tt.tong_ket
    if ren_luyen_ca_nam(tk.ren_luyen_hoc_ky_1, tk.ren_luyen_hoc_ky_2) is not tk.ren_luyen_ca_nam:
        return False
    phan_muoi = _PHAN_MUOI.get
    mon_hoc = MON_HOC.get
    hk1: list[int] = []
    hk2: list[int] = []
    ca_nam: list[int] = []
    cd1 = cd2 = cd_cn = 0
    mon: list[_Hang] = []
    kiem_tra_lai = False
    for row in hoc_ba.bang_diem:
        values = row.__dict__
        ma = values["ma_mon_hoc"]
        info = mon_hoc(ma)
        if info is None:
            return False
        h1, h2, cn = values["diem_hoc_ky_1"], values["diem_hoc_ky_2"], values["diem_ca_nam"]
        kt = values["diem_kt_lai"]
        loai = info.loai
        if kt is not None:
            if type(kt) is not (Decimal if loai is _DIEM else DanhGiaNhanXet):
                return False
            kiem_tra_lai = True
        if loai is _DIEM:
            if type(h1) is not Decimal or type(h2) is not Decimal or type(cn) is not Decimal:
                return False
            try:
                a, b, c = phan_muoi(h1), phan_muoi(h2), phan_muoi(cn)
            except TypeError:  # a signalling NaN cannot be hashed: the walk says what follows
                return False
            if a is None or b is None or c is None or c != (2 * a + 4 * b + 3) // 6:
                return False
            hk1.append(a)
            hk2.append(b)
            ca_nam.append(c)
        elif loai is _NHAN_XET:
            if type(h1) is not DanhGiaNhanXet or type(h2) is not DanhGiaNhanXet or cn is not h2:
                return False
            cd1 += h1 is _CHUA_DAT_NX
            cd2 += h2 is _CHUA_DAT_NX
            cd_cn += cn is _CHUA_DAT_NX
        else:
            return False
        mon.append((ma, h1, h2, cn, kt))
    if len({m[0] for m in mon}) != len(mon):
        return False  # a subject twice: the rules read one result per subject code
    if (
        _muc_nhanh(hk1, cd1, mon, 1) is not tk.hoc_ky_1
        or _muc_nhanh(hk2, cd2, mon, 2) is not tk.hoc_ky_2
        or _muc_nhanh(ca_nam, cd_cn, mon, 3) is not tk.ca_nam
    ):
        return False
    ht_cn, rl_cn = tk.ca_nam, tk.ren_luyen_ca_nam
    if (
        ht_cn is _CD
        or rl_cn is _CD
        or kiem_tra_lai
        or tk.kq_hoc_tap_lai is not None
        or tk.ren_luyen_lai is not None
    ):
        # A summer to judge: the levels matched, so what is left of _check_tong_ket decides.
        out: list[Finding] = []
        _check_he_va_len_lop(hoc_ba, [_Mon(*m) for m in mon], out)
        return not out
    # Điều 12 with nothing left for the summer: promoted unless absent more than 45 times.
    len_lop = (tk.so_buoi_nghi or 0) <= SO_BUOI_NGHI_TOI_DA
    khoi = tt.thong_tin_chung.ma_khoi
    if tk.duoc_len_lop is not len_lop or unicodedata.normalize(
        "NFC", tk.nd_duoc_len_lop
    ) != noi_dung_len_lop(khoi, len_lop):
        return False
    # Điều 15, as danh_hieu decides it and _names_danh_hieu reads the text.
    dh: DanhHieu | None = None
    if ht_cn is _T and rl_cn is _T:
        # ca_nam is sorted (_muc_nhanh): six year averages of 9.0 or more.
        dh = DanhHieu.XUAT_SAC if len(ca_nam) >= 6 and ca_nam[-6] >= 90 else DanhHieu.GIOI
    text = tk.nd_khen_thuong
    if text is None:
        return dh is None
    folded = unicodedata.normalize("NFC", text).casefold()
    co = [d for d, ten in _TEN_DANH_HIEU if ten in folded]
    return co == ([] if dh is None else [dh])


def check_record(hoc_ba: HocBa) -> RuleReport:
    """Check every Thông tư 22 result a record holds against the record's own data.

    Returns a :class:`RuleReport`; bad content is a finding, never an exception. Checked:
    each subject's year result from its semester results (Điều 9 khoản 1) and its result kind
    (Điều 5 khoản 3); "M" rows whole (Điều 11); the learning levels of semester I, II and the
    year with the adjust-up rule (Điều 9 khoản 2–3); year conduct (Điều 8); the summer
    re-evaluation and the re-test (Điều 13–14); promotion and its wording (Điều 12); the
    titles (Điều 15). With the "disabled, not assessed" flag only the subject rows and
    conduct are checked. A learning-level finding cites Điều 9 khoản 3 when the adjust-up rule
    decided the expected level. The usual record is answered in one pass
    (:func:`_khong_co_phat_hien`); the rules are walked one by one whenever that pass is not
    certain, with the same report either way (docs/tt22.md §4).
    """
    if not isinstance(hoc_ba, HocBa):
        raise InputError(
            f"hoc_ba: got {type(hoc_ba).__name__}; pass a HocBa (hocbaso.from_xml reads one "
            "from a packet)",
            f"hoc_ba: nhận được {type(hoc_ba).__name__}; hãy truyền một HocBa "
            "(hocbaso.from_xml đọc từ gói tin)",
            code="INPUT.TYPE",
            path="hoc_ba",
        )
    if _khong_co_phat_hien(hoc_ba):
        return _OK
    return RuleReport(tuple(_findings(hoc_ba)))
