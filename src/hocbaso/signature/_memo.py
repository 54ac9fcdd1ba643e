"""Process-local memory of packets whose every signature this process has verified.

Why: before adding a role the core re-verifies the signatures it depends on (docs/signing.md §2,
"present and valid"). Signing one record through all roles would then verify GVBM signatures three
times over, and the KY_PHAT_HANH step alone re-checks every earlier signature — most of the cost of
signing a record. But when the input bytes are exactly bytes this process produced a moment
ago, with every signature in them verified, checking again proves nothing new.

Soundness: entries are keyed by the *whole packet's exact bytes* (compared in full) together
with the :class:`SigningPolicy` it was verified under. A packet enters only when (a) every
signature in the input was verified under that policy, or the input itself was an entry, and
(b) the new signature value was verified against its certificate in
:func:`~hocbaso.signature.complete`. Splicing never changes bytes an
earlier signature covers, so (a) and (b) make every signature of the output valid. The memory is
bounded (LRU, in entries and in bytes: :class:`Bounded`) and never leaves the process; a
packet from anywhere else is verified in full.

An entry may also carry the packet's latest signing time, the maximum over its signatures, as
the core computed it when it produced those bytes (the input's latest and each new signature's
time): on a hit the next role's "times never go backwards" check needs no SigningTime read. It
is a fact about exactly the bytes the key names, so it is as sound as the entry itself; an
entry without it (``None``) makes the core read the times as before.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime

from hocbaso.signature._bounded import Bounded, clear_all
from hocbaso.signature._policy import SigningPolicy

__all__ = [
    "MAX_BYTES",
    "forget_all",
    "is_record_checked",
    "is_verified",
    "note_prepared",
    "note_record_checked",
    "note_verified",
    "prepared_policy",
    "verified_latest",
]

_MAX = 4096
#: Most bytes of packets one memory keys at a time (the keys *are* the packets' bytes).
MAX_BYTES = 64 * 1024 * 1024

def _max() -> int:
    return _MAX


_verified: Bounded[tuple[bytes, SigningPolicy], tuple[datetime | None]] = Bounded(
    lambda key: len(key[0]), _max
)
_prepared: OrderedDict[bytes, tuple[bytes, SigningPolicy]] = OrderedDict()
_record_checked: Bounded[bytes, bool] = Bounded(len, _max)
_lock = threading.Lock()


def is_verified(packet: bytes, policy: SigningPolicy) -> bool:
    return verified_latest(packet, policy)[0]


def verified_latest(packet: bytes, policy: SigningPolicy) -> tuple[bool, datetime | None]:
    """Whether the packet (its exact bytes) is an entry, and its latest signing time if the
    entry has one."""
    found = _verified.get((packet, policy))
    if found is None:
        return False, None
    return True, found[0]


def note_verified(packet: bytes, policy: SigningPolicy, latest: datetime | None = None) -> None:
    """Remember a fully verified packet; ``latest`` is its latest signing time, if known."""
    _verified.put((packet, policy), (latest,), max_bytes=MAX_BYTES)


def note_prepared(digest: bytes, state_key: bytes, policy: SigningPolicy) -> None:
    """Remember that a prepared signature's input had every signature verified.

    ``digest`` (of the bytes to sign) finds the entry cheaply; ``state_key`` (all of the state's
    bytes) must match too, because two packets can share the same SignedInfo.
    """
    with _lock:
        _prepared[digest] = (state_key, policy)
        _prepared.move_to_end(digest)
        while len(_prepared) > _MAX:
            _prepared.popitem(last=False)


def prepared_policy(digest: bytes, state_key: Callable[[], bytes]) -> SigningPolicy | None:
    """The policy a prepared state's input was verified under, if this process prepared it."""
    with _lock:
        entry = _prepared.get(digest)
    if entry is None or entry[0] != state_key():
        return None
    return entry[1]


def note_record_checked(packet: bytes) -> None:
    """Remember a packet that passed the record checks of CBQL/KY_PHAT_HANH (``_checks``).

    A packet enters when it passed them itself, or when it is a packet that did plus one
    Signature this process spliced into a slot: splicing changes no byte of the record, and
    the Signature the library builds is valid for the XSD. So KY_PHAT_HANH right after CBQL
    does not read and check the same record again (about 0.3 ms saved of a ~1 ms step).
    Keyed by the packet's exact bytes; no policy is involved (the checks have none).
    """
    _record_checked.put(packet, True, max_bytes=MAX_BYTES)


def is_record_checked(packet: bytes) -> bool:
    return packet in _record_checked


def forget_all() -> None:
    """Clear the memory, packet layouts included (tests use it to force full verification)."""
    clear_all()  # every Bounded map: these and the layouts (``_known``)
    with _lock:
        _prepared.clear()
