"""``hocbaso verify`` output: an 80-column table that never cuts a code, markup-safe printing
of whatever a file carries, and one bad file among many reported on its own."""

from __future__ import annotations

import io
import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rich.console import Console

from hocbaso.cli._main import cli
from hocbaso.cli._verify import render_report
from hocbaso.packet import to_xml
from hocbaso.signature import VaiTroKy, issue, sign
from hocbaso.testing import tao_hoc_ba
from hocbaso.testing.pki import TEST_NOW, TestPKI
from hocbaso.tt22 import MA_PHAT_HIEN
from hocbaso.verify import CODES, Status, Step, StepResult, TrustStore, VerificationReport
from hocbaso.verify import _many as many_module
from hocbaso.verify import verify as verify_one

from .conftest import mv

AT = mv.VERIFY_AT.isoformat()
HOSTILE = "[bold]x[/] [/] [link=http://evil]y[/link] [red"


def _render(report: VerificationReport, width: int = 80, lang: str = "en") -> str:
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(render_report(Path("hb.xml"), report, lang))
    return console.export_text()


def _every_code_report() -> VerificationReport:
    codes = [*CODES, *MA_PHAT_HIEN]
    statuses = list(Status)
    steps = tuple(
        StepResult.of(code, statuses[i % 4], role="GVBM",
                      signer="CN=NGUYỄN VĂN A, O=Trường THCS Hùng Vương, SHA-256 0f1e2d3c",
                      signing_time=TEST_NOW, path="/HOC_BA/X[@MA_MON_HOC='15']/Signature",
                      extra_en="(http://www.w3.org/2001/04/xmldsig-more#rsa-sha512)")
        if code in CODES
        else StepResult(code, Step.CONTENT, statuses[i % 4], "vi " * 30, "en " * 30)
        for i, code in enumerate(codes)
    )
    return VerificationReport(steps)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_80_columns_never_cut_a_code_or_a_status(lang: str) -> None:
    report = _every_code_report()
    text = _render(report, 80, lang)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    for r in report.steps:
        # The code and its status sit whole on one line, side by side.
        assert any(r.code in line and r.status.value in line for line in lines), r.code


def test_80_columns_for_real_reports(corpus: dict[str, Any], trust: TrustStore) -> None:
    for name in ("genuine", "tampered_score", "wrap_forged_before", "downgrade_sha1_legacy"):
        report = verify_one(corpus[name].data, trust, at=mv.VERIFY_AT)
        text = _render(report)
        assert max(len(line) for line in text.splitlines()) <= 80
        for r in report.steps:
            assert r.code in text, (name, r.code)


def test_markup_in_file_content_prints_literally() -> None:
    report = VerificationReport(
        (
            StepResult.of("SIGNATURE.ALGORITHM_REFUSED", Status.FAIL, role="GVBM",
                          signer=f"CN={HOSTILE}", path="/HOC_BA/X[@MA_MON_HOC='[/]']/Signature",
                          extra_en=f"(http://x/#{HOSTILE})", extra_vi=f"({HOSTILE})"),
            StepResult("CONTENT.SUBJECT_YEAR_RESULT", Step.CONTENT, Status.FAIL, HOSTILE, HOSTILE),
        )
    )
    for lang in ("vi", "en"):
        text = _render(report, 200, lang)
        assert HOSTILE in text and "GVBM [/]" in text


def _pki_signed(pki: TestPKI, gvcn_name: str) -> bytes:
    record = tao_hoc_ba(3)
    packet, t = to_xml(record), TEST_NOW - timedelta(days=1)
    for row in record.bang_diem:
        packet = sign(packet, VaiTroKy.GVBM, pki.personal(row.so_ddcn_gvbm).signer(),
                      mon=row.ma_mon_hoc, signing_time=t)
    nk = record.thong_tin_hoc_ba.nguoi_ky
    packet = sign(packet, VaiTroKy.GVCN, pki.personal(nk.so_ddcn_gvcn, gvcn_name).signer(),
                  signing_time=t + timedelta(hours=1))
    packet = sign(packet, VaiTroKy.CBQL, pki.personal(nk.so_ddcn_giam_hieu).signer(),
                  signing_time=t + timedelta(hours=2))
    return issue(packet, pki.school().signer(), signing_time=t + timedelta(hours=3)).signed


def test_cli_prints_a_markup_certificate_name_and_file_name(
    pki: TestPKI, tmp_path: Path
) -> None:
    packet = tmp_path / "[bold]hb[red].xml"
    packet.write_bytes(_pki_signed(pki, "[bold]x[/] [/]"))
    root = tmp_path / "root.pem"
    root.write_bytes(pki.root_pem())
    # --require-crl without a CRL: a FAIL that shows the signer's certificate name.
    done = CliRunner().invoke(
        cli, ["verify", str(packet), "--trust", str(root), "--require-crl", "--lang", "en"]
    )
    assert done.exit_code == 1, done.output
    assert done.exception is None or isinstance(done.exception, SystemExit)
    assert "[bold]x[/] [/]" in done.stdout
    assert "[bold]hb[red].xml" in done.stdout


@pytest.fixture()
def mixed(tmp_path: Path, corpus: dict[str, Any]) -> list[Path]:
    good = tmp_path / "good.xml"
    good.write_bytes(corpus["genuine"].data)
    folder = tmp_path / "folder.xml"
    folder.mkdir()
    fifo = tmp_path / "fifo.xml"
    os.mkfifo(fifo)
    boom = tmp_path / "boom.xml"
    boom.write_bytes(corpus["genuine_other_record"].data + b"<!-- trigger -->")
    return [good, folder, tmp_path / "missing.xml", fifo, Path("/dev/zero"), boom, good]


def _listed(paths: list[Path], tmp_path: Path) -> list[str]:
    """The paths as a --from-list file: taken literally (a folder argument would be walked;
    in a list it is one input, refused as not a file)."""
    listing = tmp_path / "inputs.txt"
    listing.write_text("".join(f"{p}\n" for p in paths), encoding="utf-8")
    return ["--from-list", str(listing)]


def _crash_on_trigger(monkeypatch: pytest.MonkeyPatch) -> None:
    real = many_module.verify  # type: ignore[attr-defined]

    def verify(data: bytes, *args: Any, **kwargs: Any) -> Any:
        if b"trigger" in data:
            raise ValueError("a defect quoting Nguyễn Văn A")
        return real(data, *args, **kwargs)

    monkeypatch.setattr(many_module, "verify", verify)


def test_one_bad_file_among_many_json(
    mixed: list[Path], trust_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _crash_on_trigger(monkeypatch)
    done = CliRunner().invoke(
        cli, ["verify", *_listed(mixed, tmp_path), "--trust", str(trust_dir), "--at", AT,
              "--json"]
    )
    assert done.exit_code == 1
    entries = json.loads(done.stdout)  # always valid JSON
    assert [e["file"] for e in entries] == [str(p) for p in mixed]
    assert [e["ok"] for e in entries] == [True, False, False, False, False, False, True]
    failed = [{s["code"] for s in e["steps"] if s["status"] == "FAIL"} for e in entries[1:6]]
    assert failed == [
        {"PARSE.NOT_A_FILE"},
        {"PARSE.UNREADABLE"},
        {"PARSE.NOT_A_FILE"},
        {"PARSE.NOT_A_FILE"},
        {"PARSE.VERIFIER_ERROR"},
    ]
    assert entries[0]["record"] is not None
    assert all(e["record"] is None for e in entries[1:6])
    assert "Nguyễn Văn A" not in done.stdout


def test_one_bad_file_among_many_table(
    mixed: list[Path], trust_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _crash_on_trigger(monkeypatch)
    done = CliRunner().invoke(cli, ["verify", *_listed(mixed, tmp_path), "--trust",
                                    str(trust_dir),
                                    "--at", AT, "--lang", "en"])
    assert done.exit_code == 1
    for code in ("PARSE.NOT_A_FILE", "PARSE.UNREADABLE", "PARSE.VERIFIER_ERROR", "STATUS.OK"):
        assert code in done.stdout
    assert done.stdout.count("INVALID") == 5


def test_failed_file_never_prints_the_record(
    corpus: dict[str, Any], trust_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even if a report that is not ok carried the record, --json does not print it."""
    from hocbaso.verify import verify as real_verify

    def verify(data: bytes, *args: Any, **kwargs: Any) -> VerificationReport:
        report = real_verify(data, *args, **kwargs)
        fail = StepResult.of("SIGNATURE.DIGEST_MISMATCH", Status.FAIL)
        return VerificationReport((*report.steps, fail), record=report.record)

    monkeypatch.setattr(many_module, "verify", verify)
    packet = tmp_path / "p.xml"
    packet.write_bytes(corpus["genuine"].data)
    done = CliRunner().invoke(
        cli, ["verify", str(packet), "--trust", str(trust_dir), "--at", AT, "--json"]
    )
    (entry,) = json.loads(done.stdout)
    assert entry["ok"] is False and entry["record"] is None
    genuine = real_verify(corpus["genuine"].data, TrustStore.from_pem(trust_dir), at=mv.VERIFY_AT)
    assert genuine.record is not None
    assert genuine.record.thong_tin_hoc_ba.hoc_sinh.ho_va_ten not in done.stdout


@pytest.fixture()
def trust_dir(tmp_path: Path, pki: TestPKI) -> Path:
    folder = tmp_path / "trust"
    folder.mkdir()
    (folder / "root.pem").write_bytes(pki.root_pem())
    return folder
