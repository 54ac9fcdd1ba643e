"""Pkcs11Signer against a real PKCS#11 module: SoftHSM2 from the Debian ``softhsm2`` package.

These tests must run in CI (``.ci/run`` installs softhsm2), so a missing library or tool is
a failure, never a skip. The token lives in a temporary directory: ``SOFTHSM2_CONF`` points
at a config written there before the module is first loaded in this process (SoftHSM reads
its config once, at C_Initialize, so the whole session shares one token directory).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pkcs11
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from hocbaso.errors import CertificateError, SigningError
from hocbaso.signature._algorithms import SignatureMethod
from hocbaso.signature._pkcs11 import Pkcs11Signer
from hocbaso.signature._signer import Signer
from hocbaso.testing.pki import (
    HOMEROOM_CCCD,
    PRINCIPAL_CCCD,
    SUBJECT_TEACHER_CCCDS,
    KeyType,
    build_test_pki,
)

pytestmark = pytest.mark.hsm

SOFTHSM_LIB = os.environ.get("HOCBASO_SOFTHSM_LIB", "/usr/lib/softhsm/libsofthsm2.so")
TOKEN = "hocbaso-test"
PIN = "123456"
SO_PIN = "12345678"
DATA = b"<SignedInfo>canonical bytes</SignedInfo>"


@dataclass(frozen=True)
class Token:
    lib: str
    label: str
    pin: str


def _run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, env=os.environ.copy(), timeout=60)


@pytest.fixture(scope="module")
def softhsm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Token]:
    if not Path(SOFTHSM_LIB).is_file():
        pytest.fail(f"SoftHSM2 is not installed ({SOFTHSM_LIB} missing): apt-get install softhsm2")
    tool = shutil.which("softhsm2-util")
    if tool is None:
        pytest.fail("softhsm2-util is not on PATH: apt-get install softhsm2")
    root = tmp_path_factory.mktemp("softhsm")
    (root / "tokens").mkdir()
    conf = root / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    old = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    try:
        _run(tool, "--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", SO_PIN)
        pki_rsa, pki_ec = build_test_pki(), build_test_pki(KeyType.EC)
        # Keys imported from PKCS#8 files, as a vendor would move a software key to a token.
        for label, ident, key_id in (
            ("gvcn-rsa", pki_rsa.personal(HOMEROOM_CCCD), "01"),
            ("gvcn-ec", pki_ec.personal(HOMEROOM_CCCD), "02"),
        ):
            pem = root / f"{label}.pem"
            pem.write_bytes(ident.key_pem())
            _run(tool, "--import", str(pem), "--token", TOKEN, "--label", label,
                 "--id", key_id, "--pin", PIN)  # fmt: skip
            pem.unlink()
        lib = pkcs11.lib(SOFTHSM_LIB)
        lib.reinitialize()  # pick up SOFTHSM2_CONF even if another test loaded the module
        yield Token(SOFTHSM_LIB, TOKEN, PIN)
    finally:
        if old is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = old


def _verify(signer: Signer, sig: bytes, data: bytes = DATA) -> None:
    key = signer.certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        key.verify(sig, data, padding.PKCS1v15(), hashes.SHA256())
    else:
        assert isinstance(key, ec.EllipticCurvePublicKey)
        key.verify(sig, data, ec.ECDSA(hashes.SHA256()))


def test_rsa_key_on_token_signs_pkcs1_v15_sha256(softhsm: Token) -> None:
    ident = build_test_pki().personal(HOMEROOM_CCCD)
    with Pkcs11Signer(softhsm.lib, softhsm.label, "gvcn-rsa", softhsm.pin,
                      cert=ident.certificate_pem(), chain=ident.chain) as signer:  # fmt: skip
        assert isinstance(signer, Signer)
        assert signer.signature_method is SignatureMethod.RSA_SHA256
        assert signer.certificate == ident.certificate
        assert signer.chain == ident.chain
        sig = signer.sign_raw(DATA)
        _verify(signer, sig)
        # Same key, same bytes: the token's signature equals the software key's (PKCS#1 v1.5).
        assert sig == ident.signer().sign_raw(DATA)


def test_ec_key_on_token_returns_der(softhsm: Token) -> None:
    ident = build_test_pki(KeyType.EC).personal(HOMEROOM_CCCD)
    with Pkcs11Signer(softhsm.lib, softhsm.label, "gvcn-ec", softhsm.pin,
                      cert=ident.certificate) as signer:  # fmt: skip
        assert signer.signature_method is SignatureMethod.ECDSA_SHA256
        sig = signer.sign_raw(DATA)
        r, s = decode_dss_signature(sig)  # DER, converted from PKCS#11's r || s
        assert r > 0 and s > 0
        _verify(signer, sig)


def test_key_generated_on_token_with_certificate_stored_there(softhsm: Token) -> None:
    """The production shape: the key never leaves the token; the certificate sits next to it."""
    pki = build_test_pki()
    lib = pkcs11.lib(softhsm.lib)
    token = lib.get_token(token_label=softhsm.label)
    with token.open(rw=True, user_pin=softhsm.pin) as session:
        public, _private = session.generate_keypair(
            pkcs11.KeyType.RSA, 2048, label="cbql-onboard", id=b"\x03", store=True
        )
        numbers = rsa.RSAPublicNumbers(
            int.from_bytes(public[pkcs11.Attribute.PUBLIC_EXPONENT], "big"),
            int.from_bytes(public[pkcs11.Attribute.MODULUS], "big"),
        )
        cert = pki.certify_personal(numbers.public_key(), PRINCIPAL_CCCD)
        session.create_object(
            {
                pkcs11.Attribute.CLASS: pkcs11.ObjectClass.CERTIFICATE,
                pkcs11.Attribute.CERTIFICATE_TYPE: pkcs11.CertificateType.X_509,
                pkcs11.Attribute.TOKEN: True,
                pkcs11.Attribute.LABEL: "cbql-onboard",
                pkcs11.Attribute.ID: b"\x03",
                pkcs11.Attribute.SUBJECT: cert.subject.public_bytes(),
                pkcs11.Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER),
            }
        )
    # No cert= : the signer reads the certificate with the same label from the token.
    with Pkcs11Signer(softhsm.lib, softhsm.label, "cbql-onboard", softhsm.pin) as signer:
        assert signer.certificate == cert
        _verify(signer, signer.sign_raw(DATA))
    with Pkcs11Signer(softhsm.lib, softhsm.label, pin=softhsm.pin, key_id=b"\x03") as by_id:
        assert by_id.certificate == cert


def test_one_signer_shared_by_threads(softhsm: Token) -> None:
    ident = build_test_pki().personal(HOMEROOM_CCCD)
    results: list[bytes] = []
    errors: list[BaseException] = []
    with Pkcs11Signer(softhsm.lib, softhsm.label, "gvcn-rsa", softhsm.pin,
                      cert=ident.certificate) as signer:  # fmt: skip

        def work(i: int) -> None:
            try:
                data = DATA + str(i).encode()
                sig = signer.sign_raw(data)
                _verify(signer, sig, data)
                results.append(sig)
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert len(set(results)) == 8


def test_session_is_reopened_after_close(softhsm: Token) -> None:
    ident = build_test_pki().personal(HOMEROOM_CCCD)
    signer = Pkcs11Signer(
        softhsm.lib, softhsm.label, "gvcn-rsa", softhsm.pin, cert=ident.certificate
    )
    signer.close()
    _verify(signer, signer.sign_raw(DATA))
    signer.close()


def test_mismatched_certificate_is_refused(softhsm: Token) -> None:
    other = build_test_pki().personal(SUBJECT_TEACHER_CCCDS[3])
    with pytest.raises(CertificateError) as err:
        Pkcs11Signer(softhsm.lib, softhsm.label, "gvcn-rsa", softhsm.pin, cert=other.certificate)
    assert err.value.code == "SIGN.CERTIFICATE.KEY_MISMATCH"
    ec_cert = build_test_pki(KeyType.EC).personal(HOMEROOM_CCCD).certificate
    with pytest.raises(CertificateError) as kind:
        Pkcs11Signer(softhsm.lib, softhsm.label, "gvcn-rsa", softhsm.pin, cert=ec_cert)
    assert kind.value.code == "SIGN.CERTIFICATE.KEY_MISMATCH"


def test_token_errors_are_typed(softhsm: Token, tmp_path: Path) -> None:
    cert = build_test_pki().personal(HOMEROOM_CCCD).certificate
    cases = [
        ((softhsm.lib, softhsm.label, "gvcn-rsa", "000000"), SigningError, "SIGN.TOKEN.PIN"),
        ((softhsm.lib, "no-such-token", "gvcn-rsa", softhsm.pin), SigningError,
         "SIGN.TOKEN.NOT_FOUND"),
        ((softhsm.lib, softhsm.label, "no-such-key", softhsm.pin), CertificateError,
         "SIGN.CERTIFICATE.KEY_NOT_FOUND"),
        ((str(tmp_path / "missing.so"), softhsm.label, "gvcn-rsa", softhsm.pin), SigningError,
         "SIGN.TOKEN.LIBRARY"),
    ]  # fmt: skip
    for (lib, label, key, pin), kind, code in cases:
        with pytest.raises(kind) as err:
            Pkcs11Signer(lib, label, key, pin, cert=cert)
        assert err.value.code == code
        assert err.value.message_en != err.value.message_vi
    with pytest.raises(CertificateError) as missing:
        Pkcs11Signer(softhsm.lib, softhsm.label, "gvcn-rsa", softhsm.pin)  # no cert on token
    assert missing.value.code == "SIGN.CERTIFICATE.MISSING"


class _RawMechanismSigner(Pkcs11Signer):
    """As on tokens that offer only raw CKM_RSA_PKCS / CKM_ECDSA: hocbaso hashes (and, for
    RSA, builds the DigestInfo) itself."""

    def _choose_mechanism(self) -> tuple[object, bool]:
        mech = pkcs11.Mechanism
        raw = mech.RSA_PKCS if self.signature_method is SignatureMethod.RSA_SHA256 else mech.ECDSA
        return raw, True


@pytest.mark.parametrize(
    ("key_type", "label"), [(KeyType.RSA, "gvcn-rsa"), (KeyType.EC, "gvcn-ec")]
)
def test_raw_mechanism_fallback_gives_the_same_signatures(
    softhsm: Token, key_type: KeyType, label: str
) -> None:
    ident = build_test_pki(key_type).personal(HOMEROOM_CCCD)
    with _RawMechanismSigner(softhsm.lib, softhsm.label, label, softhsm.pin,
                             cert=ident.certificate) as signer:  # fmt: skip
        assert signer._prehash
        sig = signer.sign_raw(DATA)
        _verify(signer, sig)
        if key_type is KeyType.RSA:  # PKCS#1 v1.5 is deterministic: byte-identical
            assert sig == ident.signer().sign_raw(DATA)
