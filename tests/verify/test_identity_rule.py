"""One rule for a signer's personal ID (docs/signing.md rule 5, docs/verification.md step 5.5).

The signer and the verifier are asked the same question — "is this certificate the person the
record names for the role?" — over a table of certificate subjects, and must answer alike: the
certificate's ``UID=CCCD:`` value equals the record's 12-digit ID; a ``CMND``, passport or other
personal identifier with the same digits never matches.
"""

from __future__ import annotations

import functools

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hocbaso.errors import CertificateError
from hocbaso.packet import to_xml
from hocbaso.signature import KeyFileSigner, SigningPolicy, VaiTroKy, prepare, sign
from hocbaso.signature._certrules import certificate_identity, matches_record_id
from hocbaso.testing import tao_hoc_ba
from hocbaso.testing.pki import TEST_NOW, VALID_FROM, VALID_UNTIL, TestPKI, _leaf_cert
from hocbaso.verify import TrustStore, verify

RECORD = tao_hoc_ba(0)
ROW = RECORD.bang_diem[0]
MON = ROW.ma_mon_hoc
RECORD_ID = ROW.so_ddcn_gvbm
OTHER_ID = "079" + RECORD_ID[3:] if not RECORD_ID.startswith("079") else "001" + RECORD_ID[3:]
PACKET = to_xml(RECORD)

#: Every personal and organisation prefix a subject may carry, with the value it names.
_UIDS = [
    f"{kind}:{value}"
    for kind in ("CCCD", "cccd", "CMND", "CMT", "DDCN", "HC", "PASSPORT", "MST")
    for value in (RECORD_ID, OTHER_ID)
]

#: The table: the answer is the rule's, written out by hand so a drifted rule fails here.
TABLE: list[tuple[tuple[str, ...], bool]] = [
    ((f"CCCD:{RECORD_ID}",), True),
    ((f"cccd: {RECORD_ID}",), True),
    ((f"CCCD:{OTHER_ID}",), False),
    ((f"CMND:{RECORD_ID}",), False),
    ((f"DDCN:{RECORD_ID}",), False),
    ((f"HC:{RECORD_ID}",), False),
    ((f"CMND:{RECORD_ID}", f"CCCD:{OTHER_ID}"), False),
    ((f"CMND:{OTHER_ID}", f"CCCD:{RECORD_ID}"), True),
    ((f"MST:0101234567 CCCD:{RECORD_ID}",), False),  # does not parse: personal, no CCCD
    (("MST:0101234567",), False),
    ((), False),
]


@functools.lru_cache(maxsize=1)
def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _certificate(pki: TestPKI, uids: tuple[str, ...]) -> x509.Certificate:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, "GIÁO VIÊN (TEST)")]
    attrs += [x509.NameAttribute(NameOID.USER_ID, u) for u in uids]
    label = "identity-rule|" + "|".join(uids)
    return _leaf_cert(pki, label, x509.Name(attrs), _key().public_key(), VALID_FROM, VALID_UNTIL)


def _signer_accepts(pki: TestPKI, cert: x509.Certificate) -> bool:
    try:
        prepare(PACKET, VaiTroKy.GVBM, cert, [pki.intermediate], mon=MON, signing_time=TEST_NOW)
    except CertificateError as e:
        assert e.code in {"SIGN.CERTIFICATE.IDENTITY", "SIGN.CERTIFICATE.NOT_PERSONAL"}, e.code
        return False
    return True


def _verifier_accepts(pki: TestPKI, trust: TrustStore, cert: x509.Certificate) -> bool:
    """Sign without the signer's identity check, then ask the verifier about that signature."""
    signer = KeyFileSigner(_key(), cert, [pki.intermediate])
    signed = sign(
        PACKET,
        VaiTroKy.GVBM,
        signer,
        mon=MON,
        signing_time=TEST_NOW,
        policy=SigningPolicy(check_identity=False),
    )
    report = verify(signed, trust, at=TEST_NOW)
    gvbm = [r for r in report.steps if r.code.startswith("CERTIFICATE.") and r.role == "GVBM"]
    assert gvbm, "the verifier reached no certificate step for the GVBM signature"
    return not any(r.code == "CERTIFICATE.IDENTITY_MISMATCH" for r in gvbm)


@pytest.mark.parametrize(("uids", "expected"), TABLE)
def test_signer_and_verifier_answer_the_table_alike(
    pki: TestPKI, trust: TrustStore, uids: tuple[str, ...], expected: bool
) -> None:
    cert = _certificate(pki, uids)
    assert matches_record_id(certificate_identity(cert), RECORD_ID) is expected
    assert _signer_accepts(pki, cert) is expected
    assert _verifier_accepts(pki, trust, cert) is expected


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(uids=st.lists(st.sampled_from(_UIDS), max_size=3, unique=True).map(tuple))
def test_signer_and_verifier_agree_on_any_subject(
    pki: TestPKI, trust: TrustStore, uids: tuple[str, ...]
) -> None:
    cert = _certificate(pki, uids)
    signer_says = _signer_accepts(pki, cert)
    assert signer_says is _verifier_accepts(pki, trust, cert)
    # The rule in words: a CCCD equal to the record's ID, nothing else.
    cccd = [u.split(":", 1)[1].strip() for u in uids if u.lower().startswith("cccd:")]
    assert signer_says is (bool(cccd) and cccd[0] == RECORD_ID)


def test_the_record_id_must_be_there() -> None:
    ident = certificate_identity(_certificate_cached())
    assert not matches_record_id(ident, "")
    assert not matches_record_id(ident, None)
    assert matches_record_id(ident, RECORD_ID)


@functools.lru_cache(maxsize=1)
def _certificate_cached() -> x509.Certificate:
    from hocbaso.testing.pki import build_test_pki

    return _certificate(build_test_pki(), (f"CCCD:{RECORD_ID}",))
