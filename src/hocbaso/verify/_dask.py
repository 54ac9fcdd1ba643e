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
from collections.abc import Iterator
from concurrent.futures import Executor
from typing import Any

from hocbaso.errors import VerificationInputError

__all__ = ["dask_executor"]


@contextlib.contextmanager
def dask_executor(scheduler: Any, *, timeout: float = 30.0) -> Iterator[Executor]:
    """An executor running on a Dask cluster, for ``verify_many(..., executor=...)``.

    ``scheduler`` is a scheduler address (``tcp://10.0.0.5:8786``) or a
    ``distributed.Client`` the caller already holds (it stays open; a client opened here from
    an address is closed on exit). ``timeout`` bounds the wait for the scheduler, in seconds.

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
        client: Any = Client(str(scheduler), timeout=timeout, set_as_default=False)
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
