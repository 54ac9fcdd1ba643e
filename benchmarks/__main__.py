"""Run every ``benchmarks/bench_*.py`` module's ``main()``; optional arguments select modules
by substring (``python -m benchmarks sign`` runs ``bench_sign``); options starting with ``-``
are passed to each selected ``main(argv)`` (``python -m benchmarks sign --quick``)."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import benchmarks


def run(args: list[str]) -> int:
    selectors = [a for a in args if not a.startswith("-")]
    flags = [a for a in args if a.startswith("-")]  # passed on, e.g. --quick
    names = sorted(
        m.name
        for m in pkgutil.iter_modules(benchmarks.__path__)
        if m.name.startswith("bench_") and (not selectors or any(s in m.name for s in selectors))
    )
    if not names:
        print("no benchmark matches", selectors, file=sys.stderr)
        return 2
    for name in names:
        print(f"== {name} ==", flush=True)
        module = importlib.import_module(f"benchmarks.{name}")
        module.main(flags) if flags else module.main()
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(run(sys.argv[1:]))
