"""Step 5 as strict as the signer: key strength, EKU, CRL freshness, revocation reasons against
self-asserted signing times, the personal/organisation rule and the issuer registry."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle
from pathlib import Path

import pytest
from cryptography import x509

from hocbaso.errors import ConfigurationError, VerificationInputError
from hocbaso.testing import tao_hoc_ba
from hocbaso.testing.pki import (
    HOMEROOM_CCCD,
    REVOCATION_TIME,
    SCHOOL_MST,
    TEST_NOW,
    TestPKI,
)
from hocbaso.verify import (
    STRICT,
    CrlSet,
    IssuerRegistry,
    Status,
    TrustStore,
    VerificationPolicy,
    load_issuer_registry,
    verify,
)
from hocbaso.verify._certificates import identity_of

from .conftest import mv

SCHOOL = tao_hoc_ba(0).thong_tin_hoc_ba.thong_tin_truong.ma_truong
BEFORE = REVOCATION_TIME - dt.timedelta(days=9)
AFTER = REVOCATION_TIME + dt.timedelta(days=1)


def _codes(report: object, status: Status) -> set[str]:
    return {r.code for r in report.steps if r.status is status}  # type: ignore[attr-defined]


# -- key strength and EKU ----------------------------------------------------------------------


def test_trust_store_applies_the_signers_rules(pki: TestPKI) -> None:
    assert TrustStore.check_key_strength(pki.weak_rsa().certificate) == "KEY_SIZE"
    assert TrustStore.check_key_strength(pki.weak_curve().certificate) == "CURVE"
    assert TrustStore.check_key_strength(pki.personal(HOMEROOM_CCCD).certificate) is None
    assert not TrustStore.check_extended_key_usage(pki.server_auth_only().certificate)
    assert TrustStore.check_extended_key_usage(pki.personal(HOMEROOM_CCCD).certificate)


def test_weak_leaves_chain_to_the_anchor_and_are_still_refused(
    pki: TestPKI, trust: TrustStore
) -> None:
    """Path validation alone accepts them: the refusal comes from the signer's rules."""
    for who in (pki.weak_rsa(), pki.weak_curve(), pki.server_auth_only()):
        assert trust.validate(who.certificate, [pki.intermediate], TEST_NOW).code is None


# -- the personal/organisation rule ------------------------------------------------------------


@pytest.mark.parametrize("personal", ["CMND:012345678", "CCCD:001090000001", "HC:B1234567"])
def test_a_school_certificate_with_a_personal_id_is_a_persons(pki: TestPKI, personal: str) -> None:
    ident = identity_of(pki.school_with_personal_id(personal=personal).certificate)
    assert ident.holder == "person"
    assert identity_of(pki.school().certificate).holder == "organisation"


# -- CRL freshness -----------------------------------------------------------------------------


def test_a_stale_crl_is_no_coverage_but_its_revocations_still_count(pki: TestPKI) -> None:
    crls = CrlSet([pki.stale_crl()])
    good = pki.personal(HOMEROOM_CCCD).certificate
    st = crls.status(good, pki.intermediate, TEST_NOW, now=TEST_NOW)
    assert (st.code, st.covered, st.stale) == (None, False, True)
    # Judged without a verification time (old callers), freshness is not checked.
    assert crls.status(good, pki.intermediate, TEST_NOW).covered
    # The same CRL was current while its nextUpdate had not passed.
    assert crls.status(
        good, pki.intermediate, TEST_NOW, now=dt.datetime(2025, 4, 15, tzinfo=dt.UTC)
    ).covered
    # What it lists is still revoked: revocation is final.
    revoked = crls.status(pki.revoked().certificate, pki.intermediate, TEST_NOW, now=TEST_NOW)
    assert revoked.code == "CERTIFICATE.REVOKED"


def test_nextupdate_boundary(pki: TestPKI) -> None:
    crl = pki.crl
    assert crl.next_update_utc is not None
    crls = CrlSet([crl])
    good = pki.personal(HOMEROOM_CCCD).certificate
    at_edge = crls.status(good, pki.intermediate, TEST_NOW, now=crl.next_update_utc)
    assert at_edge.covered and not at_edge.stale
    later = crl.next_update_utc + dt.timedelta(seconds=1)
    assert not crls.status(good, pki.intermediate, TEST_NOW, now=later).covered


def test_stale_crl_in_a_report(genuine: bytes, trust: TrustStore, pki: TestPKI) -> None:
    strict = verify(genuine, trust, at=TEST_NOW, crls=[pki.stale_crl()])
    assert strict.ok
    assert "CERTIFICATE.CRL_STALE" in _codes(strict, Status.WARN)
    assert "CERTIFICATE.REVOCATION_NOT_CHECKED" in _codes(strict, Status.WARN)
    required = dataclasses.replace(STRICT, require_crl=True)
    refused = verify(genuine, trust, at=TEST_NOW, crls=[pki.stale_crl()], policy=required)
    assert "CERTIFICATE.REVOCATION_NOT_CHECKED" in refused.failed_codes
    current = verify(genuine, trust, at=TEST_NOW, crls=[pki.crl], policy=required)
    assert current.ok


# -- revocation reasons against a claimed signing time ----------------------------------------

_COMPROMISE = (
    None,
    x509.ReasonFlags.unspecified,
    x509.ReasonFlags.key_compromise,
    x509.ReasonFlags.ca_compromise,
    x509.ReasonFlags.aa_compromise,
)
_ALL_REASONS: list[x509.ReasonFlags | None] = [
    None,
    *(r for r in x509.ReasonFlags if r is not x509.ReasonFlags.remove_from_crl),
]


@pytest.mark.parametrize("reason", _ALL_REASONS, ids=lambda r: "none" if r is None else r.value)
def test_revocation_reason_decides_whether_an_earlier_claim_counts(
    pki: TestPKI, reason: x509.ReasonFlags | None
) -> None:
    cert = pki.revoked().certificate
    crls = CrlSet([pki.make_crl([cert], reasons={cert.serial_number: reason})])
    compromise = reason in _COMPROMISE  # the documented list, written out independently
    before = crls.status(cert, pki.intermediate, BEFORE, now=TEST_NOW)
    assert before.covered
    assert before.code == ("CERTIFICATE.REVOKED_TIME_UNPROVEN" if compromise else None)
    trusted = crls.status(cert, pki.intermediate, BEFORE, now=TEST_NOW, trust_signing_time=True)
    assert trusted.code is None
    # A signing time at or after the revocation is revoked whatever the reason or the policy.
    for when in (REVOCATION_TIME, AFTER):
        for trust_time in (False, True):
            st = crls.status(
                cert, pki.intermediate, when, now=TEST_NOW, trust_signing_time=trust_time
            )
            assert st.code == "CERTIFICATE.REVOKED"


def test_backdated_signature_of_a_compromised_key_in_a_report(
    corpus: dict[str, object], trust: TrustStore, crl: x509.CertificateRevocationList
) -> None:
    data = corpus["revoked_key_compromise_backdated"].data  # type: ignore[attr-defined]
    report = verify(data, trust, at=TEST_NOW, crls=[crl])
    assert "CERTIFICATE.REVOKED_TIME_UNPROVEN" in report.failed_codes
    # The data is genuinely signed (its identifier is read from the signed bytes), but the
    # report is not ok, so it carries no record (docs/verification.md, the report).
    assert report.record is None and report.ma_dinh_danh_hoc_ba is not None
    lenient = dataclasses.replace(STRICT, trust_signing_time=True)
    assert verify(data, trust, at=TEST_NOW, crls=[crl], policy=lenient).ok
    # Without the CRL nothing is known about the revocation (reported as not checked).
    assert verify(data, trust, at=TEST_NOW).ok


# -- the issuer registry -----------------------------------------------------------------------


def _with(registry: IssuerRegistry | None) -> VerificationPolicy:
    return dataclasses.replace(STRICT, issuer_registry=registry)


def test_without_a_registry_the_issuer_is_not_matched_and_the_report_stays_ok(
    genuine: bytes, trust: TrustStore, crl: x509.CertificateRevocationList
) -> None:
    report = verify(genuine, trust, at=TEST_NOW, crls=[crl])
    assert report.ok
    assert "CERTIFICATE.ISSUER_NOT_MATCHED" in _codes(report, Status.WARN)
    warned = [r for r in report.steps if r.code == "CERTIFICATE.ISSUER_NOT_MATCHED"]
    assert [r.role for r in warned] == ["KY_PHAT_HANH"]


@pytest.mark.parametrize(
    ("entries", "failure"),
    [
        ({SCHOOL: [f"MST:{SCHOOL_MST}"]}, None),
        ({SCHOOL: [SCHOOL_MST]}, None),  # a bare value matches any organisation kind
        ({SCHOOL: ["MNS:1234567", f"MST:{SCHOOL_MST}"]}, None),
        ({SCHOOL: [f"MNS:{SCHOOL_MST}"]}, "CERTIFICATE.ISSUER_NOT_SCHOOL"),  # kind must match
        ({SCHOOL: ["MST:0109999999"]}, "CERTIFICATE.ISSUER_NOT_SCHOOL"),
        ({"KHAC": [f"MST:{SCHOOL_MST}"]}, "CERTIFICATE.SCHOOL_NOT_REGISTERED"),
    ],
)
def test_registry_ties_the_issuer_to_the_school(
    genuine: bytes,
    trust: TrustStore,
    crl: x509.CertificateRevocationList,
    entries: dict[str, list[str]],
    failure: str | None,
) -> None:
    report = verify(genuine, trust, at=TEST_NOW, crls=[crl], policy=_with(IssuerRegistry(entries)))
    assert "CERTIFICATE.ISSUER_NOT_MATCHED" not in {r.code for r in report.steps}
    if failure is None:
        assert report.ok, report.failed_codes
        assert all(r.status in (Status.PASS, Status.SKIP) for r in report.steps)
    else:
        assert report.failed_codes == [failure] or failure in report.failed_codes
        assert not report.ok


def test_registry_files(tmp_path: Path) -> None:
    js = tmp_path / "r.json"
    js.write_text('{"01234567": ["MST:0101234567", "MQHNS:1234567"]}', "utf-8")
    cs = tmp_path / "r.csv"
    cs.write_text(
        "\ufeffMA_TRUONG,DINH_DANH\n01234567,MST:0101234567\n\n01234567,MNS:1234567\n", "utf-8"
    )
    a, b = load_issuer_registry(js), load_issuer_registry(cs)
    assert a == b and len(a) == 1 and "01234567" in a
    assert load_issuer_registry(js.read_bytes()) == a
    assert load_issuer_registry(cs.read_bytes()) == a
    assert hash(a) == hash(b)
    assert pickle.loads(pickle.dumps(a)) == a
    policy = _with(a)
    assert pickle.loads(pickle.dumps(policy)) == policy


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("r.json", '["MST:0101234567"]'),
        ("r.json", '{"01234567": "MST:0101234567"}'),
        ("r.json", '{"01234567": ["CCCD:001090000001"]}'),
        ("r.json", '{"01234567": []}'),
        ("r.json", '{"": ["MST:0101234567"]}'),
        ("r.json", '{"01234567": ["MST:"]}'),
        ("r.json", "{not json"),
        ("r.csv", "school,id\n01234567,MST:0101234567\n"),
        ("r.csv", "MA_TRUONG,DINH_DANH\n01234567\n"),
        ("r.txt", "MA_TRUONG,DINH_DANH\n"),
        ("missing.json", None),
    ],
)
def test_bad_registry_files_are_refused(tmp_path: Path, name: str, content: str | None) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, "utf-8")
    with pytest.raises(VerificationInputError) as err:
        load_issuer_registry(path)
    assert err.value.code == "VERIFY.INPUT.ISSUER_REGISTRY"


def test_registry_must_be_a_registry() -> None:
    with pytest.raises(ConfigurationError):
        VerificationPolicy(issuer_registry={"01234567": ["MST:0101234567"]})  # type: ignore[arg-type]


def test_vectors_registries_are_the_generators(corpus: dict[str, object]) -> None:
    assert mv.issuer_registries()["issuer_registry"] == {SCHOOL: [f"MST:{SCHOOL_MST}"]}
