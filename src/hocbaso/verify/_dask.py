"""``dask_executor``: ``verify_many`` on a ``dask.distributed`` cluster, through its own
``concurrent.futures`` face (``Client.get_executor()``).

Dask is the distributed engine (``pip install 'hocbaso[dask]'``): a Sở or the Ministry runs a
``dask scheduler`` and ``dask worker`` on each machine, and ``verify_many`` sends chunks of
paths (or packet bytes) to the workers exactly as it does to a local process pool; reports come
back in input order, each one light (signed bytes, not a model; see ``VerificationReport``).
Nothing here is needed on one machine, where the process pool stays the default, and the library
imports without Dask: ``distributed`` is imported only when this function is called.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from concurrent.futures import Executor
from types import MappingProxyType
from typing import Any

from hocbaso.errors import VerificationInputError

__all__ = ["DASK_WORKER_CONFIG", "dask_environment", "dask_executor"]

#: Dask settings for the processes of a verification cluster (docs/scale.md, "A cluster of N
#: machines"). A verification task is minutes of pure CPU per chunk, so Dask's background
#: housekeeping buys nothing and costs the workers: the statistical profiler samples every
#: worker's stack 100 times a second, the event-loop health tick wakes every server 50 times
#: a second, the system monitor (and its GIL sampler) twice a second, the memory monitor ten
#: times. Measured on a 2-vCPU LocalCluster they took several per cent of the CPU the workers
#: need (docs/scale.md gives the figures). None of them is a safety check: the memory monitor
#: still pauses or restarts a worker that outgrows its limit, once a second instead of ten
#: times (verification memory is flat, docs/scale.md §memory). Settings are read when a
#: server starts, so they go in the environment of ``dask scheduler`` / ``dask worker``
#: (:func:`dask_environment`) or in ``dask.config.set`` around a ``LocalCluster``.
DASK_WORKER_CONFIG: Mapping[str, bool | str] = MappingProxyType(
    {
        "distributed.worker.profile.enabled": False,
        "distributed.admin.tick.interval": "1s",
        "distributed.admin.system-monitor.interval": "5s",
        "distributed.admin.system-monitor.gil.enabled": False,
        "distributed.worker.memory.monitor-interval": "1s",
    }
)


def dask_environment() -> dict[str, str]:
    """:data:`DASK_WORKER_CONFIG` as environment variables (``DASK_DISTRIBUTED__…``).

    Dask reads ``DASK_`` variables at import, with ``__`` between levels; the values are
    parsed as YAML literals, so ``False`` and ``1s`` arrive as a boolean and a duration.
    docs/scale.md prints them for a worker's start-up script (a test keeps the two equal).
    """
    return {
        "DASK_" + "__".join(part.upper().replace("-", "_") for part in key.split(".")): (
            str(value)
        )
        for key, value in DASK_WORKER_CONFIG.items()
    }


@contextlib.contextmanager
def dask_executor(
    scheduler: Any, *, timeout: float = 30.0, direct_to_workers: bool = True
) -> Iterator[Executor]:
    """An executor running on a Dask cluster, for ``verify_many(..., executor=...)``.

    ``scheduler`` is a scheduler address (``tcp://10.0.0.5:8786``) or a
    ``distributed.Client`` the caller already holds (it stays open; a client opened here from
    an address is closed on exit). ``timeout`` bounds the wait for the scheduler, in seconds.

    ``direct_to_workers``: a client opened here fetches each chunk's reports straight from
    the worker that made them. Dask's default sends them through the scheduler, which then
    carries every report of the run (about 14 KB a record) on top of scheduling: the one
    process a cluster cannot add more of (docs/scale.md). Pass ``False`` only when the
    client's machine cannot open connections to the workers. A client you hold keeps its
    own setting (``distributed.Client(..., direct_to_workers=True)``).

    Raises :class:`~hocbaso.errors.VerificationInputError`: ``VERIFY.INPUT.DASK_MISSING`` when
    the ``dask`` extra is not installed, ``VERIFY.INPUT.SCHEDULER`` when no scheduler answers
    at the address. Workers must have the same hocbaso version installed.
    """
    try:
        import distributed
    except ModuleNotFoundError:
        raise VerificationInputError(
            "Running on a Dask cluster needs the dask extra: pip install 'hocbaso[dask]'.",
            "Chạy trên cụm Dask cần gói bổ sung dask: pip install 'hocbaso[dask]'.",
            code="VERIFY.INPUT.DASK_MISSING",
        ) from None
    Client: Any = distributed.Client  # distributed's own hints are partial (mypy --strict)
    if isinstance(scheduler, Client):
        yield scheduler.get_executor(pure=False)
        return
    try:
        client: Any = Client(
            str(scheduler),
            timeout=timeout,
            set_as_default=False,
            direct_to_workers=direct_to_workers,
        )
    except (OSError, TimeoutError, ValueError) as exc:
        # The address is the user's own option, not file content; the cause's type is enough.
        raise VerificationInputError(
            f"No Dask scheduler answered at the given address ({type(exc).__name__}).",
            f"Không có bộ điều phối Dask trả lời tại địa chỉ đã cho ({type(exc).__name__}).",
            code="VERIFY.INPUT.SCHEDULER",
        ) from None
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()


def worker_threads(executor: Executor) -> int | None:
    """How many tasks a Dask executor's cluster runs at once (``None``: not a Dask executor)."""
    client = getattr(executor, "_client", None)
    nthreads = getattr(client, "nthreads", None)
    if nthreads is None:
        return None
    try:
        return max(1, sum(int(n) for n in nthreads().values()))
    except Exception:  # a closed or unreachable client: verify_many's default window applies
        return None
