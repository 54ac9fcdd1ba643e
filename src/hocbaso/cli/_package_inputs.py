"""Packages among the streamed inputs of ``hocbaso verify`` (docs/scale.md, docs/package.md).

A package (recognised by its first bytes, wherever it comes from: an argument, a folder walk,
a glob, ``--from-list``) stands for several inputs, in a deterministic order that depends on
its bytes only (never on the trust anchors or the clock):

1. ``PATH`` — the package itself: container, envelope signature and the envelope's list
   against the container (``kind: "package"``);
2. ``PATH!hoc_ba/….xml``, ``PATH!thu_hoi/….xml`` — one per entry after ``GOI_TIN.xml``, in
   archive order (``kind: "record"`` / ``"notice"``).

A container the hardened reader refuses is only ``PATH`` (its line carries the ZIP code).
Because the expansion is a function of the bytes, ``--resume`` pairs line *k* with input *k*
exactly as for single records, even when a run was killed halfway through a package.

Where the work runs: this process opens the package (never whole: the reader seeks), checks
the envelope once, and reads each record entry when the verifier is ready for it; the
*entry's bytes* travel to the worker (``--workers N`` or a Dask cluster), which verifies them
as any record, and the envelope's own checks of that entry (digest, identity, school, year,
round, purpose) are applied here to the report that comes back. Memory stays bounded by
``verify_many``'s in-flight window times the largest entry. Revocation notices (one
signature each) and entries the envelope does not vouch for are decided here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hocbaso.cli._package import is_package_file
from hocbaso.errors import PackageError
from hocbaso.package import LoaiTep, Package, PackageReport, TepGoiTin
from hocbaso.package._package import (
    check_notice,
    envelope_report,
    read_entry,
    record_entry,
    refused_report,
)
from hocbaso.package._zip import open_source
from hocbaso.verify import CrlSet, Status, TrustStore, VerificationPolicy, VerificationReport

__all__ = ["Outcome", "PackageInputs", "PackageItem"]


@dataclass(frozen=True, slots=True)
class PackageItem:
    """One input a package stands for: the package (``entry`` None) or one of its entries.
    ``str()`` is the name its line carries (``PATH`` or ``PATH!entry``)."""

    path: Path
    entry: str | None = None

    def __str__(self) -> str:
        return str(self.path) if self.entry is None else f"{self.path}!{self.entry}"


def _problem(code: str, path: str, status: Status = Status.FAIL) -> dict[str, Any]:
    return {"code": code, "status": status.value, "role": None, "path": path}


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of a package input: its JSON line, and the reports a table needs."""

    ok: bool
    line: dict[str, Any]
    package: PackageReport | None = None
    report: VerificationReport | None = None

    def as_json(self) -> dict[str, Any]:
        """The entry of ``hocbaso verify --json``: the full report where there is one."""
        if self.package is not None:
            return {**self.line, **self.package.as_dict(), "ok": self.ok}
        if self.report is not None:
            d = self.report.to_dict()
            return {**self.line, "steps": d["steps"],
                    "record": d["record"] if self.ok else None}
        return self.line

    def summary(self) -> str:
        """One line for the console: the verdict and the codes beyond the record's table."""
        extra = [p["code"] for p in self.line["problems"] if p["code"].startswith("PACKAGE.")
                 or self.report is None]
        if self.report is not None and not extra:
            return ""
        verdict = "ĐẠT / PASS" if self.ok else "KHÔNG ĐẠT / FAIL"
        tail = f": {', '.join(extra)}" if extra else ""
        return f"{self.line['file']} ({self.line['kind']}): {verdict}{tail}"


class PackageInputs:
    """Expands packages in a stream of inputs and decides or prepares each of their items.

    One package is open at a time (the one the stream is in); its envelope is checked once,
    when its first item is prepared.
    """

    def __init__(self, trust: TrustStore, *, at: dt.datetime, crls: CrlSet,
                 policy: VerificationPolicy) -> None:
        self._trust, self._at, self._crls, self._policy = trust, at, crls, policy
        self._path: Path | None = None
        self._view: Package | None = None
        self._sha = ""
        self._refused: PackageError | None = None
        self._head: PackageReport | None = None
        self._teps: dict[str, TepGoiTin] = {}

    # -- the stream ---------------------------------------------------------------------------
    def expand(self, inputs: Iterable[Path]) -> Iterator[Path | PackageItem]:
        """Each input as it is, except a package: its own item, then one per entry."""
        try:
            for path in inputs:
                if not is_package_file(path):
                    yield path
                    continue
                self._open(path)
                yield PackageItem(path)
                if self._view is not None:
                    for name in self._view.names[2:]:
                        yield PackageItem(path, name)
        finally:
            self.close()

    def _open(self, path: Path) -> None:
        self.close()
        self._path, self._head, self._teps, self._refused = path, None, {}, None
        try:
            src = open_source(path)
        except PackageError as exc:
            self._view, self._refused = None, exc
            return
        try:
            self._sha = src.sha256()
            self._view = Package(src)
        except PackageError as exc:
            src.close()
            self._view, self._refused = None, exc

    def close(self) -> None:
        if self._view is not None:
            self._view.close()
            self._view = None

    def _envelope(self) -> PackageReport:
        if self._head is None:
            if self._view is None:
                assert self._refused is not None
                self._head = refused_report(self._refused)
            else:
                self._head = envelope_report(self._view, self._sha, self._trust, self._at,
                                             self._crls)
                g = self._head.envelope
                self._teps = {t.duong_dan: t for t in g.tep} if g is not None else {}
        return self._head

    # -- one item -----------------------------------------------------------------------------
    def prepare(
        self, item: PackageItem
    ) -> Outcome | tuple[bytes, Callable[[VerificationReport], Outcome]]:
        """An item decided here, or a record entry's bytes for the verifier and what turns
        its report into the item's outcome."""
        if item.path != self._path:
            self._open(item.path)  # a resumed run may start inside a package
        head = self._envelope()
        name = str(item)
        if item.entry is None:
            return self._package_outcome(name, head)
        g = head.envelope
        tep = self._teps.get(item.entry)
        kind = "notice" if item.entry.startswith("thu_hoi/") else "record"
        if g is None or not head.technical_ok or self._view is None:
            # An unbelieved envelope vouches for nothing: its records are not verified.
            codes = [f.code for f in head.findings if f.status is Status.FAIL]
            return self._decided(name, kind, None, [_problem(c, item.entry) for c in codes])
        if tep is None:
            return self._decided(name, kind, None,
                                 [_problem("PACKAGE.ENTRY.EXTRA", item.entry)])
        read = read_entry(self._view, tep)
        if not isinstance(read, bytes):
            return self._decided(name, kind, tep, [_problem(c, item.entry) for c in read.codes])
        if tep.loai is LoaiTep.THU_HOI:
            result = check_notice(tep, read, g, self._trust, self._crls, self._at, False)
            return self._decided(name, "notice", tep,
                                 [_problem(c, item.entry) for c in result.codes])

        def finish(report: VerificationReport) -> Outcome:
            result = record_entry(tep, g, report)
            line = {"file": name, "kind": "record", "ok": result.ok,
                    "revoked": report.revoked, "packet_sha256": report.packet_sha256,
                    "record_digest": report.record_digest,
                    "ma_dinh_danh_hoc_ba": report.ma_dinh_danh_hoc_ba,
                    "phien_ban": report.phien_ban,
                    "problems": [
                        {"code": s.code, "status": s.status.value, "role": s.role,
                         "path": s.path}
                        for s in report.steps if s.status in (Status.FAIL, Status.WARN)
                    ] + [_problem(c, tep.duong_dan) for c in result.codes
                         if c.startswith("PACKAGE.")]}
            return Outcome(result.ok, line, report=report)

        return read, finish

    def _package_outcome(self, name: str, head: PackageReport) -> Outcome:
        g = head.envelope
        line = {
            "file": name, "kind": "package", "ok": head.technical_ok,
            "package_sha256": head.package_sha256 or None,
            "ma_goi_tin": g.ma_goi_tin if g is not None else None,
            "entries": len(self._view.names) - 2 if self._view is not None else 0,
            "problems": [_problem(f.code, f.path, f.status) for f in head.findings
                         if f.status in (Status.FAIL, Status.WARN)],
        }
        return Outcome(head.technical_ok, line, package=head)

    @staticmethod
    def _decided(name: str, kind: str, tep: TepGoiTin | None,
                 problems: list[dict[str, Any]]) -> Outcome:
        ok = not problems
        return Outcome(ok, {
            "file": name, "kind": kind, "ok": ok, "revoked": False, "packet_sha256": None,
            "record_digest": tep.bam_hoc_ba if tep is not None else None,
            "ma_dinh_danh_hoc_ba": tep.ma_dinh_danh_hoc_ba if tep is not None else None,
            "phien_ban": tep.phien_ban if tep is not None else None,
            "problems": problems,
        })
