"""Record binding on the signing side (docs/signing.md §1): every signature names its record
(HocBaKy), the record digest is over signed content only, and a notice is read from its signed
bytes."""

from __future__ import annotations

import base64
import functools
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from hocbaso.errors import RoleOrderError, SigningError
from hocbaso.packet import parse_xml
from hocbaso.signature import (
    HocBaKy,
    IssuedRecord,
    SigningStep,
    VaiTroKy,
    complete,
    complete_many,
    issue,
    prepare,
    prepare_many,
    read_thong_bao_thu_hoi,
    record_digest,
    revoke,
    sign,
    sign_roles,
)
from hocbaso.signature._internal import DSIG_NS
from hocbaso.signature._profile import record_binding_of
from hocbaso.testing import tao_hoc_ba
from hocbaso.testing.pki import (
    HOMEROOM_CCCD,
    SUBJECT_TEACHER_CCCDS,
    TEST_NOW,
    TestPKI,
    build_test_pki,
)

from .conftest import SUBJECTS, make_packet, sign_record

D = f"{{{DSIG_NS}}}"


def _bindings(data: bytes) -> dict[str, HocBaKy | None]:
    """Signature Id → the HocBaKy its signed Object names."""
    out: dict[str, HocBaKy | None] = {}
    for sig in parse_xml(data).iter(f"{D}Signature"):
        sig_id = sig.get("Id") or ""
        (obj,) = [o for o in sig.iterchildren(f"{D}Object")]
        out[sig_id] = record_binding_of(obj, sig_id)
    return out


def _rsa_value(pki: TestPKI, cccd: str, to_be_signed: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    key = pki.personal(cccd).private_key
    assert isinstance(key, rsa.RSAPrivateKey)
    return key.sign(to_be_signed, padding.PKCS1v15(), hashes.SHA256())


def test_every_signing_path_binds_the_signature_to_the_record(pki: TestPKI) -> None:
    expected = HocBaKy("7d0f8f7e-3c1b-4c53-9a7e-000000000001", "1")
    teacher = pki.personal(SUBJECT_TEACHER_CCCDS[0]).signer()
    # sign()
    one = sign(make_packet(), VaiTroKy.GVBM, teacher, mon=SUBJECTS[0], signing_time=TEST_NOW)
    assert _bindings(one) == {f"sig-gvbm-{SUBJECTS[0]}": expected}
    # sign_roles()
    steps = [
        SigningStep(VaiTroKy.GVBM, pki.personal(SUBJECT_TEACHER_CCCDS[i]).signer(), TEST_NOW, c)
        for i, c in enumerate(SUBJECTS)
    ]
    many = sign_roles(make_packet(), steps)
    assert set(_bindings(many).values()) == {expected}
    # prepare() / complete()
    state = prepare(
        many, VaiTroKy.GVCN, pki.personal(HOMEROOM_CCCD).certificate, signing_time=TEST_NOW
    )
    done = complete(
        state,
        _rsa_value(pki, HOMEROOM_CCCD, state.to_be_signed),
        pki.personal(HOMEROOM_CCCD).certificate,
    )
    assert _bindings(done)["sig-gvcn"] == expected
    # prepare_many() / complete_many(): each packet's signature names its own record.
    other = make_packet(record_no=2)
    other = sign_roles(other, steps)
    batch = prepare_many(
        [many, other],
        VaiTroKy.GVCN,
        pki.personal(HOMEROOM_CCCD).certificate,
        signing_time=TEST_NOW,
    )
    values = [_rsa_value(pki, HOMEROOM_CCCD, i.to_be_signed) for i in batch.items]
    first, second = complete_many(batch, values, pki.personal(HOMEROOM_CCCD).certificate)
    assert _bindings(first)["sig-gvcn"] == expected
    assert _bindings(second)["sig-gvcn"] == HocBaKy("7d0f8f7e-3c1b-4c53-9a7e-000000000002", "1")


def test_revocation_notice_is_bound_to_the_revoked_record(pki: TestPKI) -> None:
    hb = tao_hoc_ba(3)
    issued = issue(
        sign_record(hb, pki), pki.school().signer(), signing_time=TEST_NOW + timedelta(hours=1)
    )
    notice = revoke(
        issued.signed,
        pki.school().signer(),
        reason="Cấp nhầm",
        revocation_time=TEST_NOW + timedelta(days=1),
    )
    root = parse_xml(notice)
    (sig,) = root.iter(f"{D}Signature")
    (obj,) = sig.iterchildren(f"{D}Object")
    assert record_binding_of(obj, "sig-thuhoi") == HocBaKy(hb.ma_dinh_danh_hoc_ba, "1")


def test_a_signature_replayed_into_another_record_is_refused_by_the_core(pki: TestPKI) -> None:
    """Two records with byte-identical subject rows: record 1's GVBM signature, copied into
    record 2, covers exactly the same bytes; only the binding tells them apart."""
    signers = [pki.personal(SUBJECT_TEACHER_CCCDS[i]).signer() for i in range(len(SUBJECTS))]
    steps = [
        SigningStep(VaiTroKy.GVBM, s, TEST_NOW, c) for s, c in zip(signers, SUBJECTS, strict=True)
    ]
    donor = sign_roles(make_packet(record_no=1), steps)
    victim = sign_roles(make_packet(record_no=2), steps)
    start, end = (donor.index(b"<GVBM MA_MON_HOC"), donor.index(b"</DANH_SACH_GVBM>"))
    v_start, v_end = (victim.index(b"<GVBM MA_MON_HOC"), victim.index(b"</DANH_SACH_GVBM>"))
    replayed = victim[:v_start] + donor[start:end] + victim[v_end:]
    assert replayed != victim
    with pytest.raises(RoleOrderError) as err:
        sign(
            replayed,
            VaiTroKy.GVCN,
            pki.personal(HOMEROOM_CCCD).signer(),
            signing_time=TEST_NOW,
        )
    assert err.value.code == "SIGN.ORDER.INVALID_PRIOR"
    # The genuine packet is accepted.
    sign(victim, VaiTroKy.GVCN, pki.personal(HOMEROOM_CCCD).signer(), signing_time=TEST_NOW)


def test_a_packet_without_a_record_identifier_cannot_be_signed(pki: TestPKI) -> None:
    packet = make_packet().replace(b"<PHIEN_BAN>1</PHIEN_BAN>", b"")
    with pytest.raises(SigningError) as err:
        sign(
            packet,
            VaiTroKy.GVBM,
            pki.personal(SUBJECT_TEACHER_CCCDS[0]).signer(),
            mon=SUBJECTS[0],
            signing_time=TEST_NOW,
        )
    assert err.value.code == "SIGN.PACKET.RECORD_ID"


def test_signed_content_with_a_processing_instruction_is_not_signed(pki: TestPKI) -> None:
    """C14N keeps PIs, so one would be signed and split a field's text; verifiers refuse such
    a record, so the signer refuses to make one."""
    packet = make_packet().replace(b"<TEN_GVCN>Nguy", b"<TEN_GVCN>Ng<?x?>uy")
    gvbm = [
        SigningStep(VaiTroKy.GVBM, pki.personal(SUBJECT_TEACHER_CCCDS[i]).signer(), TEST_NOW, c)
        for i, c in enumerate(SUBJECTS)
    ]
    signed = sign_roles(packet, gvbm)  # the rows hold no PI
    with pytest.raises(SigningError) as err:
        sign(signed, VaiTroKy.GVCN, pki.personal(HOMEROOM_CCCD).signer(), signing_time=TEST_NOW)
    assert err.value.code == "SIGN.PACKET.PROCESSING_INSTRUCTION"


# -- record digest ------------------------------------------------------------------------


@functools.cache
def _issued(seed: int = 3) -> IssuedRecord:
    """An issued synthetic record per seed (cached: hypothesis draws seeds repeatedly)."""
    pki = build_test_pki()
    return issue(
        sign_record(tao_hoc_ba(seed), pki),
        pki.school().signer(),
        signing_time=TEST_NOW + timedelta(hours=1),
    )


@pytest.fixture()
def issued() -> IssuedRecord:
    return _issued()


def _rewrap_values(data: bytes) -> bytes:
    """Every SignatureValue's base64 broken into 60-character lines."""
    root = etree.fromstring(data)
    for value in root.iter(f"{D}SignatureValue"):
        text = (value.text or "").strip()
        value.text = "\n" + "\n".join(text[i : i + 60] for i in range(0, len(text), 60)) + "\n"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


_UNSIGNED_CHANGES = {
    "trailing whitespace": lambda d: d + b"\n \t\n",
    "BOM": lambda d: b"\xef\xbb\xbf" + d,
    "no declaration": lambda d: d[d.index(b"?>") + 2 :].lstrip(),
    "CRLF": lambda d: d.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"),
    "rewrapped base64": _rewrap_values,
}


_SEEDS = st.integers(0, 5)


@settings(max_examples=30, deadline=None)
@given(
    seed=_SEEDS,
    changes=st.lists(st.sampled_from(sorted(_UNSIGNED_CHANGES)), min_size=1, max_size=4),
)
def test_bytes_no_signature_covers_never_change_the_record_digest(
    seed: int, changes: list[str]
) -> None:
    issued = _issued(seed)
    data = issued.signed
    for name in changes:
        if name == "no declaration" and not data.lstrip(b"\xef\xbb\xbf").startswith(b"<?xml"):
            continue
        if name == "BOM" and data.startswith(b"\xef\xbb\xbf"):
            continue
        if name == "no declaration" and data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        data = _UNSIGNED_CHANGES[name](data)
    assert data != issued.signed
    assert record_digest(data) == issued.record_digest
    # The signing side still accepts the bytes as the same issued record.
    assert IssuedRecord.from_signed(data).record_digest == issued.record_digest


@settings(max_examples=40, deadline=None)
@given(seed=_SEEDS, data=st.data())
def test_any_change_to_signed_content_changes_the_record_digest(
    seed: int, data: st.DataObject
) -> None:
    """Change one character of any text inside #data: a different record."""
    issued = _issued(seed)
    root = parse_xml(issued.signed)
    du = root.find("DU_LIEU_HOC_BA")
    assert du is not None
    texts = [el for el in du.iter(etree.Element) if (el.text or "").strip()]
    el = data.draw(st.sampled_from(texts))
    assert el.text is not None
    pos = data.draw(st.integers(0, len(el.text) - 1))
    new_char = data.draw(st.sampled_from("0123456789aZ ư"))
    if el.text[pos] == new_char:
        new_char = "x" if new_char != "x" else "y"
    el.text = el.text[:pos] + new_char + el.text[pos + 1 :]
    changed = etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")
    assert record_digest(changed) != issued.record_digest


def test_record_digest_is_the_issuance_reference_digest(issued: IssuedRecord) -> None:
    """The record digest is what KY_PHAT_HANH's Reference 1 (C14N 1.0, SHA-256) digests."""
    root = parse_xml(issued.signed)
    ref = root.find(
        f"PHAT_HANH_HOC_BA/KY_PHAT_HANH/{D}Signature/{D}SignedInfo/{D}Reference/{D}DigestValue"
    )
    assert ref is not None and ref.text
    assert base64.b64decode(ref.text).hex() == issued.record_digest
    with pytest.raises(SigningError) as err:
        record_digest(b"<HOC_BA><DU_LIEU_HOC_BA/></HOC_BA>")
    assert err.value.code == "SIGN.PACKET.DATA"


# -- the notice, read from its signed bytes -----------------------------------------------


def test_notice_fields_come_from_signed_bytes(issued: IssuedRecord, pki: TestPKI) -> None:
    notice = revoke(
        issued.signed,
        pki.school().signer(),
        reason="Cấp nhầm học sinh",
        revocation_time=TEST_NOW + timedelta(days=30),
    )
    digest = issued.record_digest
    # A comment cuts .text short in the tree but is not signed: the signed value is read.
    commented = notice.replace(
        f"<BAM_HOC_BA>{digest}".encode(), f"<BAM_HOC_BA>{digest[:5]}<!--x-->{digest[5:]}".encode()
    ).replace(b"<LY_DO>C", b"<LY_DO><!--y-->C")
    assert commented != notice
    parsed = read_thong_bao_thu_hoi(commented)
    assert parsed.bam_hoc_ba == digest
    assert parsed.ly_do == "Cấp nhầm học sinh"


def _hand_signed_notice(
    issued: IssuedRecord, pki: TestPKI, *, binding_version: str, edit: bytes = b""
) -> bytes:
    """A notice validly signed by the school, built by hand: its data (with ``edit`` inserted
    at the start of LY_DO) and a signature bound to version ``binding_version``."""
    from hocbaso.signature import SignatureMethod, canonicalize
    from hocbaso.signature._lifecycle import _notice_bytes
    from hocbaso.signature._profile import build_signature
    from hocbaso.signature._splice import locate_slot

    when = TEST_NOW + timedelta(days=30)
    data = _notice_bytes(issued, "lý do", when).replace(b"<LY_DO>", b"<LY_DO>" + edit)
    root = parse_xml(data)
    body, slot = root.find("DU_LIEU_THU_HOI"), root.find("KY_THU_HOI")
    assert body is not None and slot is not None
    school = pki.school()
    template = build_signature(
        signature_id="sig-thuhoi",
        object_id="st-thuhoi",
        reference_uri="#thuhoi",
        reference_c14n=canonicalize(body),
        signing_time=when.isoformat(),
        record=HocBaKy(issued.ma_dinh_danh_hoc_ba, binding_version),
        method=SignatureMethod.RSA_SHA256,
        certificates=(school.certificate, *school.chain),
        context_nsmap={},
    )
    value = school.signer().sign_raw(template.to_be_signed)
    splice = locate_slot(data, root, slot, "THU_HOI")
    return (
        splice.before
        + template.before_value
        + base64.b64encode(value)
        + template.after_value
        + splice.after
    )


def test_hand_signed_notices(issued: IssuedRecord, pki: TestPKI) -> None:
    # Control: the hand-built notice is accepted when it is well formed and bound right.
    assert read_thong_bao_thu_hoi(_hand_signed_notice(issued, pki, binding_version="1"))
    # Data naming version 1 under a signature bound to version 2: not a notice about v1.
    with pytest.raises(SigningError) as err:
        read_thong_bao_thu_hoi(_hand_signed_notice(issued, pki, binding_version="2"))
    assert err.value.code == "SIGN.REVOKE.NOTICE"
    # A processing instruction inside a field (C14N keeps PIs, so it is signed) is refused
    # rather than read as a field cut short.
    with pytest.raises(SigningError) as err:
        read_thong_bao_thu_hoi(
            _hand_signed_notice(issued, pki, binding_version="1", edit=b"a<?x?>")
        )
    assert err.value.code == "SIGN.REVOKE.NOTICE"
