"""Trust anchors, certificate path validation, CRLs and the identity rule (SPEC §7 step 5).

Path building and chain signature checks are done by ``cryptography.x509.verification`` (a
well-kept, Rust-backed RFC 5280 verifier), never by hand. Its Web-PKI defaults do not fit
Vietnamese signing certificates (no subjectAltName, no serverAuth/clientAuth EKU), so the
end-entity extension policy is ``permit_all`` and the checks that matter for document signing
(key usage, identity) are done here with their own result codes. The CA policy keeps the
essential rule: every issuer must assert ``basicConstraints.cA``; a CA KeyUsage, when present,
must allow ``keyCertSign``.

The operating-system certificate store is never consulted: anchors come only from the PEM files
or folder the caller names.

Path validation is cached per (leaf fingerprint, intermediates, time bucket). Only successful
paths are cached, and every certificate of a cached chain is re-checked against the exact
validation time, so the cache can speed things up but can never turn a failure into a pass.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import verification as xv
from cryptography.x509.oid import NameOID

from hocbaso.errors import VerificationInputError
from hocbaso.signature import (
    LoaiDinhDanh,
    SubjectIdentity,
    extended_key_usage_ok,
    holder_kind_of,
    key_strength_problem,
    subject_identities,
)

__all__ = [
    "CrlSet",
    "CrlStatus",
    "Identity",
    "PathOutcome",
    "TrustStore",
    "fingerprint",
    "identity_of",
    "signer_summary",
]

_PEM_CERT = re.compile(rb"-----BEGIN CERTIFICATE-----\s+.*?-----END CERTIFICATE-----", re.DOTALL)
_PEM_CRL = re.compile(rb"-----BEGIN X509 CRL-----\s+.*?-----END X509 CRL-----", re.DOTALL)
_CERT_SUFFIXES = (".pem", ".crt", ".cer", ".der")


_DER = Encoding.DER


# Per-process caches. Records from one school carry the same few certificates over and over
# (the teachers', the school's, the CA's), so parsing each DER once and remembering what is
# derived from it removes most certificate cost from a batch. Bounded: cleared when full.
_MAX_CACHE = 8192
_BY_DER: dict[bytes, x509.Certificate] = {}
#: id(certificate) -> (the certificate, derived values by name). Keyed by identity because
#: hashing a ``Certificate`` hashes its DER (~1.5 µs, many times per signature); the entry
#: holds the object, so its id cannot be reused while the entry lives, and ``is`` is checked.
_BY_ID: dict[int, tuple[x509.Certificate, dict[str, Any]]] = {}


def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
    if len(cache) >= _MAX_CACHE:
        cache.clear()
    cache[key] = value


def _memo(cert: x509.Certificate, name: str, compute: Callable[[x509.Certificate], Any]) -> Any:
    entry = _BY_ID.get(id(cert))
    if entry is None or entry[0] is not cert:
        entry = (cert, {})
        _remember(_BY_ID, id(cert), entry)
    values = entry[1]
    if name not in values:
        values[name] = compute(cert)
    return values[name]


_BY_B64: dict[str, tuple[x509.Certificate, bytes, bytes]] = {}


def load_certificate_b64(text: str) -> tuple[x509.Certificate, bytes, bytes]:
    """``(certificate, subject DER, issuer DER)`` from an ``X509Certificate`` element's base64
    text, parsed once per process per distinct text. Raises ``ValueError`` if unreadable."""
    found = _BY_B64.get(text)
    if found is None:
        der = base64.b64decode("".join(text.split()), validate=True)
        cert = load_certificate(der)
        found = (cert, *names(cert))
        _remember(_BY_B64, text, found)
    return found


def load_certificate(der: bytes) -> x509.Certificate:
    """Parse a DER certificate, once per process per distinct DER."""
    cert = _BY_DER.get(der)
    if cert is None:
        cert = x509.load_der_x509_certificate(der)
        _remember(_BY_DER, der, cert)
    return cert


def names(cert: x509.Certificate) -> tuple[bytes, bytes]:
    """(subject, issuer) as DER, for cheap issuer matching."""
    found: tuple[bytes, bytes] = _memo(
        cert, "names", lambda c: (c.subject.public_bytes(), c.issuer.public_bytes())
    )
    return found


def fingerprint(cert: x509.Certificate) -> str:
    """Lower-case hex SHA-256 of the DER certificate."""
    fp: str = _memo(cert, "fp", lambda c: hashlib.sha256(c.public_bytes(_DER)).hexdigest())
    return fp


@dataclass(frozen=True, slots=True)
class Identity:
    """What a certificate subject says about its holder.

    ``kind`` is ``"person"`` (any personal identifier: ``CCCD``, ``CMND``, passport, …,
    whatever else the subject carries), ``"organisation"`` (``UID=MST:`` or a budget-unit code
    and no personal identifier) or ``"unknown"``; the rule is the signer's
    (:func:`hocbaso.signature.holder_kind_of`). ``personal_id`` (the ``CCCD`` value) is kept
    for the identity comparison only and must never be printed. ``organisations`` holds every
    organisation identity, for the issuer registry.
    """

    kind: str
    personal_id: str | None
    organisation_id: str | None
    organisations: tuple[SubjectIdentity, ...] = ()


def identity_of(cert: x509.Certificate) -> Identity:
    """Read the subject's ``UID=`` identities with the signing core's parser (cached)."""
    found: Identity = _memo(cert, "identity", _identity_of)
    return found


def _identity_of(cert: x509.Certificate) -> Identity:
    """Read the subject's ``UID=`` identities with the signing core's parser and rule.

    Only a ``CCCD`` value is a personal ID for the identity comparison (the older 9-digit
    ``CMND`` can never equal the record's 12-digit ID), but every personal kind makes the
    certificate a person's.
    """
    identities = subject_identities(cert)
    person = next((i.value for i in identities if i.kind is LoaiDinhDanh.CCCD), None)
    orgs = tuple(i for i in identities if not i.personal)
    org = orgs[0].value if orgs else None
    return Identity(holder_kind_of(cert).value, person, org, orgs)


def _attr(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str | None:
    attrs = cert.subject.get_attributes_for_oid(oid)
    if not attrs:
        return None
    v = attrs[0].value
    return v if isinstance(v, str) else v.decode("utf-8", "replace")


def signer_summary(cert: x509.Certificate) -> str:
    """``CN=…, O=…, MST:… [sha256:0123456789abcdef]``: never the personal ID (cached)."""
    found: str = _memo(cert, "summary", _signer_summary)
    return found


def _signer_summary(cert: x509.Certificate) -> str:
    parts = []
    cn = _attr(cert, NameOID.COMMON_NAME)
    if cn:
        parts.append(f"CN={cn}")
    o = _attr(cert, NameOID.ORGANIZATION_NAME)
    if o:
        parts.append(f"O={o}")
    ident = identity_of(cert)
    if ident.kind == "organisation" and ident.organisation_id:
        parts.append(f"MST/MNS:{ident.organisation_id}")
    return f"{', '.join(parts) or '?'} [sha256:{fingerprint(cert)[:16]}]"


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


def _utc(t: dt.datetime) -> dt.datetime:
    if t.tzinfo is None:
        raise VerificationInputError(
            "A validation time must carry a time zone.",
            "Thời điểm kiểm tra phải có múi giờ.",
            code="VERIFY.INPUT.NAIVE_TIME",
        )
    return t.astimezone(dt.UTC)


def _valid_at(cert: x509.Certificate, t: dt.datetime) -> str | None:
    window: tuple[dt.datetime, dt.datetime] = _memo(
        cert, "window", lambda c: (c.not_valid_before_utc, c.not_valid_after_utc)
    )
    if t < window[0]:
        return "CERTIFICATE.NOT_YET_VALID"
    if t > window[1]:
        return "CERTIFICATE.EXPIRED"
    return None


class _Runtime:
    """The per-process, unpicklable part of a trust store: the Store and the path cache."""

    def __init__(self, store: xv.Store) -> None:
        self.store = store
        self.cache: dict[tuple[str, tuple[str, ...], int], tuple[x509.Certificate, ...]] = {}
        self.lock = threading.Lock()
        self.ca_policy = _ca_policy()
        self.hits = 0
        self.misses = 0


_RUNTIMES: dict[tuple[tuple[str, ...], dt.timedelta, int], _Runtime] = {}


class TrustStore:
    """The trust anchors a verifier accepts, plus a path-validation cache.

    Build it with :meth:`from_pem` (files or folders of PEM/DER certificates),
    :meth:`from_pem_bytes` or directly from ``cryptography`` certificates. It can be pickled
    (for process pools); the cache is per process.
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

    def _bucket_index(self, t: dt.datetime) -> int:
        return int(t.timestamp()) // max(1, int(self._bucket.total_seconds()))

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
        t = _utc(at)
        leaf_code = _valid_at(leaf, t)
        if leaf_code is not None:
            return PathOutcome(leaf_code)
        key = (
            fingerprint(leaf),
            tuple(fingerprint(c) for c in intermediates),
            self._bucket_index(t),
        )
        rt = self._rt
        cached = rt.cache.get(key)
        if cached is not None and all(_valid_at(c, t) is None for c in cached):
            rt.hits += 1
            return PathOutcome(None, cached)
        rt.misses += 1
        try:
            chain = tuple(self._verifier(t).verify(leaf, list(intermediates)).chain)
        except xv.VerificationError as e:
            # The library's message names certificate subjects (personal IDs): never pass
            # it through. Classify by the validity of the certificates instead.
            for c in intermediates:
                code = _valid_at(c, t)
                if code is not None and c.subject == leaf.issuer:
                    return PathOutcome(code)
            if "not valid at validation time" in str(e):
                return PathOutcome("CERTIFICATE.EXPIRED", (), "(issuer certificate)", "(CA)")
            return PathOutcome("CERTIFICATE.UNTRUSTED")
        with rt.lock:
            if len(rt.cache) >= self._max_cache:
                rt.cache.clear()
            rt.cache[key] = chain
        return PathOutcome(None, chain)

    @staticmethod
    def check_key_usage(leaf: x509.Certificate) -> bool:
        """digitalSignature or nonRepudiation (contentCommitment) must be allowed."""
        found: bool = _memo(leaf, "key_usage", _key_usage_ok)
        return found

    @staticmethod
    def check_key_strength(leaf: x509.Certificate) -> str | None:
        """``None`` if the key is one the signer accepts, else why not (``"KEY_SIZE"``,
        ``"CURVE"``, ``"KEY_TYPE"``): the signer's own rule,
        :func:`hocbaso.signature.key_strength_problem`."""
        found: str | None = _memo(leaf, "key_strength", _key_strength)
        return found

    @staticmethod
    def check_extended_key_usage(leaf: x509.Certificate) -> bool:
        """Extended Key Usage absent, or naming a signing purpose
        (:data:`hocbaso.signature.ACCEPTED_EKUS`)."""
        found: bool = _memo(leaf, "eku", extended_key_usage_ok)
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


def _verify_crl_signature(crl: x509.CertificateRevocationList, issuer: x509.Certificate) -> bool:
    key = issuer.public_key()
    if not isinstance(
        key,
        rsa.RSAPublicKey
        | ec.EllipticCurvePublicKey
        | dsa.DSAPublicKey
        | ed25519.Ed25519PublicKey
        | ed448.Ed448PublicKey,
    ):
        return False
    try:
        return crl.is_signature_valid(key)
    except (InvalidSignature, TypeError, ValueError):
        return False


#: Revocation reasons after which the key may have been used by someone else: a signature
#: that only *claims* a time before the revocation proves nothing (``None``: no reason given).
COMPROMISE_REASONS: frozenset[x509.ReasonFlags | None] = frozenset(
    {
        None,
        x509.ReasonFlags.unspecified,
        x509.ReasonFlags.key_compromise,
        x509.ReasonFlags.ca_compromise,
        x509.ReasonFlags.aa_compromise,
    }
)


def _reason(entry: x509.RevokedCertificate) -> x509.ReasonFlags | None:
    try:
        return entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
    except x509.ExtensionNotFound:
        return None
    except ValueError:  # an unreadable reason counts as none given (the strict case)
        return None


def _fresh(crl: x509.CertificateRevocationList, now: dt.datetime | None) -> bool:
    """Whether ``crl`` is still current at ``now`` (no ``now``: not judged). A CRL without
    nextUpdate cannot show it is current."""
    if now is None:
        return True
    next_update = crl.next_update_utc
    return next_update is not None and now <= next_update


@dataclass(frozen=True, slots=True)
class CrlStatus:
    """What the supplied CRLs say about one certificate (:meth:`CrlSet.status`).

    ``code``: ``CERTIFICATE.REVOKED`` (revoked on or before the signing time),
    ``CERTIFICATE.REVOKED_TIME_UNPROVEN`` (revoked later, for a compromise reason, and the
    signing time is not trusted), or ``None``. ``covered``: a valid *current* CRL of the issuer
    was supplied. ``invalid``: a CRL naming the issuer failed its signature check. ``stale``: a
    validly signed CRL of the issuer had passed its nextUpdate and was not counted as coverage.
    """

    code: str | None
    covered: bool
    invalid: bool
    stale: bool


class CrlSet:
    """CRLs the caller supplied (never fetched), indexed by issuer name.

    A CRL counts only if its signature verifies with the public key of the certificate that
    issued the checked certificate (taken from the validated path).
    """

    def __init__(self, crls: Iterable[x509.CertificateRevocationList | bytes] = ()) -> None:
        self._by_issuer: dict[bytes, list[x509.CertificateRevocationList]] = {}
        self._sig_ok: dict[tuple[bytes, int, str], bool] = {}
        self._entries: dict[
            tuple[bytes, int, int], tuple[dt.datetime, x509.ReasonFlags | None] | None
        ] = {}
        for item in crls:
            for crl in self._load(item):
                self._by_issuer.setdefault(crl.issuer.public_bytes(), []).append(crl)

    @staticmethod
    def _load(
        item: x509.CertificateRevocationList | bytes,
    ) -> list[x509.CertificateRevocationList]:
        if isinstance(item, x509.CertificateRevocationList):
            return [item]
        try:
            blocks = _PEM_CRL.findall(item)
            if blocks:
                return [x509.load_pem_x509_crl(b) for b in blocks]
            return [x509.load_der_x509_crl(item)]
        except ValueError as e:
            raise VerificationInputError(
                "A supplied CRL could not be read.",
                "Không đọc được CRL được cung cấp.",
                code="VERIFY.INPUT.CRL",
            ) from e

    def __bool__(self) -> bool:
        return bool(self._by_issuer)

    def __getstate__(self) -> dict[str, object]:
        return {"ders": [c.public_bytes(_DER) for crls in self._by_issuer.values() for c in crls]}

    def __setstate__(self, state: dict[str, object]) -> None:
        ders = state["ders"]
        assert isinstance(ders, list)
        self._by_issuer = {}
        self._sig_ok = {}
        self._entries = {}
        for d in ders:
            crl = x509.load_der_x509_crl(d)
            self._by_issuer.setdefault(crl.issuer.public_bytes(), []).append(crl)

    def check(
        self,
        cert: x509.Certificate,
        issuer: x509.Certificate,
        at: dt.datetime,
        *,
        now: dt.datetime | None = None,
        trust_signing_time: bool = False,
    ) -> tuple[str | None, bool, bool]:
        """``(code, covered, had_invalid_crl)`` of :meth:`status`."""
        st = self.status(cert, issuer, at, now=now, trust_signing_time=trust_signing_time)
        return st.code, st.covered, st.invalid

    def status(
        self,
        cert: x509.Certificate,
        issuer: x509.Certificate,
        at: dt.datetime,
        *,
        now: dt.datetime | None = None,
        trust_signing_time: bool = False,
    ) -> CrlStatus:
        """What the CRLs of ``cert``'s issuer say about ``cert`` signed at (claimed) time ``at``,
        verified at time ``now``.

        Only CRLs whose signature verifies with ``issuer``'s key count. A CRL whose nextUpdate
        is before ``now`` does not count as coverage (as if missing), but a revocation it lists
        still counts: revocation is final. A listed revocation on or before ``at`` is
        ``CERTIFICATE.REVOKED``. A later one whose reason is in :data:`COMPROMISE_REASONS` is
        ``CERTIFICATE.REVOKED_TIME_UNPROVEN`` unless ``trust_signing_time``: ``at`` is the
        signer's own claim, and whoever holds a compromised key can claim any time.
        """
        t = _utc(at)
        when = _utc(now) if now is not None else None
        covered = invalid = stale = False
        later: str | None = None
        issuer_name = names(cert)[1]
        for i, crl in enumerate(self._by_issuer.get(issuer_name, ())):
            key = (issuer_name, i, fingerprint(issuer))
            ok = self._sig_ok.get(key)
            if ok is None:
                ok = self._sig_ok[key] = _verify_crl_signature(crl, issuer)
            if not ok:
                invalid = True
                continue
            if _fresh(crl, when):
                covered = True
            else:
                stale = True
            ekey = (issuer_name, i, cert.serial_number)
            if ekey in self._entries:
                found = self._entries[ekey]
            else:
                entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
                found = self._entries[ekey] = (
                    (entry.revocation_date_utc, _reason(entry)) if entry is not None else None
                )
            if found is None:
                continue
            revoked_at, reason = found
            if revoked_at <= t:
                return CrlStatus("CERTIFICATE.REVOKED", covered, invalid, stale and not covered)
            if reason in COMPROMISE_REASONS and not trust_signing_time:
                later = "CERTIFICATE.REVOKED_TIME_UNPROVEN"
        return CrlStatus(later, covered, invalid, stale and not covered)
