"""Vietnamese identities in certificate subjects, and X509Data in any order."""

from __future__ import annotations

from datetime import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from hocbaso.signature import VaiTroKy, sign
from hocbaso.signature._internal import LoaiDinhDanh, SubjectIdentity, subject_identities
from hocbaso.testing.pki import SUBJECT_TEACHER_CCCDS, TEST_NOW, TestPKI

from .conftest import make_packet, verify_all


def _cert(*uids: str) -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "X")]
        + [x509.NameAttribute(NameOID.USER_ID, u) for u in uids]
    )
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(datetime.fromisoformat("2024-01-01T00:00:00+00:00"))
        .not_valid_after(datetime.fromisoformat("2030-01-01T00:00:00+00:00"))
        .sign(key, hashes.SHA256())
    )


@pytest.mark.parametrize(
    ("uids", "expected"),
    [
        (["CCCD:001090000001"], [SubjectIdentity(LoaiDinhDanh.CCCD, "001090000001")]),
        (["cmnd: 012345678"], [SubjectIdentity(LoaiDinhDanh.CMND, "012345678")]),
        (["MST:0101234567-001"], [SubjectIdentity(LoaiDinhDanh.MST, "0101234567-001")]),
        (["MQHNS:1234567"], [SubjectIdentity(LoaiDinhDanh.MNS, "1234567")]),
        (["HC:B1234567", "nonsense"], [SubjectIdentity(LoaiDinhDanh.HO_CHIEU, "B1234567")]),
        (["XYZ:1", "nonsense"], []),
        (
            ["MST:0101234567", "CCCD:001090000001"],
            [
                SubjectIdentity(LoaiDinhDanh.MST, "0101234567"),
                SubjectIdentity(LoaiDinhDanh.CCCD, "001090000001"),
            ],
        ),
    ],
)
def test_subject_identities(uids: list[str], expected: list[SubjectIdentity]) -> None:
    found = subject_identities(_cert(*uids))
    assert list(found) == expected
    personal = (LoaiDinhDanh.CCCD, LoaiDinhDanh.CMND, LoaiDinhDanh.HO_CHIEU, LoaiDinhDanh.DDCN)
    assert all(i.personal == (i.kind in personal) for i in found)


def test_earlier_signature_with_chain_first_still_checks(pki: TestPKI) -> None:
    """Other writers may put the intermediate before the signer's certificate in X509Data."""
    teacher = pki.personal(SUBJECT_TEACHER_CCCDS[0]).signer()
    signed = sign(make_packet(), VaiTroKy.GVBM, teacher, mon="TOAN", signing_time=TEST_NOW)
    start = signed.index(b"<X509Data>") + len(b"<X509Data>")
    end = signed.index(b"</X509Data>")
    leaf, inter = signed[start:end].split(b"</X509Certificate>")[:2]
    swapped = signed[:start] + inter + b"</X509Certificate>" + leaf + b"</X509Certificate>"
    swapped += signed[end:]
    assert swapped != signed
    assert verify_all(swapped) == {"GVBM[TOAN]": None}
