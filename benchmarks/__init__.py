"""On-demand benchmarks (``python -m benchmarks`` or ``make bench``); never part of the tests.

Each ``bench_*.py`` module has a ``main()`` that measures its subject against a baseline
measured in the same run and prints ratios, so figures compare across machines.
"""
