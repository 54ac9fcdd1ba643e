"""Streaming the inputs of ``hocbaso verify``: files, folders, glob patterns, a file of paths.

A national run names millions of files, so nothing here builds a list of them: every source is
a generator, read only as fast as the verifier consumes it (``verify_many`` keeps a bounded
window in flight). The order is deterministic (folders and glob levels are walked in sorted
name order), which is what lets ``--resume`` match an existing JSON Lines output line by line
against the inputs without holding either in memory.

Rules, and why:

- a command-line argument that is a folder is walked recursively, in sorted order, for files
  whose name ends in one of ``FOLDER_SUFFIXES`` (case-insensitive); symbolic links to folders
  are not followed (no loops);
- an argument that does not exist and holds ``*``, ``?`` or ``[`` is a glob pattern (``**``
  spans folders), matched one folder level at a time in sorted order; a folder it matches is
  walked as above. Quote it so the shell does not expand it first (a shell expansion of a
  million names would exceed the argument limit anyway);
- any other argument is one input, even if missing (it gets its own FAIL in the report);
- ``--from-list FILE`` (``-`` for standard input) names one path per line, taken literally
  (never walked or globbed: a list is exact); blank lines are ignored.

Memory is bounded by the largest single folder's name list (sorted once), never by the number
of files in all.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

__all__ = ["FOLDER_SUFFIXES", "iter_inputs", "iter_list", "open_list", "walk_folder"]

#: File name endings a folder walk picks up: a packet is an ``.xml`` file, a package
#: (gói tin, docs/package.md) a ``.zip`` one (recognised by its first bytes, then verified
#: as its envelope and each entry; a ``.zip`` that is not a package is reported as such).
FOLDER_SUFFIXES: tuple[str, ...] = (".xml", ".zip")


def _sorted_entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as it:
            return sorted(it, key=lambda e: e.name)
    except OSError:  # unreadable or vanished folder: nothing to yield from it
        return []


def walk_folder(folder: Path) -> Iterator[Path]:
    """Files under ``folder`` ending in ``FOLDER_SUFFIXES``, depth first, sorted by name."""
    for entry in _sorted_entries(folder):
        path = folder / entry.name
        if entry.is_dir(follow_symlinks=False):
            yield from walk_folder(path)
        elif entry.name.lower().endswith(FOLDER_SUFFIXES):
            yield path


def _glob(pattern: str) -> Iterator[Path]:
    parts = Path(pattern).parts
    first = next(i for i, p in enumerate(parts) if glob.has_magic(p))
    base = Path(*parts[:first]) if first else Path()
    yield from _match(base, parts[first:])


def _match(base: Path, parts: tuple[str, ...]) -> Iterator[Path]:
    if not parts:
        if base.is_dir():
            yield from walk_folder(base)
        elif base.exists():
            yield base
        return
    head, rest = parts[0], parts[1:]
    if head == "**":
        yield from _match(base, rest)  # zero folders
        for entry in _sorted_entries(base):
            if entry.is_dir(follow_symlinks=False) and not entry.name.startswith("."):
                yield from _match(base / entry.name, parts)
    elif glob.has_magic(head):
        for entry in _sorted_entries(base):
            if entry.name.startswith(".") and not head.startswith("."):
                continue  # as the shell does: a hidden name needs an explicit dot
            if fnmatch.fnmatchcase(entry.name, head):
                yield from _match(base / entry.name, rest)
    else:
        yield from _match(base / head, rest)


def iter_inputs(arguments: Iterable[str | Path]) -> Iterator[Path]:
    """Every input the command-line arguments name, streamed in a deterministic order."""
    for arg in arguments:
        path = Path(arg)
        if path.is_dir() and not path.is_symlink():
            yield from walk_folder(path)
        elif not os.path.lexists(path) and glob.has_magic(str(arg)):
            yield from _glob(str(arg))
        else:
            yield path


def open_list(list_file: str) -> TextIO:
    """The list file opened for reading (``-``: standard input); ``OSError`` if it cannot be."""
    if list_file == "-":
        return sys.stdin
    return open(list_file, encoding="utf-8")


def iter_list(stream: TextIO) -> Iterator[Path]:
    """The paths of a list, one per line, taken literally (read line by line, then closed)."""
    try:
        for line in stream:
            name = line.rstrip("\r\n")
            if name.strip():
                yield Path(name)
    finally:
        if stream is not sys.stdin:
            stream.close()
