"""``verify_many``: many packets on any ``concurrent.futures.Executor``, results in input order.

Verification is CPU-bound (parsing, canonicalisation, RSA), so the default is a process pool.
Any executor works: a thread pool (useful when the GIL is released in lxml/OpenSSL work or for
small batches), a Dask ``distributed.Client.get_executor()`` or Ray's executor for a cluster.
Work is submitted in chunks, at most a bounded number in flight, and yielded strictly in input
order as soon as the next one is ready (a generator: results stream back, memory stays flat).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from cryptography import x509

from hocbaso.errors import VerificationInputError
from hocbaso.verify._policy import STRICT, VerificationPolicy
from hocbaso.verify._report import VerificationReport
from hocbaso.verify._status import RevocationNotice
from hocbaso.verify._trust import CrlSet, TrustStore
from hocbaso.verify._verify import as_crl_set, verify

__all__ = ["verify_many"]


def _load(item: bytes | str | os.PathLike[str]) -> bytes:
    if isinstance(item, bytes | bytearray | memoryview):
        return bytes(item)
    return Path(item).read_bytes()


_Args = tuple[
    TrustStore, dt.datetime, CrlSet, tuple[bytes | RevocationNotice, ...], VerificationPolicy
]

#: Worker-side: decoded batch settings by SHA-256 of their exact pickled bytes. A batch sends
#: the same settings with every chunk; decoding them once per worker keeps the CrlSet's
#: signature/entry caches and the trust store warm from chunk to chunk. Bounded.
_DECODED: dict[bytes, _Args] = {}
_DECODED_LOCK = threading.Lock()
_MAX_DECODED = 8


class _Settings:
    """The per-batch arguments of ``verify``, pickled once for all chunks of a batch.

    In a thread pool nothing is pickled and the object itself is shared. In a process pool
    (or any pickling executor: Dask, Ray) each chunk carries the same small blob, and a worker
    decodes it only the first time it sees its digest. Keyed by the digest of the exact bytes,
    so two batches with different trust, time, CRLs, notices or policy never share an entry.
    """

    __slots__ = ("_blob", "args")

    def __init__(self, args: _Args) -> None:
        self.args = args
        self._blob: bytes | None = None

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        if self._blob is None:
            self._blob = pickle.dumps(self.args, protocol=pickle.HIGHEST_PROTOCOL)
        return (_decode_settings, (self._blob,))


def _decode_settings(blob: bytes) -> _Settings:
    key = hashlib.sha256(blob).digest()
    with _DECODED_LOCK:
        args = _DECODED.get(key)
    if args is None:
        args = pickle.loads(blob)  # our own blob, pickled by the parent process
        with _DECODED_LOCK:
            if len(_DECODED) >= _MAX_DECODED:
                _DECODED.clear()
            _DECODED[key] = args
    return _Settings(args)


def _verify_chunk(
    items: list[bytes | str | os.PathLike[str]], settings: _Settings
) -> list[VerificationReport]:
    trust, at, crls, revocations, policy = settings.args
    return [
        verify(_load(i), trust, at=at, crls=crls, revocations=revocations, policy=policy)
        for i in items
    ]


def verify_many(
    items: Iterable[bytes | str | os.PathLike[str]],
    trust: TrustStore,
    *,
    executor: Executor | None = None,
    at: dt.datetime | None = None,
    crls: Iterable[x509.CertificateRevocationList | bytes] | CrlSet = (),
    revocations: Iterable[bytes | RevocationNotice] = (),
    policy: VerificationPolicy = STRICT,
    chunk_size: int = 8,
    max_in_flight: int | None = None,
) -> Iterator[VerificationReport]:
    """Verify packets (bytes or file paths) and yield one report per item, in input order.

    ``executor`` defaults to a :class:`~concurrent.futures.ProcessPoolExecutor` created (and
    shut down) here. Files are read in the worker, so paths travel cheaply. ``at`` is fixed
    once for the whole batch (default: now, UTC) so every report uses the same clock.
    Version chains are per record and not supported here; use :func:`verify` for those.
    """
    if isinstance(items, bytes | bytearray | memoryview | str):
        raise VerificationInputError(
            "verify_many takes an iterable of packets or paths; use verify for one packet.",
            "verify_many nhận một dãy gói tin hoặc đường dẫn; dùng verify cho một gói tin.",
            code="VERIFY.INPUT.NOT_A_LIST",
        )
    if at is None:
        at = dt.datetime.now(dt.UTC)
    crl_set = as_crl_set(crls)
    notices = tuple(revocations)
    own = executor is None
    pool: Executor = ProcessPoolExecutor() if executor is None else executor
    workers = getattr(pool, "_max_workers", None) or os.cpu_count() or 2
    limit = max_in_flight or 4 * int(workers)
    pending: deque[Future[list[VerificationReport]]] = deque()
    try:
        chunk: list[bytes | str | os.PathLike[str]] = []

        settings = _Settings((trust, at, crl_set, notices, policy))

        def submit() -> None:
            pending.append(pool.submit(_verify_chunk, list(chunk), settings))
            chunk.clear()

        for item in items:
            chunk.append(item)
            if len(chunk) >= chunk_size:
                submit()
                while len(pending) >= limit:
                    yield from pending.popleft().result()
        if chunk:
            submit()
        while pending:
            yield from pending.popleft().result()
    finally:
        for f in pending:
            f.cancel()
        if own:
            pool.shutdown(wait=True, cancel_futures=True)
