"""Key-type dispatch: which SignatureMethod a certificate's key implies, and value formats.

XMLDSig writes an ECDSA signature value as ``r || s`` (each the curve's byte length, RFC 4050 /
XMLDSig 1.1); signers, tokens and remote services return DER. Conversions live here.
"""

from __future__ import annotations

import functools
from typing import cast

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.hazmat.primitives.serialization import Encoding

from hocbaso.errors import AlgorithmError
from hocbaso.signature._algorithms import SignatureMethod
from hocbaso.signature._certrules import MIN_RSA_BITS, key_strength_problem

__all__ = [
    "der",
    "der_to_raw_ecdsa",
    "normalise_signature_value",
    "signature_method_for",
    "verify_value",
    "verify_with_key",
]


@functools.lru_cache(maxsize=256)
def der(certificate: x509.Certificate) -> bytes:
    """The certificate's DER bytes (cached: the same few certificates sign many packets)."""
    return certificate.public_bytes(Encoding.DER)


_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


#: Per method: its hash class (None when refused here) and key family prefix, read once from
#: ``hash_name`` and ``name`` (enum properties cost a microsecond or two on each read, and a
#: record's verification asks for every signature).
_METHOD_PARTS: dict[SignatureMethod, tuple[type[hashes.HashAlgorithm] | None, str]] = {
    m: (
        _HASHES.get(m.hash_name),
        next((f for f in ("RSA_", "ECDSA_") if m.name.startswith(f)), ""),
    )
    for m in SignatureMethod
}


def signature_method_for(certificate: x509.Certificate, role: str) -> SignatureMethod:
    """RSA-SHA256 for an RSA key, ECDSA-SHA256 for an EC key; anything else is refused."""
    key = certificate.public_key()
    # One rule for signer and verifier (_certrules): RSA >= 2048 bits, P-256/384/521 only.
    weak = key_strength_problem(key)
    if weak == "KEY_SIZE":
        raise AlgorithmError(
            f"{role}: RSA keys shorter than {MIN_RSA_BITS} bits are refused",
            f"{role}: khoá RSA ngắn hơn {MIN_RSA_BITS} bit bị từ chối",
            code="SIGN.ALGORITHM.KEY_SIZE",
            path=role,
        )
    if weak == "CURVE":
        raise AlgorithmError(
            f"{role}: ECDSA keys are accepted only on P-256, P-384 and P-521",
            f"{role}: khoá ECDSA chỉ được chấp nhận trên đường cong P-256, P-384, P-521",
            code="SIGN.ALGORITHM.CURVE",
            path=role,
        )
    if isinstance(key, rsa.RSAPublicKey):
        return SignatureMethod.RSA_SHA256
    if isinstance(key, ec.EllipticCurvePublicKey):
        return SignatureMethod.ECDSA_SHA256
    raise AlgorithmError(
        f"{role}: the certificate's key type is not supported (RSA or ECDSA only)",
        f"{role}: loại khoá của chứng thư số không được hỗ trợ (chỉ RSA hoặc ECDSA)",
        code="SIGN.ALGORITHM.KEY_TYPE",
        path=role,
    )


def _ec_size(key: ec.EllipticCurvePublicKey) -> int:
    return (key.curve.key_size + 7) // 8


def der_to_raw_ecdsa(der: bytes, key: ec.EllipticCurvePublicKey) -> bytes:
    r, s = decode_dss_signature(der)
    size = _ec_size(key)
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def normalise_signature_value(value: bytes, certificate: x509.Certificate) -> bytes:
    """The XMLDSig form of a signer's value: RSA as is; ECDSA DER → ``r || s``.

    An ECDSA value that is not DER but exactly ``2 × curve size`` bytes is taken as ``r || s``
    already (some remote services return that form).
    """
    key = certificate.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        return value
    try:
        return der_to_raw_ecdsa(value, key)
    except ValueError:
        if len(value) == 2 * _ec_size(key):
            return value
        raise


#: Stateless parameter objects, shared: building ``PKCS1v15()`` and a hash instance on every
#: call costs as much as the rest of the Python around a verification.
_PKCS1 = padding.PKCS1v15()
_HASH_INSTANCES: dict[type[hashes.HashAlgorithm], hashes.HashAlgorithm] = {
    cls: cls() for cls in _HASHES.values()
}

#: Key class -> family prefix ("RSA_", "ECDSA_" or "" for neither), found once per class with
#: ``isinstance`` (an ABC check costs ~0.3 µs, and every signature asks twice).
_FAMILY_OF: dict[type, str] = {}


def _family(key: object) -> str:
    cls = type(key)
    found = _FAMILY_OF.get(cls)
    if found is None:
        if isinstance(key, rsa.RSAPublicKey):
            found = "RSA_"
        elif isinstance(key, ec.EllipticCurvePublicKey):
            found = "ECDSA_"
        else:
            found = ""
        _FAMILY_OF[cls] = found
    return found


def verify_value(
    certificate: x509.Certificate, method: SignatureMethod, value: bytes, data: bytes
) -> bool:
    """Whether ``value`` (XMLDSig form) is ``certificate``'s signature of ``data``.

    A certificate from a packet is hostile input: a key of an unknown algorithm, or an RSA key
    that ``cryptography`` refuses to load (e = 1, e = 2), verifies nothing, so it is a plain
    ``False``, never an exception.
    """
    try:
        key = certificate.public_key()
    except (UnsupportedAlgorithm, ValueError):
        return False
    return verify_with_key(key, method, value, data)


def verify_with_key(key: object, method: SignatureMethod, value: bytes, data: bytes) -> bool:
    """:func:`verify_value` once the certificate's public key is loaded (``key``, any object
    ``public_key()`` returned): the verifier loads it once per certificate."""
    hash_cls, family = _METHOD_PARTS[method]
    if hash_cls is None:
        return False
    key_family = _family(key)
    try:
        if key_family == "RSA_" and family == "RSA_":
            cast(rsa.RSAPublicKey, key).verify(value, data, _PKCS1, _HASH_INSTANCES[hash_cls])
            return True
        if key_family == "ECDSA_" and family == "ECDSA_":
            ec_key = cast(ec.EllipticCurvePublicKey, key)
            size = _ec_size(ec_key)
            if len(value) != 2 * size:
                return False
            der = encode_dss_signature(
                int.from_bytes(value[:size], "big"), int.from_bytes(value[size:], "big")
            )
            ec_key.verify(der, data, ec.ECDSA(_HASH_INSTANCES[hash_cls]))
            return True
    except (InvalidSignature, ValueError):
        return False
    return False
