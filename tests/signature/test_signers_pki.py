"""The TEST-ONLY PKI: shape of the hierarchy, identities, validity windows, CRL, files."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError
from hypothesis import given, settings
from hypothesis import strategies as st

from hocbaso.errors import ConfigurationError
from hocbaso.signature._signer import Signer
from hocbaso.testing import pki as pki_mod
from hocbaso.testing.pki import (
    CRL_FILE_NAME,
    HOMEROOM_CCCD,
    PRINCIPAL_CCCD,
    SCHOOL_MST,
    SUBJECT_TEACHER_CCCDS,
    TEST_NOW,
    KeyType,
    TestPKI,
    build_test_pki,
)

KEY_TYPES = [KeyType.RSA, KeyType.EC]


def _uid(cert: x509.Certificate) -> str:
    (attr,) = cert.subject.get_attributes_for_oid(NameOID.USER_ID)
    value = attr.value
    assert isinstance(value, str)
    return value


def _verify_chain(pki: TestPKI, cert: x509.Certificate) -> list[x509.Certificate]:
    verifier = PolicyBuilder().store(Store([pki.root])).time(TEST_NOW).build_client_verifier()
    return verifier.verify(cert, [pki.intermediate]).chain


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_hierarchy_root_intermediate_leaf(key_type: KeyType) -> None:
    pki = build_test_pki(key_type)
    assert pki.root.subject == pki.root.issuer
    assert pki.intermediate.issuer == pki.root.subject
    assert "Government CA" in pki.intermediate.subject.rfc4514_string()
    assert "TEST" in pki.root.subject.rfc4514_string()
    for ca in (pki.root, pki.intermediate):
        assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    # cryptography's own (strict, web-PKI-derived) verifier accepts every ordinary leaf.
    for ident in (pki.personal(HOMEROOM_CCCD), pki.personal(PRINCIPAL_CCCD), pki.school()):
        chain = _verify_chain(pki, ident.certificate)
        assert chain == [ident.certificate, pki.intermediate, pki.root]
        assert ident.chain == (pki.intermediate,)


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_key_algorithm_follows_key_type(key_type: KeyType) -> None:
    pki = build_test_pki(key_type)
    key = pki.personal(SUBJECT_TEACHER_CCCDS[0]).certificate.public_key()
    if key_type is KeyType.RSA:
        assert isinstance(key, rsa.RSAPublicKey)
        assert key.key_size == 2048
    else:
        assert isinstance(key, ec.EllipticCurvePublicKey)
        assert isinstance(key.curve, ec.SECP256R1)


def test_leaf_key_usage_is_signing_with_non_repudiation() -> None:
    pki = build_test_pki()
    for ident in (pki.personal(HOMEROOM_CCCD), pki.school(), pki.expired(), pki.revoked()):
        ku = ident.certificate.extensions.get_extension_for_class(x509.KeyUsage)
        assert ku.critical
        assert ku.value.digital_signature
        assert ku.value.content_commitment
        assert not ku.value.key_cert_sign
        bc = ident.certificate.extensions.get_extension_for_class(x509.BasicConstraints)
        assert not bc.value.ca


@settings(max_examples=15, deadline=None)
@given(cccd=st.from_regex(r"[0-9]{12}", fullmatch=True))
def test_personal_certificate_for_any_12_digit_id(cccd: str) -> None:
    pki = build_test_pki(KeyType.EC)  # EC: key generation is free, so many IDs stay fast
    ident = pki.personal(cccd)
    assert _uid(ident.certificate) == f"CCCD:{cccd}"
    assert pki.personal(cccd) is ident  # cached per ID
    _verify_chain(pki, ident.certificate)


def test_distinct_ids_get_distinct_keys_and_serials() -> None:
    pki = build_test_pki()
    a, b = (pki.personal(c) for c in SUBJECT_TEACHER_CCCDS[:2])
    assert a.certificate.serial_number != b.certificate.serial_number
    assert a.certificate.public_key() != b.certificate.public_key()
    named = pki.personal(SUBJECT_TEACHER_CCCDS[0], name="Nguyễn Thị Hoa")
    assert named.certificate != a.certificate
    cn = named.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert cn == "Nguyễn Thị Hoa"
    assert named.certificate.public_key() == a.certificate.public_key()  # same person, one key


@pytest.mark.parametrize("bad", ["12345678901", "1234567890123", "00109000000a", ""])
def test_personal_refuses_a_malformed_id(bad: str) -> None:
    with pytest.raises(ConfigurationError) as err:
        build_test_pki().personal(bad)
    assert err.value.code == "TESTING.PKI.CCCD"
    assert err.value.message_vi != err.value.message_en


def test_school_certificate_carries_tax_code() -> None:
    pki = build_test_pki()
    school = pki.school()
    assert _uid(school.certificate) == f"MST:{SCHOOL_MST}"
    assert school.certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    branch = pki.school("0101234567-001")
    assert _uid(branch.certificate) == "MST:0101234567-001"
    with pytest.raises(ConfigurationError):
        pki.school("12345")


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_expired_and_not_yet_valid_at_pinned_now(key_type: KeyType) -> None:
    pki = build_test_pki(key_type)
    expired = pki.expired().certificate
    future = pki.not_yet_valid().certificate
    assert expired.not_valid_after_utc < TEST_NOW
    assert future.not_valid_before_utc > TEST_NOW
    for cert in (expired, future):
        with pytest.raises(VerificationError):
            _verify_chain(pki, cert)


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_crl_lists_exactly_the_revoked_certificate(key_type: KeyType) -> None:
    pki = build_test_pki(key_type)
    crl = pki.crl
    assert crl.issuer == pki.intermediate.subject
    issuer_key = pki.intermediate.public_key()
    assert isinstance(issuer_key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey)
    assert crl.is_signature_valid(issuer_key)
    revoked = pki.revoked().certificate
    entry = crl.get_revoked_certificate_by_serial_number(revoked.serial_number)
    assert entry is not None
    assert entry.revocation_date_utc < TEST_NOW
    assert crl.last_update_utc < TEST_NOW
    next_update = crl.next_update_utc
    assert next_update is not None and next_update > TEST_NOW
    assert len(list(crl)) == 1
    for ident in (pki.personal(HOMEROOM_CCCD), pki.school(), pki.expired()):
        assert crl.get_revoked_certificate_by_serial_number(ident.certificate.serial_number) is None
    # The revoked certificate is otherwise valid: only the CRL tells.
    _verify_chain(pki, revoked)
    other = pki.revoked(HOMEROOM_CCCD).certificate
    custom = pki.make_crl([revoked, other], number=2)
    assert custom.get_revoked_certificate_by_serial_number(other.serial_number) is not None


def test_rsa_certificates_are_reproducible_from_cached_keys() -> None:
    first = build_test_pki()
    leaf = first.personal(PRINCIPAL_CCCD).certificate
    # A fresh, uncached build (the global cache is left alone: other tests hold its objects).
    again = pki_mod._build.__wrapped__(KeyType.RSA)
    assert again is not first
    assert again.root == first.root
    assert again.intermediate == first.intermediate
    assert again.crl == first.crl
    assert again.personal(PRINCIPAL_CCCD).certificate == leaf


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_identity_signer_signs_with_the_certificate_key(key_type: KeyType) -> None:
    ident = build_test_pki(key_type).personal(HOMEROOM_CCCD)
    signer = ident.signer()
    assert isinstance(signer, Signer)
    assert signer.certificate == ident.certificate
    assert signer.chain == ident.chain
    data = b"<SignedInfo/>"
    sig = signer.sign_raw(data)
    key = ident.certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        key.verify(sig, data, padding.PKCS1v15(), hashes.SHA256())
    else:
        assert isinstance(key, ec.EllipticCurvePublicKey)
        key.verify(sig, data, ec.ECDSA(hashes.SHA256()))


def test_write_trust_files(tmp_path: Path) -> None:
    pki = build_test_pki()
    paths = pki.write_trust_files(tmp_path / "pki")
    assert paths["crl"].name == CRL_FILE_NAME
    assert x509.load_pem_x509_certificate(paths["root"].read_bytes()) == pki.root
    assert x509.load_pem_x509_certificate(paths["intermediate"].read_bytes()) == pki.intermediate
    assert x509.load_der_x509_crl(paths["crl"].read_bytes()) == pki.crl
    assert x509.load_pem_x509_crl(pki.crl_pem()) == pki.crl


def test_classes_are_not_collected_as_tests() -> None:
    assert TestPKI.__test__ is False
    assert pki_mod.TestIdentity.__test__ is False
    assert "TEST-ONLY" in (pki_mod.__doc__ or "")
