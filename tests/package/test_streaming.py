"""A package is read from its file, never held whole (docs/package.md §2, "Memory").

The hardened reader seeks to the end record, reads the central directory one header at a
time and each entry in 64 KiB chunks when it is needed; bytes, a path, a seekable file and a
stream that cannot seek all give the same answers.
"""

from __future__ import annotations

import dataclasses
import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.package.conftest import PACKED_AT, RECEIVED_AT, Signers

from hocbaso.errors import PackageError
from hocbaso.package import (
    GoiTin,
    MucDich,
    PackageEntries,
    Receiver,
    SqliteStore,
    open_package,
    verify_package,
)
from hocbaso.package._package import _plan_record, _seal
from hocbaso.package._zip import MEDIA_TYPE_GOI_TIN, ZipWriter
from hocbaso.signature import IssuedRecord, SigningPolicy
from hocbaso.testing.pki import TestIdentity, TestPKI
from hocbaso.verify import TrustStore, verify

#: The largest read: the window the end record is searched in (22 bytes + a 64 KiB comment);
#: entries are read in 64 KiB chunks.
_MAX_READ = 22 + 0xFFFF


class _CountingFile(io.FileIO):
    """A real file that remembers the size of every read asked of it."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, "rb")
        self.reads: list[int] = []

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.reads.append(len(data))
        return data

    def readall(self) -> bytes:
        data = super().readall()
        self.reads.append(len(data))
        return data


class _Stream(io.RawIOBase):
    """A pipe-like stream: readable, not seekable."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        chunk = self._data.read(min(len(buffer), 4096))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_verify_package_reads_a_file_in_bounded_chunks(
    package: bytes, trust: TrustStore, tmp_path: Path
) -> None:
    path = tmp_path / "goi.zip"
    path.write_bytes(package)
    expected = verify_package(package, trust, at=RECEIVED_AT)
    with _CountingFile(path) as fh:
        report = verify_package(fh, trust, at=RECEIVED_AT)
    assert report.ok and report.as_dict() == expected.as_dict()
    assert len(fh.reads) > 3
    assert max(fh.reads) <= _MAX_READ  # never the whole package in one read


def test_receive_reads_a_file_in_bounded_chunks(
    package: bytes, trust: TrustStore, ministry: TestIdentity, tmp_path: Path
) -> None:
    path = tmp_path / "goi.zip"
    path.write_bytes(package)
    receiver = Receiver(SqliteStore(tmp_path / "store.sqlite"), trust,
                        signer=ministry.signer(), clock=lambda: RECEIVED_AT)
    with _CountingFile(path) as fh:
        receipt = receiver.receive(fh)
    assert receipt.accepted == len(receipt.ket_qua) > 0
    assert max(fh.reads) <= _MAX_READ
    # the same package again, now from a path: the same receipt, stored once
    assert receiver.receive(path).signed == receipt.signed


def test_open_package_from_a_path_reads_only_what_it_needs(
    round1: list[IssuedRecord], signers: Signers, tmp_path: Path
) -> None:
    path = tmp_path / "goi.zip"
    _repeated_package(round1, 60, signers.school, path)
    size = path.stat().st_size
    with _CountingFile(path) as fh:
        view = open_package(fh)
        envelope = view.envelope_bytes
        opened_reads = sum(fh.reads)
    # the end record's window, the central directory, the local headers and one entry: a
    # small part of the records it holds
    assert opened_reads < size // 4
    data = path.read_bytes()
    assert envelope == open_package(data).envelope_bytes
    with open_package(path) as view:
        assert dict(view.entries()) == dict(open_package(data).entries())


def test_a_stream_that_cannot_seek_is_spooled_not_held(
    package: bytes, trust: TrustStore
) -> None:
    stream = io.BufferedReader(_Stream(package))
    assert not stream.seekable()
    report = verify_package(stream, trust, at=RECEIVED_AT)
    assert report.ok
    assert report.package_sha256 == verify_package(package, trust, at=RECEIVED_AT).package_sha256


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(min_value=0), value=st.integers(0, 255), cut=st.booleans())
def test_bytes_file_and_stream_give_the_same_answer(
    package: bytes, position: int, value: int, cut: bool
) -> None:
    position %= len(package)
    data = package[:position] if cut else (
        package[:position] + bytes([value]) + package[position + 1:])

    def outcome(source: bytes | io.BufferedIOBase) -> object:
        try:
            with open_package(source) as view:
                return [(name, view.read(name)) for name in view.names]
        except PackageError as err:
            return err.code

    assert outcome(data) == outcome(io.BytesIO(data)) == outcome(
        io.BufferedReader(_Stream(data)))


def test_verifying_in_parts_reaches_verify_package_s_verdicts(
    package: bytes, trust: TrustStore, tmp_path: Path
) -> None:
    """PackageEntries (envelope here, records verified by the caller, anywhere) gives every
    entry the verdict verify_package gives it, for a sound package and a tampered one."""
    view = open_package(package)
    names = list(view.names[2:])
    tampered = tmp_path / "tampered.zip"
    with tampered.open("wb") as fh:
        writer = ZipWriter(fh, MEDIA_TYPE_GOI_TIN, RECEIVED_AT)
        writer.add("GOI_TIN.xml", view.envelope_bytes)
        for i, name in enumerate(names):
            data = view.read(name)
            writer.add(name, data.replace(b"<MA_TRUONG>", b"<MA_TRUONG>9", 1) if i == 1
                       else data)
        writer.add("hoc_ba/extra.xml", view.read(names[0]))
        writer.close()
    for source in (package, tampered):
        whole = verify_package(source, trust, at=RECEIVED_AT)
        with PackageEntries(source, trust, at=RECEIVED_AT) as parts:
            assert [f.code for f in parts.report.findings] == [
                f.code for f in whole.findings]
            verdicts = {}
            for name in parts.names:
                decided = parts.entry(name)
                if isinstance(decided, bytes):
                    decided = parts.record(name, verify(decided, trust, at=RECEIVED_AT))
                verdicts[name] = decided.codes
        assert {e.path: e.codes for e in whole.entries}.items() <= verdicts.items()
        if source is package:
            assert whole.ok and all(not c for c in verdicts.values())
        else:  # an unbelieved container lists its extra entry; the changed one is caught
            assert not whole.technical_ok
            assert verdicts["hoc_ba/extra.xml"]


# -- memory: flat in the record count ------------------------------------------------------

_CHILD = textwrap.dedent("""
    import datetime as dt, json, sys
    from pathlib import Path
    from hocbaso.package import verify_package
    from hocbaso.verify import TrustStore, verify
    trust = TrustStore.from_pem(Path(sys.argv[1]))
    report = verify_package(Path(sys.argv[2]), trust, at=dt.datetime.fromisoformat(sys.argv[3]))
    status = Path("/proc/self/status").read_text()
    peak = int(next(l.split()[1] for l in status.splitlines() if l.startswith("VmHWM")))
    print(json.dumps({"ok": report.ok, "verified": sum(e.ok for e in report.entries),
                      "peak_kib": peak}))
""")


def _repeated_package(pool: list[IssuedRecord], n: int, school: TestIdentity, out: Path) -> None:
    """A signed package of ``n`` entries cycling through a pool of genuinely signed records
    (each under its own entry name, each verified on its own): a few hundred records cost
    seconds, not the minutes of signing them all."""
    planned = [_plan_record(r, 1, i)[0].tep for i, r in enumerate(pool)]
    teps, sources = [], []
    for k in range(n):
        tep = planned[k % len(pool)]
        name = f"hoc_ba/{tep.ma_dinh_danh_hoc_ba}-v{tep.phien_ban}-{k:05d}.xml"
        teps.append(dataclasses.replace(tep, duong_dan=name))
        sources.append(pool[k % len(pool)].signed)
    first = pool[0].hoc_ba.thong_tin_hoc_ba
    code = first.thong_tin_truong.ma_truong
    goi_tin = GoiTin(
        ma_goi_tin=f"{code}-00000000-0000-4000-8000-{n:012d}", ma_goi_tin_tham_chieu=None,
        ma_truong_gui=code, noi_nhan="BGDDT", muc_dich=MucDich.PHAT_HANH, dot_gui=1,
        nam_hoc=first.thong_tin_chung.nam_hoc, so_hoc_ba=n, so_thong_bao_thu_hoi=0,
        thoi_diem_tao=PACKED_AT.isoformat(), tep=tuple(teps), ma_truong_den=None,
    )
    _seal(goi_tin, list(sources), signer=school.signer(), created_at=PACKED_AT,
          policy=SigningPolicy(), out=out)


def _peak(root: Path, package: Path) -> dict[str, int]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(root), str(package), RECEIVED_AT.isoformat()],
        check=True, capture_output=True, text=True, timeout=600,
    )
    result: dict[str, int] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_memory_of_verify_package_is_flat_in_the_record_count(
    round1: list[IssuedRecord], signers: Signers, pki: TestPKI, tmp_path: Path
) -> None:
    """Peak RSS of a fresh process verifying 40 vs 400 records. The package and its records
    are never held (a package of 400 records is ~7 MiB compressed, ~30 MiB inflated); what
    grows is only the envelope, which lists every entry (a few KiB per record, parsed and
    checked as one signed XML document). VmHWM, not ``ru_maxrss``: after exec, Linux
    carries the parent's peak into the child's ``ru_maxrss``."""
    root = tmp_path / "root.pem"
    root.write_bytes(pki.root.public_bytes(Encoding.PEM))
    small, large = 40, 400
    peaks = {}
    for n in (small, large):
        out = tmp_path / f"goi-{n}.zip"
        _repeated_package(round1, n, signers.school, out)
        result = _peak(root, out)
        assert result["ok"] and result["verified"] == n  # every record really verified
        peaks[n] = result["peak_kib"]
        if n == large:
            compressed_kib = out.stat().st_size // 1024
    growth = peaks[large] - peaks[small]
    # Holding the compressed package alone would add its whole size; allow well under that.
    assert growth < compressed_kib * 0.6, (peaks, compressed_kib)
    assert growth < (large - small) * 12, (peaks, compressed_kib)
