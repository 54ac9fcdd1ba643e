"""KeyFileSigner: PEM (plain and encrypted), PKCS#12, and every refusal with its code."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from hocbaso.errors import AlgorithmError, CertificateError
from hocbaso.signature._algorithms import SignatureMethod
from hocbaso.signature._keyfile import KeyFileSigner
from hocbaso.signature._signer import Signer
from hocbaso.testing.pki import HOMEROOM_CCCD, PRINCIPAL_CCCD, KeyType, build_test_pki

DATA = b"<SignedInfo>canonical bytes</SignedInfo>"


def _assert_verifies(signer: KeyFileSigner, data: bytes = DATA) -> None:
    sig = signer.sign_raw(data)
    key = signer.certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        key.verify(sig, data, padding.PKCS1v15(), hashes.SHA256())
    else:
        assert isinstance(key, ec.EllipticCurvePublicKey)
        key.verify(sig, data, ec.ECDSA(hashes.SHA256()))  # DER, as the protocol says


def _code(
    err: pytest.ExceptionInfo[CertificateError] | pytest.ExceptionInfo[AlgorithmError],
) -> str:
    exc = err.value
    assert exc.message_en and exc.message_vi and exc.message_en != exc.message_vi
    assert HOMEROOM_CCCD not in str(exc)
    return exc.code


@pytest.mark.parametrize("key_type", [KeyType.RSA, KeyType.EC])
def test_from_pem_round_trip(key_type: KeyType) -> None:
    ident = build_test_pki(key_type).personal(HOMEROOM_CCCD)
    signer = KeyFileSigner.from_pem(ident.key_pem(), ident.certificate_pem(), ident.chain_pem())
    assert isinstance(signer, Signer)
    assert signer.certificate == ident.certificate
    assert signer.chain == ident.chain
    expected = (
        SignatureMethod.RSA_SHA256 if key_type is KeyType.RSA else SignatureMethod.ECDSA_SHA256
    )
    assert signer.signature_method is expected
    _assert_verifies(signer)


def test_rsa_signature_is_pkcs1_v15_and_deterministic() -> None:
    signer = build_test_pki().personal(HOMEROOM_CCCD).signer()
    assert signer.sign_raw(DATA) == signer.sign_raw(DATA)
    assert len(signer.sign_raw(DATA)) == 256


def test_ecdsa_signature_is_der() -> None:
    signer = build_test_pki(KeyType.EC).personal(HOMEROOM_CCCD).signer()
    r, s = decode_dss_signature(signer.sign_raw(DATA))
    assert r > 0 and s > 0


def test_full_chain_cert_file_splits_into_leaf_and_chain() -> None:
    ident = build_test_pki().personal(HOMEROOM_CCCD)
    signer = KeyFileSigner.from_pem(ident.key_pem(), ident.certificate_pem() + ident.chain_pem())
    assert signer.certificate == ident.certificate
    assert signer.chain == ident.chain


def test_der_certificate_is_accepted() -> None:
    ident = build_test_pki().personal(HOMEROOM_CCCD)
    der = ident.certificate.public_bytes(serialization.Encoding.DER)
    assert KeyFileSigner.from_pem(ident.key_pem(), der).certificate == ident.certificate


@pytest.mark.parametrize("password", [b"mat-khau-123", "mật khẩu"])
def test_encrypted_pem(password: bytes | str) -> None:
    ident = build_test_pki().personal(HOMEROOM_CCCD)
    raw = password.encode() if isinstance(password, str) else password
    key_pem = ident.key_pem(raw)
    assert b"ENCRYPTED" in key_pem
    signer = KeyFileSigner.from_pem(key_pem, ident.certificate_pem(), password=password)
    _assert_verifies(signer)
    with pytest.raises(CertificateError) as wrong:
        KeyFileSigner.from_pem(key_pem, ident.certificate_pem(), password=b"sai")
    assert _code(wrong) == "SIGN.CERTIFICATE.WRONG_PASSWORD"
    with pytest.raises(CertificateError) as missing:
        KeyFileSigner.from_pem(key_pem, ident.certificate_pem())
    assert _code(missing) == "SIGN.CERTIFICATE.PASSWORD_REQUIRED"


def test_password_for_plain_key_is_ignored() -> None:
    ident = build_test_pki().personal(HOMEROOM_CCCD)
    signer = KeyFileSigner.from_pem(ident.key_pem(), ident.certificate_pem(), password=b"x")
    _assert_verifies(signer)


@pytest.mark.parametrize("key_type", [KeyType.RSA, KeyType.EC])
@pytest.mark.parametrize("password", [b"p12-secret", None])
def test_pkcs12_round_trip(key_type: KeyType, password: bytes | None) -> None:
    pki = build_test_pki(key_type)
    ident = pki.school()
    signer = KeyFileSigner.from_pkcs12(ident.pkcs12(password), password)
    assert signer.certificate == ident.certificate
    assert signer.chain == (pki.intermediate,)
    _assert_verifies(signer)


def test_pkcs12_leaves_out_self_signed_roots_and_orders_chain() -> None:
    from cryptography.hazmat.primitives.serialization import pkcs12

    pki = build_test_pki()
    ident = pki.personal(PRINCIPAL_CCCD)
    data = pkcs12.serialize_key_and_certificates(
        b"x",
        ident.private_key,
        ident.certificate,
        [pki.root, pki.intermediate],
        serialization.BestAvailableEncryption(b"pw"),
    )
    assert KeyFileSigner.from_pkcs12(data, "pw").chain == (pki.intermediate,)


def test_pkcs12_wrong_password_and_garbage() -> None:
    ident = build_test_pki().personal(HOMEROOM_CCCD)
    data = ident.pkcs12(b"right")
    with pytest.raises(CertificateError) as wrong:
        KeyFileSigner.from_pkcs12(data, b"wrong")
    assert _code(wrong) == "SIGN.CERTIFICATE.WRONG_PASSWORD"
    with pytest.raises(CertificateError) as garbage:
        KeyFileSigner.from_pkcs12(b"not a pkcs12 file at all", b"right")
    assert _code(garbage) == "SIGN.CERTIFICATE.UNREADABLE"


def test_pkcs12_without_key_is_refused() -> None:
    from cryptography.hazmat.primitives.serialization import pkcs12

    ident = build_test_pki().personal(HOMEROOM_CCCD)
    data = pkcs12.serialize_key_and_certificates(
        None, None, None, [ident.certificate], serialization.NoEncryption()
    )
    with pytest.raises(CertificateError) as err:
        KeyFileSigner.from_pkcs12(data, None)
    assert _code(err) == "SIGN.CERTIFICATE.MISSING"


@pytest.mark.parametrize("key_type", [KeyType.RSA, KeyType.EC])
def test_key_certificate_mismatch_is_refused(key_type: KeyType) -> None:
    pki = build_test_pki(key_type)
    a, b = pki.personal(HOMEROOM_CCCD), pki.personal(PRINCIPAL_CCCD)
    with pytest.raises(CertificateError) as err:
        KeyFileSigner.from_pem(a.key_pem(), b.certificate_pem())
    assert _code(err) == "SIGN.CERTIFICATE.KEY_MISMATCH"
    with pytest.raises(CertificateError):
        KeyFileSigner(a.private_key, b.certificate)


def test_rsa_key_with_ec_certificate_is_a_mismatch() -> None:
    rsa_ident = build_test_pki().personal(HOMEROOM_CCCD)
    ec_ident = build_test_pki(KeyType.EC).personal(HOMEROOM_CCCD)
    with pytest.raises(CertificateError) as err:
        KeyFileSigner(rsa_ident.private_key, ec_ident.certificate)
    assert _code(err) == "SIGN.CERTIFICATE.KEY_MISMATCH"


def test_unreadable_key_and_certificate() -> None:
    ident = build_test_pki().personal(HOMEROOM_CCCD)
    with pytest.raises(CertificateError) as key_err:
        KeyFileSigner.from_pem(
            b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
            ident.certificate_pem(),
        )
    assert _code(key_err) == "SIGN.CERTIFICATE.UNREADABLE_KEY"
    with pytest.raises(CertificateError) as cert_err:
        KeyFileSigner.from_pem(ident.key_pem(), b"garbage")
    assert _code(cert_err) == "SIGN.CERTIFICATE.UNREADABLE"
    with pytest.raises(CertificateError) as chain_err:
        KeyFileSigner.from_pem(ident.key_pem(), ident.certificate_pem(), b"garbage")
    assert _code(chain_err) == "SIGN.CERTIFICATE.UNREADABLE"


def _self_signed(key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "weak (TEST)")])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(datetime(2024, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2030, 1, 1, tzinfo=UTC))
    )
    algorithm = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return builder.sign(key, algorithm)


def test_weak_and_foreign_keys_are_refused() -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(AlgorithmError) as size:
        KeyFileSigner(small, _self_signed(small))
    assert _code(size) == "SIGN.ALGORITHM.KEY_SIZE"
    edkey = ed25519.Ed25519PrivateKey.generate()
    pem = edkey.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    cert_pem = _self_signed(edkey).public_bytes(serialization.Encoding.PEM)
    with pytest.raises(AlgorithmError) as kind:
        KeyFileSigner.from_pem(pem, cert_pem)
    assert _code(kind) == "SIGN.ALGORITHM.KEY_TYPE"


def test_repr_does_not_show_the_subject() -> None:
    signer = build_test_pki().personal(HOMEROOM_CCCD).signer()
    assert HOMEROOM_CCCD not in repr(signer)
    assert "CCCD" not in repr(signer)


@settings(max_examples=25, deadline=None)
@given(data=st.binary(max_size=2048), bit=st.integers(min_value=0, max_value=7))
def test_any_bytes_sign_and_a_flipped_bit_fails(data: bytes, bit: int) -> None:
    signer = build_test_pki(KeyType.EC).personal(HOMEROOM_CCCD).signer()
    signature = signer.sign_raw(data)
    key = signer.certificate.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    tampered = bytes([data[0] ^ (1 << bit)]) + data[1:] if data else b"\x00"
    with pytest.raises(InvalidSignature):
        key.verify(signature, tampered, ec.ECDSA(hashes.SHA256()))
