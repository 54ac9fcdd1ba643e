"""Shared fixtures for the signing-core tests: hand-made packets in the docs/packet.md layout, the
test PKI, a pinned clock, and a small independent checker of every signature in a packet."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from unittest import mock

import pytest

from hocbaso.models import HocBa
from hocbaso.testing.pki import (
    HOMEROOM_CCCD,
    PRINCIPAL_CCCD,
    SUBJECT_TEACHER_CCCDS,
    TEST_NOW,
    TestPKI,
    build_test_pki,
)

if TYPE_CHECKING:
    from hocbaso.signature import SigningStep

SUBJECTS: tuple[str, ...] = ("TOAN", "NGU_VAN", "TIENG_ANH", "GDTC")


def make_packet(
    subjects: Sequence[str] = SUBJECTS,
    *,
    teacher_ids: Sequence[str] | None = None,
    gvcn_id: str = HOMEROOM_CCCD,
    cbql_id: str = PRINCIPAL_CCCD,
    pretty: bool = True,
    record_no: int = 1,
) -> bytes:
    """A minimal packet in the docs/packet.md layout with empty signature slots."""
    ids = list(teacher_ids or SUBJECT_TEACHER_CCCDS[: len(subjects)])
    nl = "\n" if pretty else ""
    rows = "".join(
        f'{nl}    <DIEM_TONG_KET Id="mon-{code}"><MA_MON_HOC>{code}</MA_MON_HOC>'
        f"<TEN_MON_HOC>Môn {code} &amp; &lt;thử&gt;</TEN_MON_HOC><DIEM_CA_NAM>8.5</DIEM_CA_NAM>"
        f"<SO_DDCN_GVBM>{tid}</SO_DDCN_GVBM><GVBM>Giáo viên {i}</GVBM></DIEM_TONG_KET>"
        for i, (code, tid) in enumerate(zip(subjects, ids, strict=True))
    )
    slots = "".join(f'{nl}    <GVBM MA_MON_HOC="{code}"/>' for code in subjects)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<HOC_BA PHIEN_BAN_DINH_DANG="1.0">{nl}'
        f'  <DU_LIEU_HOC_BA Id="data">{nl}'
        f'    <THONG_TIN_HOC_BA Id="thongtinhocba"><THONG_TIN_CHUNG>'
        f"<MA_DINH_DANH_HOC_BA>7d0f8f7e-3c1b-4c53-9a7e-{record_no:012d}</MA_DINH_DANH_HOC_BA>"
        f"<PHIEN_BAN>1</PHIEN_BAN></THONG_TIN_CHUNG>"
        f"<NGUOI_KY><TEN_GVCN>Nguyễn Văn A</TEN_GVCN><SO_DDCN_GVCN>{gvcn_id}</SO_DDCN_GVCN>"
        f"<TEN_GIAM_HIEU>Trần Thị B</TEN_GIAM_HIEU>"
        f"<SO_DDCN_GIAM_HIEU>{cbql_id}</SO_DDCN_GIAM_HIEU></NGUOI_KY>"
        f"</THONG_TIN_HOC_BA>{nl}"
        f"    <BANG_DIEM>{rows}{nl}    </BANG_DIEM>{nl}  </DU_LIEU_HOC_BA>{nl}"
        f"  <DANH_SACH_THONG_TIN_KY>{nl}    <DANH_SACH_GVBM>{slots}{nl}    </DANH_SACH_GVBM>"
        f"{nl}    <GVCN/>{nl}  </DANH_SACH_THONG_TIN_KY>{nl}"
        f"  <PHAT_HANH_HOC_BA>{nl}    <CBQL></CBQL>{nl}    <KY_PHAT_HANH/>{nl}"
        f"  </PHAT_HANH_HOC_BA>{nl}</HOC_BA>{nl}"
    ).encode()


@contextmanager
def hand_made_layout() -> Iterator[None]:
    """Let CBQL and KY_PHAT_HANH sign :func:`make_packet`'s hand-made packets.

    Those two roles refuse anything that is not a valid record with consistent results
    (``hocbaso.signature._checks``; tested in ``test_issuance_checks.py``). The hand-made
    packets are deliberately *not* records — a minimal layout with odd whitespace, escaping,
    comments and CDATA — because these tests are about where and how signatures are spliced
    and checked, not about the record. Only the record gate is lifted, nothing else.
    """
    with (
        mock.patch("hocbaso.signature._planner.check_packet"),
        mock.patch("hocbaso.signature._twophase.check_packet"),
        mock.patch("hocbaso.signature._memo.note_record_checked"),  # nothing was checked
    ):
        yield


@pytest.fixture()
def layout_only() -> Iterator[None]:
    """:func:`hand_made_layout` for one test."""
    with hand_made_layout():
        yield


@pytest.fixture(scope="session")
def pki() -> TestPKI:
    return build_test_pki()


@pytest.fixture(scope="session")
def ec_pki() -> TestPKI:
    return build_test_pki("ec")


@pytest.fixture()
def packet() -> bytes:
    return make_packet()


def times(n: int, start: datetime = TEST_NOW) -> list[datetime]:
    """``n`` increasing signing times from the pinned clock."""
    return [start + timedelta(minutes=i) for i in range(n)]


def verify_all(data: bytes) -> dict[str, str | None]:
    """Check every signature present in ``data``: label → None if valid, else the problem code.

    Uses the core's narrow profile checker with a fresh parse of the final bytes (the
    interoperability tests check the same packets with xmlsec1 and signxml independently).
    """
    from hocbaso.signature._packet_view import load_packet
    from hocbaso.signature._policy import SigningPolicy
    from hocbaso.signature._profile import SignatureProblem, check_signature

    view = load_packet(data)
    out: dict[str, str | None] = {}
    for slot in view.slots:
        if slot.signature is None:
            continue
        try:
            check_signature(
                slot.signature,
                signature_id=slot.signature_id,
                object_id=slot.object_id,
                reference_id=slot.reference_id,
                ids=view.ids,
                policy=SigningPolicy(),
                record=view.binding(),
            )
            out[slot.label] = None
        except SignatureProblem as problem:
            out[slot.label] = problem.code
    return out


def sign_record(
    hoc_ba: HocBa,
    pki: TestPKI,
    packet: bytes | None = None,
    *,
    start: datetime = TEST_NOW,
    order: Sequence[int] | None = None,
    issue_too: bool = False,
) -> bytes:
    """Sign a generated record through GVBM (in ``order``), GVCN and CBQL (and KY_PHAT_HANH when
    ``issue_too``) with test-PKI certificates carrying the IDs the record names."""
    from hocbaso.packet import to_xml
    from hocbaso.signature import VaiTroKy, sign

    data = to_xml(hoc_ba) if packet is None else packet
    t = start
    rows = hoc_ba.bang_diem
    for i in order if order is not None else range(len(rows)):
        row = rows[i]
        signer = pki.personal(row.so_ddcn_gvbm).signer()
        data = sign(data, VaiTroKy.GVBM, signer, mon=row.ma_mon_hoc, signing_time=t)
        t += timedelta(seconds=10)
    nk = hoc_ba.thong_tin_hoc_ba.nguoi_ky
    data = sign(data, VaiTroKy.GVCN, pki.personal(nk.so_ddcn_gvcn).signer(), signing_time=t)
    t += timedelta(minutes=1)
    data = sign(data, VaiTroKy.CBQL, pki.personal(nk.so_ddcn_giam_hieu).signer(), signing_time=t)
    if issue_too:
        t += timedelta(minutes=1)
        data = sign(data, VaiTroKy.KY_PHAT_HANH, pki.school().signer(), signing_time=t)
    return data


def signing_steps(pki: TestPKI, hoc_ba: HocBa, order: Sequence[int]) -> list[SigningStep]:
    """``sign_roles`` steps for a generated record: GVBM in ``order`` (seven seconds apart),
    then GVCN, CBQL and KY_PHAT_HANH, with test-PKI certificates carrying the IDs it names."""
    from hocbaso.signature import SigningStep, VaiTroKy

    rows = hoc_ba.bang_diem
    t = TEST_NOW
    steps = []
    for i in order:
        signer = pki.personal(rows[i].so_ddcn_gvbm).signer()
        steps.append(SigningStep(VaiTroKy.GVBM, signer, t, mon=rows[i].ma_mon_hoc))
        t += timedelta(seconds=7)
    nk = hoc_ba.thong_tin_hoc_ba.nguoi_ky
    steps.append(SigningStep(VaiTroKy.GVCN, pki.personal(nk.so_ddcn_gvcn).signer(), t))
    steps.append(SigningStep(VaiTroKy.CBQL, pki.personal(nk.so_ddcn_giam_hieu).signer(), t))
    steps.append(SigningStep(VaiTroKy.KY_PHAT_HANH, pki.school().signer(), t))
    return steps
