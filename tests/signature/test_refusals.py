"""Every refusal of the signing core is a typed error with a stable code naming the role."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from hocbaso.errors import (
    AlgorithmError,
    CertificateError,
    ConfigurationError,
    HocBaSoError,
    RoleOrderError,
    SigningError,
)
from hocbaso.signature import (
    C14nMethod,
    DigestMethod,
    SignatureMethod,
    SigningPolicy,
    VaiTroKy,
    complete,
    prepare,
    sign,
)
from hocbaso.testing.pki import (
    HOMEROOM_CCCD,
    PRINCIPAL_CCCD,
    SUBJECT_TEACHER_CCCDS,
    TEST_NOW,
    TestPKI,
)

from .conftest import SUBJECTS, make_packet
from .test_sign_flow import sign_all


def _gvbm_all(packet: bytes, pki: TestPKI, skip: str | None = None) -> bytes:
    for i, code in enumerate(SUBJECTS):
        if code != skip:
            signer = pki.personal(SUBJECT_TEACHER_CCCDS[i]).signer()
            packet = sign(packet, VaiTroKy.GVBM, signer, mon=code, signing_time=TEST_NOW)
    return packet


def _expect(exc: type[HocBaSoError], code: str, call: object, *, path: str) -> HocBaSoError:
    with pytest.raises(exc) as err:
        call()  # type: ignore[operator]
    assert err.value.code == code
    assert err.value.path == path
    # Messages never carry personal IDs.
    for cccd in (*SUBJECT_TEACHER_CCCDS, HOMEROOM_CCCD, PRINCIPAL_CCCD):
        assert cccd not in str(err.value)
    return err.value


def test_wrong_order_names_missing_roles(pki: TestPKI) -> None:
    packet = _gvbm_all(make_packet(), pki, skip="NGU_VAN")
    gvcn = pki.personal(HOMEROOM_CCCD).signer()
    err = _expect(
        RoleOrderError,
        "SIGN.ORDER.MISSING",
        lambda: sign(packet, VaiTroKy.GVCN, gvcn, signing_time=TEST_NOW),
        path="GVCN",
    )
    assert "GVBM[NGU_VAN]" in err.message_en and "GVBM[TOAN]" not in err.message_en
    principal = pki.personal(PRINCIPAL_CCCD).signer()
    err = _expect(
        RoleOrderError,
        "SIGN.ORDER.MISSING",
        lambda: sign(make_packet(), VaiTroKy.CBQL, principal, signing_time=TEST_NOW),
        path="CBQL",
    )
    assert "GVCN" in err.message_en
    _expect(
        RoleOrderError,
        "SIGN.ORDER.MISSING",
        lambda: sign(
            make_packet(), VaiTroKy.KY_PHAT_HANH, pki.school().signer(), signing_time=TEST_NOW
        ),
        path="KY_PHAT_HANH",
    )


def test_duplicate_role(pki: TestPKI) -> None:
    teacher = pki.personal(SUBJECT_TEACHER_CCCDS[0]).signer()
    once = sign(make_packet(), VaiTroKy.GVBM, teacher, mon="TOAN", signing_time=TEST_NOW)
    _expect(
        RoleOrderError,
        "SIGN.ORDER.DUPLICATE",
        lambda: sign(once, VaiTroKy.GVBM, teacher, mon="TOAN", signing_time=TEST_NOW),
        path="GVBM[TOAN]",
    )
    full = sign(
        _gvbm_all(make_packet(), pki),
        VaiTroKy.GVCN,
        pki.personal(HOMEROOM_CCCD).signer(),
        signing_time=TEST_NOW,
    )
    _expect(
        RoleOrderError,
        "SIGN.ORDER.DUPLICATE",
        lambda: sign(
            full, VaiTroKy.GVCN, pki.personal(HOMEROOM_CCCD).signer(), signing_time=TEST_NOW
        ),
        path="GVCN",
    )


@pytest.mark.usefixtures("layout_only")
def test_nothing_after_issuance(pki: TestPKI) -> None:
    issued = sign_all(make_packet(), pki)[-1]
    for role, signer, mon in [
        (VaiTroKy.KY_PHAT_HANH, pki.school().signer(), None),
        (VaiTroKy.CBQL, pki.personal(PRINCIPAL_CCCD).signer(), None),
        (VaiTroKy.GVBM, pki.personal(SUBJECT_TEACHER_CCCDS[0]).signer(), "TOAN"),
    ]:
        label = f"GVBM[{mon}]" if mon else role.value
        _expect(
            RoleOrderError,
            "SIGN.ORDER.ISSUED",
            lambda role=role, signer=signer, mon=mon: sign(
                issued, role, signer, mon=mon, signing_time=TEST_NOW + timedelta(days=1)
            ),
            path=label,
        )


def test_later_role_present_blocks_earlier_role(pki: TestPKI) -> None:
    packet = _gvbm_all(make_packet(), pki)
    with_gvcn = sign(
        packet, VaiTroKy.GVCN, pki.personal(HOMEROOM_CCCD).signer(), signing_time=TEST_NOW
    )
    # Remove one GVBM signature by hand: GVCN is present, so the GVBM may not be re-added.
    start = with_gvcn.index(b'<GVBM MA_MON_HOC="TOAN">')
    end = with_gvcn.index(b"</GVBM>", start) + len(b"</GVBM>")
    stripped = with_gvcn[:start] + b'<GVBM MA_MON_HOC="TOAN"/>' + with_gvcn[end:]
    _expect(
        RoleOrderError,
        "SIGN.ORDER.LATER_ROLE_PRESENT",
        lambda: sign(
            stripped,
            VaiTroKy.GVBM,
            pki.personal(SUBJECT_TEACHER_CCCDS[0]).signer(),
            mon="TOAN",
            signing_time=TEST_NOW,
        ),
        path="GVBM[TOAN]",
    )


def test_signing_time_may_not_go_backwards(pki: TestPKI) -> None:
    packet = _gvbm_all(make_packet(), pki)
    gvcn = pki.personal(HOMEROOM_CCCD).signer()
    earlier = TEST_NOW - timedelta(seconds=1)
    _expect(
        RoleOrderError,
        "SIGN.ORDER.TIME_BACKWARDS",
        lambda: sign(packet, VaiTroKy.GVCN, gvcn, signing_time=earlier),
        path="GVCN",
    )
    # Within an explicit clock-skew tolerance it is accepted.
    lenient = SigningPolicy(clock_skew=timedelta(minutes=1))
    assert sign(packet, VaiTroKy.GVCN, gvcn, signing_time=earlier, policy=lenient)
    # Same instant is not "backwards".
    assert sign(packet, VaiTroKy.GVCN, gvcn, signing_time=TEST_NOW)


def test_expired_and_not_yet_valid_certificates(pki: TestPKI) -> None:
    packet = make_packet(teacher_ids=["001080000401", "001080000501", *SUBJECT_TEACHER_CCCDS[2:4]])
    _expect(
        CertificateError,
        "SIGN.CERTIFICATE.EXPIRED",
        lambda: sign(
            packet, VaiTroKy.GVBM, pki.expired().signer(), mon="TOAN", signing_time=TEST_NOW
        ),
        path="GVBM[TOAN]",
    )
    _expect(
        CertificateError,
        "SIGN.CERTIFICATE.NOT_YET_VALID",
        lambda: sign(
            packet,
            VaiTroKy.GVBM,
            pki.not_yet_valid().signer(),
            mon="NGU_VAN",
            signing_time=TEST_NOW,
        ),
        path="GVBM[NGU_VAN]",
    )
    # The expired certificate was fine while it was valid.
    assert sign(
        packet,
        VaiTroKy.GVBM,
        pki.expired().signer(),
        mon="TOAN",
        signing_time=datetime.fromisoformat("2024-06-01T08:00:00+07:00"),
    )


@pytest.mark.usefixtures("layout_only")
def test_personal_id_must_match_the_record(pki: TestPKI) -> None:
    packet = make_packet()
    wrong = pki.personal(SUBJECT_TEACHER_CCCDS[1]).signer()
    _expect(
        CertificateError,
        "SIGN.CERTIFICATE.IDENTITY",
        lambda: sign(packet, VaiTroKy.GVBM, wrong, mon="TOAN", signing_time=TEST_NOW),
        path="GVBM[TOAN]",
    )
    full = _gvbm_all(packet, pki)
    _expect(
        CertificateError,
        "SIGN.CERTIFICATE.IDENTITY",
        lambda: sign(
            full, VaiTroKy.GVCN, pki.personal(PRINCIPAL_CCCD).signer(), signing_time=TEST_NOW
        ),
        path="GVCN",
    )
    with_gvcn = sign(
        full, VaiTroKy.GVCN, pki.personal(HOMEROOM_CCCD).signer(), signing_time=TEST_NOW
    )
    _expect(
        CertificateError,
        "SIGN.CERTIFICATE.IDENTITY",
        lambda: sign(
            with_gvcn, VaiTroKy.CBQL, pki.personal(HOMEROOM_CCCD).signer(), signing_time=TEST_NOW
        ),
        path="CBQL",
    )
    _expect(
        CertificateError,
        "SIGN.CERTIFICATE.NOT_PERSONAL",
        lambda: sign(with_gvcn, VaiTroKy.CBQL, pki.school().signer(), signing_time=TEST_NOW),
        path="CBQL",
    )
    with_cbql = sign(
        with_gvcn, VaiTroKy.CBQL, pki.personal(PRINCIPAL_CCCD).signer(), signing_time=TEST_NOW
    )
    _expect(
        CertificateError,
        "SIGN.CERTIFICATE.NOT_ORGANISATION",
        lambda: sign(
            with_cbql,
            VaiTroKy.KY_PHAT_HANH,
            pki.personal(PRINCIPAL_CCCD).signer(),
            signing_time=TEST_NOW,
        ),
        path="KY_PHAT_HANH",
    )
    # The identity check can be switched off explicitly (e.g. test data).
    relaxed = SigningPolicy(check_identity=False)
    assert sign(packet, VaiTroKy.GVBM, wrong, mon="TOAN", signing_time=TEST_NOW, policy=relaxed)


def _self_signed(uid: str, key_size: int = 2048) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "X"), x509.NameAttribute(NameOID.USER_ID, uid)]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(datetime.fromisoformat("2024-01-01T00:00:00+00:00"))
        .not_valid_after(datetime.fromisoformat("2030-01-01T00:00:00+00:00"))
        .sign(key, hashes.SHA256())
    )
    return cert, key


def test_cmnd_identity_is_refused_as_the_verifier_would() -> None:
    """The record's ID is a CCCD; a CMND with the same digits never matches (one rule with the
    verifier, docs/verification.md step 5.5)."""
    cert, _ = _self_signed(f"CMND:{SUBJECT_TEACHER_CCCDS[0]}")
    _expect(
        CertificateError,
        "SIGN.CERTIFICATE.IDENTITY",
        lambda: prepare(make_packet(), VaiTroKy.GVBM, cert, mon="TOAN", signing_time=TEST_NOW),
        path="GVBM[TOAN]",
    )


def test_weak_keys_and_policies_are_refused() -> None:
    cert, _ = _self_signed(f"CCCD:{SUBJECT_TEACHER_CCCDS[0]}", key_size=1024)
    _expect(
        AlgorithmError,
        "SIGN.ALGORITHM.KEY_SIZE",
        lambda: prepare(make_packet(), VaiTroKy.GVBM, cert, mon="TOAN", signing_time=TEST_NOW),
        path="GVBM[TOAN]",
    )
    for bad in (
        {"signature_methods": frozenset({SignatureMethod.RSA_SHA256, SignatureMethod.RSA_SHA1})},
        {"signature_methods": frozenset({SignatureMethod.HMAC_SHA256, SignatureMethod.RSA_SHA256})},
        {"digest_methods": frozenset({DigestMethod.SHA256, DigestMethod.MD5})},
        {"c14n_methods": frozenset({C14nMethod.C14N_10, C14nMethod.C14N_10_WITH_COMMENTS})},
    ):
        with pytest.raises(AlgorithmError):
            SigningPolicy(**bad)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        SigningPolicy(clock_skew=timedelta(seconds=-1))
    ec_only = SigningPolicy(signature_methods=frozenset({SignatureMethod.ECDSA_SHA256}))
    good, _ = _self_signed(f"CCCD:{SUBJECT_TEACHER_CCCDS[0]}")
    _expect(
        AlgorithmError,
        "SIGN.ALGORITHM.POLICY",
        lambda: prepare(
            make_packet(), VaiTroKy.GVBM, good, mon="TOAN", signing_time=TEST_NOW, policy=ec_only
        ),
        path="GVBM[TOAN]",
    )
    assert SigningPolicy().replace(check_identity=False).check_identity is False


def test_bad_inputs(pki: TestPKI) -> None:
    teacher = pki.personal(SUBJECT_TEACHER_CCCDS[0]).signer()
    naive = datetime(2025, 5, 21, 8, 30)
    with pytest.raises(SigningError) as err:
        sign(make_packet(), VaiTroKy.GVBM, teacher, mon="TOAN", signing_time=naive)
    assert err.value.code == "SIGN.TIME.NAIVE"
    with pytest.raises(SigningError) as err:
        sign(make_packet(), VaiTroKy.GVBM, teacher, signing_time=TEST_NOW)
    assert err.value.code == "SIGN.SUBJECT"
    with pytest.raises(SigningError) as err:
        sign(make_packet(), VaiTroKy.GVBM, teacher, mon="HOA_HOC", signing_time=TEST_NOW)
    assert err.value.code == "SIGN.SUBJECT.UNKNOWN"
    dup = make_packet().replace(b'Id="mon-NGU_VAN"', b'Id="mon-TOAN"')
    with pytest.raises(SigningError) as err:
        sign(dup, VaiTroKy.GVBM, teacher, mon="TOAN", signing_time=TEST_NOW)
    assert err.value.code == "SIGN.PACKET.DUPLICATE_ID"


def test_tampered_earlier_signature_blocks_the_next_role(pki: TestPKI) -> None:
    packet = _gvbm_all(make_packet(), pki)
    tampered = packet.replace(
        b"<DIEM_CA_NAM>8.5</DIEM_CA_NAM>", b"<DIEM_CA_NAM>9.5</DIEM_CA_NAM>", 1
    )
    err = _expect(
        RoleOrderError,
        "SIGN.ORDER.INVALID_PRIOR",
        lambda: sign(
            tampered, VaiTroKy.GVCN, pki.personal(HOMEROOM_CCCD).signer(), signing_time=TEST_NOW
        ),
        path="GVBM[TOAN]",
    )
    assert "GVCN" in err.message_en


def test_memo_never_vouches_for_a_forged_signature(pki: TestPKI) -> None:
    """Two packets can share a SignedInfo (same row, key and time); only the one whose other
    signatures were verified may be remembered as fully verified."""
    p0 = make_packet()
    teacher0 = pki.personal(SUBJECT_TEACHER_CCCDS[0]).signer()
    teacher1 = pki.personal(SUBJECT_TEACHER_CCCDS[1]).signer()
    # Prepared (two-phase) on the clean packet: this process remembers its input as verified.
    prepare(p0, VaiTroKy.GVBM, teacher0.certificate, mon="TOAN", signing_time=TEST_NOW)
    # A GVBM[NGU_VAN] signature made over different row content, pasted into p0.
    other = make_packet().replace("Giáo viên 1".encode(), b"Giao vien X")
    donor = sign(other, VaiTroKy.GVBM, teacher1, mon="NGU_VAN", signing_time=TEST_NOW)
    start = donor.index(b'<GVBM MA_MON_HOC="NGU_VAN">')
    end = donor.index(b"</GVBM>", start) + len(b"</GVBM>")
    forged = p0.replace(b'<GVBM MA_MON_HOC="NGU_VAN"/>', donor[start:end])
    state = prepare(forged, VaiTroKy.GVBM, teacher0.certificate, mon="TOAN", signing_time=TEST_NOW)
    clean = prepare(p0, VaiTroKy.GVBM, teacher0.certificate, mon="TOAN", signing_time=TEST_NOW)
    assert state.digest == clean.digest  # same SignedInfo, different packets
    value = teacher0.sign_raw(state.to_be_signed)
    step = complete(state, value, teacher0.certificate)
    for i, code in ((2, "TIENG_ANH"), (3, "GDTC")):
        signer = pki.personal(SUBJECT_TEACHER_CCCDS[i]).signer()
        step = sign(step, VaiTroKy.GVBM, signer, mon=code, signing_time=TEST_NOW)
    _expect(
        RoleOrderError,
        "SIGN.ORDER.INVALID_PRIOR",
        lambda: sign(
            step, VaiTroKy.GVCN, pki.personal(HOMEROOM_CCCD).signer(), signing_time=TEST_NOW
        ),
        path="GVBM[NGU_VAN]",
    )


def test_layout_is_pinned(pki: TestPKI) -> None:
    teacher = pki.personal(SUBJECT_TEACHER_CCCDS[0]).signer()
    cases = {
        # A subject row without its GVBM slot could go unsigned.
        "missing slot": make_packet().replace(b'<GVBM MA_MON_HOC="GDTC"/>', b""),
        # The row's Id must be mon-<its own code>.
        "row id": make_packet().replace(b'Id="mon-TOAN"', b'Id="mon-X"'),
        # Id "data" must be the data block, not something else.
        "moved id": make_packet()
        .replace(b'<DU_LIEU_HOC_BA Id="data">', b"<DU_LIEU_HOC_BA>")
        .replace(b"<BANG_DIEM>", b'<BANG_DIEM Id="data">'),
    }
    for name, packet in cases.items():
        with pytest.raises(SigningError) as err:
            sign(packet, VaiTroKy.GVBM, teacher, mon="TOAN", signing_time=TEST_NOW)
        assert err.value.code.startswith("SIGN.PACKET."), name
