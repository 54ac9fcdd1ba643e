"""Reading a signed revocation notice (thông báo thu hồi, SPEC §5).

The notice format belongs to the signing core; until it publishes a reader, every notice given
as bytes is treated as unverifiable (``STATUS.NOTICE_INVALID``, a WARN) rather than believed.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hocbaso.verify._status import RevocationNotice
    from hocbaso.verify._trust import CrlSet, TrustStore

__all__ = ["read_notice"]


def read_notice(
    data: bytes, trust: TrustStore, crls: CrlSet, at: dt.datetime
) -> RevocationNotice | None:
    """The verified notice, or None when it cannot be verified."""
    return None
