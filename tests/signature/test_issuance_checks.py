"""A record with a wrong derived result cannot be issued (docs/signing.md §7).

The record below is valid for the XSD and the models, but one subject's year average is 9.9
where Thông tư 22 gives another value: ``verify`` fails it with
``CONTENT.SUBJECT_YEAR_RESULT``. Every way to make it final — CBQL and KY_PHAT_HANH through
``sign``, ``sign_roles``, two-phase ``prepare``/``complete``, ``issue`` — must refuse it with
that same code, as must ``correct`` (for a corrected record), the library ``validate`` and
``hocbaso validate``; ``content=False`` / ``--no-content`` skip only the content check.
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

import hocbaso
from hocbaso.cli._main import cli
from hocbaso.errors import ContentError, HocBaSoError, ModelError
from hocbaso.models import HocBa, LoaiDanhGia, MucDanhGia
from hocbaso.packet import to_xml
from hocbaso.signature import (
    IssuedRecord,
    SigningStep,
    VaiTroKy,
    _memo,
    complete,
    correct,
    issue,
    prepare,
    sign,
    sign_roles,
    validate,
)
from hocbaso.testing import tao_hoc_ba
from hocbaso.testing.pki import TEST_NOW, TestPKI, build_test_pki
from hocbaso.tt22 import check_record
from hocbaso.verify import TrustStore, verify

from .conftest import hand_made_layout, sign_record

CODE = "CONTENT.SUBJECT_YEAR_RESULT"
_EC_PKI = build_test_pki("ec")


def _scored_row(hb: HocBa) -> Any:
    return next(
        r for r in hb.bang_diem if r.loai is LoaiDanhGia.DIEM and isinstance(r.diem_ca_nam, Decimal)
    )


def _with_year_mark(hb: HocBa, ma: str, mark: str) -> HocBa:
    data = hb.model_dump()
    for row in data["bang_diem"]:
        if row["ma_mon_hoc"] == ma:
            row["diem_ca_nam"] = mark
    return HocBa.model_validate(data)


@pytest.fixture(scope="module")
def good() -> HocBa:
    return tao_hoc_ba(3)


@pytest.fixture(scope="module")
def bad(good: HocBa) -> HocBa:
    row = _scored_row(good)
    assert row.diem_ca_nam != Decimal("9.9")
    record = _with_year_mark(good, row.ma_mon_hoc, "9.9")
    assert check_record(record).codes == (CODE,)
    return record


@pytest.fixture(scope="module")
def bad_up_to_gvcn(bad: HocBa, pki: TestPKI) -> bytes:
    """Every GVBM and the GVCN signed (those roles sign parts, not the final record)."""
    data = to_xml(bad)
    t = TEST_NOW
    for row in bad.bang_diem:
        signer = pki.personal(row.so_ddcn_gvbm).signer()
        data = sign(data, VaiTroKy.GVBM, signer, mon=row.ma_mon_hoc, signing_time=t)
        t += timedelta(seconds=10)
    nk = bad.thong_tin_hoc_ba.nguoi_ky
    return sign(data, VaiTroKy.GVCN, pki.personal(nk.so_ddcn_gvcn).signer(), signing_time=t)


@pytest.fixture(scope="module")
def bad_up_to_cbql(bad: HocBa, bad_up_to_gvcn: bytes, pki: TestPKI) -> bytes:
    """The CBQL signature too, added with the record gate lifted (as software without the
    check would), so that KY_PHAT_HANH's own gate can be tested."""
    cbql = pki.personal(bad.thong_tin_hoc_ba.nguoi_ky.so_ddcn_giam_hieu).signer()
    with hand_made_layout():
        return sign(
            bad_up_to_gvcn, VaiTroKy.CBQL, cbql, signing_time=TEST_NOW + timedelta(minutes=30)
        )


def _assert_refused(err: HocBaSoError, hb: HocBa) -> None:
    assert isinstance(err, ContentError)
    assert err.code == CODE
    assert [d.code for d in err.details] == [CODE]
    assert err.path.endswith("/DIEM_CA_NAM")
    text = f"{err} {err!r} {err.details!r} {json.dumps(err.as_dict(), ensure_ascii=False)}"
    (finding,) = check_record(hb).findings
    for value in (finding.actual, finding.expected):  # no values: neither mark appears
        assert value is not None and value not in text
    hs = hb.thong_tin_hoc_ba.hoc_sinh
    for personal in (hs.ho_va_ten, hs.so_dinh_danh, hs.ma_hoc_sinh):
        assert personal not in text


def test_verify_fails_it_with_the_same_code(bad: HocBa, pki: TestPKI) -> None:
    """The premise: a receiving school's verifier rejects this record."""
    with hand_made_layout():
        signed = sign_record(bad, pki, issue_too=True)
    report = verify(signed, TrustStore([pki.root]), at=TEST_NOW + timedelta(days=1))
    assert CODE in {s.code for s in report.failures}


def test_library_validate_runs_the_content_check(bad: HocBa, good: HocBa, tmp_path: Path) -> None:
    packet = to_xml(bad)
    for document in (packet, bad, _write(tmp_path / "bad.xml", packet)):
        with pytest.raises(ContentError) as err:
            validate(document)
        _assert_refused(err.value, bad)
    validate(packet, content=False)  # schema and catalogue only: the draft is well-formed
    validate(to_xml(good))
    assert hocbaso.validate is validate


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_cli_validate_runs_it_and_no_content_skips_it(bad: HocBa, tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.xml", to_xml(bad))
    runner = CliRunner()
    refused = runner.invoke(cli, ["validate", "--json", str(path)])
    assert refused.exit_code == 1, refused.output
    report = json.loads(refused.output)
    assert [e["code"] for e in report[0]["errors"]] == [CODE]
    assert "9.9" not in refused.output
    skipped = runner.invoke(cli, ["validate", "--no-content", str(path)])
    assert skipped.exit_code == 0, skipped.output
    assert "HỢP LỆ / VALID" in skipped.output


def test_cbql_signing_refuses_it(bad: HocBa, bad_up_to_gvcn: bytes, pki: TestPKI) -> None:
    cbql = pki.personal(bad.thong_tin_hoc_ba.nguoi_ky.so_ddcn_giam_hieu)
    t = TEST_NOW + timedelta(minutes=30)
    with pytest.raises(ContentError) as err:
        sign(bad_up_to_gvcn, VaiTroKy.CBQL, cbql.signer(), signing_time=t)
    _assert_refused(err.value, bad)
    with pytest.raises(ContentError):
        prepare(bad_up_to_gvcn, VaiTroKy.CBQL, cbql.certificate, signing_time=t)


def test_issuance_refuses_it_on_every_path(
    bad: HocBa, bad_up_to_gvcn: bytes, bad_up_to_cbql: bytes, pki: TestPKI
) -> None:
    school = pki.school()
    t = TEST_NOW + timedelta(hours=1)
    with pytest.raises(ContentError) as err:
        issue(bad_up_to_cbql, school.signer(), signing_time=t)
    _assert_refused(err.value, bad)
    with pytest.raises(ContentError):
        sign(bad_up_to_cbql, VaiTroKy.KY_PHAT_HANH, school.signer(), signing_time=t)
    with pytest.raises(ContentError):
        prepare(bad_up_to_cbql, VaiTroKy.KY_PHAT_HANH, school.certificate, signing_time=t)
    nk = bad.thong_tin_hoc_ba.nguoi_ky
    steps = [
        SigningStep(VaiTroKy.CBQL, pki.personal(nk.so_ddcn_giam_hieu).signer(), t),
        SigningStep(VaiTroKy.KY_PHAT_HANH, school.signer(), t + timedelta(minutes=1)),
    ]
    with pytest.raises(ContentError):
        sign_roles(bad_up_to_gvcn, steps)


def test_two_phase_complete_refuses_a_state_prepared_elsewhere(
    bad: HocBa, bad_up_to_cbql: bytes, pki: TestPKI
) -> None:
    """A prepared state travels as JSON: one made without the check (another process, older
    software) must not become an issued record through ``complete``."""
    school = pki.school()
    with hand_made_layout():
        state = prepare(
            bad_up_to_cbql,
            VaiTroKy.KY_PHAT_HANH,
            school.certificate,
            signing_time=TEST_NOW + timedelta(hours=1),
        )
    value = school.signer().sign_raw(state.to_be_signed)
    _memo.forget_all()  # as if completed in another process
    restored = type(state).from_json(state.to_json())
    with pytest.raises(ContentError) as err:
        complete(restored, value, school.certificate)
    _assert_refused(err.value, bad)


def test_a_good_record_still_issues_and_two_phase_completes(good: HocBa, pki: TestPKI) -> None:
    signed = sign_record(good, pki)
    school = pki.school()
    t = TEST_NOW + timedelta(hours=1)
    state = prepare(signed, VaiTroKy.KY_PHAT_HANH, school.certificate, signing_time=t)
    _memo.forget_all()
    done = complete(state, school.signer().sign_raw(state.to_be_signed), school.certificate)
    assert IssuedRecord.from_signed(done).hoc_ba == good


def test_correct_refuses_a_wrong_corrected_record(good: HocBa, bad: HocBa, pki: TestPKI) -> None:
    issued = issue(
        sign_record(good, pki), pki.school().signer(), signing_time=TEST_NOW + timedelta(hours=1)
    )
    with pytest.raises(ContentError) as err:
        correct(issued.signed, bad, "Sửa điểm")
    _assert_refused(err.value, bad)
    # The right correction goes through (the good record, as version 2).
    assert correct(issued, good, "Sửa nhận xét")


def test_correct_with_an_invalid_record_raises_model_error(good: HocBa, pki: TestPKI) -> None:
    """``correct`` rebuilt the record with ``HocBa.model_validate``, which leaked pydantic's
    error. An invalid record can now only be made by bypassing the models (pydantic's own
    ``BaseModel.model_copy``); ``correct`` still answers with a value-free ``ModelError``."""
    tt = good.thong_tin_hoc_ba
    issued = issue(
        sign_record(good, pki), pki.school().signer(), signing_time=TEST_NOW + timedelta(hours=1)
    )
    bad_hs = BaseModel.model_copy(tt.hoc_sinh, update={"so_dinh_danh": "12345"})
    bad_tt = BaseModel.model_copy(tt, update={"hoc_sinh": bad_hs})
    invalid = BaseModel.model_copy(good, update={"thong_tin_hoc_ba": bad_tt})
    with pytest.raises(ModelError) as err:
        correct(issued.signed, invalid, "Sửa thông tin")
    assert not isinstance(err.value, ValidationError)
    assert err.value.path == "THONG_TIN_HOC_BA/HOC_SINH/SO_DINH_DANH"
    text = f"{err.value} {err.value!r} {err.value.details!r}"
    for secret in (tt.hoc_sinh.ho_va_ten, tt.hoc_sinh.so_dinh_danh, "12345", "input_value"):
        assert secret not in text


# --------------------------------------------------------------------------------------------
# The property: a planted wrong derived result is never issuable.
# --------------------------------------------------------------------------------------------


@st.composite
def _planted(draw: Any) -> tuple[HocBa, HocBa]:
    hb = tao_hoc_ba(draw(st.integers(0, 400)), draw(st.sampled_from(list(hocbaso.Khoi))))
    kind = draw(st.sampled_from(["mark", "level", "conduct"]))
    data = hb.model_dump()
    if kind == "mark":
        scored = [r for r in hb.bang_diem if isinstance(r.diem_ca_nam, Decimal)]
        row = draw(st.sampled_from(scored))
        wrong = draw(
            st.integers(0, 100)
            .map(lambda n: Decimal(n) / 10)
            .filter(lambda d: d != row.diem_ca_nam)
        )
        (target,) = [r for r in data["bang_diem"] if r["ma_mon_hoc"] == row.ma_mon_hoc]
        target["diem_ca_nam"] = str(wrong)
    else:
        field = "ca_nam" if kind == "level" else "ren_luyen_ca_nam"
        tk = data["thong_tin_hoc_ba"]["tong_ket"]
        tk[field] = draw(st.sampled_from([m for m in MucDanhGia if m != tk[field]]))
    return hb, HocBa.model_validate(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pair=_planted())
def test_a_planted_wrong_result_is_never_issuable(pair: tuple[HocBa, HocBa]) -> None:
    original, planted = pair
    assert check_record(original).ok
    findings = check_record(planted).codes
    assert findings, "the planted result must be a finding (else it was not wrong)"
    with pytest.raises(ContentError) as err:
        validate(planted)
    assert [d.code for d in err.value.details] == list(findings)
    # Every role in one pass: all checks run before any value is asked for, so the refusal
    # costs no signature; it must come from the record gate, with the same codes.
    pki = _EC_PKI  # EC keys: a fresh teacher ID costs no RSA key generation
    nk = planted.thong_tin_hoc_ba.nguoi_ky
    t = TEST_NOW
    steps = [
        SigningStep(VaiTroKy.GVBM, pki.personal(r.so_ddcn_gvbm).signer(), t, r.ma_mon_hoc)
        for r in planted.bang_diem
    ]
    steps += [
        SigningStep(VaiTroKy.GVCN, pki.personal(nk.so_ddcn_gvcn).signer(), t),
        SigningStep(VaiTroKy.CBQL, pki.personal(nk.so_ddcn_giam_hieu).signer(), t),
        SigningStep(VaiTroKy.KY_PHAT_HANH, pki.school().signer(), t),
    ]
    with pytest.raises(ContentError) as err:
        sign_roles(to_xml(planted), steps)
    assert [d.code for d in err.value.details] == list(findings)


def _key_files(tmp: Path, name: str, ident: Any) -> list[str]:
    key, cert, chain = tmp / f"{name}.key", tmp / f"{name}.crt", tmp / f"{name}-chain.pem"
    key.write_bytes(ident.key_pem())
    cert.write_bytes(ident.certificate_pem())
    chain.write_bytes(ident.chain_pem())
    return ["--key", str(key), "--cert", str(cert), "--chain", str(chain)]


def test_the_command_line_refuses_it_too(
    bad: HocBa, bad_up_to_gvcn: bytes, bad_up_to_cbql: bytes, pki: TestPKI, tmp_path: Path
) -> None:
    """``hocbaso sign --role CBQL / KY_PHAT_HANH`` and ``hocbaso issue``: exit 2, the code, and
    nothing written."""
    gvcn_done, cbql_done = tmp_path / "gvcn.xml", tmp_path / "cbql.xml"
    gvcn_done.write_bytes(bad_up_to_gvcn)
    cbql_done.write_bytes(bad_up_to_cbql)
    cbql = pki.personal(bad.thong_tin_hoc_ba.nguoi_ky.so_ddcn_giam_hieu)
    school = _key_files(tmp_path, "school", pki.school())
    runs = [
        ["sign", str(gvcn_done), "--role", "CBQL", *_key_files(tmp_path, "cbql", cbql)],
        ["sign", str(cbql_done), "--role", "KY_PHAT_HANH", *school],
        ["issue", str(cbql_done), *school],
    ]
    for i, args in enumerate(runs):
        out = tmp_path / f"out{i}.xml"
        done = CliRunner().invoke(
            cli, [*args, "--time", "2025-05-21T12:00:00+07:00", "-o", str(out)]
        )
        assert done.exit_code == 2, done.output
        assert CODE in done.output and "9.9" not in done.output
        assert not out.exists()
