"""Benchmarks run on demand, never in CI; this only keeps them importable as the code changes."""

from __future__ import annotations

import importlib
import pkgutil

import benchmarks


def test_every_benchmark_module_imports_and_has_main() -> None:
    names = [m.name for m in pkgutil.iter_modules(benchmarks.__path__)
             if m.name.startswith("bench_")]
    expected = {"bench_hostile", "bench_package", "bench_packet", "bench_sign", "bench_verify"}
    assert expected <= set(names)
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        assert callable(module.main)


def test_every_benchmark_main_accepts_the_flags_the_runner_passes() -> None:
    """``python -m benchmarks NAME --quick`` calls ``main(["--quick"])``; with no flag, ``main()``.

    Checked on the signatures (binding the runner's two call forms), so no benchmark runs here;
    a ``main()`` without a parameter crashed the runner with a TypeError before timing anything.
    """
    import inspect

    for m in pkgutil.iter_modules(benchmarks.__path__):
        if not m.name.startswith("bench_"):
            continue
        signature = inspect.signature(importlib.import_module(f"benchmarks.{m.name}").main)
        signature.bind()  # python -m benchmarks NAME
        signature.bind(["--quick"])  # python -m benchmarks NAME --quick
