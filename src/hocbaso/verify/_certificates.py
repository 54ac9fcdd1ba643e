"""Certificates as the verifier meets them: parsed once, and what is derived from them once.

Records from one school carry the same few certificates over and over (the teachers', the
school's, the CA's), so parsing each DER once and remembering what is derived from it (names,
fingerprint, identity, validity window, the checks of step 5) removes most certificate cost from
a batch. Every cache here is per process, bounded (cleared when full) and keyed by exact bytes:
the base64 text or DER of a certificate, or the certificate itself (which hashes and compares by
its DER). Identity is read with the signing core's rule, so signer and verifier agree on who a
certificate names (docs/verification.md §2 step 5).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from hocbaso.errors import VerificationInputError
from hocbaso.signature._internal import CertificateIdentity, HolderKind, certificate_identity

__all__ = [
    "as_utc",
    "der_of",
    "fingerprint",
    "identity_of",
    "load_certificate",
    "load_certificate_b64",
    "memo",
    "micros",
    "names",
    "signer_summary",
    "valid_at",
    "window_micros",
]

_DER = Encoding.DER

_MAX_CACHE = 8192
_BY_DER: dict[bytes, x509.Certificate] = {}
#: certificate -> derived values by name. Keyed by the certificate itself: ``Certificate``
#: hashes and compares by its DER, so two objects for the same bytes share an entry and a
#: different certificate can never be taken for a recycled object.
_DERIVED: dict[x509.Certificate, dict[str, Any]] = {}


def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
    if len(cache) >= _MAX_CACHE:
        cache.clear()
    cache[key] = value


#: The entries of :data:`_DERIVED` per certificate *object*, bucketed by the certificate's
#: signature bytes. Hashing a ``Certificate`` hashes its DER (~2 µs, and a record's check asks
#: ~60 times, for as many certificates as a record has signers); reading and hashing its
#: signature bytes costs a tenth of that. The bucket key only narrows the search: an entry is
#: taken only for the very object it holds (``is``; holding it keeps it alive), so two
#: certificates that share signature bytes (a forged copy) never share values. Bounded.
_BY_SIGNATURE: dict[bytes, list[tuple[x509.Certificate, dict[str, Any]]]] = {}
_BUCKET = 4
_MISSING = object()


def memo(cert: x509.Certificate, name: str, compute: Callable[[x509.Certificate], Any]) -> Any:
    """``compute(cert)``, once per process per certificate and ``name``."""
    key = cert.signature
    bucket = _BY_SIGNATURE.get(key)
    if bucket is None:
        bucket = []
        _remember(_BY_SIGNATURE, key, bucket)
    for held, values in bucket:  # noqa: B007 - the entry found is used after the loop
        if held is cert:
            break
    else:
        found = _DERIVED.get(cert)
        if found is None:
            found = {}
            _remember(_DERIVED, cert, found)
        values = found
        bucket.append((cert, values))
        del bucket[:-_BUCKET]
    value = values.get(name, _MISSING)
    if value is _MISSING:
        value = values[name] = compute(cert)
    return value


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
    found: tuple[bytes, bytes] = memo(
        cert, "names", lambda c: (c.subject.public_bytes(), c.issuer.public_bytes())
    )
    return found


def der_of(cert: x509.Certificate) -> bytes:
    """The certificate's DER, once per certificate: one ``bytes`` object, whose hash Python
    keeps, so keying a cache by it costs one lookup, and equal keys are equal bytes."""
    found: bytes = memo(cert, "der", lambda c: c.public_bytes(_DER))
    return found


def fingerprint(cert: x509.Certificate) -> str:
    """Lower-case hex SHA-256 of the DER certificate."""
    fp: str = memo(cert, "fp", lambda c: hashlib.sha256(c.public_bytes(_DER)).hexdigest())
    return fp


def identity_of(cert: x509.Certificate) -> CertificateIdentity:
    """Who the certificate names, by the signing core's one rule
    (:func:`hocbaso.signature._certrules.certificate_identity`), once per certificate."""
    found: CertificateIdentity = memo(cert, "identity", certificate_identity)
    return found


def _attr(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str | None:
    attrs = cert.subject.get_attributes_for_oid(oid)
    if not attrs:
        return None
    v = attrs[0].value
    return v if isinstance(v, str) else v.decode("utf-8", "replace")


def signer_summary(cert: x509.Certificate) -> str:
    """``CN=…, O=…, MST:… [sha256:0123456789abcdef]``: never the personal ID (cached)."""
    found: str = memo(cert, "summary", _signer_summary)
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
    if ident.holder is HolderKind.ORGANISATION and ident.organisation_id:
        parts.append(f"MST/MNS:{ident.organisation_id}")
    return f"{', '.join(parts) or '?'} [sha256:{fingerprint(cert)[:16]}]"


def as_utc(t: dt.datetime) -> dt.datetime:
    """``t`` in UTC; a naive time is the caller's mistake (``VERIFY.INPUT.NAIVE_TIME``)."""
    if t.tzinfo is None:
        raise VerificationInputError(
            "A validation time must carry a time zone.",
            "Thời điểm kiểm tra phải có múi giờ.",
            code="VERIFY.INPUT.NAIVE_TIME",
        )
    return t.astimezone(dt.UTC)


def valid_at(cert: x509.Certificate, t: dt.datetime) -> str | None:
    """``None`` if ``cert`` is valid at ``t`` (UTC), else ``CERTIFICATE.NOT_YET_VALID`` or
    ``CERTIFICATE.EXPIRED``."""
    window: tuple[dt.datetime, dt.datetime] = memo(
        cert, "window", lambda c: (c.not_valid_before_utc, c.not_valid_after_utc)
    )
    if t < window[0]:
        return "CERTIFICATE.NOT_YET_VALID"
    if t > window[1]:
        return "CERTIFICATE.EXPIRED"
    return None


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_ONE_MICROSECOND = dt.timedelta(microseconds=1)


def micros(t: dt.datetime) -> int:
    """An aware time as whole microseconds since 1970 UTC: exactly the instant a ``datetime``
    holds (its resolution is one microsecond), so comparing two of these integers gives what
    comparing the two datetimes gives, at a fraction of the cost (step 5 compares a signing
    time with a dozen bounds per signature)."""
    return (t - _EPOCH) // _ONE_MICROSECOND


def window_micros(cert: x509.Certificate) -> tuple[int, int]:
    """``cert``'s notBefore and notAfter as :func:`micros` (once per certificate)."""
    found: tuple[int, int] = memo(
        cert,
        "window_us",
        lambda c: (micros(c.not_valid_before_utc), micros(c.not_valid_after_utc)),
    )
    return found
