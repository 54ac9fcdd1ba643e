"""Packages among the streamed inputs of ``hocbaso verify`` (docs/scale.md): a package is its
own line and one line per entry (``PATH!hoc_ba/….xml``), ``--resume`` pairs them, workers
share the work, the summary counts them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.serialization import Encoding
from tests.package.conftest import RECEIVED_AT, Signers
from tests.package.test_streaming import _repeated_package

from hocbaso.cli._main import cli
from hocbaso.package import open_package
from hocbaso.package._zip import MEDIA_TYPE_GOI_TIN, ZipWriter
from hocbaso.signature import IssuedRecord
from hocbaso.testing.pki import TestPKI

AT = RECEIVED_AT.isoformat()


def _tampered(package: bytes, out: Path) -> str:
    """The package with one record's bytes changed (a digit of its body): the envelope still
    lists the original SHA-256. Returns the tampered entry's name."""
    view = open_package(package)
    names = list(view.names[2:])
    victim = names[1]
    with out.open("wb") as fh:
        writer = ZipWriter(fh, MEDIA_TYPE_GOI_TIN, RECEIVED_AT)
        writer.add("GOI_TIN.xml", view.envelope_bytes)
        for name in names:
            data = view.read(name)
            if name == victim:
                data = data.replace(b"<MA_TRUONG>", b"<MA_TRUONG>9", 1)
            writer.add(name, data)
        writer.close()
    return victim


@pytest.fixture
def inputs(tmp_path: Path, package: bytes, round1: list[IssuedRecord],
           pki: TestPKI) -> tuple[Path, Path, list[str], str]:
    """A folder of records and packages, the trust anchor, the expected line names in
    order, and the tampered entry's line name."""
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.xml").write_bytes(round1[0].signed)
    (folder / "b.zip").write_bytes(package)
    (folder / "c.xml").write_bytes(round1[1].signed)
    (folder / "d.zip").write_bytes(b"PK\x03\x04 an archive that is not a package")
    victim = _tampered(package, folder / "sub" / "e.zip")
    root = tmp_path / "root.pem"
    root.write_bytes(pki.root.public_bytes(Encoding.PEM))
    entries = list(open_package(package).names[2:])
    names = [str(folder / "a.xml"), str(folder / "b.zip")]
    names += [f"{folder / 'b.zip'}!{n}" for n in entries]
    names += [str(folder / "c.xml"), str(folder / "d.zip"), str(folder / "sub" / "e.zip")]
    names += [f"{folder / 'sub' / 'e.zip'}!{n}" for n in entries]
    return folder, root, names, f"{folder / 'sub' / 'e.zip'}!{victim}"


def _verify(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["verify", *args])
    return result.exit_code, result.output


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_folder_of_records_and_packages_streams_one_line_per_record(
    inputs: tuple[Path, Path, list[str], str], tmp_path: Path
) -> None:
    folder, root, names, victim = inputs
    out = tmp_path / "out.jsonl"
    code, printed = _verify([str(folder), "--trust", str(root), "--at", AT, "--jsonl", str(out)])
    assert code == 1, printed  # d.zip is no package, one entry of e.zip was changed
    lines = _lines(out)
    assert [line["file"] for line in lines] == names
    by_name = {line["file"]: line for line in lines}
    packages = [line for line in lines if line.get("kind") == "package"]
    assert [p["file"] for p in packages] == [names[1], str(folder / "sub" / "e.zip")]
    assert all(p["ok"] and p["entries"] == (len(names) - 5) // 2 for p in packages)
    assert not by_name[str(folder / "d.zip")]["ok"]
    assert by_name[victim]["ok"] is False
    assert [p["code"] for p in by_name[victim]["problems"]] == ["PACKAGE.ENTRY.SHA256"]
    failed = {line["file"] for line in lines if not line["ok"]}
    assert failed == {str(folder / "d.zip"), victim}
    # every other record, in a package or not, verified with its identity and digest
    records = [line for line in lines if line.get("kind") != "package"]
    assert all(line["ma_dinh_danh_hoc_ba"] for line in records if line["ok"])
    summary = json.loads(printed)
    assert summary["packages"] == 2 and summary["packages_failed"] == 0
    assert summary["records"] == len(names) - 2 and summary["failed"] == 2


def test_workers_give_the_same_lines(
    inputs: tuple[Path, Path, list[str], str], tmp_path: Path
) -> None:
    folder, root, _, _ = inputs
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    _verify([str(folder), "--trust", str(root), "--at", AT, "--jsonl", str(one)])
    _verify([str(folder), "--trust", str(root), "--at", AT, "--jsonl", str(two),
             "--workers", "2"])
    assert one.read_text(encoding="utf-8") == two.read_text(encoding="utf-8")


@pytest.mark.parametrize("torn", [False, True])
def test_resume_inside_a_package_gives_the_same_lines(
    inputs: tuple[Path, Path, list[str], str], tmp_path: Path, torn: bool
) -> None:
    folder, root, _, _ = inputs
    whole = tmp_path / "whole.jsonl"
    _verify([str(folder), "--trust", str(root), "--at", AT, "--jsonl", str(whole)])
    expected = whole.read_text(encoding="utf-8")
    lines = expected.splitlines(keepends=True)
    for cut in (2, 3, len(lines) - 2):  # on the package's own line, inside it, in the last
        out = tmp_path / f"cut-{cut}.jsonl"
        out.write_text("".join(lines[:cut]) + (lines[cut][:17] if torn else ""),
                       encoding="utf-8")
        code, printed = _verify([str(folder), "--trust", str(root), "--at", AT, "--jsonl",
                                 str(out), "--resume"])
        assert code == 1, printed
        assert out.read_text(encoding="utf-8") == expected
        summary = json.loads(printed)
        assert summary["resumed"] + summary["packages"] >= cut
        assert summary["failed"] == 2 and summary["packages"] == 2


def test_a_run_killed_inside_a_package_resumes_to_the_same_lines(
    round1: list[IssuedRecord], signers: Signers, pki: TestPKI, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.xml").write_bytes(round1[0].signed)
    _repeated_package(round1, 80, signers.school, folder / "b.zip")
    root = tmp_path / "root.pem"
    root.write_bytes(pki.root.public_bytes(Encoding.PEM))
    hocbaso = str(Path(sys.executable).parent / "hocbaso")
    args = [hocbaso, "verify", str(folder), "--trust", str(root), "--at", AT, "--jsonl"]
    whole = tmp_path / "whole.jsonl"
    subprocess.run([*args, str(whole)], check=True, capture_output=True, timeout=600)
    killed = tmp_path / "killed.jsonl"
    proc = subprocess.Popen([*args, str(killed)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if killed.exists() and killed.read_bytes().count(b"\n") >= 10:
            os.kill(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.02)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL  # killed, not finished
    written = killed.read_bytes().count(b"\n")
    assert 2 < written < 82  # inside the package (its line is the second)
    done = subprocess.run([*args, str(killed), "--resume"], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    assert killed.read_text(encoding="utf-8") == whole.read_text(encoding="utf-8")
    summary = json.loads(done.stdout)
    assert summary["records"] == 81 and summary["packages"] == 1 and summary["failed"] == 0


def test_console_json_lists_a_package_found_in_a_folder(
    inputs: tuple[Path, Path, list[str], str],
) -> None:
    folder, root, names, _ = inputs
    code, printed = _verify([str(folder), "--trust", str(root), "--at", AT, "--json"])
    assert code == 1
    results = json.loads(printed)
    assert [r["file"] for r in results] == names
    package = results[1]
    assert package["kind"] == "package" and package["technical_ok"] is True
    entry = results[2]
    assert entry["kind"] == "record" and entry["ok"] is True and entry["steps"]


def test_packages_on_a_dask_cluster_give_the_same_lines(
    inputs: tuple[Path, Path, list[str], str], tmp_path: Path, dask_client: Any
) -> None:
    """``--scheduler``: records and package entries verified on a Dask ``LocalCluster`` (the
    envelope checked once in the command, entries' bytes sent to the workers) write exactly
    the lines of the local run, in the same order, with the same summary."""
    folder, root, names, victim = inputs
    here, there = tmp_path / "here.jsonl", tmp_path / "there.jsonl"
    common = [str(folder), "--trust", str(root), "--at", AT]
    code_here, printed_here = _verify([*common, "--jsonl", str(here)])
    code_there, printed_there = _verify(
        [*common, "--jsonl", str(there), "--scheduler", dask_client.scheduler.address]
    )
    assert code_here == code_there == 1, printed_there
    assert there.read_bytes() == here.read_bytes()
    assert [line["file"] for line in _lines(there)] == names
    assert {line["file"] for line in _lines(there) if not line["ok"]} >= {victim}
    assert json.loads(printed_there) == json.loads(printed_here)
