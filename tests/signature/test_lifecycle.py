"""Issue, correct, revoke on synthetic records (docs/signing.md §7)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from lxml import etree

from hocbaso.errors import CertificateError, RoleOrderError, SigningError
from hocbaso.models import TrangThaiHocBa
from hocbaso.packet import from_xml, schema_dir, to_xml, validate
from hocbaso.signature import (
    IssuedRecord,
    VaiTroKy,
    correct,
    issue,
    read_thong_bao_thu_hoi,
    record_digest,
    revoke,
)
from hocbaso.testing import tao_hoc_ba
from hocbaso.testing.pki import TEST_NOW, TestPKI

from .conftest import sign_record, verify_all


@pytest.fixture(scope="module")
def issued(pki: TestPKI) -> IssuedRecord:
    hoc_ba = tao_hoc_ba(3)
    return issue(
        sign_record(hoc_ba, pki), pki.school().signer(), signing_time=TEST_NOW + timedelta(hours=1)
    )


def test_issue_keeps_bytes_and_parses_model(issued: IssuedRecord) -> None:
    assert issued.hoc_ba == tao_hoc_ba(3)
    assert issued.issued_at == TEST_NOW + timedelta(hours=1)
    assert issued.transport_sha256 == hashlib.sha256(issued.signed).hexdigest()
    assert issued.record_digest == record_digest(issued.signed)
    assert issued.record_digest != issued.transport_sha256
    assert {s.role for s in issued.signatures} == set(VaiTroKy)
    assert all(v is None for v in verify_all(issued.signed).values())
    validate(issued.signed)  # the signed packet still matches the bundled XSD
    with pytest.raises(Exception):  # noqa: B017 - frozen dataclass / frozen model
        issued.signed = b""  # type: ignore[misc]
    # from_signed accepts the same bytes (e.g. after a two-phase KY_PHAT_HANH).
    again = IssuedRecord.from_signed(issued.signed)
    assert again.signed is not None and again.record_digest == issued.record_digest


def test_issue_refuses_incomplete_records(pki: TestPKI) -> None:
    hoc_ba = tao_hoc_ba(4)
    with pytest.raises(RoleOrderError) as err:
        issue(to_xml(hoc_ba), pki.school().signer(), signing_time=TEST_NOW)
    assert err.value.code == "SIGN.ORDER.MISSING"
    with pytest.raises(RoleOrderError):
        IssuedRecord.from_signed(sign_record(hoc_ba, pki))


def test_correct_chains_versions(issued: IssuedRecord, pki: TestPKI) -> None:
    fixed = issued.hoc_ba.model_copy(
        update={
            "bang_diem": tuple(
                row.model_copy(update={"nx_mon_hoc": "Đã đính chính nhận xét"}) if i == 0 else row
                for i, row in enumerate(issued.hoc_ba.bang_diem)
            )
        }
    )
    unsigned = correct(issued.signed, fixed, "Sửa nhận xét môn học")
    v2 = from_xml(unsigned)
    header = v2.thong_tin_hoc_ba.thong_tin_chung
    assert header.phien_ban == issued.phien_ban + 1
    assert header.trang_thai is TrangThaiHocBa.CO_HIEU_LUC
    assert header.dinh_chinh is not None
    assert header.dinh_chinh.ly_do == "Sửa nhận xét môn học"
    assert header.dinh_chinh.bam_phien_ban_truoc == issued.record_digest
    assert v2.bang_diem[0].nx_mon_hoc == "Đã đính chính nhận xét"
    # The new version is signed afresh by all roles and issued.
    later = TEST_NOW + timedelta(days=2)
    v2_issued = issue(
        sign_record(v2, pki, unsigned, start=later),
        pki.school().signer(),
        signing_time=later + timedelta(hours=1),
    )
    assert v2_issued.phien_ban == 2
    # Different identifier: refused.
    other = tao_hoc_ba(5)
    with pytest.raises(SigningError) as err:
        correct(issued.signed, other, "x")
    assert err.value.code == "SIGN.CORRECT.IDENTIFIER"
    # Only issued records can be corrected.
    with pytest.raises(RoleOrderError):
        correct(to_xml(issued.hoc_ba), fixed, "x")


def _notice_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    path = Path(schema_dir()) / "thong-bao-thu-hoi-1.0.xsd"
    return etree.XMLSchema(etree.parse(str(path), parser))


def test_revoke_signs_a_notice(issued: IssuedRecord, pki: TestPKI) -> None:
    when = TEST_NOW + timedelta(days=30)
    notice = revoke(
        issued.signed, pki.school().signer(), reason="Cấp nhầm học sinh", revocation_time=when
    )
    parsed = read_thong_bao_thu_hoi(notice)
    assert parsed.ma_dinh_danh_hoc_ba == issued.ma_dinh_danh_hoc_ba
    assert parsed.phien_ban == issued.phien_ban
    assert parsed.bam_hoc_ba == issued.record_digest
    assert parsed.ly_do == "Cấp nhầm học sinh"
    assert parsed.signing_time == when
    assert parsed.ngay_thu_hoi == when.isoformat()
    schema = _notice_schema()
    doc = etree.fromstring(notice, etree.XMLParser(resolve_entities=False, no_network=True))
    assert schema.validate(doc), schema.error_log
    # Tampering with the notice is caught.
    tampered = notice.replace(b"<PHIEN_BAN>1<", b"<PHIEN_BAN>2<")
    assert tampered != notice
    with pytest.raises(SigningError) as err:
        read_thong_bao_thu_hoi(tampered)
    assert err.value.code == "SIGN.REVOKE.SIGNATURE"


def test_revoke_refusals(issued: IssuedRecord, pki: TestPKI) -> None:
    when = TEST_NOW + timedelta(days=30)
    with pytest.raises(CertificateError) as err:
        revoke(
            issued.signed, pki.personal("001075000301").signer(), reason="x", revocation_time=when
        )
    assert err.value.code == "SIGN.CERTIFICATE.NOT_ORGANISATION"
    with pytest.raises(CertificateError) as err:
        revoke(issued.signed, pki.school("0109999999").signer(), reason="x", revocation_time=when)
    assert err.value.code == "SIGN.CERTIFICATE.IDENTITY"
    with pytest.raises(RoleOrderError):
        revoke(
            issued.signed,
            pki.school().signer(),
            reason="x",
            revocation_time=TEST_NOW - timedelta(days=1),
        )
    with pytest.raises(SigningError) as err:
        revoke(issued.signed, pki.school().signer(), reason="  ", revocation_time=when)
    assert err.value.code == "SIGN.REVOKE.REASON"


def test_revoke_refuses_a_school_certificate_carrying_a_personal_id(
    issued: IssuedRecord, pki: TestPKI
) -> None:
    """The school's MST alone is not enough: a certificate that also names a CMND is a
    person's (the one rule of hocbaso.signature.holder_kind_of)."""
    mixed = pki.school_with_personal_id(personal="CMND:012345678").signer()
    when = TEST_NOW + timedelta(days=30)
    with pytest.raises(CertificateError) as err:
        revoke(issued.signed, mixed, reason="x", revocation_time=when)
    assert err.value.code == "SIGN.CERTIFICATE.NOT_ORGANISATION"
