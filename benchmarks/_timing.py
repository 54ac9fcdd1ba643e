"""The one timing loop the benchmarks share: median operations per second over batches.

Benchmarks report ratios of two rates measured with this loop in the same run, so machine
speed and load cancel out as far as they can.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

__all__ = ["ops_per_second"]


def ops_per_second(fn: Callable[[], Any], *, seconds: float = 0.3, rounds: int = 7) -> float:
    """Median rate of ``fn`` over ``rounds`` batches, each calibrated to about ``seconds``."""
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - start > seconds / 3:
            break
        n *= 2
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        rates.append(n / (time.perf_counter() - start))
    return statistics.median(rates)
