"""Every validation rule of the record models has a failing example with its code and path."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from hocbaso.errors import ModelError
from hocbaso.models import (
    DanhGiaNhanXet,
    DiemTongKet,
    HocBa,
    MucDanhGia,
    ThongTinChung,
)
from hocbaso.models._internal import parse_ket_qua
from hocbaso.testing import tao_hoc_ba


@pytest.fixture(scope="module")
def base() -> dict[str, Any]:
    return tao_hoc_ba(3).model_dump()


def _set(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    *parents, last = path.split(".")
    node: Any = data
    for p in parents:
        node = node[int(p)] if p.isdigit() else node[p]
    if value is _DELETE:
        del node[last]
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    return data


_DELETE = object()
TT = "thong_tin_hoc_ba"
HS = f"{TT}.hoc_sinh"

CASES: list[tuple[str, str, Any, str, str]] = [
    # (name, dotted field, new value, expected code, expected element path)
    ("required", f"{HS}.ho_va_ten", _DELETE, "MODEL.REQUIRED",
     "THONG_TIN_HOC_BA/HOC_SINH/HO_VA_TEN"),
    ("empty after trim", f"{HS}.ho_va_ten", "   ", "MODEL.EMPTY",
     "THONG_TIN_HOC_BA/HOC_SINH/HO_VA_TEN"),
    ("too long", f"{HS}.ho_va_ten", "A" * 151, "MODEL.TOO_LONG",
     "THONG_TIN_HOC_BA/HOC_SINH/HO_VA_TEN"),
    ("control character", f"{TT}.tong_ket.nx_gvcn", "tốt\x00", "MODEL.INVALID_CHARACTER",
     "THONG_TIN_HOC_BA/TONG_KET/NX_GVCN"),
    ("personal ID 11 digits", f"{HS}.so_dinh_danh", "07920912345", "MODEL.PATTERN",
     "THONG_TIN_HOC_BA/HOC_SINH/SO_DINH_DANH"),
    ("personal ID letters", f"{TT}.nguoi_ky.so_ddcn_gvcn", "07920912345X", "MODEL.PATTERN",
     "THONG_TIN_HOC_BA/NGUOI_KY/SO_DDCN_GVCN"),
    ("school year format", f"{TT}.thong_tin_chung.nam_hoc", "2024/2025", "MODEL.PATTERN",
     "THONG_TIN_HOC_BA/THONG_TIN_CHUNG/NAM_HOC"),
    ("school year not consecutive", f"{TT}.thong_tin_chung.nam_hoc", "2024-2026",
     "MODEL.SCHOOL_YEAR", "THONG_TIN_HOC_BA/THONG_TIN_CHUNG/NAM_HOC"),
    ("unknown gender", f"{HS}.gioi_tinh", "3", "MODEL.CODE_LIST",
     "THONG_TIN_HOC_BA/HOC_SINH/GIOI_TINH"),
    ("unknown ethnicity", f"{HS}.dan_toc", "56", "MODEL.CODE_LIST",
     "THONG_TIN_HOC_BA/HOC_SINH/DAN_TOC"),
    ("unknown province", f"{TT}.thong_tin_truong.dia_chi.ma_tinh", "02", "MODEL.CODE_LIST",
     "THONG_TIN_HOC_BA/THONG_TIN_TRUONG/DIA_CHI/MA_TINH"),
    ("unknown level code", f"{TT}.tong_ket.ren_luyen_ca_nam", "G", "MODEL.CODE_LIST",
     "THONG_TIN_HOC_BA/TONG_KET/REN_LUYEN_CA_NAM"),
    ("absences out of range", f"{TT}.tong_ket.so_buoi_nghi", 301, "MODEL.RANGE",
     "THONG_TIN_HOC_BA/TONG_KET/SO_BUOI_NGHI"),
    ("negative absences", f"{TT}.tong_ket.so_buoi_nghi", -1, "MODEL.RANGE",
     "THONG_TIN_HOC_BA/TONG_KET/SO_BUOI_NGHI"),
    ("version zero", f"{TT}.thong_tin_chung.phien_ban", 0, "MODEL.RANGE",
     "THONG_TIN_HOC_BA/THONG_TIN_CHUNG/PHIEN_BAN"),
    ("bad date", f"{TT}.nguoi_ky.ngay_ky_phat_hanh", "2025-02-30", "MODEL.DATE",
     "THONG_TIN_HOC_BA/NGUOI_KY/NGAY_KY_PHAT_HANH"),
    ("flag not 0/1", f"{TT}.tong_ket.duoc_len_lop", "có", "MODEL.BOOLEAN",
     "THONG_TIN_HOC_BA/TONG_KET/DUOC_LEN_LOP"),
    ("unknown field", f"{HS}.biet_danh", "Tí", "MODEL.UNKNOWN_FIELD",
     "THONG_TIN_HOC_BA/HOC_SINH/BIET_DANH"),
    ("identifier not a UUID", f"{TT}.thong_tin_chung.ma_dinh_danh_hoc_ba", "HB-123",
     "MODEL.PATTERN", "THONG_TIN_HOC_BA/THONG_TIN_CHUNG/MA_DINH_DANH_HOC_BA"),
    ("grade outside level", f"{TT}.thong_tin_chung.ma_khoi", "10", "MODEL.GRADE_LEVEL",
     "THONG_TIN_HOC_BA/THONG_TIN_CHUNG/MA_KHOI"),
    ("version 2 without correction", f"{TT}.thong_tin_chung.phien_ban", 2, "MODEL.CORRECTION",
     "THONG_TIN_HOC_BA/THONG_TIN_CHUNG/DINH_CHINH"),
    ("no birth date at all", f"{HS}.ngay_thang_nam_sinh", None, "MODEL.BIRTH_DATE",
     "THONG_TIN_HOC_BA/HOC_SINH/NGAY_THANG_NAM_SINH"),
    ("birth forms disagree", f"{HS}.nam_sinh", "1999", "MODEL.BIRTH_DATE",
     "THONG_TIN_HOC_BA/HOC_SINH/NGAY_THANG_NAM_SINH"),
    ("year-month format", f"{HS}.thang_nam_sinh", "2010-13", "MODEL.PATTERN",
     "THONG_TIN_HOC_BA/HOC_SINH/THANG_NAM_SINH"),
    ("nationality lower case", f"{HS}.quoc_tich", "vn", "MODEL.PATTERN",
     "THONG_TIN_HOC_BA/HOC_SINH/QUOC_TICH"),
    ("learning level missing", f"{TT}.tong_ket.ca_nam", None, "MODEL.REQUIRED",
     "THONG_TIN_HOC_BA/TONG_KET/CA_NAM"),
    ("score above 10", "bang_diem.0.diem_hoc_ky_1", "10.5", "MODEL.SCORE",
     "BANG_DIEM/DIEM_TONG_KET[1]/DIEM_HOC_KY_1"),
    ("score with two decimals", "bang_diem.0.diem_hoc_ky_2", "8.25", "MODEL.SCORE",
     "BANG_DIEM/DIEM_TONG_KET[1]/DIEM_HOC_KY_2"),
    ("score as float", "bang_diem.0.diem_ca_nam", 8.3, "MODEL.SCORE",
     "BANG_DIEM/DIEM_TONG_KET[1]/DIEM_CA_NAM"),
    ("comment result on a scored subject", "bang_diem.0.diem_ca_nam", "Đ", "MODEL.SCORE_KIND",
     "BANG_DIEM/DIEM_TONG_KET[1]/DIEM_CA_NAM"),
    ("score on a comment subject", "bang_diem.8.diem_ca_nam", "7.0", "MODEL.SCORE_KIND",
     "BANG_DIEM/DIEM_TONG_KET[9]/DIEM_CA_NAM"),
    ("unknown subject code", "bang_diem.0.ma_mon_hoc", "98", "MODEL.SUBJECT_CODE",
     "BANG_DIEM/DIEM_TONG_KET[1]/MA_MON_HOC"),
    ("THPT subject in a THCS record", "bang_diem.0.ma_mon_hoc", "35", "MODEL.SUBJECT_LEVEL",
     "BANG_DIEM/DIEM_TONG_KET[1]/MA_MON_HOC"),
    ("duplicate subject", "bang_diem.1.ma_mon_hoc", "19", "MODEL.DUPLICATE_SUBJECT",
     "BANG_DIEM/DIEM_TONG_KET[2]/MA_MON_HOC"),
    ("no subjects", "bang_diem", [], "MODEL.REQUIRED", "BANG_DIEM"),
    ("subject name too long", "bang_diem.0.ten_mon_hoc", "x" * 101, "MODEL.TOO_LONG",
     "BANG_DIEM/DIEM_TONG_KET[1]/TEN_MON_HOC"),
    ("teacher ID", "bang_diem.0.so_ddcn_gvbm", "1234", "MODEL.PATTERN",
     "BANG_DIEM/DIEM_TONG_KET[1]/SO_DDCN_GVBM"),
    ("empty certificate", f"{TT}.danh_sach_chung_chi", [{}], "MODEL.REQUIRED",
     "THONG_TIN_HOC_BA/DANH_SACH_CHUNG_CHI/CHUNG_CHI[1]/TEN_CHUNG_CHI"),
    ("commune code", f"{TT}.thong_tin_truong.dia_chi.ma_xa", "1234", "MODEL.PATTERN",
     "THONG_TIN_HOC_BA/THONG_TIN_TRUONG/DIA_CHI/MA_XA"),
]


@pytest.mark.parametrize(("field", "value", "code", "path"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule_refused_with_code_and_path(
    base: dict[str, Any], field: str, value: Any, code: str, path: str
) -> None:
    data = _set(base, field, value)
    with pytest.raises(ModelError) as info:
        HocBa(**data)
    codes = {(d.code, d.path) for d in info.value.details}
    assert (code, path) in codes, codes
    assert info.value.code == info.value.details[0].code
    assert info.value.message_vi and info.value.message_en
    assert info.value.message_vi != info.value.message_en


def test_base_record_is_valid(base: dict[str, Any]) -> None:
    assert HocBa(**base).model_dump() == base


def test_personal_id_must_match_birth_year_and_gender(base: dict[str, Any]) -> None:
    hs = base[TT]["hoc_sinh"]
    wrong_year = hs["so_dinh_danh"][:4] + f"{(int(hs['so_dinh_danh'][4:6]) + 1) % 100:02d}" + \
        hs["so_dinh_danh"][6:]
    with pytest.raises(ModelError) as info:
        HocBa(**_set(base, f"{HS}.so_dinh_danh", wrong_year))
    assert info.value.code == "MODEL.PERSONAL_ID_MISMATCH"
    digit = int(hs["so_dinh_danh"][3])
    flipped = hs["so_dinh_danh"][:3] + str(digit ^ 1) + hs["so_dinh_danh"][4:]
    with pytest.raises(ModelError) as info:
        HocBa(**_set(base, f"{HS}.so_dinh_danh", flipped))
    assert info.value.path.endswith("SO_DINH_DANH")


def test_disabled_student_may_have_no_levels(base: dict[str, Any]) -> None:
    data = _set(base, f"{HS}.co_khuyet_tat_khong_danh_gia", True)
    for name in ("hoc_ky_1", "hoc_ky_2", "ca_nam"):
        data = _set(data, f"{TT}.tong_ket.{name}", None)
    assert HocBa(**data).thong_tin_hoc_ba.tong_ket.ca_nam is None


def test_messages_never_contain_the_value(base: dict[str, Any]) -> None:
    secret_id = "07920912345"  # 11 digits: invalid
    name = "Nguyễn Bí Mật" + "x" * 150
    data = _set(_set(base, f"{HS}.so_dinh_danh", secret_id), f"{HS}.ho_va_ten", name)
    with pytest.raises(ModelError) as info:
        HocBa(**data)
    text = str(info.value) + repr(info.value.as_dict())
    assert secret_id not in text
    assert "Bí Mật" not in text
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_text_is_nfc_normalised_and_trimmed(base: dict[str, Any]) -> None:
    decomposed = "  Nguye\u0302\u0303n Va\u0306n A\t"  # "Nguyễn Văn A" in NFD with spaces
    record = HocBa(**_set(base, f"{HS}.ho_va_ten", decomposed))
    assert record.thong_tin_hoc_ba.hoc_sinh.ho_va_ten == "Nguyễn Văn A"


def test_models_are_frozen(base: dict[str, Any]) -> None:
    record = HocBa(**base)
    with pytest.raises(ValueError):
        record.thong_tin_hoc_ba.hoc_sinh.ho_va_ten = "X"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("8", Decimal("8.0")), ("10", Decimal("10.0")), (" 7.5 ", Decimal("7.5")),
     (Decimal("6"), Decimal("6.0")), (9, Decimal("9.0")), ("Đ", DanhGiaNhanXet.DAT),
     ("CĐ", DanhGiaNhanXet.CHUA_DAT), ("M", "M")],
)
def test_subject_result_forms(raw: Any, expected: Any) -> None:
    assert parse_ket_qua(raw) == expected


@pytest.mark.parametrize("raw", ["10.1", "-1", "8.25", "abc", "", "Đạt", True, 7.5, "1e1"])
def test_subject_result_refused(raw: Any) -> None:
    with pytest.raises(ModelError) as info:
        DiemTongKet(ma_mon_hoc="15", ten_mon_hoc="Toán", diem_ca_nam=raw,
                    so_ddcn_gvbm="001080123456", gvbm="Lê Văn B")
    assert info.value.code == "MODEL.SCORE"


def test_uuid_is_lowercased(base: dict[str, Any]) -> None:
    header = dict(base[TT]["thong_tin_chung"])
    header["ma_dinh_danh_hoc_ba"] = header["ma_dinh_danh_hoc_ba"].upper()
    assert ThongTinChung(**header).ma_dinh_danh_hoc_ba == base[TT]["thong_tin_chung"][
        "ma_dinh_danh_hoc_ba"]


def test_level_ranks_order() -> None:
    ranks = [m.rank for m in MucDanhGia]
    assert ranks == sorted(ranks, reverse=True)
    assert all(MucDanhGia.from_rank(m.rank) is m for m in MucDanhGia)
