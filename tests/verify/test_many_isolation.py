"""verify_many isolates each item: an unreadable path, a non-regular file, a huge file or a
packet on which the verifier itself fails yields its own FAIL; every other item still gets
its report (one bad file must never cost the batch)."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from hocbaso.errors import VerificationInputError
from hocbaso.packet import DEFAULT_LIMITS
from hocbaso.verify import TrustStore, verify_many
from hocbaso.verify import _many as many_module
from hocbaso.verify._many import read_packet_file

from .conftest import mv

AT = mv.VERIFY_AT
GIB = 1024**3


@pytest.fixture()
def hostile(tmp_path: Path) -> dict[str, Path]:
    fifo = tmp_path / "pipe.xml"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.xml"
    with huge.open("wb") as fh:  # sparse: 1 GiB long, no disk used
        fh.truncate(GIB)
    folder = tmp_path / "folder.xml"
    folder.mkdir()
    return {
        "missing": tmp_path / "missing.xml",
        "folder": folder,
        "fifo": fifo,
        "zero": Path("/dev/zero"),
        "huge": huge,
    }


def test_read_is_bounded_and_refuses_non_regular_files(hostile: dict[str, Path]) -> None:
    data = read_packet_file(hostile["huge"])
    assert len(data) == DEFAULT_LIMITS.max_bytes + 1  # never the whole GiB
    assert len(read_packet_file(hostile["huge"], max_bytes=10)) == 11
    for name, code in [
        ("folder", "VERIFY.INPUT.NOT_A_FILE"),
        ("zero", "VERIFY.INPUT.NOT_A_FILE"),
        ("fifo", "VERIFY.INPUT.NOT_A_FILE"),
        ("missing", "VERIFY.INPUT.UNREADABLE"),
    ]:
        done: list[str] = []

        def attempt(path: Path = hostile[name], done: list[str] = done) -> None:
            try:
                read_packet_file(path)
            except VerificationInputError as err:
                done.append(err.code)
                assert str(path) not in str(err)  # file names can carry a student's name

        worker = threading.Thread(target=attempt, daemon=True)
        worker.start()
        worker.join(timeout=10)  # a FIFO opened blocking would hang here
        assert done == [code], name


def test_each_bad_item_fails_alone(
    corpus: dict[str, Any],
    trust: TrustStore,
    tmp_path: Path,
    hostile: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    good = tmp_path / "good.xml"
    good.write_bytes(corpus["genuine"].data)
    boom = tmp_path / "boom.xml"
    boom.write_bytes(b"<HOC_BA>trigger</HOC_BA>")
    real_verify = many_module.verify  # type: ignore[attr-defined]

    def verify_or_crash(data: bytes, *args: Any, **kwargs: Any) -> Any:
        if b"trigger" in data:
            raise RuntimeError("secret content Nguyễn Văn A")
        return real_verify(data, *args, **kwargs)

    monkeypatch.setattr(many_module, "verify", verify_or_crash)
    items: list[Any] = [
        good,
        hostile["missing"],
        hostile["folder"],
        hostile["fifo"],
        hostile["zero"],
        hostile["huge"],
        boom,
        corpus["genuine"].data,
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = list(verify_many(items, trust, executor=pool, at=AT, chunk_size=2))
    assert [r.ok for r in reports] == [True, False, False, False, False, False, False, True]
    codes = [sorted(r.failed_codes) for r in reports[1:7]]
    assert codes == [
        ["PARSE.UNREADABLE"],
        ["PARSE.NOT_A_FILE"],
        ["PARSE.NOT_A_FILE"],
        ["PARSE.NOT_A_FILE"],
        ["PARSE.TOO_LARGE"],
        ["PARSE.VERIFIER_ERROR"],
    ]
    crash = reports[6].steps[0]
    assert "RuntimeError" in crash.message_en and "Nguyễn" not in crash.message_en
    assert all(r.record is None for r in reports[1:7])


def test_a_dead_worker_fails_its_own_items_only(
    corpus: dict[str, Any], trust: TrustStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_chunk = many_module._verify_chunk

    def chunk_or_die(items: list[Any], settings: Any) -> Any:
        if any(isinstance(i, bytes) and b"die" in i for i in items):
            raise SystemError("worker died")
        return real_chunk(items, settings)

    monkeypatch.setattr(many_module, "_verify_chunk", chunk_or_die)
    items = [corpus["genuine"].data, b"die", corpus["genuine"].data]
    with ThreadPoolExecutor(max_workers=1) as pool:
        reports = list(verify_many(items, trust, executor=pool, at=AT, chunk_size=1))
    assert [r.ok for r in reports] == [True, False, True]
    assert reports[1].failed_codes == {"PARSE.VERIFIER_ERROR"}


def test_naive_time_is_refused_once_for_the_batch(trust: TrustStore) -> None:
    with pytest.raises(VerificationInputError) as ei:
        list(verify_many([b"<x/>"], trust, at=AT.replace(tzinfo=None)))
    assert ei.value.code == "VERIFY.INPUT.NAIVE_TIME"
