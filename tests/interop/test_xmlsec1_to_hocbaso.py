"""Direction 2: signatures made by ``xmlsec1 --sign`` from docs/signing.md §1 templates (inside the
slots) are accepted by hocbaso — by ``hocbaso.verify``, by the signing core (which re-checks earlier
signatures before adding a role) and by an independent lxml + cryptography check."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from hocbaso.signature import VaiTroKy
from hocbaso.testing.pki import TEST_NOW, KeyType, TestIdentity, TestPKI, build_test_pki
from hocbaso.verify import TrustStore, verify

from ._support import (
    TrustFiles,
    covering_signatures,
    flip,
    independent_check,
    insert_templates,
    record_of,
    sign_all_roles,
    signature_template,
    signer_ids,
    signxml_verify,
    slots,
    text_positions,
    xmlsec1_sign,
    xmlsec1_verify,
)

pytestmark = pytest.mark.xmlsec1

VERIFY_AT = TEST_NOW + timedelta(days=1)


def _identity(pki: TestPKI, packet: bytes, role: VaiTroKy, mon: str | None) -> TestIdentity:
    if role is VaiTroKy.KY_PHAT_HANH:
        return pki.school()
    ids = signer_ids(packet)
    return pki.personal(ids[mon if role is VaiTroKy.GVBM else role.name])


def xmlsec1_sign_roles(
    packet: bytes,
    pki: TestPKI,
    tmp: Path,
    *,
    prefix: str | None,
    roles: frozenset[VaiTroKy] = frozenset(VaiTroKy),
) -> bytes:
    """Insert docs/signing.md §1 templates for ``roles`` and let xmlsec1 sign them one by one, in
    order."""
    chosen = [s for s in slots(packet) if s.role in roles]
    templates = {
        s.signature_id: signature_template(
            s.signature_id,
            s.reference_id,
            ecdsa=pki.key_type is KeyType.EC,
            prefix=prefix,
            signing_time=(TEST_NOW + timedelta(minutes=i)).isoformat(),
            record=record_of(packet),
        )
        for i, s in enumerate(chosen)
    }
    data = insert_templates(packet, templates)
    inter = tmp / "intermediate.pem"
    inter.write_bytes(pki.intermediate_pem())
    for s in chosen:
        ident = _identity(pki, packet, s.role, s.mon)
        key = tmp / f"{s.signature_id}.key"
        cert = tmp / f"{s.signature_id}.pem"
        key.write_bytes(ident.key_pem())
        cert.write_bytes(ident.certificate_pem())
        data = xmlsec1_sign(data, s.signature_id, key, [cert, inter], tmp)
        key.unlink()
    return data


@pytest.mark.parametrize("prefix", [None, "ds"], ids=["unprefixed", "ds-prefixed"])
def test_xmlsec1_signed_packet_is_accepted_by_hocbaso(
    xmlsec1: str, any_pki: TestPKI, prefix: str | None, unsigned_packet: bytes,
    trust_dirs: dict[KeyType, TrustFiles], tmp_path: Path,
) -> None:  # fmt: skip
    data = xmlsec1_sign_roles(unsigned_packet, any_pki, tmp_path, prefix=prefix)
    report = verify(data, TrustStore([any_pki.root]), at=VERIFY_AT, crls=[any_pki.crl])
    assert report.ok, [(f.code, f.path) for f in report.failures]
    assert report.record is not None
    trust = trust_dirs[any_pki.key_type]
    for slot in slots(data):
        independent_check(data, slot.signature_id, any_pki.root)
        assert xmlsec1_verify(data, slot.signature_id, trust, tmp_path).ok
        # signxml: as shipped for ds:, with its legacy xmlns="" switch for unprefixed
        # (see signxml_verify for why that switch is sound in this profile).
        resolved = signxml_verify(data, slot, trust.root, unprefixed=prefix is None)
        assert resolved[0] == slot.reference_id


def test_hocbaso_continues_a_packet_xmlsec1_started(
    xmlsec1: str, any_pki: TestPKI, unsigned_packet: bytes,
    trust_dirs: dict[KeyType, TrustFiles], tmp_path: Path,
) -> None:  # fmt: skip
    """xmlsec1 signs every GVBM and the GVCN; hocbaso's core must accept those signatures
    (it re-checks the roles a new one depends on) to add CBQL and issuance."""
    started = xmlsec1_sign_roles(
        unsigned_packet, any_pki, tmp_path, prefix=None,
        roles=frozenset({VaiTroKy.GVBM, VaiTroKy.GVCN}),
    )  # fmt: skip
    finished = sign_all_roles(
        started, any_pki, start=TEST_NOW + timedelta(hours=1), skip_present=True
    )
    assert finished.startswith(started[: started.index(b"<CBQL")])  # earlier bytes untouched
    report = verify(finished, TrustStore([any_pki.root]), at=VERIFY_AT, crls=[any_pki.crl])
    assert report.ok, [(f.code, f.path) for f in report.failures]
    trust = trust_dirs[any_pki.key_type]
    for slot in slots(finished):
        assert xmlsec1_verify(finished, slot.signature_id, trust, tmp_path).ok


def test_tampered_xmlsec1_packet_fails_hocbaso_verification(
    xmlsec1: str, unsigned_packet: bytes, tmp_path: Path
) -> None:
    pki = build_test_pki()
    data = xmlsec1_sign_roles(unsigned_packet, pki, tmp_path, prefix=None)
    offset = next(p for p in text_positions(data) if "sig-gvcn" in covering_signatures(data, p))
    report = verify(flip(data, offset), TrustStore([pki.root]), at=VERIFY_AT, crls=[pki.crl])
    assert not report.ok
    assert report.failures
