"""Earlier signatures written by other software: ``ds:``-prefixed, exclusive or 1.1 C14N.

The core re-checks the signatures a new role depends on; it must accept every form docs/signing.md
§1 lets verifiers accept, and still catch a changed digest in them.
"""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from hocbaso.errors import RoleOrderError
from hocbaso.packet import parse_xml
from hocbaso.signature import (
    C14nMethod,
    DigestMethod,
    SignatureMethod,
    VaiTroKy,
    canonicalize,
    sign,
)
from hocbaso.signature._internal import DSIG_NS, SIGPROP_NS
from hocbaso.testing.pki import HOMEROOM_CCCD, SUBJECT_TEACHER_CCCDS, TEST_NOW, TestPKI

from .conftest import SUBJECTS, make_packet, verify_all

D = f"{{{DSIG_NS}}}"


def _foreign_gvbm(packet: bytes, code: str, pki: TestPKI, c14n: C14nMethod) -> bytes:
    """Add GVBM[code] the way a ds:-prefixing library would: build in the tree, re-serialise."""
    ident = pki.personal(SUBJECT_TEACHER_CCCDS[SUBJECTS.index(code)])
    root = parse_xml(packet)
    slot = root.find(f"DANH_SACH_THONG_TIN_KY/DANH_SACH_GVBM/GVBM[@MA_MON_HOC='{code}']")
    assert slot is not None
    sig = etree.SubElement(slot, D + "Signature", nsmap={"ds": DSIG_NS}, Id=f"sig-gvbm-{code}")
    si = etree.SubElement(sig, D + "SignedInfo")
    etree.SubElement(si, D + "CanonicalizationMethod", Algorithm=c14n.value)
    etree.SubElement(si, D + "SignatureMethod", Algorithm=SignatureMethod.RSA_SHA256.value)
    refs = []
    for uri in (f"#mon-{code}", f"#st-gvbm-{code}"):
        ref = etree.SubElement(si, D + "Reference", URI=uri)
        etree.SubElement(
            etree.SubElement(ref, D + "Transforms"), D + "Transform", Algorithm=c14n.value
        )
        etree.SubElement(ref, D + "DigestMethod", Algorithm=DigestMethod.SHA256.value)
        refs.append(etree.SubElement(ref, D + "DigestValue"))
    value = etree.SubElement(sig, D + "SignatureValue")
    x509_data = etree.SubElement(etree.SubElement(sig, D + "KeyInfo"), D + "X509Data")
    der = ident.certificate.public_bytes(Encoding.DER)
    etree.SubElement(x509_data, D + "X509Certificate").text = base64.b64encode(der).decode()
    obj = etree.SubElement(sig, D + "Object", Id=f"st-gvbm-{code}")
    prop = etree.SubElement(
        etree.SubElement(obj, D + "SignatureProperties"),
        D + "SignatureProperty",
        Target=f"#sig-gvbm-{code}",
    )
    etree.SubElement(
        prop, f"{{{SIGPROP_NS}}}SigningTime", nsmap={None: SIGPROP_NS}
    ).text = TEST_NOW.isoformat()
    # The record binding (docs/signing.md §1), in its own SignatureProperty.
    tc = root.find("DU_LIEU_HOC_BA/THONG_TIN_HOC_BA/THONG_TIN_CHUNG")
    assert tc is not None
    bound = etree.SubElement(
        etree.SubElement(prop.getparent(), D + "SignatureProperty", Target=f"#sig-gvbm-{code}"),
        f"{{{SIGPROP_NS}}}HocBaKy",
        nsmap={None: SIGPROP_NS},
    )
    for name in ("MA_DINH_DANH_HOC_BA", "PHIEN_BAN"):
        etree.SubElement(bound, f"{{{SIGPROP_NS}}}{name}").text = tc.findtext(name)
    row = root.find(f".//DIEM_TONG_KET[@Id='mon-{code}']")
    assert row is not None
    for ref_el, target in zip(refs, (row, obj), strict=True):
        ref_el.text = base64.b64encode(hashlib.sha256(canonicalize(target, c14n)).digest()).decode()
    key = ident.private_key
    assert isinstance(key, rsa.RSAPrivateKey)
    raw = key.sign(canonicalize(si, c14n), padding.PKCS1v15(), hashes.SHA256())
    value.text = base64.b64encode(raw).decode()
    out = etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")
    assert isinstance(out, bytes)
    return out


@pytest.mark.parametrize("c14n", [C14nMethod.C14N_10, C14nMethod.C14N_11, C14nMethod.EXC_C14N])
def test_ds_prefixed_earlier_signature_is_checked(pki: TestPKI, c14n: C14nMethod) -> None:
    packet = make_packet()
    for i, code in enumerate(SUBJECTS[1:], start=1):
        signer = pki.personal(SUBJECT_TEACHER_CCCDS[i]).signer()
        packet = sign(packet, VaiTroKy.GVBM, signer, mon=code, signing_time=TEST_NOW)
    packet = _foreign_gvbm(packet, SUBJECTS[0], pki, c14n)
    assert b"<ds:Signature" in packet
    assert all(v is None for v in verify_all(packet).values())
    gvcn = pki.personal(HOMEROOM_CCCD).signer()
    signed = sign(packet, VaiTroKy.GVCN, gvcn, signing_time=TEST_NOW)
    assert verify_all(signed)["GVCN"] is None
    # The same packet with the foreign signature's row digest changed is refused.
    root = parse_xml(packet)
    digest = root.find(f".//{D}Signature[@Id='sig-gvbm-{SUBJECTS[0]}']//{D}DigestValue")
    assert digest is not None and digest.text
    bad = packet.replace(digest.text.encode(), base64.b64encode(b"\0" * 32))
    with pytest.raises(RoleOrderError) as err:
        sign(bad, VaiTroKy.GVCN, gvcn, signing_time=TEST_NOW)
    assert err.value.code == "SIGN.ORDER.INVALID_PRIOR"
    assert err.value.path == f"GVBM[{SUBJECTS[0]}]"
