"""The Id format of a subject row (``mon-<MA_MON_HOC>``), written once.

It lives at the bottom layer because two layers that may not import each other name rows by it:
the packet layout (``hocbaso/packet/_layout.py``, which re-exports it with every other layout
fact) and the Thông tư 22 engine, whose findings carry the packet path of the field they are
about (docs/packet.md §3).
"""

from __future__ import annotations

__all__ = ["MON_ID_PREFIX", "mon_id", "mon_of_id"]

#: A subject row's Id is this prefix and its subject code (signed by its GVBM).
MON_ID_PREFIX = "mon-"


def mon_id(ma_mon_hoc: str) -> str:
    """Id of a subject row, the target of its subject teacher's signature."""
    return f"{MON_ID_PREFIX}{ma_mon_hoc}"


def mon_of_id(value: str) -> str | None:
    """The subject code a subject-row Id names (``mon-15`` → ``15``), or None for other Ids."""
    return value[len(MON_ID_PREFIX) :] if value.startswith(MON_ID_PREFIX) else None
