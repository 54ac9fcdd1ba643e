"""``hocbaso verify --jsonl OUT --resume``: a run killed at any point and resumed writes the
same JSON Lines as an uninterrupted run (no line lost, none twice); a torn last line is cut and
written again; inputs that do not match OUT are refused; the summary counts every code."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hocbaso.cli._main import cli
from hocbaso.testing.pki import TestPKI

from .conftest import mv

AT = mv.VERIFY_AT.isoformat()
KINDS = ["genuine", "tampered_score", "genuine_other_record", "wrap_forged_before"]


@pytest.fixture()
def batch(tmp_path: Path, corpus: dict[str, Any], pki: TestPKI) -> tuple[list[Path], Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    files = []
    for i in range(12):
        p = folder / f"{i:02d}.xml"
        p.write_bytes(corpus[KINDS[i % len(KINDS)]].data)
        files.append(p)
    root = tmp_path / "root.pem"
    root.write_bytes(pki.root_pem())
    return files, root


def _cmd(root: Path, out: Path, *extra: str) -> list[str]:
    return [
        str(Path(sys.executable).parent / "hocbaso"), "verify", "--trust", str(root), "--at", AT,
        "--jsonl", str(out), *extra,
    ]


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def _uninterrupted(files: list[Path], root: Path, tmp_path: Path) -> list[str]:
    listing = tmp_path / "all.txt"
    listing.write_text("".join(f"{p}\n" for p in files), encoding="utf-8")
    out = tmp_path / "whole.jsonl"
    done = subprocess.run(
        _cmd(root, out, "--from-list", str(listing)), capture_output=True, timeout=120
    )
    assert done.returncode == 1, done.stderr  # some inputs fail on purpose
    return _lines(out)


def _wait_for_lines(path: Path, n: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if path.exists() and path.read_bytes().count(b"\n") >= n:
            return
        assert proc.poll() is None, "the run ended before it was killed"
        time.sleep(0.01)
    raise AssertionError("no progress")


@pytest.mark.parametrize("torn", [False, True])
def test_killed_and_resumed_equals_uninterrupted(
    batch: tuple[list[Path], Path], tmp_path: Path, torn: bool
) -> None:
    files, root = batch
    whole = _uninterrupted(files, root, tmp_path)
    assert len(whole) == len(files)
    out = tmp_path / "killed.jsonl"
    # The paths arrive on standard input; after 5 of them the run has written 5 lines and
    # waits for more. SIGKILL then: no clean-up code runs.
    proc = subprocess.Popen(
        _cmd(root, out, "--from-list", "-"),
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    assert proc.stdin is not None
    proc.stdin.write("".join(f"{p}\n" for p in files[:5]).encode())
    proc.stdin.flush()
    _wait_for_lines(out, 5, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdin.close()
    assert proc.returncode == -signal.SIGKILL
    assert _lines(out) == whole[:5]
    if torn:  # as if killed in the middle of writing line 6
        with open(out, "ab") as fh:
            fh.write(whole[5].encode()[: len(whole[5]) // 2])
    listing = tmp_path / "all.txt"
    again = subprocess.run(
        _cmd(root, out, "--from-list", str(listing), "--resume"),
        capture_output=True, timeout=120,
    )
    assert again.returncode == 1, again.stderr
    got = _lines(out)
    assert got == whole  # same lines, same order
    assert len(set(got)) == len({json.loads(x)["file"] for x in got}) == len(files)
    summary = json.loads(again.stdout)
    assert summary["resumed"] == 5 and summary["records"] == len(files)
    assert summary["ok"] == sum(json.loads(x)["ok"] for x in whole)


def test_resume_refuses_other_inputs(batch: tuple[list[Path], Path], tmp_path: Path) -> None:
    files, root = batch
    out = tmp_path / "out.jsonl"
    runner = CliRunner()
    base = ["verify", "--trust", str(root), "--at", AT, "--jsonl", str(out)]
    first = runner.invoke(cli, [*base, *map(str, files[:3])])
    assert first.exit_code == 1, first.output
    other = runner.invoke(cli, [*base, "--resume", *map(str, files[1:4])])
    assert other.exit_code == 2
    assert json.loads(other.stdout)["error"]["code"] == "VERIFY.INPUT.RESUME"
    assert len(_lines(out)) == 3  # untouched


def test_summary_counts_records_by_code(batch: tuple[list[Path], Path], tmp_path: Path) -> None:
    files, root = batch
    out = tmp_path / "out.jsonl"
    done = CliRunner().invoke(
        cli, ["verify", str(files[0].parent), "--trust", str(root), "--at", AT, "--jsonl",
              str(out)],
    )
    assert done.exit_code == 1
    summary = json.loads(done.stdout)
    lines = [json.loads(x) for x in _lines(out)]
    assert [x["file"] for x in lines] == [str(p) for p in files]  # the folder, sorted
    assert summary["records"] == 12 and summary["failed"] == 6
    tampered = sum(1 for x in lines if any(p["code"] == "SIGNATURE.DIGEST_MISMATCH"
                                           for p in x["problems"]))
    assert tampered and summary["codes"]["SIGNATURE.DIGEST_MISMATCH"] == tampered
    assert all(p["status"] == "WARN" for x in lines if x["ok"] for p in x["problems"])
    assert all(any(p["status"] == "FAIL" for p in x["problems"]) for x in lines if not x["ok"])
    assert not any("record" in x for x in lines)  # no personal data in a line
