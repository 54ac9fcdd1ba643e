"""Streaming inputs of ``hocbaso verify``: folders walked in sorted order, glob patterns matched
level by level (the same matches as the standard library), a list file taken literally, and
nothing materialised before the first input is yielded."""

from __future__ import annotations

import glob
import io
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hocbaso.cli._inputs import iter_inputs, iter_list, walk_folder

NAMES = st.sampled_from(["a", "b", "c1", "c2", ".h"])


def _tree(root: Path, files: list[tuple[str, ...]]) -> None:
    for parts in files:
        path = root.joinpath(*parts[:-1], parts[-1] + ".xml")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"<x/>")


@settings(max_examples=30)
@given(
    files=st.lists(st.lists(NAMES, min_size=1, max_size=3).map(tuple), min_size=1, max_size=8),
    pattern=st.sampled_from(["*.xml", "*/*.xml", "**/*.xml", "?/c?.xml", "[ab]/**/*.xml",
                             "**/c1.xml", "a/*.xml"]),
)
def test_glob_matches_the_standard_library_in_sorted_order(
    tmp_path_factory: pytest.TempPathFactory, files: list[tuple[str, ...]], pattern: str
) -> None:
    root = tmp_path_factory.mktemp("tree")
    _tree(root, files)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        got = [str(p) for p in iter_inputs([pattern])]
        again = [str(p) for p in iter_inputs([pattern])]
        want = sorted(glob.glob(pattern, recursive=True))
    finally:
        os.chdir(cwd)
    assert sorted(got) == want  # the same matches, each once
    assert got == again  # a deterministic order, which --resume relies on
    if "**" not in pattern:  # one name per level: sorted level by level
        assert [p.split(os.sep) for p in got] == sorted(p.split(os.sep) for p in got)


def test_folder_is_walked_sorted_and_lazily(tmp_path: Path) -> None:
    _tree(tmp_path, [("b", "2"), ("a", "9"), ("a", "10"), ("c",), (".hidden_dir", "x")])
    (tmp_path / "notes.txt").write_text("not a packet")
    got = [p.relative_to(tmp_path).as_posix() for p in iter_inputs([tmp_path])]
    assert got == [".hidden_dir/x.xml", "a/10.xml", "a/9.xml", "b/2.xml", "c.xml"]
    walker = walk_folder(tmp_path)
    assert next(walker).name == "x.xml"  # a generator: the first input before the rest


def test_missing_argument_and_list_are_taken_literally(tmp_path: Path) -> None:
    folder = tmp_path / "d.xml"
    folder.mkdir()
    assert list(iter_inputs([tmp_path / "missing.xml"])) == [tmp_path / "missing.xml"]
    listed = list(iter_list(io.StringIO(f"{folder}\n\n  \n{tmp_path}/a b.xml\r\n")))
    assert listed == [folder, tmp_path / "a b.xml"]  # a folder in a list is one input
