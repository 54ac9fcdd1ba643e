"""TEST-ONLY public key infrastructure. Never use these keys or certificates for real records.

A small certificate hierarchy shaped like Vietnam's, for tests, the demo and vendor
experiments, generated with ``cryptography``:

- a root CA (``Hocbaso TEST Root CA``), the trust anchor a verifier is given;
- an intermediate (``Hocbaso Test Government CA``), standing in for the national
  government CA (or a licensed public CA such as VNPT-CA / Viettel-CA) that issues
  signing certificates;
- personal certificates with ``UID=CCCD:<12 digits>`` in the subject, the way Vietnamese CAs
  put a citizen-ID number in a certificate, for subject teachers (GVBM), the homeroom teacher
  (GVCN) and the principal (CBQL) — made on demand for *any* 12-digit ID, because the IDs
  come from the record being signed;
- an organisation certificate for the school with ``UID=MST:<tax code>``;
- an expired certificate, a not-yet-valid certificate, a revoked certificate and the
  intermediate's CRL listing it;
- certificates a verifier must refuse although they chain to the anchor: a 1024-bit RSA key
  (:meth:`TestPKI.weak_rsa`), an ECDSA key on a curve outside P-256/384/521
  (:meth:`TestPKI.weak_curve`), a ``serverAuth``-only Extended Key Usage
  (:meth:`TestPKI.server_auth_only`), a school certificate that also carries a personal
  identifier (:meth:`TestPKI.school_with_personal_id`); CRLs with chosen revocation reasons and
  times, and a CRL past its nextUpdate (:meth:`TestPKI.make_crl`, :meth:`TestPKI.stale_crl`).

Everything is pinned to a fixed clock so tests never depend on today's date: ordinary
certificates are valid from 2024-01-01 to 2030-01-01 (UTC) and :data:`TEST_NOW` —
2025-05-21T08:30:00+07:00 — is the "now" tests should verify at. Serial numbers are derived
from each certificate's role, so they never change.

RSA key generation is random and takes ~30 ms per key, so keys are cached: in memory per
process, and on disk (unencrypted PKCS#8, they are test keys) in a per-user directory under
the system temp dir keyed by :data:`PKI_VERSION`. With cached keys, RSA certificates are
byte-for-byte reproducible across runs (PKCS#1 v1.5 signatures are deterministic). Set the
environment variable ``HOCBASO_TEST_PKI_CACHE`` to a directory to move the disk cache, or to
``off`` to keep keys in memory only.

Entry point::

    from hocbaso.testing.pki import TEST_NOW, build_test_pki

    pki = build_test_pki()            # RSA-2048; build_test_pki("ec") for ECDSA P-256
    gvcn = pki.personal("001085000201")
    signer = gvcn.signer()            # a hocbaso.signature.Signer
    pki.write_trust_files(folder)     # root.pem, intermediate.pem, *.crl
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from pathlib import Path
from typing import ClassVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from hocbaso.errors import ConfigurationError
from hocbaso.signature import KeyFileSigner
from hocbaso.signature._internal import PrivateKey

__all__ = [
    "CRL_FILE_NAME",
    "EXPIRED_CCCD",
    "HOMEROOM_CCCD",
    "NOT_YET_VALID_CCCD",
    "PKI_VERSION",
    "PRINCIPAL_CCCD",
    "REVOCATION_TIME",
    "REVOKED_CCCD",
    "SCHOOL_MST",
    "SUBJECT_TEACHER_CCCDS",
    "TEST_NOW",
    "VALID_FROM",
    "VALID_UNTIL",
    "KeyType",
    "TestIdentity",
    "TestPKI",
    "build_test_pki",
]

#: Bump when anything that goes into a certificate changes: it keys the on-disk key cache.
PKI_VERSION = "1"

_ICT = timezone(timedelta(hours=7), "ICT")

#: The pinned "now" for tests (Vietnam time, UTC+07:00): inside every ordinary
#: certificate's validity, after the expired certificate's end and the revocation,
#: before the not-yet-valid certificate's start.
TEST_NOW = datetime(2025, 5, 21, 8, 30, tzinfo=_ICT)
#: Validity of every ordinary certificate (CAs included).
VALID_FROM = datetime(2024, 1, 1, tzinfo=UTC)
VALID_UNTIL = datetime(2030, 1, 1, tzinfo=UTC)
_EXPIRED_FROM = datetime(2022, 1, 1, tzinfo=UTC)
_EXPIRED_UNTIL = datetime(2025, 1, 1, tzinfo=UTC)
_NOT_YET_FROM = datetime(2029, 1, 1, tzinfo=UTC)
#: When the revoked certificate was revoked (before :data:`TEST_NOW`).
REVOCATION_TIME = datetime(2025, 3, 1, tzinfo=UTC)
_CRL_THIS_UPDATE = datetime(2025, 5, 1, tzinfo=UTC)
# The CRL stays "current" until the hierarchy expires, so the demo's files verify today too.
_CRL_NEXT_UPDATE = VALID_UNTIL
# A CRL that had passed its nextUpdate by TEST_NOW.
_STALE_THIS_UPDATE = datetime(2025, 4, 1, tzinfo=UTC)
_STALE_NEXT_UPDATE = datetime(2025, 5, 1, tzinfo=UTC)

#: Convenience IDs (synthetic; any 12-digit string works with :meth:`TestPKI.personal`).
SUBJECT_TEACHER_CCCDS: tuple[str, ...] = tuple(f"00109000{n:04d}" for n in range(1, 21))
HOMEROOM_CCCD = "001085000201"
PRINCIPAL_CCCD = "001075000301"
EXPIRED_CCCD = "001080000401"
NOT_YET_VALID_CCCD = "001080000501"
REVOKED_CCCD = "001080000601"
SCHOOL_MST = "0101234567"

#: File name of the intermediate's CRL written by :meth:`TestPKI.write_trust_files` (DER).
CRL_FILE_NAME = "hocbaso-test-government-ca.crl"

_CCCD_RE = re.compile(r"[0-9]{12}")
_MST_RE = re.compile(r"[0-9]{10}(-[0-9]{3})?")
_TEST_ORG = "hocbaso TEST PKI - NOT FOR PRODUCTION"


class KeyType(StrEnum):
    """Key algorithm of a whole test hierarchy."""

    RSA = "rsa"  # RSA-2048, signatures RSA-SHA256 (the docs/signing.md §1 default)
    EC = "ec"  # ECDSA P-256, signatures ECDSA-SHA256


# -- key cache ---------------------------------------------------------------------------


def _cache_dir() -> Path | None:
    setting = os.environ.get("HOCBASO_TEST_PKI_CACHE", "")
    if setting.lower() == "off":
        return None
    if setting:
        return Path(setting)
    user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    return Path(tempfile.gettempdir()) / f"hocbaso-test-pki-v{PKI_VERSION}-{user}"


_KEYS: dict[tuple[KeyType, str], PrivateKey] = {}
_KEYS_LOCK = threading.Lock()


#: Keys of a deliberately weak kind, whatever the hierarchy's key type (see ``_key``'s spec).
_WEAK_SPECS = ("rsa1024", "secp256k1")


def _new_key(key_type: KeyType, spec: str | None = None) -> PrivateKey:
    if spec == "rsa1024":
        return rsa.generate_private_key(public_exponent=65537, key_size=1024)
    if spec == "secp256k1":
        return ec.generate_private_key(ec.SECP256K1())
    if key_type is KeyType.RSA:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def _key(key_type: KeyType, label: str, spec: str | None = None) -> PrivateKey:
    """The key for ``label``: from memory, else from the disk cache, else freshly generated.

    ``spec`` (one of ``_WEAK_SPECS``) asks for a weak key instead of the hierarchy's kind."""
    if spec is not None:
        label = f"{spec}|{label}"
    with _KEYS_LOCK:
        found = _KEYS.get((key_type, label))
        if found is not None:
            return found
        folder = _cache_dir()
        # Hash the label: file names should not carry (even synthetic) personal IDs.
        digest = hashlib.sha256(f"{key_type.value}|{label}".encode()).hexdigest()[:32]
        path = folder / f"{key_type.value}-{digest}.pem" if folder else None
        key: PrivateKey | None = None
        if path is not None and path.is_file():
            try:
                loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
            except (ValueError, TypeError, OSError):
                loaded = None
            rsa_wanted = spec == "rsa1024" or (spec is None and key_type is KeyType.RSA)
            wanted = rsa.RSAPrivateKey if rsa_wanted else ec.EllipticCurvePrivateKey
            if isinstance(loaded, wanted):
                key = loaded
        if key is None:
            key = _new_key(key_type, spec)
            if path is not None:
                _store_key(path, key)
        _KEYS[(key_type, label)] = key
        return key


def _store_key(path: Path, key: PrivateKey) -> None:
    """Write atomically (rename) so concurrent test processes never read half a file."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        tmp.write_bytes(pem)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only temp dir only costs speed


def _serial(key_type: KeyType, label: str) -> int:
    """A fixed, positive serial number (< 2**127) derived from the certificate's role."""
    h = hashlib.sha256(f"hocbaso-test-pki|{PKI_VERSION}|{key_type.value}|{label}".encode())
    return (int.from_bytes(h.digest()[:16], "big") >> 1) | 1


# -- certificate building ----------------------------------------------------------------


PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey


def _ski(key: PrivateKey | PublicKey) -> x509.SubjectKeyIdentifier:
    public = key if isinstance(key, PublicKey) else key.public_key()
    return x509.SubjectKeyIdentifier.from_public_key(public)


def _aki(issuer_key: PrivateKey) -> x509.AuthorityKeyIdentifier:
    return x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key())


def _ca_cert(
    key_type: KeyType,
    label: str,
    subject: x509.Name,
    key: PrivateKey,
    issuer: x509.Name,
    issuer_key: PrivateKey,
    path_length: int,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(_serial(key_type, label))
        .not_valid_before(VALID_FROM)
        .not_valid_after(VALID_UNTIL)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(_ski(key), critical=False)
    )
    if issuer_key is not key:
        builder = builder.add_extension(_aki(issuer_key), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


#: What Vietnamese CAs put in signing certificates (and what every ordinary test leaf carries).
_DEFAULT_EKU = (ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.EMAIL_PROTECTION)


def _leaf_cert(
    pki: TestPKI,
    label: str,
    subject: x509.Name,
    key: PublicKey,
    not_before: datetime,
    not_after: datetime,
    eku: tuple[x509.ObjectIdentifier, ...] | None = None,
) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(pki.intermediate.subject)
        .public_key(key)
        .serial_number(_serial(pki.key_type, label))
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation: a signature with legal effect
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage(list(eku or _DEFAULT_EKU)), critical=False)
        # Vietnamese CAs put an e-mail address here; cryptography's default client-verifier
        # policy requires a SAN, so the test leaves carry a placeholder one.
        .add_extension(
            x509.SubjectAlternativeName([x509.RFC822Name("test-signer@hocbaso.invalid")]),
            critical=False,
        )
        .add_extension(_ski(key), critical=False)
        .add_extension(_aki(pki.intermediate_key), critical=False)
        .sign(pki.intermediate_key, hashes.SHA256())
    )


def _person_name(cccd: str, name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "Hà Nội"),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
            x509.NameAttribute(NameOID.USER_ID, f"CCCD:{cccd}"),
        ]
    )


def _check_cccd(cccd: str) -> None:
    if not _CCCD_RE.fullmatch(cccd):
        raise ConfigurationError(
            "a test personal ID must be exactly 12 digits",
            "Số định danh cá nhân thử nghiệm phải gồm đúng 12 chữ số",
            code="TESTING.PKI.CCCD",
        )


@dataclass(frozen=True, eq=False)
class TestIdentity:
    """TEST-ONLY: one certificate with its private key and chain (intermediate, no root)."""

    __test__: ClassVar[bool] = False  # not a pytest test class despite the name

    certificate: x509.Certificate
    private_key: PrivateKey
    chain: tuple[x509.Certificate, ...]

    def signer(self) -> KeyFileSigner:
        """A :class:`~hocbaso.signature.Signer` holding this identity's key."""
        return KeyFileSigner(self.private_key, self.certificate, self.chain)

    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def chain_pem(self) -> bytes:
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in self.chain)

    def key_pem(self, password: bytes | None = None) -> bytes:
        """The private key as PKCS#8 PEM, encrypted with ``password`` when one is given."""
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password)
            if password
            else serialization.NoEncryption()
        )
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )

    def pkcs12(self, password: bytes | None = None) -> bytes:
        """Key, certificate and chain as a PKCS#12 file (what a CA hands a vendor)."""
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password)
            if password
            else serialization.NoEncryption()
        )
        return pkcs12.serialize_key_and_certificates(
            b"hocbaso-test", self.private_key, self.certificate, list(self.chain), encryption
        )

    def __repr__(self) -> str:
        return f"TestIdentity(serial={self.certificate.serial_number:#x})"


@dataclass(frozen=True, eq=False)
class TestPKI:
    """TEST-ONLY certificate hierarchy: root → "government" intermediate → leaves.

    Get one with :func:`build_test_pki` (cached per key type). Identities are made on first
    request and cached per argument, so asking twice returns the same object.
    """

    __test__: ClassVar[bool] = False  # not a pytest test class despite the name

    key_type: KeyType
    root: x509.Certificate
    root_key: PrivateKey
    intermediate: x509.Certificate
    intermediate_key: PrivateKey
    _identities: dict[tuple[str, ...], TestIdentity] = field(
        default_factory=dict, repr=False, compare=False
    )
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    @classmethod
    def cached(cls, key_type: KeyType | str = KeyType.RSA) -> TestPKI:
        """Same as :func:`build_test_pki`."""
        return build_test_pki(key_type)

    # -- identities ----------------------------------------------------------------------

    def _identity(
        self,
        cache_key: tuple[str, ...],
        key_label: str,
        subject: x509.Name,
        not_before: datetime,
        not_after: datetime,
        *,
        spec: str | None = None,
        eku: tuple[x509.ObjectIdentifier, ...] | None = None,
    ) -> TestIdentity:
        with self._lock:
            found = self._identities.get(cache_key)
            if found is None:
                key = _key(self.key_type, key_label, spec)
                label = "|".join(cache_key)
                cert = _leaf_cert(
                    self, label, subject, key.public_key(), not_before, not_after, eku
                )
                found = TestIdentity(cert, key, (self.intermediate,))
                self._identities[cache_key] = found
            return found

    def personal(self, cccd: str, name: str | None = None) -> TestIdentity:
        """A valid personal certificate with ``UID=CCCD:<cccd>`` for any 12-digit ``cccd``.

        ``name`` goes into the CN (default: a generic test name). Each ID has its own key.
        """
        _check_cccd(cccd)
        cn = name or "NGƯỜI KÝ THỬ NGHIỆM (TEST)"
        return self._identity(
            ("personal", cccd, cn),
            f"cccd:{cccd}",
            _person_name(cccd, cn),
            VALID_FROM,
            VALID_UNTIL,
        )

    def certify_personal(
        self, public_key: PublicKey, cccd: str, name: str | None = None
    ) -> x509.Certificate:
        """A valid personal certificate (``UID=CCCD:<cccd>``) for a key held elsewhere, e.g.
        generated inside a PKCS#11 token and never exported. Not cached; the serial number
        is derived from the ID and the public key."""
        _check_cccd(cccd)
        cn = name or "NGƯỜI KÝ THỬ NGHIỆM (TEST)"
        spki = public_key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        label = f"certify|{cccd}|{cn}|{hashlib.sha256(spki).hexdigest()}"
        return _leaf_cert(self, label, _person_name(cccd, cn), public_key, VALID_FROM, VALID_UNTIL)

    def school(self, mst: str = SCHOOL_MST, name: str | None = None) -> TestIdentity:
        """The school's organisation certificate with ``UID=MST:<mst>`` (10 or 10-3 digits)."""
        if not _MST_RE.fullmatch(mst):
            raise ConfigurationError(
                "a test tax code must be 10 digits, optionally followed by -3 digits",
                "Mã số thuế thử nghiệm phải gồm 10 chữ số, có thể kèm -3 chữ số",
                code="TESTING.PKI.MST",
            )
        org = name or "TRƯỜNG THỬ NGHIỆM HOCBASO (TEST)"
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "Hà Nội"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                x509.NameAttribute(NameOID.COMMON_NAME, org),
                x509.NameAttribute(NameOID.USER_ID, f"MST:{mst}"),
            ]
        )
        return self._identity(("school", mst, org), f"mst:{mst}", subject, VALID_FROM, VALID_UNTIL)

    def expired(self, cccd: str = EXPIRED_CCCD) -> TestIdentity:
        """A personal certificate valid 2022-01-01 .. 2025-01-01: expired at :data:`TEST_NOW`."""
        _check_cccd(cccd)
        name = _person_name(cccd, "CHỨNG THƯ HẾT HẠN (TEST)")
        return self._identity(
            ("expired", cccd), f"expired:{cccd}", name, _EXPIRED_FROM, _EXPIRED_UNTIL
        )

    def not_yet_valid(self, cccd: str = NOT_YET_VALID_CCCD) -> TestIdentity:
        """A personal certificate valid only from 2029-01-01: not yet valid at :data:`TEST_NOW`."""
        _check_cccd(cccd)
        name = _person_name(cccd, "CHỨNG THƯ CHƯA HIỆU LỰC (TEST)")
        return self._identity(
            ("not-yet-valid", cccd), f"not-yet-valid:{cccd}", name, _NOT_YET_FROM, VALID_UNTIL
        )

    def revoked(self, cccd: str = REVOKED_CCCD) -> TestIdentity:
        """A personal certificate revoked at :data:`REVOCATION_TIME`.

        :attr:`crl` lists the default one (``REVOKED_CCCD``); for another ID build a CRL
        listing it with :meth:`make_crl`.
        """
        _check_cccd(cccd)
        name = _person_name(cccd, "CHỨNG THƯ BỊ THU HỒI (TEST)")
        return self._identity(("revoked", cccd), f"revoked:{cccd}", name, VALID_FROM, VALID_UNTIL)

    # -- certificates a verifier must refuse ----------------------------------------------

    def weak_rsa(self, cccd: str = HOMEROOM_CCCD) -> TestIdentity:
        """A valid personal certificate whose key is RSA-1024 (in either hierarchy): the
        signer refuses it (``SIGN.ALGORITHM.KEY_SIZE``), so must a verifier."""
        _check_cccd(cccd)
        name = _person_name(cccd, "KHOÁ RSA 1024 BIT (TEST)")
        return self._identity(
            ("weak-rsa", cccd), f"weak-rsa:{cccd}", name, VALID_FROM, VALID_UNTIL, spec="rsa1024"
        )

    def weak_curve(self, cccd: str = HOMEROOM_CCCD) -> TestIdentity:
        """A valid personal certificate whose key is ECDSA on secp256k1 (not P-256/384/521)."""
        _check_cccd(cccd)
        name = _person_name(cccd, "ĐƯỜNG CONG SECP256K1 (TEST)")
        return self._identity(
            ("weak-curve", cccd),
            f"weak-curve:{cccd}",
            name,
            VALID_FROM,
            VALID_UNTIL,
            spec="secp256k1",
        )

    def server_auth_only(self, cccd: str = HOMEROOM_CCCD) -> TestIdentity:
        """A valid personal certificate whose Extended Key Usage is ``serverAuth`` only (a web
        server's certificate, which must not sign a record)."""
        _check_cccd(cccd)
        name = _person_name(cccd, "CHỈ SERVERAUTH (TEST)")
        return self._identity(
            ("server-auth", cccd),
            f"server-auth:{cccd}",
            name,
            VALID_FROM,
            VALID_UNTIL,
            eku=(ExtendedKeyUsageOID.SERVER_AUTH,),
        )

    def school_with_personal_id(
        self, mst: str = SCHOOL_MST, personal: str = "CMND:012345678"
    ) -> TestIdentity:
        """A certificate naming the school's ``UID=MST:<mst>`` **and** a personal identifier
        (``UID=<personal>``, e.g. ``CMND:…``, ``CCCD:…``, ``HC:…``): a person's certificate,
        which must never seal an issuance."""
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "TRƯỜNG THỬ NGHIỆM HOCBASO (TEST)"),
                x509.NameAttribute(NameOID.COMMON_NAME, "NGƯỜI ĐẠI DIỆN THỬ NGHIỆM (TEST)"),
                x509.NameAttribute(NameOID.USER_ID, personal),
                x509.NameAttribute(NameOID.USER_ID, f"MST:{mst}"),
            ]
        )
        return self._identity(
            ("school-personal", mst, personal),
            f"school-personal:{mst}|{personal}",
            subject,
            VALID_FROM,
            VALID_UNTIL,
        )

    # -- CRL ---------------------------------------------------------------------------

    @functools.cached_property
    def crl(self) -> x509.CertificateRevocationList:
        """The intermediate's CRL: lists exactly ``revoked()`` (the default revoked identity)."""
        return self.make_crl([self.revoked().certificate])

    def make_crl(
        self,
        revoked: list[x509.Certificate],
        *,
        number: int = 1,
        reasons: Mapping[int, x509.ReasonFlags | None] | None = None,
        this_update: datetime = _CRL_THIS_UPDATE,
        next_update: datetime = _CRL_NEXT_UPDATE,
        revocation_time: datetime = REVOCATION_TIME,
    ) -> x509.CertificateRevocationList:
        """A CRL from the intermediate listing ``revoked`` at ``revocation_time``.

        Each entry's reason is ``keyCompromise`` unless ``reasons`` (serial number → reason)
        says otherwise; a reason of ``None`` leaves the entry without a reason code. By default
        issued 2025-05-01, next update 2030-01-01 — current at :data:`TEST_NOW` and today.
        """
        chosen = reasons or {}
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.intermediate.subject)
            .last_update(this_update)
            .next_update(next_update)
            .add_extension(x509.CRLNumber(number), critical=False)
            .add_extension(_aki(self.intermediate_key), critical=False)
        )
        for cert in sorted(revoked, key=lambda c: c.serial_number):
            reason = chosen.get(cert.serial_number, x509.ReasonFlags.key_compromise)
            entry = (
                x509.RevokedCertificateBuilder()
                .serial_number(cert.serial_number)
                .revocation_date(revocation_time)
            )
            if reason is not None:
                entry = entry.add_extension(x509.CRLReason(reason), critical=False)
            builder = builder.add_revoked_certificate(entry.build())
        return builder.sign(self.intermediate_key, hashes.SHA256())

    def stale_crl(
        self, revoked: list[x509.Certificate] | None = None
    ) -> x509.CertificateRevocationList:
        """A validly signed CRL whose nextUpdate (2025-05-01) is before :data:`TEST_NOW`: a
        verifier must not count it as a revocation check."""
        return self.make_crl(
            [self.revoked().certificate] if revoked is None else revoked,
            number=2,
            this_update=_STALE_THIS_UPDATE,
            next_update=_STALE_NEXT_UPDATE,
        )

    # -- files -------------------------------------------------------------------------

    def root_pem(self) -> bytes:
        return self.root.public_bytes(serialization.Encoding.PEM)

    def intermediate_pem(self) -> bytes:
        return self.intermediate.public_bytes(serialization.Encoding.PEM)

    def crl_der(self) -> bytes:
        return self.crl.public_bytes(serialization.Encoding.DER)

    def crl_pem(self) -> bytes:
        return self.crl.public_bytes(serialization.Encoding.PEM)

    def write_trust_files(self, folder: str | os.PathLike[str]) -> dict[str, Path]:
        """Write ``root.pem`` (the trust anchor), ``intermediate.pem`` and the CRL (DER,
        :data:`CRL_FILE_NAME`) into ``folder`` (created if needed); return the paths by kind
        (``"root"``, ``"intermediate"``, ``"crl"``)."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        paths = {
            "root": out / "root.pem",
            "intermediate": out / "intermediate.pem",
            "crl": out / CRL_FILE_NAME,
        }
        paths["root"].write_bytes(self.root_pem())
        paths["intermediate"].write_bytes(self.intermediate_pem())
        paths["crl"].write_bytes(self.crl_der())
        return paths

    def __repr__(self) -> str:
        return f"TestPKI(key_type={self.key_type.value!r})"


@functools.cache
def _build(key_type: KeyType) -> TestPKI:
    root_key = _key(key_type, "root")
    root_name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _TEST_ORG),
            x509.NameAttribute(NameOID.COMMON_NAME, "Hocbaso TEST Root CA"),
        ]
    )
    root = _ca_cert(key_type, "root", root_name, root_key, root_name, root_key, path_length=1)
    inter_key = _key(key_type, "intermediate")
    inter_name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _TEST_ORG),
            x509.NameAttribute(NameOID.COMMON_NAME, "Hocbaso Test Government CA"),
        ]
    )
    inter = _ca_cert(
        key_type, "intermediate", inter_name, inter_key, root_name, root_key, path_length=0
    )
    return TestPKI(key_type, root, root_key, inter, inter_key)


def build_test_pki(key_type: KeyType | str = KeyType.RSA) -> TestPKI:
    """TEST-ONLY: the cached test hierarchy for ``key_type`` ("rsa" default, or "ec")."""
    return _build(KeyType(key_type))
