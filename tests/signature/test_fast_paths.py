"""Every shortcut the signer takes is provably the long way round (hypothesis).

Two pieces of process-wide state decide signing results: the signing memo (``_memo``: a packet
this process produced with every signature verified is not re-verified) and the RSA value
self-check (``_twophase._self_checked``: a ``KeyFileSigner``'s RSA-SHA256 value is not
re-verified). Each is held equal to its reference here: the same inputs, with the shortcut and
without it, give the same bytes or the same refusal.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hocbaso.errors import HocBaSoError
from hocbaso.signature import SignatureMethod, SigningPolicy, VaiTroKy, _memo, sign
from hocbaso.signature._twophase import _checked_value, _self_checked, _signer_value
from hocbaso.testing.pki import HOMEROOM_CCCD, SUBJECT_TEACHER_CCCDS, TEST_NOW, TestPKI

from .conftest import SUBJECTS, make_packet

_SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _outcome(step: Callable[[], bytes]) -> bytes | str:
    try:
        return step()
    except HocBaSoError as e:
        return e.code


def _run(pki: TestPKI, order: list[int], tamper: int | None, memo: bool) -> list[bytes | str]:
    """Sign GVBM rows in ``order``, then GVCN; optionally flip one byte of the packet between
    steps (step ``tamper``). Without ``memo`` the memory is cleared before every step, so every
    earlier signature is verified in full."""
    data = make_packet()
    out: list[bytes | str] = []
    t = TEST_NOW
    steps: list[tuple[VaiTroKy, str | None, str]] = [
        (VaiTroKy.GVBM, SUBJECTS[i], SUBJECT_TEACHER_CCCDS[i]) for i in order
    ]
    steps.append((VaiTroKy.GVCN, None, HOMEROOM_CCCD))
    for n, (role, mon, cccd) in enumerate(steps):
        if tamper is not None and n == tamper and n > 0:
            i = data.index(b"<SignatureValue>") + len(b"<SignatureValue>") + 5
            data = data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :]
        if not memo:
            _memo.forget_all()
        signer = pki.personal(cccd).signer()
        result = _outcome(
            functools.partial(sign, data, role, signer, mon=mon, signing_time=t)
        )
        out.append(result)
        if isinstance(result, str):
            break
        data = result
        t += timedelta(seconds=10)
    return out


@_SETTINGS
@given(
    order=st.permutations(range(len(SUBJECTS))),
    tamper=st.one_of(st.none(), st.integers(0, len(SUBJECTS))),
)
def test_the_signing_memo_decides_nothing(
    pki: TestPKI, order: list[int], tamper: int | None
) -> None:
    _memo.forget_all()
    warm = _run(pki, list(order), tamper, memo=True)
    _memo.forget_all()
    cold = _run(pki, list(order), tamper, memo=False)
    assert warm == cold
    # the property is not vacuous: a tampered earlier signature is refused both ways
    if tamper:
        assert isinstance(warm[-1], str) and warm[-1].startswith("SIGN.")


@_SETTINGS
@given(to_be_signed=st.binary(min_size=0, max_size=512))
def test_the_rsa_self_check_skips_only_a_value_that_verifies(
    pki: TestPKI, to_be_signed: bytes
) -> None:
    signer = pki.personal(SUBJECT_TEACHER_CCCDS[0]).signer()
    method = SignatureMethod.RSA_SHA256
    assert _self_checked(signer, signer.certificate, method)
    fast = _signer_value(signer, "GVBM[TOAN]", signer.certificate, method, to_be_signed)
    slow = _checked_value(
        "GVBM[TOAN]", signer.certificate, method, signer.sign_raw(to_be_signed), to_be_signed
    )
    assert fast == slow


def test_the_memo_is_bounded_and_keyed_by_exact_bytes() -> None:
    import hashlib

    _memo.forget_all()
    policy = SigningPolicy()
    for n in range(_memo._MAX + 10):
        _memo.note_verified(hashlib.sha256(str(n).encode()).digest(), policy)
    assert _memo._verified.size()[0] == _memo._MAX
    assert not _memo.is_verified(hashlib.sha256(b"0").digest(), policy)  # evicted first
    assert _memo.is_verified(hashlib.sha256(str(_memo._MAX + 9).encode()).digest(), policy)
    assert not _memo.is_verified(hashlib.sha256(str(_memo._MAX + 9).encode()).digest(),
                                 policy.replace(check_identity=False))
    _memo.forget_all()


@pytest.fixture(autouse=True)
def _clean_memo() -> None:
    _memo.forget_all()
