"""``hocbaso verify --jsonl OUT [--resume]``: one JSON line per input, written as it is known.

Durability policy (docs/scale.md):

- each line is one ``os.write`` on a file opened with ``O_APPEND``, the complete line and its
  newline in one call (a retry writes the rest if the kernel ever accepts only part); a process
  killed at any point leaves every earlier line whole and at most the last one torn;
- the file is ``fsync``-ed every ``FSYNC_LINES`` lines or ``FSYNC_SECONDS`` seconds, whichever
  comes first, and at the end: a power loss can cost at most that many lines, which a resumed
  run simply verifies again (a line is never half-counted);
- ``--resume`` first cuts a torn last line (no final newline, or not valid JSON), then reads
  the existing lines one by one alongside the inputs: line *k* must name input *k* (the inputs
  are streamed in a deterministic order), and those inputs are skipped. Nothing is held in
  memory but the per-code counts of the summary.

A line holds what a Sở needs to act on a record without any personal data: the input's name
as given, ``ok``, ``revoked``, the digests, the record identifier and version (read from signed
bytes only), and every FAIL or WARN step (code, status, role, element path). ``--json`` gives
the full reports.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from hocbaso.errors import VerificationInputError
from hocbaso.verify import Status, VerificationReport

__all__ = ["FSYNC_LINES", "FSYNC_SECONDS", "JsonlOutput", "Summary", "line_of"]

T = TypeVar("T")

FSYNC_LINES = 1000
FSYNC_SECONDS = 1.0


def line_of(name: str, report: VerificationReport) -> dict[str, Any]:
    """The JSON Lines entry of one input (never the record: no personal data)."""
    return {
        "file": name,
        "ok": report.ok,
        "revoked": report.revoked,
        "packet_sha256": report.packet_sha256,
        "record_digest": report.record_digest,
        "ma_dinh_danh_hoc_ba": report.ma_dinh_danh_hoc_ba,
        "phien_ban": report.phien_ban,
        "problems": [
            {"code": s.code, "status": s.status.value, "role": s.role, "path": s.path}
            for s in report.steps
            if s.status in (Status.FAIL, Status.WARN)
        ],
    }


class Summary:
    """Counts at the end of a run: records, ok, failed, revoked, and records per code.

    ``records`` counts every line but a package's own (entries of packages included);
    ``packages`` and ``packages_failed`` count the packages' own lines."""

    def __init__(self) -> None:
        self.records = 0
        self.ok = 0
        self.revoked = 0
        self.resumed = 0
        self.packages = 0
        self.packages_failed = 0
        self.codes: Counter[str] = Counter()

    def add(self, line: dict[str, Any]) -> None:
        if line.get("kind") == "package":  # a package's own line; its entries follow
            self.packages += 1
            self.packages_failed += not line.get("ok")
            self.codes.update({p["code"] for p in line.get("problems", ())})
            return
        self.records += 1
        self.ok += bool(line.get("ok"))
        self.revoked += bool(line.get("revoked"))
        self.codes.update({p["code"] for p in line.get("problems", ())})

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "ok": self.ok,
            "failed": self.records - self.ok,
            "revoked": self.revoked,
            "resumed": self.resumed,
            "packages": self.packages,
            "packages_failed": self.packages_failed,
            "codes": dict(sorted(self.codes.items())),
        }


def _resume_error(en: str, vi: str) -> VerificationInputError:
    return VerificationInputError(en, vi, code="VERIFY.INPUT.RESUME")


class JsonlOutput:
    """The append-only JSON Lines file of one run (see the module's durability policy)."""

    def __init__(self, path: Path, *, resume: bool) -> None:
        self.path = path
        self.summary = Summary()
        self._since_sync = 0
        self._last_sync = time.monotonic()
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)
        if not resume:
            flags |= os.O_TRUNC
        try:
            self._fd = os.open(path, flags, 0o644)
        except OSError as exc:
            raise VerificationInputError(
                f"Cannot open the JSON Lines output ({exc.strerror}).",
                f"Không mở được tệp kết quả JSON Lines ({exc.strerror}).",
                code="VERIFY.INPUT.OUTPUT",
            ) from None
        if resume:
            self._cut_torn_tail()

    def _cut_torn_tail(self) -> None:
        """Drop a last line that a killed run left without its newline (or not valid JSON)."""
        size = os.fstat(self._fd).st_size
        if size == 0:
            return
        with open(self.path, "rb") as fh:
            back = min(size, 1 << 16)
            while True:
                fh.seek(size - back)
                tail = fh.read(back)
                body = tail[:-1] if tail.endswith(b"\n") else tail
                cut = body.rfind(b"\n")
                if cut >= 0 or back == size:
                    break
                back = min(size, back * 2)
        start = size - back + cut + 1  # where the last line begins (0 if it is the only one)
        last = tail[cut + 1 :]
        whole = last.endswith(b"\n")
        if whole:
            try:
                json.loads(last)
            except ValueError:
                whole = False
        if not whole:
            os.ftruncate(self._fd, start)
            os.fsync(self._fd)

    def resumed(self, inputs: Iterator[T]) -> Iterator[T]:
        """Match the existing lines to the first inputs; yield the inputs still to verify."""
        with open(self.path, encoding="utf-8") as fh:
            for number, text in enumerate(fh, start=1):
                try:
                    line = json.loads(text)
                    name = line["file"]
                except (ValueError, KeyError, TypeError):
                    raise _resume_error(
                        f"Line {number} of the output is not a verify --jsonl line.",
                        f"Dòng {number} của tệp kết quả không phải dòng của verify --jsonl.",
                    ) from None
                expected = next(inputs, None)
                if expected is None or str(expected) != name:
                    raise _resume_error(
                        f"Line {number} of the output names another input than the run "
                        "(the inputs changed): start a new output.",
                        f"Dòng {number} của tệp kết quả không khớp với đầu vào (đầu vào đã "
                        "thay đổi): hãy ghi ra tệp mới.",
                    )
                self.summary.add(line)
                self.summary.resumed += 1
        yield from inputs

    def write(self, line: dict[str, Any]) -> None:
        data = (json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        self.summary.add(line)
        self._since_sync += 1
        now = time.monotonic()
        if self._since_sync >= FSYNC_LINES or now - self._last_sync >= FSYNC_SECONDS:
            os.fsync(self._fd)
            self._since_sync = 0
            self._last_sync = now

    def close(self) -> None:
        try:
            os.fsync(self._fd)
        finally:
            os.close(self._fd)
