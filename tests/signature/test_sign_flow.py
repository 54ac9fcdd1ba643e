"""Signing through all four roles: profile shape, byte splicing, determinism, two-phase."""

from __future__ import annotations

import base64
import hashlib
import itertools

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from lxml import etree

from hocbaso.errors import CertificateError, SigningError, UsageError
from hocbaso.packet import parse_xml
from hocbaso.signature import (
    C14nMethod,
    DigestMethod,
    PreparedBatch,
    PreparedSignature,
    SignatureMethod,
    VaiTroKy,
    complete,
    complete_many,
    prepare,
    prepare_many,
    sign,
)
from hocbaso.signature._internal import DSIG_NS, SIGPROP_NS
from hocbaso.testing.pki import (
    HOMEROOM_CCCD,
    PRINCIPAL_CCCD,
    SUBJECT_TEACHER_CCCDS,
    TEST_NOW,
    TestPKI,
)

from .conftest import SUBJECTS, make_packet, times, verify_all

D = f"{{{DSIG_NS}}}"


def sign_all(packet: bytes, pki: TestPKI, subjects: tuple[str, ...] = SUBJECTS) -> list[bytes]:
    """Every intermediate packet, from unsigned to issued."""
    ts = times(len(subjects) + 3)
    steps = [packet]
    for i, code in enumerate(subjects):
        signer = pki.personal(SUBJECT_TEACHER_CCCDS[i]).signer()
        steps.append(sign(steps[-1], VaiTroKy.GVBM, signer, mon=code, signing_time=ts[i]))
    n = len(subjects)
    steps.append(
        sign(steps[-1], VaiTroKy.GVCN, pki.personal(HOMEROOM_CCCD).signer(), signing_time=ts[n])
    )
    steps.append(
        sign(
            steps[-1], VaiTroKy.CBQL, pki.personal(PRINCIPAL_CCCD).signer(), signing_time=ts[n + 1]
        )
    )
    steps.append(
        sign(steps[-1], VaiTroKy.KY_PHAT_HANH, pki.school().signer(), signing_time=ts[n + 2])
    )
    return steps


@pytest.mark.usefixtures("layout_only")
@pytest.mark.parametrize("kind", ["rsa", "ec"])
def test_all_roles_verify(kind: str, pki: TestPKI, ec_pki: TestPKI) -> None:
    keys = pki if kind == "rsa" else ec_pki
    final = sign_all(make_packet(), keys)[-1]
    result = verify_all(final)
    assert result == {
        **{f"GVBM[{c}]": None for c in SUBJECTS},
        "GVCN": None,
        "CBQL": None,
        "KY_PHAT_HANH": None,
    }
    root = parse_xml(final)
    method = root.find(f"PHAT_HANH_HOC_BA/CBQL/{D}Signature/{D}SignedInfo/{D}SignatureMethod")
    assert method is not None
    expected = SignatureMethod.RSA_SHA256 if kind == "rsa" else SignatureMethod.ECDSA_SHA256
    assert method.get("Algorithm") == expected.value
    if kind == "ec":
        value = root.find(f"PHAT_HANH_HOC_BA/CBQL/{D}Signature/{D}SignatureValue")
        assert value is not None and len(base64.b64decode(value.text or "")) == 64


@pytest.mark.usefixtures("layout_only")
def test_signature_shape_matches_spec_example(pki: TestPKI) -> None:
    steps = sign_all(make_packet(), pki)
    root = parse_xml(steps[-1])
    sig = root.find(f"DANH_SACH_THONG_TIN_KY/GVCN/{D}Signature")
    assert sig is not None
    assert sig.prefix is None and sig.nsmap == {None: DSIG_NS}
    assert sig.get("Id") == "sig-gvcn"
    assert [etree.QName(c).localname for c in sig] == [
        "SignedInfo",
        "SignatureValue",
        "KeyInfo",
        "Object",
    ]
    si = sig[0]
    assert si[0].get("Algorithm") == C14nMethod.C14N_10.value
    assert si[1].get("Algorithm") == SignatureMethod.RSA_SHA256.value
    refs = si.findall(f"{D}Reference")
    assert [r.get("URI") for r in refs] == ["#thongtinhocba", "#st-gvcn"]
    for ref in refs:
        transforms = ref.findall(f"{D}Transforms/{D}Transform")
        assert [t.get("Algorithm") for t in transforms] == [C14nMethod.C14N_10.value]
        dm = ref.find(f"{D}DigestMethod")
        assert dm is not None and dm.get("Algorithm") == DigestMethod.SHA256.value
    certs = sig.findall(f"{D}KeyInfo/{D}X509Data/{D}X509Certificate")
    assert len(certs) == 2  # leaf + intermediate
    obj = sig.find(f"{D}Object")
    assert obj is not None and obj.get("Id") == "st-gvcn"
    prop = obj.find(f"{D}SignatureProperties/{D}SignatureProperty")
    assert prop is not None and prop.get("Target") == "#sig-gvcn"
    st = prop.find(f"{{{SIGPROP_NS}}}SigningTime")
    assert st is not None and st.text == times(len(SUBJECTS) + 1)[-1].isoformat()
    assert st.text.endswith("+07:00")
    # Ids of every slot.
    ids = {s.get("Id") for s in root.iter(f"{D}Signature")}
    assert ids == {f"sig-gvbm-{c}" for c in SUBJECTS} | {"sig-gvcn", "sig-cbql", "sig-kyphathanh"}
    refs_kph = root.findall(
        f"PHAT_HANH_HOC_BA/KY_PHAT_HANH/{D}Signature/{D}SignedInfo/{D}Reference"
    )
    assert [r.get("URI") for r in refs_kph] == ["#data", "#st-kyphathanh"]


def _common_prefix(a: bytes, b: bytes) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


@pytest.mark.usefixtures("layout_only")
@pytest.mark.parametrize("pretty", [True, False])
def test_only_the_slot_changes(pki: TestPKI, pretty: bool) -> None:
    steps = sign_all(make_packet(pretty=pretty), pki)
    for old, new in itertools.pairwise(steps):
        prefix = _common_prefix(old, new)
        suffix = _common_prefix(old[::-1], new[::-1])
        changed_old = old[prefix : len(old) - suffix]
        # At most the slot's own self-closing tag ("<GVCN/>" → "<GVCN>…</GVCN>") changed.
        assert len(changed_old) <= 2, changed_old
        inserted = new[prefix : len(new) - suffix]
        assert inserted.count(b"Signature xmlns=") == 1
        # Every earlier signature's bytes survive verbatim.
        for sig in parse_xml(old).iter(f"{D}Signature"):
            sid = sig.get("Id")
            assert sid is not None
            start = old.index(f'<Signature xmlns="{DSIG_NS}" Id="{sid}"'.encode())
            end = old.index(b"</Signature>", start) + len(b"</Signature>")
            assert old[start:end] in new


def test_two_phase_is_byte_identical_to_direct(pki: TestPKI, packet: bytes) -> None:
    teacher = pki.personal(SUBJECT_TEACHER_CCCDS[0])
    direct = sign(packet, VaiTroKy.GVBM, teacher.signer(), mon="TOAN", signing_time=TEST_NOW)
    state = prepare(
        packet,
        VaiTroKy.GVBM,
        teacher.certificate,
        teacher.chain,
        mon="TOAN",
        signing_time=TEST_NOW,
    )
    assert state.digest == hashlib.sha256(state.to_be_signed).digest()
    assert state.digest_hex == state.digest.hex()
    # The state survives JSON (another process, a phone approval later).
    restored = PreparedSignature.from_json(state.to_json())
    assert restored == state
    # A remote service that signs only the digest (pre-hashed), as SmartCA/MySign do.
    from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

    key = teacher.private_key
    assert isinstance(key, rsa.RSAPrivateKey)
    value = key.sign(restored.digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))
    assert complete(restored, value, teacher.certificate) == direct


def test_two_phase_ecdsa_accepts_der_and_raw(ec_pki: TestPKI, packet: bytes) -> None:
    teacher = ec_pki.personal(SUBJECT_TEACHER_CCCDS[0])
    state = prepare(
        packet, VaiTroKy.GVBM, teacher.certificate, teacher.chain, mon="TOAN", signing_time=TEST_NOW
    )
    key = teacher.private_key
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    der = key.sign(state.to_be_signed, ec.ECDSA(hashes.SHA256()))
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    r, s = decode_dss_signature(der)
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    out_der = complete(state, der, teacher.certificate)
    out_raw = complete(state, raw, teacher.certificate)
    assert out_der == out_raw
    assert verify_all(out_der) == {"GVBM[TOAN]": None}


def test_complete_refuses_other_certificate_and_bad_value(pki: TestPKI, packet: bytes) -> None:
    teacher = pki.personal(SUBJECT_TEACHER_CCCDS[0])
    other = pki.personal(SUBJECT_TEACHER_CCCDS[1])
    state = prepare(packet, VaiTroKy.GVBM, teacher.certificate, mon="TOAN", signing_time=TEST_NOW)
    good = teacher.signer().sign_raw(state.to_be_signed)
    with pytest.raises(CertificateError) as err:
        complete(state, other.signer().sign_raw(state.to_be_signed), other.certificate)
    assert err.value.code == "SIGN.CERTIFICATE.MISMATCH"
    with pytest.raises(SigningError) as bad:
        complete(state, other.signer().sign_raw(state.to_be_signed), teacher.certificate)
    assert bad.value.code == "SIGN.VALUE"
    with pytest.raises(SigningError):
        complete(state, good[:-1] + bytes([good[-1] ^ 1]), teacher.certificate)
    with pytest.raises(UsageError):
        complete("not a state", good, teacher.certificate)  # type: ignore[arg-type]


def test_state_json_rejects_garbage_and_tampered_digest(pki: TestPKI, packet: bytes) -> None:
    teacher = pki.personal(SUBJECT_TEACHER_CCCDS[0])
    state = prepare(packet, VaiTroKy.GVBM, teacher.certificate, mon="TOAN", signing_time=TEST_NOW)
    for text in ["{", "[]", '{"format": "other"}', state.to_json().replace('"GVBM"', '"X"')]:
        with pytest.raises(SigningError) as err:
            PreparedSignature.from_json(text)
        assert err.value.code == "SIGN.STATE"
    d = state.to_dict()
    d["digest"] = base64.b64encode(b"\0" * 32).decode()
    with pytest.raises(SigningError):
        PreparedSignature.from_dict(d)


def test_prepare_many_complete_many_round_trip(pki: TestPKI) -> None:
    """One approval for a class: the GVCN signs every record's information block at once."""
    packets = []
    for i in range(5):
        p = make_packet(teacher_ids=[SUBJECT_TEACHER_CCCDS[i]] * len(SUBJECTS), record_no=i)
        for code in SUBJECTS:
            p = sign(
                p,
                VaiTroKy.GVBM,
                pki.personal(SUBJECT_TEACHER_CCCDS[i]).signer(),
                mon=code,
                signing_time=TEST_NOW,
            )
        packets.append(p)
    gvcn = pki.personal(HOMEROOM_CCCD)
    later = times(2)[1]
    batch = prepare_many(packets, VaiTroKy.GVCN, gvcn.certificate, gvcn.chain, signing_time=later)
    assert len(batch.digests) == 5 and len(set(batch.digests)) == 5
    restored = PreparedBatch.from_json(batch.to_json())
    assert restored == batch
    signer = gvcn.signer()
    values = [signer.sign_raw(item.to_be_signed) for item in restored.items]
    done = complete_many(restored, values, gvcn.certificate)
    direct = [sign(p, VaiTroKy.GVCN, signer, signing_time=later) for p in packets]
    assert list(done) == direct
    for out in done:
        assert all(v is None for v in verify_all(out).values())
    with pytest.raises(UsageError):
        complete_many(restored, values[:-1], gvcn.certificate)
    # One bad value refuses the whole batch.
    with pytest.raises(SigningError):
        complete_many(restored, [values[1], *values[1:]], gvcn.certificate)


@pytest.mark.usefixtures("layout_only")
def test_packets_with_comments_and_cdata_are_spliced_exactly(pki: TestPKI) -> None:
    base = make_packet()
    # (The PI sits outside signed content: inside it, PIs are refused, SIGN.PACKET.PROCESSING_
    # INSTRUCTION; here it only has to be skipped by the splicer.)
    tricky = (
        base.replace(b"<BANG_DIEM>", b"<BANG_DIEM><!-- <GVCN/> -->")
        .replace(b"<DANH_SACH_GVBM>", b"<DANH_SACH_GVBM><?pi <GVCN/>?>")
        .replace(b"<TEN_GVCN>", b"<TEN_GVCN><![CDATA[<GVCN/>]]>")
    )
    out = sign_all(tricky, pki)[-1]
    assert all(v is None for v in verify_all(out).values())
    assert b"<!-- <GVCN/> -->" in out and b"<![CDATA[<GVCN/>]]>" in out
    assert b"<?pi <GVCN/>?>" in out
