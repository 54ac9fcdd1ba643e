"""Transfer bundles: continuity between a student's records, each break with its code."""

from __future__ import annotations

from datetime import timedelta

from tests.package.conftest import SEED, same_student_over_years, signers_for

from hocbaso.models import Khoi
from hocbaso.package import MucDich, pack_transfer, verify_transfer
from hocbaso.signature import IssuedRecord
from hocbaso.testing import tao_lop_hoc
from hocbaso.testing.pki import TEST_NOW, TestPKI
from hocbaso.verify import TrustStore

AT = TEST_NOW + timedelta(days=30)


def _bundle(pki: TestPKI, records: list[IssuedRecord]) -> bytes:
    school = signers_for(pki, tao_lop_hoc(SEED, Khoi.K09)).school
    return pack_transfer(records, signer=school.signer(), to_school="79THCS0001",
                         created_at=TEST_NOW + timedelta(days=20))


def test_a_continuous_bundle_verifies(
    pki: TestPKI, trust: TrustStore, student_years: list[IssuedRecord]
) -> None:
    report = verify_transfer(_bundle(pki, student_years), trust, at=AT)
    assert report.ok, report.as_dict()
    assert report.package.envelope is not None
    assert report.package.envelope.muc_dich is MucDich.CHUYEN_TRUONG
    assert report.package.envelope.ma_truong_den == "79THCS0001"


def test_a_gap_year_is_found(
    pki: TestPKI, trust: TrustStore, student_years: list[IssuedRecord]
) -> None:
    report = verify_transfer(_bundle(pki, [student_years[0], student_years[2]]), trust, at=AT)
    assert "TRANSFER.GAP_YEAR" in report.codes and not report.ok


def test_a_grade_that_does_not_follow_promotion_is_found(
    pki: TestPKI, trust: TrustStore
) -> None:
    # promoted from grade 7, but the next year is grade 7 again
    records = same_student_over_years(pki, [(Khoi.K07, "2022-2023"), (Khoi.K07, "2023-2024")])
    assert records[0].hoc_ba.thong_tin_hoc_ba.tong_ket.duoc_len_lop
    report = verify_transfer(_bundle(pki, records), trust, at=AT)
    assert "TRANSFER.GRADE_PROGRESSION" in report.codes and not report.ok


def test_another_students_record_is_found(
    pki: TestPKI, trust: TrustStore, student_years: list[IssuedRecord]
) -> None:
    other = same_student_over_years(pki, [(Khoi.K09, "2024-2025")], student_from=3)
    report = verify_transfer(_bundle(pki, [*student_years[:2], other[0]]), trust, at=AT)
    assert "TRANSFER.OTHER_STUDENT" in report.codes and not report.ok


def test_a_submission_package_is_not_a_transfer(package: bytes, trust: TrustStore) -> None:
    report = verify_transfer(package, trust, at=AT)
    assert "TRANSFER.NOT_TRANSFER" in report.codes and not report.ok


def test_history_must_list_the_earlier_years() -> None:
    from hocbaso.package._transfer import continuity

    assert continuity([]) and continuity([])[0].code == "TRANSFER.EMPTY"


def test_a_history_that_disagrees_with_the_records_is_found(
    student_years: list[IssuedRecord],
) -> None:
    from hocbaso.models import HocBa
    from hocbaso.package._transfer import continuity

    records = [r.hoc_ba for r in student_years]
    assert [f.code for f in continuity(records)] == []
    last = records[-1].model_dump()
    history = last["thong_tin_hoc_ba"]["qua_trinh_hoc_tap"]
    # the history puts the first year in grade 8: it disagrees with that year's record
    history[0]["ten_lop"] = "8A1"
    changed = [*records[:-1], HocBa.model_validate(last)]
    assert [f.code for f in continuity(changed)] == ["TRANSFER.HISTORY"]
    # a history that leaves a year out
    last["thong_tin_hoc_ba"]["qua_trinh_hoc_tap"] = history[1:]
    changed = [*records[:-1], HocBa.model_validate(last)]
    assert [f.code for f in continuity(changed)] == ["TRANSFER.HISTORY"]
