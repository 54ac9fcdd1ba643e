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

import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from hocbaso.package._codes import package_error

__all__ = [
    "SCHEMA_VERSION",
    "LookupResult",
    "SqliteStore",
    "Store",
    "StoreTransaction",
    "StoredVersion",
    "TrangThaiLuu",
]


class TrangThaiLuu(StrEnum):
    """Status of a stored version."""

    CO_HIEU_LUC = "CO_HIEU_LUC"  #: in force (the latest version, not revoked)
    DA_DINH_CHINH = "DA_DINH_CHINH"  #: corrected: a later version exists
    THU_HOI = "THU_HOI"  #: revoked by a notice


@dataclass(frozen=True, slots=True)
class StoredVersion:
    ma_dinh_danh_hoc_ba: str
    phien_ban: int
    bam_hoc_ba: str
    ma_tra_cuu: str
    ma_goi_tin: str
    revoked: bool


@dataclass(frozen=True, slots=True)
class LookupResult:
    """The current version for a lookup code: its status and exact signed bytes."""

    ma_dinh_danh_hoc_ba: str
    phien_ban: int
    bam_hoc_ba: str
    trang_thai: TrangThaiLuu
    so_phien_ban: int
    ma_goi_tin: str
    signed: bytes


class StoreTransaction(Protocol):
    """What a receiver does inside one write transaction."""

    def receipt(self, key: str) -> bytes | None: ...
    def version(self, ident: str, phien_ban: int) -> StoredVersion | None: ...
    def add_version(self, v: StoredVersion, signed: bytes) -> None: ...
    def revoke(self, ident: str, phien_ban: int, ma_goi_tin: str, notice: bytes) -> None: ...
    def save_receipt(self, key: str, ma_goi_tin: str | None, bam_goi_tin: str,
                     received_at: str, receipt: bytes) -> None: ...


class Store(Protocol):
    """The receiving store protocol (one implementation ships: :class:`SqliteStore`)."""

    def transaction(self) -> AbstractContextManager[StoreTransaction]: ...
    def receipt_by_sha256(self, bam_goi_tin: str) -> bytes | None: ...
    def lookup(self, ma_tra_cuu: str) -> LookupResult | None: ...
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

    def lookup(self, ma_tra_cuu: str) -> LookupResult | None:
        """The latest version carrying this lookup code, with its status."""
        row = self._con.execute(
            "SELECT ma_dinh_danh_hoc_ba FROM phien_ban WHERE ma_tra_cuu = ? "
            "ORDER BY phien_ban DESC LIMIT 1",
            (ma_tra_cuu,),
        ).fetchone()
        if row is None:
            return None
        versions = self.versions(row[0])
        latest = versions[-1]
        (signed,) = self._con.execute(
            "SELECT hoc_ba FROM phien_ban WHERE ma_dinh_danh_hoc_ba = ? AND phien_ban = ?",
            (latest.ma_dinh_danh_hoc_ba, latest.phien_ban),
        ).fetchone()
        status = TrangThaiLuu.THU_HOI if latest.revoked else TrangThaiLuu.CO_HIEU_LUC
        return LookupResult(latest.ma_dinh_danh_hoc_ba, latest.phien_ban, latest.bam_hoc_ba,
                            status, len(versions), latest.ma_goi_tin, bytes(signed))

    def close(self) -> None:
        self._con.close()
