"""One XMLDSig profile checker: the signer refuses an earlier signature exactly when the
verifier does (docs/signing.md §2, docs/verification.md §2 steps 3–4).

Before adding a role the signing core re-checks the signatures it builds on. When it had its own
lenient reader it accepted shapes the verifier refuses (no Transforms, a second leaf certificate,
an extra Object), so a school could sign on top of a signature no receiving school accepts. Both
now read a Signature through ``hocbaso/signature/_profile_check.py``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from hocbaso.packet import parse_xml
from hocbaso.signature import SigningPolicy
from hocbaso.signature._internal import DSIG_NS
from hocbaso.signature._packet_view import load_packet
from hocbaso.signature._profile import SignatureProblem, check_signature
from hocbaso.testing.pki import TEST_NOW, TestPKI
from hocbaso.verify import Status, Step, TrustStore, verify

D = f"{{{DSIG_NS}}}"
GVCN = "DANH_SACH_THONG_TIN_KY/GVCN/" + D + "Signature"
SRC = Path(__file__).resolve().parents[2] / "src" / "hocbaso"


def _drop_transforms(sig: etree._Element, pki: TestPKI) -> None:
    ref = sig.find(f"{D}SignedInfo/{D}Reference")
    assert ref is not None
    transforms = ref.find(f"{D}Transforms")
    assert transforms is not None
    ref.remove(transforms)  # C14N 1.0 by default: the digest still matches


def _third_reference(sig: etree._Element, pki: TestPKI) -> None:
    signed_info = sig.find(f"{D}SignedInfo")
    assert signed_info is not None
    signed_info.append(copy.deepcopy(signed_info[2]))


def _second_leaf(sig: etree._Element, pki: TestPKI) -> None:
    x509_data = sig.find(f"{D}KeyInfo/{D}X509Data")
    assert x509_data is not None
    other = pki.school().certificate.public_bytes(Encoding.DER)
    import base64

    etree.SubElement(x509_data, D + "X509Certificate").text = base64.b64encode(other).decode()


def _extra_object(sig: etree._Element, pki: TestPKI) -> None:
    etree.SubElement(sig, D + "Object")  # unsigned, ignored by a lenient reader


def _key_name(sig: etree._Element, pki: TestPKI) -> None:
    key_info = sig.find(f"{D}KeyInfo")
    assert key_info is not None
    etree.SubElement(key_info, D + "KeyName").text = "x"


def _swap_methods(sig: etree._Element, pki: TestPKI) -> None:
    signed_info = sig.find(f"{D}SignedInfo")
    assert signed_info is not None
    signed_info.insert(0, signed_info[1])


def _digest_not_base64(sig: etree._Element, pki: TestPKI) -> None:
    value = sig.find(f"{D}SignedInfo/{D}Reference/{D}DigestValue")
    assert value is not None
    value.text = "not base64!"


MUTATIONS: dict[str, Callable[[etree._Element, TestPKI], None] | None] = {
    "unchanged": None,
    "no Transforms": _drop_transforms,
    "three References": _third_reference,
    "two leaf certificates": _second_leaf,
    "an extra Object": _extra_object,
    "a KeyName in KeyInfo": _key_name,
    "SignatureMethod first": _swap_methods,
    "DigestValue not base64": _digest_not_base64,
}


def _mutated(genuine: bytes, pki: TestPKI, name: str) -> bytes:
    root = parse_xml(genuine)
    sig = root.find(GVCN)
    assert sig is not None
    mutate = MUTATIONS[name]
    if mutate is not None:
        mutate(sig, pki)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _signer_refuses(data: bytes) -> bool:
    view = load_packet(data)
    slot = next(s for s in view.slots if s.label == "GVCN")
    assert slot.signature is not None
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
    except SignatureProblem:
        return True
    return False


def _verifier_refuses(data: bytes, trust: TrustStore) -> bool:
    report = verify(data, trust, at=TEST_NOW)
    return any(
        r.status is Status.FAIL and r.step in (Step.STRUCTURE, Step.SIGNATURE) and r.role == "GVCN"
        for r in report.steps
    )


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_signer_and_verifier_judge_a_signature_alike(
    name: str, genuine: bytes, pki: TestPKI, trust: TrustStore
) -> None:
    data = _mutated(genuine, pki, name)
    refused = _verifier_refuses(data, trust)
    assert refused is (name != "unchanged")
    assert _signer_refuses(data) is refused


def test_the_profile_rules_are_written_once() -> None:
    """The verifier holds no Signature shape rules of its own: no XMLDSig element names."""
    for path in sorted((SRC / "verify").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        for name in ('"SignedInfo"', '"Reference"', '"Transforms"', '"X509Data"', '"KeyInfo"'):
            assert name not in text, (path.name, name)
    checker = (SRC / "signature" / "_profile.py").read_text(encoding="utf-8")
    assert "def _one(" not in checker and 'findall(_q("Reference"))' not in checker
