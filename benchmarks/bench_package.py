"""Packages: pack and verify a class (40) and a school (2 000), memory, and the overhead of a
package over verifying its records one by one (docs/package.md).

* **pack / verify_package** for 40 and 2 000 issued records (records given as paths).
* **peak RSS** of a fresh process that packs, verifies or receives 200 vs 2 000 records (one
  process each): the package is read from its file and never held, each entry is inflated
  and verified one at a time; what grows is the envelope (and the receipt), which list
  every entry.
* **compression**: where the bytes go (signatures, base64) and the DEFLATE ratio of signed
  records, of the same records unsigned, at levels 1, 6 and 9.
* **overhead**: ``verify_package`` vs ``verify`` of every record one by one (target ≤ 1.1×),
  as a range over 3 interleaved runs.

Issued records are generated once (signing 2 000 records takes minutes) and cached in
``$TMPDIR/hocbaso-bench-package``.

    python -m benchmarks package            # --quick: 40 and 200 records
"""

from __future__ import annotations

import argparse
import datetime as dt
import lzma
import re
import subprocess
import sys
import tempfile
import textwrap
import time
import zlib
from pathlib import Path

from hocbaso.models import Khoi
from hocbaso.package import dot_gui_of, pack, verify_package
from hocbaso.packet import to_xml
from hocbaso.signature import SigningStep, VaiTroKy, issue, sign_roles
from hocbaso.testing import tao_hoc_ba_trong_lop, tao_lop_hoc
from hocbaso.testing.pki import TEST_NOW, TestPKI
from hocbaso.verify import TrustStore, verify

CACHE = Path(tempfile.gettempdir()) / "hocbaso-bench-package"
SEED = 4242
AT = TEST_NOW + dt.timedelta(days=3)


def records(n: int) -> list[Path]:
    """``n`` issued records of one school, generated once and cached on disk."""
    folder = CACHE / "records"
    folder.mkdir(parents=True, exist_ok=True)
    have = sorted(folder.glob("*.xml"))
    if len(have) >= n:
        return have[:n]
    lop = tao_lop_hoc(SEED, Khoi.K09)
    pki = TestPKI.cached()
    school = pki.school(lop.truong.ma_so_thue, lop.truong.thong_tin.ten_truong)
    principal = pki.personal(lop.truong.hieu_truong.so_ddcn, lop.truong.hieu_truong.ho_ten)
    homeroom = pki.personal(lop.gvcn.so_ddcn, lop.gvcn.ho_ten)
    teachers = {ma: pki.personal(gv.so_ddcn, gv.ho_ten) for ma, gv in lop.gvbm.items()}
    started = time.perf_counter()
    i, count = 0, len(have)
    while count < n:
        target, skip = folder / f"{i:05d}.xml", folder / f"{i:05d}.skip"
        i += 1
        if target.exists() or skip.exists():
            continue
        record = tao_hoc_ba_trong_lop(lop, i - 1, seed=SEED)
        if dot_gui_of(record) != 1:  # the benchmark packs round 1 only
            skip.touch()
            continue
        steps = [SigningStep(VaiTroKy.GVBM, teachers[r.ma_mon_hoc].signer(), TEST_NOW,
                             r.ma_mon_hoc) for r in record.bang_diem]
        steps += [SigningStep(VaiTroKy.GVCN, homeroom.signer(), TEST_NOW + dt.timedelta(hours=1)),
                  SigningStep(VaiTroKy.CBQL, principal.signer(),
                              TEST_NOW + dt.timedelta(hours=2))]
        issued = issue(sign_roles(to_xml(record), steps), school.signer(),
                       signing_time=TEST_NOW + dt.timedelta(hours=3))
        target.write_bytes(issued.signed)
        count += 1
        if count % 200 == 0:
            print(f"  generated {count}/{n} records ({time.perf_counter() - started:.0f} s)",
                  flush=True)
    return sorted(folder.glob("*.xml"))[:n]


def _pack(paths: list[Path], out: Path) -> None:
    lop = tao_lop_hoc(SEED, Khoi.K09)
    school = TestPKI.cached().school(lop.truong.ma_so_thue, lop.truong.thong_tin.ten_truong)
    pack(paths, signer=school.signer(), round=1, created_at=TEST_NOW + dt.timedelta(days=1),
         out=out)


_CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    op, n, out = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    from benchmarks.bench_package import AT, _pack, records
    from hocbaso.package import Receiver, SqliteStore, verify_package
    from hocbaso.testing.pki import TestPKI
    from hocbaso.verify import TrustStore
    pki = TestPKI.cached()
    trust = TrustStore([pki.root])
    if op == "pack":
        _pack(records(n), out)
    elif op == "verify":
        assert verify_package(out, trust, at=AT).ok
    else:
        store = Path(str(out) + ".store.sqlite")
        store.unlink(missing_ok=True)
        ministry = pki.school("0100109106", "Bo Giao duc va Dao tao")
        receipt = Receiver(SqliteStore(store), trust, signer=ministry.signer(),
                           clock=lambda: AT).receive(out)
        assert receipt.accepted == n, receipt.ma_loi
        store.unlink()
    # VmHWM: this process's own peak (ru_maxrss would carry the parent's peak across exec)
    status = Path("/proc/self/status").read_text()
    print(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))
""")

OPS = ("pack", "verify", "receive")


def peak_rss_mib(op: str, n: int) -> float:
    """Peak RSS of a fresh interpreter that does one thing (pack, verify or receive) with a
    package of ``n`` records: what the operation itself holds, nothing of this process."""
    out = CACHE / f"rss-{n}.zip"
    done = subprocess.run([sys.executable, "-c", _CHILD, op, str(n), str(out)], check=True,
                          capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
    return int(done.stdout.strip().splitlines()[-1]) / 1024


def _ratio(d: list[bytes], level: int = 9) -> float:
    return sum(map(len, d)) / sum(len(zlib.compress(x, level)[2:-4]) for x in d)


_SIGNATURE = re.compile(rb"<(?:\w+:)?Signature\b.*?</(?:\w+:)?Signature>", re.S)
_BASE64 = re.compile(rb"<((?:\w+:)?(?:X509Certificate|SignatureValue|DigestValue))>[^<]*</\1>")


def compression(paths: list[Path]) -> None:
    """Where a package's bytes go: DEFLATE ratio of signed records and of the same records
    without their signatures, and the share of base64 (certificates, signature values) —
    each entry is compressed alone, so what repeats between records is not shared."""
    data = [p.read_bytes() for p in paths]
    raw = sum(map(len, data))
    unsigned = [_SIGNATURE.sub(b"", d) for d in data]
    in_sig = raw - sum(map(len, unsigned))
    b64 = sum(len(m.group(0)) for d in data for m in _BASE64.finditer(d))
    print(f"compression over {len(data)} records ({raw / len(data) / 1024:.1f} KiB each): "
          f"signatures {in_sig / raw:.0%} of the bytes, base64 values {b64 / raw:.0%}")
    print(f"  signed records: DEFLATE 1 {_ratio(data, 1):.2f}×, 6 {_ratio(data, 6):.2f}×, "
          f"9 {_ratio(data, 9):.2f}×; unsigned packets: 9 {_ratio(unsigned):.2f}×; "
          f"all records as one stream (not a ZIP entry each): DEFLATE 9 "
          f"{raw / len(zlib.compress(b''.join(data), 9)):.2f}×, xz "
          f"{raw / len(lzma.compress(b''.join(data))):.2f}×")


def measure(n: int, trust: TrustStore, runs: int = 3) -> None:
    paths = records(n)
    out = CACHE / f"package-{n}.zip"
    t0 = time.perf_counter()
    _pack(paths, out)
    t_pack = time.perf_counter() - t0
    verify_package(out, trust, at=AT)  # warm: compiled schemas, certificate-path caches
    data = [p.read_bytes() for p in paths]
    for d in data[:40]:
        verify(d, trust, at=AT)  # warm, as above
    raw = sum(len(d) for d in data)
    ratios, t_verify, t_each = [], 0.0, 0.0
    # CPU time of this process, interleaved: on a shared machine another job's load would
    # otherwise decide the ratio (wall-clock ratios there swing by ±30 %).
    for _ in range(runs):
        t0 = time.process_time()
        report = verify_package(out, trust, at=AT)
        t_verify = time.process_time() - t0
        assert report.ok, report.as_dict()["findings"]
        t0 = time.process_time()
        for d in data:
            assert verify(d, trust, at=AT).ok
        t_each = time.process_time() - t0
        ratios.append(t_verify / t_each)
    del data
    size = out.stat().st_size
    print(f"{n:>6} records: pack {t_pack:7.2f} s ({n / t_pack:7.1f}/s), "
          f"verify_package {t_verify:7.2f} s CPU, one by one {t_each:7.2f} s CPU (last run); "
          f"package / one by one {min(ratios):.2f}–{max(ratios):.2f} over {runs} runs "
          f"(target ≤ 1.10); {size / 1024:.0f} KiB for {raw / 1024:.0f} KiB of records "
          f"({raw / size:.1f}×)", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks package")
    parser.add_argument("--quick", action="store_true", help="40 and 200 records")
    args = parser.parse_args(argv or [])
    big = 200 if args.quick else 2000
    trust = TrustStore([TestPKI.cached().root])
    small = 40 if args.quick else 200
    records(big)
    rss = {(op, n): peak_rss_mib(op, n) for n in (small, big) for op in OPS}  # small parents
    compression(records(200))
    for n in (40, big):
        measure(n, trust)
    for op in OPS:
        low, high = rss[op, small], rss[op, big]
        print(f"peak RSS {op:>7}: {small} records {low:5.1f} MiB, {big} records {high:5.1f} MiB "
              f"(×{high / low:.2f}; target ≤ 1.15)")


if __name__ == "__main__":
    main(sys.argv[1:])
