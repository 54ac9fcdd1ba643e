"""Which signature values the core verifies after signing, and that the one exemption is narrow.

An exact ``KeyFileSigner`` with an RSA key is not re-verified (its key was matched to its
certificate at load time, and OpenSSL checks its own RSA-CRT result); everything else is:
subclasses, foreign signers, ECDSA, ``complete()``. These tests make each of those return a
wrong value and expect the typed refusal.
"""

from __future__ import annotations

import pytest
from cryptography import x509

from hocbaso.errors import SigningError
from hocbaso.signature import KeyFileSigner, SigningStep, VaiTroKy, sign, sign_roles
from hocbaso.signature._algorithms import SignatureMethod
from hocbaso.signature._twophase import _self_checked
from hocbaso.testing.pki import SUBJECT_TEACHER_CCCDS, TEST_NOW, TestPKI

from .conftest import make_packet, verify_all


class _FlippingSubclass(KeyFileSigner):
    """A subclass may override sign_raw: it gets no exemption."""

    def sign_raw(self, data: bytes) -> bytes:
        value = super().sign_raw(data)
        return value[:-1] + bytes([value[-1] ^ 1])


class _Foreign:
    """A foreign Signer that signs other bytes than it was given."""

    def __init__(self, inner: KeyFileSigner) -> None:
        self._inner = inner

    @property
    def certificate(self) -> x509.Certificate:
        return self._inner.certificate

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        return self._inner.chain

    def sign_raw(self, data: bytes) -> bytes:
        return self._inner.sign_raw(data + b" ")


def _teacher(pki: TestPKI) -> KeyFileSigner:
    return pki.personal(SUBJECT_TEACHER_CCCDS[0]).signer()


def test_exact_rsa_keyfile_signer_is_exempt_and_its_signature_verifies(pki: TestPKI) -> None:
    signer = _teacher(pki)
    assert _self_checked(signer, signer.certificate, SignatureMethod.RSA_SHA256)
    out = sign(make_packet(), VaiTroKy.GVBM, signer, mon="TOAN", signing_time=TEST_NOW)
    assert verify_all(out) == {"GVBM[TOAN]": None}


def test_exemption_needs_the_signers_own_certificate_and_rsa(pki: TestPKI, ec_pki: TestPKI) -> None:
    signer = _teacher(pki)
    other = pki.personal(SUBJECT_TEACHER_CCCDS[1]).certificate
    assert not _self_checked(signer, other, SignatureMethod.RSA_SHA256)
    assert not _self_checked(signer, signer.certificate, SignatureMethod.ECDSA_SHA256)
    ec_signer = ec_pki.personal(SUBJECT_TEACHER_CCCDS[0]).signer()
    assert not _self_checked(ec_signer, ec_signer.certificate, SignatureMethod.ECDSA_SHA256)
    identity = pki.personal(SUBJECT_TEACHER_CCCDS[0])
    sub = _FlippingSubclass(identity.private_key, identity.certificate, identity.chain)
    assert not _self_checked(sub, sub.certificate, SignatureMethod.RSA_SHA256)


@pytest.mark.parametrize("kind", ["subclass", "foreign"])
def test_wrong_values_are_refused_by_sign_and_sign_roles(pki: TestPKI, kind: str) -> None:
    identity = pki.personal(SUBJECT_TEACHER_CCCDS[0])
    bad: object = (
        _FlippingSubclass(identity.private_key, identity.certificate, identity.chain)
        if kind == "subclass"
        else _Foreign(identity.signer())
    )
    packet = make_packet()
    with pytest.raises(SigningError) as one:
        sign(packet, VaiTroKy.GVBM, bad, mon="TOAN", signing_time=TEST_NOW)  # type: ignore[arg-type]
    assert one.value.code == "SIGN.VALUE"
    with pytest.raises(SigningError) as many:
        sign_roles(packet, [SigningStep(VaiTroKy.GVBM, bad, TEST_NOW, mon="TOAN")])  # type: ignore[arg-type]
    assert many.value.code == "SIGN.VALUE"
