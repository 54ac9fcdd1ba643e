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
