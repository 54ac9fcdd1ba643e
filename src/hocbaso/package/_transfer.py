"""Transfer bundles (hồ sơ chuyển trường, docs/package.md §8).

A transfer bundle is a package of purpose ``04``: the same container and envelope, whose
``CHUYEN_TRUONG/MA_TRUONG_DEN`` names the receiving school; the signed envelope is the sending
school's transfer note. :func:`verify_transfer` verifies it as a package and then checks the
continuity a receiving school relies on: one student, consecutive school years, each grade
following the previous year's promotion result, the learning history consistent with the
records, and the last record issued by the sending school. Messages never carry personal data.
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from cryptography import x509

from hocbaso.errors import HocBaSoError
from hocbaso.models import HocBa
from hocbaso.package._envelope import MucDich
from hocbaso.package._package import PackageFinding, PackageReport, pack, verify_package
from hocbaso.package._signed import DSIG_NS, organisations_of
from hocbaso.packet import parse_xml
from hocbaso.packet._internal import VaiTroKy
from hocbaso.packet._internal import layout as L
from hocbaso.signature import IssuedRecord, Signer
from hocbaso.verify import STRICT, CrlSet, Status, TrustStore, VerificationPolicy

__all__ = ["TransferReport", "pack_transfer", "verify_transfer"]

_D = f"{{{DSIG_NS}}}"
_ISSUANCE_SLOT = L.SLOT_PATHS[VaiTroKy.KY_PHAT_HANH]
_GRADE = re.compile(r"[0-9]{1,2}")


def pack_transfer(
    records: Iterable[bytes | Path | IssuedRecord],
    *,
    signer: Signer,
    to_school: str,
    created_at: dt.datetime,
    package_id: str | None = None,
) -> bytes:
    """A signed transfer bundle of one student's issued records, for school ``to_school``."""
    data = pack(records, signer=signer, round=None, created_at=created_at,
                transfer_to=to_school, purpose=MucDich.CHUYEN_TRUONG, package_id=package_id)
    assert data is not None
    return data


@dataclass(frozen=True, slots=True)
class TransferReport:
    """The package report plus the continuity findings (``TRANSFER.*``)."""

    package: PackageReport
    findings: tuple[PackageFinding, ...]

    @property
    def ok(self) -> bool:
        return self.package.ok and not any(f.status is Status.FAIL for f in self.findings)

    @property
    def codes(self) -> frozenset[str]:
        return self.package.codes | frozenset(f.code for f in self.findings)

    def as_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "package": self.package.as_dict(),
                "transfer": [f.as_dict() for f in self.findings]}


def _issuer_organisations(signed: bytes) -> frozenset[str]:
    try:
        root = parse_xml(signed)
        el = root.find(f"{_ISSUANCE_SLOT}/{_D}Signature/{_D}KeyInfo/{_D}X509Data/"
                       f"{_D}X509Certificate")
        if el is None:
            return frozenset()
        cert = x509.load_der_x509_certificate(
            base64.b64decode("".join((el.text or "").split()), validate=True)
        )
    except (HocBaSoError, ValueError):
        return frozenset()
    return organisations_of(cert)


def continuity(records: list[HocBa]) -> list[PackageFinding]:
    """The continuity findings for one student's records, oldest first."""
    out: list[PackageFinding] = []
    if not records:
        return [PackageFinding.of("TRANSFER.EMPTY", Status.FAIL)]
    ids = {r.thong_tin_hoc_ba.hoc_sinh.so_dinh_danh for r in records}
    if len(ids) != 1:
        out.append(PackageFinding.of("TRANSFER.OTHER_STUDENT", Status.FAIL, "SO_DINH_DANH"))
    for prev, nxt in itertools.pairwise(records):
        p, n = prev.thong_tin_hoc_ba.thong_tin_chung, nxt.thong_tin_hoc_ba.thong_tin_chung
        if int(n.nam_hoc[:4]) != int(p.nam_hoc[:4]) + 1:
            out.append(PackageFinding.of("TRANSFER.GAP_YEAR", Status.FAIL, "NAM_HOC",
                                         f"{p.nam_hoc} → {n.nam_hoc}"))
            continue
        promoted = prev.thong_tin_hoc_ba.tong_ket.duoc_len_lop
        want = p.ma_khoi.so + 1 if promoted else p.ma_khoi.so
        if n.ma_khoi.so != want:
            out.append(PackageFinding.of("TRANSFER.GRADE_PROGRESSION", Status.FAIL, "MA_KHOI",
                                         f"{p.ma_khoi.value} → {n.ma_khoi.value}"))
    # The learning history of a later record must list every earlier record's school year, and
    # a class named there with a leading grade number must be in that record's grade. Class
    # names themselves are not compared: a student who moved mid-year has two classes that
    # year, and schools rename classes.
    for j, later in enumerate(records):
        history = later.thong_tin_hoc_ba.qua_trinh_hoc_tap
        if not history:
            continue
        for earlier in records[:j]:
            e = earlier.thong_tin_hoc_ba.thong_tin_chung
            classes = [q.ten_lop for q in history if q.nam_hoc == e.nam_hoc]
            grades = {int(m.group()) for c in classes if (m := _GRADE.match(c.strip()))}
            if not classes or (grades and grades != {e.ma_khoi.so}):
                out.append(PackageFinding.of("TRANSFER.HISTORY", Status.FAIL,
                                             "QUA_TRINH_HOC_TAP", e.nam_hoc))
    return out


def verify_transfer(
    bundle: bytes | Path | IO[bytes],
    trust: TrustStore,
    *,
    at: dt.datetime | None = None,
    crls: Iterable[x509.CertificateRevocationList | bytes] | CrlSet = (),
    policy: VerificationPolicy = STRICT,
) -> TransferReport:
    """Verify a transfer bundle: the package (every record through ``verify``), then the
    continuity between its records (see the module docstring). Never raises on hostile input."""
    report = verify_package(bundle, trust, at=at, crls=crls, policy=policy, keep_reports=True)
    g = report.envelope
    if g is None or not report.technical_ok:
        return TransferReport(report, ())
    if g.muc_dich is not MucDich.CHUYEN_TRUONG:
        return TransferReport(report, (PackageFinding.of("TRANSFER.NOT_TRANSFER", Status.FAIL),))
    entries = [e for e in report.entries if e.report is not None]
    records: list[tuple[HocBa, bytes]] = []
    for e in entries:
        if e.report is not None and e.report.record is not None:
            records.append((e.report.record, e.signed))
    records.sort(key=lambda r: r[0].thong_tin_hoc_ba.thong_tin_chung.nam_hoc)
    findings = continuity([r for r, _ in records])
    if records:
        last, signed = records[-1]
        same_code = last.thong_tin_hoc_ba.thong_tin_truong.ma_truong == g.ma_truong_gui
        if not same_code or not (_issuer_organisations(signed) & report.signer_organisations):
            findings.append(PackageFinding.of("TRANSFER.SENDER", Status.FAIL, _ISSUANCE_SLOT))
    if not any(f.status is Status.FAIL for f in findings):
        findings.insert(0, PackageFinding.of("TRANSFER.OK", Status.PASS))
    return TransferReport(report, tuple(findings))
