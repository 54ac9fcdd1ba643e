"""Shared test settings: deterministic Hypothesis profiles, no deadlines (CI machines vary);
one Dask ``LocalCluster`` for the session (records and packages on a cluster)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "dev",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def dask_client() -> Iterator[Any]:
    """One Dask ``LocalCluster`` for the whole session: 2 worker processes of 1 thread, on
    loopback only (the HTTP server on a free port; no dashboard: bokeh is not installed),
    logs silenced. Started on first use (about 2-4 s) and closed at the end of the session."""
    import dask.config
    from distributed import Client

    from hocbaso.verify import DASK_WORKER_CONFIG

    # Workers as docs/scale.md deploys them (Dask's housekeeping off); the nannies hand the
    # configuration in force here to the worker processes they start.
    with dask.config.set(dict(DASK_WORKER_CONFIG)):
        cluster = _local_cluster()
    client = Client(cluster, set_as_default=False, direct_to_workers=True)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def _local_cluster() -> Any:
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        # The scheduler always runs an HTTP server (health, metrics); with no address it
        # takes port 8787 and, when another cluster on this machine holds that, warns (an
        # error under the suite's warnings policy). Port 0 lets the OS pick a free one.
        dashboard_address="127.0.0.1:0",
        silence_logs=logging.CRITICAL,
        worker_dashboard_address=None,
    )
