"""Errors say what to fix: a float mark, a code outside its list (docs/packet.md, "Errors")."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import Any

import pytest

from hocbaso.errors import ModelError
from hocbaso.models import (
    MON_HOC,
    CapHoc,
    DanToc,
    DiemTongKet,
    GioiTinh,
    HocBa,
    Khoi,
    MucDanhGia,
    Tinh,
)
from hocbaso.models._base import code_list_hint
from hocbaso.models._internal import parse_ket_qua
from hocbaso.testing import tao_hoc_ba

RECORD = tao_hoc_ba(2)
ROW = next(r for r in RECORD.bang_diem if isinstance(r.diem_ca_nam, Decimal))


@pytest.mark.parametrize("mark", [7.9, 8.0, 10.0, 0.1])
def test_a_float_mark_is_refused_saying_pass_a_string_or_decimal(mark: float) -> None:
    """Floats like 7.9 are not exact (7.9 is 7.9000000000000003552…), so they are refused,
    and the message says what to pass instead."""
    for attempt in (
        lambda: ROW.model_copy(update={"diem_hoc_ky_1": mark}),
        lambda: DiemTongKet(**{**dict(ROW), "diem_ca_nam": mark}),
        lambda: parse_ket_qua(mark),
    ):
        with pytest.raises(ModelError) as err:
            attempt()
        assert err.value.code == "MODEL.SCORE"
        assert "Decimal" in err.value.message_en and '"7.9"' in err.value.message_en
        assert "Decimal" in err.value.message_vi and "chuỗi" in err.value.message_vi
    # The exact forms are accepted.
    text = f"{Decimal(str(mark)):.1f}"
    assert ROW.model_copy(update={"diem_hoc_ky_1": text}).diem_hoc_ky_1 == Decimal(text)
    assert parse_ket_qua(Decimal(text)) == Decimal(text)


def _set(path: str, value: Any) -> dict[str, Any]:
    data = RECORD.model_dump(mode="json")
    node: Any = data
    *parents, last = path.split(".")
    for p in parents:
        node = node[int(p)] if p.isdigit() else node[p]
    node[last] = value
    return data


@pytest.mark.parametrize(
    ("path", "enum"),
    [
        ("thong_tin_hoc_ba.hoc_sinh.gioi_tinh", GioiTinh),
        ("thong_tin_hoc_ba.thong_tin_chung.ma_cap_hoc", CapHoc),
        ("thong_tin_hoc_ba.tong_ket.ca_nam", MucDanhGia),
        ("thong_tin_hoc_ba.thong_tin_chung.ma_khoi", Khoi),
    ],
)
def test_a_short_code_list_is_listed_in_full(path: str, enum: type[Enum]) -> None:
    with pytest.raises(ModelError) as err:
        HocBa.model_validate(_set(path, "Z9"))
    assert err.value.code == "MODEL.CODE_LIST"
    for member in enum:
        assert f"{member.value} ({member.nhan})" in err.value.message_en  # type: ignore[attr-defined]
        assert str(member.value) in err.value.message_vi


@pytest.mark.parametrize(
    ("path", "enum"),
    [
        ("thong_tin_hoc_ba.hoc_sinh.dan_toc", DanToc),
        ("thong_tin_hoc_ba.thong_tin_truong.dia_chi.ma_tinh", Tinh),
        ("thong_tin_hoc_ba.hoc_sinh.noi_sinh.ma_tinh", Tinh),
    ],
)
def test_a_long_code_list_gets_its_shape_and_where_it_is(path: str, enum: type[Enum]) -> None:
    with pytest.raises(ModelError) as err:
        HocBa.model_validate(_set(path, "1"))  # "1" for "01": the usual slip
    assert err.value.code == "MODEL.CODE_LIST"
    en = err.value.message_en
    assert "two digits, e.g. 01" in en and f"hocbaso.{enum.__name__}" in en
    assert f"{len(enum)} codes" in en
    assert "hai chữ số, ví dụ 01" in err.value.message_vi


def test_hint_lists_or_describes_every_code_list() -> None:
    for enum in (GioiTinh, CapHoc, MucDanhGia, Khoi, DanToc, Tinh):
        vi, en = code_list_hint(enum)
        assert vi and en
        first = next(iter(enum))
        assert str(first.value) in en


def test_an_unknown_subject_code_says_the_shape() -> None:
    with pytest.raises(ModelError) as err:
        ROW.model_copy(update={"ma_mon_hoc": next(c for c in ("01", "02", "03", "04", "06",
                                                              "07") if c not in MON_HOC)})
    assert err.value.code == "MODEL.SUBJECT_CODE"
    assert "e.g. 15 (Toán)" in err.value.message_en and "hocbaso.MON_HOC" in err.value.message_en
