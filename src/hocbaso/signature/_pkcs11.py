"""Signing with a key that never leaves a PKCS#11 token (USB token, smart card, HSM).

Vietnamese CAs (VNPT-CA, Viettel-CA, FPT-CA, BKAV-CA, the government CA) issue teachers and
principals a USB token with a vendor PKCS#11 library (``.so`` / ``.dll``); servers use an
HSM the same way. :class:`Pkcs11Signer` finds the private key by label (or id), checks it
against the certificate, and signs through the token:

- RSA: ``CKM_SHA256_RSA_PKCS`` (the token hashes and pads: PKCS#1 v1.5 over SHA-256). Tokens
  that only offer raw ``CKM_RSA_PKCS`` get the SHA-256 DigestInfo built here instead.
- EC: ``CKM_ECDSA_SHA256``, or ``CKM_ECDSA`` over a SHA-256 digest computed here. PKCS#11
  returns ``r || s``; it is converted to DER, because the
  :class:`~hocbaso.signature.Signer` protocol speaks DER for ECDSA.

Sessions and threads: the signer opens **one** logged-in session when it is built and keeps
it for every signature (logging in can take a PIN prompt or a slow PBKDF on the token, so
per-call sessions would be needlessly slow). A PKCS#11 session must not be used by two
threads at once, so ``sign_raw`` holds a lock: one instance may be shared between threads,
which then sign one after the other (a token signs one thing at a time anyway). If the
session is lost (token unplugged and replugged), the next signature reopens it once.
Call :meth:`close` (or use the signer as a context manager) when done; note that PKCS#11
login state is per application and token, so closing the session that logged in logs out
other sessions of this process on the same token.

``python-pkcs11`` is an optional dependency (``pip install hocbaso[pkcs11]``); it is
imported when a signer is built, so the rest of the library works without it.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from hocbaso.errors import CertificateError, SigningError
from hocbaso.signature._algorithms import SignatureMethod
from hocbaso.signature._keyfile import load_certificates, signature_method_for
from hocbaso.signature._signer import SignerBase

__all__ = ["Pkcs11Signer"]

# DER prefix of a DigestInfo for SHA-256 (RFC 8017 §9.2 note 1), for raw CKM_RSA_PKCS tokens.
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
_PROBE = b"hocbaso: does this token key belong to this certificate?"


def _import_pkcs11() -> Any:
    try:
        import pkcs11
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise SigningError(
            "PKCS#11 signing needs the python-pkcs11 package (pip install hocbaso[pkcs11])",
            "Ký bằng thiết bị PKCS#11 cần gói python-pkcs11 (pip install hocbaso[pkcs11])",
            code="SIGN.TOKEN.UNAVAILABLE",
        ) from exc
    return pkcs11


def _token_error(code: str, en: str, vi: str, exc: BaseException | None = None) -> SigningError:
    err = SigningError(en, vi, code=code)
    if exc is not None:
        err.__cause__ = exc
    return err


class Pkcs11Signer(SignerBase):
    """A :class:`~hocbaso.signature.Signer` over a private key on a PKCS#11 token.

    ``lib_path`` is the vendor's PKCS#11 module, ``token_label`` the token's label,
    ``key_label`` (and/or ``key_id``) selects the private key, ``pin`` is the user PIN
    (``None`` for tokens with a PIN pad / protected authentication path). ``cert`` is the
    signer's certificate (object, PEM or DER); when omitted, a certificate object with the
    same label (or id) is read from the token. ``chain`` lists intermediates, nearest first.

    Raises :class:`~hocbaso.errors.SigningError` (``SIGN.TOKEN.*``) when the library, token
    or PIN fails and :class:`~hocbaso.errors.CertificateError` when the key or certificate
    is missing or they do not belong together.
    """

    def __init__(
        self,
        lib_path: str,
        token_label: str,
        key_label: str | None = None,
        pin: str | None = None,
        cert: x509.Certificate | bytes | None = None,
        *,
        key_id: bytes | None = None,
        chain: Iterable[x509.Certificate] = (),
    ) -> None:
        if key_label is None and key_id is None:
            raise CertificateError(
                "a key label or key id is needed to find the key on the token",
                "Cần nhãn khóa hoặc mã khóa để tìm khóa trên thiết bị",
                code="SIGN.TOKEN.KEY_SELECTOR",
            )
        self._p11 = _import_pkcs11()
        self._lock = threading.Lock()
        self._pin = pin
        self._key_label = key_label
        self._key_id = key_id
        self._chain = tuple(chain)
        self._session: Any = None
        self._key: Any = None
        try:
            self._lib = self._p11.lib(lib_path)
        except Exception as exc:
            raise _token_error(
                "SIGN.TOKEN.LIBRARY",
                "the PKCS#11 library cannot be loaded",
                "Không nạp được thư viện PKCS#11",
                exc,
            ) from exc
        exc_mod = self._p11.exceptions
        try:
            self._token = self._lib.get_token(token_label=token_label)
        except (exc_mod.NoSuchToken, exc_mod.MultipleTokensReturned) as exc:
            raise _token_error(
                "SIGN.TOKEN.NOT_FOUND",
                "no single token with this label is present",
                "Không tìm thấy đúng một thiết bị ký có nhãn này",
                exc,
            ) from exc
        self._open()
        try:
            certificate = self._load_certificate(cert)
            self._method = signature_method_for(certificate)
            self._certificate = certificate
            self._mechanism, self._prehash = self._choose_mechanism()
            self._check_pair()
        except BaseException:
            self.close()
            raise

    # -- session handling ----------------------------------------------------------------

    def _open(self) -> None:
        """Open a logged-in session and find the private key in it."""
        p11 = self._p11
        exc_mod = p11.exceptions
        try:
            try:
                session = self._token.open(user_pin=self._pin)
            except exc_mod.UserAlreadyLoggedIn:
                # Another session of this process logged in already; login is shared.
                session = self._token.open()
        except (exc_mod.PinIncorrect, exc_mod.PinInvalid, exc_mod.PinLenRange) as exc:
            raise _token_error(
                "SIGN.TOKEN.PIN", "wrong PIN for the token", "Sai mã PIN của thiết bị ký", exc
            ) from exc
        except exc_mod.PinLocked as exc:
            raise _token_error(
                "SIGN.TOKEN.PIN_LOCKED",
                "the token's PIN is locked",
                "Mã PIN của thiết bị ký đã bị khóa",
                exc,
            ) from exc
        except exc_mod.PKCS11Error as exc:
            raise _token_error(
                "SIGN.TOKEN.SESSION",
                "cannot open a session on the token",
                "Không mở được phiên làm việc với thiết bị ký",
                exc,
            ) from exc
        try:
            key = session.get_key(
                object_class=p11.ObjectClass.PRIVATE_KEY, label=self._key_label, id=self._key_id
            )
        except (exc_mod.NoSuchKey, exc_mod.MultipleObjectsReturned) as exc:
            session.close()
            raise CertificateError(
                "no single private key with this label/id on the token",
                "Không tìm thấy đúng một khóa bí mật có nhãn/mã này trên thiết bị",
                code="SIGN.CERTIFICATE.KEY_NOT_FOUND",
            ) from exc
        self._session, self._key = session, key

    def _load_certificate(self, cert: x509.Certificate | bytes | None) -> x509.Certificate:
        if isinstance(cert, x509.Certificate):
            return cert
        if cert is not None:
            return load_certificates(cert)[0]
        p11 = self._p11
        attrs: dict[Any, Any] = {p11.Attribute.CLASS: p11.ObjectClass.CERTIFICATE}
        if self._key_label is not None:
            attrs[p11.Attribute.LABEL] = self._key_label
        if self._key_id is not None:
            attrs[p11.Attribute.ID] = self._key_id
        found = [bytes(obj[p11.Attribute.VALUE]) for obj in self._session.get_objects(attrs)]
        if len(found) != 1:
            raise CertificateError(
                "no single certificate with this label/id on the token; pass cert=",
                "Không tìm thấy đúng một chứng thư số có nhãn/mã này trên thiết bị;"
                " hãy truyền cert=",
                code="SIGN.CERTIFICATE.MISSING",
            )
        return load_certificates(found[0])[0]

    def _choose_mechanism(self) -> tuple[Any, bool]:
        """Prefer the token hashing (SHA256_*); fall back to hashing here and a raw mechanism."""
        mech = self._p11.Mechanism
        try:
            offered: set[Any] = set(self._token.slot.get_mechanisms())
        except Exception:  # some tokens cannot list mechanisms; assume the usual one
            offered = set()
        if self._method is SignatureMethod.RSA_SHA256:
            preferred, raw = mech.SHA256_RSA_PKCS, mech.RSA_PKCS
        else:
            preferred, raw = mech.ECDSA_SHA256, mech.ECDSA
        if not offered or preferred in offered:
            return preferred, False
        if raw in offered:
            return raw, True
        raise _token_error(
            "SIGN.TOKEN.MECHANISM",
            "the token offers no mechanism for RSA-SHA256 / ECDSA-SHA256 signing",
            "Thiết bị ký không hỗ trợ cơ chế ký RSA-SHA256 / ECDSA-SHA256",
        )

    def _check_pair(self) -> None:
        """Sign a probe and verify it with the certificate: the one check that works on every
        token, including those that keep no public-key object next to the private key."""
        try:
            signature = self._sign_locked(_PROBE)
        except SigningError as exc:
            raise CertificateError(
                "the token key cannot sign for this certificate's algorithm",
                "Khóa trên thiết bị không ký được theo thuật toán của chứng thư số",
                code="SIGN.CERTIFICATE.KEY_MISMATCH",
            ) from exc
        public = self._certificate.public_key()
        try:
            if isinstance(public, rsa.RSAPublicKey):
                public.verify(signature, _PROBE, padding.PKCS1v15(), hashes.SHA256())
            elif isinstance(public, ec.EllipticCurvePublicKey):
                public.verify(signature, _PROBE, ec.ECDSA(hashes.SHA256()))
        except (InvalidSignature, ValueError) as exc:
            raise CertificateError(
                "the token key does not belong to the certificate",
                "Khóa trên thiết bị không khớp với chứng thư số",
                code="SIGN.CERTIFICATE.KEY_MISMATCH",
            ) from exc

    def _sign_locked(self, data: bytes) -> bytes:
        p11 = self._p11
        payload = data
        if self._prehash:
            digest = hashlib.sha256(data).digest()
            payload = (
                _SHA256_DIGEST_INFO + digest
                if self._method is SignatureMethod.RSA_SHA256
                else digest
            )
        try:
            raw = bytes(self._key.sign(payload, mechanism=self._mechanism))
        except p11.exceptions.PKCS11Error as exc:
            raise _token_error(
                "SIGN.TOKEN.SIGN",
                "the token refused to sign",
                "Thiết bị ký từ chối ký",
                exc,
            ) from exc
        if self._method is SignatureMethod.RSA_SHA256:
            return raw
        if len(raw) % 2:
            raise _token_error(
                "SIGN.TOKEN.SIGN",
                "the token returned a malformed ECDSA signature",
                "Thiết bị ký trả về chữ ký ECDSA sai định dạng",
            )
        half = len(raw) // 2
        return encode_dss_signature(
            int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big")
        )

    # -- the Signer protocol -------------------------------------------------------------

    def sign_raw(self, data: bytes) -> bytes:
        """Sign ``data`` with SHA-256 on the token (PKCS#1 v1.5 for RSA, DER ECDSA for EC)."""
        exc_mod = self._p11.exceptions
        lost = (
            exc_mod.SessionClosed,
            exc_mod.SessionHandleInvalid,
            exc_mod.DeviceRemoved,
            exc_mod.UserNotLoggedIn,
            exc_mod.TokenNotPresent,
        )
        with self._lock:
            if self._session is None:
                self._open()
            try:
                return self._sign_locked(data)
            except SigningError as exc:
                if not isinstance(exc.__cause__, lost):
                    raise
            self._discard_session()
            self._open()
            return self._sign_locked(data)

    # -- lifetime ------------------------------------------------------------------------

    def _discard_session(self) -> None:
        session, self._session, self._key = self._session, None, None
        if session is not None:
            # The session may be gone already (token removed): nothing left to release.
            with contextlib.suppress(Exception):
                session.close()

    def close(self) -> None:
        """Close the token session (logging out if this signer logged in)."""
        with self._lock:
            self._discard_session()

    def __enter__(self) -> Pkcs11Signer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Pkcs11Signer(serial={self._certificate.serial_number:#x})"
