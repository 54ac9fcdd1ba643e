"""Properties over generated packets: any GVBM order verifies; any byte flip is caught."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hocbaso.errors import HocBaSoError
from hocbaso.signature import VaiTroKy, sign
from hocbaso.testing.pki import (
    HOMEROOM_CCCD,
    PRINCIPAL_CCCD,
    SUBJECT_TEACHER_CCCDS,
    build_test_pki,
)

from .conftest import make_packet, times, verify_all

_POOL = ("TOAN", "NGU_VAN", "TIENG_ANH", "LICH_SU", "GDTC", "TIN_HOC", "AM_NHAC", "KHTN")
_PKI = build_test_pki()


@st.composite
def _signing_plans(draw: st.DrawFn) -> tuple[list[str], list[int], bool]:
    subjects = draw(st.lists(st.sampled_from(_POOL), min_size=1, max_size=6, unique=True))
    order = draw(st.permutations(range(len(subjects))))
    pretty = draw(st.booleans())
    return subjects, list(order), pretty


def _sign_plan(subjects: list[str], order: list[int], pretty: bool) -> bytes:
    packet = make_packet(subjects, pretty=pretty)
    ts = times(len(subjects) + 3)
    for step, i in enumerate(order):
        signer = _PKI.personal(SUBJECT_TEACHER_CCCDS[i]).signer()
        packet = sign(packet, VaiTroKy.GVBM, signer, mon=subjects[i], signing_time=ts[step])
    n = len(subjects)
    packet = sign(packet, VaiTroKy.GVCN, _PKI.personal(HOMEROOM_CCCD).signer(), signing_time=ts[n])
    packet = sign(
        packet, VaiTroKy.CBQL, _PKI.personal(PRINCIPAL_CCCD).signer(), signing_time=ts[n + 1]
    )
    return sign(packet, VaiTroKy.KY_PHAT_HANH, _PKI.school().signer(), signing_time=ts[n + 2])


def _signed_ranges(data: bytes) -> list[tuple[int, int]]:
    """Byte ranges every byte of which some signature covers: the data block, and each
    signature's own SignedInfo and SigningTime Object."""
    start = data.index(b"<DU_LIEU_HOC_BA")
    ranges = [(start, data.index(b"</DU_LIEU_HOC_BA>") + len(b"</DU_LIEU_HOC_BA>"))]
    for tag in (b"SignedInfo", b"Object"):
        for m in re.finditer(b"<" + tag + b"[ >].*?</" + tag + b">", data, re.S):
            ranges.append((m.start(), m.end()))
    return ranges


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=_signing_plans(), pick=st.integers(min_value=0), mask=st.integers(1, 255))
def test_any_gvbm_order_verifies_and_any_flip_breaks(
    plan: tuple[list[str], list[int], bool], pick: int, mask: int
) -> None:
    subjects, order, pretty = plan
    final = _sign_plan(subjects, order, pretty)
    result = verify_all(final)
    assert len(result) == len(subjects) + 3
    assert all(v is None for v in result.values()), result

    ranges = _signed_ranges(final)
    positions = [i for a, b in ranges for i in range(a, b)]
    pos = positions[pick % len(positions)]
    old = final[pos]
    new = old ^ mask
    # Whitespace-for-whitespace swaps inside a tag, or CR for LF, do not change the XML
    # information set, so no XML signature can (or should) see them.
    ws = b" \t\r\n"
    if old in ws and new in ws:
        new = ord("x")
    flipped = final[:pos] + bytes([new]) + final[pos + 1 :]
    try:
        after = verify_all(flipped)
    except HocBaSoError:
        return  # no longer parses (or has a duplicate Id): certainly not verifiable
    assert any(v is not None for v in after.values()), (pos, old, new)
