"""Direction 1: signatures made by hocbaso verify with xmlsec1 (and signxml), one at a time,
with only the TEST root trusted; tampering and a wrong trust anchor are caught by xmlsec1 too."""

from __future__ import annotations

from pathlib import Path

import pytest
from signxml.exceptions import InvalidDigest

from hocbaso.testing.pki import KeyType, TestPKI, build_test_pki

from ._support import (
    TrustFiles,
    covering_signatures,
    flip,
    independent_check,
    sign_all_roles,
    signxml_verify,
    slots,
    text_positions,
    xmlsec1_verify,
)

pytestmark = pytest.mark.xmlsec1


@pytest.fixture(scope="module")
def signed(unsigned_packet: bytes) -> dict[KeyType, bytes]:
    return {kt: sign_all_roles(unsigned_packet, build_test_pki(kt)) for kt in KeyType}


def test_every_signature_verifies_with_xmlsec1(
    xmlsec1: str,
    any_pki: TestPKI,
    signed: dict[KeyType, bytes],
    trust_dirs: dict[KeyType, TrustFiles],
    tmp_path: Path,
) -> None:
    data = signed[any_pki.key_type]
    all_slots = slots(data)
    assert len(all_slots) >= 10  # a full-year THCS record: many subjects + 3 roles
    for slot in all_slots:
        result = xmlsec1_verify(data, slot.signature_id, trust_dirs[any_pki.key_type], tmp_path)
        assert result.ok, (slot.signature_id, result.output)
        # Both References were checked, not just the signature value.
        assert "SignedInfo References (ok/all): 2/2" in result.output


def test_chain_from_keyinfo_alone_is_enough(
    xmlsec1: str, signed: dict[KeyType, bytes], trust_dirs: dict[KeyType, TrustFiles],
    tmp_path: Path,
) -> None:  # fmt: skip
    # KeyInfo carries the intermediate, so only the root needs to be supplied.
    data = signed[KeyType.RSA]
    result = xmlsec1_verify(data, "sig-kyphathanh", trust_dirs[KeyType.RSA], tmp_path,
                            untrusted=False)  # fmt: skip
    assert result.ok, result.output


def test_every_signature_verifies_with_signxml_and_independent_check(
    any_pki: TestPKI, signed: dict[KeyType, bytes], trust_dirs: dict[KeyType, TrustFiles]
) -> None:
    data = signed[any_pki.key_type]
    for slot in slots(data):
        resolved = signxml_verify(data, slot, trust_dirs[any_pki.key_type].root, unprefixed=True)
        assert resolved == [slot.reference_id, "st-" + slot.signature_id[len("sig-") :]]
        independent_check(data, slot.signature_id, any_pki.root)


def test_wrong_trust_anchor_is_refused(
    xmlsec1: str, signed: dict[KeyType, bytes], trust_dirs: dict[KeyType, TrustFiles],
    tmp_path: Path,
) -> None:  # fmt: skip
    # The RSA packet checked against the EC hierarchy's root: no path to a trusted certificate.
    result = xmlsec1_verify(signed[KeyType.RSA], "sig-gvcn", trust_dirs[KeyType.EC], tmp_path)
    assert not result.ok, result.output


def test_time_outside_validity_is_refused(
    xmlsec1: str, signed: dict[KeyType, bytes], trust_dirs: dict[KeyType, TrustFiles],
    tmp_path: Path,
) -> None:  # fmt: skip
    trust = trust_dirs[KeyType.RSA]
    result = xmlsec1_verify(signed[KeyType.RSA], "sig-gvcn", trust, tmp_path,
                            gmt_time="2031-01-01 00:00:00")  # fmt: skip
    assert not result.ok, result.output


@pytest.mark.parametrize("which", ["mon", "thongtinhocba", "data-only"])
def test_tampering_breaks_exactly_the_covering_signatures(
    xmlsec1: str, which: str, signed: dict[KeyType, bytes],
    trust_dirs: dict[KeyType, TrustFiles], tmp_path: Path,
) -> None:  # fmt: skip
    data = signed[KeyType.RSA]
    positions = text_positions(data)

    def pick(cov: set[str]) -> bool:
        if which == "mon":
            return any(c.startswith("sig-gvbm-") for c in cov)
        if which == "thongtinhocba":
            return "sig-gvcn" in cov
        return cov == {"sig-cbql", "sig-kyphathanh"}

    offset = next(p for p in positions if pick(covering_signatures(data, p)))
    expected_broken = covering_signatures(data, offset)
    tampered = flip(data, offset)
    for slot in slots(data):
        result = xmlsec1_verify(tampered, slot.signature_id, trust_dirs[KeyType.RSA], tmp_path)
        assert result.ok is (slot.signature_id not in expected_broken), (
            slot.signature_id,
            result.output,
        )


def test_signxml_catches_tampering_too(
    signed: dict[KeyType, bytes], trust_dirs: dict[KeyType, TrustFiles]
) -> None:
    data = signed[KeyType.RSA]
    offset = next(p for p in text_positions(data) if "sig-gvcn" in covering_signatures(data, p))
    tampered = flip(data, offset)
    gvcn = next(s for s in slots(data) if s.signature_id == "sig-gvcn")
    with pytest.raises(InvalidDigest):
        signxml_verify(tampered, gvcn, trust_dirs[KeyType.RSA].root, unprefixed=True)
