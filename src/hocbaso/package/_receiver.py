"""The receiving side: verify a package, decide per record against the store, sign a receipt.

Idempotent by package id: a package whose id already has a receipt gets that same receipt
(byte for byte) and stores nothing. A package whose envelope cannot be believed is keyed by the
SHA-256 of its bytes instead — an unauthenticated package id must not be able to claim a real
package's receipt. Verification (the expensive part) runs before the write transaction; every
decision that depends on the store (duplicates, version chains, revocations) runs inside it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

from cryptography import x509

from hocbaso.errors import PackageError
from hocbaso.package._envelope import LoaiTep
from hocbaso.package._lookup import lookup
from hocbaso.package._package import (
    EntryResult,
    Package,
    PackageFinding,
    PackageReport,
    refused_report,
    verify_opened,
)
from hocbaso.package._receipt import (
    BienNhan,
    KetQuaTep,
    TrangThaiNhan,
    own_receipt,
    sign_receipt,
)
from hocbaso.package._signed import as_crl_set
from hocbaso.package._store import LookupResult, Store, StoredVersion, StoreTransaction
from hocbaso.package._zip import Source, ZipLimits, open_source
from hocbaso.signature import Signer
from hocbaso.verify import STRICT, CrlSet, Status, TrustStore, VerificationPolicy, verify

__all__ = ["Receiver"]

#: What the verifier says when a correction does not follow its predecessor's issuer.
_ISSUER_CODES = frozenset({"STATUS.VERSION_OTHER_ISSUER", "STATUS.PREVIOUS_UNTRUSTED"})


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Receiver:
    """Receives packages into a :class:`Store` and answers each with a signed receipt."""

    def __init__(
        self,
        store: Store,
        trust: TrustStore,
        *,
        signer: Signer,
        receiver_code: str = "BGDDT",
        crls: Iterable[x509.CertificateRevocationList | bytes] | CrlSet = (),
        policy: VerificationPolicy = STRICT,
        clock: Callable[[], dt.datetime] = _now,
        limits: ZipLimits | None = None,
    ) -> None:
        self.store = store
        self.trust = trust
        self.signer = signer
        self.receiver_code = receiver_code
        self.crls = as_crl_set(crls)
        self.policy = policy
        self.clock = clock
        self.limits = limits

    def receive(self, package: bytes | Path | IO[bytes]) -> BienNhan:
        """Verify, store and answer one package; the same package again gives the same
        receipt. Never raises on hostile content: a refused package gets a rejecting receipt."""
        refused: str | None
        with contextlib.ExitStack() as stack:
            try:
                src: Source | None = stack.enter_context(open_source(package, self.limits))
            except PackageError as exc:  # too large or unreadable: answered, never stored
                src, refused = None, exc.code
            else:
                refused = None
            return self._receive(src, refused)

    def _receive(self, src: Source | None, refused: str | None) -> BienNhan:
        # The package is read from its file as it is needed (its SHA-256 in one pass, then
        # each entry when verified and again when stored): never held whole.
        sha = src.sha256() if src is not None else hashlib.sha256(b"").hexdigest()
        known = self.store.receipt_by_sha256(sha) if refused is None else None
        if known is not None:
            return self._parse(known)
        now = self.clock()
        view: Package | None = None
        if src is not None:
            try:
                view = Package(src, self.limits)
            except PackageError as exc:
                report = refused_report(exc)
            else:
                report = verify_opened(view, sha, self.trust, now, self.crls, self.policy)
        else:
            assert refused is not None
            report = PackageReport((PackageFinding.of(refused, Status.FAIL),))
        g = report.envelope if report.technical_ok else None
        key = g.ma_goi_tin if g is not None else f"sha256:{sha}"
        with self.store.transaction() as tx:
            existing = tx.receipt(key)
            if existing is not None:
                return self._parse(existing)
            results = (
                self._decide(tx, report, view, now) if g is not None and view is not None else []
            )
            receipt = BienNhan(
                ma_bien_nhan=f"{self.receiver_code}-{uuid.uuid4()}",
                ma_goi_tin=g.ma_goi_tin if g is not None else None,
                bam_goi_tin=sha,
                noi_nhan=self.receiver_code,
                thoi_diem_nhan=now.isoformat(),
                trang_thai=TrangThaiNhan.CHAP_NHAN if g is not None else TrangThaiNhan.TU_CHOI,
                ma_loi=tuple(f.code for f in report.findings if f.status is Status.FAIL),
                canh_bao=tuple(f.code for f in report.findings if f.status is Status.WARN),
                ket_qua=tuple(results),
            )
            signed = sign_receipt(receipt, self.signer, now)
            if refused is None:
                tx.save_receipt(key, receipt.ma_goi_tin, sha, receipt.thoi_diem_nhan, signed)
        return self._parse(signed)

    def lookup(
        self, ma_tra_cuu: str, *, phien_ban: int | None = None,
        digest_prefix: str | None = None, ma_dinh_danh_hoc_ba: str | None = None,
    ) -> LookupResult | None:
        """:func:`hocbaso.package.lookup` in this receiver's store, with its trust anchors,
        CRLs, policy and clock: the receiving side answers lookups with the same trust it
        received with."""
        return lookup(self.store, ma_tra_cuu, self.trust, phien_ban=phien_ban,
                      digest_prefix=digest_prefix, ma_dinh_danh_hoc_ba=ma_dinh_danh_hoc_ba,
                      at=self.clock(), crls=self.crls, policy=self.policy)

    @staticmethod
    def _parse(signed: bytes) -> BienNhan:
        # Our own receipt, from our own store: its fields are read back from the signed bytes
        # (as a sender reads them), without a trust decision about ourselves.
        return own_receipt(signed)

    def _decide(
        self, tx: StoreTransaction, report: PackageReport, view: Package, now: dt.datetime
    ) -> list[KetQuaTep]:
        assert report.envelope is not None
        ma_goi_tin = report.envelope.ma_goi_tin
        out: list[KetQuaTep] = []
        for e in report.entries:
            if not e.ok:
                out.append(self._result(e, TrangThaiNhan.TU_CHOI, e.codes))
            elif e.loai is LoaiTep.HOC_BA:
                out.append(self._record(tx, e, ma_goi_tin, view, now))
            else:
                out.append(self._notice(tx, e, ma_goi_tin, view))
        return out

    @staticmethod
    def _result(e: EntryResult, status: TrangThaiNhan, codes: tuple[str, ...] = ()) -> KetQuaTep:
        return KetQuaTep(e.path, e.ma_dinh_danh_hoc_ba, e.phien_ban, e.bam_hoc_ba,
                         status, codes)

    def _record(
        self, tx: StoreTransaction, e: EntryResult, ma_goi_tin: str, view: Package,
        now: dt.datetime,
    ) -> KetQuaTep:
        stored = tx.version(e.ma_dinh_danh_hoc_ba, e.phien_ban)
        if stored is not None:
            if stored.bam_hoc_ba == e.bam_hoc_ba:
                return self._result(e, TrangThaiNhan.TRUNG, ("STORE.DUPLICATE",))
            return self._result(e, TrangThaiNhan.TU_CHOI, ("STORE.CONFLICT",))
        if e.phien_ban > 1:
            previous = tx.version(e.ma_dinh_danh_hoc_ba, e.phien_ban - 1)
            if previous is None:
                return self._result(e, TrangThaiNhan.TU_CHOI, ("STORE.CHAIN.PREVIOUS_MISSING",))
            if previous.bam_hoc_ba != e.bam_phien_ban_truoc:
                return self._result(e, TrangThaiNhan.TU_CHOI, ("STORE.CHAIN.DIGEST",))
            issuer = self._chain_issuer(view.read(e.path), tx.signed(e.ma_dinh_danh_hoc_ba,
                                                                     e.phien_ban - 1), now)
            if issuer:
                return self._result(e, TrangThaiNhan.TU_CHOI, ("STORE.CHAIN.ISSUER", *issuer))
        tx.add_version(
            StoredVersion(e.ma_dinh_danh_hoc_ba, e.phien_ban, e.bam_hoc_ba, e.ma_tra_cuu or "",
                          ma_goi_tin, False),
            view.read(e.path),
        )
        return self._result(e, TrangThaiNhan.CHAP_NHAN)

    def _chain_issuer(self, record: bytes, previous: bytes, now: dt.datetime) -> tuple[str, ...]:
        """The verifier's issuer-continuity codes for a correction and its stored predecessor
        (docs/verification.md, step 8.2): a correction must be issued by the organisation that
        issued the version it corrects, or anyone trusted could supersede any record."""
        report = verify(record, self.trust, at=now, crls=self.crls, policy=self.policy,
                        previous_versions=[previous])
        return tuple(sorted(report.failed_codes & _ISSUER_CODES))

    def _notice(
        self, tx: StoreTransaction, e: EntryResult, ma_goi_tin: str, view: Package
    ) -> KetQuaTep:
        stored = tx.version(e.ma_dinh_danh_hoc_ba, e.phien_ban)
        if stored is None or stored.bam_hoc_ba != e.bam_hoc_ba:
            return self._result(e, TrangThaiNhan.TU_CHOI, ("STORE.REVOKE.UNKNOWN",))
        if stored.revoked:
            return self._result(e, TrangThaiNhan.TRUNG, ("STORE.DUPLICATE",))
        tx.revoke(e.ma_dinh_danh_hoc_ba, e.phien_ban, ma_goi_tin, view.read(e.path))
        return self._result(e, TrangThaiNhan.CHAP_NHAN)
