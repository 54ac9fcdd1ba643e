"""The one timing loop the benchmarks share: median operations per second over batches.

Benchmarks report ratios of two rates measured with this loop in the same run, so machine
speed and load cancel out as far as they can. (``bench_sign`` keeps its own best-of loop on
the process clock: see its docstring.)
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["interleaved_rates", "ops_per_second"]


def _batch_size(fn: Callable[[], Any], seconds: float) -> int:
    """Calls per batch: doubled until one batch lasts more than a third of ``seconds``."""
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - start > seconds / 3:
            return n
        n *= 2


def interleaved_rates(
    fns: Sequence[Callable[[], Any]], *, seconds: float = 0.3, rounds: int = 7
) -> list[float]:
    """Median rate of each function over ``rounds`` batches, the functions' batches
    alternating, so background load on a shared machine hits every side alike."""
    sizes = [_batch_size(fn, seconds) for fn in fns]
    rates: list[list[float]] = [[] for _ in fns]
    for _ in range(rounds):
        for fn, n, out in zip(fns, sizes, rates, strict=True):
            start = time.perf_counter()
            for _ in range(n):
                fn()
            out.append(n / (time.perf_counter() - start))
    return [statistics.median(r) for r in rates]


def ops_per_second(fn: Callable[[], Any], *, seconds: float = 0.3, rounds: int = 7) -> float:
    """Median rate of ``fn`` over ``rounds`` batches, each calibrated to about ``seconds``."""
    return interleaved_rates([fn], seconds=seconds, rounds=rounds)[0]
