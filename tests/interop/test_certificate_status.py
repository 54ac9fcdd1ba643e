"""Certificate status, cross-checked: a revoked signer and an expired signer are rejected by both
xmlsec1 and ``hocbaso.verify``, and both accept the same signature when the status is fine
(control), so the rejection is about the certificate and nothing else."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from hocbaso.signature import VaiTroKy, sign
from hocbaso.testing.pki import TEST_NOW, KeyType, build_test_pki
from hocbaso.verify import TrustStore, verify

from ._support import (
    TrustFiles,
    add_crl_to_key_info,
    insert_templates,
    record_of,
    sign_all_roles,
    signature_template,
    signer_ids,
    slots,
    xmlsec1_sign,
    xmlsec1_verify,
)

pytestmark = pytest.mark.xmlsec1

VERIFY_AT = TEST_NOW + timedelta(days=1)


def test_revoked_signer_is_rejected_by_xmlsec1_and_hocbaso(
    xmlsec1: str, unsigned_packet: bytes, trust_dirs: dict[KeyType, TrustFiles],
    tmp_path: Path,
) -> None:  # fmt: skip
    pki = build_test_pki()
    trust = trust_dirs[KeyType.RSA]
    gvbm_only = sign_all_roles(unsigned_packet, pki, upto=VaiTroKy.GVBM)
    n_gvbm = len([s for s in slots(unsigned_packet) if s.role is VaiTroKy.GVBM])
    assert gvbm_only.count(b"<Signature ") == n_gvbm
    revoked = pki.revoked(signer_ids(unsigned_packet)["GVCN"])
    # The signing core has no CRL at signing time, so it signs; verification must catch it.
    signed = sign(gvbm_only, VaiTroKy.GVCN, revoked.signer(), signing_time=VERIFY_AT)
    crl = pki.make_crl([revoked.certificate], number=7)
    crl_der = crl.public_bytes(Encoding.DER)

    # Without a CRL xmlsec1 cannot know: the signature itself is fine.
    assert xmlsec1_verify(signed, "sig-gvcn", trust, tmp_path).ok
    rejected = xmlsec1_verify(
        add_crl_to_key_info(signed, "sig-gvcn", crl_der), "sig-gvcn", trust, tmp_path,
        trust_intermediate=True,
    )  # fmt: skip
    assert not rejected.ok
    assert "revoked" in rejected.output
    control_id = slots(signed)[0].signature_id
    control = xmlsec1_verify(
        add_crl_to_key_info(signed, control_id, crl_der), control_id, trust, tmp_path,
        trust_intermediate=True,
    )  # fmt: skip
    assert control.ok, control.output

    report = verify(signed, TrustStore([pki.root]), at=VERIFY_AT + timedelta(hours=1), crls=[crl])
    assert "CERTIFICATE.REVOKED" in report.failed_codes
    clean = verify(signed, TrustStore([pki.root]), at=VERIFY_AT + timedelta(hours=1), crls=[])
    assert "CERTIFICATE.REVOKED" not in clean.failed_codes


def test_expired_signer_made_by_xmlsec1_is_rejected_by_both(
    xmlsec1: str, unsigned_packet: bytes, trust_dirs: dict[KeyType, TrustFiles],
    tmp_path: Path,
) -> None:  # fmt: skip
    pki = build_test_pki()
    trust = trust_dirs[KeyType.RSA]
    # hocbaso signs every GVBM; xmlsec1 adds the GVCN signature with an expired certificate
    # (the hocbaso core would refuse to: SIGN.CERTIFICATE.EXPIRED).
    data = sign_all_roles(unsigned_packet, pki, upto=VaiTroKy.GVBM)
    assert b"sig-gvcn" not in data
    time = (TEST_NOW + timedelta(hours=2)).isoformat()
    template = signature_template("sig-gvcn", "thongtinhocba", ecdsa=False, prefix=None,
                                  signing_time=time, record=record_of(data))  # fmt: skip
    data = insert_templates(data, {"sig-gvcn": template})
    expired = pki.expired(signer_ids(unsigned_packet)["GVCN"])
    key, cert, inter = tmp_path / "k.pem", tmp_path / "c.pem", tmp_path / "i.pem"
    key.write_bytes(expired.key_pem())
    cert.write_bytes(expired.certificate_pem())
    inter.write_bytes(pki.intermediate_pem())
    signed = xmlsec1_sign(data, "sig-gvcn", key, [cert, inter], tmp_path)

    assert not xmlsec1_verify(signed, "sig-gvcn", trust, tmp_path).ok  # at TEST_NOW
    while_valid = xmlsec1_verify(signed, "sig-gvcn", trust, tmp_path,
                                 gmt_time="2024-06-01 00:00:00")  # fmt: skip
    assert while_valid.ok, while_valid.output  # control: the signature itself is fine
    report = verify(signed, TrustStore([pki.root]), at=VERIFY_AT, crls=[pki.crl])
    assert "CERTIFICATE.EXPIRED" in report.failed_codes
