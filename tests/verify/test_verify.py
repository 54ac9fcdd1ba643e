"""verify() on genuine and altered records: report shape, signed-bytes-only record, policies,
certificates and CRLs, the version chain and revocation."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import hocbaso.verify as hv
from hocbaso.errors import VerificationFailedError, VerificationInputError
from hocbaso.models import DinhChinh, HocBa, TrangThaiHocBa
from hocbaso.packet import to_xml
from hocbaso.signature import C14nMethod, VaiTroKy, canonicalize, record_digest, sign
from hocbaso.testing import tao_hoc_ba
from hocbaso.testing.pki import TestPKI, build_test_pki
from hocbaso.verify import (
    STRICT,
    RevocationNotice,
    Status,
    Step,
    TrustStore,
    verify,
)

from .conftest import mv

AT = mv.VERIFY_AT


def _header(hb: HocBa, **changes: Any) -> HocBa:
    tc = hb.thong_tin_hoc_ba.thong_tin_chung.model_copy(update=changes)
    data = hb.model_dump()
    data["thong_tin_hoc_ba"]["thong_tin_chung"] = tc.model_dump()
    return HocBa.model_validate(data)


def test_public_names_are_sorted_and_exported() -> None:
    """isort-style order (constants, classes, functions), as ruff's RUF022 keeps it."""

    def key(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert list(hv.__all__) == sorted(hv.__all__, key=key)
    public = {n for n in vars(hv) if not n.startswith("_")}
    assert set(hv.__all__) == public - {"annotations"}


def test_genuine_report(
    genuine: bytes, trust: TrustStore, crl: x509.CertificateRevocationList
) -> None:
    report = verify(genuine, trust, at=AT, crls=[crl])
    assert report.ok and not report.failures
    steps = [r.step for r in report.steps]
    assert steps == sorted(steps, key=lambda s: s.number)
    assert {r.step for r in report.steps} == set(Step)
    hb = tao_hoc_ba(0)
    n_sigs = len(hb.bang_diem) + 3
    assert sum(r.code == "SIGNATURE.OK" for r in report.steps) == n_sigs
    assert sum(r.code == "CERTIFICATE.OK" for r in report.steps) == n_sigs
    for r in report.steps:
        if r.code in ("SIGNATURE.OK", "CERTIFICATE.OK"):
            assert r.role in {"GVBM", "GVCN", "CBQL", "KY_PHAT_HANH"}
            assert r.signing_time is not None and r.signing_time.tzinfo is not None
        if r.code == "CERTIFICATE.OK":
            assert r.signer and re.search(r"sha256:[0-9a-f]{16}", r.signer)


def test_report_never_prints_personal_ids(genuine: bytes, trust: TrustStore) -> None:
    report = verify(genuine, trust, at=AT)
    text = json.dumps(report.to_dict()["steps"], ensure_ascii=False)
    hb = tao_hoc_ba(0)
    ids = {r.so_ddcn_gvbm for r in hb.bang_diem}
    ids |= {
        hb.thong_tin_hoc_ba.nguoi_ky.so_ddcn_gvcn,
        hb.thong_tin_hoc_ba.nguoi_ky.so_ddcn_giam_hieu,
    }
    ids.add(hb.thong_tin_hoc_ba.hoc_sinh.so_dinh_danh)
    for pid in ids:
        assert pid not in text


def test_record_is_the_signed_content(genuine: bytes, trust: TrustStore) -> None:
    report = verify(genuine, trust, at=AT)
    hb = tao_hoc_ba(0)
    assert report.record == hb
    root = etree.fromstring(genuine)
    data = root.find("DU_LIEU_HOC_BA")
    assert data is not None
    assert report.signed_bytes == canonicalize(data, C14nMethod.C14N_10)
    assert report.packet_sha256 == hashlib.sha256(genuine).hexdigest()
    d = report.to_dict()
    assert d["record"] == hb.model_dump(mode="json")
    assert d["signed_sha256"] == hashlib.sha256(report.signed_bytes).hexdigest()
    json.dumps(d, ensure_ascii=False)


def test_unsigned_additions_never_reach_the_record(genuine: bytes, trust: TrustStore) -> None:
    root = etree.fromstring(genuine)
    extra = etree.SubElement(root, "GHI_CHU")
    extra.text = "Học sinh xuất sắc toàn quốc"
    name = root.find("DU_LIEU_HOC_BA/THONG_TIN_HOC_BA/HOC_SINH/HO_VA_TEN")
    assert name is not None
    name.set("GHI_DE", "Tên khác")  # an unsigned attribute is still inside signed content
    report = verify(etree.tostring(root), trust, at=AT)
    assert not report.ok
    assert report.record is None or report.record == tao_hoc_ba(0)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_any_change_to_signed_text_is_caught(
    genuine: bytes, trust: TrustStore, data: st.DataObject
) -> None:
    root = etree.fromstring(genuine)
    du = root.find("DU_LIEU_HOC_BA")
    assert du is not None
    leaves = [e for e in du.iter(etree.Element) if len(e) == 0 and e.text]
    target = data.draw(st.sampled_from(leaves))
    new = data.draw(st.text(st.sampled_from("0123456789ABCĐT. ạ"), min_size=1, max_size=12))
    if new == target.text:
        new += "1"
    target.text = new
    report = verify(etree.tostring(root, xml_declaration=True, encoding="UTF-8"), trust, at=AT)
    assert not report.ok
    if target.tag == "MA_MON_HOC":
        # A subject code is also the row's Id (mon-<code>) and its slot's attribute: changing
        # it alone breaks the packet's structure, which is reported before any digest.
        assert "STRUCTURE.ID_MISPLACED" in report.failed_codes
    else:
        assert "SIGNATURE.DIGEST_MISMATCH" in report.failed_codes
    assert report.record is None


def _partial(pki: TestPKI, hb: HocBa) -> bytes:
    x = to_xml(hb)
    for i, row in enumerate(hb.bang_diem):
        x = sign(
            x,
            VaiTroKy.GVBM,
            pki.personal(row.so_ddcn_gvbm).signer(),
            mon=row.ma_mon_hoc,
            signing_time=mv.T_GVBM + dt.timedelta(minutes=i),
        )
    gvcn = pki.personal(hb.thong_tin_hoc_ba.nguoi_ky.so_ddcn_gvcn).signer()
    return sign(x, VaiTroKy.GVCN, gvcn, signing_time=mv.T_GVBM + dt.timedelta(hours=1))


def test_required_roles_policy(pki: TestPKI, trust: TrustStore) -> None:
    x = _partial(pki, tao_hoc_ba(0))
    strict = verify(x, trust, at=AT)
    missing = [r.role for r in strict.failures if r.code == "ORDER.MISSING_ROLE"]
    assert sorted(str(m) for m in missing) == ["CBQL", "KY_PHAT_HANH"]
    lenient = verify(
        x,
        trust,
        at=AT,
        policy=dataclasses.replace(STRICT, required_roles=frozenset({"GVBM", "GVCN"})),
    )
    assert lenient.ok
    assert lenient.record is None  # no #data signature yet: nothing signed the whole record
    assert "CONTENT.SKIPPED" in lenient.codes


def test_content_findings_can_be_warnings(corpus: dict[str, Any], trust: TrustStore) -> None:
    data = corpus["content_inconsistent"].data
    policy = dataclasses.replace(STRICT, content_status=Status.WARN)
    report = verify(data, trust, at=AT, policy=policy)
    assert report.ok
    assert any(r.code == "CONTENT.CONDUCT_YEAR" and r.status is Status.WARN for r in report.steps)
    strict = verify(data, trust, at=AT)
    finding = next(r for r in strict.failures if r.code == "CONTENT.CONDUCT_YEAR")
    assert "Điều 8" in finding.message_vi and finding.path


def test_crl_checks(genuine: bytes, trust: TrustStore, crl: x509.CertificateRevocationList) -> None:
    no_crl = verify(genuine, trust, at=AT)
    skipped = [r for r in no_crl.steps if r.code == "CERTIFICATE.REVOCATION_NOT_CHECKED"]
    assert skipped and all(r.status is Status.SKIP for r in skipped)
    assert no_crl.ok
    with_crl = verify(genuine, trust, at=AT, crls=[crl])
    assert "CERTIFICATE.REVOCATION_NOT_CHECKED" not in with_crl.codes
    required = dataclasses.replace(STRICT, require_crl=True)
    assert (
        "CERTIFICATE.REVOCATION_NOT_CHECKED"
        in verify(genuine, trust, at=AT, policy=required).failed_codes
    )
    assert verify(genuine, trust, at=AT, crls=[crl], policy=required).ok
    # A CRL with the right issuer name but signed by another key is ignored, with a warning.
    forged = build_test_pki("ec").crl
    report = verify(genuine, trust, at=AT, crls=[forged])
    assert "CERTIFICATE.CRL_INVALID" in {r.code for r in report.warnings}
    assert report.ok


def test_revoked_before_signing_only(
    pki: TestPKI, trust: TrustStore, corpus: dict[str, Any]
) -> None:
    data = corpus["certificate_revoked"].data
    gvcn = tao_hoc_ba(0).thong_tin_hoc_ba.nguoi_ky.so_ddcn_gvcn
    revoked_cert = pki.revoked(gvcn).certificate
    assert (
        "CERTIFICATE.REVOKED"
        in verify(data, trust, at=AT, crls=[pki.make_crl([revoked_cert])]).failed_codes
    )
    # Revocation is judged at the signing time: a CRL entry dated after it does not count.
    later = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(pki.intermediate.subject)
        .last_update(dt.datetime(2025, 5, 1, tzinfo=dt.UTC))
        .next_update(dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
        .add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(revoked_cert.serial_number)
            .revocation_date(dt.datetime(2025, 12, 1, tzinfo=dt.UTC))
            .build()
        )
        .sign(pki.intermediate_key, hashes.SHA256())
    )
    assert "CERTIFICATE.REVOKED" not in verify(data, trust, at=AT, crls=[later]).failed_codes


def test_untrusted_store(genuine: bytes) -> None:
    other = TrustStore([build_test_pki("ec").root])
    report = verify(genuine, other, at=AT)
    assert "CERTIFICATE.UNTRUSTED" in report.failed_codes


def test_naive_time_refused(genuine: bytes, trust: TrustStore) -> None:
    with pytest.raises(VerificationInputError):
        verify(genuine, trust, at=dt.datetime(2025, 5, 21, 8, 30))


def test_raise_for_status(corpus: dict[str, Any], trust: TrustStore, genuine: bytes) -> None:
    assert verify(genuine, trust, at=AT).raise_for_status().ok
    with pytest.raises(VerificationFailedError) as ei:
        verify(corpus["tampered_score"].data, trust, at=AT).raise_for_status()
    assert ei.value.code == "SIGNATURE.DIGEST_MISMATCH"


# -- version chain and revocation ----------------------------------------------------------


@pytest.fixture(scope="module")
def versions(pki: TestPKI, genuine: bytes) -> dict[str, bytes]:
    hb = tao_hoc_ba(0)
    digest = record_digest(genuine)
    fix = DinhChinh(ly_do="Sửa nhận xét", bam_phien_ban_truoc=digest)
    v2 = mv.issue(_header(hb, phien_ban=2, dinh_chinh=fix), pki)
    gap = mv.issue(_header(hb, phien_ban=3, dinh_chinh=fix), pki)
    other_id = mv.issue(
        _header(
            hb,
            phien_ban=2,
            dinh_chinh=fix,
            ma_dinh_danh_hoc_ba="0b5c2a8e-1f0e-4f7a-9b55-3c1d2e4f5a6b",
        ),
        pki,
    )
    revoked = mv.issue(_header(hb, trang_thai=TrangThaiHocBa.THU_HOI), pki)
    return {"v1": genuine, "v2": v2, "gap": gap, "other_id": other_id, "revoked": revoked}


def test_version_chain(
    versions: dict[str, bytes], trust: TrustStore, corpus: dict[str, Any]
) -> None:
    v1, v2 = versions["v1"], versions["v2"]
    ok = verify(v2, trust, at=AT, previous_versions=[v1])
    assert ok.ok and "STATUS.OK" in ok.codes
    alone = verify(v2, trust, at=AT)
    assert alone.ok
    assert any(r.code == "STATUS.NOT_CHECKED" and r.status is Status.SKIP for r in alone.steps)
    wrong = verify(v2, trust, at=AT, previous_versions=[corpus["genuine_other_record"].data])
    assert "STATUS.VERSION_DIGEST_MISMATCH" in wrong.failed_codes
    gap = verify(versions["gap"], trust, at=AT, previous_versions=[v1])
    assert "STATUS.VERSION_NUMBER_GAP" in gap.failed_codes
    other = verify(versions["other_id"], trust, at=AT, previous_versions=[v1])
    assert "STATUS.VERSION_IDENTIFIER_MISMATCH" in other.failed_codes


def test_revocation(versions: dict[str, bytes], trust: TrustStore, genuine: bytes) -> None:
    hb = tao_hoc_ba(0)
    ident = hb.thong_tin_hoc_ba.thong_tin_chung.ma_dinh_danh_hoc_ba
    digest = record_digest(genuine)
    hit = verify(genuine, trust, at=AT, revocations=[RevocationNotice(ident, 1, digest)])
    assert hit.revoked and "STATUS.REVOKED" in hit.failed_codes
    assert hit.record_digest == digest
    miss = verify(genuine, trust, at=AT, revocations=[RevocationNotice(ident, 2, digest)])
    assert miss.ok and not miss.revoked
    # Same identifier and version, another digest: fail closed, never "not revoked and ok".
    other = verify(genuine, trust, at=AT, revocations=[RevocationNotice(ident, 1, "0" * 64)])
    assert not other.ok and not other.revoked
    assert "STATUS.NOTICE_DIGEST_MISMATCH" in other.failed_codes
    # A notice that cannot be read FAILs: it is never skipped.
    unverifiable = verify(genuine, trust, at=AT, revocations=[b"<THONG_BAO_THU_HOI/>"])
    assert not unverifiable.ok and not unverifiable.revoked
    assert "STATUS.NOTICE_INVALID" in unverifiable.failed_codes
    by_status = verify(versions["revoked"], trust, at=AT)
    assert by_status.revoked and "STATUS.REVOKED" in by_status.failed_codes


def test_signed_revocation_notice(pki: TestPKI, trust: TrustStore, genuine: bytes) -> None:
    from hocbaso.signature import SigningPolicy, revoke

    when = AT - dt.timedelta(hours=1)
    notice = revoke(genuine, pki.school().signer(), reason="Cấp nhầm", revocation_time=when)
    report = verify(genuine, trust, at=AT, revocations=[notice])
    assert report.revoked and "STATUS.REVOKED" in report.failed_codes
    # The notice only revokes the version it names.
    other = verify(mv.issue(tao_hoc_ba(3), pki), trust, at=AT, revocations=[notice])
    assert not other.revoked and other.ok
    # Notices that must not be believed: another school, an untrusted CA, a person, a forgery.
    loose = SigningPolicy(check_identity=False)
    foreign = [
        revoke(
            genuine,
            pki.school("0109999999").signer(),
            reason="x",
            revocation_time=when,
            policy=loose,
        ),
        revoke(
            genuine,
            build_test_pki("ec").school().signer(),
            reason="x",
            revocation_time=when,
            policy=loose,
        ),
        revoke(
            genuine,
            pki.personal(tao_hoc_ba(0).thong_tin_hoc_ba.nguoi_ky.so_ddcn_giam_hieu).signer(),
            reason="x",
            revocation_time=when,
            policy=loose,
        ),
        notice.replace(b"<LY_DO>", b"<LY_DO>!"),
    ]
    for bad in foreign:
        r = verify(genuine, trust, at=AT, revocations=[bad])
        assert not r.revoked and not r.ok
        assert "STATUS.NOTICE_INVALID" in r.failed_codes
    # A notice dated after the verification time is not yet known.
    assert not verify(
        genuine, trust, at=when - dt.timedelta(minutes=1), revocations=[notice]
    ).revoked


def test_a_bare_bytes_argument_is_refused(genuine: bytes, trust: TrustStore) -> None:
    for kwargs in ({"crls": genuine}, {"previous_versions": genuine}, {"revocations": genuine}):
        with pytest.raises(VerificationInputError) as ei:
            verify(genuine, trust, at=AT, **kwargs)  # type: ignore[arg-type]
        assert ei.value.code == "VERIFY.INPUT.NOT_A_LIST"
    with pytest.raises(VerificationInputError):
        next(hv.verify_many(genuine, trust, at=AT))
