"""sign_roles: several signatures in one pass equal the same signatures added one by one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hocbaso.errors import HocBaSoError, UsageError
from hocbaso.models import HocBa
from hocbaso.packet import to_xml
from hocbaso.signature import SigningStep, VaiTroKy, sign, sign_roles
from hocbaso.testing import tao_hoc_ba
from hocbaso.testing.pki import TEST_NOW, build_test_pki

from .conftest import signing_steps, verify_all

# RSA PKCS#1 v1.5 is deterministic, so "same signatures" can be checked byte for byte; two
# fixed records keep the number of (cached) RSA keys small.
_PKI = build_test_pki()
_RECORDS = (tao_hoc_ba(0), tao_hoc_ba(1))
_records = st.sampled_from(_RECORDS)


def _steps(record: HocBa, order: list[int]) -> list[SigningStep]:
    return signing_steps(_PKI, record, order)


def _one_by_one(packet: bytes, steps: list[SigningStep]) -> bytes:
    for s in steps:
        packet = sign(packet, s.role, s.signer, mon=s.mon, signing_time=s.signing_time)
    return packet


def _outcome(call: object) -> bytes | str:
    try:
        return call()  # type: ignore[operator,no-any-return]
    except HocBaSoError as err:
        return f"{type(err).__name__}:{err.code}:{err.path}"


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=_records, data=st.data())
def test_chunks_equal_one_by_one(record: HocBa, data: st.DataObject) -> None:
    order = data.draw(st.permutations(range(len(record.bang_diem))))
    steps = _steps(record, list(order))
    cuts = sorted(data.draw(st.sets(st.integers(1, len(steps) - 1), max_size=4)))
    packet = to_xml(record)
    expected = _one_by_one(packet, steps)
    chunked = packet
    for a, b in zip([0, *cuts], [*cuts, len(steps)], strict=True):
        chunked = sign_roles(chunked, steps[a:b])
    assert chunked == expected
    assert all(v is None for v in verify_all(chunked).values())


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=_records, data=st.data())
def test_refusals_equal_one_by_one(record: HocBa, data: st.DataObject) -> None:
    """Any sequence of steps, valid or not: same bytes or the same typed error."""
    good = _steps(record, list(range(len(record.bang_diem))))
    nk = record.thong_tin_hoc_ba.nguoi_ky
    bad = [
        # wrong person for the role, and an expired certificate
        SigningStep(VaiTroKy.GVCN, _PKI.personal(nk.so_ddcn_giam_hieu).signer(), TEST_NOW),
        SigningStep(VaiTroKy.CBQL, _PKI.expired().signer(), TEST_NOW + timedelta(hours=1)),
    ]
    pool = st.sampled_from(good) | st.sampled_from(bad)
    steps = data.draw(st.lists(pool, min_size=1, max_size=len(good) + 2))
    packet = to_xml(record)
    assert _outcome(lambda: sign_roles(packet, steps)) == _outcome(
        lambda: _one_by_one(packet, steps)
    )


def test_empty_steps_is_misuse() -> None:
    with pytest.raises(UsageError):
        sign_roles(b"<HOC_BA/>", [])
