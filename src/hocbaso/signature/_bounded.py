"""A least-recently-used map bounded in entries and in bytes, for the signing memories.

Every instance registers itself, so :func:`clear_all` (``_memo.forget_all``) empties all of them
— the verified and record-checked memories (``_memo``) and the layout memory (``_known``) —
without the lower module importing the higher one.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

__all__ = ["Bounded", "clear_all"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Bounded(Generic[K, V]):
    """A least-recently-used map bounded in entries and in the bytes its keys hold.

    Why keys are the packets' own bytes, not their SHA-256: equality of bytes is exact (no
    collision argument needed), and a bytes object caches its hash, so looking up the very
    object signing returned costs nothing, where hashing 70 KB with SHA-256 costs ~10 % of a
    signature. Bytes equal to a key but read from elsewhere are hashed once (SipHash, faster
    than SHA-256) and compared in full. The weights count every key's length even when two
    memories hold the same bytes object, so the bound is conservative.
    """

    def __init__(self, weight: Callable[[K], int], max_entries: Callable[[], int]) -> None:
        self._map: OrderedDict[K, V] = OrderedDict()
        self._weight_of = weight
        self._max_entries = max_entries
        self._weight = 0
        self._lock = threading.Lock()
        _all.add(self)

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._map.get(key)
            if found is not None or key in self._map:
                self._map.move_to_end(key)
            return found

    def __contains__(self, key: K) -> bool:
        with self._lock:
            if key in self._map:
                self._map.move_to_end(key)
                return True
            return False

    def put(self, key: K, value: V, *, max_bytes: int) -> None:
        with self._lock:
            if key in self._map:
                self._weight -= self._weight_of(key)
            self._map[key] = value
            self._map.move_to_end(key)
            self._weight += self._weight_of(key)
            while self._map and (
                len(self._map) > self._max_entries() or self._weight > max_bytes
            ):
                dropped, _ = self._map.popitem(last=False)
                self._weight -= self._weight_of(dropped)

    def size(self) -> tuple[int, int]:
        """(entries, bytes held by the keys)."""
        with self._lock:
            return len(self._map), self._weight

    def clear(self) -> None:
        with self._lock:
            self._map.clear()
            self._weight = 0


_all: weakref.WeakSet[Bounded[Any, Any]] = weakref.WeakSet()


def clear_all() -> None:
    """Empty every :class:`Bounded` map of the process."""
    for memory in list(_all):
        memory.clear()
