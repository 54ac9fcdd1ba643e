"""Every way to make a model raises ``ModelError`` (coded, value-free), never pydantic's own.

pydantic's ``ValidationError`` repeats the input (``input_value={'ma_hoc_sinh': …}``): names,
personal IDs and birth dates would reach logs. The constructor always translated it; these
tests hold ``model_validate``, ``model_validate_json``, ``model_validate_strings``,
``model_copy(update=…)`` and ``model_construct`` of every model class to the same rule, and
show that no unvalidated record can reach ``to_xml``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from hocbaso.errors import HocBaSoError, ModelError
from hocbaso.models import (
    ChungChi,
    DiaChi,
    DiaChiTruong,
    DiemTongKet,
    DinhChinh,
    HocBa,
    HocSinh,
    NguoiKy,
    QuaTrinhHocTap,
    ThongTinChung,
    ThongTinHocBa,
    ThongTinTruong,
    TongKet,
)
from hocbaso.models._base import HocBaModel
from hocbaso.packet import to_xml, validate
from hocbaso.testing import tao_hoc_ba

RECORD = tao_hoc_ba(5)
TT = RECORD.thong_tin_hoc_ba

#: One valid instance of every model class.
VALID: dict[type[HocBaModel], HocBaModel] = {
    HocBa: RECORD,
    ThongTinHocBa: TT,
    ThongTinChung: TT.thong_tin_chung,
    ThongTinTruong: TT.thong_tin_truong,
    DiaChiTruong: TT.thong_tin_truong.dia_chi,
    HocSinh: TT.hoc_sinh,
    DiaChi: TT.hoc_sinh.noi_sinh,
    QuaTrinhHocTap: QuaTrinhHocTap(
        nam_hoc="2023-2024", ten_lop="8A", ten_truong="Trường THCS A", ten_tinh="Hà Nội"
    ),
    TongKet: TT.tong_ket,
    ChungChi: ChungChi(ten_chung_chi="IELTS"),
    NguoiKy: TT.nguoi_ky,
    DiemTongKet: RECORD.bang_diem[0],
    DinhChinh: DinhChinh(ly_do="Sửa điểm", bam_phien_ban_truoc="0" * 64),
}


def test_every_model_class_is_covered() -> None:
    def subclasses(cls: type) -> set[type]:
        return {c for s in cls.__subclasses__() for c in {s, *subclasses(s)}}

    public = {c for c in subclasses(HocBaModel) if c.__module__.startswith("hocbaso.models")}
    assert public == set(VALID)


def _entries(
    cls: type[HocBaModel], data: dict[str, Any], field: str, value: Any
) -> dict[str, Callable[[], object]]:
    """Each public way to get an instance of ``cls`` from ``data`` (``field`` set to
    ``value``)."""
    text = json.dumps(data, default=str, ensure_ascii=False)
    return {
        "constructor": lambda: cls(**data),
        "model_validate": lambda: cls.model_validate(data),
        "model_validate_json": lambda: cls.model_validate_json(text),
        "model_validate_json(bytes)": lambda: cls.model_validate_json(text.encode()),
        "model_validate_strings": lambda: cls.model_validate_strings(json.loads(text)),
        "model_copy(update)": lambda: VALID[cls].model_copy(update={field: value}),
        "model_construct": lambda: cls.model_construct(**data),
    }


def _leak_free(err: HocBaSoError, secrets: list[str]) -> None:
    seen = " ".join(
        [
            str(err),
            repr(err),
            err.message_vi,
            err.message_en,
            err.path,
            repr(err.details),
            json.dumps(err.as_dict(), ensure_ascii=False),
        ]
    )
    for secret in secrets:
        assert secret not in seen, f"{secret!r} leaked"


_SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng"]


@st.composite
def _personal(draw: Any) -> tuple[Any, list[str]]:
    """A personal value planted so that every field refuses it, and the strings that must
    never appear in an error: inside a list and a dict (no field takes those), or repeated
    past 2000 characters (longer than any text field)."""
    kind = draw(st.sampled_from(["name", "id", "birth", "address"]))
    if kind == "id":
        secret = draw(st.from_regex(r"[0-9]{12}", fullmatch=True))
    elif kind == "birth":
        secret = f"{draw(st.dates(date(1990, 1, 1), date(2020, 12, 31))):%d/%m/%Y}"
    else:
        given_name = draw(st.text("abcdeghiklmnopqrstuvxyđâăêôơư", min_size=4, max_size=10))
        secret = f"{draw(st.sampled_from(_SURNAMES))} Văn {given_name.capitalize()}"
        if kind == "address":
            secret = f"Số 12 ngõ {given_name} phường {given_name}"
    if draw(st.booleans()):
        return [secret, {"ho_va_ten": secret}], [secret]
    return (secret + " ") * (2100 // (len(secret) + 1) + 1), [secret]


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(personal=_personal(), data=st.data())
def test_no_personal_value_in_any_error(personal: tuple[Any, list[str]], data: Any) -> None:
    value, secrets = personal
    cls = data.draw(st.sampled_from(sorted(VALID, key=lambda c: c.__name__)))
    field = data.draw(st.sampled_from(sorted(cls.model_fields)))
    base = VALID[cls].model_dump(mode="json")
    bad = {**base, field: value}
    for how, entry in _entries(cls, bad, field, value).items():
        try:
            entry()
        except ModelError as err:
            _leak_free(err, secrets)
        except Exception as err:
            pytest.fail(f"{cls.__name__}.{how} raised {type(err).__name__}, not ModelError")
        else:
            pytest.fail(f"{cls.__name__}.{how} accepted a planted value in {field}")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(personal=_personal(), where=st.sampled_from(["hoc_sinh", "nguoi_ky", "qua_trinh"]))
def test_nested_values_do_not_leak_from_the_whole_record(
    personal: tuple[Any, list[str]], where: str
) -> None:
    value, secrets = personal
    data = RECORD.model_dump(mode="json")
    tt = data["thong_tin_hoc_ba"]
    if where == "hoc_sinh":
        tt["hoc_sinh"]["ho_va_ten"] = value
    elif where == "nguoi_ky":
        tt["nguoi_ky"]["so_ddcn_gvcn"] = value
    else:
        tt["qua_trinh_hoc_tap"] = [{"nam_hoc": value}]
    for entry in (
        lambda: HocBa.model_validate(data),
        lambda: HocBa.model_validate_json(json.dumps(data, ensure_ascii=False)),
        lambda: HocBa(**data),
    ):
        with pytest.raises(ModelError) as err:
            entry()
        _leak_free(err.value, secrets)
        assert err.value.path.startswith("THONG_TIN_HOC_BA/")


def test_the_reported_cases() -> None:
    """The three reproductions of the issue, exactly."""
    data = RECORD.model_dump(mode="json")
    data["thong_tin_hoc_ba"]["hoc_sinh"]["so_dinh_danh"] = "12345"
    name = RECORD.thong_tin_hoc_ba.hoc_sinh.ho_va_ten
    for entry in (
        lambda: HocBa.model_validate(data),
        lambda: HocBa.model_validate_json(json.dumps(data, ensure_ascii=False)),
    ):
        with pytest.raises(ModelError) as err:
            entry()
        assert not isinstance(err.value, ValidationError)
        assert err.value.code == "MODEL.PATTERN"
        assert err.value.path == "THONG_TIN_HOC_BA/HOC_SINH/SO_DINH_DANH"
        assert "input_value" not in str(err.value) and name not in str(err.value)
    with pytest.raises(ModelError) as err:
        HocBa.model_validate_json(b'{"thong_tin_hoc_ba": ')
    assert err.value.code == "MODEL.JSON"


@pytest.mark.parametrize("cls", sorted(VALID, key=lambda c: c.__name__), ids=lambda c: c.__name__)
def test_model_copy_update_revalidates_every_class(cls: type[HocBaModel]) -> None:
    instance = VALID[cls]
    field = next(iter(cls.model_fields))
    with pytest.raises(ModelError):
        instance.model_copy(update={field: ["not", "a", "value"]})
    with pytest.raises(ModelError):
        instance.model_copy(update={"not_a_field": 1})  # extra="forbid" holds here too
    # A valid update (the same values) gives an equal, validated copy; no update, a copy.
    assert instance.model_copy(update={field: getattr(instance, field)}) == instance
    assert instance.model_copy() == instance
    assert cls.model_construct(**dict(instance)) == instance


def test_cross_field_rules_hold_for_model_copy() -> None:
    """A record-level rule (one subject twice) is checked on copy, not only field types."""
    rows = (*RECORD.bang_diem, RECORD.bang_diem[0])
    with pytest.raises(ModelError) as err:
        RECORD.model_copy(update={"bang_diem": rows})
    assert err.value.code == "MODEL.DUPLICATE_SUBJECT"
    hs = TT.hoc_sinh
    with pytest.raises(ModelError) as err:
        hs.model_copy(update={"ngay_thang_nam_sinh": hs.ngay_thang_nam_sinh + timedelta(days=3660)})
    assert err.value.code in ("MODEL.PERSONAL_ID_MISMATCH", "MODEL.BIRTH_DATE")


def test_to_xml_only_ever_writes_validated_records() -> None:
    """Before: ``model_copy(update=…)`` gave a frozen record with a 5-digit ID that ``to_xml``
    wrote and the XSD then refused. Now the copy itself is refused; a valid copy writes a
    packet the XSD accepts."""
    with pytest.raises(ModelError):
        TT.hoc_sinh.model_copy(update={"so_dinh_danh": "12345"})
    renamed = RECORD.model_copy(
        update={
            "thong_tin_hoc_ba": TT.model_copy(
                update={"hoc_sinh": TT.hoc_sinh.model_copy(update={"ho_va_ten": "Lê Thị Hoa"})}
            )
        }
    )
    validate(to_xml(renamed))
