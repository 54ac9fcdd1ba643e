"""Every ZIP attack is refused with its own code, in bounded time and memory."""

from __future__ import annotations

import io
import stat
import struct
import time
import tracemalloc
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.package.conftest import RECEIVED_AT

from hocbaso.errors import PackageError
from hocbaso.package import (
    MEDIA_TYPE_GOI_TIN,
    PACKAGE_CODES,
    ZipLimits,
    open_package,
    verify_package,
)
from hocbaso.verify import TrustStore

_MT = MEDIA_TYPE_GOI_TIN.encode()


def _zip(entries: list[tuple[str | zipfile.ZipInfo, bytes]], *, mimetype: bool = True,
         method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w") as zf:
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate names we want
        if mimetype:
            zf.writestr(zipfile.ZipInfo("mimetype"), _MT, compress_type=zipfile.ZIP_STORED)
        for name, data in entries:
            info = name if isinstance(name, zipfile.ZipInfo) else zipfile.ZipInfo(name)
            zf.writestr(info, data, compress_type=method)
    return out.getvalue()


def _symlink() -> bytes:
    info = zipfile.ZipInfo("hoc_ba/link.xml")
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return _zip([(info, b"/etc/passwd")])


def _encrypted() -> bytes:
    data = bytearray(_zip([("GOI_TIN.xml", b"<x/>")]))
    # set bit 0 (encrypted) in the second entry's local and central header flags
    local = data.find(b"PK\x03\x04", 10)
    central = data.find(b"PK\x01\x02", data.find(b"PK\x01\x02") + 4)
    data[local + 6] |= 1
    data[central + 8] |= 1
    return bytes(data)


def _zip64() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), _MT, compress_type=zipfile.ZIP_STORED)
        with zf.open("GOI_TIN.xml", "w", force_zip64=True) as fh:
            fh.write(b"<x/>")
    return out.getvalue()


def _mimetype_second() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("GOI_TIN.xml", b"<x/>")
        zf.writestr(zipfile.ZipInfo("mimetype"), _MT, compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


def _comment() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), _MT, compress_type=zipfile.ZIP_STORED)
        zf.comment = b"hidden"
    return out.getvalue()


def _bzip2() -> bytes:
    return _zip([("GOI_TIN.xml", b"<x/>" * 10)], method=zipfile.ZIP_BZIP2)


def _lying_size() -> bytes:
    data = bytearray(_zip([("GOI_TIN.xml", b"a" * 3000)]))
    # claim 10 bytes uncompressed in both headers: inflating must stop at 11
    local = data.find(b"PK\x03\x04", 10)
    central = data.find(b"PK\x01\x02", data.find(b"PK\x01\x02") + 4)
    struct.pack_into("<I", data, local + 22, 10)
    struct.pack_into("<I", data, central + 24, 10)
    return bytes(data)


def _lying_crc() -> bytes:
    data = bytearray(_zip([("GOI_TIN.xml", b"a" * 3000)]))
    local = data.find(b"PK\x03\x04", 10)
    central = data.find(b"PK\x01\x02", data.find(b"PK\x01\x02") + 4)
    struct.pack_into("<I", data, local + 14, 1234)
    struct.pack_into("<I", data, central + 16, 1234)
    return bytes(data)


def _overlap() -> bytes:
    # the second entry's central record points back at the first entry (overlapping data)
    data = bytearray(_zip([("GOI_TIN.xml", b"<x/>"), ("hoc_ba/a.xml", b"<y/>")]))
    first_central = data.find(b"PK\x01\x02")
    third = data.find(b"PK\x01\x02", data.find(b"PK\x01\x02", first_central + 4) + 4)
    struct.pack_into("<I", data, third + 42, 0)
    return bytes(data)


ATTACKS: dict[str, tuple[Callable[[], bytes], str, ZipLimits | None]] = {
    "bomb by ratio": (lambda: _zip([("GOI_TIN.xml", b"\0" * 4_000_000)]), "PACKAGE.ZIP.RATIO",
                      None),
    "bomb by size": (lambda: _zip([("GOI_TIN.xml", bytes(range(256)) * 64)]),
                     "PACKAGE.ZIP.ENTRY_TOO_LARGE", ZipLimits(max_entry_bytes=1000)),
    "bomb by total": (lambda: _zip([(f"hoc_ba/{i}.xml", bytes(range(256)) * 4)
                                    for i in range(5)]),
                      "PACKAGE.ZIP.TOTAL_TOO_LARGE", ZipLimits(max_total_bytes=3000)),
    "too many entries": (lambda: _zip([(f"hoc_ba/{i}.xml", b"x") for i in range(30)]),
                         "PACKAGE.ZIP.TOO_MANY_ENTRIES", ZipLimits(max_entries=10)),
    "archive too large": (lambda: _zip([("GOI_TIN.xml", b"x")]), "PACKAGE.ZIP.TOO_LARGE",
                          ZipLimits(max_archive_bytes=50)),
    "long name": (lambda: _zip([("hoc_ba/" + "a" * 300 + ".xml", b"x")]),
                  "PACKAGE.ZIP.NAME_LENGTH", None),
    "traversal": (lambda: _zip([("hoc_ba/../../etc/x.xml", b"x")]), "PACKAGE.ZIP.TRAVERSAL",
                  None),
    "absolute": (lambda: _zip([("/etc/x.xml", b"x")]), "PACKAGE.ZIP.ABSOLUTE", None),
    "drive letter": (lambda: _zip([("C:x.xml", b"x")]), "PACKAGE.ZIP.ABSOLUTE", None),
    "backslash": (lambda: _zip([("hoc_ba\\x.xml", b"x")]), "PACKAGE.ZIP.BACKSLASH", None),
    "duplicate": (lambda: _zip([("hoc_ba/a.xml", b"x"), ("hoc_ba/a.xml", b"y")]),
                  "PACKAGE.ZIP.DUPLICATE", None),
    "duplicate by case": (lambda: _zip([("hoc_ba/a.xml", b"x"), ("HOC_BA/A.xml", b"y")]),
                          "PACKAGE.ZIP.DUPLICATE", None),
    "duplicate by NFC": (lambda: _zip([("hoc_ba/\u00e9.xml", b"x"), ("hoc_ba/e\u0301.xml", b"y")]),
                         "PACKAGE.ZIP.DUPLICATE", None),
    "symlink": (_symlink, "PACKAGE.ZIP.SYMLINK", None),
    "directory": (lambda: _zip([("hoc_ba/", b"")]), "PACKAGE.ZIP.SYMLINK", None),
    "encrypted": (_encrypted, "PACKAGE.ZIP.ENCRYPTED", None),
    "zip64": (_zip64, "PACKAGE.ZIP.ZIP64", None),
    "method": (_bzip2, "PACKAGE.ZIP.METHOD", None),
    "no mimetype": (lambda: _zip([("GOI_TIN.xml", b"x")], mimetype=False),
                    "PACKAGE.ZIP.MIMETYPE", None),
    "mimetype not first": (_mimetype_second, "PACKAGE.ZIP.MIMETYPE", None),
    "prefix bytes": (lambda: b"MZ" * 50 + _zip([("GOI_TIN.xml", b"x")]),
                     "PACKAGE.ZIP.OUTSIDE_DATA", None),
    "trailing bytes": (lambda: _zip([("GOI_TIN.xml", b"x")]) + b"junk",
                       "PACKAGE.ZIP.OUTSIDE_DATA", None),
    "comment": (_comment, "PACKAGE.ZIP.OUTSIDE_DATA", None),
    "overlapping entries": (_overlap, "PACKAGE.ZIP.OUTSIDE_DATA", None),
    "truncated": (lambda: _zip([("GOI_TIN.xml", b"x" * 100)])[:-30], "PACKAGE.ZIP.TRUNCATED",
                  None),
    "not a zip": (lambda: b"<HOC_BA/>", "PACKAGE.ZIP.NOT_ZIP", None),
}


@pytest.mark.parametrize("kind", ["bytes", "file"])
@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_zip_attack_is_refused_with_its_code(
    name: str, kind: str, trust: TrustStore, tmp_path: Path
) -> None:
    make, code, limits = ATTACKS[name]
    data: bytes | Path = make()
    if kind == "file":  # read from the file as it is needed, never whole
        path = tmp_path / "attack.zip"
        path.write_bytes(data)
        data = path
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(PackageError) as err, open_package(data, limits=limits) as view:
        for entry in view.names:
            view.read(entry)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert err.value.code == code
    assert elapsed < 2.0
    assert peak < 16 * 1024 * 1024
    # verify_package never raises: the refusal is a FAIL finding with the same code
    report = verify_package(data, trust, at=RECEIVED_AT, limits=limits)
    assert not report.ok and report.findings[0].code == code


@pytest.mark.parametrize(("make", "code"), [(_lying_size, "PACKAGE.ZIP.SIZE_MISMATCH"),
                                            (_lying_crc, "PACKAGE.ZIP.CRC")])
def test_an_entry_that_lies_about_its_content_is_refused_on_read(
    make: Callable[[], bytes], code: str
) -> None:
    view = open_package(make())
    with pytest.raises(PackageError) as err:
        view.read("GOI_TIN.xml")
    assert err.value.code == code


@settings(max_examples=60)
@given(position=st.integers(min_value=0), value=st.integers(0, 255), cut=st.booleans())
def test_a_damaged_package_is_refused_or_reported_never_raised(
    package: bytes, trust: TrustStore, position: int, value: int, cut: bool
) -> None:
    position %= len(package)
    data = package[:position] if cut else (
        package[:position] + bytes([value]) + package[position + 1:])
    try:
        view = open_package(data)
        for name in view.names:
            view.read(name)
    except PackageError as err:
        assert err.code in PACKAGE_CODES
    report = verify_package(data, trust, at=RECEIVED_AT)
    assert all(f.code in PACKAGE_CODES for f in report.findings)
    if report.ok:  # a change it accepts is one outside every entry's bytes (e.g. a date)
        assert dict(open_package(data).entries()) == dict(open_package(package).entries())
        assert open_package(data).envelope_bytes == open_package(package).envelope_bytes
