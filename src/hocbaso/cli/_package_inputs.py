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
from hocbaso.package import EntryResult, PackageEntries, PackageReport
from hocbaso.verify import CrlSet, Status, TrustStore, VerificationReport

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
    when it is opened (:class:`~hocbaso.package.PackageEntries`).
    """

    def __init__(self, trust: TrustStore, *, at: dt.datetime, crls: CrlSet) -> None:
        self._trust, self._at, self._crls = trust, at, crls
        self._path: Path | None = None
        self._open_entries: PackageEntries | None = None

    # -- the stream ---------------------------------------------------------------------------
    def expand(self, inputs: Iterable[Path]) -> Iterator[Path | PackageItem]:
        """Each input as it is, except a package: its own item, then one per entry."""
        try:
            for path in inputs:
                if not is_package_file(path):
                    yield path
                    continue
                entries = self._open(path)
                yield PackageItem(path)
                for name in entries.names:
                    yield PackageItem(path, name)
        finally:
            self.close()

    def _open(self, path: Path) -> PackageEntries:
        if self._open_entries is not None and self._path == path:
            return self._open_entries
        self.close()
        self._path = path
        self._open_entries = PackageEntries(path, self._trust, at=self._at, crls=self._crls)
        return self._open_entries

    def close(self) -> None:
        if self._open_entries is not None:
            self._open_entries.close()
            self._open_entries = None

    # -- one item -----------------------------------------------------------------------------
    def prepare(
        self, item: PackageItem
    ) -> Outcome | tuple[bytes, Callable[[VerificationReport], Outcome]]:
        """An item decided here, or a record entry's bytes for the verifier and what turns
        its report into the item's outcome."""
        entries = self._open(item.path)  # a resumed run may start inside a package
        name = str(item)
        if item.entry is None:
            return self._package_outcome(name, entries)
        entry = item.entry
        decided = entries.entry(entry)
        if isinstance(decided, EntryResult):
            kind = "notice" if entry.startswith("thu_hoi/") else "record"
            return Outcome(decided.ok, {
                "file": name, "kind": kind, "ok": decided.ok, "revoked": False,
                "packet_sha256": None, "record_digest": decided.bam_hoc_ba or None,
                "ma_dinh_danh_hoc_ba": decided.ma_dinh_danh_hoc_ba or None,
                "phien_ban": decided.phien_ban or None,
                "problems": [_problem(c, entry) for c in decided.codes],
            })

        def finish(report: VerificationReport) -> Outcome:
            result = entries.record(entry, report)
            line = {"file": name, "kind": "record", "ok": result.ok,
                    "revoked": report.revoked, "packet_sha256": report.packet_sha256,
                    "record_digest": report.record_digest,
                    "ma_dinh_danh_hoc_ba": report.ma_dinh_danh_hoc_ba,
                    "phien_ban": report.phien_ban,
                    "problems": [
                        {"code": s.code, "status": s.status.value, "role": s.role,
                         "path": s.path}
                        for s in report.steps if s.status in (Status.FAIL, Status.WARN)
                    ] + [_problem(c, entry) for c in result.codes if c.startswith("PACKAGE.")]}
            return Outcome(result.ok, line, report=report)

        return decided, finish

    @staticmethod
    def _package_outcome(name: str, entries: PackageEntries) -> Outcome:
        head = entries.report
        g = head.envelope
        line = {
            "file": name, "kind": "package", "ok": head.technical_ok,
            "package_sha256": head.package_sha256 or None,
            "ma_goi_tin": g.ma_goi_tin if g is not None else None,
            "entries": len(entries.names),
            "problems": [_problem(f.code, f.path, f.status) for f in head.findings
                         if f.status in (Status.FAIL, Status.WARN)],
        }
        return Outcome(head.technical_ok, line, package=head)
