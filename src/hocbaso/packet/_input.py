"""What every entry point that takes a packet accepts, turned into bytes in one place.

Accepted: ``bytes``, ``bytearray``, ``memoryview``; an ``os.PathLike`` (a ``pathlib.Path``),
read here; and objects that give their packet bytes through ``bytes(obj)`` (``__bytes__``),
such as :class:`~hocbaso.signature.IssuedRecord`, whose bytes are its signed bytes.

Refused with :class:`~hocbaso.errors.InputError` (``INPUT.TYPE``), saying what to pass:
``str`` — it is ambiguous (XML text or a file name?), and guessing wrong once reported a file
*name* as malformed XML — and everything else. The rule lives in the packet layer because that
is the lowest layer that reads packets; the layers above call it instead of repeating it.

A file is read safely: only a regular file (no FIFO, device or directory, which could block
or never end: ``INPUT.NOT_A_FILE``), and at most ``max_bytes + 1`` bytes, so a huge
file costs no more than the size check that then refuses it (``PARSE.TOO_LARGE``).
"""

from __future__ import annotations

import os
import stat
from typing import Any, SupportsBytes, TypeAlias

from hocbaso.errors import InputError

__all__ = ["PacketSource", "packet_bytes", "type_name"]

#: What a packet argument may be (for type checkers; :func:`packet_bytes` checks at run time).
PacketSource: TypeAlias = "bytes | bytearray | memoryview | os.PathLike[str] | SupportsBytes"

_PASS_VI = "hãy truyền bytes (nội dung tệp) hoặc pathlib.Path (đường dẫn tệp)"
_PASS_EN = "pass bytes (the file's content) or a pathlib.Path (to read a file)"


def type_name(value: object) -> str:
    """The type of an argument, for a message: never its value (it may be personal data)."""
    return type(value).__name__


def packet_bytes(
    source: Any,
    *,
    what: str,
    max_bytes: int,
) -> bytes:
    """The bytes of ``source`` (see the module docstring), or :class:`InputError`.

    ``what`` names the argument in the message (``"previous_signed"``, ``"packet"``);
    ``max_bytes`` is the parse limit in force (``ParseLimits.max_bytes``; a parameter rather
    than an import, because the parser itself calls this).
    """
    if isinstance(source, bytes):
        return source
    if isinstance(source, bytearray | memoryview):
        return bytes(source)
    if isinstance(source, os.PathLike):
        return _read_file(source, max_bytes + 1)
    if isinstance(source, str):
        raise InputError(
            f"{what}: got str; {_PASS_EN}. XML text in a str: pass text.encode('utf-8')",
            f"{what}: nhận được str; {_PASS_VI}. Nếu là văn bản XML: text.encode('utf-8')",
            code="INPUT.TYPE",
            path=what,
        )
    if hasattr(type(source), "__bytes__") and not isinstance(source, int):
        data = bytes(source)
        if isinstance(data, bytes):
            return data
    raise InputError(
        f"{what}: got {type_name(source)}; {_PASS_EN}",
        f"{what}: nhận được {type_name(source)}; {_PASS_VI}",
        code="INPUT.TYPE",
        path=what,
    )


def _read_file(path: os.PathLike[Any], cap: int) -> bytes:
    """At most ``cap`` bytes of a regular file. The file name is never put in a message."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _unreadable(exc) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(
                "the path is not a regular file (a directory, device or pipe)",
                "đường dẫn không phải tệp thông thường (thư mục, thiết bị hoặc ống)",
                code="INPUT.NOT_A_FILE",
            )
        # Reads sized by the file's own size (plus one byte, so a file that grew since fstat
        # is still read to its end or the cap): os.read allocates the whole size asked for
        # before it knows how much comes back, and a fixed 1 MiB per read cost two such
        # allocations per packet. The size is only a hint; the loop still stops at EOF or cap.
        step = max(4096, min(info.st_size + 1, 1 << 20))
        chunks: list[bytes] = []
        left = cap
        while left > 0:
            chunk = os.read(fd, min(left, step))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise _unreadable(exc) from None
    finally:
        os.close(fd)


def _unreadable(exc: OSError) -> InputError:
    reason = exc.strerror or type(exc).__name__
    return InputError(
        f"the file cannot be read ({reason})",
        f"không đọc được tệp ({reason})",
        code="INPUT.UNREADABLE",
    )
