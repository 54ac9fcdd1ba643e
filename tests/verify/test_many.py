"""verify_many: any executor, results streamed back in input order, same reports as verify."""

from __future__ import annotations

import datetime as dt
import itertools
import pickle
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from hocbaso.verify import STRICT, CrlSet, TrustStore, verify, verify_many
from hocbaso.verify._many import _Settings, _tail_piece

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


def test_batch_settings_decoded_once_per_distinct_bytes(trust: TrustStore) -> None:
    """Workers decode a batch's settings once, keyed by their exact pickled bytes: the same
    batch reuses one decoded copy (warm caches), another batch never gets the first one's."""
    a = _Settings((trust, AT, CrlSet(), (), STRICT))
    b = _Settings((trust, AT - dt.timedelta(days=400), CrlSet(), (), STRICT))
    a1, a2 = pickle.loads(pickle.dumps(a)), pickle.loads(pickle.dumps(a))
    b1 = pickle.loads(pickle.dumps(b))
    assert a1.args is a2.args
    assert b1.args is not a1.args
    assert a1.args[1] == AT and b1.args[1] == AT - dt.timedelta(days=400)


def test_one_pool_two_batches_keep_their_own_settings(
    corpus: dict[str, Any], trust: TrustStore
) -> None:
    items = [corpus["genuine"].data] * 2
    with ProcessPoolExecutor(max_workers=1) as pool:
        now = list(verify_many(items, trust, executor=pool, at=AT))
        early = list(verify_many(items, trust, executor=pool, at=AT - dt.timedelta(days=30)))
        again = list(verify_many(items, trust, executor=pool, at=AT))
    assert all(r.ok for r in now) and all(r.ok for r in again)
    assert all("ORDER.FUTURE_SIGNING_TIME" in r.failed_codes for r in early)


class _Recording(Executor):
    """Runs each chunk where it is submitted and records it; sized like a 2-process pool."""

    _max_workers = 2

    def __init__(self) -> None:
        self.chunks: list[list[Any]] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.chunks.append(list(args[0]))
        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def test_the_tail_is_cut_finer_so_workers_finish_together(
    trust: TrustStore, tmp_path: Path
) -> None:
    """Full chunks while the input lasts; its last items (the look-ahead of one chunk per
    worker) in shrinking pieces, each half a worker's share of what remains: on a small batch
    a whole last chunk on one worker would leave the other idle (docs/scale.md). Order and
    count are unchanged."""
    items = [str(tmp_path / f"missing-{i}.xml") for i in range(96)]  # each fails at once
    executor = _Recording()
    reports = list(verify_many(items, trust, executor=executor, at=AT, chunk_size=8))
    assert [len(c) for c in executor.chunks] == [8] * 10 + [4, 3, 3, 2, 1, 1, 1, 1]
    assert [i for c in executor.chunks for i in c] == items
    assert len(reports) == 96
    assert all(r.steps[0].code == "PARSE.UNREADABLE" for r in reports)


def test_cluster_sized_chunks_ramp_up_and_the_tail_stops_at_four(
    trust: TrustStore, tmp_path: Path
) -> None:
    """With Dask's chunks of 128 each worker starts on 16, 32 and 64 records (so it is not
    idle while 10 MB of packets are shipped), and the tail shrinks to pieces of 4 records,
    not 1: a task costs the client and the scheduler about a millisecond, a record about four
    (docs/scale.md); only the very last piece holds what is left."""
    items = [str(tmp_path / f"missing-{i}.xml") for i in range(512)]
    executor = _Recording()
    list(verify_many(items, trust, executor=executor, at=AT, chunk_size=128))
    sizes = [len(c) for c in executor.chunks]
    assert sizes[:6] == [16, 16, 32, 32, 64, 64]
    assert sizes[6:] == [72, 54, 41, 31, 23, 17, 13, 10, 7, 5, 4, 4, 4, 3]
    assert [i for c in executor.chunks for i in c] == items
    executor = _Recording()
    list(verify_many(items * 4, trust, executor=executor, at=AT, chunk_size=128))
    sizes = [len(c) for c in executor.chunks]
    assert sizes[:6] == [16, 16, 32, 32, 64, 64] and 128 in sizes
    assert max(sizes) == 128 and sum(sizes) == 2048


@given(
    remaining=st.integers(min_value=1, max_value=5000),
    workers=st.integers(min_value=1, max_value=64),
    chunk_size=st.integers(min_value=1, max_value=512),
)
def test_tail_pieces_cover_the_rest_and_only_shrink(
    remaining: int, workers: int, chunk_size: int
) -> None:
    """Whatever the sizes: the pieces add up to what was left, none is empty or larger than a
    chunk, and each is no larger than the one before (the workers finish on small pieces)."""
    smallest = max(1, chunk_size // 32)
    pieces: list[int] = []
    left = remaining
    while left:
        piece = _tail_piece(left, workers, chunk_size, smallest)
        assert 1 <= piece <= min(left, chunk_size)
        pieces.append(piece)
        left -= piece
    assert sum(pieces) == remaining
    assert all(a >= b for a, b in itertools.pairwise(pieces))
    assert pieces[-1] <= smallest
