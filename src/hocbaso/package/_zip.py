"""A hardened ZIP reader and the writer of package containers (docs/package.md §2).

A package arrives from outside, so the reader treats it like the XML parser treats a packet:
it reads the central directory itself, checks every header against limits and against the
local headers *before* anything is inflated, and inflates one entry at a time through a bounded
stream (never more than the declared size + 1 byte). Every refusal is a
:class:`~hocbaso.errors.PackageError` with its own ``PACKAGE.ZIP.*`` code. Only what a package
needs is accepted: stored and deflate entries, UTF-8 or ASCII names, no ZIP64, one disk, no
comment, entries back to back from byte 0 to the central directory (no bytes outside them),
and the first entry ``mimetype``, stored, holding one of our media types — so a package is
recognised from its first bytes, as ODF, EPUB and ASiC containers are.

The writer uses :mod:`zipfile` in write mode on a seekable file or buffer, one entry at a
time (records are never all in memory together), with the ``mimetype`` entry first and stored.
"""

from __future__ import annotations

import hashlib
import io
import re
import stat
import struct
import tempfile
import threading
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from hocbaso.package._codes import package_error

__all__ = [
    "MEDIA_TYPES",
    "MEDIA_TYPE_GOI_TIN",
    "Source",
    "ZipEntry",
    "ZipLimits",
    "ZipView",
    "ZipWriter",
    "media_type_of",
    "open_source",
]

#: Media type of a submission package (first entry ``mimetype``).
MEDIA_TYPE_GOI_TIN = "application/vnd.hocbaso.goi-tin+zip"
MEDIA_TYPES = frozenset({MEDIA_TYPE_GOI_TIN})

_LOCAL = b"PK\x03\x04"
_CENTRAL = b"PK\x01\x02"
_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_DESCRIPTOR = b"PK\x07\x08"
_MIMETYPE = "mimetype"
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CHUNK = 64 * 1024
#: DEFLATE level of every entry. 9 rather than zlib's default 6: +0.3 % smaller for about
#: 0.07 ms more per record (docs/package.md, "Compression": a signed record is mostly base64
#: certificates and signature values, which no DEFLATE level can shrink much).
_LEVEL = 9


@dataclass(frozen=True, slots=True)
class ZipLimits:
    """Bounds the reader enforces before inflating anything (defaults fit a school of
    several thousand records with room to spare)."""

    max_archive_bytes: int = 512 * 1024 * 1024
    max_entries: int = 20_000
    max_entry_bytes: int = 8 * 1024 * 1024
    max_total_bytes: int = 2 * 1024 * 1024 * 1024
    max_ratio: int = 100
    max_name_length: int = 200


@dataclass(frozen=True, slots=True)
class ZipEntry:
    """One checked entry: where its compressed bytes are and what they must inflate to."""

    name: str
    method: int
    crc: int
    compressed_size: int
    size: int
    data_offset: int


def media_type_of(head: bytes) -> str | None:
    """The media type a container declares in its first bytes, or None: lets a caller tell a
    package from an XML record without opening it (``hocbaso verify`` does)."""
    if len(head) < 38 or head[:4] != _LOCAL or head[30:38] != b"mimetype":
        return None
    method, = struct.unpack_from("<H", head, 8)
    size, = struct.unpack_from("<I", head, 22)
    nlen, elen = struct.unpack_from("<HH", head, 26)
    start = 30 + nlen + elen
    if method != 0 or nlen != 8 or len(head) < start + size:
        return None
    try:
        return head[start : start + size].decode("ascii")
    except UnicodeDecodeError:
        return None


def _check_name(raw: bytes, utf8: bool, limits: ZipLimits) -> str:
    if len(raw) > limits.max_name_length:
        raise package_error("PACKAGE.ZIP.NAME_LENGTH")
    try:
        name = raw.decode("utf-8") if utf8 else raw.decode("ascii")
    except UnicodeDecodeError:
        raise package_error("PACKAGE.ZIP.NAME_INVALID") from None
    if "\\" in name:
        raise package_error("PACKAGE.ZIP.BACKSLASH", path=name)
    if name.startswith("/") or _DRIVE.match(name):
        raise package_error("PACKAGE.ZIP.ABSOLUTE", path=name)
    parts = name.split("/")
    if ".." in parts:
        raise package_error("PACKAGE.ZIP.TRAVERSAL", path=name)
    if name.endswith("/"):
        raise package_error("PACKAGE.ZIP.SYMLINK", path=name, detail="directory")
    if not name or _CONTROL.search(name) or any(p in ("", ".") for p in parts):
        raise package_error("PACKAGE.ZIP.NAME_INVALID")
    return name


class Source:
    """Random access to a package's bytes without holding them in memory.

    Over ``bytes`` it is a view; over a file it seeks and reads only the ranges asked for
    (the end record, one central-directory header at a time, one entry's compressed bytes in
    64 KiB chunks), so a package of any size costs memory in proportion to its largest entry,
    not to its length. A lock makes each ranged read atomic: one view may be read from
    several threads.
    """

    def __init__(self, data: bytes | bytearray | memoryview | None = None, *,
                 file: IO[bytes] | None = None, owned: bool = False) -> None:
        self._lock = threading.Lock()
        self._view: memoryview | None = None
        self._file = file
        self._owned = owned
        self._base = 0
        if data is not None:
            self._view = memoryview(data).cast("B")
            self.size = len(self._view)
        else:
            assert file is not None
            self._base = file.tell()
            self.size = file.seek(0, io.SEEK_END) - self._base

    def read_at(self, offset: int, n: int) -> bytes:
        """Up to ``n`` bytes from ``offset`` (fewer only at the end of the package)."""
        n = max(0, min(n, self.size - offset))
        if offset < 0 or n == 0:
            return b""
        if self._view is not None:
            return bytes(self._view[offset : offset + n])
        assert self._file is not None
        with self._lock:
            self._file.seek(self._base + offset)
            return self._file.read(n)

    def chunks(self, offset: int = 0, length: int | None = None) -> Iterator[bytes]:
        """The bytes from ``offset`` (``length`` of them, default to the end) in chunks."""
        end = self.size if length is None else min(self.size, offset + length)
        while offset < end:
            chunk = self.read_at(offset, min(_CHUNK, end - offset))
            if not chunk:
                return
            offset += len(chunk)
            yield chunk

    def sha256(self) -> str:
        """SHA-256 of the whole package, read once more in chunks (never held whole)."""
        digest = hashlib.sha256()
        for chunk in self.chunks():
            digest.update(chunk)
        return digest.hexdigest()

    def close(self) -> None:
        if self._owned and self._file is not None:
            self._file.close()

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_source(source: bytes | bytearray | memoryview | Path | IO[bytes] | Source,
                limits: ZipLimits | None = None) -> Source:
    """A :class:`Source` over bytes, a path (opened here, closed by :meth:`Source.close`) or
    a binary file (read from its current position; one that cannot seek is first copied,
    in chunks, to an anonymous temporary file). Refuses a package over
    ``max_archive_bytes`` before reading it."""
    limit = (limits or ZipLimits()).max_archive_bytes
    if isinstance(source, Source):
        opened = source
    elif isinstance(source, bytes | bytearray | memoryview):
        opened = Source(source)
    elif isinstance(source, Path):
        if not source.is_file():
            raise package_error("PACKAGE.INPUT", path="package", detail="not a regular file")
        try:
            opened = Source(file=source.open("rb"), owned=True)
        except OSError:
            raise package_error("PACKAGE.INPUT", path="package", detail="unreadable") from None
    elif hasattr(source, "read"):
        if _seekable(source):
            opened = Source(file=source)
        else:
            spool = tempfile.TemporaryFile()  # noqa: SIM115 - owned by the Source
            total = 0
            while chunk := source.read(_CHUNK):
                total += len(chunk)
                if total > limit:
                    spool.close()
                    raise package_error("PACKAGE.ZIP.TOO_LARGE")
                spool.write(chunk)
            spool.seek(0)
            opened = Source(file=spool, owned=True)
    else:
        raise package_error("PACKAGE.INPUT", path="package",
                            detail="pass bytes, a pathlib.Path or a binary file")
    if opened.size > limit:
        opened.close()
        raise package_error("PACKAGE.ZIP.TOO_LARGE")
    return opened


def _seekable(fh: IO[bytes]) -> bool:
    try:
        if not fh.seekable():
            return False
        fh.tell()
    except (OSError, ValueError, AttributeError):
        return False
    return True


class ZipView:
    """A read-only, checked view of a ZIP (bytes or a seekable file); :meth:`read` inflates
    one entry. Only the central directory's checked summary (one small :class:`ZipEntry`
    per entry) is kept; entry bytes are read when asked for and let go by the caller."""

    def __init__(self, data: bytes | Source, limits: ZipLimits | None = None) -> None:
        self._limits = limits = limits or ZipLimits()
        self._src = data if isinstance(data, Source) else Source(data)
        if self._src.size > limits.max_archive_bytes:
            raise package_error("PACKAGE.ZIP.TOO_LARGE")
        self.entries: tuple[ZipEntry, ...] = self._parse()
        self._by_name = {e.name: e for e in self.entries}

    @property
    def source(self) -> Source:
        return self._src

    def close(self) -> None:
        self._src.close()

    # -- parsing ---------------------------------------------------------------------------
    def _eocd(self) -> int:
        src = self._src
        floor = max(0, src.size - 22 - 0xFFFF)
        tail = src.read_at(floor, src.size - floor)
        pos = tail.rfind(_EOCD)
        found_any = pos >= 0
        while pos >= 0:
            if pos + 22 <= len(tail):
                clen, = struct.unpack_from("<H", tail, pos + 20)
                if pos + 22 + clen == len(tail):
                    if clen:
                        raise package_error("PACKAGE.ZIP.OUTSIDE_DATA", detail="archive comment")
                    return floor + pos
            pos = tail.rfind(_EOCD, 0, pos)
        if found_any:
            raise package_error("PACKAGE.ZIP.OUTSIDE_DATA", detail="bytes after the archive")
        if src.read_at(0, 4) == _LOCAL:
            raise package_error("PACKAGE.ZIP.TRUNCATED")
        raise package_error("PACKAGE.ZIP.NOT_ZIP")

    def _parse(self) -> tuple[ZipEntry, ...]:
        src, limits = self._src, self._limits
        eocd = self._eocd()
        end_record = src.read_at(eocd, 22)
        disk, cd_disk, n_disk, n_total, cd_size, cd_offset = struct.unpack_from(
            "<HHHHII", end_record, 4
        )
        if 0xFFFF in (n_disk, n_total) or 0xFFFFFFFF in (cd_size, cd_offset):
            raise package_error("PACKAGE.ZIP.ZIP64")
        if eocd >= 20 and src.read_at(eocd - 20, 4) == _ZIP64_LOCATOR:
            raise package_error("PACKAGE.ZIP.ZIP64")
        if disk or cd_disk or n_disk != n_total:
            raise package_error("PACKAGE.ZIP.MULTIDISK")
        if n_total > limits.max_entries:
            raise package_error("PACKAGE.ZIP.TOO_MANY_ENTRIES")
        if cd_offset + cd_size > eocd:
            raise package_error("PACKAGE.ZIP.TRUNCATED")
        if cd_offset + cd_size < eocd:
            raise package_error("PACKAGE.ZIP.OUTSIDE_DATA", detail="before the end record")
        central: list[tuple[str, bytes, int, int, int, int, int, int]] = []
        seen: set[str] = set()
        total = 0
        pos = cd_offset
        cd_end = cd_offset + cd_size
        for _ in range(n_total):
            # One header at a time (46 bytes, then at most 3 × 64 KiB of name, extra and
            # comment): the directory is never held whole.
            head = src.read_at(pos, 46) if pos + 46 <= cd_end else b""
            if len(head) != 46 or head[:4] != _CENTRAL:
                raise package_error("PACKAGE.ZIP.TRUNCATED", detail="central directory")
            (made_by, _need, flags, method, _t, _d, crc, csize, usize, nlen, elen, clen,
             start_disk, _iattr, eattr, offset) = struct.unpack_from(
                "<HHHHHHIIIHHHHHII", head, 4
            )
            end = pos + 46 + nlen + elen + clen
            if end > cd_end:
                raise package_error("PACKAGE.ZIP.TRUNCATED", detail="central directory")
            if nlen > limits.max_name_length:
                raise package_error("PACKAGE.ZIP.NAME_LENGTH")
            tail = src.read_at(pos + 46, nlen + elen)
            raw, extra = tail[:nlen], tail[nlen:]
            pos = end
            if flags & 0x1 or flags & 0x40 or method == 99:
                raise package_error("PACKAGE.ZIP.ENCRYPTED")
            if 0xFFFFFFFF in (csize, usize, offset) or start_disk == 0xFFFF or _has_zip64(extra):
                raise package_error("PACKAGE.ZIP.ZIP64")
            if start_disk:
                raise package_error("PACKAGE.ZIP.MULTIDISK")
            if method not in (0, 8):
                raise package_error("PACKAGE.ZIP.METHOD")
            name = _check_name(raw, bool(flags & 0x800), limits)
            kind = stat.S_IFMT(eattr >> 16)
            if ((made_by >> 8) == 3 and kind not in (0, stat.S_IFREG)) or eattr & 0x10:
                raise package_error("PACKAGE.ZIP.SYMLINK", path=name)
            key = unicodedata.normalize("NFC", name).casefold()
            if key in seen:
                raise package_error("PACKAGE.ZIP.DUPLICATE", path=name)
            seen.add(key)
            if usize > limits.max_entry_bytes:
                raise package_error("PACKAGE.ZIP.ENTRY_TOO_LARGE", path=name)
            total += usize
            if total > limits.max_total_bytes:
                raise package_error("PACKAGE.ZIP.TOTAL_TOO_LARGE")
            if usize > limits.max_ratio * max(csize, 1) and usize > 4096:
                raise package_error("PACKAGE.ZIP.RATIO", path=name)
            if method == 0 and csize != usize:
                raise package_error("PACKAGE.ZIP.HEADER_MISMATCH", path=name)
            central.append((name, raw, flags, method, crc, csize, usize, offset))
        if pos != cd_end:
            raise package_error("PACKAGE.ZIP.OUTSIDE_DATA", detail="central directory")
        return self._check_locals(central, cd_offset)

    def _check_locals(
        self, central: list[tuple[str, bytes, int, int, int, int, int, int]], cd_offset: int
    ) -> tuple[ZipEntry, ...]:
        src = self._src
        entries: list[ZipEntry] = []
        expected = 0
        for name, raw, flags, method, crc, csize, usize, offset in sorted(
            central, key=lambda c: c[7]
        ):
            if offset != expected:
                raise package_error("PACKAGE.ZIP.OUTSIDE_DATA", path=name,
                                    detail="gap or overlap between entries")
            head = src.read_at(offset, 30) if offset + 30 <= cd_offset else b""
            if len(head) != 30 or head[:4] != _LOCAL:
                raise package_error("PACKAGE.ZIP.TRUNCATED", path=name)
            (_need, lflags, lmethod, _t, _d, lcrc, lcsize, lusize, nlen, elen) = (
                struct.unpack_from("<HHHHHIIIHH", head, 4)
            )
            start = offset + 30 + nlen + elen
            if start > cd_offset:
                raise package_error("PACKAGE.ZIP.TRUNCATED", path=name)
            ltail = src.read_at(offset + 30, nlen + elen)
            lraw = ltail[:nlen]
            if _has_zip64(ltail[nlen:]):
                raise package_error("PACKAGE.ZIP.ZIP64", path=name)
            described = bool(flags & 0x8)
            sizes_ok = (lcrc, lcsize, lusize) == (crc, csize, usize) or (
                described and (lcrc, lcsize, lusize) == (0, 0, 0)
            )
            if lraw != raw or lflags != flags or lmethod != method or not sizes_ok:
                raise package_error("PACKAGE.ZIP.HEADER_MISMATCH", path=name)
            end = start + csize
            if end > cd_offset:
                raise package_error("PACKAGE.ZIP.TRUNCATED", path=name)
            if described:
                if src.read_at(end, 4) == _DESCRIPTOR:
                    end += 4
                if end + 12 > cd_offset or struct.unpack("<III", src.read_at(end, 12)) != (
                    crc, csize, usize
                ):
                    raise package_error("PACKAGE.ZIP.HEADER_MISMATCH", path=name)
                end += 12
            entries.append(ZipEntry(name, method, crc, csize, usize, start))
            expected = end
        if expected != cd_offset:
            raise package_error("PACKAGE.ZIP.OUTSIDE_DATA", detail="before the central directory")
        first = entries[0] if entries else None
        if (
            first is None
            or first.name != _MIMETYPE
            or first.method != 0
            or first.data_offset != 30 + len(_MIMETYPE)
            or src.read_at(first.data_offset, first.size).decode("ascii", "replace")
            not in MEDIA_TYPES
        ):
            raise package_error("PACKAGE.ZIP.MIMETYPE")
        if any(e.name == _MIMETYPE for e in entries[1:]):
            raise package_error("PACKAGE.ZIP.MIMETYPE")
        return tuple(entries)

    # -- reading ---------------------------------------------------------------------------
    @property
    def media_type(self) -> str:
        first = self.entries[0]
        return self._src.read_at(first.data_offset, first.size).decode("ascii")

    def names(self) -> list[str]:
        return [e.name for e in self.entries]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def entry(self, name: str) -> ZipEntry:
        entry = self._by_name.get(name)
        if entry is None:
            raise package_error("PACKAGE.ZIP.NO_ENTRY", path=name)
        return entry

    def read(self, name: str) -> bytes:
        """The exact bytes of one entry, inflated through a bounded stream and CRC-checked
        (read from the file in chunks: only this entry's bytes are ever in memory)."""
        entry = self.entry(name)
        if entry.method == 0:
            out = self._src.read_at(entry.data_offset, entry.compressed_size)
            if len(out) != entry.size:
                raise package_error("PACKAGE.ZIP.TRUNCATED", path=name)
        else:
            out = _inflate(self._src.chunks(entry.data_offset, entry.compressed_size), entry)
        if zlib.crc32(out) != entry.crc:
            raise package_error("PACKAGE.ZIP.CRC", path=name)
        return out

    def __iter__(self) -> Iterator[ZipEntry]:
        return iter(self.entries)


def _has_zip64(extra: bytes) -> bool:
    pos = 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, pos)
        if tag == 0x0001:
            return True
        pos += 4 + size
    return False


def _inflate(chunks: Iterator[bytes], entry: ZipEntry) -> bytes:
    limit = entry.size
    d = zlib.decompressobj(-15)
    out = bytearray()
    pending = b""
    try:
        while not d.eof:
            if not pending:
                pending = next(chunks, b"")
                if not pending:
                    break
            out += d.decompress(pending, limit - len(out) + 1)
            if len(out) > limit:
                raise package_error("PACKAGE.ZIP.SIZE_MISMATCH", path=entry.name)
            pending = d.unconsumed_tail
    except zlib.error:
        raise package_error("PACKAGE.ZIP.CORRUPT", path=entry.name) from None
    if not d.eof or d.unused_data or pending or next(chunks, b""):
        raise package_error("PACKAGE.ZIP.CORRUPT", path=entry.name)
    if len(out) != limit:
        raise package_error("PACKAGE.ZIP.SIZE_MISMATCH", path=entry.name)
    return bytes(out)


class ZipWriter:
    """Writes a container one entry at a time: ``mimetype`` first (stored), then entries."""

    def __init__(self, target: IO[bytes], media_type: str, when: datetime) -> None:
        self._zip = zipfile.ZipFile(target, "w", allowZip64=False)
        self._when = (max(when.year, 1980), when.month, when.day, when.hour, when.minute,
                      when.second - when.second % 2)
        self._write(_MIMETYPE, media_type.encode("ascii"), zipfile.ZIP_STORED)

    def _write(self, name: str, data: bytes, method: int) -> None:
        info = zipfile.ZipInfo(name, date_time=self._when)
        info.compress_type = method
        info.create_system = 3
        info.external_attr = (stat.S_IFREG | 0o644) << 16
        self._zip.writestr(info, data, compress_type=method, compresslevel=_LEVEL)

    def add(self, name: str, data: bytes) -> None:
        self._write(name, data, zipfile.ZIP_DEFLATED)

    def close(self) -> None:
        self._zip.close()
