"""Shared test settings: deterministic Hypothesis profiles, no deadlines (CI machines vary);
one Dask ``LocalCluster`` for the session (records and packages on a cluster)."""

from __future__ import annotations

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
    from distributed import Client

    from hocbaso.testing._measure import local_dask_cluster
    from hocbaso.verify import DASK_WORKER_CONFIG

    # Workers as docs/scale.md deploys them (Dask's housekeeping off).
    cluster = local_dask_cluster(DASK_WORKER_CONFIG)
    client = Client(cluster, set_as_default=False, direct_to_workers=True)
    try:
        yield client
    finally:
        client.close()
        cluster.close()
