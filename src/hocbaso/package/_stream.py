"""A package verified entry by entry, its records verified wherever the caller likes.

:func:`~hocbaso.package.verify_package` verifies every record in this process. A caller that
spreads records over workers (``hocbaso verify --workers N``, a Dask cluster) needs the same
verdicts in parts: the envelope once, each entry's bytes handed out one at a time, and the
envelope's checks of an entry applied to the report that comes back. :class:`PackageEntries`
gives exactly those parts, through the same functions ``verify_package`` uses, so both ways
reach the same verdict on every entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from cryptography import x509

from hocbaso.errors import PackageError
from hocbaso.package._envelope import LoaiTep, TepGoiTin
from hocbaso.package._package import (
    EntryResult,
    Package,
    check_notice,
    envelope_report,
    read_entry,
    record_entry,
    refused_report,
)
from hocbaso.package._signed import as_crl_set
from hocbaso.package._zip import ZipLimits, open_source
from hocbaso.verify import CrlSet, Status, TrustStore, VerificationReport

__all__ = ["PackageEntries"]


class PackageEntries:
    """One package opened for verification in parts; never raises on hostile content.

    ``report`` is the package-level verdict (container, envelope, the envelope's list against
    the container); ``names`` the entries after ``GOI_TIN.xml`` in archive order (empty when
    the container is refused). :meth:`entry` decides an entry here or returns a record's bytes
    for the caller to verify; :meth:`record` turns that verification report into the entry's
    verdict. Use it as a context manager: it holds the package's file open (never its bytes).
    """

    def __init__(
        self,
        source: bytes | Path | IO[bytes],
        trust: TrustStore,
        *,
        at: dt.datetime,
        crls: Iterable[x509.CertificateRevocationList | bytes] | CrlSet = (),
        limits: ZipLimits | None = None,
    ) -> None:
        self._trust, self._at, self._crls = trust, at, as_crl_set(crls)
        self._view: Package | None = None
        try:
            src = open_source(source, limits)
        except PackageError as exc:
            self.report = refused_report(exc)
            self.names: tuple[str, ...] = ()
            self._teps: dict[str, TepGoiTin] = {}
            return
        try:
            sha = src.sha256()
            self._view = Package(src, limits)
        except PackageError as exc:
            src.close()
            self.report = refused_report(exc)
            self.names, self._teps = (), {}
            return
        self.names = self._view.names[2:]
        self.report = envelope_report(self._view, sha, trust, at, self._crls)
        g = self.report.envelope
        self._teps = {t.duong_dan: t for t in g.tep} if g is not None else {}

    def entry(self, name: str) -> EntryResult | bytes:
        """The verdict on an entry decided here — when the envelope vouches for nothing, the
        entry is not listed, cannot be read or has another SHA-256, or is a revocation notice
        — or a record's exact bytes, to verify (anywhere) and hand to :meth:`record`."""
        tep = self._teps.get(name)
        loai = LoaiTep.THU_HOI if name.startswith("thu_hoi/") else LoaiTep.HOC_BA
        g = self.report.envelope
        if g is None or self._view is None:
            return _unlisted(name, loai, tep, self._failed())
        if tep is None:
            return _unlisted(name, loai, None, ("PACKAGE.ENTRY.EXTRA",))
        read = read_entry(self._view, tep)
        if isinstance(read, EntryResult):
            return read  # as verify_package: an unreadable or changed entry is named as such
        if not self.report.technical_ok:
            return _unlisted(name, loai, tep, self._failed())
        if tep.loai is LoaiTep.THU_HOI:
            return check_notice(tep, read, g, self._trust, self._crls, self._at, False)
        return read

    def _failed(self) -> tuple[str, ...]:
        # An unbelieved envelope vouches for nothing: its entries carry its failures.
        return tuple(f.code for f in self.report.findings if f.status is Status.FAIL)

    def record(self, name: str, report: VerificationReport) -> EntryResult:
        """A record entry's verdict from its verification report (the envelope's checks:
        digest, identity, school, school year, round, purpose)."""
        g = self.report.envelope
        assert g is not None, "record() follows entry() returning bytes"
        return record_entry(self._teps[name], g, report)

    def close(self) -> None:
        if self._view is not None:
            self._view.close()
            self._view = None

    def __enter__(self) -> PackageEntries:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _unlisted(name: str, loai: LoaiTep, tep: TepGoiTin | None,
              codes: tuple[str, ...]) -> EntryResult:
    if tep is not None:
        return EntryResult(name, tep.loai, tep.ma_dinh_danh_hoc_ba, tep.phien_ban,
                           tep.bam_hoc_ba, codes)
    return EntryResult(name, loai, "", 0, "", codes)
