"""Reading a packet file: at most ``cap`` bytes, whatever the file's size against the read
size (the file's own size plus one), and the same bytes as reading the file whole."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hocbaso.packet._input import _read_file

_EDGES = [0, 1, 4095, 4096, 4097, 76_380, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 << 20]


@settings(max_examples=40, deadline=None)
@given(size=st.sampled_from(_EDGES) | st.integers(0, 1 << 21), cap=st.sampled_from(_EDGES))
def test_reads_the_first_cap_bytes_whatever_the_sizes(size: int, cap: int) -> None:
    data = os.urandom(size)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.xml"
        path.write_bytes(data)
        assert _read_file(path, cap) == data[:cap]


def test_a_file_that_grows_after_its_size_was_read_is_read_to_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file's size is only a hint: what is there when it is read counts, up to the cap."""
    path = tmp_path / "grows.xml"
    path.write_bytes(b"<a/>")
    real_fstat = os.fstat

    def stale_fstat(fd: int) -> os.stat_result:
        # The file grows between the size check and the reads.
        result = real_fstat(fd)
        with path.open("ab") as f:
            f.write(b"x" * 10_000)
        return result

    monkeypatch.setattr(os, "fstat", stale_fstat)
    got = _read_file(path, 5_000)
    monkeypatch.undo()
    assert got == (b"<a/>" + b"x" * 10_000)[:5_000]
