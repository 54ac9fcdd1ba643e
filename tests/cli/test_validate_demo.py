"""The CLI entry points a school's IT staff use: validate and demo."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from hocbaso.cli._main import cli, main
from hocbaso.packet import from_xml, to_xml
from hocbaso.testing import tao_hoc_ba


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_validate_valid_and_invalid(tmp_path: Path, runner: CliRunner) -> None:
    good = tmp_path / "good.xml"
    good.write_bytes(to_xml(tao_hoc_ba(1)))
    bad = tmp_path / "bad.xml"
    bad.write_bytes(to_xml(tao_hoc_ba(2)).replace(b"<REN_LUYEN_CA_NAM>", b"<REN_LUYEN_CA_NAM>X"))
    ok = runner.invoke(cli, ["validate", str(good)])
    assert ok.exit_code == 0 and "VALID" in ok.output
    mixed = runner.invoke(cli, ["validate", "--json", str(good), str(bad)])
    assert mixed.exit_code == 1
    report = json.loads(mixed.output)
    assert [r["ok"] for r in report] == [True, False]
    assert report[1]["errors"][0]["code"] == "FORMAT.ENUMERATION"
    assert "REN_LUYEN_CA_NAM" in report[1]["errors"][0]["path"]


@pytest.mark.parametrize("engine", ["lxml", "xmlschema"])
def test_validate_reports_every_error_with_both_engines(
    tmp_path: Path, runner: CliRunner, engine: str
) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_bytes(to_xml(tao_hoc_ba(2)).replace(b"<DIEM_CA_NAM>", b"<DIEM_CA_NAM>1"))
    result = runner.invoke(cli, ["validate", "--json", "--engine", engine, str(bad)])
    assert result.exit_code == 1
    errors = json.loads(result.output)[0]["errors"]
    assert len(errors) >= 2 and all("DIEM_CA_NAM" in e["path"] for e in errors)


def test_validate_hostile_and_model_errors(tmp_path: Path, runner: CliRunner) -> None:
    dtd = tmp_path / "dtd.xml"
    dtd.write_bytes(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')
    result = runner.invoke(cli, ["validate", "--json", str(dtd)])
    assert result.exit_code == 1
    assert json.loads(result.output)[0]["errors"][0]["code"] == "PARSE.DTD"
    level = tmp_path / "level.xml"
    level.write_bytes(to_xml(tao_hoc_ba(3)).replace(b"<MA_MON_HOC>19<", b"<MA_MON_HOC>35<")
                      .replace(b'Id="mon-19"', b'Id="mon-35"')
                      .replace(b'MA_MON_HOC="19"', b'MA_MON_HOC="35"'))
    result = runner.invoke(cli, ["validate", "--json", str(level)])
    assert json.loads(result.output)[0]["errors"][0]["code"] == "MODEL.SUBJECT_LEVEL"


def test_validate_missing_file_is_usage_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as info:
        main(["validate", str(tmp_path / "nope.xml")])
    assert info.value.code == 2


def test_demo_writes_issued_verified_records(tmp_path: Path, runner: CliRunner) -> None:
    out = tmp_path / "demo"
    result = runner.invoke(cli, ["demo", "--out", str(out), "--so-hoc-sinh", "3"])
    assert result.exit_code == 0, result.output
    assert "3/3" in result.output
    unsigned = sorted((out / "unsigned").glob("*.xml"))
    issued = sorted((out / "records").glob("*.xml"))
    assert len(unsigned) == len(issued) == 3
    assert (out / "pki" / "root.pem").read_bytes().startswith(b"-----BEGIN CERTIFICATE")
    assert list((out / "pki").glob("*.crl"))
    for u, s in zip(unsigned, issued, strict=True):
        record = from_xml(u.read_bytes())
        assert from_xml(s.read_bytes()) == record
        assert s.read_bytes().count(b"<Signature ") == len(record.bang_diem) + 3
        # The signed packet keeps every byte of the data block unchanged.
        start = u.read_bytes().index(b"<DU_LIEU_HOC_BA")
        end = u.read_bytes().index(b"</DU_LIEU_HOC_BA>")
        assert u.read_bytes()[start:end] in s.read_bytes()
    validated = runner.invoke(cli, ["validate", *map(str, issued)])
    assert validated.exit_code == 0
    leftovers = [p for d in ("records", "unsigned", "copies") for p in (out / d).iterdir()
                 if p.name.startswith(".") or p.suffix == ".tmp"]
    assert not leftovers
    # One student's soft copy, masked copy and booklet (docs/render.md).
    copies = out / "copies"
    assert "Mã tra cứu học bạ số" in (copies / "hoc-ba.html").read_text("utf-8")
    pdfs = {n: (copies / n).read_bytes() for n in ("hoc-ba.pdf", "hoc-ba-che.pdf",
                                                   "so-hoc-ba.pdf")}
    assert all(p.startswith(b"%PDF-") for p in pdfs.values())
    checked = runner.invoke(cli, ["verify", str(copies / "hoc-ba.pdf"),
                                  str(copies / "so-hoc-ba.pdf"), "--trust",
                                  str(out / "pki" / "root.pem"), "--json"])
    assert checked.exit_code == 0, checked.output
    assert checked.output.count('"ok": true') == 1 + 4
    assert b"/EmbeddedFiles" not in pdfs["hoc-ba-che.pdf"]


def test_validate_refuses_non_regular_files_without_reading_them(
    tmp_path: Path, runner: CliRunner
) -> None:
    huge = tmp_path / "huge.xml"
    with huge.open("wb") as fh:
        fh.truncate(1024**3)  # sparse 1 GiB: only the limit + 1 byte is read
    too_large = runner.invoke(cli, ["validate", "--json", str(huge)])
    assert too_large.exit_code == 1
    assert json.loads(too_large.output)[0]["errors"][0]["code"] == "PARSE.TOO_LARGE"
    fifo = tmp_path / "fifo.xml"
    os.mkfifo(fifo)
    for path in ("/dev/zero", str(fifo)):  # endless or blocking if read naively
        done = runner.invoke(cli, ["validate", path])
        assert done.exit_code == 2 and "Not a regular file" in done.output
