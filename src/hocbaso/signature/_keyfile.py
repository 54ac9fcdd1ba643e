"""Signing with a private key held in a file: PEM (PKCS#8 / traditional, optionally encrypted)
or PKCS#12 (``.p12`` / ``.pfx``, what Vietnamese CAs hand out next to a USB token).

Loading checks everything that can be checked before the first signature, so that a vendor
sees "wrong password" or "this key does not belong to this certificate" when the file is
opened, not as an unverifiable signature later:

- the key and the certificate are readable (typed :class:`~hocbaso.errors.CertificateError`
  with a stable ``code``);
- the key is an RSA key of at least 2048 bits or an EC key on a NIST prime curve — anything
  else cannot produce an RSA-SHA256 / ECDSA-SHA256 signature (:class:`AlgorithmError`);
- the certificate's public key is the key's public key.

The signer is immutable after construction and ``sign_raw`` only calls ``cryptography``, whose
key objects are safe to use from several threads at once, so one instance may be shared.
"""

from __future__ import annotations

from collections.abc import Iterable

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from hocbaso.errors import AlgorithmError, CertificateError
from hocbaso.packet._internal import PacketSource, packet_bytes
from hocbaso.signature._algorithms import SignatureMethod
from hocbaso.signature._signer import SignerBase

__all__ = ["KeyFileSigner", "PrivateKey", "load_certificates", "signature_method_for"]

#: The private-key types a signer can hold.
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

#: Smallest RSA modulus accepted for signing (NIST SP 800-131A; every Vietnamese CA issues 2048+).
MIN_RSA_BITS = 2048
#: EC curves accepted. ECDSA-SHA256 on a larger curve is legal XMLDSig and still strong.
_EC_CURVES: tuple[type[ec.EllipticCurve], ...] = (ec.SECP256R1, ec.SECP384R1, ec.SECP521R1)


def _spki(key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey | object) -> bytes:
    if isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        return key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    return b""


def signature_method_for(certificate: x509.Certificate) -> SignatureMethod:
    """The docs/signing.md §1 signature method for a certificate's key (RSA-SHA256 or ECDSA-SHA256).

    Raises :class:`AlgorithmError` for key types or sizes the profile does not sign with.
    """
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise AlgorithmError(
                f"RSA keys shorter than {MIN_RSA_BITS} bits are refused",
                f"Khóa RSA ngắn hơn {MIN_RSA_BITS} bit bị từ chối",
                code="SIGN.ALGORITHM.KEY_SIZE",
            )
        return SignatureMethod.RSA_SHA256
    if isinstance(key, ec.EllipticCurvePublicKey):
        if not isinstance(key.curve, _EC_CURVES):
            raise AlgorithmError(
                "only the NIST P-256, P-384 and P-521 curves are accepted",
                "Chỉ chấp nhận đường cong NIST P-256, P-384 và P-521",
                code="SIGN.ALGORITHM.CURVE",
            )
        return SignatureMethod.ECDSA_SHA256
    raise AlgorithmError(
        "the certificate's key type cannot make an RSA-SHA256 or ECDSA-SHA256 signature",
        "Loại khóa của chứng thư số không ký được RSA-SHA256 hoặc ECDSA-SHA256",
        code="SIGN.ALGORITHM.KEY_TYPE",
    )


#: Largest key, certificate or PKCS#12 file read (they are a few KB; a chain a few tens).
_MAX_KEY_FILE = 1024 * 1024


def _file_bytes(data: PacketSource, what: str) -> bytes:
    """Bytes or a ``Path`` (read capped; a ``str`` is refused with ``INPUT.TYPE``: it could be
    PEM text or a file name)."""
    return packet_bytes(data, what=what, max_bytes=_MAX_KEY_FILE)


def load_certificates(data: PacketSource, *, what: str = "certificate") -> list[x509.Certificate]:
    """Every certificate in ``data`` (one DER certificate, or one or more PEM blocks).

    ``data`` is bytes or a ``pathlib.Path``. Raises :class:`CertificateError`
    ``SIGN.CERTIFICATE.UNREADABLE`` if there is none.
    """
    data = _file_bytes(data, what)
    try:
        if b"-----BEGIN" in data:
            certs = x509.load_pem_x509_certificates(data)
        else:
            certs = [x509.load_der_x509_certificate(data)]
    except ValueError:
        certs = []
    if not certs:
        raise CertificateError(
            f"the {what} file cannot be read as an X.509 certificate (PEM or DER)",
            "Không đọc được tệp chứng thư số X.509 (PEM hoặc DER)",
            code="SIGN.CERTIFICATE.UNREADABLE",
        )
    return certs


def _looks_like_der_sequence(data: bytes) -> bool:
    """True if ``data`` is exactly one DER SEQUENCE (the outer shape of a PKCS#12 file).

    PKCS#12 decoding in OpenSSL reports a wrong password and a corrupt file with the same
    error; a well-formed outer structure makes "wrong password" the likely cause.
    """
    if len(data) < 2 or data[0] != 0x30:
        return False
    first = data[1]
    if first < 0x80:
        return 2 + first == len(data)
    n = first & 0x7F
    if n == 0 or n > 4 or len(data) < 2 + n:
        return False
    return 2 + n + int.from_bytes(data[2 : 2 + n], "big") == len(data)


class KeyFileSigner(SignerBase):
    """A :class:`~hocbaso.signature.Signer` over a private key loaded from a file.

    Build it with :meth:`from_pem` or :meth:`from_pkcs12`, or directly from ``cryptography``
    key and certificate objects. ``sign_raw`` returns a PKCS#1 v1.5 signature for RSA keys
    and a DER-encoded ECDSA signature for EC keys, both over SHA-256, as the protocol says.
    """

    __slots__ = ("_certificate", "_chain", "_key", "_method")

    def __init__(
        self,
        private_key: PrivateKey,
        certificate: x509.Certificate,
        chain: Iterable[x509.Certificate] = (),
    ) -> None:
        if not isinstance(private_key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise AlgorithmError(
                "only RSA and EC private keys can sign in this profile",
                "Chỉ khóa bí mật RSA hoặc EC mới ký được theo hồ sơ chữ ký này",
                code="SIGN.ALGORITHM.KEY_TYPE",
            )
        self._method = signature_method_for(certificate)
        if _spki(private_key.public_key()) != _spki(certificate.public_key()):
            raise CertificateError(
                "the private key does not belong to the certificate",
                "Khóa bí mật không khớp với chứng thư số",
                code="SIGN.CERTIFICATE.KEY_MISMATCH",
            )
        self._key: PrivateKey = private_key
        self._certificate = certificate
        self._chain = tuple(chain)

    # -- construction from files --------------------------------------------------------

    @classmethod
    def from_pem(
        cls,
        key_pem: PacketSource,
        cert_pem: PacketSource,
        chain_pem: PacketSource | None = None,
        password: bytes | str | None = None,
    ) -> KeyFileSigner:
        """Load a PEM private key and its certificate.

        ``cert_pem`` may hold the signer's certificate followed by its intermediates (a
        "full chain" file); ``chain_pem`` adds more intermediates, nearest first. DER is
        accepted for a single certificate. ``password`` decrypts an encrypted key. Each file
        is given as bytes or a ``pathlib.Path``.
        """
        key_pem = _file_bytes(key_pem, "key_pem")
        cert_pem = _file_bytes(cert_pem, "cert_pem")
        pw = password.encode("utf-8") if isinstance(password, str) else password
        encrypted = b"ENCRYPTED" in key_pem
        try:
            key = serialization.load_pem_private_key(key_pem, password=pw)
        except TypeError as exc:
            if encrypted or pw is None:
                raise CertificateError(
                    "the private key is encrypted: a password is required",
                    "Khóa bí mật được mã hóa: cần nhập mật khẩu",
                    code="SIGN.CERTIFICATE.PASSWORD_REQUIRED",
                ) from exc
            # A password was given for a key that is not encrypted: harmless, load without.
            key = serialization.load_pem_private_key(key_pem, password=None)
        except ValueError as exc:
            if encrypted and pw is not None:
                raise CertificateError(
                    "wrong password for the private key",
                    "Sai mật khẩu của khóa bí mật",
                    code="SIGN.CERTIFICATE.WRONG_PASSWORD",
                ) from exc
            raise CertificateError(
                "the private key file cannot be read (expected PEM)",
                "Không đọc được tệp khóa bí mật (cần định dạng PEM)",
                code="SIGN.CERTIFICATE.UNREADABLE_KEY",
            ) from exc
        except Exception as exc:  # cryptography raises UnsupportedAlgorithm for odd keys
            raise CertificateError(
                "the private key file cannot be read (expected PEM)",
                "Không đọc được tệp khóa bí mật (cần định dạng PEM)",
                code="SIGN.CERTIFICATE.UNREADABLE_KEY",
            ) from exc
        certs = load_certificates(cert_pem)
        extra = load_certificates(chain_pem, what="chain") if chain_pem else []
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise AlgorithmError(
                "only RSA and EC private keys can sign in this profile",
                "Chỉ khóa bí mật RSA hoặc EC mới ký được theo hồ sơ chữ ký này",
                code="SIGN.ALGORITHM.KEY_TYPE",
            )
        return cls(key, certs[0], [*certs[1:], *extra])

    @classmethod
    def from_pkcs12(cls, data: PacketSource, password: bytes | str | None) -> KeyFileSigner:
        """Load a PKCS#12 (``.p12`` / ``.pfx``) file: key, certificate and any CA certificates.

        ``data`` is bytes or a ``pathlib.Path``. The CA certificates in the file become the
        chain, self-signed roots left out (a verifier must get its trust anchor elsewhere,
        never from the signature).
        """
        data = _file_bytes(data, "data")
        pw = password.encode("utf-8") if isinstance(password, str) else password
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(data, pw)
        except (ValueError, TypeError) as exc:
            if _looks_like_der_sequence(data):
                raise CertificateError(
                    "wrong password for the PKCS#12 file (or the file is damaged)",
                    "Sai mật khẩu của tệp PKCS#12 (hoặc tệp bị hỏng)",
                    code="SIGN.CERTIFICATE.WRONG_PASSWORD",
                ) from exc
            raise CertificateError(
                "the file cannot be read as PKCS#12 (.p12 / .pfx)",
                "Không đọc được tệp PKCS#12 (.p12 / .pfx)",
                code="SIGN.CERTIFICATE.UNREADABLE",
            ) from exc
        except Exception as exc:
            raise CertificateError(
                "the file cannot be read as PKCS#12 (.p12 / .pfx)",
                "Không đọc được tệp PKCS#12 (.p12 / .pfx)",
                code="SIGN.CERTIFICATE.UNREADABLE",
            ) from exc
        if key is None or cert is None:
            raise CertificateError(
                "the PKCS#12 file holds no private key with its certificate",
                "Tệp PKCS#12 không chứa khóa bí mật cùng chứng thư số",
                code="SIGN.CERTIFICATE.MISSING",
            )
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise AlgorithmError(
                "only RSA and EC private keys can sign in this profile",
                "Chỉ khóa bí mật RSA hoặc EC mới ký được theo hồ sơ chữ ký này",
                code="SIGN.ALGORITHM.KEY_TYPE",
            )
        chain = [c for c in extra if c.subject != c.issuer]
        return cls(key, cert, _order_chain(cert, chain))

    # -- the Signer protocol -------------------------------------------------------------

    def sign_raw(self, data: bytes) -> bytes:
        """Sign ``data`` with SHA-256 (PKCS#1 v1.5 for RSA, DER ECDSA for EC)."""
        key = self._key
        if isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return key.sign(data, ec.ECDSA(hashes.SHA256()))

    def __repr__(self) -> str:
        # The subject may name a person: show only the serial number.
        return f"KeyFileSigner(serial={self._certificate.serial_number:#x})"


def _order_chain(leaf: x509.Certificate, pool: list[x509.Certificate]) -> list[x509.Certificate]:
    """Order intermediates nearest first by following issuer names; leftovers go last."""
    ordered: list[x509.Certificate] = []
    remaining = list(pool)
    current = leaf
    while remaining:
        nxt = next((c for c in remaining if c.subject == current.issuer), None)
        if nxt is None:
            break
        ordered.append(nxt)
        remaining.remove(nxt)
        current = nxt
    return ordered + remaining
