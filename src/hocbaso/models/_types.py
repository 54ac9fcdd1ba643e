"""Field types shared by the models, each carrying the facts the XSD generator needs.

A field's type is declared once here: the pydantic validation, the XSD simple type and the
JSON Schema all come from the same alias. ``Xsd`` markers in ``Annotated`` metadata are read by
``hocbaso.packet`` when it writes ``schemas/hocba-1.0.xsd``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PlainSerializer,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from hocbaso.errors import ModelError
from hocbaso.models._codes import DanhGiaNhanXet

__all__ = [
    "KHONG_DANH_GIA",
    "Co",
    "Date",
    "KetQuaMon",
    "MaTruong",
    "MaXa",
    "NamHoc",
    "PhienBan",
    "QuocTich",
    "SoBuoiNghi",
    "SoDinhDanh",
    "Text",
    "Text10",
    "Text20",
    "Text30",
    "Text50",
    "Text100",
    "Text150",
    "Text250",
    "Text500",
    "Text2000",
    "Xsd",
    "format_ket_qua",
    "parse_ket_qua",
]


@dataclass(frozen=True, slots=True)
class Xsd:
    """How a scalar field is written in the XSD: a named simple type and its facets."""

    name: str
    base: str
    facets: tuple[tuple[str, str], ...] = ()


# Characters XML 1.0 cannot carry at all; refusing them here means a model can always be
# serialised, instead of failing half-way through writing a packet.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# "Starts and ends with a non-space": the same language as ``\S((\s|\S)*\S)?``, written so
# that libxml2's automaton is deterministic (each character has one way to match, no
# backtracking): that cut about a quarter of the XSD check of a record, whose ~100 text values
# all carry this facet. tests/packet/test_read_fast_path.py checks the two agree.
_NO_OUTER_SPACE = r"\S+(\s+\S+)*"
_normalize = unicodedata.normalize


def _clean_text(value: Any) -> Any:
    """NFC-normalise and trim, so two vendors produce the same bytes for the same data."""
    if type(value) is not str:
        return value
    # NFC never creates outer whitespace, so trimming first is enough. ASCII text is its own
    # NFC, and ``normalize`` returns it at once (no ``isascii`` test needed before it).
    value = _normalize("NFC", value.strip())
    # Printable text cannot hold an XML-illegal character; only the rest needs the regex.
    if not value.isprintable() and _XML_INVALID.search(value):
        raise PydanticCustomError("MODEL.INVALID_CHARACTER", "invalid character")
    return value


def Text(max_length: int) -> Any:
    """Free text up to ``max_length`` characters (after NFC normalisation and trimming)."""
    return Annotated[
        str,
        StringConstraints(min_length=1, max_length=max_length),
        BeforeValidator(_clean_text),
        Xsd(
            f"Text{max_length}",
            "xs:string",
            (("minLength", "1"), ("maxLength", str(max_length)), ("pattern", _NO_OUTER_SPACE)),
        ),
    ]


def _pattern(name: str, regex: str, *, xsd_regex: str | None = None, max_length: int) -> Any:
    return Annotated[
        str,
        StringConstraints(pattern=f"^(?:{regex})$", max_length=max_length),
        BeforeValidator(_clean_text),
        Xsd(name, "xs:string", (("pattern", xsd_regex or regex),)),
    ]


if TYPE_CHECKING:
    # For the type checker every constrained text is a ``str``; at run time each alias is an
    # ``Annotated`` type carrying its validators and its XSD facts.
    SoDinhDanh: TypeAlias = str
    MaXa: TypeAlias = str
    MaTruong: TypeAlias = str
    QuocTich: TypeAlias = str
    Text10: TypeAlias = str
    Text20: TypeAlias = str
    Text30: TypeAlias = str
    Text50: TypeAlias = str
    Text100: TypeAlias = str
    Text150: TypeAlias = str
    Text250: TypeAlias = str
    Text500: TypeAlias = str
    Text2000: TypeAlias = str
else:
    #: 12-digit personal identification number (số định danh cá nhân).
    SoDinhDanh = _pattern("SoDinhDanh", r"[0-9]{12}", max_length=12)
    #: Commune code of QĐ 19/2025/QĐ-TTg (5 digits).
    MaXa = _pattern("MaXa", r"[0-9]{5}", max_length=5)
    #: Ministry school code (up to 20 letters/digits).
    MaTruong = _pattern("MaTruong", r"[0-9A-Za-z._-]{1,20}", max_length=20)
    #: Nationality as ISO 3166-1 alpha-2 (the catalogue's varchar(2)).
    QuocTich = _pattern("QuocTich", r"[A-Z]{2}", max_length=2)
    Text10, Text20, Text30, Text50 = Text(10), Text(20), Text(30), Text(50)
    Text100, Text150, Text250 = Text(100), Text(150), Text(250)
    Text500, Text2000 = Text(500), Text(2000)


def _check_nam_hoc(value: str) -> str:
    start, end = value.split("-")
    if int(end) != int(start) + 1:
        raise PydanticCustomError("MODEL.SCHOOL_YEAR", "school year years not consecutive")
    return value


#: School year ``YYYY-YYYY`` with consecutive years.
NamHoc = Annotated[
    str,
    StringConstraints(pattern=r"^(19|20)[0-9]{2}-(19|20)[0-9]{2}$", max_length=9),
    BeforeValidator(_clean_text),
    AfterValidator(_check_nam_hoc),
    Xsd("NamHoc", "xs:string", (("pattern", r"(19|20)[0-9]{2}-(19|20)[0-9]{2}"),)),
]

#: A calendar date written ``YYYY-MM-DD`` (no time zone).
Date = Annotated[date, Xsd("Ngay", "xs:date", (("pattern", r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),))]

KHONG_DANH_GIA: Literal["M"] = "M"
_SCORE_RE = re.compile(r"^(10(\.0)?|[0-9](\.[0-9])?)$")
#: The results written as words, by their exact (NFC, trimmed) text.
_WORDS: dict[str, DanhGiaNhanXet | Literal["M"]] = {
    KHONG_DANH_GIA: KHONG_DANH_GIA,
    **{str(m.value): m for m in DanhGiaNhanXet},
}
#: Every result in the one form the packet writes (``0.0`` … ``10.0``, ``Đ``, ``CĐ``, ``M``),
#: already parsed: a packet's results are read by one dictionary lookup. ``Decimal`` is
#: immutable, so one shared instance per score is safe. Each entry is exactly what the general
#: branch of :func:`_parse_ket_qua` gives for that text (tests/packet/test_read_fast_path.py).
_EXACT: dict[str, Decimal | DanhGiaNhanXet | Literal["M"]] = {
    **{f"{i}.{j}": Decimal(f"{i}.{j}") for i in range(10) for j in range(10)},
    "10.0": Decimal("10.0"),
    **_WORDS,
}


def parse_ket_qua(value: Any) -> Decimal | DanhGiaNhanXet | Literal["M"]:
    """Read a subject result: a 0–10 score with at most one decimal, ``Đ``/``CĐ``, or ``M``.

    Floats are refused: a binary float cannot say whether 8.25 meant 8.25, and marks are
    exact decimals everywhere in this library. Raises :class:`~hocbaso.errors.ModelError`
    (``MODEL.SCORE``) saying what to pass.
    """
    try:
        return _parse_ket_qua(value)
    except PydanticCustomError as exc:
        ctx = exc.context or {}
        vi, en = (
            "Kết quả môn học phải là điểm 0–10 có một chữ số thập phân, Đ/CĐ hoặc M",
            "Subject result must be a 0–10 score with one decimal, Đ/CĐ or M",
        )
        if "hint_en" in ctx:
            vi, en = f"{vi}; {ctx['hint_vi']}", f"{en}; {ctx['hint_en']}"
        raise ModelError(en, vi, code="MODEL.SCORE") from None


def _parse_ket_qua(value: Any) -> Decimal | DanhGiaNhanXet | Literal["M"]:
    """:func:`parse_ket_qua` as the models' validator: pydantic's error type, which
    ``models/_base.py`` turns into ``ModelError`` with the field's path."""
    if type(value) is str:
        exact = _EXACT.get(value)
        if exact is not None:  # the packet's own form ("8.0", "Đ"): the common case
            return exact
    if isinstance(value, DanhGiaNhanXet):
        return value
    if isinstance(value, float):
        raise PydanticCustomError(
            "MODEL.SCORE",
            "score must be a decimal string or Decimal",
            {
                "hint_vi": "điểm kiểu float không chính xác: hãy truyền chuỗi (\"7.9\") hoặc "
                "Decimal(\"7.9\")",
                "hint_en": "a float mark is not exact: pass a string (\"7.9\") or "
                "Decimal(\"7.9\")",
            },
        )
    if isinstance(value, bool):
        raise PydanticCustomError("MODEL.SCORE", "score must be a decimal string or Decimal")
    if isinstance(value, int):
        value = Decimal(value)
    if isinstance(value, Decimal):
        if not value.is_finite() or value < 0 or value > 10 or value != value.quantize(
            Decimal("0.1")
        ):
            raise PydanticCustomError("MODEL.SCORE", "score out of range or too precise")
        return value.quantize(Decimal("0.1"))
    if isinstance(value, str):
        text = unicodedata.normalize("NFC", value).strip()
        word = _WORDS.get(text)
        if word is not None:
            return word
        if _SCORE_RE.match(text):
            try:
                return Decimal(text).quantize(Decimal("0.1"))
            except InvalidOperation:  # pragma: no cover - the regex already guards this
                pass
    raise PydanticCustomError("MODEL.SCORE", "not a valid subject result")


def format_ket_qua(value: Decimal | DanhGiaNhanXet | str) -> str:
    """The one written form of a result: ``8.0``, ``10.0``, ``Đ``, ``CĐ`` or ``M``."""
    if isinstance(value, Decimal):
        return f"{value.quantize(Decimal('0.1'))}"
    return str(value)


#: A subject result (``diemhocky1`` …): Decimal score, Đ/CĐ, or ``"M"`` (not assessed).
KetQuaMon = Annotated[
    Decimal | DanhGiaNhanXet | Literal["M"],
    PlainValidator(_parse_ket_qua),
    PlainSerializer(format_ket_qua, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^(10\.0|[0-9]\.[0-9]|Đ|CĐ|M)$",
            "description": "0–10 with one decimal, Đ/CĐ (comment subjects) or M (not assessed)",
        }
    ),
    Xsd("KetQuaMon", "xs:string", (("pattern", r"10\.0|[0-9]\.[0-9]|Đ|CĐ|M"),)),
]

#: Number of absent sessions in the year (0–300; the catalogue's "minimum 1" is a typo).
SoBuoiNghi = Annotated[
    int,
    Field(ge=0, le=300),
    Xsd("SoBuoiNghi", "xs:int", (("minInclusive", "0"), ("maxInclusive", "300"))),
]
#: Record version, an integer from 1.
PhienBan = Annotated[
    int,
    Field(ge=1, le=99999),
    Xsd("PhienBan", "xs:int", (("minInclusive", "1"), ("maxInclusive", "99999"))),
]
#: A flag written ``0``/``1`` as the catalogue's booleans are.
Co = Annotated[bool, Xsd("Co", "xs:boolean", (("pattern", "[01]"),))]
