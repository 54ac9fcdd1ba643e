"""Every public function takes bytes, a ``Path`` or the library's own objects, and answers a
wrong type with ``InputError`` saying what to pass (docs/packet.md, "What the functions take").

Before: ``verify(Path(...))`` parsed the *file name* as XML (``PARSE.MALFORMED``),
``verify``/``correct``/``revoke`` given an ``IssuedRecord`` and ``validate("file.xml")`` raised
a bare ``TypeError``, and ``revoke`` with a naive time a bare ``TypeError`` where ``sign`` said
``SIGN.TIME.NAIVE``.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import hocbaso
from hocbaso import signature as sig
from hocbaso.errors import HocBaSoError, InputError, ParseError, SigningError
from hocbaso.packet import DEFAULT_LIMITS, to_xml
from hocbaso.packet._input import packet_bytes
from hocbaso.signature import IssuedRecord, KeyFileSigner, VaiTroKy
from hocbaso.testing import tao_hoc_ba
from hocbaso.testing.pki import TEST_NOW, TestPKI, build_test_pki
from hocbaso.verify import TrustStore, verify, verify_many

from .conftest import sign_record, verify_all

PKI = build_test_pki("ec")
RECORD = tao_hoc_ba(6)
LATER = TEST_NOW + timedelta(hours=1)
SCHOOL = PKI.school()
CERT = SCHOOL.certificate
TRUST = TrustStore([PKI.root])


@pytest.fixture(scope="module")
def issued() -> IssuedRecord:
    return hocbaso.issue(sign_record(RECORD, PKI), SCHOOL.signer(), signing_time=LATER)


#: Every public function that takes a packet, a record or a key file, called with ``x`` in
#: that argument. Functions that take neither (``schema_path``, ``evaluate`` — JSON, with its
#: own ``RulesError`` — and ``complete``, whose wrong object is a documented ``UsageError``)
#: are listed in ``NOT_IN_TABLE``.
TABLE: dict[str, Callable[[Any], object]] = {
    "parse_xml": lambda x: hocbaso.parse_xml(x),
    "from_xml": lambda x: hocbaso.from_xml(x),
    "validate": lambda x: hocbaso.validate(x),
    "is_valid": lambda x: hocbaso.is_valid(x),
    "iter_errors": lambda x: list(hocbaso.iter_errors(x)),
    "to_xml": lambda x: hocbaso.to_xml(x),
    "check_record": lambda x: hocbaso.check_record(x),
    "sign": lambda x: hocbaso.sign(x, VaiTroKy.CBQL, SCHOOL.signer(), signing_time=LATER),
    "sign_roles": lambda x: sig.sign_roles(
        x, [sig.SigningStep(VaiTroKy.CBQL, SCHOOL.signer(), LATER)]
    ),
    "prepare": lambda x: hocbaso.prepare(x, VaiTroKy.CBQL, CERT, signing_time=LATER),
    "prepare_many": lambda x: hocbaso.prepare_many(x, VaiTroKy.CBQL, CERT, signing_time=LATER),
    "complete_many": lambda x: hocbaso.complete_many(x, [], CERT),
    "issue": lambda x: hocbaso.issue(x, SCHOOL.signer(), signing_time=LATER),
    "correct": lambda x: hocbaso.correct(x, RECORD, "Sửa"),
    "correct(new_record)": lambda x: hocbaso.correct(b"<x/>", x, "Sửa"),
    "revoke": lambda x: hocbaso.revoke(x, SCHOOL.signer(), reason="Sai", revocation_time=LATER),
    "IssuedRecord.from_signed": lambda x: IssuedRecord.from_signed(x),
    "read_thong_bao_thu_hoi": lambda x: sig.read_thong_bao_thu_hoi(x),
    "load_certificates": lambda x: sig.load_certificates(x),
    "KeyFileSigner.from_pem": lambda x: KeyFileSigner.from_pem(x, b""),
    "KeyFileSigner.from_pkcs12": lambda x: KeyFileSigner.from_pkcs12(x, None),
    "verify": lambda x: verify(x, TRUST),
    "verify(previous_versions)": lambda x: verify(b"<x/>", TRUST, previous_versions=[x]),
}
#: ``verify_many`` reports a bad item as that item's FAIL and goes on (tested below).
NOT_IN_TABLE = {"schema_path", "evaluate", "complete", "verify_many"}
#: Where a ``str`` is a documented file path (a batch is usually a list of file names).
STR_IS_A_PATH: set[str] = set()
#: Arguments that are records, not packets: the message names HocBa, not bytes/Path.
RECORD_ARGS = {"to_xml", "check_record", "correct(new_record)"}


class _InProcess:
    """A minimal executor running in this process (no pool start-up in a unit test)."""

    _max_workers = 1

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        from concurrent.futures import Future

        f: Future[Any] = Future()
        try:
            f.set_result(fn(*args))
        except BaseException as exc:  # handed to the caller, as a pool would
            f.set_exception(exc)
        return f

    def shutdown(self, wait: bool = True) -> None:
        pass


def test_the_table_covers_every_public_function() -> None:
    functions = {
        n for n in hocbaso.__all__ if inspect.isfunction(getattr(hocbaso, n))
    } | {"verify"}
    covered = {name.split("(")[0] for name in TABLE} | NOT_IN_TABLE
    assert functions <= covered, functions - covered


_WRONG: list[Any] = ["<HOC_BA/>", 12, None, 7.5, {"a": 1}, object()]


@pytest.mark.parametrize(
    ("name", "wrong"),
    [
        pytest.param(name, wrong, id=f"{name}-{type(wrong).__name__}")
        for name in sorted(TABLE)
        for wrong in _WRONG
        # where a str is a documented file path, it is tested as one below
        if not (name in STR_IS_A_PATH and isinstance(wrong, str))
    ],
)
def test_wrong_types_get_input_error_saying_what_to_pass(name: str, wrong: Any) -> None:
    if name == "prepare_many" and not isinstance(wrong, str):
        wrong = [wrong]  # a list of wrong items
    with pytest.raises(HocBaSoError) as err:
        TABLE[name](wrong)
    assert isinstance(err.value, InputError), repr(err.value)
    assert err.value.code == "INPUT.TYPE"
    assert isinstance(err.value, TypeError)  # old ``except TypeError`` handlers still work
    text = str(err.value)
    if name in RECORD_ARGS:
        assert "HocBa" in text
    elif name not in ("complete_many",):
        assert "bytes" in text and "Path" in text, text
    if name == "complete_many":
        assert "PreparedBatch" in text
    if isinstance(wrong, str):
        assert "<HOC_BA/>" not in text  # the value is never repeated
        if name not in RECORD_ARGS | {"complete_many"}:
            assert "encode" in text or "list" in text  # how to pass XML text


def test_verify_many_reads_paths_and_records_and_reports_wrong_items(
    tmp_path: Path, issued: IssuedRecord
) -> None:
    """A batch goes on past a bad item: that item's report is one FAIL, the rest verify."""
    path = tmp_path / "a.xml"
    path.write_bytes(issued.signed)
    items: list[Any] = [str(path), path, issued, 12, None, object()]
    reports = list(verify_many(items, TRUST, executor=_InProcess(), at=LATER))
    assert [r.ok for r in reports] == [True, True, True, False, False, False]
    for bad in reports[3:]:
        assert [s.code for s in bad.failures] == ["PARSE.UNREADABLE"]


def test_paths_and_issued_records_are_accepted(tmp_path: Path, issued: IssuedRecord) -> None:
    path = tmp_path / "hoc-ba.xml"
    path.write_bytes(issued.signed)
    at = LATER + timedelta(days=1)
    by_bytes = verify(issued.signed, TRUST, at=at)
    assert by_bytes.ok
    for source in (path, issued):
        report = verify(source, TRUST, at=at)  # type: ignore[arg-type]
        assert report.codes == by_bytes.codes and report.ok
        assert hocbaso.from_xml(source) == issued.hoc_ba  # type: ignore[arg-type]
        hocbaso.validate(source)  # type: ignore[arg-type]
        assert hocbaso.is_valid(source)  # type: ignore[arg-type]
        assert IssuedRecord.from_signed(source).record_digest == issued.record_digest  # type: ignore[arg-type]
    hocbaso.validate(RECORD)  # a HocBa is checked as the packet to_xml writes
    assert verify(b"<x/>", TRUST, at=at, previous_versions=[issued]).packet_sha256
    corrected = hocbaso.correct(issued, RECORD, "Sửa nhận xét")
    assert hocbaso.from_xml(corrected).phien_ban == 2
    notice = hocbaso.revoke(issued, SCHOOL.signer(), reason="Sai sót", revocation_time=at)
    assert sig.read_thong_bao_thu_hoi(notice).bam_hoc_ba == issued.record_digest
    # A Path to the unsigned packet signs like its bytes.
    unsigned = tmp_path / "unsigned.xml"
    unsigned.write_bytes(to_xml(RECORD))
    row = RECORD.bang_diem[0]
    signer = PKI.personal(row.so_ddcn_gvbm).signer()
    signed = hocbaso.sign(unsigned, VaiTroKy.GVBM, signer, mon=row.ma_mon_hoc, signing_time=LATER)
    assert verify_all(signed) == {f"GVBM[{row.ma_mon_hoc}]": None}
    # Only the slot changed: the rest is the file's bytes.
    assert signed.startswith(unsigned.read_bytes()[:200])


def test_verify_refuses_a_model_it_cannot_verify() -> None:
    with pytest.raises(InputError) as err:
        verify(RECORD, TRUST)  # type: ignore[arg-type]
    assert "signatures" in str(err.value) and "IssuedRecord" in str(err.value)


def test_revoke_time_errors_match_sign(issued: IssuedRecord) -> None:
    naive = datetime(2025, 6, 1, 9, 0)
    with pytest.raises(SigningError) as err:
        hocbaso.revoke(issued, SCHOOL.signer(), reason="Sai", revocation_time=naive)
    assert err.value.code == "SIGN.TIME.NAIVE"
    with pytest.raises(SigningError) as err:
        hocbaso.sign(to_xml(RECORD), VaiTroKy.CBQL, SCHOOL.signer(), signing_time=naive)
    assert err.value.code == "SIGN.TIME.NAIVE"
    with pytest.raises(InputError):
        hocbaso.revoke(issued, SCHOOL.signer(), reason="Sai", revocation_time="2025-06-01")  # type: ignore[arg-type]
    with pytest.raises(SigningError) as err:
        hocbaso.revoke(issued, SCHOOL.signer(), reason=None, revocation_time=LATER)  # type: ignore[arg-type]
    assert err.value.code == "SIGN.REVOKE.REASON"


def test_role_and_subject_code_types(pki: TestPKI) -> None:
    packet = to_xml(RECORD)
    row = RECORD.bang_diem[0]
    signer = PKI.personal(row.so_ddcn_gvbm).signer()
    # A role's value is accepted as well as the enum.
    assert hocbaso.sign(packet, "GVBM", signer, mon=row.ma_mon_hoc, signing_time=TEST_NOW)  # type: ignore[arg-type]
    with pytest.raises(InputError) as err:
        hocbaso.sign(packet, "HIEU_TRUONG", signer, signing_time=TEST_NOW)  # type: ignore[arg-type]
    assert "KY_PHAT_HANH" in str(err.value)  # lists what to pass
    for given, expected in ((15, 'mon="15"'), (5, 'mon="05"'), (100, 'mon="100"')):
        with pytest.raises(InputError) as err:
            hocbaso.sign(packet, VaiTroKy.GVBM, signer, mon=given, signing_time=TEST_NOW)  # type: ignore[arg-type]
        assert expected in str(err.value)


# --------------------------------------------------------------------------------------------
# Files are read safely
# --------------------------------------------------------------------------------------------


def test_files_that_are_not_regular_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.xml"
    os.mkfifo(fifo)  # opening it for reading would block without O_NONBLOCK
    for path in (tmp_path, fifo, Path("/dev/zero")):
        with pytest.raises(InputError) as err:
            hocbaso.from_xml(path)
        assert err.value.code == "INPUT.NOT_A_FILE"
        with pytest.raises(InputError):
            verify(path, TRUST)


def test_unreadable_file_does_not_name_it(tmp_path: Path) -> None:
    missing = tmp_path / "nguyen-van-an-079206001234.xml"  # a file name can be personal
    with pytest.raises(InputError) as err:
        hocbaso.from_xml(missing)
    assert err.value.code == "INPUT.UNREADABLE"
    assert "nguyen" not in str(err.value) and "079206001234" not in str(err.value)


def test_large_files_are_read_only_up_to_the_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.xml"
    with big.open("wb") as f:  # sparse: 64 MiB on paper, nothing on disk
        f.truncate(64 * 1024 * 1024)
    data = packet_bytes(big, what="packet", max_bytes=DEFAULT_LIMITS.max_bytes)
    assert len(data) == DEFAULT_LIMITS.max_bytes + 1
    with pytest.raises(ParseError) as err:
        hocbaso.from_xml(big)
    assert err.value.code == "PARSE.TOO_LARGE"
    report = verify(big, TRUST)
    assert "PARSE.TOO_LARGE" in report.codes and not report.ok


@pytest.mark.parametrize("wrong", [12, None, b"\xff\xfe", ["a"]], ids=repr)
def test_prepared_state_from_json_refuses_non_json(wrong: Any) -> None:
    for cls in (sig.PreparedSignature, sig.PreparedBatch):
        with pytest.raises(SigningError) as err:
            cls.from_json(wrong)
        assert err.value.code == "SIGN.STATE"
