"""``verify_many``: many packets on any ``concurrent.futures.Executor``, results in input order.

Verification is CPU-bound (parsing, canonicalisation, RSA), so the default is a process pool.
Any executor works: a thread pool (useful when the GIL is released in lxml/OpenSSL work or for
small batches), a Dask cluster (:func:`hocbaso.verify.dask_executor`, i.e.
``distributed.Client.get_executor()``) or Ray's executor. Reports travel light: the signed
bytes, not the model (``VerificationReport``).
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

from hocbaso.errors import HocBaSoError, InputError, VerificationInputError
from hocbaso.packet import DEFAULT_LIMITS
from hocbaso.packet._internal import packet_bytes
from hocbaso.verify._codes import Status
from hocbaso.verify._crl import CrlSet
from hocbaso.verify._dask import worker_threads
from hocbaso.verify._notice import RevocationNotice
from hocbaso.verify._policy import STRICT, VerificationPolicy
from hocbaso.verify._report import StepResult, VerificationReport
from hocbaso.verify._trust import TrustStore
from hocbaso.verify._verify import _many_bytes, as_crl_set, packet_input, verify

__all__ = ["read_packet_file", "verify_many"]

def read_packet_file(
    path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_LIMITS.max_bytes
) -> bytes:
    """Read at most ``max_bytes + 1`` bytes of a *regular* file, never more.

    A packet larger than the parser's limit is refused by :func:`verify` anyway
    (``PARSE.TOO_LARGE``); reading one byte past the limit is enough to know, so a 1 GiB file
    costs 4 MiB, not 1 GiB. Anything that is not a regular file (a directory, ``/dev/zero``, a
    FIFO, a socket) is refused before a byte is read: reading a device can be endless and
    opening a FIFO can block forever, so the file is opened non-blocking and checked with
    ``fstat`` on the open descriptor (no race between the check and the read).

    Raises :class:`~hocbaso.errors.VerificationInputError` with ``VERIFY.INPUT.NOT_A_FILE``
    or ``VERIFY.INPUT.UNREADABLE`` (missing, no permission, I/O error). Messages never carry
    the file name (names of student files often contain the student's name).
    """
    try:
        return packet_bytes(Path(path), what="path", max_bytes=max_bytes)
    except InputError as err:
        # The one safe reader is hocbaso.packet's (regular files only, capped, O_NONBLOCK,
        # fstat on the open descriptor); here its refusals keep their VERIFY.INPUT.* codes.
        if err.code == "INPUT.NOT_A_FILE":
            raise VerificationInputError(
                "Not a regular file (a directory, device, pipe or socket); give a packet file.",
                "Không phải tệp thông thường (thư mục, thiết bị, ống dẫn); hãy đưa tệp gói tin.",
                code="VERIFY.INPUT.NOT_A_FILE",
            ) from None
        raise VerificationInputError(
            err.message_en, err.message_vi, code="VERIFY.INPUT.UNREADABLE"
        ) from None


def _failed(code: str, en: str = "", vi: str = "") -> VerificationReport:
    """The report of an item that could not be verified at all: one FAIL, nothing else."""
    return VerificationReport((StepResult.of(code, Status.FAIL, extra_en=en, extra_vi=vi),))


_LOAD_CODES = {
    "VERIFY.INPUT.NOT_A_FILE": "PARSE.NOT_A_FILE",
    "VERIFY.INPUT.UNREADABLE": "PARSE.UNREADABLE",
}


def _load(item: bytes | str | os.PathLike[str]) -> bytes | VerificationReport:
    """The packet's bytes, or the FAIL report of a path that cannot be read."""
    if isinstance(item, bytes | bytearray | memoryview):
        return bytes(item)
    if not isinstance(item, str | os.PathLike):
        try:  # the library's own objects (an IssuedRecord: its signed bytes)
            return packet_input(item, "items")
        except HocBaSoError:
            return _failed("PARSE.UNREADABLE", "(not a packet or a path)", "(không phải gói tin)")
    try:
        return read_packet_file(item)
    except VerificationInputError as err:
        return _failed(_LOAD_CODES.get(err.code, "PARSE.UNREADABLE"))
    except (TypeError, ValueError):  # not a path at all (None, an int, a NUL in the name)
        return _failed("PARSE.UNREADABLE", "(not a packet or a path)", "(không phải gói tin)")


_Args = tuple[
    TrustStore,
    dt.datetime,
    CrlSet,
    tuple[bytes | RevocationNotice, ...],
    tuple[bytes, ...],
    VerificationPolicy,
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


def _verify_one(item: bytes | str | os.PathLike[str], args: _Args) -> VerificationReport:
    """One item's report; whatever happens, this item fails alone and the batch goes on."""
    trust, at, crls, revocations, previous, policy = args
    data = _load(item)
    if isinstance(data, VerificationReport):
        return data
    try:
        return verify(
            data,
            trust,
            at=at,
            crls=crls,
            revocations=revocations,
            previous_versions=previous,
            policy=policy,
        )
    except Exception as exc:  # a defect on one file must not lose the others
        # The exception's text may quote the file's content; only its type is reported.
        name = type(exc).__name__
        return _failed("PARSE.VERIFIER_ERROR", f"({name})", f"({name})")


class _Reports(list[VerificationReport]):
    """A chunk's reports, as a list of its own type so that Dask pickles it in one piece.

    ``distributed`` sends a task's result to the client wrapped for serialisation, and a
    result whose type is exactly ``list`` is then taken apart: every element is pickled on
    its own, with its own header and frame. For 128 reports that cost the worker about 9 ms
    and the client 2 ms per chunk, against 1 ms and 0.1 ms for one pickle of the whole list
    (docs/scale.md). Anything but a plain ``list``, ``tuple``, ``set`` or ``dict`` goes in
    one piece. A process pool pickles the result whole either way, and callers see a list.
    """

    __slots__ = ()


def _verify_chunk(
    items: list[bytes | str | os.PathLike[str]], settings: _Settings
) -> list[VerificationReport]:
    return _Reports(_verify_one(i, settings.args) for i in items)


def verify_many(
    items: Iterable[bytes | str | os.PathLike[str]],
    trust: TrustStore,
    *,
    executor: Executor | None = None,
    at: dt.datetime | None = None,
    crls: Iterable[x509.CertificateRevocationList | bytes] | CrlSet = (),
    revocations: Iterable[bytes | RevocationNotice] = (),
    previous_versions: Iterable[bytes] = (),
    policy: VerificationPolicy = STRICT,
    chunk_size: int | None = None,
    max_in_flight: int | None = None,
) -> Iterator[VerificationReport]:
    """Verify packets (bytes or file paths) and yield one report per item, in input order.

    ``executor`` defaults to a :class:`~concurrent.futures.ProcessPoolExecutor` created (and
    shut down) here. Files are read in the worker, so paths travel cheaply. ``at`` is fixed
    once for the whole batch (default: now, UTC) so every report uses the same clock.
    ``revocations`` and ``previous_versions`` are shared by the whole batch: each record
    picks the notices and earlier versions that name it (by identifier, version and digest).

    Each item is isolated: a path that is missing or not a regular file, or a packet on which
    the verifier itself fails, yields a report with one FAIL (``PARSE.UNREADABLE``,
    ``PARSE.NOT_A_FILE``, ``PARSE.VERIFIER_ERROR``) in its place and the batch goes on. Files
    are read up to the parser's size limit plus one byte (:func:`read_packet_file`).

    ``chunk_size`` items travel per task (default 32 on a process pool, where a task costs the
    parent process about half a millisecond; 128 on a Dask cluster, where a task costs the
    client and the scheduler about a millisecond: docs/scale.md); at most
    ``max_in_flight`` chunks (default 4 per worker) are submitted and not yet yielded, and at
    most one chunk per worker is read ahead, so memory stays flat for any number of items;
    finished chunks at the head are yielded as soon as they are done. Large chunks start
    small (an eighth, a quarter, a half) so workers begin at once, and the last items of the
    input go out in shrinking pieces so the workers finish together.
    """
    if isinstance(items, bytes | bytearray | memoryview | str):
        raise VerificationInputError(
            "verify_many takes an iterable of packets or paths; use verify for one packet.",
            "verify_many nhận một dãy gói tin hoặc đường dẫn; dùng verify cho một gói tin.",
            code="VERIFY.INPUT.NOT_A_LIST",
        )
    if at is None:
        at = dt.datetime.now(dt.UTC)
    elif at.tzinfo is None:  # refused once here, not reported as a failure of every file
        raise VerificationInputError(
            "The verification time must carry a time zone.",
            "Thời điểm kiểm tra phải có múi giờ.",
            code="VERIFY.INPUT.NAIVE_TIME",
        )
    crl_set = as_crl_set(crls)
    notices = tuple(_many_bytes(revocations, "revocations"))
    previous = tuple(bytes(p) for p in _many_bytes(previous_versions, "previous_versions"))
    own = executor is None
    pool: Executor = ProcessPoolExecutor() if executor is None else executor
    cluster = worker_threads(pool)
    workers = getattr(pool, "_max_workers", None) or cluster or os.cpu_count() or 2
    if chunk_size is None:
        # A Dask task costs the client and the scheduler about a millisecond of CPU, which on
        # a small cluster competes with the workers: 128 records a task brought a 2-worker
        # LocalCluster from 0.85 to 0.91 of the machine's ceiling (docs/scale.md); the finer
        # tail below keeps the workers finishing together.
        # A process pool's task costs the parent about half a millisecond of CPU (the call
        # item, the pipe, the result thread), which on a small machine competes with the
        # workers: 8 records a task took the parent ≈ 0.13 ms per record, 32 ≈ 0.05
        # (docs/scale.md).
        chunk_size = 128 if cluster is not None else 32
    # The in-flight window bounds memory whatever the number of items: at most ``limit``
    # chunks are submitted and not yet yielded, and the input iterator is read only as the
    # window drains (a generator of 10 million paths is never materialised).
    limit = max_in_flight or 4 * int(workers)
    # Look-ahead: up to one chunk per worker is read before it is submitted, so that when the
    # input ends the last items can be cut finer (below) and every worker finishes at about
    # the same time instead of one of them verifying a whole last chunk alone.
    ahead = chunk_size * int(workers) if limit > 1 else 0
    pending: deque[tuple[Future[list[VerificationReport]], int]] = deque()
    try:
        buffer: deque[bytes | str | os.PathLike[str]] = deque()

        settings = _Settings((trust, at, crl_set, notices, previous, policy))

        def submit(size: int) -> None:
            chunk = [buffer.popleft() for _ in range(min(size, len(buffer)))]
            pending.append((pool.submit(_verify_chunk, chunk, settings), len(chunk)))

        # Ramp-up: with large chunks (a cluster's 128 records, about 10 MB of packets) the
        # workers would wait for a whole first chunk to be shipped before verifying anything;
        # the first chunks of each worker are an eighth, a quarter and a half of a chunk.
        ramp = deque(
            chunk_size >> shift
            for shift in (3, 2, 1)
            for _ in range(int(workers))
            if chunk_size >= _RAMP_FROM
        )
        for item in items:
            buffer.append(item)
            size = ramp[0] if ramp else chunk_size
            if len(buffer) >= size + ahead:
                if ramp:
                    ramp.popleft()
                submit(size)
                while len(pending) >= limit:
                    yield from _results(*pending.popleft())
                # Stream: hand back what is already done at the head, without waiting for
                # the window to fill (a JSON Lines output then grows as work completes).
                while pending and pending[0][0].done():
                    yield from _results(*pending.popleft())
        # The tail: what is left (fewer than chunk_size + ahead items) goes in shrinking
        # pieces, each a half of one worker's share of what remains ("guided" scheduling), so
        # the last pieces are small and the workers finish within a few records of each
        # other; never below ``smallest`` (a cluster's per-task cost stays a small fraction),
        # still bounded by the window.
        smallest = max(1, chunk_size // 32)
        while buffer:
            submit(_tail_piece(len(buffer), int(workers), chunk_size, smallest))
            while len(pending) >= limit:
                yield from _results(*pending.popleft())
        while pending:
            yield from _results(*pending.popleft())
    finally:
        for f, _ in pending:
            f.cancel()
        if own:
            pool.shutdown(wait=True, cancel_futures=True)


#: Chunks at least this large start with smaller ones (ramp-up); a chunk of 8 ships at once.
_RAMP_FROM = 64


def _tail_piece(remaining: int, workers: int, chunk_size: int, smallest: int) -> int:
    """The next tail piece: half a worker's share of ``remaining``, within [smallest, chunk]."""
    return max(1, min(remaining, chunk_size, max(smallest, -(-remaining // (2 * workers)))))


def _results(future: Future[list[VerificationReport]], n: int) -> list[VerificationReport]:
    """A chunk's reports; if the worker itself died (a crashed process, a broken pool), each
    of its items gets its own FAIL instead of the whole batch raising."""
    try:
        return future.result()
    except Exception as exc:  # isolate the chunk, keep the batch
        name = type(exc).__name__
        return [_failed("PARSE.VERIFIER_ERROR", f"({name})", f"({name})") for _ in range(n)]
