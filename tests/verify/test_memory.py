"""Constant memory (docs/scale.md): ``hocbaso verify FOLDER --jsonl OUT --workers 2`` on a
generated stream of 20 000 records keeps the peak RSS of the command and of each worker under a
fixed bound, and no higher than on 1 000 records; every record is verified and written.

Signing 20 000 records would take far longer than verifying them, so the stream is a small pool
of signed packets (three genuine records and one tampered copy, so failures flow through the
same path) hard-linked under 20 000 distinct file names in folders of 1 000, exactly as
``python -m benchmarks scale`` does: each path is opened, read, parsed and verified in full
by a worker process. The bounds are loose on purpose (allocator noise, other jobs on the
machine), yet far below what keeping the reports would cost: a report is about 15 KB pickled
and several times that in memory, so holding 20 000 of them adds hundreds of MiB. The benchmark
measures the same command precisely at 1 000, 10 000 and 100 000 records.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from hocbaso.testing import tao_hoc_ba
from hocbaso.testing._measure import PEAK_RSS_CLI
from hocbaso.testing.pki import TestPKI

from .conftest import mv

N = 20_000
SMALL = 1_000
PER_FOLDER = 1_000
#: The pool: three genuine records, then one tampered copy of the first (input k fails iff
#: k % 4 == 3).
POOL = 4



def _pool(pki: TestPKI, folder: Path) -> list[Path]:
    packets = [mv.issue(tao_hoc_ba(seed), pki) for seed in range(POOL - 1)]
    packets.append(packets[0].replace(b"<DIEM_CA_NAM>", b"<DIEM_CA_NAM>1", 1))
    folder.mkdir()
    paths = []
    for i, data in enumerate(packets):
        path = folder / f"pool-{i}.xml"
        path.write_bytes(data)
        paths.append(path)
    return paths


def _tree(top: Path, pool: list[Path], n: int) -> list[str]:
    """``n`` distinct paths, hard links to the pool's files; the names in walk order."""
    names = []
    for i in range(n):
        folder = top / f"{i // PER_FOLDER:04d}"
        if i % PER_FOLDER == 0:
            folder.mkdir(parents=True)
        path = folder / f"{i:07d}.xml"
        os.link(pool[i % POOL], path)
        names.append(str(path))
    return names


def _run(top: Path, root: Path, out: Path) -> tuple[dict[str, Any], dict[str, float]]:
    done = subprocess.run(
        [
            sys.executable, "-c", PEAK_RSS_CLI, "verify", str(top), "--trust", str(root),
            "--at", mv.VERIFY_AT.isoformat(), "--jsonl", str(out), "--workers", "2",
        ],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 1, done.stderr[-2000:]  # the tampered records fail
    return json.loads(done.stdout), json.loads(done.stderr.strip().splitlines()[-1])


def _check_output(out: Path, names: list[str], summary: dict[str, Any]) -> None:
    """Every input has its line, in input order, and the summary counts exactly those lines."""
    lines = [json.loads(text) for text in out.read_text(encoding="utf-8").splitlines()]
    assert [line["file"] for line in lines] == names  # none dropped, none twice, in order
    assert [line["ok"] for line in lines] == [i % POOL != POOL - 1 for i in range(len(names))]
    codes: Counter[str] = Counter()
    for line in lines:
        codes.update({p["code"] for p in line["problems"]})
    n, failed = len(names), len(names) // POOL
    assert summary == {
        "records": n, "ok": n - failed, "failed": failed, "revoked": 0, "resumed": 0,
        "codes": dict(sorted(codes.items())), "packages": 0, "packages_failed": 0,
    }
    assert codes["SIGNATURE.DIGEST_MISMATCH"] == failed  # the tampered ones, and only them


def test_peak_rss_is_bounded_and_flat_over_20000_records(pki: TestPKI, tmp_path: Path) -> None:
    pool = _pool(pki, tmp_path / "pool")
    root = tmp_path / "root.pem"
    root.write_bytes(pki.root_pem())
    peaks = {}
    for n in (SMALL, N):
        names = _tree(tmp_path / f"in-{n}", pool, n)
        out = tmp_path / f"out-{n}.jsonl"
        summary, peaks[n] = _run(tmp_path / f"in-{n}", root, out)
        _check_output(out, names, summary)
    small, large = peaks[SMALL], peaks[N]
    assert large["self"] < 200, peaks  # MiB; about 60 measured (docs/scale.md)
    assert large["children"] < 200, peaks  # the largest worker; about 55 measured
    # Flat: twenty times more records cost (nearly) no more memory, in the command or a worker.
    assert large["self"] - small["self"] < 25, peaks
    assert large["children"] - small["children"] < 25, peaks
