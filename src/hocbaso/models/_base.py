"""The frozen base model and the translation of pydantic's errors into ``ModelError``.

Vendors get one exception type with stable codes, field paths written as packet element paths
(``THONG_TIN_HOC_BA/HOC_SINH/SO_DINH_DANH``) and Vietnamese + English messages. The offending
*value* is never repeated: it may be a name, a personal ID or a birth date.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any, ClassVar, Self, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from hocbaso.errors import ErrorDetail, ModelError

__all__ = ["HocBaModel", "element_path", "model_error"]

# code → (Vietnamese, English). Codes are stable; the texts may be improved.
_MESSAGES: dict[str, tuple[str, str]] = {
    "MODEL.REQUIRED": ("Thiếu trường bắt buộc", "Required field is missing"),
    "MODEL.EMPTY": ("Trường không được để trống", "Field must not be empty"),
    "MODEL.TOO_LONG": ("Vượt quá độ dài tối đa", "Longer than the catalogue allows"),
    "MODEL.PATTERN": ("Sai định dạng", "Does not match the required format"),
    "MODEL.CODE_LIST": ("Giá trị không có trong danh mục", "Value is not in the code list"),
    "MODEL.UNKNOWN_FIELD": ("Trường không có trong danh mục dữ liệu", "Unknown field"),
    "MODEL.TYPE": ("Sai kiểu dữ liệu", "Wrong data type"),
    "MODEL.RANGE": ("Giá trị nằm ngoài khoảng cho phép", "Value out of the allowed range"),
    "MODEL.DATE": ("Ngày không hợp lệ (YYYY-MM-DD)", "Invalid date (YYYY-MM-DD)"),
    "MODEL.BOOLEAN": ("Giá trị phải là 0 hoặc 1", "Value must be 0 or 1"),
    "MODEL.INVALID_CHARACTER": (
        "Văn bản chứa ký tự không hợp lệ trong XML",
        "Text contains a character XML cannot carry",
    ),
    "MODEL.SCHOOL_YEAR": (
        "Năm học phải có dạng YYYY-YYYY với hai năm liên tiếp",
        "School year must be YYYY-YYYY with consecutive years",
    ),
    "MODEL.SCORE": (
        "Kết quả môn học phải là điểm 0–10 có một chữ số thập phân, Đ/CĐ hoặc M",
        "Subject result must be a 0–10 score with one decimal, Đ/CĐ or M",
    ),
    "MODEL.INVALID": ("Giá trị không hợp lệ", "Invalid value"),
    "MODEL.JSON": ("Không phải JSON hợp lệ", "Not valid JSON"),
}

_PYDANTIC_TO_CODE: dict[str, str] = {
    "missing": "MODEL.REQUIRED",
    "string_too_short": "MODEL.EMPTY",
    "string_too_long": "MODEL.TOO_LONG",
    "too_long": "MODEL.TOO_LONG",
    "string_pattern_mismatch": "MODEL.PATTERN",
    "enum": "MODEL.CODE_LIST",
    "literal_error": "MODEL.CODE_LIST",
    "extra_forbidden": "MODEL.UNKNOWN_FIELD",
    "string_type": "MODEL.TYPE",
    "int_type": "MODEL.TYPE",
    "int_parsing": "MODEL.TYPE",
    "int_from_float": "MODEL.TYPE",
    "model_type": "MODEL.TYPE",
    "tuple_type": "MODEL.TYPE",
    "model_attributes_type": "MODEL.TYPE",
    "dataclass_type": "MODEL.TYPE",
    "greater_than_equal": "MODEL.RANGE",
    "less_than_equal": "MODEL.RANGE",
    "greater_than": "MODEL.RANGE",
    "less_than": "MODEL.RANGE",
    "too_short": "MODEL.REQUIRED",
    "date_type": "MODEL.DATE",
    "date_parsing": "MODEL.DATE",
    "date_from_datetime_parsing": "MODEL.DATE",
    "date_from_datetime_inexact": "MODEL.DATE",
    "bool_type": "MODEL.BOOLEAN",
    "bool_parsing": "MODEL.BOOLEAN",
    "json_invalid": "MODEL.JSON",
    "json_type": "MODEL.TYPE",
    "dict_type": "MODEL.TYPE",
}

#: A code list with at most this many members is listed in full in its error message.
_LIST_IN_FULL = 12
#: Where every code list is tabled with its labels.
_TABLES = "docs/records.md §6"


def _enum_of(model: Any, loc: tuple[int | str, ...]) -> type[Enum] | None:
    """The code-list enum behind the field at ``loc`` (relative to ``model``), if any."""
    field_name: str | None = None
    for item in loc:
        if isinstance(item, int):
            continue
        if field_name is not None:
            model, _ = _nested(model, field_name)
        field_name = item
    fields = getattr(model, "model_fields", {})
    if field_name is None or field_name not in fields:
        return None
    annotation = fields[field_name].annotation
    for arg in (annotation, *get_args(annotation)):
        if isinstance(arg, type) and issubclass(arg, Enum):
            return arg
    return None


def code_list_hint(enum: type[Enum]) -> tuple[str, str]:
    """What a code-list error should say: the allowed codes, or for a long list its shape.

    The allowed values are codes, never personal data, so they can be named; the offending
    value is still never repeated.
    """
    codes = [str(m.value) for m in enum]
    labels = [getattr(m, "nhan", "") for m in enum]
    if len(codes) <= _LIST_IN_FULL:
        pairs = ", ".join(f"{c} ({n})" if n else c for c, n in zip(codes, labels, strict=True))
        return f"giá trị cho phép: {pairs}", f"allowed values: {pairs}"
    width = {len(c) for c in codes}
    if width == {2} and all(c.isdigit() for c in codes):
        return (
            f"{len(codes)} mã, mỗi mã hai chữ số, ví dụ {codes[0]} ({labels[0]}); "
            f"danh sách: hocbaso.{enum.__name__} ({_TABLES})",
            f"{len(codes)} codes, each two digits, e.g. {codes[0]} ({labels[0]}); "
            f"the list is hocbaso.{enum.__name__} ({_TABLES})",
        )
    return (
        f"{len(codes)} mã, ví dụ {codes[0]}; danh sách: hocbaso.{enum.__name__} ({_TABLES})",
        f"{len(codes)} codes, e.g. {codes[0]}; the list is hocbaso.{enum.__name__} ({_TABLES})",
    )


def _nested(cls: Any, name: str) -> tuple[Any, str]:
    """The model class behind field ``name`` of ``cls`` and, for a tuple, its item tag."""
    fields = getattr(cls, "model_fields", {})
    if name not in fields:
        return None, ""
    annotation = fields[name].annotation
    for arg in (annotation, *get_args(annotation)):
        for inner in (arg, *get_args(arg)):
            if isinstance(inner, type) and issubclass(inner, HocBaModel):
                return inner, inner.xml_tag if get_origin(arg) is tuple else ""
    return None, ""


def element_path(loc: tuple[int | str, ...], model: Any = None) -> str:
    """Turn a pydantic location into the packet's element path (the one mapping rule).

    Items of a list are named by their element (``BANG_DIEM/DIEM_TONG_KET[2]``), as in the
    packet, when the model class is known.
    """
    parts: list[str] = []
    item_tag = ""
    for item in loc:
        if isinstance(item, int):
            if item_tag:
                parts.append(f"{item_tag}[{item + 1}]")
            elif parts:
                parts[-1] = f"{parts[-1]}[{item + 1}]"
            continue
        parts.append(item.upper())
        model, item_tag = _nested(model, item)
    return "/".join(parts)


def _detail(err: ErrorDetails, prefix: tuple[int | str, ...], model: Any) -> ErrorDetail:
    loc = prefix + tuple(err["loc"])
    ctx = err.get("ctx") or {}
    original = ctx.get("error")
    if isinstance(original, ModelError):
        # A model-level check raised with its own code and a path relative to the model.
        path = "/".join(p for p in (element_path(loc, model), original.path) if p)
        return ErrorDetail(original.code, path, original.message_vi, original.message_en)
    etype = err["type"]
    code = etype if etype.startswith("MODEL.") else _PYDANTIC_TO_CODE.get(etype, "MODEL.INVALID")
    if etype == "too_short" and ctx.get("field_type") == "Value":
        code = "MODEL.EMPTY"  # a text that is empty once trimmed
    vi, en = _MESSAGES.get(code, _MESSAGES["MODEL.INVALID"])
    if code == "MODEL.TOO_LONG" and "max_length" in ctx:
        vi, en = f"{vi} ({ctx['max_length']} ký tự)", f"{en} ({ctx['max_length']} characters)"
    elif code == "MODEL.CODE_LIST":
        enum = _enum_of(model, loc)
        if enum is not None:
            hint_vi, hint_en = code_list_hint(enum)
            vi, en = f"{vi}; {hint_vi}", f"{en}; {hint_en}"
    # A validator of ours may say what to pass instead (``hint_vi``/``hint_en``, fixed text
    # written in this package, never the value).
    if "hint_en" in ctx:
        vi, en = f"{vi}; {ctx['hint_vi']}", f"{en}; {ctx['hint_en']}"
    return ErrorDetail(code, element_path(loc, model), vi, en)


def model_error(
    exc: ValidationError, model: type[Any], prefix: tuple[int | str, ...] = ()
) -> ModelError:
    """One ``ModelError`` for a pydantic ``ValidationError``; the first problem names it."""
    errors = exc.errors(include_url=False, include_input=False)
    details = tuple(_detail(e, prefix, model) for e in errors)
    name = model.__name__
    return ModelError.from_details(details, f"{name}: ", f"{name}: ")


class HocBaModel(BaseModel):
    """Base of every record model: frozen, strict about unknown fields, typed errors.

    ``xml_tag`` names the element of a list item (``QUA_TRINH`` inside ``QUA_TRINH_HOC_TAP``);
    every other element name is the attribute name upper-cased, the packet's one mapping rule.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    xml_tag: ClassVar[str] = ""

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise model_error(exc, type(self)) from None

    # Tell pydantic this __init__ only translates errors: nested models are then validated by
    # pydantic-core directly (fast, and every nested problem keeps its own path) instead of
    # through this method once per nested object.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    # Every other way pydantic offers to make an instance goes through the same translation,
    # so a caller only ever sees ``ModelError`` (coded, value-free), never pydantic's own
    # ``ValidationError`` whose text repeats the input (names, personal IDs).

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:
        """Validate a mapping (or an instance) into this model; ``ModelError`` if invalid."""
        try:
            return super().model_validate(obj, **kwargs)
        except ValidationError as exc:
            raise model_error(exc, cls) from None

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> Self:
        """Validate JSON text into this model; ``ModelError`` if invalid (``MODEL.JSON`` if it
        is not JSON at all)."""
        try:
            return super().model_validate_json(json_data, **kwargs)
        except ValidationError as exc:
            raise model_error(exc, cls) from None

    @classmethod
    def model_validate_strings(cls, obj: Any, **kwargs: Any) -> Self:
        """Validate a mapping of strings into this model; ``ModelError`` if invalid."""
        try:
            return super().model_validate_strings(obj, **kwargs)
        except ValidationError as exc:
            raise model_error(exc, cls) from None

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy; with ``update``, a new record validated like any other.

        pydantic's own ``model_copy(update=…)`` skips validation, so a frozen, "valid" record
        could carry a mark of 11 or a 5-digit personal ID into ``to_xml``. Here the updated
        fields go through the constructor: the result is valid or ``ModelError`` is raised.
        """
        if not update:
            return super().model_copy(deep=deep)
        data = {name: getattr(self, name) for name in type(self).model_fields}
        data.update(update)
        return type(self)(**data)

    @classmethod
    def model_construct(  # type: ignore[override]
        cls, _fields_set: set[str] | None = None, **values: Any
    ) -> Self:
        """Validates, unlike pydantic's: an unvalidated record must not reach ``to_xml``."""
        return cls(**values)
