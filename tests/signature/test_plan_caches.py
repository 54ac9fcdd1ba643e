"""The per-call shortcuts of the planner refuse exactly what the uncached checks refuse."""

from __future__ import annotations

import pytest

from hocbaso.errors import SigningError
from hocbaso.signature import SigningStep, VaiTroKy, sign_roles
from hocbaso.testing.pki import SUBJECT_TEACHER_CCCDS, TestPKI

from .conftest import SUBJECTS, make_packet, times


def _gvbm_steps(pki: TestPKI) -> list[SigningStep]:
    return [
        SigningStep(VaiTroKy.GVBM, pki.personal(cccd).signer(), when, mon=code)
        for code, cccd, when in zip(
            SUBJECTS, SUBJECT_TEACHER_CCCDS, times(len(SUBJECTS)), strict=False
        )
    ]


@pytest.mark.parametrize(
    ("old", "new", "label"),
    [
        # on an ancestor every GVBM slot shares: refused at the first step
        (b"<DANH_SACH_GVBM>", b'<DANH_SACH_GVBM xml:lang="vi">', f"GVBM[{SUBJECTS[0]}]"),
        # on a later slot only: its ancestors were already found clean, it is still refused
        (
            f'<GVBM MA_MON_HOC="{SUBJECTS[2]}"/>'.encode(),
            f'<GVBM MA_MON_HOC="{SUBJECTS[2]}" xml:space="preserve"/>'.encode(),
            f"GVBM[{SUBJECTS[2]}]",
        ),
    ],
)
def test_xml_attributes_around_any_slot_are_refused(
    pki: TestPKI, old: bytes, new: bytes, label: str
) -> None:
    packet = make_packet()
    assert packet.count(old) == 1
    with pytest.raises(SigningError) as err:
        sign_roles(packet.replace(old, new), _gvbm_steps(pki))
    assert err.value.code == "SIGN.PACKET.XML_ATTRIBUTES"
    assert err.value.path == label


def test_one_signer_object_for_several_steps_and_distinct_signers_agree(pki: TestPKI) -> None:
    """DER/KeyInfo are memoised per certificate object in a call: sharing one signer object
    across steps gives the same bytes as a fresh signer object per step."""
    packet = make_packet(teacher_ids=[SUBJECT_TEACHER_CCCDS[0]] * len(SUBJECTS))
    shared = pki.personal(SUBJECT_TEACHER_CCCDS[0]).signer()
    when = times(len(SUBJECTS))
    one = sign_roles(
        packet,
        [SigningStep(VaiTroKy.GVBM, shared, t, mon=c) for c, t in zip(SUBJECTS, when, strict=True)],
    )
    fresh = sign_roles(
        packet,
        [
            SigningStep(VaiTroKy.GVBM, pki.personal(SUBJECT_TEACHER_CCCDS[0]).signer(), t, mon=c)
            for c, t in zip(SUBJECTS, when, strict=True)
        ],
    )
    assert one == fresh
    assert one.count(b"<X509Certificate>") == 2 * len(SUBJECTS)


@pytest.mark.parametrize("memo", [True, False])
def test_latest_signing_time_from_the_memo_refuses_going_backwards(
    pki: TestPKI, memo: bool
) -> None:
    """A packet this process just produced is remembered with its latest signing time; the
    next role's time check uses it, and refuses exactly as reading the SigningTimes does."""
    from datetime import timedelta

    from hocbaso.errors import RoleOrderError
    from hocbaso.signature import SigningPolicy, _memo, sign

    first, second = _gvbm_steps(pki)[:2]
    late = first.signing_time + timedelta(hours=1)
    out = sign(make_packet(), VaiTroKy.GVBM, first.signer, mon=first.mon, signing_time=late)
    assert _memo.verified_latest(out, SigningPolicy()) == (True, late)
    if not memo:
        _memo.forget_all()
    with pytest.raises(RoleOrderError) as err:
        sign(out, VaiTroKy.GVBM, second.signer, mon=second.mon, signing_time=first.signing_time)
    assert err.value.code == "SIGN.ORDER.TIME_BACKWARDS"
    assert sign(out, VaiTroKy.GVBM, second.signer, mon=second.mon, signing_time=late)
