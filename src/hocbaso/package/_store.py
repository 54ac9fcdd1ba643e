"""The receiving store: a small protocol and its SQLite implementation (docs/package.md §7).

The store keeps, per record identifier, every version received (its exact signed bytes, record
digest and lookup code), revocations, and one receipt per package. All decisions of a receipt
are taken inside one write transaction (:meth:`Store.transaction`), so two processes receiving
the same package store it once: the second finds the first one's receipt and returns it.

:class:`SqliteStore` uses only the standard library: WAL journal, ``BEGIN IMMEDIATE`` write
transactions with a busy timeout, and the schema version in ``PRAGMA user_version`` with
ordered migrations applied on open.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from hocbaso.package._codes import package_error
from hocbaso.verify import VerificationReport

__all__ = [
    "SCHEMA_VERSION",
    "LookupResult",
    "SqliteStore",
    "Store",
    "StoreTransaction",
    "StoredVersion",
    "TrangThaiLuu",
    "lookup_versions",
    "version_status",
]

#: A digest prefix a lookup accepts: 16 to 64 hex digits (64 bits at least, so that a prefix
#: guessed or typed wrong cannot match by chance; a QR payload carries 32).
_DIGEST_PREFIX = re.compile(r"[0-9a-f]{16,64}")


class TrangThaiLuu(StrEnum):
    """Status of a stored version (docs/package.md §7, "Lookup"): a function of the record's
    stored chain alone (:func:`version_status`)."""

    CO_HIEU_LUC = "CO_HIEU_LUC"  #: in force: the latest version, not revoked
    DA_DINH_CHINH = "DA_DINH_CHINH"  #: corrected: a later version exists (and it is not revoked)
    THU_HOI = "THU_HOI"  #: revoked by a stored notice (whether or not a later version exists)


@dataclass(frozen=True, slots=True)
class StoredVersion:
    ma_dinh_danh_hoc_ba: str
    phien_ban: int
    bam_hoc_ba: str
    ma_tra_cuu: str
    ma_goi_tin: str
    revoked: bool


def version_status(versions: Sequence[StoredVersion], phien_ban: int) -> TrangThaiLuu:
    """The status of version ``phien_ban`` in a record's stored chain (every stored version of
    one identifier): revoked if a stored notice revokes it (revocation wins over correction);
    else corrected if a later version is stored; else in force. Only the latest version can
    be in force."""
    own = next(v for v in versions if v.phien_ban == phien_ban)
    if own.revoked:
        return TrangThaiLuu.THU_HOI
    if any(v.phien_ban > phien_ban for v in versions):
        return TrangThaiLuu.DA_DINH_CHINH
    return TrangThaiLuu.CO_HIEU_LUC


@dataclass(frozen=True, slots=True)
class LookupResult:
    """The answer to a lookup (docs/package.md §7, "Lookup").

    The first seven fields describe the **current** version (the latest stored): its number,
    record digest, status (``CO_HIEU_LUC`` or ``THU_HOI``), how many versions are stored, the
    package it came in and its exact signed bytes. The ``*_tra_cuu`` fields describe the
    version **asked about** (by version number and/or digest prefix; the current one when
    neither was given): in force, corrected (superseded by the current version) or revoked.
    ``previous`` (earlier versions' signed bytes, oldest first) and ``notices`` (the record's
    stored revocation notices) are what a re-verification of the current version needs.
    ``report`` is that re-verification (:func:`hocbaso.package.lookup`), or None when only the
    store was asked (:meth:`Store.lookup` never verifies: it has no trust anchors).
    """

    ma_dinh_danh_hoc_ba: str
    phien_ban: int
    bam_hoc_ba: str
    trang_thai: TrangThaiLuu
    so_phien_ban: int
    ma_goi_tin: str
    signed: bytes
    phien_ban_tra_cuu: int
    trang_thai_tra_cuu: TrangThaiLuu
    bam_hoc_ba_tra_cuu: str
    previous: tuple[bytes, ...] = ()
    notices: tuple[bytes, ...] = ()
    report: VerificationReport | None = None

    @property
    def consistent(self) -> bool | None:
        """Whether the re-verification agrees with the store (None before one): the current
        version is revoked in the report exactly when the store says so, and the report's
        record is the stored version (identifier, version, record digest)."""
        r = self.report
        if r is None:
            return None
        return (r.revoked == (self.trang_thai is TrangThaiLuu.THU_HOI)
                and (r.ma_dinh_danh_hoc_ba, r.phien_ban, r.record_digest)
                == (self.ma_dinh_danh_hoc_ba, self.phien_ban, self.bam_hoc_ba))

    @property
    def ok(self) -> bool:
        """The version asked about is in force and, if re-verified, its report passes."""
        return self.trang_thai_tra_cuu is TrangThaiLuu.CO_HIEU_LUC and (
            self.report is None or (self.report.ok and bool(self.consistent))
        )

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready summary without personal data (identifiers, versions, digests, codes)."""
        out: dict[str, object] = {
            "found": True,
            "ok": self.ok,
            "ma_dinh_danh_hoc_ba": self.ma_dinh_danh_hoc_ba,
            "tra_cuu": {"phien_ban": self.phien_ban_tra_cuu,
                        "trang_thai": self.trang_thai_tra_cuu.value,
                        "bam_hoc_ba": self.bam_hoc_ba_tra_cuu},
            "hien_hanh": {"phien_ban": self.phien_ban, "trang_thai": self.trang_thai.value,
                          "bam_hoc_ba": self.bam_hoc_ba, "ma_goi_tin": self.ma_goi_tin},
            "so_phien_ban": self.so_phien_ban,
        }
        r = self.report
        out["verification"] = None if r is None else {
            "ok": r.ok, "revoked": r.revoked, "consistent": self.consistent,
            "failed": sorted(r.failed_codes),
            "status": [s.code for s in r.steps if s.code.startswith("STATUS.")],
        }
        return out


class StoreTransaction(Protocol):
    """What a receiver does inside one write transaction."""

    def receipt(self, key: str) -> bytes | None: ...
    def version(self, ident: str, phien_ban: int) -> StoredVersion | None: ...
    def signed(self, ident: str, phien_ban: int) -> bytes: ...
    def add_version(self, v: StoredVersion, signed: bytes) -> None: ...
    def revoke(self, ident: str, phien_ban: int, ma_goi_tin: str, notice: bytes) -> None: ...
    def save_receipt(self, key: str, ma_goi_tin: str | None, bam_goi_tin: str,
                     received_at: str, receipt: bytes) -> None: ...


class Store(Protocol):
    """The receiving store protocol (one implementation ships: :class:`SqliteStore`)."""

    def transaction(self) -> AbstractContextManager[StoreTransaction]: ...
    def receipt_by_sha256(self, bam_goi_tin: str) -> bytes | None: ...
    def lookup(
        self, ma_tra_cuu: str, *, phien_ban: int | None = None,
        digest_prefix: str | None = None, ma_dinh_danh_hoc_ba: str | None = None,
    ) -> LookupResult | None: ...
    def versions(self, ident: str) -> list[StoredVersion]: ...


_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE goi_tin (
        khoa TEXT PRIMARY KEY,            -- package id, or 'sha256:<hex>' when not believed
        ma_goi_tin TEXT,
        bam_goi_tin TEXT NOT NULL,
        thoi_diem_nhan TEXT NOT NULL,
        bien_nhan BLOB NOT NULL
    );
    CREATE INDEX goi_tin_bam ON goi_tin (bam_goi_tin);
    CREATE TABLE phien_ban (
        ma_dinh_danh_hoc_ba TEXT NOT NULL,
        phien_ban INTEGER NOT NULL,
        bam_hoc_ba TEXT NOT NULL,
        ma_tra_cuu TEXT NOT NULL,
        ma_goi_tin TEXT NOT NULL,
        hoc_ba BLOB NOT NULL,
        PRIMARY KEY (ma_dinh_danh_hoc_ba, phien_ban)
    );
    CREATE INDEX phien_ban_tra_cuu ON phien_ban (ma_tra_cuu);
    CREATE TABLE thu_hoi (
        ma_dinh_danh_hoc_ba TEXT NOT NULL,
        phien_ban INTEGER NOT NULL,
        ma_goi_tin TEXT NOT NULL,
        thong_bao BLOB NOT NULL,
        PRIMARY KEY (ma_dinh_danh_hoc_ba, phien_ban)
    );
    """,
)
#: The schema version this library writes (``PRAGMA user_version``).
SCHEMA_VERSION = len(_MIGRATIONS)


def _signed(con: sqlite3.Connection, ident: str, phien_ban: int) -> bytes:
    """The exact signed bytes of one stored version, inside or outside a transaction."""
    (data,) = con.execute(
        "SELECT hoc_ba FROM phien_ban WHERE ma_dinh_danh_hoc_ba = ? AND phien_ban = ?",
        (ident, phien_ban),
    ).fetchone()
    return bytes(data)


class _SqliteTransaction:
    def __init__(self, con: sqlite3.Connection) -> None:
        self._con = con

    def receipt(self, key: str) -> bytes | None:
        row = self._con.execute("SELECT bien_nhan FROM goi_tin WHERE khoa = ?", (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def version(self, ident: str, phien_ban: int) -> StoredVersion | None:
        row = self._con.execute(
            "SELECT p.bam_hoc_ba, p.ma_tra_cuu, p.ma_goi_tin, t.phien_ban IS NOT NULL "
            "FROM phien_ban p LEFT JOIN thu_hoi t USING (ma_dinh_danh_hoc_ba, phien_ban) "
            "WHERE p.ma_dinh_danh_hoc_ba = ? AND p.phien_ban = ?",
            (ident, phien_ban),
        ).fetchone()
        if row is None:
            return None
        return StoredVersion(ident, phien_ban, row[0], row[1], row[2], bool(row[3]))

    def signed(self, ident: str, phien_ban: int) -> bytes:
        return _signed(self._con, ident, phien_ban)

    def add_version(self, v: StoredVersion, signed: bytes) -> None:
        self._con.execute(
            "INSERT INTO phien_ban VALUES (?, ?, ?, ?, ?, ?)",
            (v.ma_dinh_danh_hoc_ba, v.phien_ban, v.bam_hoc_ba, v.ma_tra_cuu, v.ma_goi_tin,
             signed),
        )

    def revoke(self, ident: str, phien_ban: int, ma_goi_tin: str, notice: bytes) -> None:
        self._con.execute("INSERT INTO thu_hoi VALUES (?, ?, ?, ?)",
                          (ident, phien_ban, ma_goi_tin, notice))

    def save_receipt(self, key: str, ma_goi_tin: str | None, bam_goi_tin: str,
                     received_at: str, receipt: bytes) -> None:
        self._con.execute("INSERT INTO goi_tin VALUES (?, ?, ?, ?, ?)",
                          (key, ma_goi_tin, bam_goi_tin, received_at, receipt))


class SqliteStore:
    """The embedded receiving store: one SQLite file, safe for several processes."""

    def __init__(self, path: str | Path, *, timeout: float = 60.0) -> None:
        self.path = Path(path)
        self._con = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        self._con.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        self._con.execute("PRAGMA journal_mode = WAL")
        self._con.execute("PRAGMA synchronous = NORMAL")
        self._migrate()

    def _migrate(self) -> None:
        self._con.execute("BEGIN IMMEDIATE")
        try:
            (version,) = self._con.execute("PRAGMA user_version").fetchone()
            if version > SCHEMA_VERSION:
                raise package_error("STORE.SCHEMA", detail=f"{version} > {SCHEMA_VERSION}")
            for number in range(version, SCHEMA_VERSION):
                for statement in _MIGRATIONS[number].split(";"):
                    if statement.strip():
                        self._con.execute(statement)
                self._con.execute(f"PRAGMA user_version = {number + 1}")
            self._con.execute("COMMIT")
        except BaseException:
            self._con.execute("ROLLBACK")
            raise

    @property
    def schema_version(self) -> int:
        return int(self._con.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def transaction(self) -> Iterator[StoreTransaction]:
        """One write transaction (``BEGIN IMMEDIATE``): committed on success, rolled back on
        any exception."""
        self._con.execute("BEGIN IMMEDIATE")
        try:
            yield _SqliteTransaction(self._con)
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        self._con.execute("COMMIT")

    def receipt_by_sha256(self, bam_goi_tin: str) -> bytes | None:
        row = self._con.execute(
            "SELECT bien_nhan FROM goi_tin WHERE bam_goi_tin = ? ORDER BY rowid LIMIT 1",
            (bam_goi_tin,),
        ).fetchone()
        return None if row is None else bytes(row[0])

    def versions(self, ident: str) -> list[StoredVersion]:
        rows = self._con.execute(
            "SELECT p.phien_ban, p.bam_hoc_ba, p.ma_tra_cuu, p.ma_goi_tin, "
            "t.phien_ban IS NOT NULL FROM phien_ban p "
            "LEFT JOIN thu_hoi t USING (ma_dinh_danh_hoc_ba, phien_ban) "
            "WHERE p.ma_dinh_danh_hoc_ba = ? ORDER BY p.phien_ban",
            (ident,),
        ).fetchall()
        return [StoredVersion(ident, r[0], r[1], r[2], r[3], bool(r[4])) for r in rows]

    def count(self) -> tuple[int, int, int]:
        """(packages, record versions, revocations) stored."""
        a, b, c = (
            int(self._con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0])
            for t in ("goi_tin", "phien_ban", "thu_hoi")
        )
        return a, b, c

    def identifiers(self, ma_tra_cuu: str) -> list[str]:
        """The record identifiers with a stored version carrying this lookup code."""
        rows = self._con.execute(
            "SELECT DISTINCT ma_dinh_danh_hoc_ba FROM phien_ban WHERE ma_tra_cuu = ? "
            "ORDER BY ma_dinh_danh_hoc_ba",
            (ma_tra_cuu,),
        ).fetchall()
        return [str(r[0]) for r in rows]

    def signed(self, ident: str, phien_ban: int) -> bytes:
        """The exact signed bytes of one stored version."""
        return _signed(self._con, ident, phien_ban)

    def notices(self, ident: str) -> list[bytes]:
        """The stored revocation notices of a record, by version."""
        rows = self._con.execute(
            "SELECT thong_bao FROM thu_hoi WHERE ma_dinh_danh_hoc_ba = ? ORDER BY phien_ban",
            (ident,),
        ).fetchall()
        return [bytes(r[0]) for r in rows]

    def lookup(
        self, ma_tra_cuu: str, *, phien_ban: int | None = None,
        digest_prefix: str | None = None, ma_dinh_danh_hoc_ba: str | None = None,
    ) -> LookupResult | None:
        """The record carrying this lookup code: its current version, and the status of the
        version asked about (:func:`lookup_versions` has the rules). None when no record
        carries the code; ``STORE.LOOKUP.*`` (:class:`~hocbaso.errors.PackageError`) when the
        version, digest or identifier asked about is not one the store holds for it.
        Nothing is verified here: :func:`hocbaso.package.lookup` re-verifies with trust."""
        # One read transaction, so the chain, bytes and notices are one snapshot.
        self._con.execute("BEGIN")
        try:
            return lookup_versions(self, ma_tra_cuu, phien_ban=phien_ban,
                                   digest_prefix=digest_prefix,
                                   ma_dinh_danh_hoc_ba=ma_dinh_danh_hoc_ba)
        finally:
            self._con.execute("COMMIT")

    def close(self) -> None:
        self._con.close()


class _ChainReader(Protocol):
    def identifiers(self, ma_tra_cuu: str) -> list[str]: ...
    def versions(self, ident: str) -> list[StoredVersion]: ...
    def signed(self, ident: str, phien_ban: int) -> bytes: ...
    def notices(self, ident: str) -> list[bytes]: ...


def _check_arguments(phien_ban: int | None, digest_prefix: str | None) -> str | None:
    if phien_ban is not None and (
        isinstance(phien_ban, bool) or not isinstance(phien_ban, int) or phien_ban < 1
    ):
        raise package_error("STORE.LOOKUP.INPUT", path="phien_ban")
    if digest_prefix is None:
        return None
    prefix = digest_prefix.strip().lower() if isinstance(digest_prefix, str) else ""
    if not _DIGEST_PREFIX.fullmatch(prefix):
        raise package_error("STORE.LOOKUP.INPUT", path="digest_prefix")
    return prefix


def lookup_versions(
    reader: _ChainReader, ma_tra_cuu: str, *, phien_ban: int | None = None,
    digest_prefix: str | None = None, ma_dinh_danh_hoc_ba: str | None = None,
) -> LookupResult | None:
    """The lookup rules (docs/package.md §7, "Lookup") over any store that can list a record's
    chain: find the record by its code (and identifier, when given), then the version asked
    about — by number, by digest prefix, or both (both must agree) — and its status by
    :func:`version_status`. A question the store cannot answer with a stored version is a
    coded refusal, never another version: an unknown version ``STORE.LOOKUP.VERSION_UNKNOWN``,
    a digest prefix no stored version (or not the named one) starts with
    ``STORE.LOOKUP.DIGEST_MISMATCH``, an identifier that does not carry the code
    ``STORE.LOOKUP.IDENTIFIER_MISMATCH``, a code carried by several records and no identifier
    ``STORE.LOOKUP.AMBIGUOUS``."""
    prefix = _check_arguments(phien_ban, digest_prefix)
    idents = reader.identifiers(ma_tra_cuu)
    if not idents:
        return None
    if ma_dinh_danh_hoc_ba is not None:
        if ma_dinh_danh_hoc_ba not in idents:
            raise package_error("STORE.LOOKUP.IDENTIFIER_MISMATCH", path="ma_dinh_danh_hoc_ba")
        ident = ma_dinh_danh_hoc_ba
    elif len(idents) > 1:
        raise package_error("STORE.LOOKUP.AMBIGUOUS", detail=f"{len(idents)}")
    else:
        ident = idents[0]
    chain = reader.versions(ident)
    current = chain[-1]
    if phien_ban is not None:
        asked = next((v for v in chain if v.phien_ban == phien_ban), None)
        if asked is None:
            raise package_error("STORE.LOOKUP.VERSION_UNKNOWN", path="phien_ban",
                                detail=f"{phien_ban} > {current.phien_ban}"
                                if phien_ban > current.phien_ban else str(phien_ban))
        if prefix is not None and not asked.bam_hoc_ba.startswith(prefix):
            raise package_error("STORE.LOOKUP.DIGEST_MISMATCH", path="digest_prefix",
                                detail=f"phien_ban {phien_ban}")
    elif prefix is not None:
        matches = [v for v in chain if v.bam_hoc_ba.startswith(prefix)]
        if len(matches) != 1:
            raise package_error("STORE.LOOKUP.DIGEST_MISMATCH", path="digest_prefix")
        asked = matches[0]
    else:
        asked = current
    return LookupResult(
        current.ma_dinh_danh_hoc_ba, current.phien_ban, current.bam_hoc_ba,
        version_status(chain, current.phien_ban), len(chain), current.ma_goi_tin,
        reader.signed(ident, current.phien_ban),
        asked.phien_ban, version_status(chain, asked.phien_ban), asked.bam_hoc_ba,
        previous=tuple(reader.signed(ident, v.phien_ban) for v in chain[:-1]),
        notices=tuple(reader.notices(ident)),
    )
