"""Receiving: signed receipts, idempotence, concurrency, version chains, lookup."""

from __future__ import annotations

import multiprocessing
from datetime import timedelta
from pathlib import Path

import pytest
from tests.package.conftest import PACKED_AT, RECEIVED_AT, Signers, issue_record

from hocbaso.errors import PackageError
from hocbaso.package import (
    Receiver,
    SqliteStore,
    TrangThaiLuu,
    TrangThaiNhan,
    pack,
    read_receipt,
)
from hocbaso.signature import IssuedRecord, correct, revoke
from hocbaso.testing.pki import TestIdentity, build_test_pki
from hocbaso.verify import TrustStore


def _receiver(path: Path, trust: TrustStore, ministry: TestIdentity) -> Receiver:
    return Receiver(SqliteStore(path), trust, signer=ministry.signer(),
                    clock=lambda: RECEIVED_AT)


def test_receipt_accepts_every_record_and_is_signed(
    tmp_path: Path, package: bytes, trust: TrustStore, ministry: TestIdentity,
    round1: list[IssuedRecord],
) -> None:
    receiver = _receiver(tmp_path / "s.db", trust, ministry)
    receipt = receiver.receive(package)
    assert receipt.trang_thai is TrangThaiNhan.CHAP_NHAN
    assert receipt.accepted == len(round1) == len(receipt.ket_qua)
    checked = read_receipt(receipt.signed, trust, at=RECEIVED_AT + timedelta(hours=1))
    assert checked.as_dict() == receipt.as_dict()
    tampered = receipt.signed.replace(b"<TRANG_THAI>CHAP_NHAN", b"<TRANG_THAI>TU_CHOI", 1)
    with pytest.raises(PackageError) as err:
        read_receipt(tampered, trust, at=RECEIVED_AT)
    assert err.value.code == "RECEIPT.SIGNATURE"


def test_same_package_twice_gives_the_identical_receipt(
    tmp_path: Path, package: bytes, trust: TrustStore, ministry: TestIdentity,
    round1: list[IssuedRecord],
) -> None:
    store = SqliteStore(tmp_path / "s.db")
    first = Receiver(store, trust, signer=ministry.signer(), clock=lambda: RECEIVED_AT)
    later = Receiver(store, trust, signer=ministry.signer(),
                     clock=lambda: RECEIVED_AT + timedelta(days=3))
    a = first.receive(package)
    b = later.receive(package)
    assert a.signed == b.signed
    assert store.count() == (1, len(round1), 0)


def test_a_corrupted_record_is_rejected_alone(
    tmp_path: Path, round1: list[IssuedRecord], signers: Signers, trust: TrustStore,
    ministry: TestIdentity,
) -> None:
    bad = round1[1].signed.replace(b"<NX_GVCN>", b"<NX_GVCN>X", 1)
    packed = pack([round1[0], bad, *round1[2:]], signer=signers.school.signer(), round=1,
                  created_at=PACKED_AT)
    assert packed is not None
    receipt = _receiver(tmp_path / "s.db", trust, ministry).receive(packed)
    states = [k.trang_thai for k in receipt.ket_qua]
    assert states.count(TrangThaiNhan.TU_CHOI) == 1
    assert states[1] is TrangThaiNhan.TU_CHOI
    assert "PACKAGE.RECORD.INVALID" in receipt.ket_qua[1].ma_loi
    assert receipt.accepted == len(round1) - 1


def test_a_refused_container_gets_a_rejecting_receipt(
    tmp_path: Path, trust: TrustStore, ministry: TestIdentity
) -> None:
    receipt = _receiver(tmp_path / "s.db", trust, ministry).receive(b"PK\x03\x04broken")
    assert receipt.trang_thai is TrangThaiNhan.TU_CHOI
    assert receipt.ma_goi_tin is None and receipt.ma_loi == ("PACKAGE.ZIP.TRUNCATED",)


def _receive_in_child(path: str, package: bytes, queue: multiprocessing.Queue[bytes]) -> None:
    pki = build_test_pki()
    receiver = Receiver(SqliteStore(path), TrustStore([pki.root]),
                        signer=pki.school("0100109106", "Bo GDDT").signer(),
                        clock=lambda: RECEIVED_AT)
    queue.put(receiver.receive(package).signed)


def test_two_processes_receiving_at_once_store_it_once(
    tmp_path: Path, package: bytes, round1: list[IssuedRecord]
) -> None:
    path = str(tmp_path / "s.db")
    SqliteStore(path).close()  # create the schema once, as a deployment would
    ctx = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[bytes] = ctx.Queue()
    procs = [ctx.Process(target=_receive_in_child, args=(path, package, queue))
             for _ in range(2)]
    for p in procs:
        p.start()
    receipts = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert receipts[0] == receipts[1]
    assert SqliteStore(path).count() == (1, len(round1), 0)


def test_version_chains_and_revocations_across_packages(
    tmp_path: Path, package: bytes, round1: list[IssuedRecord], signers: Signers,
    trust: TrustStore, ministry: TestIdentity,
) -> None:
    store = SqliteStore(tmp_path / "s.db")
    receiver = Receiver(store, trust, signer=ministry.signer(), clock=lambda: RECEIVED_AT)
    original = round1[0]
    new = original.hoc_ba.model_copy()
    v2 = issue_record(
        type(new).model_validate(
            __import__("hocbaso.packet", fromlist=["from_xml"]).from_xml(
                correct(original, new, "Sửa lỗi nhập liệu")
            ).model_dump()
        ),
        signers, timedelta(days=1),
    )
    correction = pack([v2], signer=signers.school.signer(), round=1, created_at=PACKED_AT)
    assert correction is not None
    # A correction whose previous version is not stored is refused ...
    early = receiver.receive(correction)
    assert early.ket_qua[0].ma_loi == ("STORE.CHAIN.PREVIOUS_MISSING",)
    # ... and a revocation of an unknown record too.
    notice = revoke(original, signers.school.signer(), reason="Cấp nhầm",
                    revocation_time=RECEIVED_AT)
    school = original.hoc_ba.thong_tin_hoc_ba.thong_tin_truong.ma_truong
    revocation = pack(notices=[notice], signer=signers.school.signer(), round=1,
                      created_at=RECEIVED_AT, school_code=school, school_year="2024-2025")
    assert revocation is not None
    assert receiver.receive(revocation).ket_qua[0].ma_loi == ("STORE.REVOKE.UNKNOWN",)
    receiver.receive(package)
    code = original.hoc_ba.thong_tin_hoc_ba.thong_tin_chung.ma_tra_cuu
    found = store.lookup(code)
    assert found is not None and found.phien_ban == 1
    assert found.trang_thai is TrangThaiLuu.CO_HIEU_LUC and found.signed == original.signed
    # The same correction in a new package now follows the stored version.
    again = pack([v2], signer=signers.school.signer(), round=1, created_at=PACKED_AT)
    assert again is not None
    assert receiver.receive(again).ket_qua[0].trang_thai is TrangThaiNhan.CHAP_NHAN
    found = store.lookup(code)
    assert found is not None and found.phien_ban == 2 and found.so_phien_ban == 2
    # Revoking the current version: the lookup reports it revoked; the same notice again is a
    # duplicate.
    notice2 = revoke(v2, signers.school.signer(), reason="Cấp nhầm", revocation_time=RECEIVED_AT)
    for expected in (TrangThaiNhan.CHAP_NHAN, TrangThaiNhan.TRUNG):
        revocation = pack(notices=[notice2], signer=signers.school.signer(), round=1,
                          created_at=RECEIVED_AT, school_code=school, school_year="2024-2025")
        assert revocation is not None
        assert receiver.receive(revocation).ket_qua[0].trang_thai is expected
    found = store.lookup(code)
    assert found is not None and found.trang_thai is TrangThaiLuu.THU_HOI
    assert store.count() == (6, len(round1) + 1, 1)


def test_a_newer_store_schema_is_refused(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "s.db"
    SqliteStore(path).close()
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 99")
    con.close()
    with pytest.raises(PackageError) as err:
        SqliteStore(path)
    assert err.value.code == "STORE.SCHEMA"
