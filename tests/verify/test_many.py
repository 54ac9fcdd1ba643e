"""verify_many: any executor, results streamed back in input order, same reports as verify."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from hocbaso.verify import TrustStore, verify, verify_many

from .conftest import mv

AT = mv.VERIFY_AT
NAMES = ["genuine", "tampered_score", "genuine_other_record", "wrap_forged_before", "genuine"]


def test_threads_keep_order_and_match_verify(corpus: dict[str, Any], trust: TrustStore) -> None:
    items = [corpus[n].data for n in NAMES]
    with ThreadPoolExecutor(max_workers=3) as pool:
        got = list(verify_many(items, trust, executor=pool, at=AT, chunk_size=1))
    want = [verify(x, trust, at=AT) for x in items]
    assert [r.ok for r in got] == [True, False, True, False, True]
    assert [r.steps for r in got] == [r.steps for r in want]
    assert [r.record for r in got] == [r.record for r in want]


def test_is_a_lazy_generator(corpus: dict[str, Any], trust: TrustStore) -> None:
    consumed: list[int] = []

    def items() -> Any:
        for i, n in enumerate(NAMES):
            consumed.append(i)
            yield corpus[n].data

    with ThreadPoolExecutor(max_workers=1) as pool:
        gen = verify_many(items(), trust, executor=pool, at=AT, chunk_size=1, max_in_flight=1)
        assert consumed == []
        first = next(gen)
        assert first.ok and len(consumed) < len(NAMES)
        rest = list(gen)
    assert len(rest) == len(NAMES) - 1


def test_default_process_pool_with_paths(
    corpus: dict[str, Any], trust: TrustStore, tmp_path: Path
) -> None:
    paths = []
    for i, n in enumerate(NAMES[:3]):
        p = tmp_path / f"{i}-{n}.xml"
        p.write_bytes(corpus[n].data)
        paths.append(p)
    got = list(verify_many(paths, trust, at=AT, chunk_size=1))
    assert [r.ok for r in got] == [True, False, True]
    with ProcessPoolExecutor(max_workers=2) as pool:
        again = list(verify_many([str(p) for p in paths], trust, executor=pool, at=AT))
    assert [r.steps for r in again] == [r.steps for r in got]
