"""Certificate revocation lists the caller supplies (never fetched): step 5's revocation check.

A CRL counts only if its signature verifies with the key of the certificate that issued the
checked certificate, taken from the validated path (docs/verification.md §2 step 5).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from hocbaso.errors import VerificationInputError
from hocbaso.verify._certificates import as_utc, fingerprint, micros, names

__all__ = ["COMPROMISE_REASONS", "CrlFact", "CrlSet", "CrlStatus", "judge_crls"]

_PEM_CRL = re.compile(rb"-----BEGIN X509 CRL-----\s+.*?-----END X509 CRL-----", re.DOTALL)
_DER = Encoding.DER


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


#: What one CRL of an issuer says about one certificate, independent of any time: whether its
#: signature verifies with the issuer's key, its nextUpdate (:func:`micros`; ``None``: absent)
#: and, if it lists the certificate, (revocation date in :func:`micros`, whether the reason is
#: one of :data:`COMPROMISE_REASONS`).
CrlFact = tuple[bool, int | None, tuple[int, bool] | None]


def judge_crls(
    facts: tuple[CrlFact, ...], at: int, now: int | None, trust_signing_time: bool
) -> tuple[str | None, bool, bool, bool]:
    """:meth:`CrlSet.status` as ``(code, covered, invalid, stale)`` from the facts of the
    issuer's CRLs (in the set's order), at the signing time ``at`` and verification time
    ``now`` (both :func:`micros`; ``now`` ``None``: freshness not judged). The only
    time-dependent part of the revocation check: a handful of integer comparisons."""
    covered = invalid = stale = False
    later: str | None = None
    for ok, next_update, found in facts:
        if not ok:
            invalid = True
            continue
        # A CRL without nextUpdate cannot show it is current.
        if now is None or (next_update is not None and now <= next_update):
            covered = True
        else:
            stale = True
        if found is None:
            continue
        revoked_at, compromise = found
        if revoked_at <= at:
            return "CERTIFICATE.REVOKED", covered, invalid, stale and not covered
        if compromise and not trust_signing_time:
            later = "CERTIFICATE.REVOKED_TIME_UNPROVEN"
    return later, covered, invalid, stale and not covered


class CrlSet:
    """CRLs the caller supplied (never fetched), indexed by issuer name.

    A CRL counts only if its signature verifies with the public key of the certificate that
    issued the checked certificate (taken from the validated path).
    """

    def __init__(self, crls: Iterable[x509.CertificateRevocationList | bytes] = ()) -> None:
        self._by_issuer: dict[bytes, list[x509.CertificateRevocationList]] = {}
        self._sig_ok: dict[tuple[bytes, int, str], bool] = {}
        self._entries: dict[tuple[bytes, int, int], tuple[int, bool] | None] = {}
        self._fingerprint: tuple[bytes, ...] | None = None
        for item in crls:
            for crl in self._load(item):
                self._by_issuer.setdefault(crl.issuer.public_bytes(), []).append(crl)

    @property
    def fingerprint(self) -> tuple[bytes, ...]:
        """The SHA-256 of each CRL's DER, sorted: equal exactly when the sets hold the same
        CRLs (order aside), so results that depend on the CRLs can be cached by it."""
        if self._fingerprint is None:
            self._fingerprint = tuple(
                sorted(
                    hashlib.sha256(c.public_bytes(_DER)).digest()
                    for crls in self._by_issuer.values()
                    for c in crls
                )
            )
        return self._fingerprint

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
        self._fingerprint = None
        for d in ders:
            crl = x509.load_der_x509_crl(d)
            self._by_issuer.setdefault(crl.issuer.public_bytes(), []).append(crl)

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
        t = micros(as_utc(at))
        when = micros(as_utc(now)) if now is not None else None
        return CrlStatus(*judge_crls(self.facts(cert, issuer), t, when, trust_signing_time))

    def facts(self, cert: x509.Certificate, issuer: x509.Certificate) -> tuple[CrlFact, ...]:
        """What each CRL named by ``cert``'s issuer says about ``cert``, independent of time:
        the signature checked with ``issuer``'s key (once per CRL and issuer key) and the
        revoked-serial lookup (once per CRL and serial), in the set's order."""
        out: list[CrlFact] = []
        issuer_name = names(cert)[1]
        for i, crl in enumerate(self._by_issuer.get(issuer_name, ())):
            key = (issuer_name, i, fingerprint(issuer))
            ok = self._sig_ok.get(key)
            if ok is None:
                ok = self._sig_ok[key] = _verify_crl_signature(crl, issuer)
            if not ok:
                out.append((False, None, None))
                continue
            ekey = (issuer_name, i, cert.serial_number)
            if ekey in self._entries:
                found = self._entries[ekey]
            else:
                entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
                found = self._entries[ekey] = (
                    (micros(entry.revocation_date_utc), _reason(entry) in COMPROMISE_REASONS)
                    if entry is not None
                    else None
                )
            next_update = crl.next_update_utc
            out.append((True, micros(next_update) if next_update is not None else None, found))
        return tuple(out)
