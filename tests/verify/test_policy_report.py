from __future__ import annotations

import dataclasses

import pytest

from hocbaso.errors import ConfigurationError, VerificationFailedError
from hocbaso.signature import C14nMethod, DigestMethod, SignatureMethod
from hocbaso.verify import (
    CODES,
    LEGACY,
    STRICT,
    Status,
    Step,
    StepResult,
    VerificationPolicy,
    VerificationReport,
)


def test_strict_defaults() -> None:
    assert STRICT.required_roles == {"GVBM", "GVCN", "CBQL", "KY_PHAT_HANH"}
    assert SignatureMethod.RSA_SHA1 not in STRICT.signature_methods
    assert DigestMethod.SHA1 not in STRICT.digest_methods
    assert not STRICT.legacy_signature_methods
    assert STRICT.content_status is Status.FAIL
    assert SignatureMethod.RSA_SHA1 in LEGACY.legacy_signature_methods


@pytest.mark.parametrize(
    "change",
    [
        {"signature_methods": frozenset({SignatureMethod.HMAC_SHA256})},
        {"legacy_signature_methods": frozenset({SignatureMethod.RSA_MD5})},
        {"legacy_digest_methods": frozenset({DigestMethod.MD5})},
        {"c14n_methods": frozenset({C14nMethod.C14N_10_WITH_COMMENTS})},
        {"required_roles": frozenset({"HIEU_TRUONG"})},
        {"content_status": Status.SKIP},
    ],
)
def test_unsafe_policies_cannot_be_built(change: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError):
        dataclasses.replace(STRICT, **change)  # type: ignore[arg-type]


def test_policy_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        STRICT.allow_comments = True  # type: ignore[misc]
    assert VerificationPolicy() == STRICT


def test_every_code_belongs_to_its_step() -> None:
    for code, info in CODES.items():
        assert code.split(".")[0] == info.step.value
        assert info.message_vi and info.message_en and info.advice_en


def test_report_ok_and_raise_for_status() -> None:
    good = VerificationReport((StepResult.of("PARSE.OK", Status.PASS),))
    assert good.ok and good.raise_for_status() is good
    warn = VerificationReport(
        (StepResult.of("SIGNATURE.ALGORITHM_LEGACY", Status.WARN, role="GVCN"),)
    )
    assert warn.ok and warn.warnings
    bad = VerificationReport(
        (
            StepResult.of("PARSE.OK", Status.PASS),
            StepResult.of("SIGNATURE.DIGEST_MISMATCH", Status.FAIL, role="GVCN", path="/x"),
        )
    )
    assert not bad.ok
    assert bad.step_status(Step.SIGNATURE) is Status.FAIL
    assert bad.step_status(Step.CONTENT) is Status.SKIP
    with pytest.raises(VerificationFailedError) as ei:
        bad.raise_for_status()
    assert ei.value.code == "SIGNATURE.DIGEST_MISMATCH"
    assert [d.code for d in ei.value.details] == ["SIGNATURE.DIGEST_MISMATCH"]
    d = bad.to_dict()
    assert d["ok"] is False and d["record"] is None
    assert d["steps"][1]["role"] == "GVCN"


def test_step_numbers_follow_spec() -> None:
    assert [s.number for s in Step] == list(range(1, 9))
    assert tuple(Step)[::7] == (Step.PARSE, Step.STATUS)


def test_results_pickle_exactly() -> None:
    import datetime as dt
    import pickle

    r = StepResult.of(
        "CERTIFICATE.OK",
        Status.PASS,
        role="GVCN",
        signer="CN=x [sha256:0011223344556677]",
        signing_time=dt.datetime(2025, 5, 20, 8, 30, tzinfo=dt.UTC),
        path="/HOC_BA/DANH_SACH_THONG_TIN_KY/GVCN/ds:Signature",
    )
    report = VerificationReport((r, StepResult.of("PARSE.OK", Status.PASS)), packet_sha256="ab")
    again = pickle.loads(pickle.dumps(report))
    assert again == report
    assert again.steps[0].step is Step.CERTIFICATE and again.steps[0].status is Status.PASS
