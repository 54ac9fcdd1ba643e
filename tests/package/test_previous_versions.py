"""Previous versions: bound by digest, issued by the same organisation (docs/verification.md
§2, step 8.2).

The record digest a correction names binds the previous version's *content* (it is inside the
correction's signed bytes). It does not say who issued that content: that is only in the
previous version's own issuance signature, so the verifier checks that signature and refuses a
correction issued by another organisation than the version it corrects. The attack: school B,
holding a certificate the verifier trusts, issues a "correction" of school A's record — same
identifier, A's digest named — to supersede it. The receiver refuses it too.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest
from tests.package.conftest import PACKED_AT, RECEIVED_AT, Signers, issue_record

from hocbaso.models import HocBa
from hocbaso.package import Receiver, SqliteStore, TrangThaiLuu, TrangThaiNhan, pack
from hocbaso.packet import from_xml
from hocbaso.signature import IssuedRecord, correct
from hocbaso.testing.pki import TestIdentity, TestPKI, build_test_pki
from hocbaso.verify import TrustStore, verify

AT = RECEIVED_AT


def _correction(previous: IssuedRecord, signers: Signers, hours: int = 4) -> IssuedRecord:
    unsigned = correct(previous, previous.hoc_ba.model_copy(), "Sửa lỗi nhập liệu")
    return issue_record(HocBa.model_validate(from_xml(unsigned).model_dump()), signers,
                        timedelta(hours=hours))


@pytest.fixture(scope="module")
def other_school(pki: TestPKI, signers: Signers) -> Signers:
    """School B: a real, trusted organisation certificate, not the one that issued v1."""
    return dataclasses.replace(signers, school=pki.school("0319999999", "Truong B"))


def test_a_correction_by_its_own_school_links(
    round1: list[IssuedRecord], signers: Signers, trust: TrustStore
) -> None:
    v1 = round1[0]
    v2 = _correction(v1, signers)
    v3 = _correction(v2, signers, hours=8)
    report = verify(v3, trust, at=AT, previous_versions=[v1, v2])
    assert report.ok and "STATUS.OK" in report.codes


def test_another_school_cannot_correct_a_record_it_did_not_issue(
    round1: list[IssuedRecord], signers: Signers, other_school: Signers, trust: TrustStore
) -> None:
    v1 = round1[0]
    hijack = _correction(v1, other_school)
    alone = verify(hijack, trust, at=AT)
    assert alone.ok  # on its own, a well-signed record of a trusted organisation
    report = verify(hijack, trust, at=AT, previous_versions=[v1])
    assert "STATUS.VERSION_OTHER_ISSUER" in report.failed_codes and not report.ok
    # Deeper in the chain too: A → B → B.
    later = _correction(hijack, other_school, hours=8)
    deep = verify(later, trust, at=AT, previous_versions=[v1, hijack])
    assert "STATUS.VERSION_OTHER_ISSUER" in deep.failed_codes


def test_a_previous_version_whose_issuance_signature_fails_is_not_trusted(
    round1: list[IssuedRecord], signers: Signers, trust: TrustStore
) -> None:
    """Its content is intact (same record digest), its issuance signature is not: who issued
    it is unproven, so the link is not taken on the digest alone."""
    v1 = round1[0]
    v2 = _correction(v1, signers)
    start = v1.signed.index(b"<KY_PHAT_HANH>")
    value = v1.signed.index(b"<SignatureValue>", start) + len(b"<SignatureValue>")
    flipped = b"A" if v1.signed[value:value + 1] != b"A" else b"B"
    broken = v1.signed[:value] + flipped + v1.signed[value + 1:]
    assert broken != v1.signed
    report = verify(v2, trust, at=AT, previous_versions=[broken])
    assert "STATUS.PREVIOUS_UNTRUSTED" in report.failed_codes
    # Bytes no signature covers (line ends) change nothing: the link holds.
    crlf = v1.signed.replace(b"\n", b"\r\n")
    assert verify(v2, trust, at=AT, previous_versions=[crlf]).ok


def test_a_previous_version_sealed_under_an_untrusted_certificate_is_not_trusted(
    round1: list[IssuedRecord], signers: Signers, trust: TrustStore
) -> None:
    """The genuine content (so the very digest the correction names), sealed again by a
    certificate outside the trust anchors: the digest matches, the issuer is unproven."""
    outsider = build_test_pki("ec").school("0319999998", "Truong gia")  # another root
    v1 = round1[0]
    resealed = issue_record(v1.hoc_ba, dataclasses.replace(signers, school=outsider))
    assert resealed.record_digest == v1.record_digest and resealed.signed != v1.signed
    v2 = _correction(v1, signers)
    assert verify(v2, trust, at=AT, previous_versions=[v1]).ok
    report = verify(v2, trust, at=AT, previous_versions=[resealed])
    assert "STATUS.PREVIOUS_UNTRUSTED" in report.failed_codes


def test_the_receiver_refuses_another_schools_correction(
    tmp_path: Path, round1: list[IssuedRecord], signers: Signers, other_school: Signers,
    trust: TrustStore, ministry: TestIdentity,
) -> None:
    store = SqliteStore(tmp_path / "s.db")
    receiver = Receiver(store, trust, signer=ministry.signer(), clock=lambda: RECEIVED_AT)
    v1 = round1[0]
    first = pack([v1], signer=signers.school.signer(), round=1, created_at=PACKED_AT)
    assert first is not None
    assert receiver.receive(first).ket_qua[0].trang_thai is TrangThaiNhan.CHAP_NHAN
    hijack = _correction(v1, other_school)
    package = pack([hijack], signer=other_school.school.signer(), round=1, created_at=PACKED_AT)
    assert package is not None
    result = receiver.receive(package).ket_qua[0]
    assert result.trang_thai is TrangThaiNhan.TU_CHOI
    assert "STORE.CHAIN.ISSUER" in result.ma_loi
    found = store.lookup(str(v1.hoc_ba.thong_tin_hoc_ba.thong_tin_chung.ma_tra_cuu))
    assert found is not None
    assert (found.phien_ban, found.trang_thai) == (1, TrangThaiLuu.CO_HIEU_LUC)
