"""A report that is not ok carries no record and no signed bytes (docs/verification.md), but keeps
the record identifier and version read from the signed bytes."""

from __future__ import annotations

import json
from typing import Any

from hocbaso.testing import tao_hoc_ba
from hocbaso.verify import Status, StepResult, TrustStore, VerificationReport, verify

from .conftest import mv

AT = mv.VERIFY_AT


def _personal(seed: int) -> list[str]:
    hs = tao_hoc_ba(seed).thong_tin_hoc_ba.hoc_sinh
    return [hs.ho_va_ten, hs.so_dinh_danh, hs.ngay_thang_nam_sinh.isoformat()]


def test_failed_report_has_no_record_but_keeps_identifier(
    corpus: dict[str, Any], trust: TrustStore
) -> None:
    vector = corpus["content_inconsistent"]  # genuinely signed, but a CONTENT failure
    report = verify(vector.data, trust, at=AT, crls=())
    assert not report.ok and "CONTENT.CONDUCT_YEAR" in report.failed_codes
    assert report.record is None and report.signed_bytes is None
    chung = tao_hoc_ba(0).thong_tin_hoc_ba.thong_tin_chung
    assert report.ma_dinh_danh_hoc_ba == str(chung.ma_dinh_danh_hoc_ba)
    assert report.phien_ban == chung.phien_ban
    text = json.dumps(report.to_dict(), ensure_ascii=False)
    assert report.ma_dinh_danh_hoc_ba in text
    for value in _personal(0):
        assert value not in text


def test_ok_report_carries_the_record(genuine: bytes, trust: TrustStore) -> None:
    report = verify(genuine, trust, at=AT)
    assert report.ok and report.record == tao_hoc_ba(0) and report.signed_bytes
    assert report.to_dict()["record"]["thong_tin_hoc_ba"]["hoc_sinh"]["ho_va_ten"]


def test_unverified_record_has_no_identifier(corpus: dict[str, Any], trust: TrustStore) -> None:
    report = verify(corpus["tampered_score"].data, trust, at=AT)
    assert report.ma_dinh_danh_hoc_ba is None and report.phien_ban is None


def test_the_report_itself_refuses_a_record_when_not_ok() -> None:
    fail = StepResult.of("ORDER.MISSING_ROLE", Status.FAIL)
    report = VerificationReport((fail,), record=tao_hoc_ba(0), signed_bytes=b"<x/>")
    assert report.record is None and report.signed_bytes is None
