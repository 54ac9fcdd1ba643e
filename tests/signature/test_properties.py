"""Properties over generated records: any GVBM order verifies; any byte flip is caught."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hocbaso.errors import HocBaSoError
from hocbaso.models import HocBa
from hocbaso.testing.pki import build_test_pki
from hocbaso.testing.strategies import hoc_ba

from .conftest import hand_made_layout, make_packet, sign_record, verify_all

# ECDSA P-256: generated records name new teacher IDs, and EC keys are made in microseconds.
_PKI = build_test_pki("ec")


@st.composite
def _plans(draw: st.DrawFn) -> tuple[HocBa, list[int]]:
    record = draw(hoc_ba())
    order = draw(st.permutations(range(len(record.bang_diem))))
    return record, list(order)


def _signed_ranges(data: bytes) -> list[tuple[int, int]]:
    """Byte ranges every byte of which some signature covers: the data block, and each
    signature's own SignedInfo and SigningTime Object."""
    start = data.index(b"<DU_LIEU_HOC_BA")
    ranges = [(start, data.index(b"</DU_LIEU_HOC_BA>") + len(b"</DU_LIEU_HOC_BA>"))]
    for tag in (b"SignedInfo", b"Object"):
        for m in re.finditer(b"<" + tag + b"[ >].*?</" + tag + b">", data, re.S):
            ranges.append((m.start(), m.end()))
    return ranges


def _flip(data: bytes, pick: int, mask: int) -> bytes:
    ranges = _signed_ranges(data)
    total = sum(b - a for a, b in ranges)
    k = pick % total
    for a, b in ranges:
        if k < b - a:
            pos = a + k
            break
        k -= b - a
    old = data[pos]
    new = old ^ mask
    # Whitespace-for-whitespace swaps inside a tag, or CR for LF, do not change the XML
    # information set, so no XML signature can (or should) see them.
    ws = b" \t\r\n"
    if old in ws and new in ws:
        new = ord("x")
    return data[:pos] + bytes([new]) + data[pos + 1 :]


def _broken(data: bytes) -> bool:
    try:
        return any(v is not None for v in verify_all(data).values())
    except HocBaSoError:
        return True  # no longer parses (or has a duplicate Id): certainly not verifiable


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=_plans(), pick=st.integers(min_value=0), mask=st.integers(1, 255))
def test_any_gvbm_order_verifies_and_any_flip_breaks(
    plan: tuple[HocBa, list[int]], pick: int, mask: int
) -> None:
    record, order = plan
    final = sign_record(record, _PKI, order=order, issue_too=True)
    result = verify_all(final)
    assert len(result) == len(record.bang_diem) + 3
    assert all(v is None for v in result.values()), result
    assert _broken(_flip(final, pick, mask))


@settings(max_examples=40, deadline=None)
@given(pretty=st.booleans(), pick=st.integers(min_value=0), mask=st.integers(1, 255))
def test_flips_in_hand_made_layout(pretty: bool, pick: int, mask: int) -> None:
    """The same on the minimal hand-made packet (different whitespace and escaping)."""
    from hocbaso.signature import VaiTroKy, sign
    from hocbaso.testing.pki import (
        HOMEROOM_CCCD,
        PRINCIPAL_CCCD,
        SUBJECT_TEACHER_CCCDS,
        TEST_NOW,
    )

    data = make_packet(pretty=pretty)
    for i, code in enumerate(("TOAN", "NGU_VAN", "TIENG_ANH", "GDTC")):
        signer = _PKI.personal(SUBJECT_TEACHER_CCCDS[i]).signer()
        data = sign(data, VaiTroKy.GVBM, signer, mon=code, signing_time=TEST_NOW)
    data = sign(data, VaiTroKy.GVCN, _PKI.personal(HOMEROOM_CCCD).signer(), signing_time=TEST_NOW)
    with hand_made_layout():
        cbql = _PKI.personal(PRINCIPAL_CCCD).signer()
        data = sign(data, VaiTroKy.CBQL, cbql, signing_time=TEST_NOW)
        data = sign(data, VaiTroKy.KY_PHAT_HANH, _PKI.school().signer(), signing_time=TEST_NOW)
    assert not _broken(data)
    assert _broken(_flip(data, pick, mask))
