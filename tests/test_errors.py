"""The one exception tree: every library error is a HocBaSoError with a code and two languages."""

from __future__ import annotations

import inspect

import pytest

import hocbaso.errors as errors
from hocbaso.errors import ErrorDetail, HocBaSoError, UsageError

CLASSES = [c for _, c in inspect.getmembers(errors, inspect.isclass)
           if issubclass(c, Exception) and c.__module__ == errors.__name__]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_error_is_in_the_tree(cls: type[Exception]) -> None:
    if cls is UsageError:
        assert issubclass(cls, RuntimeError) and not issubclass(cls, HocBaSoError)
        return
    assert issubclass(cls, HocBaSoError)
    if cls is not HocBaSoError:
        assert issubclass(cls, ValueError), "bad input errors are ValueErrors too"
    assert cls.__name__ in (errors.__doc__ or ""), "the tree in the docstring names it"


@pytest.mark.parametrize("cls", [c for c in CLASSES if c is not UsageError],
                         ids=lambda c: c.__name__)
def test_code_path_and_both_languages(cls: type[HocBaSoError]) -> None:
    err = cls("English text", "Văn bản tiếng Việt", path="A/B")
    assert err.code == cls.default_code
    assert err.path == "A/B"
    assert str(err) == f"{cls.default_code} [A/B]: Văn bản tiếng Việt / English text"
    assert err.as_dict()["message_vi"] == "Văn bản tiếng Việt"


def test_details_travel_with_the_error() -> None:
    detail = ErrorDetail("MODEL.PATTERN", "X/Y", "Sai định dạng", "Wrong format")
    err = errors.ModelError("Wrong", "Sai", code="MODEL.PATTERN", path="X/Y", details=(detail,))
    assert err.as_dict()["details"] == [detail.as_dict()]
    assert errors.__all__ == sorted(errors.__all__)
