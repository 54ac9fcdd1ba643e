"""What the memory test and the national-scale benchmark both run: the command line under a
peak-memory probe, and a two-worker Dask ``LocalCluster`` on loopback (docs/scale.md)."""

from __future__ import annotations

import logging
import textwrap
from collections.abc import Mapping
from typing import Any

#: ``python -c PEAK_RSS_CLI ARGS…`` runs ``hocbaso ARGS…`` in that process and prints its own
#: peak RSS and its largest child's (the worker processes) as JSON on standard error, in MiB.
#: Its own peak is the kernel's VmHWM of this program, not ``RUSAGE_SELF``: a process forked
#: from a test runner keeps, in ``ru_maxrss``, the runner's resident size at the fork, whereas
#: VmHWM starts afresh with the program. The workers are forked from the command, so
#: ``RUSAGE_CHILDREN`` is the command's own size at the fork plus what a worker adds.
PEAK_RSS_CLI = textwrap.dedent(
    """
    import json, resource, sys
    from hocbaso.cli import main
    code = 0
    try:
        main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
    with open("/proc/self/status", encoding="ascii") as fh:
        hwm = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"self": hwm / 1024, "children": children / 1024}), file=sys.stderr)
    sys.exit(code)
    """
)


def local_dask_cluster(config: Mapping[str, Any]) -> Any:
    """Two Dask worker processes of one thread on loopback, started under ``config`` (pass
    ``hocbaso.verify.DASK_WORKER_CONFIG``: the nannies hand it to the workers they start),
    logs silenced. Needs the ``dask`` extra; the caller closes it."""
    import dask.config
    import distributed

    LocalCluster: Any = distributed.LocalCluster  # its own hints are partial (mypy --strict)
    with dask.config.set(dict(config)):
        cluster = LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            # The scheduler always runs an HTTP server (health, metrics); with no address it
            # takes port 8787 and, when another cluster on this machine holds that, warns (an
            # error under the test suite's warnings policy). Port 0 lets the OS pick one.
            dashboard_address="127.0.0.1:0",
            silence_logs=logging.CRITICAL,
            worker_dashboard_address=None,
        )
    return cluster
