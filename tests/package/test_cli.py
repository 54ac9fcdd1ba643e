"""The package commands end to end on the demo's output: verify, inspect, receive (twice),
lookup (no personal data unless asked), transfer; JSON for each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hocbaso.cli._main import cli
from hocbaso.testing.pki import TestPKI


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(cli, ["demo", "--out", str(out), "--so-hoc-sinh", "3"])
    assert result.exit_code == 0, result.output
    assert "accepted 3/3" in result.output and "same receipt: True" in result.output
    return out


@pytest.fixture(scope="module")
def ministry_keys(demo: Path) -> list[str]:
    ident = TestPKI.cached().school("0100109106", "Bo GDDT")
    (demo / "bo.key").write_bytes(ident.key_pem())
    (demo / "bo.crt").write_bytes(ident.certificate_pem())
    (demo / "bo-ca.pem").write_bytes(ident.chain_pem())
    return ["--key", str(demo / "bo.key"), "--cert", str(demo / "bo.crt"),
            "--chain", str(demo / "bo-ca.pem")]


def _run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.output


def test_verify_takes_packages_and_records_alike(demo: Path) -> None:
    record = next((demo / "records").iterdir())
    package = demo / "packages" / "round-1.zip"
    code, out = _run(["verify", str(package), str(record), "--trust",
                      str(demo / "pki" / "root.pem"), "--at", "2025-06-01T00:00:00+07:00",
                      "--json"])
    assert code == 0, out
    results = json.loads(out)
    assert results[0]["kind"] == "package" and results[0]["ok"] is True
    assert len(results) == 2 and results[1]["ok"] is True


def test_inspect_lists_entries(demo: Path) -> None:
    code, out = _run(["inspect", str(demo / "packages" / "round-1.zip"), "--json"])
    assert code == 0, out
    names = [e["name"] for e in json.loads(out)["entries"]]
    assert names[:2] == ["mimetype", "GOI_TIN.xml"] and len(names) == 5


def test_receive_twice_then_lookup(demo: Path, ministry_keys: list[str], tmp_path: Path) -> None:
    store = tmp_path / "bo.sqlite"
    args = ["receive", str(demo / "packages" / "round-1.zip"), "--store", str(store),
            "--trust", str(demo / "pki" / "root.pem"), *ministry_keys, "--json"]
    code, first = _run(args)
    assert code == 0, first
    code, second = _run(args)
    assert code == 0 and json.loads(first) == json.loads(second)
    record = json.loads(first)["ket_qua"][0]
    lookup_code = None
    for f in (demo / "records").iterdir():
        if record["ma_dinh_danh_hoc_ba"] in f.name:
            text = f.read_text("utf-8")
            lookup_code = text.split("<MA_TRA_CUU>")[1].split("<")[0]
    assert lookup_code
    code, out = _run(["lookup", lookup_code, "--store", str(store), "--json"])
    assert code == 0, out
    found = json.loads(out)
    assert found["hien_hanh"]["trang_thai"] == found["tra_cuu"]["trang_thai"] == "CO_HIEU_LUC"
    assert "hoc_sinh" not in found and found["verification"] is None
    code, out = _run(["lookup", lookup_code, "--store", str(store), "--trust",
                      str(demo / "pki" / "root.pem"), "--show-personal", "--json",
                      "--at", "2025-06-01T00:00:00+07:00"])
    assert code == 0, out
    assert "ho_va_ten" in json.loads(out)["hoc_sinh"]
    code, out = _run(["lookup", "NOPE", "--store", str(store), "--json"])
    assert code == 1 and json.loads(out)["code"] == "STORE.NOT_FOUND"


def test_transfer_verify(demo: Path) -> None:
    code, out = _run(["transfer", "verify", str(demo / "packages" / "transfer.zip"), "--trust",
                      str(demo / "pki" / "root.pem"), "--at", "2025-06-01T00:00:00+07:00",
                      "--json"])
    assert code == 0, out
    assert json.loads(out)["ok"] is True


def test_a_refused_package_exits_2_or_1(demo: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.zip"
    bad.write_bytes((demo / "packages" / "round-1.zip").read_bytes()[:-40])
    code, out = _run(["inspect", str(bad), "--json"])
    assert code == 2 and json.loads(out)["error"]["code"].startswith("PACKAGE.ZIP.")


def test_package_commands_read_at_and_crl_as_verify_does(demo: Path, tmp_path: Path) -> None:
    """``--at`` without an offset is refused naming ``--at`` (it used to name ``--time``), and
    a ``--crl`` is read within the input size limit, as in ``hocbaso verify``."""
    bundle = str(demo / "packages" / "transfer.zip")
    root = str(demo / "pki" / "root.pem")
    code, out = _run(["transfer", "verify", bundle, "--trust", root, "--at", "2025-06-01"])
    assert code == 2
    assert "--at" in out and "--time" not in out
    huge = tmp_path / "huge.crl"
    huge.write_bytes(b"\0" * (4 * 1024 * 1024 + 1))
    code, out = _run(["transfer", "verify", bundle, "--trust", root, "--crl", str(huge),
                      "--json"])
    assert code == 2
    assert json.loads(out)["error"]["code"] == "PARSE.TOO_LARGE"
