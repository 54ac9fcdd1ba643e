"""Constant memory: a generated stream of records verified by ``verify_many`` on a process
pool, each report written as a JSON line, keeps the parent's peak RSS flat and bounded.

The stream reuses a small pool of signed packets (signing is far slower than verifying), yielded
one by one and never stored. The count is 5 000, not 20 000: on the 2-vCPU build VM a full
verification costs 3.5-7 ms of CPU, so 20 000 records take 40-140 s, over this suite's budget
of about a minute per test; ``python -m benchmarks verify`` measures 1 000 → 100 000 through
the command line. The bounds are loose on purpose (allocator noise), yet far below what
keeping the reports would cost (about 10 KB each, 50 MB for 5 000; several times that with
the records).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

N = 5_000
SCRIPT = textwrap.dedent(
    """
    import importlib.util, json, resource, sys
    from concurrent.futures import ProcessPoolExecutor
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("mv", sys.argv[1])
    mv = importlib.util.module_from_spec(spec)
    sys.modules["mv"] = mv
    spec.loader.exec_module(mv)
    from hocbaso.cli._jsonl import JsonlOutput, line_of
    from hocbaso.testing import tao_hoc_ba
    from hocbaso.testing.pki import build_test_pki
    from hocbaso.verify import TrustStore, verify_many

    n = int(sys.argv[2])
    pki = build_test_pki()
    pool = [mv.issue(tao_hoc_ba(seed), pki) for seed in range(3)]
    pool.append(pool[0].replace(b"<DIEM_CA_NAM>", b"<DIEM_CA_NAM>1", 1))  # a tampered one

    def stream():
        for i in range(n):
            yield pool[i % len(pool)]

    def rss_mib():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    out = JsonlOutput(Path(sys.argv[3]), resume=False)
    marks = {}
    with ProcessPoolExecutor(max_workers=2) as ex:
        for i, report in enumerate(
            verify_many(stream(), TrustStore([pki.root]), executor=ex, at=mv.VERIFY_AT,
                        chunk_size=16), start=1
        ):
            out.write(line_of(f"{i}.xml", report))
            if i in (n // 5, n):
                marks[i] = rss_mib()
    out.close()
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"marks": marks, "children": children, "summary": out.summary.to_dict()}))
    """
)


def test_peak_rss_is_flat_over_a_generated_stream(tmp_path: Path) -> None:
    make_vectors = Path(__file__).resolve().parents[1] / "vectors" / "make_vectors.py"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(make_vectors), str(N), str(tmp_path / "o.jsonl")],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    summary = result["summary"]
    assert summary["records"] == N and summary["failed"] == N // 4  # everything was verified
    early, late = result["marks"][str(N // 5)], result["marks"][str(N)]
    assert late < 400, result  # MiB: loose absolute bound for the parent
    assert late - early < 25, result  # flat: 4 000 more records cost (nearly) nothing
    assert result["children"] < 400, result  # each worker too
