"""The memory of packet layouts (``_known``) makes signing faster, never different.

Signing the bytes this process produced a moment ago takes the layout from the memory instead
of parsing them again. Held here to the long way round: the same steps with the memory and with
every memory cleared before each step give the same bytes or the same refusal, at the same step,
including where the bytes grow past a parser limit or gain a duplicate Id only through a splice.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hocbaso.errors import HocBaSoError
from hocbaso.models import HocBa
from hocbaso.packet import to_xml
from hocbaso.signature import SigningStep, VaiTroKy, _known, _memo, _planner, sign, sign_roles
from hocbaso.testing import tao_hoc_ba
from hocbaso.testing.pki import build_test_pki

from .conftest import signing_steps, verify_all

_PKI = build_test_pki()
_RECORD = tao_hoc_ba(0)
_DSIG = "http://www.w3.org/2000/09/xmldsig#"


def _steps(record: HocBa, order: list[int]) -> list[SigningStep]:
    return signing_steps(_PKI, record, order)


def _outcome(call: Callable[[], bytes]) -> bytes | str:
    try:
        return call()
    except HocBaSoError as err:
        return f"{type(err).__name__}:{err.code}:{err.path}"


def _warm_equals_cold(packet: bytes, chunks: list[list[SigningStep]]) -> list[bytes | str]:
    """The results with every memory on, after checking they equal those with none."""
    _memo.forget_all()
    warm = _run(packet, chunks, memory=True)
    _memo.forget_all()
    assert warm == _run(packet, chunks, memory=False)
    return warm


def _run(
    packet: bytes, chunks: list[list[SigningStep]], *, memory: bool, tamper: int | None = None
) -> list[bytes | str]:
    """Sign chunk by chunk (``sign`` for one step, ``sign_roles`` for more); without
    ``memory`` every memory is cleared before each call, so each input is parsed and checked
    in full, as bytes from elsewhere would be. ``tamper`` flips one SignatureValue byte before
    that chunk."""
    out: list[bytes | str] = []
    for n, chunk in enumerate(chunks):
        if tamper is not None and n == tamper and b"<SignatureValue>" in packet:
            i = packet.index(b"<SignatureValue>") + len(b"<SignatureValue>") + 7
            packet = packet[:i] + bytes([packet[i] ^ 0x02]) + packet[i + 1 :]
        if not memory:
            _memo.forget_all()
        if len(chunk) == 1:
            (s,) = chunk
            result = _outcome(
                lambda s=s, p=packet: sign(  # type: ignore[misc]
                    p, s.role, s.signer, mon=s.mon, signing_time=s.signing_time
                )
            )
        else:
            result = _outcome(lambda c=chunk, p=packet: sign_roles(p, c))  # type: ignore[misc]
        out.append(result)
        if isinstance(result, str):
            break
        packet = result
    return out


def _chunked(steps: list[SigningStep], cuts: set[int]) -> list[list[SigningStep]]:
    bounds = [0, *sorted(cuts), len(steps)]
    return [steps[a:b] for a, b in itertools.pairwise(bounds) if a < b]


@contextmanager
def _parses() -> Iterator[list[int]]:
    """Count the planner's full parses (``load_packet``) inside the block."""
    calls = [0]
    real = _planner.load_packet

    def counting(data: bytes) -> object:
        calls[0] += 1
        return real(data)

    with mock.patch.object(_planner, "load_packet", counting):
        yield calls


_SETTINGS = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@_SETTINGS
@given(data=st.data())
def test_signing_with_the_memory_equals_signing_from_scratch(data: st.DataObject) -> None:
    order = data.draw(st.permutations(range(len(_RECORD.bang_diem))))
    steps = _steps(_RECORD, list(order))
    cuts = data.draw(st.sets(st.integers(1, len(steps) - 1), max_size=len(steps) - 1))
    chunks = _chunked(steps, cuts)
    tamper = None
    if len(chunks) > 1:
        tamper = data.draw(st.none() | st.integers(1, len(chunks) - 1))
    packet = to_xml(_RECORD)
    _memo.forget_all()
    with _parses() as parses:
        warm = _run(packet, chunks, memory=True, tamper=tamper)
    _memo.forget_all()
    cold = _run(packet, chunks, memory=False, tamper=tamper)
    assert warm == cold
    if tamper is None:
        final = warm[-1]
        assert isinstance(final, bytes)
        assert all(v is None for v in verify_all(final).values())
        # not vacuous: only the first input and the one the record checks read were parsed
        assert parses[0] <= 2
    else:
        assert isinstance(warm[-1], str)


def _with_tail(packet: bytes, extra: str) -> bytes:
    """``packet`` with ``extra`` markup just before ``</HOC_BA>`` (outside every signed part)."""
    return packet.replace(b"</HOC_BA>", extra.encode() + b"</HOC_BA>")


def _gvbm_only(n: int) -> list[list[SigningStep]]:
    return [[s] for s in _steps(_RECORD, list(range(n)))[:n]]


def test_a_splice_past_the_signature_limit_is_refused_as_from_scratch() -> None:
    # 127 stray Signature elements: the 2nd GVBM's output holds 129, one over the limit; only
    # a parse of those bytes (not the layout of their parent) can see it.
    stray = f'<X xmlns="{_DSIG}">' + "<Signature/>" * 127 + "</X>"
    packet = _with_tail(to_xml(_RECORD), stray)
    chunks = _gvbm_only(3)
    warm = _warm_equals_cold(packet, chunks)
    assert isinstance(warm[-1], str) and "PARSE.TOO_MANY_SIGNATURES" in warm[-1]
    assert all(isinstance(r, bytes) for r in warm[:-1])


def test_a_splice_that_duplicates_an_id_is_refused_as_from_scratch() -> None:
    # An element already carries the Id the 2nd GVBM's Signature will carry: after that
    # splice the packet holds one Id twice, which the 3rd step must refuse.
    second = _RECORD.bang_diem[1].ma_mon_hoc
    packet = _with_tail(to_xml(_RECORD), f'<X Id="{VaiTroKy.GVBM.signature_id(second)}"/>')
    chunks = _gvbm_only(3)
    warm = _warm_equals_cold(packet, chunks)
    assert isinstance(warm[-1], str) and "SIGN.PACKET.DUPLICATE_ID" in warm[-1]


def _sign_second_gvbm(packet: bytes) -> bytes:
    s = _steps(_RECORD, [0, 1])[1]
    return sign(packet, s.role, s.signer, mon=s.mon, signing_time=s.signing_time)


def _sign_first_gvbm(packet: bytes) -> bytes:
    s = _steps(_RECORD, [0])[0]
    return sign(packet, s.role, s.signer, mon=s.mon, signing_time=s.signing_time)


def _variant(n: int) -> bytes:
    """The record's packet with ``n`` spaces before ``</HOC_BA>``: other bytes, same record."""
    return to_xml(_RECORD).replace(b"</HOC_BA>", b" " * n + b"</HOC_BA>")


def test_the_layout_memory_is_bounded_in_entries_and_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_known, "MAX_ENTRIES", 3)
    for n in range(6):
        _sign_first_gvbm(_variant(n))
        assert _known.size()[0] <= 3
    _memo.forget_all()
    monkeypatch.setattr(_known, "MAX_ENTRIES", 256)
    monkeypatch.setattr(_known, "MAX_BYTES", 3 * len(_variant(0)))
    for n in range(6):
        _sign_first_gvbm(_variant(n))
        entries, weight = _known.size()
        assert 0 < weight <= 3 * len(_variant(0)) and entries <= 3
    monkeypatch.setattr(_known, "MAX_PACKET", len(_variant(0)) - 1)
    _memo.forget_all()
    _sign_first_gvbm(_variant(0))
    assert _known.size() == (0, 0)  # larger packets are never remembered


def test_the_layout_memory_is_keyed_by_exact_bytes() -> None:
    signed = _sign_first_gvbm(_variant(0))
    with _parses() as parses:
        _sign_second_gvbm(signed)
        assert parses[0] == 0  # the layout came from the memory
        # one space more, outside every signed part: other bytes, so a full parse
        _sign_second_gvbm(signed.replace(b"</HOC_BA>", b" </HOC_BA>"))
        assert parses[0] == 1
    _memo.forget_all()
    assert _known.size() == (0, 0)


def test_threads_share_the_memory_safely() -> None:
    steps = _steps(_RECORD, list(range(len(_RECORD.bang_diem))))
    packet = to_xml(_RECORD)
    _memo.forget_all()
    expected = _run(packet, [[s] for s in steps], memory=False)
    results: list[list[bytes | str]] = []

    def work() -> None:
        results.append(_run(packet, [[s] for s in steps], memory=True))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 3


@pytest.fixture(autouse=True)
def _clean_memo() -> Iterator[None]:
    _memo.forget_all()
    yield
    _memo.forget_all()


def test_bytes_verified_once_are_not_verified_again_and_tampered_ones_still_fail() -> None:
    """A packet from elsewhere is verified in full once; the same bytes again (a retry) use
    the memory; one flipped byte in an earlier signature is refused however often it comes."""
    steps = _steps(_RECORD, list(range(len(_RECORD.bang_diem))))
    packet = to_xml(_RECORD)
    for s in steps[:-2]:  # every GVBM and GVCN
        packet = sign(packet, s.role, s.signer, mon=s.mon, signing_time=s.signing_time)
    cbql = steps[-2]
    _memo.forget_all()  # as if the half-signed packet came from another process
    from hocbaso.signature import _role_order

    real = _role_order.check_slot
    checked = [0]

    def counting(*args: object, **kwargs: object) -> object:
        checked[0] += 1
        return real(*args, **kwargs)  # type: ignore[arg-type]

    with mock.patch.object(_role_order, "check_slot", counting):
        first = sign(packet, cbql.role, cbql.signer, signing_time=cbql.signing_time)
        assert checked[0] == len(steps) - 2  # every earlier signature, once
        again = sign(packet, cbql.role, cbql.signer, signing_time=cbql.signing_time)
        assert checked[0] == len(steps) - 2 and again == first
        i = packet.index(b"<SignatureValue>") + len(b"<SignatureValue>") + 9
        bad = packet[:i] + bytes([packet[i] ^ 0x04]) + packet[i + 1 :]
        for _ in range(2):
            outcome = _outcome(
                lambda: sign(bad, cbql.role, cbql.signer, signing_time=cbql.signing_time)
            )
            assert isinstance(outcome, str) and "SIGN.ORDER.INVALID_PRIOR" in outcome
