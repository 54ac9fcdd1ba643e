"""The certificate rules the signer shares with the verifier (``hocbaso.signature._certrules``):
any personal identifier makes a certificate personal, key strength, Extended Key Usage."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hocbaso.errors import AlgorithmError, CertificateError
from hocbaso.signature import VaiTroKy, prepare, sign
from hocbaso.signature._internal import (
    ACCEPTED_EKUS,
    HolderKind,
    extended_key_usage_ok,
    holder_kind_of,
    key_strength_problem,
)
from hocbaso.testing.pki import (
    HOMEROOM_CCCD,
    PRINCIPAL_CCCD,
    SUBJECT_TEACHER_CCCDS,
    TEST_NOW,
    TestPKI,
    build_test_pki,
)

from .conftest import SUBJECTS, hand_made_layout, make_packet

_KEY = ec.generate_private_key(ec.SECP256R1())


def _cert(
    uids: list[str],
    *,
    serial_numbers: tuple[str, ...] | list[str] = (),
    eku: list[x509.ObjectIdentifier] | None = None,
) -> x509.Certificate:
    name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "X")]
        + [x509.NameAttribute(NameOID.USER_ID, u) for u in uids]
        + [x509.NameAttribute(NameOID.SERIAL_NUMBER, s) for s in serial_numbers]
    )
    b = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(_KEY.public_key())
        .serial_number(11)
        .not_valid_before(datetime.fromisoformat("2024-01-01T00:00:00+00:00"))
        .not_valid_after(datetime.fromisoformat("2030-01-01T00:00:00+00:00"))
    )
    if eku is not None:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    return b.sign(_KEY, hashes.SHA256())


def _ready_for_issuance(pki: TestPKI) -> bytes:
    packet = make_packet()
    for i, code in enumerate(SUBJECTS):
        teacher = pki.personal(SUBJECT_TEACHER_CCCDS[i]).signer()
        packet = sign(packet, VaiTroKy.GVBM, teacher, mon=code, signing_time=TEST_NOW)
    packet = sign(
        packet, VaiTroKy.GVCN, pki.personal(HOMEROOM_CCCD).signer(), signing_time=TEST_NOW
    )
    cbql = pki.personal(PRINCIPAL_CCCD).signer()
    with hand_made_layout():  # a layout, not a record: only the certificate rules are tested
        return sign(packet, VaiTroKy.CBQL, cbql, signing_time=TEST_NOW)


_ISSUANCE_READY = _ready_for_issuance(build_test_pki())
_LATER = TEST_NOW + timedelta(minutes=1)


@pytest.mark.parametrize(
    ("uids", "serials", "kind"),
    [
        (["MST:0101234567"], [], HolderKind.ORGANISATION),
        (["MNS:1234567"], [], HolderKind.ORGANISATION),
        (["CMND:012345678", "MST:0101234567"], [], HolderKind.PERSON),
        (["MST:0101234567", "CCCD:001090000001"], [], HolderKind.PERSON),
        (["MST:0101234567", "HC:B1234567"], [], HolderKind.PERSON),
        (["MST:0101234567", "PASSPORT:B1234567"], [], HolderKind.PERSON),
        (["MST:0101234567", "CMT:012345678"], [], HolderKind.PERSON),
        (["MST:0101234567", "SDDCN:001090000001"], [], HolderKind.PERSON),
        # One attribute holding both, which the UID parser cannot split: still personal.
        (["MST:0101234567 CMND:012345678"], [], HolderKind.PERSON),
        # A personal ID in serialNumber counts too.
        (["MST:0101234567"], ["CMND:012345678"], HolderKind.PERSON),
        (["nonsense"], [], HolderKind.UNKNOWN),
        ([], [], HolderKind.UNKNOWN),
    ],
)
def test_holder_kind(uids: list[str], serials: list[str], kind: HolderKind) -> None:
    assert holder_kind_of(_cert(uids, serial_numbers=serials)) is kind


@pytest.mark.parametrize("personal", ["CMND:012345678", "CCCD:001090000001", "HC:B1234567"])
def test_issuance_refuses_a_school_certificate_that_carries_a_personal_id(
    pki: TestPKI, personal: str
) -> None:
    mixed = pki.school_with_personal_id(personal=personal)
    with pytest.raises(CertificateError) as err:
        sign(_ISSUANCE_READY, VaiTroKy.KY_PHAT_HANH, mixed.signer(), signing_time=_LATER)
    assert err.value.code == "SIGN.CERTIFICATE.NOT_ORGANISATION"
    assert personal.split(":")[1] not in str(err.value)
    # Control: the school's own organisation certificate issues.
    with hand_made_layout():
        issued = sign(
            _ISSUANCE_READY, VaiTroKy.KY_PHAT_HANH, pki.school().signer(), signing_time=_LATER
        )
    assert b"sig-kyphathanh" in issued


def test_signing_refuses_weak_keys_and_server_auth_only(pki: TestPKI) -> None:
    packet = make_packet(["TOAN"])
    for who, exc, code in (
        (pki.weak_rsa(SUBJECT_TEACHER_CCCDS[0]), AlgorithmError, "SIGN.ALGORITHM.KEY_SIZE"),
        (pki.weak_curve(SUBJECT_TEACHER_CCCDS[0]), AlgorithmError, "SIGN.ALGORITHM.CURVE"),
        (
            pki.server_auth_only(SUBJECT_TEACHER_CCCDS[0]),
            CertificateError,
            "SIGN.CERTIFICATE.EXTENDED_KEY_USAGE",
        ),
    ):
        with pytest.raises(exc) as err:
            sign(packet, VaiTroKy.GVBM, who.signer(), mon="TOAN", signing_time=TEST_NOW)
        assert err.value.code == code
    # Control: the same person's ordinary certificate signs.
    ok = pki.personal(SUBJECT_TEACHER_CCCDS[0]).signer()
    assert sign(packet, VaiTroKy.GVBM, ok, mon="TOAN", signing_time=TEST_NOW)


def test_key_strength_rule(pki: TestPKI) -> None:
    assert key_strength_problem(pki.weak_rsa().certificate.public_key()) == "KEY_SIZE"
    assert key_strength_problem(pki.weak_curve().certificate.public_key()) == "CURVE"
    assert key_strength_problem(pki.personal(HOMEROOM_CCCD).certificate.public_key()) is None
    ec_pki = build_test_pki("ec")
    assert key_strength_problem(ec_pki.personal(HOMEROOM_CCCD).certificate.public_key()) is None
    assert key_strength_problem(object()) == "KEY_TYPE"


@pytest.mark.parametrize(
    ("eku", "ok"),
    [
        (None, True),
        ([ExtendedKeyUsageOID.SERVER_AUTH], False),
        ([ExtendedKeyUsageOID.CODE_SIGNING, ExtendedKeyUsageOID.TIME_STAMPING], False),
        ([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH], True),
        ([ExtendedKeyUsageOID.EMAIL_PROTECTION], True),
        ([ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE], True),
        ([x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")], True),
        ([x509.ObjectIdentifier("1.3.6.1.4.1.311.10.3.12")], True),
        ([x509.ObjectIdentifier("1.2.3.4")], False),
    ],
)
def test_extended_key_usage_rule(eku: list[x509.ObjectIdentifier] | None, ok: bool) -> None:
    assert extended_key_usage_ok(_cert(["CCCD:001090000001"], eku=eku)) is ok


_PERSONAL_PREFIXES = ["CCCD", "cccd", "CMND", "CMT", "HC", "HoChieu", "PASSPORT", "DDCN", "CC"]
_ORG_PREFIXES = ["MST", "MNS", "MQHNS", "mst"]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    orgs=st.lists(
        st.tuples(st.sampled_from(_ORG_PREFIXES), st.from_regex(r"[0-9]{7,10}", fullmatch=True)),
        min_size=1,
        max_size=3,
    ),
    personal=st.tuples(
        st.sampled_from(_PERSONAL_PREFIXES),
        st.sampled_from([":", " : ", "-"]),
        st.from_regex(r"[A-Z0-9]{6,12}", fullmatch=True),
    ),
    position=st.integers(0, 3),
)
def test_adding_a_personal_identifier_to_an_organisation_certificate_refuses_issuance(
    orgs: list[tuple[str, str]], personal: tuple[str, str, str], position: int
) -> None:
    """Invariant: an organisation certificate issues; the same subject plus any personal
    identifier, anywhere among its UIDs, is refused by the signer — and the verifier calls it a
    person's (one rule, ``holder_kind_of``)."""
    from hocbaso.verify._certificates import identity_of

    uids = [f"{k}:{v}" for k, v in orgs]
    org_cert = _cert(uids)
    assert holder_kind_of(org_cert) is HolderKind.ORGANISATION
    with hand_made_layout():
        state = prepare(_ISSUANCE_READY, VaiTroKy.KY_PHAT_HANH, org_cert, signing_time=_LATER)
    assert state.role is VaiTroKy.KY_PHAT_HANH

    kind, sep, value = personal
    uids.insert(min(position, len(uids)), f"{kind}{sep}{value}")
    mixed = _cert(uids)
    assert holder_kind_of(mixed) is HolderKind.PERSON
    assert identity_of(mixed).holder == "person"
    with pytest.raises(CertificateError) as err:
        prepare(_ISSUANCE_READY, VaiTroKy.KY_PHAT_HANH, mixed, signing_time=_LATER)
    assert err.value.code == "SIGN.CERTIFICATE.NOT_ORGANISATION"


def test_accepted_ekus_are_documented() -> None:
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "verification.md").read_text("utf-8")
    for oid in ACCEPTED_EKUS:
        assert oid.dotted_string in docs, oid
