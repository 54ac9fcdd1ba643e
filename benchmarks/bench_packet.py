"""Record ⇄ packet speed against pydantic-xml, and the two XSD engines, measured in one run.

The baseline is pydantic-xml built from *our own* mapping plan (same elements, same order,
same record), so both sides produce the same packet. Writing uses plain-string fields (the
same bytes come out); reading uses our own field types, so both sides validate every field
the same way and pay the same XSD validation. Only ours also runs the cross-field checks (ID
against birth year, subject kind, duplicates), which makes the read ratio conservative.

    python -m benchmarks packet            # --quick: short batches (rough, for iterating)
"""

from __future__ import annotations

import argparse
import typing
from collections.abc import Callable
from typing import Annotated, Any

from lxml import etree
from pydantic import AfterValidator
from pydantic_xml import BaseXmlModel, attr, create_model, element, wrapped

from benchmarks._timing import interleaved_rates
from benchmarks._timing import ops_per_second as _bench
from hocbaso.models import HocBa, Khoi
from hocbaso.models._base import HocBaModel
from hocbaso.models._internal import parse_ket_qua
from hocbaso.packet import from_xml, parse_xml, to_xml
from hocbaso.packet._mapping import plan
from hocbaso.packet._schema import _lxml_schema, _xmlschema_schema
from hocbaso.testing import tao_hoc_ba

_CACHE: dict[tuple[type[HocBaModel], bool], type[BaseXmlModel]] = {}


def _xml_model(cls: type[HocBaModel], tag: str, typed: bool) -> type[BaseXmlModel]:
    """A pydantic-xml model with the same elements as ``cls``.

    ``typed``: scalar fields carry our own annotated types (NFC cleaning, lengths, patterns,
    score parsing, code lists), so reading validates field by field what ours does; the
    cross-field checks stay ours alone. Untyped: plain strings, used for writing.
    """
    if (cls, typed) in _CACHE:
        return _CACHE[cls, typed]
    hints = typing.get_type_hints(cls, include_extras=True)
    fields: dict[str, Any] = {}
    for fp in plan(cls):
        if fp.many:
            assert fp.model is not None
            item = _xml_model(fp.model, fp.model.xml_tag, typed)
            fields[fp.name] = (
                list[item],  # type: ignore[valid-type]
                wrapped(
                    fp.tag,
                    element(
                        tag=fp.model.xml_tag,
                        default=[],
                    ),
                ),
            )
        elif fp.model is not None:
            sub = _xml_model(fp.model, fp.tag, typed)
            fields[fp.name] = (sub | None, element(tag=fp.tag, default=None))
        else:
            kind = hints[fp.name] if typed else str
            if typed and fp.xsd is not None and fp.xsd.name == "KetQuaMon":
                # pydantic-xml cannot wrap a plain-validator union; same parser, as a str step.
                kind = Annotated[str, AfterValidator(parse_ket_qua)]
            fields[fp.name] = (kind | None, element(tag=fp.tag, default=None))
    model = create_model(f"X{cls.__name__}{int(typed)}", __tag__=tag, __base__=BaseXmlModel,
                         **fields)
    _CACHE[cls, typed] = model
    return model


def _baseline_models(typed: bool) -> type[BaseXmlModel]:
    from hocbaso.models import DiemTongKet, ThongTinHocBa

    thong_tin = _xml_model(ThongTinHocBa, "THONG_TIN_HOC_BA", typed)
    thong_tin_id = create_model(
        "XThongTinId", __base__=thong_tin, __tag__="THONG_TIN_HOC_BA", Id=(str, attr(name="Id"))
    )
    row = _xml_model(DiemTongKet, "DIEM_TONG_KET", typed)
    row_id = create_model(
        "XDiemId", __base__=row, __tag__="DIEM_TONG_KET", Id=(str, attr(name="Id"))
    )
    data = create_model(
        "XDuLieu",
        __tag__="DU_LIEU_HOC_BA",
        __base__=BaseXmlModel,
        Id=(str, attr(name="Id")),
        thong_tin_hoc_ba=(thong_tin_id, element(tag="THONG_TIN_HOC_BA")),
        bang_diem=(list[row_id], wrapped("BANG_DIEM", element(tag="DIEM_TONG_KET"))),  # type: ignore[valid-type]
    )
    return create_model(
        "XHocBa",
        __tag__="HOC_BA",
        __base__=BaseXmlModel,
        du_lieu=(data, element(tag="DU_LIEU_HOC_BA")),
    )


def _as_baseline_dict(record: HocBa) -> dict[str, Any]:
    def conv(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: conv(v) for k, v in value.items() if v is not None}
        if isinstance(value, list | tuple):
            return [conv(v) for v in value]
        if isinstance(value, bool):
            return "1" if value else "0"
        return str(value)

    data = conv(record.model_dump(mode="json"))
    data["thong_tin_hoc_ba"]["Id"] = "thongtinhocba"
    for row in data["bang_diem"]:
        row["Id"] = f"mon-{row['ma_mon_hoc']}"
    return {"du_lieu": {"Id": "data", **data}}


def _data_c14n(packet: bytes) -> bytes:
    data = etree.fromstring(packet).find("DU_LIEU_HOC_BA")
    assert data is not None
    for node in data.iter():
        node.tail = None
        if len(node):
            node.text = None
    return etree.tostring(data, method="c14n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="hocbaso packet read/write benchmark")
    parser.add_argument("--quick", action="store_true", help="3 batches of 0.1 s (rough)")
    args = parser.parse_args(argv if argv is not None else [])
    seconds, rounds = (0.1, 3) if args.quick else (0.3, 7)
    record = tao_hoc_ba(42, Khoi.K12)
    packet = to_xml(record)
    schema = _lxml_schema()
    XHocBa = _baseline_models(typed=False)
    XHocBaTyped = _baseline_models(typed=True)
    baseline = XHocBa.model_validate(_as_baseline_dict(record))
    baseline_bytes = baseline.to_xml(skip_empty=True)
    assert isinstance(baseline_bytes, bytes)
    # Same content on both sides: the two data blocks canonicalise identically once the
    # indentation whitespace is set aside.
    assert _data_c14n(packet) == _data_c14n(baseline_bytes), "baseline differs from ours"

    def baseline_read() -> Any:
        # One parse, the same XSD validation as ours, then pydantic-xml builds the model.
        root = etree.fromstring(packet)
        schema.validate(root)
        return XHocBaTyped.from_xml_tree(root)  # type: ignore[arg-type]

    def pair(ours: Callable[[], Any], theirs: Callable[[], Any]) -> tuple[float, float]:
        ours_rate, theirs_rate = interleaved_rates([ours, theirs], seconds=seconds, rounds=rounds)
        return ours_rate, theirs_rate

    results = {
        "record → XML bytes": pair(
            lambda: to_xml(record), lambda: baseline.to_xml(skip_empty=True)
        ),
        "XML bytes → validated record": pair(lambda: from_xml(packet), baseline_read),
    }
    print(f"full-year record: grade 12, {len(record.bang_diem)} subjects, {len(packet)} bytes")
    print(f"{'operation':32} {'hocbaso ops/s':>14} {'pydantic-xml':>14} {'ratio':>7}")
    typed: Any = XHocBaTyped.from_xml_tree(etree.fromstring(packet))  # type: ignore[arg-type]
    assert typed.du_lieu.bang_diem[0].diem_ca_nam == record.bang_diem[0].diem_ca_nam
    for name, (ours, theirs_rate) in results.items():
        print(f"{name:32} {ours:14.0f} {theirs_rate:14.0f} {ours / theirs_rate:6.1f}×")
    tree = parse_xml(packet)
    xs = _xmlschema_schema()
    lxml_rate = _bench(lambda: schema.validate(tree), seconds=seconds, rounds=rounds)
    xs_rate = _bench(lambda: xs.is_valid(tree), seconds=seconds, rounds=3)
    print(
        f"{'XSD validate, lxml vs xmlschema':32} {lxml_rate:14.0f} {xs_rate:14.0f} "
        f"{lxml_rate / xs_rate:6.1f}×"
    )
    print("target: ≥ 3× pydantic-xml in both directions")


if __name__ == "__main__":
    main()
