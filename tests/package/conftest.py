"""Session fixtures: one signed class, its round-1 package, a student's records over three
years, and the test PKI — built once, so the package tests stay fast."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest

from hocbaso.models import HocBa, Khoi
from hocbaso.package import pack
from hocbaso.packet import to_xml
from hocbaso.signature import IssuedRecord, SigningStep, VaiTroKy, issue, sign_roles
from hocbaso.testing import Lop, tao_hoc_ba_trong_lop, tao_lop_hoc
from hocbaso.testing.pki import TEST_NOW, TestIdentity, TestPKI, build_test_pki
from hocbaso.verify import TrustStore

SEED = 11
SIZE = 6
PACKED_AT = TEST_NOW + timedelta(days=1)
RECEIVED_AT = TEST_NOW + timedelta(days=2)


@dataclass(frozen=True)
class Signers:
    school: TestIdentity
    principal: TestIdentity
    homeroom: TestIdentity
    teachers: dict[str, TestIdentity]


def signers_for(pki: TestPKI, lop: Lop) -> Signers:
    return Signers(
        pki.school(lop.truong.ma_so_thue, lop.truong.thong_tin.ten_truong),
        pki.personal(lop.truong.hieu_truong.so_ddcn, lop.truong.hieu_truong.ho_ten),
        pki.personal(lop.gvcn.so_ddcn, lop.gvcn.ho_ten),
        {ma: pki.personal(gv.so_ddcn, gv.ho_ten) for ma, gv in lop.gvbm.items()},
    )


def issue_record(record: HocBa, s: Signers, offset: timedelta = timedelta(0)) -> IssuedRecord:
    when = TEST_NOW + offset
    steps = [SigningStep(VaiTroKy.GVBM, s.teachers[row.ma_mon_hoc].signer(), when,
                         row.ma_mon_hoc) for row in record.bang_diem]
    steps += [
        SigningStep(VaiTroKy.GVCN, s.homeroom.signer(), when + timedelta(hours=1)),
        SigningStep(VaiTroKy.CBQL, s.principal.signer(), when + timedelta(hours=2)),
    ]
    return issue(sign_roles(to_xml(record), steps), s.school.signer(),
                 signing_time=when + timedelta(hours=3))


@pytest.fixture(scope="session")
def pki() -> TestPKI:
    return build_test_pki()


@pytest.fixture(scope="session")
def trust(pki: TestPKI) -> TrustStore:
    return TrustStore([pki.root])


@pytest.fixture(scope="session")
def lop() -> Lop:
    return tao_lop_hoc(SEED, Khoi.K09)


@pytest.fixture(scope="session")
def signers(pki: TestPKI, lop: Lop) -> Signers:
    return signers_for(pki, lop)


@pytest.fixture(scope="session")
def issued(lop: Lop, signers: Signers) -> list[IssuedRecord]:
    return [issue_record(tao_hoc_ba_trong_lop(lop, i, seed=SEED), signers,
                         timedelta(minutes=i)) for i in range(SIZE)]


@pytest.fixture(scope="session")
def round1(issued: list[IssuedRecord]) -> list[IssuedRecord]:
    from hocbaso.package import dot_gui_of

    return [r for r in issued if dot_gui_of(r.hoc_ba) == 1]


@pytest.fixture(scope="session")
def package(round1: list[IssuedRecord], signers: Signers) -> bytes:
    data = pack(round1, signer=signers.school.signer(), round=1, created_at=PACKED_AT)
    assert data is not None
    return data


@pytest.fixture(scope="session")
def ministry(pki: TestPKI) -> TestIdentity:
    return pki.school("0100109106", "Bo Giao duc va Dao tao")


def same_student_over_years(pki: TestPKI, years: list[tuple[Khoi, str]],
                            student_from: int = 0) -> list[IssuedRecord]:
    """One student's issued records over the given (grade, school year) pairs, with a
    learning history that lists every year so far."""
    out: list[IssuedRecord] = []
    first: HocBa | None = None
    history: list[dict[str, object]] = []
    for n, (khoi, nam_hoc) in enumerate(years):
        lop = tao_lop_hoc(SEED, khoi, nam_hoc)
        record = tao_hoc_ba_trong_lop(lop, student_from, seed=SEED)
        first = first or record
        info = record.thong_tin_hoc_ba
        history.append({"nam_hoc": nam_hoc, "ten_lop": info.thong_tin_chung.ten_lop,
                        "ten_truong": info.thong_tin_truong.ten_truong,
                        "ten_tinh": info.thong_tin_truong.dia_chi.ten_tinh})
        data = record.model_dump()
        data["thong_tin_hoc_ba"]["hoc_sinh"] = first.thong_tin_hoc_ba.hoc_sinh.model_dump()
        data["thong_tin_hoc_ba"]["qua_trinh_hoc_tap"] = list(history)
        data["thong_tin_hoc_ba"]["thong_tin_chung"]["ma_dinh_danh_hoc_ba"] = str(
            uuid.uuid5(uuid.NAMESPACE_URL, f"hocbaso-test/{nam_hoc}/{student_from}/{n}")
        )
        out.append(issue_record(HocBa.model_validate(data), signers_for(pki, lop),
                                timedelta(days=n)))
    return out


THREE_YEARS = [(Khoi.K07, "2022-2023"), (Khoi.K08, "2023-2024"), (Khoi.K09, "2024-2025")]


@pytest.fixture(scope="session")
def student_years(pki: TestPKI) -> list[IssuedRecord]:
    return same_student_over_years(pki, THREE_YEARS)
