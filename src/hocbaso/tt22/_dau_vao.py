"""The evaluator's input contract as frozen pydantic models (``docs/tt22.md`` §3.1).

Each JSON object of the contract is a model with ``extra="forbid"`` and strict types, so an
unknown field, a wrong JSON type or a bad mark is refused with the JSON path of the field
(``mon_hoc[0].hk1.tx[2]``): pydantic supplies the path, this module only names the error codes
(``TT22.INPUT.*``). A subject's marks are read according to its kind (scored or
comment-assessed); a discriminator takes the kind from ``loai`` or the catalogue before the
marks are validated, so ``"Đ"`` in a scored subject is a mark error and ``"8.0"`` in a comment
subject a level error.

JSON *text* (:func:`doc_json`) is read with two rules plain ``json.loads`` does not give: a key
twice in one object is refused at any depth (which value would count?), and every JSON number
keeps its literal (:class:`SoJson`), so that a mark written ``1e1`` meets exactly the rule of
the string ``"1e1"``.
"""

from __future__ import annotations

import json
import re
import typing
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Union

import annotated_types
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    PlainValidator,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from hocbaso.errors import RulesError
from hocbaso.models import (
    DanhGiaNhanXet,
    Khoi,
    LoaiDanhGia,
    MucDanhGia,
    TongKet,
)
from hocbaso.models._internal import mon_hoc_info
from hocbaso.tt22._mon_hoc import so_dgtx_yeu_cau
from hocbaso.tt22._so import DIEM_TOI_DA, DIEM_TOI_THIEU

__all__ = [
    "SO_DGTX_CO_THE",
    "DauVao",
    "HocKyDiem",
    "HocKyNhanXet",
    "MonDiem",
    "MonKhongDanhGia",
    "MonLoaiSai",
    "MonNhanXet",
    "SoJson",
    "doc_dau_vao",
    "doc_json",
]

#: Without ``so_tiet_nam`` the count cannot be checked exactly; these are the counts the rules
#: can require (2–4, +1 for a chuyên đề).
SO_DGTX_CO_THE = range(2, 6)

#: A mark as written: digits, optionally a decimal point and digits. No sign, no exponent, no
#: comma — for a JSON string and a JSON number's literal alike.
_SO = re.compile(r"[0-9]+(\.[0-9]+)?")
_SO_NGUYEN = re.compile(r"-?[0-9]+")
_MOT_CHU_SO = Decimal("0.1")


def _gioi_han_so_buoi_nghi() -> tuple[int, int]:
    """The record model's bounds of ``SO_BUOI_NGHI``, read from ``TongKet`` itself: the
    evaluator must refuse exactly what a record cannot hold, so the bound is not copied."""
    ge = le = None
    for arg in typing.get_args(TongKet.model_fields["so_buoi_nghi"].annotation):
        for meta in getattr(arg, "__metadata__", ()):
            for item in getattr(meta, "metadata", (meta,)):
                if isinstance(item, annotated_types.Ge):
                    ge = int(item.ge)  # type: ignore[call-overload]
                elif isinstance(item, annotated_types.Le):
                    le = int(item.le)  # type: ignore[call-overload]
    assert ge is not None and le is not None, "TongKet.so_buoi_nghi lost its bounds"
    return ge, le


SO_BUOI_NGHI_NHO_NHAT, SO_BUOI_NGHI_LON_NHAT = _gioi_han_so_buoi_nghi()


@dataclass(frozen=True, slots=True)
class SoJson:
    """A JSON number exactly as written (``"8.5"``, ``"1e1"``, ``"-0"``).

    :func:`doc_json` keeps every number's literal so that the evaluator applies one rule to a
    mark whether it came as a JSON number or a JSON string, and never rounds through a float.
    """

    van_ban: str


def _input_error(code: str, en: str, vi: str, duoi: str = "") -> PydanticCustomError:
    """A validation error carrying our code; ``duoi`` extends the path below pydantic's one
    (a check made on a list or a whole object that concerns one of its items)."""
    return PydanticCustomError(code, en, {"vi": vi, "duoi": duoi})


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


# --- scalar types ----------------------------------------------------------------------------


def _format_error() -> PydanticCustomError:
    return _input_error(
        "MARK_FORMAT",
        "a mark must be written like 8 or 7.5 (decimal point, no sign or exponent)",
        "điểm phải viết dạng 8 hoặc 7.5 (dấu chấm thập phân, không dấu, không số mũ)",
    )


def _parse_diem(value: object) -> Decimal:
    """A mark 0–10 with at most one decimal (Điều 5 khoản 3 điểm b).

    Text (a JSON string or a JSON number's literal) must be digits with an optional decimal
    point; a Python ``int``, ``float`` or ``Decimal`` is taken by value (a Python number has no
    literal). ``8.10`` is 8.1; ``8.15`` is refused, never rounded.
    """
    if isinstance(value, SoJson):
        value = value.van_ban
    if isinstance(value, bool):
        raise _input_error("MARK_FORMAT", "a mark must be a number", "điểm phải là một số")
    if isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, float | Decimal):
        d = Decimal(repr(value)) if isinstance(value, float) else value
        if not d.is_finite():
            raise _input_error("MARK_FORMAT", "a mark must be a number", "điểm phải là một số")
    elif isinstance(value, str):
        text = _nfc(value)
        if not _SO.fullmatch(text):
            raise _format_error()
        d = Decimal(text)
    else:
        raise _input_error("MARK_FORMAT", "a mark must be a number", "điểm phải là một số")
    if not DIEM_TOI_THIEU <= d <= DIEM_TOI_DA:
        raise _input_error("MARK_RANGE", "a mark must be from 0 to 10", "điểm phải từ 0 đến 10")
    q = d.quantize(_MOT_CHU_SO)
    if q != d:
        raise _input_error(
            "MARK_DECIMALS",
            "a mark has at most one decimal",
            "điểm chỉ có tối đa một chữ số thập phân",
        )
    return q


def _parse_muc(value: object) -> MucDanhGia:
    if isinstance(value, str):
        text = _nfc(value)
        for m in MucDanhGia:
            if str(m) == text:
                return m
    raise _input_error(
        "LEVEL",
        "level must be T, K, Đ or CĐ",
        "mức đánh giá phải là T, K, Đ hoặc CĐ",
    )


def _parse_nhan_xet(value: object) -> DanhGiaNhanXet:
    if isinstance(value, str):
        text = _nfc(value)
        for m in DanhGiaNhanXet:
            if str(m) == text:
                return m
    raise _input_error(
        "LEVEL",
        "a comment-assessed result must be Đ or CĐ",
        "kết quả nhận xét phải là Đ hoặc CĐ",
    )


def _parse_int(value: object) -> int | None:
    """A whole number given as a Python ``int`` or a JSON integer literal, else ``None``.

    Literals longer than 12 characters are out of every range here; not converting them keeps
    a hostile 100 000-digit number from costing time (or hitting Python's int-parsing limit).
    """
    if isinstance(value, SoJson):
        text = value.van_ban
        if not _SO_NGUYEN.fullmatch(text):
            return None
        return int(text) if len(text) <= 12 else (-(10**12) if text[0] == "-" else 10**12)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def _parse_khoi(value: object) -> Khoi:
    so = _parse_int(value)
    if so is None and isinstance(value, str) and re.fullmatch(r"[0-9]{1,2}", _nfc(value)):
        so = int(_nfc(value))  # "09", as the record writes the grade
    if so is None or not 6 <= so <= 12:
        raise _input_error("KHOI", "grade must be 6 to 12", "khối phải từ 6 đến 12")
    return next(k for k in Khoi if k.so == so)


def _parse_so_tiet(value: object) -> int:
    so = _parse_int(value)
    if so is None or so < 1:
        raise _input_error("PERIODS", "expected a whole number ≥ 1", "cần một số nguyên ≥ 1")
    return so


def _parse_so_buoi_nghi(value: object) -> int:
    so = _parse_int(value)
    if so is None or not SO_BUOI_NGHI_NHO_NHAT <= so <= SO_BUOI_NGHI_LON_NHAT:
        lo, hi = SO_BUOI_NGHI_NHO_NHAT, SO_BUOI_NGHI_LON_NHAT
        raise _input_error(
            "ABSENCES",
            f"expected a whole number from {lo} to {hi} (the record's bound)",
            f"cần một số nguyên từ {lo} đến {hi} (giới hạn của học bạ)",
        )
    return so


def _parse_code(value: object) -> str:
    if isinstance(value, str) and _nfc(value):
        return _nfc(value)
    raise _input_error(
        "SUBJECT_CODE",
        "ma must be a non-empty string",
        "ma phải là chuỗi khác rỗng",
    )


def _parse_loai(value: object) -> LoaiDanhGia:
    if value == "diem" or value == "nhan_xet":
        return LoaiDanhGia(value)
    raise _input_error(
        "SUBJECT_KIND",
        "loai must be diem or nhan_xet",
        "loai phải là diem hoặc nhan_xet",
    )


def _parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise _input_error("TYPE", "expected true or false", "cần true hoặc false")


def _as_tuple(value: object) -> object:
    """A JSON array, as a tuple (the models are frozen)."""
    if isinstance(value, list | tuple):
        return tuple(value)
    raise _input_error("TYPE", "expected a JSON list", "cần một danh sách JSON")


def _refuse_results(value: object) -> None:
    raise _input_error(
        "NOT_ASSESSED_WITH_RESULTS",
        "a subject that is not assessed (khong_danh_gia) has no results",
        "môn không đánh giá (khong_danh_gia) không có kết quả",
    )


Diem = Annotated[Decimal, PlainValidator(_parse_diem)]
Muc = Annotated[MucDanhGia, PlainValidator(_parse_muc)]
NhanXet = Annotated[DanhGiaNhanXet, PlainValidator(_parse_nhan_xet)]
CoKhong = Annotated[bool, PlainValidator(_parse_bool)]
MaMon = Annotated[str, PlainValidator(_parse_code)]
Loai = Annotated[LoaiDanhGia, PlainValidator(_parse_loai)]
SoTiet = Annotated[int, PlainValidator(_parse_so_tiet)]
KetQuaKhong = Annotated[None, PlainValidator(_refuse_results)]


# --- objects ---------------------------------------------------------------------------------


class _Input(BaseModel):
    """An object of the JSON contract: frozen, no unknown field, strict types; ``null`` is the
    same as an absent field (as in the contract since its first version)."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    @model_validator(mode="before")
    @classmethod
    def _null_is_missing(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            return {k: v for k, v in data.items() if v is not None}
        return data


class HocKyDiem(_Input):
    """Raw marks of a scored subject in one semester (Điều 6, 7)."""

    tx: Annotated[tuple[Diem, ...], BeforeValidator(_as_tuple)]
    gk: Diem
    ck: Diem


class HocKyNhanXet(_Input):
    """Raw results of a comment subject in one semester; a missing one is Chưa đạt."""

    tx: Annotated[tuple[NhanXet, ...], BeforeValidator(_as_tuple)] = ()
    gk: NhanXet | None = None
    ck: NhanXet | None = None


def _hinh_thuc(value: Any) -> str:
    return "<hoc_ky>" if isinstance(value, Mapping) else "<ket_qua>"


#: A semester of a scored subject: the raw marks, or the recorded average (``"8.3"``).
KetQuaHocKyDiem = Annotated[
    Union[Annotated[Diem, Tag("<ket_qua>")], Annotated[HocKyDiem, Tag("<hoc_ky>")]],  # noqa: UP007
    Discriminator(_hinh_thuc),
]
#: A semester of a comment subject: the raw results, or the recorded result (``"Đ"``).
KetQuaHocKyNhanXet = Annotated[
    Union[Annotated[NhanXet, Tag("<ket_qua>")], Annotated[HocKyNhanXet, Tag("<hoc_ky>")]],  # noqa: UP007
    Discriminator(_hinh_thuc),
]


class _Mon(_Input):
    """Fields every subject has; their order is the order errors are reported in."""

    ma: MaMon
    chuyen_de: CoKhong = False
    so_tiet_nam: SoTiet | None = None
    khong_danh_gia: CoKhong = False
    loai: Loai | None = None


class MonDiem(_Mon):
    """A scored subject (Điều 5 khoản 3 điểm b)."""

    hk1: KetQuaHocKyDiem
    hk2: KetQuaHocKyDiem
    kiem_tra_lai: Diem | None = None

    @property
    def so_dgtx(self) -> int | None:
        """Required regular marks per semester, known only with ``so_tiet_nam``."""
        if self.so_tiet_nam is None:
            return None
        return so_dgtx_yeu_cau(self.so_tiet_nam, chuyen_de=self.chuyen_de)

    @model_validator(mode="after")
    def _so_luong_tx(self) -> MonDiem:
        yeu_cau = self.so_dgtx
        hop_le = [yeu_cau] if yeu_cau is not None else list(SO_DGTX_CO_THE)
        for ten in ("hk1", "hk2"):
            hk = getattr(self, ten)
            if isinstance(hk, HocKyDiem) and len(hk.tx) not in hop_le:
                can = str(yeu_cau) if yeu_cau is not None else "2–5"
                raise _input_error(
                    "TX_COUNT",
                    f"{len(hk.tx)} regular marks given, {can} required for this subject "
                    "(Điều 6 khoản 2)",
                    f"có {len(hk.tx)} điểm đánh giá thường xuyên, môn này cần {can} "
                    "(Điều 6 khoản 2)",
                    f"{ten}.tx",
                )
        return self


class MonNhanXet(_Mon):
    """A comment-assessed subject (Điều 5 khoản 3 điểm a)."""

    hk1: KetQuaHocKyNhanXet
    hk2: KetQuaHocKyNhanXet
    kiem_tra_lai: NhanXet | None = None


class MonKhongDanhGia(_Mon):
    """A subject that is not assessed (Điều 11): it has no results at all."""

    hk1: KetQuaKhong = None
    hk2: KetQuaKhong = None
    kiem_tra_lai: KetQuaKhong = None


class MonLoaiSai(_Mon):
    """A subject whose kind cannot be known: refused with ``SUBJECT_KIND`` on ``loai`` once
    ``ma`` and the other common fields are known to be well-formed."""

    hk1: Any = None
    hk2: Any = None
    kiem_tra_lai: Any = None

    @model_validator(mode="after")
    def _loai_sai(self) -> MonLoaiSai:
        if self.loai is None:
            raise _input_error(
                "SUBJECT_KIND",
                "loai (diem or nhan_xet) is required for a subject code outside the catalogue",
                "cần loai (diem hoặc nhan_xet) với mã môn ngoài danh mục",
                "loai",
            )
        raise _input_error(
            "SUBJECT_KIND",
            "loai contradicts the catalogue's kind of assessment for this subject code",
            "loai trái với hình thức đánh giá của mã môn trong danh mục",
            "loai",
        )


def _loai_mon(value: Any) -> str:
    """Which subject model reads this object: from ``khong_danh_gia``, ``loai`` and the
    catalogue. Anything undecidable goes to a model that reports why."""
    if not isinstance(value, Mapping):
        return "<diem>"  # refused as not an object
    if value.get("khong_danh_gia") is True:
        return "<khong_danh_gia>"
    ma, loai = value.get("ma"), value.get("loai")
    info = mon_hoc_info(_nfc(ma)) if isinstance(ma, str) else None
    if loai is None:
        if info is None:
            return "<loai_sai>"
        loai = info.loai.value
    if loai not in ("diem", "nhan_xet") or (info is not None and info.loai.value != loai):
        return "<loai_sai>"
    return "<diem>" if loai == "diem" else "<nhan_xet>"


Mon = Annotated[
    Union[  # noqa: UP007
        Annotated[MonDiem, Tag("<diem>")],
        Annotated[MonNhanXet, Tag("<nhan_xet>")],
        Annotated[MonKhongDanhGia, Tag("<khong_danh_gia>")],
        Annotated[MonLoaiSai, Tag("<loai_sai>")],
    ],
    Discriminator(_loai_mon),
]


class RenLuyen(_Input):
    """Conduct per semester and, after summer training, the re-evaluation (Điều 8, 13)."""

    hk1: Muc
    hk2: Muc
    sau_he: Muc | None = None


class DauVao(_Input):
    """One student-year: the whole input object of ``hocbaso tt22 evaluate``."""

    khoi: Annotated[Khoi, PlainValidator(_parse_khoi)]
    mon_hoc: Annotated[tuple[Mon, ...], BeforeValidator(_as_tuple)]
    ren_luyen: RenLuyen
    so_buoi_nghi: Annotated[int, PlainValidator(_parse_so_buoi_nghi)]

    @field_validator("mon_hoc")
    @classmethod
    def _codes_unique(
        cls, value: tuple[MonDiem | MonNhanXet | MonKhongDanhGia, ...]
    ) -> tuple[MonDiem | MonNhanXet | MonKhongDanhGia, ...]:
        da_co: set[str] = set()
        for i, mon in enumerate(value):
            if mon.ma in da_co:
                raise _input_error(
                    "SUBJECT_CODE", "subject code appears twice", "mã môn học bị lặp", f"[{i}].ma"
                )
            da_co.add(mon.ma)
        if all(isinstance(m, MonKhongDanhGia) for m in value):
            raise _input_error(
                "NO_SUBJECTS",
                "no assessed subject to evaluate",
                "không có môn học nào được đánh giá",
            )
        return value

    @model_validator(mode="after")
    def _chuyen_de_only_from_khoi_10(self) -> DauVao:
        if self.khoi.so < 10:
            for i, mon in enumerate(self.mon_hoc):
                if mon.chuyen_de:
                    raise _input_error(
                        "CHUYEN_DE",
                        "chuyên đề học tập exists only in THPT (grades 10–12)",
                        "chuyên đề học tập chỉ có ở cấp THPT (lớp 10–12)",
                        f"mon_hoc[{i}].chuyen_de",
                    )
        return self


# --- errors ----------------------------------------------------------------------------------

_CO_SAN: dict[str, tuple[str, str, str]] = {
    "extra_forbidden": ("UNKNOWN_FIELD", "unknown field", "trường không được hỗ trợ"),
    "invalid_key": ("UNKNOWN_FIELD", "unknown field", "trường không được hỗ trợ"),
    "missing": ("MISSING", "required field missing", "thiếu trường bắt buộc"),
    "model_type": ("TYPE", "expected a JSON object", "cần một đối tượng JSON"),
    "model_attributes_type": ("TYPE", "expected a JSON object", "cần một đối tượng JSON"),
    "dict_type": ("TYPE", "expected a JSON object", "cần một đối tượng JSON"),
}


def _error_path(loc: tuple[int | str, ...], duoi: str) -> str:
    """``('mon_hoc', 0, '<diem>', 'hk1', '<hoc_ky>', 'tx', 2)`` → ``mon_hoc[0].hk1.tx[2]``;
    the ``<…>`` items are the discriminators' tags, not JSON fields."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not part.startswith("<"):
            out += f".{part}" if out else part
    if duoi:
        out += duoi if duoi.startswith("[") or not out else f".{duoi}"
    return out


def loi_dau_vao(exc: ValidationError) -> RulesError:
    """The first problem of a validation as a ``RulesError`` with its code and JSON path.
    The offending value is never repeated (it may be a student's name in a typo'd field)."""
    first = exc.errors(include_url=False, include_input=False)[0]
    ctx = first.get("ctx") or {}
    if "vi" in ctx:
        code, en, vi = first["type"], first["msg"], str(ctx["vi"])
    else:
        code, en, vi = _CO_SAN.get(
            first["type"], ("TYPE", "wrong JSON type", "sai kiểu dữ liệu JSON")
        )
    loc = tuple(first["loc"])
    if first["type"] == "invalid_key" and loc:
        # A key that is not text (Python input only): name it as a key, not as a list index.
        base = _error_path(loc[:-1], "")
        return RulesError(en, vi, code=f"TT22.INPUT.{code}", path=f"{base}.{loc[-1]}".lstrip("."))
    path = _error_path(loc, str(ctx.get("duoi", "")))
    return RulesError(en, vi, code=f"TT22.INPUT.{code}", path=path)


def doc_dau_vao(data: object) -> DauVao:
    """Validate a JSON-shaped input; raise ``RulesError`` (``TT22.INPUT.*``) naming the field."""
    try:
        return DauVao.model_validate(data)
    except ValidationError as exc:
        raise loi_dau_vao(exc) from None


# --- JSON text -------------------------------------------------------------------------------


class _Pairs(list[tuple[str, Any]]):
    """An object's key/value pairs as parsed, before duplicate keys are looked for."""


def _refuse_constant(name: str) -> object:
    """JSON has no NaN/Infinity; Python's json accepts them unless told otherwise."""
    raise ValueError(f"{name} is not valid JSON")


def _to_dict(value: object, path: str) -> object:
    if isinstance(value, _Pairs):
        out: dict[str, object] = {}
        for key, item in value:
            here = f"{path}.{key}" if path else key
            if key in out:
                raise RulesError(
                    "a key appears twice in one JSON object",
                    "một khóa xuất hiện hai lần trong cùng một đối tượng JSON",
                    code="TT22.INPUT.DUPLICATE_KEY",
                    path=here,
                )
            out[key] = _to_dict(item, here)
        return out
    if isinstance(value, list):
        return [_to_dict(item, f"{path}[{i}]") for i, item in enumerate(value)]
    return value


def doc_json(text: bytes | str) -> object:
    """Parse JSON text for the evaluator: UTF-8 (a BOM is tolerated), no NaN/Infinity, no key
    twice in one object (``TT22.INPUT.DUPLICATE_KEY`` with its path), numbers as
    :class:`SoJson` literals. Anything unreadable is ``TT22.INPUT.JSON``."""
    try:
        s = text.decode("utf-8-sig") if isinstance(text, bytes) else text.removeprefix("\ufeff")
        raw = json.loads(
            s,
            object_pairs_hook=_Pairs,
            parse_float=SoJson,
            parse_int=SoJson,
            parse_constant=_refuse_constant,
        )
        return _to_dict(raw, "")
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        if isinstance(e, RulesError):
            raise
        raise RulesError(
            "the input is not one JSON object in UTF-8",
            "dữ liệu vào không phải là một đối tượng JSON mã UTF-8",
            code="TT22.INPUT.JSON",
        ) from None
