"""National scale through the command line: ``hocbaso verify FOLDER --jsonl OUT`` on 1 000,
10 000 and 100 000 records, peak memory of each run, and a run killed half-way then resumed.

Generating 100 000 signed records would take far longer than verifying them, so the inputs are
a small pool of signed records (8 distinct packets, 2 of them tampered so that failures are
part of the stream) hard-linked under 100 000 distinct paths (1 000 per folder): every path is
read, parsed and verified in full, exactly as distinct files would be. The records repeat, so
the per-process certificate caches are as warm as they are for one school's records in a real
batch (a Sở's batch repeats each school's certificates thousands of times), no warmer.

Peak RSS is measured by running the command in a wrapper process: ``RUSAGE_SELF`` for the
command's own process, ``RUSAGE_CHILDREN`` for its largest worker process.

    python -m benchmarks scale            # 1 000, 10 000, 100 000 (several minutes on 2 cores)
    python -m benchmarks scale --quick    # 1 000, 5 000
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._corpus import vector_generator as _generator
from hocbaso.testing import tao_hoc_ba
from hocbaso.testing._measure import PEAK_RSS_CLI
from hocbaso.testing.pki import TEST_NOW, build_test_pki

PER_FOLDER = 1000




def _pool(tmp: Path) -> tuple[list[Path], Path]:
    mv = _generator()
    pki = build_test_pki()
    packets = [mv.issue(tao_hoc_ba(seed), pki) for seed in range(6)]
    packets += [p.replace(b"<DIEM_CA_NAM>", b"<DIEM_CA_NAM>1", 1) for p in packets[:2]]
    pool = []
    for i, data in enumerate(packets):
        path = tmp / f"pool-{i}.xml"
        path.write_bytes(data)
        pool.append(path)
    root = tmp / "root.pem"
    root.write_bytes(pki.root_pem())
    return pool, root


def _tree(tmp: Path, pool: list[Path], n: int) -> Path:
    """``n`` distinct paths, hard links to the pool's files, 1 000 per folder."""
    top = tmp / f"in-{n}"
    for i in range(n):
        folder = top / f"{i // PER_FOLDER:04d}"
        if i % PER_FOLDER == 0:
            folder.mkdir(parents=True)
        os.link(pool[i % len(pool)], folder / f"{i:07d}.xml")
    return top


def _command(top: Path, root: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-c", PEAK_RSS_CLI, "verify", str(top), "--trust", str(root),
        "--at", TEST_NOW.isoformat(), "--jsonl", str(out), "--workers", "2", *extra,
    ]


def run_one(top: Path, root: Path, out: Path) -> dict[str, Any]:
    start = time.perf_counter()
    done = subprocess.run(_command(top, root, out), capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    assert done.returncode == 1, done.stderr[-2000:]  # the tampered records fail
    summary = json.loads(done.stdout)
    rss = json.loads(done.stderr.strip().splitlines()[-1])
    return {"seconds": elapsed, "summary": summary, **rss}


def killed_and_resumed(top: Path, root: Path, out: Path, total: int) -> dict[str, Any]:
    """SIGKILL the run once about half the lines are written, then ``--resume`` it."""
    proc = subprocess.Popen(
        _command(top, root, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    while proc.poll() is None:
        if out.exists() and out.stat().st_size and _count(out) >= total // 2:
            os.killpg(proc.pid, signal.SIGKILL)  # the command and its worker processes
            break
        time.sleep(0.05)
    proc.wait()
    at_kill = _count(out)
    done = subprocess.run(_command(top, root, out, "--resume"), capture_output=True,
                          text=True, check=False)
    summary = json.loads(done.stdout)
    names = [json.loads(line)["file"] for line in out.read_text(encoding="utf-8").splitlines()]
    return {
        "killed_at": at_kill,
        "resumed": summary["resumed"],
        "lines": len(names),
        "distinct": len(set(names)),
        "in_order": names == sorted(names),
    }


def _count(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="hocbaso national-scale benchmark")
    parser.add_argument("--quick", action="store_true", help="1 000 and 5 000 records")
    args = parser.parse_args(argv if argv is not None else [])
    sizes = (1_000, 5_000) if args.quick else (1_000, 10_000, 100_000)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        pool, root = _pool(tmp)
        print(f"{'records':>8} {'seconds':>8} {'records/s':>10} {'ms/record':>10} "
              f"{'RSS MiB':>8} {'worker MiB':>10}  summary")
        peaks: dict[int, tuple[float, float]] = {}
        for n in sizes:
            top = _tree(tmp, pool, n)
            r = run_one(top, root, tmp / f"out-{n}.jsonl")
            s = r["summary"]
            assert s["records"] == n, s
            assert s["failed"] == 2 * (n // len(pool)) + max(0, n % len(pool) - 6), s
            peaks[n] = (r["self"], r["children"])
            print(f"{n:>8} {r['seconds']:>8.1f} {n / r['seconds']:>10.1f} "
                  f"{1000 * r['seconds'] / n:>10.2f} {r['self']:>8.1f} {r['children']:>10.1f}"
                  f"  ok {s['ok']}, failed {s['failed']}")
        small, large = sizes[0], sizes[-1]
        print(f"peak RSS {large:,} : {small:,} records = {peaks[large][0] / peaks[small][0]:.3f} "
              f"(command), {peaks[large][1] / peaks[small][1]:.3f} (largest worker)  "
              "(target: flat, within 1.10)")
        n = sizes[1]
        k = killed_and_resumed(tmp / f"in-{n}", root,
                               tmp / "killed.jsonl", n)
        print(f"killed at {k['killed_at']} of {n} lines, resumed {k['resumed']}: "
              f"{k['lines']} lines, {k['distinct']} distinct, in input order: {k['in_order']}")


if __name__ == "__main__":
    main(sys.argv[1:])
