"""Packages to the Ministry, receipts, the receiving store, lookup and transfer bundles.

A layer above ``hocbaso.verify``: :func:`pack` puts issued records and revocation notices, byte
for byte, into a signed ZIP container; :func:`open_package` reads one through a hardened ZIP
reader; :func:`verify_package` checks the envelope, every digest and every record;
:func:`lookup` answers whether a version is in force, corrected or revoked, with a report.
``docs/package.md`` is the normative description of the formats and of every code.
"""

from hocbaso.package._codes import PACKAGE_CODES
from hocbaso.package._envelope import ENVELOPE_FORMAT_VERSION, GoiTin, LoaiTep, MucDich, TepGoiTin
from hocbaso.package._lookup import lookup
from hocbaso.package._package import (
    EntryResult,
    Package,
    PackageFinding,
    PackageReport,
    dot_gui_of,
    open_package,
    pack,
    round_deadline,
    verify_package,
)
from hocbaso.package._receipt import BienNhan, KetQuaTep, TrangThaiNhan, read_receipt
from hocbaso.package._receiver import Receiver
from hocbaso.package._store import (
    SCHEMA_VERSION,
    LookupResult,
    SqliteStore,
    Store,
    StoredVersion,
    StoreTransaction,
    TrangThaiLuu,
    version_status,
)
from hocbaso.package._stream import PackageEntries
from hocbaso.package._transfer import TransferReport, pack_transfer, verify_transfer
from hocbaso.package._zip import MEDIA_TYPE_GOI_TIN, ZipLimits, media_type_of

__all__ = [
    "ENVELOPE_FORMAT_VERSION",
    "MEDIA_TYPE_GOI_TIN",
    "PACKAGE_CODES",
    "SCHEMA_VERSION",
    "BienNhan",
    "EntryResult",
    "GoiTin",
    "KetQuaTep",
    "LoaiTep",
    "LookupResult",
    "MucDich",
    "Package",
    "PackageEntries",
    "PackageFinding",
    "PackageReport",
    "Receiver",
    "SqliteStore",
    "Store",
    "StoreTransaction",
    "StoredVersion",
    "TepGoiTin",
    "TrangThaiLuu",
    "TrangThaiNhan",
    "TransferReport",
    "ZipLimits",
    "dot_gui_of",
    "lookup",
    "media_type_of",
    "open_package",
    "pack",
    "pack_transfer",
    "read_receipt",
    "round_deadline",
    "verify_package",
    "verify_transfer",
    "version_status",
]
