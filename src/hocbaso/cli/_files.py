"""File input and output shared by the commands.

Inputs are read as a verifier reads them: regular files only (never a device, FIFO or
folder), and never more than the parser's size limit plus one byte. Outputs are written
atomically: never a half-written packet behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

import click

from hocbaso.errors import ParseError
from hocbaso.packet import DEFAULT_LIMITS
from hocbaso.verify import CrlSet, TrustStore, read_packet_file

__all__ = ["echo_json", "load_trust", "read_input", "write_atomically", "write_output"]


def read_input(path: Path, *, max_bytes: int = DEFAULT_LIMITS.max_bytes) -> bytes:
    """The bytes of one input file, refused with a coded error when it cannot be one.

    ``VERIFY.INPUT.NOT_A_FILE`` / ``VERIFY.INPUT.UNREADABLE`` (from
    :func:`hocbaso.verify.read_packet_file`) or ``PARSE.TOO_LARGE``.
    """
    data = read_packet_file(path, max_bytes=max_bytes)
    if len(data) > max_bytes:
        raise ParseError(
            f"Document is larger than {max_bytes} bytes",
            f"Tệp lớn hơn giới hạn {max_bytes} byte",
            code="PARSE.TOO_LARGE",
        )
    return data


def load_trust(
    trust_paths: tuple[Path, ...], crl_paths: tuple[Path, ...]
) -> tuple[TrustStore, CrlSet]:
    """The trust anchors (``--trust``) and CRLs (``--crl``) every verifying command takes,
    each CRL read as an input file is (bounded, regular files only)."""
    return TrustStore.from_pem(*trust_paths), CrlSet([read_input(p) for p in crl_paths])


def write_atomically(out: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``out``, then rename it over ``out``.

    A crash or a full disk leaves either the old file or the new one, never a truncated
    packet that a later step might sign or submit.
    """
    folder = out.resolve().parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_output(out: Path, data: bytes) -> None:
    """:func:`write_atomically`, with an unwritable place reported as a usage error."""
    try:
        write_atomically(out, data)
    except OSError as exc:
        raise click.UsageError(f"cannot write {out}: {exc.strerror}") from None


def echo_json(obj: object) -> None:
    """One JSON document on stdout, UTF-8 with the Vietnamese letters as they are."""
    text = json.dumps(obj, ensure_ascii=False, indent=2) + "\n"
    click.echo(text.encode("utf-8"), nl=False)
