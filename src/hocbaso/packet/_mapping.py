"""The one mapping rule between model attributes and packet elements, written once.

An attribute ``ma_dinh_danh_hoc_ba`` is the element ``MA_DINH_DANH_HOC_BA``; a nested model is an
element with children in attribute order; a tuple of models is a container element whose items
are named by the item model's ``xml_tag``. The writer, the reader and the XSD generator all
walk the same :func:`plan`, so they cannot disagree.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin

from hocbaso.models._internal import HocBaModel, Xsd

__all__ = ["FieldPlan", "plan", "plan_by_tag", "tag_of"]


@dataclass(frozen=True, slots=True)
class FieldPlan:
    """How one attribute is written: its element, and what kind of content it holds."""

    name: str
    tag: str
    optional: bool
    #: Nested model (``many`` False) or item model of a container (``many`` True).
    model: type[HocBaModel] | None
    many: bool
    #: Scalar content: the XSD marker, or an Enum class for code lists.
    xsd: Xsd | None
    enum: type[Enum] | None
    #: Smallest number of items for a container.
    min_items: int


def tag_of(name: str) -> str:
    """The rule itself."""
    return name.upper()


def _strip(annotation: Any) -> tuple[Any, list[Any], bool]:
    """Peel ``Annotated`` and ``| None``: (base type, metadata, optional)."""
    metadata: list[Any] = []
    optional = False
    changed = True
    while changed:
        changed = False
        if get_origin(annotation) is Annotated:
            args = get_args(annotation)
            annotation = args[0]
            metadata = [*metadata, *args[1:]]
            changed = True
        origin = get_origin(annotation)
        if origin in (Union, types.UnionType):
            members = [a for a in get_args(annotation) if a is not type(None)]
            if len(members) < len(get_args(annotation)):
                optional = True
            if len(members) == 1:
                annotation = members[0]
                changed = True
    return annotation, metadata, optional


@cache
def plan(cls: type[HocBaModel]) -> tuple[FieldPlan, ...]:
    hints = typing.get_type_hints(cls, include_extras=True)
    out: list[FieldPlan] = []
    for name, info in cls.model_fields.items():
        base, found, optional = _strip(hints[name])
        metadata: list[Any] = [*found, *info.metadata]
        # A field is optional in the packet only when it can be None (or is an empty list):
        # a default such as PHIEN_BAN=1 is still always written, so the XSD requires it.
        xsd = next((m for m in metadata if isinstance(m, Xsd)), None)
        model: type[HocBaModel] | None = None
        many = False
        enum: type[Enum] | None = None
        min_items = 0
        if get_origin(base) is tuple:
            item = get_args(base)[0]
            if isinstance(item, type) and issubclass(item, HocBaModel):
                model, many = item, True
                lengths = [int(m.min_length) for m in metadata if hasattr(m, "min_length")]
                min_items = max(lengths, default=0)
        elif isinstance(base, type) and issubclass(base, HocBaModel):
            model = base
        elif isinstance(base, type) and issubclass(base, Enum):
            enum = base
        if many:
            optional = min_items == 0
        if model is None and enum is None and xsd is None:
            raise TypeError(f"{cls.__name__}.{name} has no packet mapping")  # pragma: no cover
        out.append(FieldPlan(name, tag_of(name), optional, model, many, xsd, enum, min_items))
    return tuple(out)


@cache
def plan_by_tag(cls: type[HocBaModel]) -> dict[str, FieldPlan]:
    return {p.tag: p for p in plan(cls)}
