"""Trust anchors and certificate path validation (docs/verification.md §2 step 5).

Path building and chain signature checks are done by ``cryptography.x509.verification`` (a
well-kept, Rust-backed RFC 5280 verifier), never by hand. Its Web-PKI defaults do not fit
Vietnamese signing certificates (no subjectAltName, no serverAuth/clientAuth EKU), so the
end-entity extension policy is ``permit_all`` and the checks that matter for document signing
(key usage, identity) are done here with their own result codes. The CA policy keeps the
essential rule: every issuer must assert ``basicConstraints.cA``; a CA KeyUsage, when present,
must allow ``keyCertSign``.

The operating-system certificate store is never consulted: anchors come only from the PEM files
or folder the caller names.

Path validation is cached per exact DER of the leaf and of each intermediate. Only successful
paths are cached, and a cached chain is used at a time only when every certificate of it is
valid at that exact time (validity periods are the only part of path validation that depends
on the time: chain signatures, names and extensions do not); any other time asks the library
again, so the cache can speed things up but can never turn a failure into a pass.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import verification as xv

from hocbaso.errors import VerificationInputError
from hocbaso.signature._internal import extended_key_usage_ok, key_strength_problem
from hocbaso.verify._certificates import (
    as_utc,
    der_of,
    fingerprint,
    memo,
    micros,
    valid_at,
    window_micros,
)

__all__ = ["PathOutcome", "TrustStore"]

_PEM_CERT = re.compile(rb"-----BEGIN CERTIFICATE-----\s+.*?-----END CERTIFICATE-----", re.DOTALL)
_CERT_SUFFIXES = (".pem", ".crt", ".cer", ".der")
_DER = Encoding.DER


@dataclass(frozen=True, slots=True)
class PathOutcome:
    """Result of path validation: ``code`` is ``None`` when the chain is good."""

    code: str | None
    chain: tuple[x509.Certificate, ...] = ()
    detail_en: str = ""
    detail_vi: str = ""


def _load_certs(data: bytes) -> list[x509.Certificate]:
    blocks = _PEM_CERT.findall(data)
    if blocks:
        return [x509.load_pem_x509_certificate(b) for b in blocks]
    return [x509.load_der_x509_certificate(data)]


def _ca_basic_constraints(
    policy: xv.Policy, cert: x509.Certificate, ext: x509.BasicConstraints
) -> None:
    if not ext.ca:
        raise ValueError("basicConstraints.cA is not asserted")


def _ca_key_usage(policy: xv.Policy, cert: x509.Certificate, ext: x509.KeyUsage | None) -> None:
    if ext is not None and not ext.key_cert_sign:
        raise ValueError("CA key usage lacks keyCertSign")


def _ca_policy() -> xv.ExtensionPolicy:
    return (
        xv.ExtensionPolicy.permit_all()
        .require_present(x509.BasicConstraints, xv.Criticality.AGNOSTIC, _ca_basic_constraints)
        .may_be_present(x509.KeyUsage, xv.Criticality.AGNOSTIC, _ca_key_usage)
    )


_T = TypeVar("_T")
_MISSING = object()


class _Runtime:
    """The per-process, unpicklable part of a trust store: the Store and the path cache."""

    def __init__(self, store: xv.Store) -> None:
        self.store = store
        #: (leaf DER, intermediates' DER) -> (chain, latest notBefore, earliest notAfter of the
        #: chain, in :func:`micros`): the window in which every certificate of it is valid.
        self.cache: dict[
            tuple[bytes, tuple[bytes, ...]], tuple[tuple[x509.Certificate, ...], int, int]
        ] = {}
        #: Step 5's time-independent facts per exact inputs (see :meth:`TrustStore.remembered`).
        self.findings: dict[Hashable, Any] = {}
        self.lock = threading.Lock()
        self.ca_policy = _ca_policy()
        self.hits = 0
        self.misses = 0


#: Runtimes per distinct (anchors, bucket, cache size), keyed by the anchors' SHA-256; bounded.
_MAX_RUNTIMES = 64
_RUNTIMES: dict[tuple[tuple[str, ...], dt.timedelta, int], _Runtime] = {}


class TrustStore:
    """The trust anchors a verifier accepts, plus a path-validation cache.

    Build it with :meth:`from_pem` (files or folders of PEM/DER certificates),
    :meth:`from_pem_bytes` or directly from ``cryptography`` certificates. It can be pickled
    (for process pools); the cache is per process.

    ``time_bucket`` is still accepted (and must be positive) but no longer shapes the cache:
    a path found once is reused at any time at which each of its certificates is valid, which
    is exactly when the library would accept that same path (docs/scale.md, "Caches").
    """

    def __init__(
        self,
        anchors: Iterable[x509.Certificate],
        *,
        time_bucket: dt.timedelta = dt.timedelta(days=1),
        max_cache: int = 4096,
    ) -> None:
        self._anchors: tuple[x509.Certificate, ...] = tuple(anchors)
        if not self._anchors:
            raise VerificationInputError(
                "The trust store holds no certificate.",
                "Kho tin cậy không có chứng thư nào.",
                code="VERIFY.INPUT.NO_TRUST_ANCHOR",
            )
        if time_bucket <= dt.timedelta(0):
            raise VerificationInputError(
                "time_bucket must be positive.",
                "time_bucket phải dương.",
                code="VERIFY.INPUT.TIME_BUCKET",
            )
        self._bucket = time_bucket
        self._max_cache = max_cache
        self._init_runtime()

    def _init_runtime(self) -> None:
        # Copies of one store unpickled in a worker process (one per submitted task) share
        # one runtime, so the path cache survives from task to task.
        key = (tuple(fingerprint(c) for c in self._anchors), self._bucket, self._max_cache)
        runtime = _RUNTIMES.get(key)
        if runtime is None:
            runtime = _Runtime(xv.Store(list(self._anchors)))
            if len(_RUNTIMES) >= _MAX_RUNTIMES:
                _RUNTIMES.clear()  # bounded: a store re-creates its runtime on next use
            _RUNTIMES[key] = runtime
        self._rt = runtime

    @property
    def cache_hits(self) -> int:
        return self._rt.hits

    @property
    def cache_misses(self) -> int:
        return self._rt.misses

    # -- pickling: certificates are not picklable, their DER is -------------------------
    def __getstate__(self) -> dict[str, object]:
        return {
            "anchors": [c.public_bytes(_DER) for c in self._anchors],
            "bucket": self._bucket,
            "max_cache": self._max_cache,
        }

    def __setstate__(self, state: dict[str, object]) -> None:
        ders = state["anchors"]
        assert isinstance(ders, list)
        self._anchors = tuple(x509.load_der_x509_certificate(d) for d in ders)
        bucket = state["bucket"]
        assert isinstance(bucket, dt.timedelta)
        self._bucket = bucket
        max_cache = state["max_cache"]
        assert isinstance(max_cache, int)
        self._max_cache = max_cache
        self._init_runtime()

    # -- constructors ------------------------------------------------------------------
    @classmethod
    def from_pem_bytes(cls, data: bytes, **kwargs: dt.timedelta | int) -> TrustStore:
        """Anchors from PEM text holding one or more certificates (or one DER certificate)."""
        try:
            certs = _load_certs(data)
        except ValueError as e:
            raise VerificationInputError(
                "A trust anchor could not be read as a certificate.",
                "Không đọc được chứng thư tin cậy.",
                code="VERIFY.INPUT.TRUST_ANCHOR",
            ) from e
        return cls(certs, **kwargs)  # type: ignore[arg-type]

    @classmethod
    def from_pem(cls, *paths: str | Path, **kwargs: dt.timedelta | int) -> TrustStore:
        """Anchors from PEM/DER files, or folders of ``*.pem``/``*.crt``/``*.cer``/``*.der``.

        Never reads the operating system's store. Raises
        :class:`~hocbaso.errors.VerificationInputError` if a path is missing or unreadable or
        no certificate is found at all.
        """
        certs: list[x509.Certificate] = []
        for raw in paths:
            p = Path(raw)
            if p.is_dir():
                files = sorted(
                    f for f in p.iterdir() if f.is_file() and f.suffix.lower() in _CERT_SUFFIXES
                )
            elif p.is_file():
                files = [p]
            else:
                raise VerificationInputError(
                    f"Trust path not found: {p}",
                    f"Không tìm thấy đường dẫn kho tin cậy: {p}",
                    code="VERIFY.INPUT.TRUST_PATH",
                    path=str(p),
                )
            for f in files:
                try:
                    certs.extend(_load_certs(f.read_bytes()))
                except (OSError, ValueError) as e:
                    raise VerificationInputError(
                        f"Trust anchor file is not a certificate: {f}",
                        f"Tệp kho tin cậy không phải chứng thư: {f}",
                        code="VERIFY.INPUT.TRUST_ANCHOR",
                        path=str(f),
                    ) from e
        return cls(certs, **kwargs)  # type: ignore[arg-type]

    @property
    def anchors(self) -> tuple[x509.Certificate, ...]:
        return self._anchors

    # -- validation ------------------------------------------------------------------------
    def _verifier(self, t: dt.datetime) -> xv.ClientVerifier:
        return (
            xv.PolicyBuilder()
            .store(self._rt.store)
            .time(t)
            .extension_policies(
                ee_policy=xv.ExtensionPolicy.permit_all(), ca_policy=self._rt.ca_policy
            )
            .build_client_verifier()
        )

    def validate(
        self,
        leaf: x509.Certificate,
        intermediates: Sequence[x509.Certificate],
        at: dt.datetime,
    ) -> PathOutcome:
        """Validate ``leaf`` to an anchor at time ``at`` (usually the signing time).

        Checks the path and the validity period of every certificate in it; key usage,
        revocation and identity are separate (see :meth:`check_key_usage`, :class:`CrlSet`).
        """
        t = as_utc(at)
        leaf_code = valid_at(leaf, t)
        if leaf_code is not None:
            return PathOutcome(leaf_code)
        key = (der_of(leaf), tuple(der_of(c) for c in intermediates))
        rt = self._rt
        cached = rt.cache.get(key)
        if cached is not None and cached[1] <= micros(t) <= cached[2]:
            rt.hits += 1
            return PathOutcome(None, cached[0])
        rt.misses += 1
        try:
            chain = tuple(self._verifier(t).verify(leaf, list(intermediates)).chain)
        except xv.VerificationError as e:
            # The library's message names certificate subjects (personal IDs): never pass
            # it through. Classify by the validity of the certificates instead.
            for c in intermediates:
                code = valid_at(c, t)
                if code is not None and c.subject == leaf.issuer:
                    return PathOutcome(code)
            if "not valid at validation time" in str(e):
                return PathOutcome("CERTIFICATE.EXPIRED", (), "(issuer certificate)", "(CA)")
            return PathOutcome("CERTIFICATE.UNTRUSTED")
        with rt.lock:
            if len(rt.cache) >= self._max_cache:
                rt.cache.clear()
            windows = [window_micros(c) for c in chain]
            rt.cache[key] = (chain, max(w[0] for w in windows), min(w[1] for w in windows))
        return PathOutcome(None, chain)

    def recall(self, key: Hashable) -> Any:
        """What :meth:`remembered` (or :meth:`remember`) stored under ``key``, or ``None``."""
        found = self._rt.findings.get(key)
        if found is not None:
            self._rt.hits += 1
        return found

    def remember(self, key: Hashable, value: Any) -> None:
        """Store ``value`` under ``key`` in the bounded cache :meth:`remembered` uses (same
        rule: ``key`` holds, as exact values, everything ``value`` depends on besides the
        anchors)."""
        rt = self._rt
        with rt.lock:
            if len(rt.findings) >= self._max_cache:
                rt.findings.clear()
            rt.findings[key] = value

    def remembered(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        """``compute()``, once per ``key`` for this store's anchors: a bounded (cleared when
        full, like the path cache), lock-guarded cache in the per-process runtime.

        ``key`` must hold everything ``compute`` depends on besides the anchors, as exact
        values (DER bytes, CRL digests, switches), so that a hit returns what computing would
        (the verifier's step 5 keys its time-independent certificate facts so, by the CRLs'
        digests and the certificates' DER; tests check that a warm cache answers as a cold
        one)."""
        rt = self._rt
        found = rt.findings.get(key, _MISSING)
        if found is not _MISSING:
            rt.hits += 1
            return cast(_T, found)
        value = compute()
        with rt.lock:
            if len(rt.findings) >= self._max_cache:
                rt.findings.clear()
            rt.findings[key] = value
        return value

    @staticmethod
    def check_key_usage(leaf: x509.Certificate) -> bool:
        """digitalSignature or nonRepudiation (contentCommitment) must be allowed."""
        found: bool = memo(leaf, "key_usage", _key_usage_ok)
        return found

    @staticmethod
    def check_key_strength(leaf: x509.Certificate) -> str | None:
        """``None`` if the key is one the signer accepts, else why not (``"KEY_SIZE"``,
        ``"CURVE"``, ``"KEY_TYPE"``): the signer's own rule,
        :func:`hocbaso.signature.key_strength_problem`."""
        found: str | None = memo(leaf, "key_strength", _key_strength)
        return found

    @staticmethod
    def check_extended_key_usage(leaf: x509.Certificate) -> bool:
        """Extended Key Usage absent, or naming a signing purpose
        (:data:`hocbaso.signature.ACCEPTED_EKUS`)."""
        found: bool = memo(leaf, "eku", extended_key_usage_ok)
        return found


def _key_strength(cert: x509.Certificate) -> str | None:
    try:
        key = cert.public_key()
    except (
        ValueError,
        TypeError,
        UnsupportedAlgorithm,
    ):  # an algorithm or encoding cryptography cannot load
        return "KEY_TYPE"
    return key_strength_problem(key)


def _key_usage_ok(cert: x509.Certificate) -> bool:
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return bool(ku.digital_signature or ku.content_commitment)


