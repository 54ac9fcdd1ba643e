"""Lookup by version (docs/package.md §7, "Lookup"): in force, corrected or revoked.

A record's chain (issue → correct → correct → revoke) is received across packages into a store
and looked up by every version, by digest prefix and by QR payload; the status of each version
is a function of the chain (only the latest can be in force, revocation wins), checked over
random chains both in the store alone and with real signed versions received and re-verified.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.package.conftest import PACKED_AT, RECEIVED_AT, Signers, issue_record

from hocbaso.cli._main import cli
from hocbaso.errors import PackageError
from hocbaso.models import HocBa
from hocbaso.package import (
    Receiver,
    SqliteStore,
    StoredVersion,
    TrangThaiLuu,
    TrangThaiNhan,
    lookup,
    pack,
)
from hocbaso.packet import from_xml
from hocbaso.render import QrPayload
from hocbaso.signature import IssuedRecord, correct, revoke
from hocbaso.testing.pki import TEST_NOW, TestIdentity, TestPKI
from hocbaso.verify import TrustStore

CO, DC, TH = TrangThaiLuu.CO_HIEU_LUC, TrangThaiLuu.DA_DINH_CHINH, TrangThaiLuu.THU_HOI
REVOKED_AT = TEST_NOW + timedelta(days=1)


@dataclass(frozen=True)
class Chain:
    """Four issued versions of one record and a signed revocation notice for each."""

    versions: list[IssuedRecord]
    notices: list[bytes]

    @property
    def code(self) -> str:
        return str(self.versions[0].hoc_ba.thong_tin_hoc_ba.thong_tin_chung.ma_tra_cuu)

    @property
    def school(self) -> str:
        return str(self.versions[0].hoc_ba.thong_tin_hoc_ba.thong_tin_truong.ma_truong)


def _corrected(previous: IssuedRecord, signers: Signers, hours: int) -> IssuedRecord:
    unsigned = correct(previous, previous.hoc_ba.model_copy(), f"Sửa lỗi nhập liệu {hours}")
    return issue_record(HocBa.model_validate(from_xml(unsigned).model_dump()), signers,
                        timedelta(hours=hours))


@pytest.fixture(scope="module")
def chain(round1: list[IssuedRecord], signers: Signers) -> Chain:
    versions = [round1[0]]
    for hours in (4, 8, 12):
        versions.append(_corrected(versions[-1], signers, hours))
    notices = [revoke(v, signers.school.signer(), reason="Cấp nhầm", revocation_time=REVOKED_AT)
               for v in versions]
    return Chain(versions, notices)


def _record_package(v: IssuedRecord, signers: Signers) -> bytes:
    data = pack([v], signer=signers.school.signer(), round=1, created_at=PACKED_AT)
    assert data is not None
    return data


def _notice_package(chain: Chain, k: int, signers: Signers) -> bytes:
    data = pack(notices=[chain.notices[k]], signer=signers.school.signer(), round=1,
                created_at=RECEIVED_AT, school_code=chain.school, school_year="2024-2025")
    assert data is not None
    return data


def _accepted(receiver: Receiver, package: bytes) -> None:
    receipt = receiver.receive(package)
    assert [k.trang_thai for k in receipt.ket_qua] == [TrangThaiNhan.CHAP_NHAN], receipt.as_dict()


def _statuses(store: SqliteStore, chain: Chain, received: int) -> list[TrangThaiLuu]:
    out = []
    for n in range(1, received + 1):
        found = store.lookup(chain.code, phien_ban=n)
        assert found is not None and found.phien_ban_tra_cuu == n
        assert found.phien_ban == received and found.so_phien_ban == received
        assert found.signed == chain.versions[received - 1].signed
        out.append(found.trang_thai_tra_cuu)
    return out


def test_issue_correct_correct_revoke_looked_up_by_every_version(
    tmp_path: Path, chain: Chain, signers: Signers, trust: TrustStore, ministry: TestIdentity,
) -> None:
    store = SqliteStore(tmp_path / "s.db")
    receiver = Receiver(store, trust, signer=ministry.signer(), clock=lambda: RECEIVED_AT)
    expected = {1: [CO], 2: [DC, CO], 3: [DC, DC, CO]}
    for n in (1, 2, 3):
        _accepted(receiver, _record_package(chain.versions[n - 1], signers))
        assert _statuses(store, chain, n) == expected[n]
    _accepted(receiver, _notice_package(chain, 2, signers))
    assert _statuses(store, chain, 3) == [DC, DC, TH]
    # With no version asked: the current version and its status, as before.
    plain = store.lookup(chain.code)
    assert plain is not None and (plain.phien_ban, plain.trang_thai) == (3, TH)
    assert (plain.phien_ban_tra_cuu, plain.trang_thai_tra_cuu) == (3, TH) and not plain.ok
    # Re-verified with the receiver's trust: the report itself finds the revocation (from the
    # stored notice) and the chain (from the stored versions), agreeing with the store.
    for n in (1, 2, 3):
        found = receiver.lookup(chain.code, phien_ban=n)
        assert found is not None and found.report is not None
        assert found.report.revoked and found.consistent is True and not found.ok
        assert "STATUS.REVOKED" in found.report.failed_codes
        assert found.report.record_digest == chain.versions[2].record_digest
        assert found.previous == (chain.versions[0].signed, chain.versions[1].signed)
        assert found.notices == (chain.notices[2],)


def test_a_paper_copy_is_found_by_its_digest_prefix_and_never_as_another_version(
    tmp_path: Path, chain: Chain, signers: Signers, trust: TrustStore, ministry: TestIdentity,
) -> None:
    store = SqliteStore(tmp_path / "s.db")
    receiver = Receiver(store, trust, signer=ministry.signer(), clock=lambda: RECEIVED_AT)
    for v in chain.versions[:2]:
        _accepted(receiver, _record_package(v, signers))
    for n, v in enumerate(chain.versions[:2], start=1):
        prefix = v.record_digest[:32]
        by_digest = store.lookup(chain.code, digest_prefix=prefix.upper())
        both = store.lookup(chain.code, phien_ban=n, digest_prefix=prefix,
                            ma_dinh_danh_hoc_ba=v.ma_dinh_danh_hoc_ba)
        assert by_digest is not None and both is not None
        assert by_digest.phien_ban_tra_cuu == both.phien_ban_tra_cuu == n
        assert by_digest.trang_thai_tra_cuu is (DC if n == 1 else CO)
    v1, v2, v3 = (v.record_digest for v in chain.versions[:3])
    refusals = [
        ({"digest_prefix": v3[:32]}, "STORE.LOOKUP.DIGEST_MISMATCH"),  # issued, never received
        ({"phien_ban": 2, "digest_prefix": v1[:32]}, "STORE.LOOKUP.DIGEST_MISMATCH"),
        ({"phien_ban": 1, "digest_prefix": v2[:16]}, "STORE.LOOKUP.DIGEST_MISMATCH"),
        ({"phien_ban": 3}, "STORE.LOOKUP.VERSION_UNKNOWN"),
        ({"ma_dinh_danh_hoc_ba": "00000000-0000-4000-8000-000000000000"},
         "STORE.LOOKUP.IDENTIFIER_MISMATCH"),
        ({"digest_prefix": v1[:15]}, "STORE.LOOKUP.INPUT"),  # too short to mean anything
        ({"digest_prefix": "g" * 32}, "STORE.LOOKUP.INPUT"),
        ({"phien_ban": 0}, "STORE.LOOKUP.INPUT"),
        ({"phien_ban": True}, "STORE.LOOKUP.INPUT"),
    ]
    for kwargs, code in refusals:
        with pytest.raises(PackageError) as err:
            store.lookup(chain.code, **kwargs)  # type: ignore[arg-type]
        assert err.value.code == code, kwargs
        with pytest.raises(PackageError):  # the verifying lookup refuses the same way
            lookup(store, chain.code, trust, at=RECEIVED_AT, **kwargs)  # type: ignore[arg-type]
    assert store.lookup("KHONGCO123") is None


def test_a_code_carried_by_two_records_needs_the_identifier(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")
    with store.transaction() as tx:
        for ident in ("a", "b"):
            tx.add_version(StoredVersion(ident, 1, "ab" * 32, "MA0001", "g", False), b"x")
    with pytest.raises(PackageError) as err:
        store.lookup("MA0001")
    assert err.value.code == "STORE.LOOKUP.AMBIGUOUS"
    found = store.lookup("MA0001", ma_dinh_danh_hoc_ba="b")
    assert found is not None and found.ma_dinh_danh_hoc_ba == "b"


# -- the status is a function of the chain ------------------------------------------------------


def _expected(received: int, revoked: set[int]) -> list[TrangThaiLuu]:
    return [TH if n in revoked else CO if n == received else DC for n in range(1, received + 1)]


def _check_chain_properties(store: SqliteStore, code: str, digests: list[str],
                            revoked: set[int], stranger: str) -> None:
    received = len(digests)
    by_version = [store.lookup(code, phien_ban=n) for n in range(1, received + 1)]
    statuses = [f.trang_thai_tra_cuu for f in by_version if f is not None]
    assert statuses == _expected(received, revoked)
    # Only the latest can be in force, and it is unless revoked; revocation always wins.
    in_force = [n for n, s in enumerate(statuses, start=1) if s is CO]
    assert in_force in ([], [received]) and (in_force == []) == (received in revoked)
    assert all(statuses[n - 1] is TH for n in revoked)
    for n, found in enumerate(by_version, start=1):
        assert found is not None
        assert (found.phien_ban, found.bam_hoc_ba) == (received, digests[-1])
        assert found.trang_thai is statuses[-1] and found.bam_hoc_ba_tra_cuu == digests[n - 1]
        # The same question by digest prefix alone, or by both, gets the same answer.
        by_digest = store.lookup(code, digest_prefix=digests[n - 1][:32])
        assert by_digest == found
        assert store.lookup(code, phien_ban=n, digest_prefix=digests[n - 1]) == found
    plain = store.lookup(code)
    assert plain is not None and plain.phien_ban_tra_cuu == received
    with pytest.raises(PackageError) as err:
        store.lookup(code, digest_prefix=stranger)
    assert err.value.code == "STORE.LOOKUP.DIGEST_MISMATCH"


@settings(max_examples=100, deadline=None)
@given(
    received=st.integers(1, 8),
    revoked=st.sets(st.integers(1, 8)),
    data=st.data(),
)
def test_status_of_every_version_is_a_function_of_the_chain(
    received: int, revoked: set[int], data: st.DataObject
) -> None:
    revoked = {n for n in revoked if n <= received}
    digests = data.draw(st.lists(st.text("0123456789abcdef", min_size=64, max_size=64),
                                 min_size=received, max_size=received,
                                 unique_by=lambda d: d[:16]))
    stranger = data.draw(st.text("0123456789abcdef", min_size=32, max_size=32).filter(
        lambda p: not any(d.startswith(p) for d in digests)))
    with tempfile.TemporaryDirectory() as folder:
        store = SqliteStore(Path(folder) / "s.db")
        ident, code = "3f2a0000-0000-4000-8000-000000000001", "MATRACUU01"
        # Versions arrive in order (a receiver takes a correction only after its
        # predecessor); each notice at any point after the version it revokes.
        placed: list[tuple[str, int]] = [("v", n) for n in range(1, received + 1)]
        for n in sorted(revoked):
            after = placed.index(("v", n))
            placed.insert(data.draw(st.integers(after + 1, len(placed))), ("n", n))
        for kind, n in placed:
            with store.transaction() as tx:
                if kind == "v":
                    tx.add_version(StoredVersion(ident, n, digests[n - 1], code, f"g{n}", False),
                                   f"v{n}".encode())
                else:
                    tx.revoke(ident, n, f"t{n}", f"n{n}".encode())
        _check_chain_properties(store, code, digests, revoked, stranger)
        store.close()


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(received=st.integers(1, 4), revoked=st.sets(st.integers(1, 4), max_size=2),
       early=st.booleans())
def test_received_chains_agree_with_their_reverification(
    chain: Chain, signers: Signers, trust: TrustStore, ministry: TestIdentity,
    received: int, revoked: set[int], early: bool,
) -> None:
    """Real signed versions and notices received in packages: the store's status of every
    version follows the chain, and re-verifying the current version (with the stored
    predecessors and notices) agrees: revoked exactly when the store says so, chain intact."""
    revoked = {n for n in revoked if n <= received}
    with tempfile.TemporaryDirectory() as folder:
        store = SqliteStore(Path(folder) / "s.db")
        receiver = Receiver(store, trust, signer=ministry.signer(), clock=lambda: RECEIVED_AT)
        for n in range(1, received + 1):
            _accepted(receiver, _record_package(chain.versions[n - 1], signers))
            if early and n in revoked:  # revoked before it is corrected
                _accepted(receiver, _notice_package(chain, n - 1, signers))
        for n in sorted(revoked) if not early else ():
            _accepted(receiver, _notice_package(chain, n - 1, signers))
        digests = [v.record_digest for v in chain.versions[:received]]
        stranger = chain.versions[received].record_digest[:32] if received < 4 else "0" * 32
        _check_chain_properties(store, chain.code, digests, revoked, stranger)
        found = receiver.lookup(chain.code)
        assert found is not None and found.report is not None and found.consistent is True
        assert found.report.revoked is (received in revoked)
        assert found.report.ok is (received not in revoked) is found.ok
        if received > 1:
            assert "STATUS.NOT_CHECKED" not in {s.code for s in found.report.steps}
        store.close()


def test_a_tampered_store_is_caught_by_the_reverification(
    tmp_path: Path, chain: Chain, signers: Signers, trust: TrustStore, ministry: TestIdentity,
) -> None:
    """A store file whose current version's bytes were swapped for an earlier version's: the
    store alone still says version 2 is in force, the re-verification sees version 1 and the
    answer is inconsistent, hence not ok."""
    path = tmp_path / "s.db"
    receiver = Receiver(SqliteStore(path), trust, signer=ministry.signer(),
                        clock=lambda: RECEIVED_AT)
    for v in chain.versions[:2]:
        _accepted(receiver, _record_package(v, signers))
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE phien_ban SET hoc_ba = ? WHERE phien_ban = 2",
                    (chain.versions[0].signed,))
    con.close()
    found = lookup(SqliteStore(path), chain.code, trust, at=RECEIVED_AT)
    assert found is not None and found.trang_thai_tra_cuu is CO
    assert found.consistent is False and not found.ok


# -- the CLI --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chain_store(tmp_path_factory: pytest.TempPathFactory, chain: Chain, signers: Signers,
                trust: TrustStore, ministry: TestIdentity, pki: TestPKI) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("lookup")
    path = folder / "s.db"
    receiver = Receiver(SqliteStore(path), trust, signer=ministry.signer(),
                        clock=lambda: RECEIVED_AT)
    for v in chain.versions[:3]:
        _accepted(receiver, _record_package(v, signers))
    _accepted(receiver, _notice_package(chain, 2, signers))
    root = folder / "root.pem"
    root.write_bytes(pki.root_pem())
    return path, root


def _run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.output


def _qr(chain: Chain, n: int) -> str:
    v = chain.versions[n - 1]
    return QrPayload(chain.code, v.ma_dinh_danh_hoc_ba, n, v.record_digest[:32]).text()


def test_cli_lookup_by_qr_payload_and_version(
    chain_store: tuple[Path, Path], chain: Chain
) -> None:
    store, root = chain_store
    at = ["--at", RECEIVED_AT.isoformat()]
    code, out = _run(["lookup", _qr(chain, 1), "--store", str(store), "--json"])
    assert code == 1, out  # version 1 was corrected: not in force
    answer = json.loads(out)
    assert answer["tra_cuu"] == {"phien_ban": 1, "trang_thai": "DA_DINH_CHINH",
                                 "bam_hoc_ba": chain.versions[0].record_digest}
    assert answer["hien_hanh"]["phien_ban"] == 3
    assert answer["hien_hanh"]["trang_thai"] == "THU_HOI" and answer["verification"] is None
    code, out = _run(["lookup", chain.code, "--version", "2", "--store", str(store),
                      "--trust", str(root), "--json", *at])
    assert code == 1 and json.loads(out)["tra_cuu"]["trang_thai"] == "DA_DINH_CHINH"
    verification = json.loads(out)["verification"]
    assert verification["revoked"] and verification["consistent"]
    assert "STATUS.REVOKED" in verification["failed"] and "hoc_sinh" not in json.loads(out)
    forged = _qr(chain, 2)[:-32] + "0" * 32
    code, out = _run(["lookup", forged, "--store", str(store), "--json"])
    assert code == 1 and json.loads(out) == {
        "found": False, "code": "STORE.LOOKUP.DIGEST_MISMATCH",
        "message_vi": json.loads(out)["message_vi"], "message_en": json.loads(out)["message_en"],
    }
    code, out = _run(["lookup", chain.code, "--version", "9", "--store", str(store), "--json"])
    assert code == 1 and json.loads(out)["code"] == "STORE.LOOKUP.VERSION_UNKNOWN"
    code, out = _run(["lookup", _qr(chain, 1), "--version", "1", "--store", str(store)])
    assert code == 2


def test_cli_lookup_table_fits_80_columns_and_shows_no_personal_data(
    chain_store: tuple[Path, Path], chain: Chain
) -> None:
    store, root = chain_store
    code, out = _run(["lookup", chain.code, "--version", "1", "--store", str(store),
                      "--trust", str(root), "--at", RECEIVED_AT.isoformat()])
    assert code == 1, out
    lines = out.splitlines()
    assert lines and max(len(line) for line in lines) <= 80
    assert "ĐÃ ĐÍNH CHÍNH / CORRECTED" in lines[0]
    assert "3 of 3 — THU_HOI" in out and "STATUS.REVOKED" in out
    hs = chain.versions[0].hoc_ba.thong_tin_hoc_ba.hoc_sinh
    assert hs.ho_va_ten not in out and hs.so_dinh_danh not in out
