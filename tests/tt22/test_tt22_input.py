"""The evaluator's input contract as pydantic models: duplicate keys, one rule for numbers, the
record's bound on absences (hypothesis for each parsing rule)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from hocbaso.errors import ModelError, RulesError
from hocbaso.models import TongKet
from hocbaso.testing import tao_hoc_ba
from hocbaso.tt22 import _dau_vao, evaluate, evaluate_json

from ._helpers import dau_vao


def _ket_qua(text: str | bytes) -> tuple[str, str] | dict[str, Any]:
    try:
        return evaluate_json(text)
    except RulesError as e:
        return (e.code, e.path)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


# --- the models ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    [_dau_vao.DauVao, _dau_vao.RenLuyen, _dau_vao.MonDiem, _dau_vao.MonNhanXet,
     _dau_vao.MonKhongDanhGia, _dau_vao.HocKyDiem, _dau_vao.HocKyNhanXet],
)  # fmt: skip
def test_every_object_of_the_contract_is_a_frozen_strict_model(model: type[BaseModel]) -> None:
    assert issubclass(model, BaseModel)
    cfg = model.model_config
    assert (cfg.get("frozen"), cfg.get("extra"), cfg.get("strict")) == (True, "forbid", True)


def test_validated_input_is_frozen() -> None:
    dv = _dau_vao.doc_dau_vao(dau_vao())
    with pytest.raises(ValidationError):  # frozen instance
        dv.so_buoi_nghi = 3  # type: ignore[misc]
    assert isinstance(dv.mon_hoc, tuple)


# --- duplicate keys --------------------------------------------------------------------------


def test_duplicate_key_at_the_top_is_refused_with_its_path() -> None:
    text = _json(dau_vao(khoi=9)).replace('"khoi": 9', '"khoi": 9, "khoi": 8', 1)
    assert _ket_qua(text) == ("TT22.INPUT.DUPLICATE_KEY", "khoi")
    # Even the same value twice: the object is ambiguous in JSON's own terms.
    text = _json(dau_vao(khoi=9)).replace('"khoi": 9', '"khoi": 9, "khoi": 9', 1)
    assert _ket_qua(text) == ("TT22.INPUT.DUPLICATE_KEY", "khoi")


def _to_text(value: object, dup: list[Any], here: list[Any]) -> str:
    """JSON text of ``value``; the object at path ``dup[0]`` repeats its key ``dup[1]``."""
    if isinstance(value, dict):
        pairs = [f"{_json(k)}: {_to_text(v, dup, [*here, k])}" for k, v in value.items()]
        if here == dup[0]:
            k = dup[1]
            pairs.append(f"{_json(k)}: {_to_text(value[k], dup, [*here, k])}")
        return "{" + ", ".join(pairs) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_to_text(v, dup, [*here, i]) for i, v in enumerate(value)) + "]"
    return _json(value)


def _objects(value: object, here: list[Any]) -> list[tuple[list[Any], str]]:
    out: list[tuple[list[Any], str]] = []
    if isinstance(value, dict):
        out += [(here, k) for k in value]
        for k, v in value.items():
            out += _objects(v, [*here, k])
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _objects(v, [*here, i])
    return out


def _path(parts: list[Any]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out


@settings(max_examples=60)
@given(st.data())
def test_a_duplicate_key_at_any_depth_is_refused(data: st.DataObject) -> None:
    inp = dau_vao()
    inp["mon_hoc"][0] = {"ma": "15", "so_tiet_nam": 140, "hk1": {"tx": ["8", "7.5", "9", "8"],
                         "gk": "8.0", "ck": 7}, "hk2": "8.3"}  # fmt: skip
    inp["ren_luyen"]["sau_he"] = "Đ"
    where, key = data.draw(st.sampled_from(_objects(inp, [])))
    assert _ket_qua(_to_text(inp, [where, key], [])) == (
        "TT22.INPUT.DUPLICATE_KEY",
        _path([*where, key]),
    )
    # Without the duplicate the same text is fine.
    assert isinstance(_ket_qua(_to_text(inp, [None, None], [])), dict)


# --- one rule for numbers --------------------------------------------------------------------

_JSON_NUMBER = r"-?(0|[1-9][0-9]{0,2})(\.[0-9]{1,3})?([eE][+-]?[0-9]{1,2})?"


def _with_mark(literal: str) -> str:
    inp = dau_vao()
    inp["mon_hoc"][0]["hk2"] = "@MARK@"
    return _json(inp).replace('"@MARK@"', literal)


@settings(max_examples=300)
@given(st.from_regex(_JSON_NUMBER, fullmatch=True))
def test_a_json_number_mark_meets_the_rule_of_the_same_text_as_a_string(literal: str) -> None:
    as_number = _ket_qua(_with_mark(literal))
    as_string = _ket_qua(_with_mark(_json(literal)))
    assert as_number == as_string
    if "e" in literal.lower() or literal.startswith("-"):
        assert as_number == ("TT22.INPUT.MARK_FORMAT", "mon_hoc[0].hk2")


@pytest.mark.parametrize(
    ("literal", "result"),
    [
        ("1e1", ("TT22.INPUT.MARK_FORMAT", "mon_hoc[0].hk2")),
        ('"1e1"', ("TT22.INPUT.MARK_FORMAT", "mon_hoc[0].hk2")),
        ("1E+1", ("TT22.INPUT.MARK_FORMAT", "mon_hoc[0].hk2")),
        ("10.0e-1", ("TT22.INPUT.MARK_FORMAT", "mon_hoc[0].hk2")),
        ("-0", ("TT22.INPUT.MARK_FORMAT", "mon_hoc[0].hk2")),
        ("8.15", ("TT22.INPUT.MARK_DECIMALS", "mon_hoc[0].hk2")),
        ("10.5", ("TT22.INPUT.MARK_RANGE", "mon_hoc[0].hk2")),
    ],
)
def test_marks_from_json_text(literal: str, result: tuple[str, str]) -> None:
    assert _ket_qua(_with_mark(literal)) == result


@settings(max_examples=100)
@given(st.integers(0, 100).map(lambda n: f"{n // 10}.{n % 10}"), st.booleans())
def test_every_one_decimal_mark_is_read_exactly(mark: str, quoted: bool) -> None:
    out = _ket_qua(_with_mark(_json(mark) if quoted else mark))
    assert isinstance(out, dict)
    row = next(m for m in out["mon_hoc"] if m["ma"] == "15")
    assert row["hk2"] == mark


# --- absences: the record's bound, shared --------------------------------------------------


def _record_accepts(n: int) -> bool:
    tk = tao_hoc_ba(1).thong_tin_hoc_ba.tong_ket.model_dump()
    tk["so_buoi_nghi"] = n
    try:
        TongKet(**tk)
    except ModelError:
        return False
    return True


def _evaluator_accepts(n: int) -> bool:
    try:
        evaluate(dau_vao(so_buoi_nghi=n))
    except RulesError as e:
        assert (e.code, e.path) == ("TT22.INPUT.ABSENCES", "so_buoi_nghi")
        return False
    return True


@settings(max_examples=150)
@given(st.integers(-(10**3), 10**3) | st.integers(-(10**30), 10**30))
def test_absences_are_capped_exactly_as_the_record_caps_them(n: int) -> None:
    assert _evaluator_accepts(n) is _record_accepts(n)


@pytest.mark.parametrize(("n", "ok"), [(0, True), (300, True), (301, False), (10**23, False)])
def test_absence_bounds(n: int, ok: bool) -> None:
    assert _evaluator_accepts(n) is ok is _record_accepts(n)
    out = _ket_qua(_json(dau_vao()).replace('"so_buoi_nghi": 0', f'"so_buoi_nghi": {n}'))
    assert isinstance(out, dict) if ok else out == ("TT22.INPUT.ABSENCES", "so_buoi_nghi")


def test_the_bound_is_read_from_the_record_model() -> None:
    assert (_dau_vao.SO_BUOI_NGHI_NHO_NHAT, _dau_vao.SO_BUOI_NGHI_LON_NHAT) == (0, 300)
    assert _record_accepts(300) and not _record_accepts(301)


# --- JSON text -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", [b"{not json", b"\xff\xfe\x00", b'{"khoi": NaN}', b"", b"[" * 100_000]
)
def test_unreadable_text_is_a_json_error(raw: bytes) -> None:
    with pytest.raises(RulesError) as e:
        evaluate_json(raw)
    assert e.value.code == "TT22.INPUT.JSON"


def test_a_huge_integer_literal_is_refused_quickly() -> None:
    text = _json(dau_vao()).replace('"so_buoi_nghi": 0', '"so_buoi_nghi": ' + "9" * 50_000)
    assert _ket_qua(text) == ("TT22.INPUT.ABSENCES", "so_buoi_nghi")


def test_text_and_dict_give_the_same_result() -> None:
    inp = dau_vao(["9.0"] * 7 + ["4.9"], khoi=12)
    assert evaluate_json(_json(inp)) == evaluate(inp)
    assert evaluate_json(b"\xef\xbb\xbf" + _json(inp).encode()) == evaluate(inp)


def test_every_input_code_is_documented() -> None:
    """docs/tt22.md §3.3 lists every ``TT22.INPUT.*`` code the evaluator and the CLI can give."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    sources = [root / "src/hocbaso/tt22/_dau_vao.py", root / "src/hocbaso/cli/_tt22.py"]
    text = "\n".join(p.read_text(encoding="utf-8") for p in sources)
    used = set(re.findall(r'_input_error\(\s*"([A-Z_]+)"', text))
    used |= {c.removeprefix("TT22.INPUT.") for c in re.findall(r'"(TT22\.INPUT\.[A-Z_]+)"', text)}
    used |= {v[0] for v in _dau_vao._CO_SAN.values()}
    doc = (root / "docs" / "tt22.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `TT22\.INPUT\.([A-Z_]+)` \|", doc, re.M))
    assert used >= {"DUPLICATE_KEY", "MARK_FORMAT", "ABSENCES", "TYPE", "MISSING"}
    assert used <= documented, used - documented
