"""Packages (gói tin): pack, open, verify (docs/package.md §2–§5).

A package is a ZIP container (``_zip``): ``mimetype``, then ``GOI_TIN.xml`` (the signed
envelope, ``_envelope``), then every record under ``hoc_ba/`` and every revocation notice under
``thu_hoi/``, each exactly the bytes that were issued — nothing here ever re-serialises a
record. :func:`verify_package` never raises on hostile input: a package that cannot be opened
or believed is a coded finding of the report, and each record is judged on its own (one
corrupted record does not sink the others).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from cryptography import x509

from hocbaso.errors import HocBaSoError, PackageError
from hocbaso.models import HocBa, MucDanhGia
from hocbaso.package._codes import PACKAGE_CODES, package_error
from hocbaso.package._envelope import (
    DATA_ID,
    ENVELOPE_LIMITS,
    OBJ_ID,
    SIG_ID,
    SLOT,
    GoiTin,
    LoaiTep,
    MucDich,
    TepGoiTin,
    envelope_bytes,
    read_envelope,
    validate_document,
)
from hocbaso.package._signed import as_crl_set, believe, believe_notice, binding_for
from hocbaso.package._zip import (
    MEDIA_TYPE_GOI_TIN,
    Source,
    ZipLimits,
    ZipView,
    ZipWriter,
    open_source,
)
from hocbaso.packet import parse_xml, read_hoc_ba
from hocbaso.signature import (
    IssuedRecord,
    Signer,
    SigningPolicy,
    read_thong_bao_thu_hoi,
    record_digest,
)
from hocbaso.signature._internal import ElementSlot, sign_element
from hocbaso.verify import (
    STRICT,
    CrlSet,
    Status,
    TrustStore,
    VerificationPolicy,
    VerificationReport,
    verify,
)

#: Where the envelope's signature lives (docs/package.md).
_PLACE = ElementSlot(DATA_ID, SLOT, SIG_ID, OBJ_ID)

__all__ = [
    "ENVELOPE_NAME",
    "EntryResult",
    "Package",
    "PackageFinding",
    "PackageReport",
    "dot_gui_of",
    "open_package",
    "pack",
    "round_deadline",
    "verify_package",
]

ENVELOPE_NAME = "GOI_TIN.xml"
_VN = dt.timezone(dt.timedelta(hours=7))
_ENVELOPE_SCHEMA = "goi-tin-1.0.xsd"


def dot_gui_of(hoc_ba: HocBa) -> int | None:
    """The round a record belongs to: 2 when its outcome needed summer training or re-tests
    (``REN_LUYEN_LAI`` / ``KQ_HOC_TAP_LAI`` present), 1 for a final outcome, None while the
    summer result is still pending (conduct or learning Chưa đạt and no summer result)."""
    tk = hoc_ba.thong_tin_hoc_ba.tong_ket
    if tk.ren_luyen_lai is not None or tk.kq_hoc_tap_lai is not None:
        return 2
    if (tk.ren_luyen_ca_nam is MucDanhGia.CHUA_DAT or tk.ca_nam is MucDanhGia.CHUA_DAT) and (
        (tk.so_buoi_nghi or 0) <= 45
    ):
        return None
    return 1


def round_deadline(nam_hoc: str, dot_gui: int) -> dt.datetime:
    """End of a round's last day, Vietnam time: 30 June (round 1) or 20 August (round 2) of
    the school year's second calendar year."""
    year = int(nam_hoc[-4:])
    day = dt.date(year, 6, 30) if dot_gui == 1 else dt.date(year, 8, 20)
    return dt.datetime.combine(day, dt.time(23, 59, 59), _VN)


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


class Package:
    """A read-only view of a package: entry names, and each entry's exact bytes on demand.

    Nothing is re-serialised: :meth:`read` returns the bytes as they were packed (inflated and
    CRC-checked by the hardened reader), one entry at a time. Over a file, the package is never
    held in memory: only the checked central directory (one small summary per entry) is kept
    and each entry is read from the file when asked for. A view opened from a path holds the
    file open until :meth:`close` (it is a context manager).
    """

    def __init__(self, data: bytes | Source, limits: ZipLimits | None = None) -> None:
        self._zip = ZipView(data, limits)
        names = self._zip.names()
        if len(names) < 2 or names[1] != ENVELOPE_NAME:
            raise package_error("PACKAGE.ENVELOPE.MISSING")

    @property
    def media_type(self) -> str:
        return self._zip.media_type

    @property
    def names(self) -> tuple[str, ...]:
        """Entry names in archive order (``mimetype``, ``GOI_TIN.xml``, records, notices)."""
        return tuple(self._zip.names())

    @property
    def envelope_bytes(self) -> bytes:
        return self._zip.read(ENVELOPE_NAME)

    def size(self, name: str) -> int:
        """The uncompressed size the central directory declares for an entry."""
        return self._zip.entry(name).size

    def read(self, name: str) -> bytes:
        return self._zip.read(name)

    def entries(self) -> Iterator[tuple[str, bytes]]:
        """``(name, bytes)`` of every record and notice entry, in archive order."""
        for name in self.names[2:]:
            yield name, self._zip.read(name)

    def sha256(self) -> str:
        """SHA-256 of the whole container, read in chunks."""
        return self._zip.source.sha256()

    def close(self) -> None:
        """Close the file this view opened (a no-op over bytes or a caller's file)."""
        self._zip.close()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_package(source: bytes | Path | IO[bytes], *, limits: ZipLimits | None = None) -> Package:
    """Open a package read-only through the hardened ZIP reader.

    ``source`` is bytes, a path or a binary file (read from its current position; a file
    that cannot seek is first copied in chunks to a temporary file). A path or a seekable
    file is never read whole: use the view as a context manager (``with open_package(p) as
    view:``) so the file it opened is closed.

    Raises :class:`~hocbaso.errors.PackageError` with a ``PACKAGE.ZIP.*`` code (or
    ``PACKAGE.ENVELOPE.MISSING``) when the container is refused. Signatures are not checked
    here: :func:`verify_package` does that.
    """
    src = open_source(source, limits)
    try:
        return Package(src, limits)
    except BaseException:
        src.close()
        raise


# --------------------------------------------------------------------------------------------
# Packing
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Planned:
    source: bytes | Path | IssuedRecord
    tep: TepGoiTin


def _load(source: bytes | Path | IssuedRecord) -> bytes:
    if isinstance(source, IssuedRecord):
        return source.signed
    if isinstance(source, Path):
        return source.read_bytes()
    if isinstance(source, bytes | bytearray):
        return bytes(source)
    raise package_error("PACKAGE.INPUT", path="records",
                        detail="pass bytes, a pathlib.Path or an IssuedRecord")


def _plan_record(
    source: bytes | Path | IssuedRecord, dot_gui: int | None, index: int
) -> tuple[_Planned, HocBa]:
    data = _load(source)
    try:
        root = parse_xml(data)
        hoc_ba = read_hoc_ba(root)
        digest = record_digest(root)
    except (HocBaSoError, ValueError) as exc:
        raise package_error("PACKAGE.RECORD.INVALID", path=f"records[{index}]") from exc
    tc = hoc_ba.thong_tin_hoc_ba.thong_tin_chung
    belongs = dot_gui_of(hoc_ba)
    if belongs is None:
        raise package_error("PACKAGE.ROUND.PENDING", path=f"records[{index}]")
    if dot_gui is not None and belongs != dot_gui:
        raise package_error("PACKAGE.ROUND.MISMATCH", path=f"records[{index}]",
                            detail=f"round {belongs}")
    name = f"hoc_ba/{tc.ma_dinh_danh_hoc_ba}-v{tc.phien_ban}.xml"
    tep = TepGoiTin(name, LoaiTep.HOC_BA, tc.ma_dinh_danh_hoc_ba, tc.phien_ban, digest,
                    hashlib.sha256(data).hexdigest())
    return _Planned(source, tep), hoc_ba


def _plan_notice(source: bytes | Path, index: int) -> _Planned:
    data = _load(source)
    try:
        notice = read_thong_bao_thu_hoi(data)
    except (HocBaSoError, ValueError) as exc:
        raise package_error("PACKAGE.NOTICE.INVALID", path=f"notices[{index}]") from exc
    name = f"thu_hoi/{notice.ma_dinh_danh_hoc_ba}-v{notice.phien_ban}.xml"
    tep = TepGoiTin(name, LoaiTep.THU_HOI, notice.ma_dinh_danh_hoc_ba, notice.phien_ban,
                    notice.bam_hoc_ba, hashlib.sha256(data).hexdigest())
    return _Planned(source, tep)


def pack(
    records: Iterable[bytes | Path | IssuedRecord] = (),
    notices: Iterable[bytes | Path] = (),
    *,
    signer: Signer,
    round: int | None,
    created_at: dt.datetime,
    school_code: str | None = None,
    school_year: str | None = None,
    receiver: str = "BGDDT",
    purpose: MucDich | None = None,
    package_id: str | None = None,
    referenced_package_id: str | None = None,
    transfer_to: str | None = None,
    out: Path | IO[bytes] | None = None,
    policy: SigningPolicy = SigningPolicy(),  # noqa: B008 - frozen, immutable default
) -> bytes | None:
    """Pack issued records and revocation notices into a signed package.

    Two passes, so that memory stays flat when records are given as paths: the first reads
    each record once (identifier, version, record digest, transport SHA-256, round, school,
    school year), the second writes ``mimetype``, the signed ``GOI_TIN.xml`` and each entry's
    exact bytes. Returns the package bytes, or None when written to ``out`` (a path, written
    to a temporary name and renamed, or a seekable binary file).

    ``round`` is 1 or 2 (``None`` only for a transfer bundle); a record of the other round or
    still pending is refused (``PACKAGE.ROUND.MISMATCH`` / ``PACKAGE.ROUND.PENDING``). The
    purpose defaults from the content: notices only → 03, any version above 1 → 02, else 01.
    ``signer`` holds the school's organisation certificate. Signatures of the records are not
    re-checked here (the receiver verifies everything); run ``verify`` before sending.
    """
    if round not in (1, 2) and not (round is None and transfer_to is not None):
        raise package_error("PACKAGE.INPUT", path="round", detail="1 or 2")
    planned: list[_Planned] = []
    schools: set[str] = set()
    years: set[str] = set()
    versions: set[int] = set()
    for i, source in enumerate(records):
        plan, hoc_ba = _plan_record(source, round, i)
        planned.append(plan)
        info = hoc_ba.thong_tin_hoc_ba
        schools.add(info.thong_tin_truong.ma_truong)
        years.add(info.thong_tin_chung.nam_hoc)
        versions.add(info.thong_tin_chung.phien_ban)
    n_records = len(planned)
    for i, notice in enumerate(notices):
        planned.append(_plan_notice(notice, i))
    if not planned:
        raise package_error("PACKAGE.INPUT", path="records", detail="nothing to pack")
    if school_code is not None:
        schools.add(school_code)
    if school_year is not None and transfer_to is None:
        years.add(school_year)
    if len(schools) != 1:
        raise package_error("PACKAGE.RECORD.OTHER_SCHOOL", path="records",
                            detail="one school per package; pass school_code for notices")
    if transfer_to is None and len(years) != 1:
        raise package_error("PACKAGE.SCHOOL_YEAR.MISMATCH", path="records")
    names = [p.tep.duong_dan for p in planned]
    if len(set(names)) != len(names):
        raise package_error("PACKAGE.ZIP.DUPLICATE", path="records")
    if purpose is None:
        purpose = (
            MucDich.CHUYEN_TRUONG if transfer_to is not None
            else MucDich.THU_HOI if n_records == 0
            else MucDich.DINH_CHINH if versions - {1}
            else MucDich.PHAT_HANH
        )
    (school,) = schools
    goi_tin = GoiTin(
        ma_goi_tin=package_id or f"{school}-{uuid.uuid4()}",
        ma_goi_tin_tham_chieu=referenced_package_id,
        ma_truong_gui=school,
        noi_nhan=transfer_to if transfer_to is not None else receiver,
        muc_dich=purpose,
        dot_gui=round,
        nam_hoc=max(years),
        so_hoc_ba=n_records,
        so_thong_bao_thu_hoi=len(planned) - n_records,
        thoi_diem_tao=created_at.isoformat(),
        tep=tuple(p.tep for p in planned),
        ma_truong_den=transfer_to,
    )
    return _seal(goi_tin, [p.source for p in planned], signer=signer, created_at=created_at,
                 policy=policy, out=out)


def _seal(
    goi_tin: GoiTin,
    sources: list[bytes | Path | IssuedRecord],
    *,
    signer: Signer,
    created_at: dt.datetime,
    policy: SigningPolicy,
    out: Path | IO[bytes] | None,
) -> bytes | None:
    """Sign the envelope and write the container: ``mimetype``, ``GOI_TIN.xml``, then each
    source's exact bytes in the envelope's order, loaded one at a time and let go."""
    envelope = sign_element(
        envelope_bytes(goi_tin),
        _PLACE,
        binding=binding_for(goi_tin.ma_goi_tin),
        signer=signer,
        signing_time=created_at,
        label="GOI_TIN",
        policy=policy,
        limits=ENVELOPE_LIMITS,
    )

    def write(target: IO[bytes]) -> None:
        writer = ZipWriter(target, MEDIA_TYPE_GOI_TIN, created_at.astimezone(_VN))
        writer.add(ENVELOPE_NAME, envelope)
        for tep, source in zip(goi_tin.tep, sources, strict=True):
            writer.add(tep.duong_dan, _load(source))
        writer.close()

    if out is None:
        buffer = io.BytesIO()
        write(buffer)
        return buffer.getvalue()
    if isinstance(out, Path):
        # Streamed to a temporary name beside ``out``, flushed to disk, then renamed: a crash
        # leaves the old file or the whole new package, never a truncated one.
        out.resolve().parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex}.tmp")
        try:
            with tmp.open("wb") as fh:
                write(fh)
                fh.flush()
                os.fsync(fh.fileno())
            tmp.replace(out)
        finally:
            tmp.unlink(missing_ok=True)
        return None
    write(out)
    return None


# --------------------------------------------------------------------------------------------
# Verifying
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PackageFinding:
    """One package-level check: a catalogued code, its status and both messages."""

    code: str
    status: Status
    message_vi: str
    message_en: str
    path: str = ""

    @classmethod
    def of(cls, code: str, status: Status, path: str = "", detail: str = "") -> PackageFinding:
        vi, en = PACKAGE_CODES[code]
        suffix = f" ({detail})" if detail else ""
        return cls(code, status, vi + suffix, en + suffix, path)

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "status": self.status.value, "path": self.path,
                "message_vi": self.message_vi, "message_en": self.message_en}


@dataclass(frozen=True, slots=True)
class EntryResult:
    """The verdict on one entry: ``codes`` are its failures (empty when accepted).

    ``report`` is the record's full verification report and ``signed`` the entry's exact bytes,
    kept only when :func:`verify_package` is asked to (``keep_reports=True``).
    """

    path: str
    loai: LoaiTep
    ma_dinh_danh_hoc_ba: str
    phien_ban: int
    bam_hoc_ba: str
    codes: tuple[str, ...]
    report: VerificationReport | None = None
    signed: bytes = field(default=b"", repr=False)
    ma_tra_cuu: str | None = None
    bam_phien_ban_truoc: str | None = None

    @property
    def ok(self) -> bool:
        return not self.codes

    def as_dict(self) -> dict[str, object]:
        return {"path": self.path, "loai": self.loai.value,
                "ma_dinh_danh_hoc_ba": self.ma_dinh_danh_hoc_ba, "phien_ban": self.phien_ban,
                "bam_hoc_ba": self.bam_hoc_ba, "ok": self.ok, "codes": list(self.codes)}


@dataclass(frozen=True, slots=True)
class PackageReport:
    """What :func:`verify_package` found: package-level findings and one result per entry.

    ``technical_ok``: the container, the envelope and its signature hold (otherwise nothing in
    the package can be accepted). ``ok``: that, and every entry accepted.
    """

    findings: tuple[PackageFinding, ...]
    entries: tuple[EntryResult, ...] = ()
    envelope: GoiTin | None = None
    signer_organisations: frozenset[str] = frozenset()
    signer_certificate: x509.Certificate | None = None
    package_sha256: str = ""

    @property
    def technical_ok(self) -> bool:
        return not any(f.status is Status.FAIL for f in self.findings)

    @property
    def ok(self) -> bool:
        return self.technical_ok and all(e.ok for e in self.entries)

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(f.code for f in self.findings) | frozenset(
            c for e in self.entries for c in e.codes
        )

    def as_dict(self) -> dict[str, object]:
        g = self.envelope
        return {
            "ok": self.ok,
            "technical_ok": self.technical_ok,
            "package_sha256": self.package_sha256,
            "ma_goi_tin": g.ma_goi_tin if g else None,
            "muc_dich": g.muc_dich.value if g else None,
            "dot_gui": g.dot_gui if g else None,
            "nam_hoc": g.nam_hoc if g else None,
            "findings": [f.as_dict() for f in self.findings],
            "entries": [e.as_dict() for e in self.entries],
        }


def _check_record(
    tep: TepGoiTin,
    data: bytes,
    g: GoiTin,
    trust: TrustStore,
    crls: CrlSet,
    at: dt.datetime,
    policy: VerificationPolicy,
    keep: bool,
) -> EntryResult:
    report = verify(data, trust, at=at, crls=crls, policy=policy)
    return record_entry(tep, g, report, keep=keep, data=data)


def record_entry(
    tep: TepGoiTin, g: GoiTin, report: VerificationReport, *, keep: bool = False,
    data: bytes = b"",
) -> EntryResult:
    """The verdict on a record entry from its verification report (verified here or in a
    worker): the report's failures, then what the envelope says of it (digest, identity,
    school, school year, round, purpose)."""
    codes: list[str] = []
    if not report.ok:
        codes.append("PACKAGE.RECORD.INVALID")
        codes += sorted(report.failed_codes)
    if report.record_digest is not None and report.record_digest != tep.bam_hoc_ba:
        codes.append("PACKAGE.ENTRY.RECORD_DIGEST")
    if (report.ma_dinh_danh_hoc_ba, report.phien_ban) != (tep.ma_dinh_danh_hoc_ba, tep.phien_ban):
        codes.append("PACKAGE.ENTRY.IDENTITY")
    ma_tra_cuu = previous = None
    record = report.record
    if record is not None:
        info = record.thong_tin_hoc_ba
        tc = info.thong_tin_chung
        ma_tra_cuu = tc.ma_tra_cuu
        previous = tc.dinh_chinh.bam_phien_ban_truoc.lower() if tc.dinh_chinh else None
        if g.muc_dich is not MucDich.CHUYEN_TRUONG:
            # A transfer bundle may carry years issued by earlier schools; verify_transfer
            # checks that its last record is the sender's.
            if info.thong_tin_truong.ma_truong != g.ma_truong_gui:
                codes.append("PACKAGE.RECORD.OTHER_SCHOOL")
            if tc.nam_hoc != g.nam_hoc:
                codes.append("PACKAGE.SCHOOL_YEAR.MISMATCH")
            belongs = dot_gui_of(record)
            if belongs is None:
                codes.append("PACKAGE.ROUND.PENDING")
            elif belongs != g.dot_gui:
                codes.append("PACKAGE.ROUND.MISMATCH")
            if (g.muc_dich is MucDich.PHAT_HANH) != (tc.phien_ban == 1) or (
                g.muc_dich is MucDich.THU_HOI
            ):
                codes.append("PACKAGE.PURPOSE.MISMATCH")
    return EntryResult(tep.duong_dan, tep.loai, tep.ma_dinh_danh_hoc_ba, tep.phien_ban,
                       tep.bam_hoc_ba, tuple(dict.fromkeys(codes)), report if keep else None,
                       data if keep else b"", ma_tra_cuu, previous)


def check_notice(
    tep: TepGoiTin, data: bytes, g: GoiTin, trust: TrustStore, crls: CrlSet, at: dt.datetime,
    keep: bool,
) -> EntryResult:
    codes: list[str] = []
    notice = believe_notice(data, trust, crls, at)
    if notice is None:
        codes.append("PACKAGE.NOTICE.INVALID")
    elif (notice.ma_dinh_danh_hoc_ba, notice.phien_ban, notice.bam_hoc_ba.lower()) != (
        tep.ma_dinh_danh_hoc_ba, tep.phien_ban, tep.bam_hoc_ba
    ):
        codes.append("PACKAGE.ENTRY.IDENTITY")
    if g.muc_dich is not MucDich.THU_HOI:
        codes.append("PACKAGE.PURPOSE.MISMATCH")
    return EntryResult(tep.duong_dan, tep.loai, tep.ma_dinh_danh_hoc_ba, tep.phien_ban,
                       tep.bam_hoc_ba, tuple(codes), None, data if keep else b"")


def verify_package(
    package: bytes | Path | IO[bytes] | Package,
    trust: TrustStore,
    *,
    at: dt.datetime | None = None,
    crls: Iterable[x509.CertificateRevocationList | bytes] | CrlSet = (),
    policy: VerificationPolicy = STRICT,
    limits: ZipLimits | None = None,
    keep_reports: bool = False,
) -> PackageReport:
    """Verify a package: container, envelope signature and certificate, every digest, no
    missing or extra entry, every record through :func:`hocbaso.verify.verify`, every notice
    believed, the round rules (a late package is a WARN, ``PACKAGE.ROUND.LATE``).

    Never raises on hostile content: a refused container is a FAIL finding with its
    ``PACKAGE.ZIP.*`` code.

    Memory stays flat in the record count: each entry is inflated, verified and let go, and an
    :class:`EntryResult` keeps the verdict (codes, digests, lookup code), not the record. With
    ``keep_reports=True`` each result also keeps the full verification report and the entry's
    bytes (a transfer bundle of a few records does; a school's package should not).
    """
    at = at or dt.datetime.now(dt.UTC)
    crl_set = as_crl_set(crls)
    if isinstance(package, Package):
        try:
            sha = package.sha256()
        except PackageError as exc:
            return refused_report(exc)
        return verify_opened(package, sha, trust, at, crl_set, policy, keep_reports)
    try:
        src = open_source(package, limits)
    except PackageError as exc:
        return refused_report(exc)
    with src:
        try:
            sha = src.sha256()
            opened = Package(src, limits)
        except PackageError as exc:
            return refused_report(exc)
        return verify_opened(opened, sha, trust, at, crl_set, policy, keep_reports)


def refused_report(exc: PackageError) -> PackageReport:
    """The report of a container the reader refused: its one FAIL finding."""
    vi, en = PACKAGE_CODES.get(exc.code, (exc.message_vi, exc.message_en))
    return PackageReport((PackageFinding(exc.code, Status.FAIL, vi, en, exc.path),))


def verify_opened(
    opened: Package,
    sha: str,
    trust: TrustStore,
    at: dt.datetime,
    crl_set: CrlSet,
    policy: VerificationPolicy,
    keep_reports: bool = False,
) -> PackageReport:
    """:func:`verify_package` on an opened view whose SHA-256 is known (the receiver opens
    a package once, hashes it, verifies it and then stores from the same view)."""
    head = envelope_report(opened, sha, trust, at, crl_set)
    g = head.envelope
    if g is None:
        return head
    entries: list[EntryResult] = []
    technical = head.technical_ok
    present = set(opened.names[2:])
    for tep in g.tep:
        if tep.duong_dan not in present:
            continue
        read = read_entry(opened, tep)
        if isinstance(read, EntryResult):
            entries.append(read)
            continue
        if not technical:
            continue  # an unbelieved envelope vouches for nothing: do not spend on records
        if tep.loai is LoaiTep.HOC_BA:
            entries.append(_check_record(tep, read, g, trust, crl_set, at, policy, keep_reports))
        else:
            entries.append(check_notice(tep, read, g, trust, crl_set, at, keep_reports))
    return dataclasses.replace(head, entries=tuple(entries))


def read_entry(opened: Package, tep: TepGoiTin) -> bytes | EntryResult:
    """An entry's bytes, or its failing verdict when it cannot be read or its SHA-256 is not
    the one the envelope lists."""
    try:
        data = opened.read(tep.duong_dan)
    except PackageError as exc:
        return EntryResult(tep.duong_dan, tep.loai, tep.ma_dinh_danh_hoc_ba, tep.phien_ban,
                           tep.bam_hoc_ba, (exc.code,))
    if hashlib.sha256(data).hexdigest() != tep.bam_tep:
        return EntryResult(tep.duong_dan, tep.loai, tep.ma_dinh_danh_hoc_ba, tep.phien_ban,
                           tep.bam_hoc_ba, ("PACKAGE.ENTRY.SHA256",))
    return data


def envelope_report(
    opened: Package, sha: str, trust: TrustStore, at: dt.datetime, crl_set: CrlSet
) -> PackageReport:
    """The package-level half of :func:`verify_package`: the envelope read, validated and
    believed, and its list checked against the container (no entry verified yet).
    ``envelope`` is None when the envelope could not be read or believed."""
    fail: list[PackageFinding] = []
    try:
        env = opened.envelope_bytes
    except PackageError as exc:
        return refused_report(exc)
    try:
        problem = validate_document(parse_xml(env, limits=ENVELOPE_LIMITS), _ENVELOPE_SCHEMA)
    except (HocBaSoError, ValueError):
        problem = "not well-formed"
    if problem is not None:
        return PackageReport(
            (PackageFinding.of("PACKAGE.ENVELOPE.FORMAT", Status.FAIL, ENVELOPE_NAME, problem),),
            package_sha256=sha,
        )
    believed = believe(env, _PLACE, label="GOI_TIN", trust=trust, crls=crl_set, at=at,
                       limits=ENVELOPE_LIMITS, prefix="PACKAGE.ENVELOPE")
    if believed.signature is None:
        return PackageReport(
            (PackageFinding.of("PACKAGE.ENVELOPE.SIGNATURE", Status.FAIL, ENVELOPE_NAME),),
            package_sha256=sha,
        )
    try:
        g = read_envelope(believed.signature.signed_c14n)
    except PackageError:
        return PackageReport(
            (PackageFinding.of("PACKAGE.ENVELOPE.FORMAT", Status.FAIL, ENVELOPE_NAME),),
            package_sha256=sha,
        )
    if believed.code is not None:
        fail.append(PackageFinding.of(believed.code, Status.FAIL, ENVELOPE_NAME))
    if believed.signature.binding != binding_for(g.ma_goi_tin):
        fail.append(PackageFinding.of("PACKAGE.ENVELOPE.SIGNATURE", Status.FAIL, ENVELOPE_NAME,
                                      "bound to another package id"))
    if not g.ma_goi_tin.startswith(f"{g.ma_truong_gui}-"):
        fail.append(PackageFinding.of("PACKAGE.ENVELOPE.ID", Status.FAIL, "MA_GOI_TIN"))
    listed = [t.duong_dan for t in g.tep]
    present = set(opened.names[2:])
    for name in sorted(set(listed) - set(present)):
        fail.append(PackageFinding.of("PACKAGE.ENTRY.MISSING", Status.FAIL, name))
    for name in sorted(set(present) - set(listed)):
        fail.append(PackageFinding.of("PACKAGE.ENTRY.EXTRA", Status.FAIL, name))
    if len(set(listed)) != len(listed):
        fail.append(PackageFinding.of("PACKAGE.ENVELOPE.FORMAT", Status.FAIL, "DUONG_DAN",
                                      "a path listed twice"))
    kinds = [t.loai for t in g.tep]
    wrong_dir = [t.duong_dan for t in g.tep if not t.duong_dan.startswith(
        "hoc_ba/" if t.loai is LoaiTep.HOC_BA else "thu_hoi/")]
    for name in wrong_dir:
        fail.append(PackageFinding.of("PACKAGE.ENVELOPE.FORMAT", Status.FAIL, name,
                                      "path outside hoc_ba/ or thu_hoi/"))
    if (g.so_hoc_ba, g.so_thong_bao_thu_hoi) != (
        kinds.count(LoaiTep.HOC_BA), kinds.count(LoaiTep.THU_HOI)
    ):
        fail.append(PackageFinding.of("PACKAGE.ENVELOPE.COUNT", Status.FAIL, "SO_HOC_BA"))
    warn: list[PackageFinding] = []
    if g.dot_gui is not None:
        try:
            created = dt.datetime.fromisoformat(g.thoi_diem_tao)
            if created.tzinfo is not None and created > round_deadline(g.nam_hoc, g.dot_gui):
                warn.append(PackageFinding.of("PACKAGE.ROUND.LATE", Status.WARN, "THOI_DIEM_TAO",
                                              f"round {g.dot_gui}"))
        except ValueError:
            fail.append(PackageFinding.of("PACKAGE.ENVELOPE.FORMAT", Status.FAIL,
                                          "THOI_DIEM_TAO"))
    findings = fail + warn
    if not fail:
        findings.insert(0, PackageFinding.of("PACKAGE.OK", Status.PASS))
    return PackageReport(tuple(findings), (), g, believed.organisations,
                         believed.signature.certificate, sha)
