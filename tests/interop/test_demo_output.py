"""``hocbaso demo --out DIR`` (what ``make demo`` runs): every signature of every issued record
verifies with xmlsec1 using only the files the demo wrote (DIR/pki/root.pem as the one trusted
certificate, DIR/pki/intermediate.pem as untrusted), and DIR/pki/*.crl is the CA's valid CRL."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from hocbaso.cli._main import cli

from ._support import TrustFiles, slots, xmlsec1_verify

pytestmark = pytest.mark.xmlsec1


def test_demo_records_verify_with_xmlsec1(xmlsec1: str, tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["demo", "--out", str(out), "--so-hoc-sinh", "2"])
    assert result.exit_code == 0, result.output
    trust = TrustFiles(out / "pki" / "root.pem", out / "pki" / "intermediate.pem")
    root = x509.load_pem_x509_certificate(trust.root.read_bytes())
    intermediate = x509.load_pem_x509_certificate(trust.intermediate.read_bytes())
    assert root.subject == root.issuer and intermediate.issuer == root.subject
    crls = sorted((out / "pki").glob("*.crl"))
    assert crls
    for path in crls:
        crl = x509.load_der_x509_crl(path.read_bytes())
        assert crl.issuer == intermediate.subject
        key = intermediate.public_key()
        assert isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey)
        assert crl.is_signature_valid(key)
    records = sorted((out / "records").glob("*.xml"))
    assert len(records) == 2
    for record in records:
        data = record.read_bytes()
        record_slots = slots(data)
        assert len(record_slots) >= 4
        for slot in record_slots:
            checked = xmlsec1_verify(data, slot.signature_id, trust, tmp_path)
            assert checked.ok, (record.name, slot.signature_id, checked.output)
