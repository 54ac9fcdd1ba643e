"""Process-local memory of packets whose every signature this process has verified.

Why: before adding a role the core re-verifies the signatures it depends on (docs/signing.md §2,
"present and valid"). Signing one record through all roles would then verify GVBM signatures three
times over, and the KY_PHAT_HANH step alone re-checks every earlier signature — most of the cost of
signing a record. But when the input bytes are exactly bytes this process produced a moment
ago, with every signature in them verified, checking again proves nothing new.

Soundness: entries are keyed by the SHA-256 of the *whole packet* (collision resistance makes a
different packet with the same key infeasible) together with the :class:`SigningPolicy` it was
verified under. A packet enters only when (a) every signature in the input was verified under
that policy, or the input itself was an entry, and (b) the new signature value was verified
against its certificate in :func:`~hocbaso.signature.complete`. Splicing never changes bytes an
earlier signature covers, so (a) and (b) make every signature of the output valid. The memory is
bounded (LRU) and never leaves the process; a packet from anywhere else is verified in full.

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

from hocbaso.signature._policy import SigningPolicy

__all__ = [
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
_lock = threading.Lock()
_verified: OrderedDict[tuple[bytes, SigningPolicy], datetime | None] = OrderedDict()
_prepared: OrderedDict[bytes, tuple[bytes, SigningPolicy]] = OrderedDict()
_record_checked: OrderedDict[bytes, None] = OrderedDict()


def is_verified(packet_digest: bytes, policy: SigningPolicy) -> bool:
    return verified_latest(packet_digest, policy)[0]


def verified_latest(packet_digest: bytes, policy: SigningPolicy) -> tuple[bool, datetime | None]:
    """Whether the packet is an entry, and its latest signing time if the entry has one."""
    key = (packet_digest, policy)
    with _lock:
        if key in _verified:
            _verified.move_to_end(key)
            return True, _verified[key]
    return False, None


def note_verified(
    packet_digest: bytes, policy: SigningPolicy, latest: datetime | None = None
) -> None:
    """Remember a fully verified packet; ``latest`` is its latest signing time, if known."""
    with _lock:
        _verified[(packet_digest, policy)] = latest
        _verified.move_to_end((packet_digest, policy))
        while len(_verified) > _MAX:
            _verified.popitem(last=False)


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


def note_record_checked(packet_digest: bytes) -> None:
    """Remember a packet that passed the record checks of CBQL/KY_PHAT_HANH (``_checks``).

    A packet enters when it passed them itself, or when it is a packet that did plus one
    Signature this process spliced into a slot: splicing changes no byte of the record, and
    the Signature the library builds is valid for the XSD. So KY_PHAT_HANH right after CBQL
    does not read and check the same record again (about 0.3 ms saved of a ~1 ms step).
    Keyed by the SHA-256 of the whole packet; no policy is involved (the checks have none).
    """
    with _lock:
        _record_checked[packet_digest] = None
        _record_checked.move_to_end(packet_digest)
        while len(_record_checked) > _MAX:
            _record_checked.popitem(last=False)


def is_record_checked(packet_digest: bytes) -> bool:
    with _lock:
        if packet_digest in _record_checked:
            _record_checked.move_to_end(packet_digest)
            return True
    return False


def forget_all() -> None:
    """Clear the memory, packet layouts included (tests use it to force full verification)."""
    from hocbaso.signature import _known  # the layouts sit above this module (they parse)

    _known.forget_all()
    with _lock:
        _verified.clear()
        _prepared.clear()
        _record_checked.clear()
