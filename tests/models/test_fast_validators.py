"""The checks written for speed decide exactly as they were written before.

``HocSinh._birth_and_id`` (one full birth date settles the year without a set of years),
``DiemTongKet._kind`` (one type test instead of four ``isinstance`` calls against an enum) and
``_clean_text`` (NFC without an ASCII test first) were rewritten to cost less per record
(docs/packet.md §Speed). Each test keeps the former code word for word (a validator in a
subclass that overrides it by name, or the former function) and compares the two on generated
and hostile input: the same record, or the same error (code, path and every detail).
"""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import model_validator
from pydantic_core import PydanticCustomError

from hocbaso.errors import HocBaSoError, ModelError
from hocbaso.models import MON_HOC, DanhGiaNhanXet, DiemTongKet, GioiTinh, HocSinh, Khoi
from hocbaso.models._hocba import _RESULT_FIELDS, _WRONG_RESULT, _err
from hocbaso.models._types import _XML_INVALID, _clean_text
from hocbaso.testing import tao_hoc_ba


class _ReferenceHocSinh(HocSinh):
    @model_validator(mode="after")
    def _birth_and_id(self) -> _ReferenceHocSinh:  # the validator as it was, unchanged
        forms = [self.ngay_thang_nam_sinh, self.thang_nam_sinh, self.nam_sinh]
        if all(f is None for f in forms):
            raise _err(
                "MODEL.BIRTH_DATE",
                "NGAY_THANG_NAM_SINH",
                "Phải có ngày sinh, tháng năm sinh hoặc năm sinh",
                "A birth date, birth year-month or birth year is required",
            )
        years = set()
        if self.ngay_thang_nam_sinh is not None:
            d = self.ngay_thang_nam_sinh
            years.add(d.year)
            if self.thang_nam_sinh is not None and self.thang_nam_sinh != f"{d:%Y-%m}":
                years.add(-1)
        if self.thang_nam_sinh is not None:
            years.add(int(self.thang_nam_sinh[:4]))
        if self.nam_sinh is not None:
            years.add(int(self.nam_sinh))
        if len(years) > 1:
            raise _err(
                "MODEL.BIRTH_DATE",
                "NGAY_THANG_NAM_SINH",
                "Các dạng ngày sinh không khớp nhau",
                "The birth date forms disagree",
            )
        year = self.nam_sinh_so
        digit = int(self.so_dinh_danh[3])
        century = 1900 + 100 * (digit // 2)
        if year is not None and (
            century + int(self.so_dinh_danh[4:6]) != year
            or (self.gioi_tinh is GioiTinh.NAM and digit % 2 != 0)
            or (self.gioi_tinh is GioiTinh.NU and digit % 2 != 1)
        ):
            raise _err(
                "MODEL.PERSONAL_ID_MISMATCH",
                "SO_DINH_DANH",
                "Số định danh không khớp với năm sinh hoặc giới tính",
                "Personal ID does not match the birth year or gender",
            )
        return self


class _ReferenceDiemTongKet(DiemTongKet):
    @model_validator(mode="after")
    def _kind(self) -> _ReferenceDiemTongKet:  # the validator as it was, unchanged
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
        wrong_type = _WRONG_RESULT.get(info.loai)
        if wrong_type is None:
            return self
        values = self.__dict__
        for name in _RESULT_FIELDS:
            if isinstance(values[name], wrong_type):
                raise _err(
                    "MODEL.SCORE_KIND",
                    name.upper(),
                    "Kết quả không đúng hình thức đánh giá của môn (điểm số hoặc nhận xét)",
                    "Result does not fit how the subject is assessed (score or comment)",
                )
        return self


def _outcome(cls: type[Any], data: dict[str, Any]) -> tuple[Any, ...]:
    try:
        record = cls(**data)
    except HocBaSoError as exc:
        assert isinstance(exc, ModelError)
        details = tuple((d.code, d.path, d.message_en, d.message_vi) for d in exc.details)
        # The message begins with the class name, which is the subclass's here; the rest and
        # every detail must be the same.
        message = exc.message_en.removeprefix(f"{cls.__name__}: ")
        return ("error", exc.code, exc.path, message, details)
    return ("record", repr(record.model_dump()))


_BASE_STUDENT = tao_hoc_ba(7, Khoi.K09).thong_tin_hoc_ba.hoc_sinh.model_dump()
_DIGITS = st.text(st.sampled_from("0123456789"), min_size=1, max_size=1)


@st.composite
def _students(draw: Any) -> dict[str, Any]:
    data = dict(_BASE_STUDENT)
    year = draw(st.integers(min_value=1990, max_value=2030))
    birth = date(year, draw(st.integers(1, 12)), draw(st.integers(1, 28)))
    near = st.sampled_from([0, 0, 0, 1, -1, 100])
    data["ngay_thang_nam_sinh"] = draw(st.none() | st.just(birth))
    data["thang_nam_sinh"] = draw(
        st.none()
        | st.just(f"{birth:%Y-%m}")
        | near.map(lambda k: f"{year + k}-{birth.month:02d}")
        | st.just(f"{year}-{(birth.month % 12) + 1:02d}")
    )
    data["nam_sinh"] = draw(st.none() | near.map(lambda k: f"{year + k}"))
    fourth = draw(st.integers(min_value=0, max_value=9))
    yy = draw(st.sampled_from([year % 100, (year + 1) % 100, draw(st.integers(0, 99))]))
    rest = draw(st.text(st.sampled_from("0123456789"), min_size=6, max_size=6))
    data["so_dinh_danh"] = draw(
        st.just(f"001{fourth}{yy:02d}{rest}") | st.sampled_from(["12345", " 001203012345 "])
    )
    data["gioi_tinh"] = draw(st.sampled_from(list(GioiTinh)))
    return data


@settings(max_examples=400, deadline=None)
@given(_students())
def test_birth_and_id_decides_as_before(data: dict[str, Any]) -> None:
    assert _outcome(HocSinh, data) == _outcome(_ReferenceHocSinh, data)


_BASE_ROW = tao_hoc_ba(7, Khoi.K12).bang_diem[0].model_dump()
_RESULTS = st.sampled_from(
    [None, "8.0", "10.0", "0.5", "Đ", "CĐ", "M", " Đ ", "7.25", Decimal("9"), 7, 7.5,
     DanhGiaNhanXet.DAT, "x"]
)


@st.composite
def _rows(draw: Any) -> dict[str, Any]:
    data = dict(_BASE_ROW)
    data["ma_mon_hoc"] = draw(st.sampled_from([*MON_HOC, "12", "999", "5"]))
    for name in _RESULT_FIELDS:
        data[name] = draw(_RESULTS)
    return data


@settings(max_examples=600, deadline=None)
@given(_rows())
def test_subject_kind_decides_as_before(data: dict[str, Any]) -> None:
    assert _outcome(DiemTongKet, data) == _outcome(_ReferenceDiemTongKet, data)


def test_the_reference_subclasses_really_run_the_former_validators() -> None:
    """Overriding by name replaces the validator (else the comparisons above would compare the
    new code with itself)."""
    assert _ReferenceHocSinh.__pydantic_decorators__.model_validators[
        "_birth_and_id"
    ].func is not HocSinh.__pydantic_decorators__.model_validators["_birth_and_id"].func
    assert _ReferenceDiemTongKet.__pydantic_decorators__.model_validators[
        "_kind"
    ].func is not DiemTongKet.__pydantic_decorators__.model_validators["_kind"].func
    assert _RESULT_FIELDS == ("diem_hoc_ky_1", "diem_hoc_ky_2", "diem_ca_nam", "diem_kt_lai")


def _former_clean_text(value: Any) -> Any:
    """``_clean_text`` as it was: NFC only for text that is not ASCII."""
    if type(value) is not str:
        return value
    value = value.strip()
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    if not value.isprintable() and _XML_INVALID.search(value):
        raise PydanticCustomError("MODEL.INVALID_CHARACTER", "invalid character")
    return value


def _clean_outcome(fn: Any, value: Any) -> tuple[Any, ...]:
    try:
        return ("value", fn(value))
    except PydanticCustomError as exc:
        return ("error", exc.type)


@settings(max_examples=800, deadline=None)
@given(
    st.text(max_size=12)
    | st.text(st.sampled_from(" \t\n\r\xa0\u2003\x85\x1f\x01Aa1Đđ\u0301\u212a\u037e"), max_size=8)
    | st.binary(max_size=4)
    | st.integers()
    | st.none()
)
def test_text_cleaning_gives_what_it_gave(value: Any) -> None:
    assert _clean_outcome(_clean_text, value) == _clean_outcome(_former_clean_text, value)
