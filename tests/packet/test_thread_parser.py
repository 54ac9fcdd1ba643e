"""The hardened parser is reused within a thread (docs/packet.md §Speed), never shared across
threads, and a parse after a refused or malformed document decides exactly as a parse with a
new parser would: the same tree, or the same error code and message."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from hocbaso.errors import HocBaSoError
from hocbaso.models import Khoi
from hocbaso.packet import _parser, parse_xml, to_xml
from hocbaso.testing import tao_hoc_ba

_GOOD = [to_xml(tao_hoc_ba(seed, Khoi.K12)) for seed in range(3)]
_BAD = [
    b"<HOC_BA><A></HOC_BA>",  # malformed
    b"<a>" * 40 + b"</a>" * 40,  # too deep
    b'<?xml version="1.0" encoding="ISO-8859-1"?><a/>',  # not UTF-8
    b"<a>" + b"x" * 10 + b"</a",  # truncated
    b"",
]


def _outcome(data: bytes) -> tuple[Any, ...]:
    try:
        return ("tree", etree.tostring(parse_xml(data)))
    except HocBaSoError as exc:
        return ("error", exc.code, exc.message_en, exc.message_vi)


def _fresh_outcome(data: bytes) -> tuple[Any, ...]:
    """The same parse with a parser made for this call only (as before the reuse)."""
    saved = _parser._THREAD_PARSER.parser
    _parser._THREAD_PARSER.parser = _parser._new_parser()
    try:
        return _outcome(data)
    finally:
        _parser._THREAD_PARSER.parser = saved


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(_GOOD + _BAD), min_size=1, max_size=8))
def test_a_reused_parser_decides_each_document_as_a_new_one(documents: list[bytes]) -> None:
    for data in documents:
        assert _outcome(data) == _fresh_outcome(data)


def test_each_thread_has_its_own_parser_and_its_own_trees() -> None:
    expected = [etree.tostring(parse_xml(data)) for data in _GOOD]
    parsers: list[object] = []
    failures: list[str] = []

    def work(k: int) -> None:
        parsers.append(_parser._parser())
        for i in range(30):
            data = _GOOD[(i + k) % len(_GOOD)]
            if etree.tostring(parse_xml(data)) != expected[(i + k) % len(_GOOD)]:
                failures.append(f"thread {k}, document {i}")
            with contextlib.suppress(HocBaSoError):
                parse_xml(_BAD[i % len(_BAD)])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    assert len({id(p) for p in parsers}) == 4
    assert _parser._parser() is _parser._parser()
