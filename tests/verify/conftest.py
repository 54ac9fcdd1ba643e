"""Shared fixtures: the test PKI, a trust store holding only its root, the attack corpus
(generated once per session from a genuine issued record), and the pinned clock."""

from __future__ import annotations

import importlib.util
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from cryptography import x509

from hocbaso.testing.pki import TestPKI, build_test_pki
from hocbaso.verify import TrustStore

VECTORS_DIR = Path(__file__).resolve().parents[1] / "vectors"


def _load_generator() -> ModuleType:
    name = "hocbaso_make_vectors"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, VECTORS_DIR / "make_vectors.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


mv = _load_generator()


@pytest.fixture(scope="session")
def pki() -> TestPKI:
    return build_test_pki()


@pytest.fixture(scope="session")
def trust(pki: TestPKI) -> TrustStore:
    return TrustStore([pki.root])


@pytest.fixture(scope="session")
def crl(pki: TestPKI) -> x509.CertificateRevocationList:
    return mv.corpus_crl(pki)  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def corpus(pki: TestPKI) -> dict[str, object]:
    return {v.name: v for v in mv.build_vectors(pki)}


@pytest.fixture(scope="session")
def genuine(corpus: dict[str, object]) -> bytes:
    data = corpus["genuine"].data  # type: ignore[attr-defined]
    assert isinstance(data, bytes)
    return data


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
