"""Generate the hocbaso verification attack corpus from a genuine issued record.

Usage (for other implementations)::

    PYTHONPATH=src python tests/vectors/make_vectors.py OUT_DIR

writes ``OUT_DIR/trust/`` (root.pem = the only trust anchor, intermediate.pem, the CRL),
``OUT_DIR/<name>.xml`` for every generated vector, copies the static hostile files, and
``OUT_DIR/manifest.json``: for each vector, the codes a conforming verifier must report as FAIL
(and, for ``ok`` vectors, that nothing fails), plus the verification time, whether the CRL is
supplied and which policy applies. ``tests/vectors/manifest.json`` is the committed copy;
``tests/verify/test_vectors.py`` regenerates everything in memory and runs each vector.

Vectors carrying certificates depend on the test PKI's keys (random, cached per machine), so
signed vectors are generated, never committed; only hostile XML that needs no key is committed
under ``tests/vectors/attacks/``.

Every manipulation below is what an attacker can do with the bytes and, where stated, their own
valid key: the ``_resign`` helper recomputes digests and the signature value for a modified
Signature, so the attack is only caught by the rule it targets, not by an accidental digest
mismatch.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import hmac
import json
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from hocbaso.models import DinhChinh, HocBa, MucDanhGia
from hocbaso.packet import to_xml
from hocbaso.signature import VaiTroKy, canonicalize, record_digest, revoke, sign
from hocbaso.signature._internal import DSIG_NS, SIGPROP_NS
from hocbaso.testing import tao_hoc_ba, tao_lop
from hocbaso.testing.pki import SCHOOL_MST, TEST_NOW, TestIdentity, TestPKI, build_test_pki

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "manifest.json"
STATIC = HERE / "attacks"

D = f"{{{DSIG_NS}}}"
C14N10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
C14N10_COMMENTS = C14N10 + "#WithComments"
SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"
MD5 = "http://www.w3.org/2001/04/xmldsig-more#md5"
RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
HMAC_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"
ECDSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
XPATH_TRANSFORM = "http://www.w3.org/TR/1999/REC-xpath-19991116"

#: Verification time of every vector unless a vector says otherwise.
VERIFY_AT = TEST_NOW
#: Signing times: subject teachers a day before, then GVCN, CBQL, issuance an hour apart.
T_GVBM = TEST_NOW - dt.timedelta(days=1)


#: A claimed signing time before the test PKI's revocation time (2025-03-01): a back-dated
#: subject-teacher signature made with a key that was later revoked.
T_BACKDATED = dt.datetime(2025, 2, 20, 9, 0, tzinfo=TEST_NOW.tzinfo)
#: Revocation reasons of the three back-dated vectors' certificates, in row order.
BACKDATED_REASONS: tuple[tuple[str, x509.ReasonFlags | None], ...] = (
    ("revoked_key_compromise_backdated", x509.ReasonFlags.key_compromise),
    ("revoked_no_reason_backdated", None),
    ("revoked_superseded_backdated", x509.ReasonFlags.superseded),
)
#: A verification time after the corpus CRL's nextUpdate (2030-01-01).
AFTER_CRL = dt.datetime(2030, 6, 1, 8, 0, tzinfo=TEST_NOW.tzinfo)
#: Organisation identifier of no school in the corpus.
OTHER_MST = "0109999999"


def backdated_rows(hb: HocBa) -> list[tuple[str, str]]:
    """``(MA_MON_HOC, teacher's ID)`` of the first subject rows with distinct teachers (not the
    homeroom teacher), one per :data:`BACKDATED_REASONS` entry."""
    gvcn = hb.thong_tin_hoc_ba.nguoi_ky.so_ddcn_gvcn
    out: list[tuple[str, str]] = []
    for row in hb.bang_diem:
        if row.so_ddcn_gvbm != gvcn and all(row.so_ddcn_gvbm != t for _, t in out):
            out.append((row.ma_mon_hoc, row.so_ddcn_gvbm))
    assert len(out) >= len(BACKDATED_REASONS)
    return out[: len(BACKDATED_REASONS)]


def corpus_crl(pki: TestPKI, seed: int = 0) -> x509.CertificateRevocationList:
    """The intermediate's CRL for the corpus: the default revoked identity, the revoked
    certificate issued for the genuine record's GVCN (both keyCompromise), and the revoked
    certificates of three of its subject teachers with the reasons of
    :data:`BACKDATED_REASONS`."""
    hb = tao_hoc_ba(seed)
    gvcn = hb.thong_tin_hoc_ba.nguoi_ky.so_ddcn_gvcn
    revoked = [pki.revoked().certificate, pki.revoked(gvcn).certificate]
    reasons: dict[int, x509.ReasonFlags | None] = {}
    for (_, reason), (_, teacher) in zip(BACKDATED_REASONS, backdated_rows(hb), strict=True):
        cert = pki.revoked(teacher).certificate
        revoked.append(cert)
        reasons[cert.serial_number] = reason
    return pki.make_crl(revoked, reasons=reasons)


def issuer_registries(seed: int = 0) -> dict[str, dict[str, list[str]]]:
    """The issuer registries the manifest's ``issuer_registry*`` policies use, as the JSON a Sở
    would write (school code → organisation identifiers)."""
    school = tao_hoc_ba(seed).thong_tin_hoc_ba.thong_tin_truong.ma_truong
    return {
        "issuer_registry": {school: [f"MST:{SCHOOL_MST}"]},
        "issuer_registry_other": {school: [f"MST:{OTHER_MST}"]},
        "issuer_registry_missing": {f"{school}X": [f"MST:{SCHOOL_MST}"]},
    }


@dataclass
class Vector:
    name: str
    data: bytes
    expected: list[str]  # codes that must FAIL; empty = the vector must verify (ok)
    description: str
    policy: str = "strict"
    crl: bool = True
    at: dt.datetime = VERIFY_AT
    warnings: list[str] = field(default_factory=list)  # codes that must be WARN
    #: Revocation notices to supply (file name under ``inputs/``, bytes).
    notices: list[tuple[str, bytes]] = field(default_factory=list)
    #: Earlier versions to supply (file name under ``inputs/``, bytes).
    previous: list[tuple[str, bytes]] = field(default_factory=list)


#: When the corpus's revocation notices are signed: after issuance, before :data:`VERIFY_AT`.
T_REVOKE = TEST_NOW - dt.timedelta(hours=1)


def issue(
    hb: HocBa,
    pki: TestPKI,
    *,
    school: TestIdentity | None = None,
    teachers: dict[str, TestIdentity] | None = None,
) -> bytes:
    """Sign every role of ``hb`` with the test PKI, in order, with increasing times.

    ``teachers`` overrides the subject teacher's identity per subject code."""
    x = to_xml(hb)
    for i, row in enumerate(hb.bang_diem):
        x = sign(
            x,
            VaiTroKy.GVBM,
            (teachers or {}).get(row.ma_mon_hoc, pki.personal(row.so_ddcn_gvbm)).signer(),
            mon=row.ma_mon_hoc,
            signing_time=T_GVBM + dt.timedelta(minutes=i),
        )
    nk = hb.thong_tin_hoc_ba.nguoi_ky
    t = T_GVBM + dt.timedelta(hours=2)
    x = sign(x, VaiTroKy.GVCN, pki.personal(nk.so_ddcn_gvcn).signer(), signing_time=t)
    t += dt.timedelta(hours=1)
    x = sign(x, VaiTroKy.CBQL, pki.personal(nk.so_ddcn_giam_hieu).signer(), signing_time=t)
    t += dt.timedelta(hours=1)
    x = sign(x, VaiTroKy.KY_PHAT_HANH, (school or pki.school()).signer(), signing_time=t)
    return x


# --------------------------------------------------------------------------- tree helpers


def _tree(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


def _bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _sig(root: etree._Element, slot: str) -> etree._Element:
    if slot.startswith("GVBM:"):
        path = f"DANH_SACH_THONG_TIN_KY/DANH_SACH_GVBM/GVBM[@MA_MON_HOC='{slot[5:]}']"
    else:
        path = {
            "GVCN": "DANH_SACH_THONG_TIN_KY/GVCN",
            "CBQL": "PHAT_HANH_HOC_BA/CBQL",
            "KY_PHAT_HANH": "PHAT_HANH_HOC_BA/KY_PHAT_HANH",
        }[slot]
    found = root.find(f"{path}/{D}Signature")
    assert found is not None, slot
    return found


def _by_id(root: etree._Element, value: str) -> etree._Element:
    (el,) = root.xpath("//*[@Id=$v]", v=value)
    assert isinstance(el, etree._Element)
    return el


def _c14n(el: etree._Element, uri: str) -> bytes:
    if uri.endswith("#WithComments"):
        # An attacker's own canonicaliser: hocbaso.signature refuses comment-keeping C14N.
        apex = etree.fromstring(etree.tostring(el))
        return etree.tostring(apex.getroottree(), method="c14n", with_comments=True)
    from hocbaso.signature import C14nMethod

    return canonicalize(el, C14nMethod(uri))


def _digest(uri: str, data: bytes) -> bytes:
    name = {SHA1: "sha1", MD5: "md5"}.get(uri, "sha256")
    return hashlib.new(name, data).digest()


def _resign(
    root: etree._Element,
    sig: etree._Element,
    who: TestIdentity | None,
    *,
    method: str | None = None,
) -> None:
    """Recompute every Reference digest and the SignatureValue of ``sig`` (in place).

    ``who`` replaces the KeyInfo certificates and signs; None keeps the current key material
    (only valid together with ``method`` = HMAC, which needs no private key).
    """
    si = sig.find(f"{D}SignedInfo")
    assert si is not None
    for ref in si.findall(f"{D}Reference"):
        uri = ref.get("URI", "")
        target = _by_id(root, uri[1:])
        transforms = ref.findall(f"{D}Transforms/{D}Transform")
        c14n = transforms[0].get("Algorithm", C14N10) if transforms else C14N10
        if c14n == XPATH_TRANSFORM:
            c14n = C14N10
        dm = ref.find(f"{D}DigestMethod")
        dv = ref.find(f"{D}DigestValue")
        assert dm is not None and dv is not None
        dv.text = base64.b64encode(_digest(dm.get("Algorithm", ""), _c14n(target, c14n))).decode()
    if who is not None:
        x509data = sig.find(f"{D}KeyInfo/{D}X509Data")
        assert x509data is not None
        for c in list(x509data):
            x509data.remove(c)
        for cert in (who.certificate, *who.chain):
            el = etree.SubElement(x509data, f"{D}X509Certificate")
            el.text = base64.b64encode(cert.public_bytes(Encoding.DER)).decode()
    sm = si.find(f"{D}SignatureMethod")
    cm = si.find(f"{D}CanonicalizationMethod")
    assert sm is not None and cm is not None
    if (
        method is None
        and who is not None
        and isinstance(who.private_key, ec.EllipticCurvePrivateKey)
    ):
        method = ECDSA_SHA256
    if method is not None:
        sm.set("Algorithm", method)
    to_sign = _c14n(si, cm.get("Algorithm", C14N10))
    uri = sm.get("Algorithm", "")
    value_el = sig.find(f"{D}SignatureValue")
    assert value_el is not None
    if uri == HMAC_SHA256:
        # The classic confusion: HMAC keyed with the *public* certificate bytes.
        certs = sig.findall(f"{D}KeyInfo/{D}X509Data/{D}X509Certificate")
        key = base64.b64decode(certs[0].text or "")
        value = hmac.new(key, to_sign, "sha256").digest()
    else:
        assert who is not None
        pk = who.private_key
        h: hashes.HashAlgorithm = hashes.SHA1() if uri == RSA_SHA1 else hashes.SHA256()
        if isinstance(pk, rsa.RSAPrivateKey):
            value = pk.sign(to_sign, padding.PKCS1v15(), h)
        else:
            assert isinstance(pk, ec.EllipticCurvePrivateKey)
            r, s = decode_dss_signature(pk.sign(to_sign, ec.ECDSA(h)))
            value = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    value_el.text = base64.b64encode(value).decode()


def _set_time(sig: etree._Element, when: dt.datetime) -> None:
    st = sig.find(f".//{{{SIGPROP_NS}}}SigningTime")
    assert st is not None
    st.text = when.isoformat()


def _signing_time(sig: etree._Element) -> dt.datetime:
    st = sig.find(f".//{{{SIGPROP_NS}}}SigningTime")
    assert st is not None and st.text
    return dt.datetime.fromisoformat(st.text)


# --------------------------------------------------------------------------- the corpus


def build_vectors(pki: TestPKI | None = None, seed: int = 0) -> list[Vector]:
    """Every generated vector (the genuine ones first)."""
    pki = pki or build_test_pki()
    hb = tao_hoc_ba(seed)
    genuine = issue(hb, pki)
    nk = hb.thong_tin_hoc_ba.nguoi_ky
    first = hb.bang_diem[0].ma_mon_hoc
    second = hb.bang_diem[1].ma_mon_hoc
    out: list[Vector] = [
        Vector(
            "genuine",
            genuine,
            [],
            "A genuine issued record: every check passes (without an issuer registry the "
            "issuing certificate is not matched to the school: a WARN).",
            warnings=["CERTIFICATE.ISSUER_NOT_MATCHED"],
        ),
        Vector(
            "genuine_other_record",
            issue(tao_hoc_ba(seed + 7), pki),
            [],
            "A second genuine record (another student and class).",
        ),
    ]

    def mutate(
        name: str,
        expected: list[str],
        description: str,
        fn: Callable[[etree._Element], None],
        **kw: Any,
    ) -> None:
        root = _tree(genuine)
        fn(root)
        out.append(Vector(name, _bytes(root), expected, description, **kw))

    def forged_data(root: etree._Element) -> etree._Element:
        du = root.find("DU_LIEU_HOC_BA")
        assert du is not None
        forged = copy.deepcopy(du)
        score = forged.find("BANG_DIEM/DIEM_TONG_KET/DIEM_CA_NAM")
        if score is not None:
            score.text = "10.0"
        return forged

    # -- signature wrapping ------------------------------------------------------------------
    def wrap_before(root: etree._Element) -> None:
        du = root.find("DU_LIEU_HOC_BA")
        assert du is not None
        du.addprevious(forged_data(root))

    def wrap_after(root: etree._Element) -> None:
        du = root.find("DU_LIEU_HOC_BA")
        assert du is not None
        du.addnext(forged_data(root))

    def wrap_inside(root: etree._Element) -> None:
        du = root.find("DU_LIEU_HOC_BA")
        assert du is not None
        du.append(forged_data(root))

    def _strip_ids(el: etree._Element) -> None:
        for e in el.iter(etree.Element):
            e.attrib.pop("Id", None)

    def wrap_into_object(root: etree._Element) -> None:
        du = root.find("DU_LIEU_HOC_BA")
        assert du is not None
        forged = forged_data(root)
        _strip_ids(forged)
        du.addprevious(forged)
        obj = _sig(root, "KY_PHAT_HANH").find(f"{D}Object")
        assert obj is not None
        new_obj = etree.SubElement(_sig(root, "KY_PHAT_HANH"), f"{D}Object")
        new_obj.append(du)

    def wrap_into_sibling(root: etree._Element) -> None:
        du = root.find("DU_LIEU_HOC_BA")
        assert du is not None
        forged = forged_data(root)
        _strip_ids(forged)
        du.addprevious(forged)
        holder = etree.SubElement(root, "PHU_LUC")
        holder.append(du)

    def wrap_row(root: etree._Element) -> None:
        row = _by_id(root, f"mon-{first}")
        forged = copy.deepcopy(row)
        score = forged.find("DIEM_CA_NAM")
        if score is not None:
            score.text = "10.0"
        row.addprevious(forged)

    mutate(
        "wrap_forged_before",
        ["STRUCTURE.DUPLICATE_ID"],
        "A forged DU_LIEU_HOC_BA with Id=data inserted before the signed one.",
        wrap_before,
    )
    mutate(
        "wrap_forged_after",
        ["STRUCTURE.DUPLICATE_ID"],
        "A forged DU_LIEU_HOC_BA with Id=data inserted after the signed one.",
        wrap_after,
    )
    mutate(
        "wrap_forged_inside",
        ["STRUCTURE.DUPLICATE_ID"],
        "A forged DU_LIEU_HOC_BA with Id=data nested inside the signed one.",
        wrap_inside,
    )
    mutate(
        "wrap_original_in_object",
        ["STRUCTURE.ID_MISPLACED"],
        "The signed data block moved into a ds:Object of the issuance signature; an Id-less "
        "forged block takes its place.",
        wrap_into_object,
    )
    mutate(
        "wrap_original_in_sibling",
        ["STRUCTURE.ID_MISPLACED"],
        "The signed data block moved into an unsigned sibling element; a forged block takes its "
        "place.",
        wrap_into_sibling,
    )
    mutate(
        "wrap_row_duplicate",
        ["STRUCTURE.DUPLICATE_ID"],
        "A forged subject row with the same Id before the signed row.",
        wrap_row,
    )

    def dup_id(root: etree._Element) -> None:
        bd = root.find("DU_LIEU_HOC_BA/BANG_DIEM")
        assert bd is not None
        bd.set("Id", "thongtinhocba")

    mutate(
        "duplicate_id",
        ["STRUCTURE.DUPLICATE_ID"],
        "Two elements carry Id=thongtinhocba.",
        dup_id,
    )

    # -- comments ----------------------------------------------------------------------------
    def comment(root: etree._Element) -> None:
        name = root.find("DU_LIEU_HOC_BA/THONG_TIN_HOC_BA/HOC_SINH/HO_VA_TEN")
        assert name is not None and name.text
        head, tail = name.text[:3], name.text[3:]
        name.text = head
        c = etree.Comment(" injected ")
        c.tail = tail
        name.append(c)

    mutate(
        "comment_injection",
        ["STRUCTURE.COMMENT"],
        "A comment splits signed text (HO_VA_TEN); signatures still verify because C14N drops "
        "comments, so the strict policy refuses the file.",
        comment,
    )
    mutate(
        "comment_injection_allowed",
        [],
        "The same file under a policy that allows comments: ok with a WARN, and the record "
        "shows the full, signed name.",
        comment,
        policy="allow_comments",
        warnings=["STRUCTURE.COMMENT"],
    )

    # -- placement and references ------------------------------------------------------------
    def wrong_slot(root: etree._Element) -> None:
        gvcn = _sig(root, "GVCN")
        cbql_slot = _sig(root, "CBQL").getparent()
        assert cbql_slot is not None
        cbql_slot.remove(_sig(root, "CBQL"))
        cbql_slot.append(gvcn)

    mutate(
        "signature_wrong_slot",
        ["STRUCTURE.MISPLACED_SIGNATURE"],
        "The GVCN signature moved into the CBQL slot (CBQL's removed).",
        wrong_slot,
    )

    def outside(root: etree._Element) -> None:
        gvcn = _sig(root, "GVCN")
        ky = root.find("DANH_SACH_THONG_TIN_KY")
        assert ky is not None
        ky.append(gvcn)

    mutate(
        "signature_outside_slot",
        ["STRUCTURE.MISPLACED_SIGNATURE"],
        "The GVCN signature moved out of its slot into DANH_SACH_THONG_TIN_KY.",
        outside,
    )

    def other_role_ref(root: etree._Element) -> None:
        sig = _sig(root, "CBQL")
        ref = sig.find(f"{D}SignedInfo/{D}Reference")
        assert ref is not None
        ref.set("URI", "#thongtinhocba")
        _resign(root, sig, pki.personal(nk.so_ddcn_giam_hieu))

    mutate(
        "reference_other_role",
        ["STRUCTURE.REFERENCE_MISMATCH"],
        "The CBQL signature (validly re-signed by CBQL) references GVCN's #thongtinhocba.",
        other_role_ref,
    )

    def other_row_ref(root: etree._Element) -> None:
        sig = _sig(root, f"GVBM:{first}")
        ref = sig.find(f"{D}SignedInfo/{D}Reference")
        assert ref is not None
        ref.set("URI", f"#mon-{second}")
        _resign(root, sig, pki.personal(hb.bang_diem[0].so_ddcn_gvbm))

    mutate(
        "reference_other_row",
        ["STRUCTURE.REFERENCE_MISMATCH"],
        "A subject teacher's signature (validly re-signed) references another subject's row.",
        other_row_ref,
    )

    def three_refs(root: etree._Element) -> None:
        sig = _sig(root, "GVCN")
        si = sig.find(f"{D}SignedInfo")
        assert si is not None
        refs = si.findall(f"{D}Reference")
        si.append(copy.deepcopy(refs[0]))
        _resign(root, sig, pki.personal(nk.so_ddcn_gvcn))

    mutate(
        "three_references",
        ["STRUCTURE.SIGNATURE_SHAPE"],
        "A signature with a third Reference (validly re-signed).",
        three_refs,
    )

    def key_value(root: etree._Element) -> None:
        ki = _sig(root, "GVCN").find(f"{D}KeyInfo")
        assert ki is not None
        etree.SubElement(ki, f"{D}KeyValue")

    mutate(
        "keyinfo_keyvalue",
        ["STRUCTURE.SIGNATURE_SHAPE"],
        "KeyInfo carries a KeyValue besides X509Data (key ambiguity).",
        key_value,
    )

    # -- key material ------------------------------------------------------------------------
    def swap_cert(root: etree._Element) -> None:
        sig = _sig(root, "GVCN")
        cert = sig.find(f"{D}KeyInfo/{D}X509Data/{D}X509Certificate")
        assert cert is not None
        other = pki.personal(nk.so_ddcn_giam_hieu).certificate
        cert.text = base64.b64encode(other.public_bytes(Encoding.DER)).decode()

    mutate(
        "keyinfo_swapped",
        ["SIGNATURE.VALUE_INVALID"],
        "GVCN's certificate replaced by another valid certificate (the principal's).",
        swap_cert,
    )

    def swap_resign(root: etree._Element) -> None:
        _resign(root, _sig(root, "GVCN"), pki.personal(nk.so_ddcn_giam_hieu))

    mutate(
        "keyinfo_swapped_resigned",
        ["CERTIFICATE.IDENTITY_MISMATCH"],
        "GVCN's signature replaced by a valid signature of another trusted person.",
        swap_resign,
    )

    def issuance_personal(root: etree._Element) -> None:
        _resign(root, _sig(root, "KY_PHAT_HANH"), pki.personal(nk.so_ddcn_giam_hieu))

    mutate(
        "issuance_personal_certificate",
        ["CERTIFICATE.NOT_ORGANISATION"],
        "The issuance signature made with a personal certificate instead of the school's.",
        issuance_personal,
    )

    for personal, label in (("CMND:012345678", "cmnd"), ("HC:B1234567", "passport")):

        def issuance_mixed(root: etree._Element, personal: str = personal) -> None:
            _resign(
                root, _sig(root, "KY_PHAT_HANH"), pki.school_with_personal_id(personal=personal)
            )

        mutate(
            f"issuance_{label}_and_mst_certificate",
            ["CERTIFICATE.NOT_ORGANISATION"],
            f"The issuance signature made with a certificate carrying UID={personal.split(':')[0]}"
            ":… and the school's UID=MST:… — a person's certificate, whatever else it carries.",
            issuance_mixed,
        )

    # -- the issuing organisation against the Sở's registry ----------------------------------
    out.append(
        Vector(
            "issuer_registry_match",
            genuine,
            [],
            "The genuine record with an issuer registry naming the school's MST for its "
            "MA_TRUONG: ok.",
            policy="issuer_registry",
        )
    )
    out.append(
        Vector(
            "issuer_registry_mismatch",
            genuine,
            ["CERTIFICATE.ISSUER_NOT_SCHOOL"],
            "The genuine record with a registry naming another organisation for its school: "
            "the issuing certificate is not the school's.",
            policy="issuer_registry_other",
        )
    )
    out.append(
        Vector(
            "issuer_registry_school_missing",
            genuine,
            ["CERTIFICATE.SCHOOL_NOT_REGISTERED"],
            "The genuine record with a registry that does not list its school.",
            policy="issuer_registry_missing",
        )
    )

    # -- algorithms --------------------------------------------------------------------------
    def sha1(root: etree._Element) -> None:
        sig = _sig(root, "GVCN")
        for dm in sig.iter(f"{D}DigestMethod"):
            dm.set("Algorithm", SHA1)
        _resign(root, sig, pki.personal(nk.so_ddcn_gvcn), method=RSA_SHA1)

    mutate(
        "downgrade_sha1",
        ["SIGNATURE.ALGORITHM_REFUSED"],
        "GVCN validly re-signed with RSA-SHA1 and SHA-1 digests.",
        sha1,
    )
    mutate(
        "downgrade_sha1_legacy",
        [],
        "The SHA-1 file under the legacy policy: ok, with a WARN.",
        sha1,
        policy="legacy",
        warnings=["SIGNATURE.ALGORITHM_LEGACY"],
    )

    def md5(root: etree._Element) -> None:
        sig = _sig(root, "GVCN")
        for dm in sig.iter(f"{D}DigestMethod"):
            dm.set("Algorithm", MD5)
        _resign(root, sig, pki.personal(nk.so_ddcn_gvcn))

    mutate(
        "downgrade_md5",
        ["SIGNATURE.ALGORITHM_REFUSED"],
        "GVCN re-signed with MD5 digests.",
        md5,
    )

    def hmac_sig(root: etree._Element) -> None:
        _resign(root, _sig(root, "GVCN"), None, method=HMAC_SHA256)

    mutate(
        "downgrade_hmac",
        ["SIGNATURE.ALGORITHM_REFUSED"],
        "SignatureMethod HMAC-SHA256 keyed with the public certificate (algorithm confusion).",
        hmac_sig,
    )

    def with_comments(root: etree._Element) -> None:
        sig = _sig(root, "GVCN")
        cm = sig.find(f"{D}SignedInfo/{D}CanonicalizationMethod")
        assert cm is not None
        cm.set("Algorithm", C14N10_COMMENTS)
        _resign(root, sig, pki.personal(nk.so_ddcn_gvcn))

    mutate(
        "c14n_with_comments",
        ["SIGNATURE.C14N_WITH_COMMENTS"],
        "SignedInfo canonicalised #WithComments (validly re-signed).",
        with_comments,
    )

    def transform_comments(root: etree._Element) -> None:
        sig = _sig(root, "GVCN")
        tr = sig.find(f"{D}SignedInfo/{D}Reference/{D}Transforms/{D}Transform")
        assert tr is not None
        tr.set("Algorithm", C14N10_COMMENTS)
        _resign(root, sig, pki.personal(nk.so_ddcn_gvcn))

    mutate(
        "transform_with_comments",
        ["SIGNATURE.C14N_WITH_COMMENTS"],
        "Reference 1 transformed with C14N #WithComments (validly re-signed).",
        transform_comments,
    )

    def xpath_transform(root: etree._Element) -> None:
        sig = _sig(root, "GVCN")
        trs = sig.find(f"{D}SignedInfo/{D}Reference/{D}Transforms")
        assert trs is not None
        x = etree.SubElement(trs, f"{D}Transform", Algorithm=XPATH_TRANSFORM)
        etree.SubElement(x, f"{D}XPath").text = "not(ancestor-or-self::HOC_SINH)"
        _resign(root, sig, pki.personal(nk.so_ddcn_gvcn))

    mutate(
        "extra_xpath_transform",
        ["SIGNATURE.TRANSFORM_REFUSED"],
        "An XPath filter transform added to Reference 1 (validly re-signed).",
        xpath_transform,
    )

    # -- certificates ------------------------------------------------------------------------
    other = build_test_pki("ec")

    def untrusted(root: etree._Element) -> None:
        _resign(root, _sig(root, "GVCN"), other.personal(nk.so_ddcn_gvcn))

    mutate(
        "certificate_untrusted",
        ["CERTIFICATE.UNTRUSTED"],
        "GVCN signed with a certificate of the right person from an untrusted CA.",
        untrusted,
    )

    def expired(root: etree._Element) -> None:
        _resign(root, _sig(root, "GVCN"), pki.expired(nk.so_ddcn_gvcn))

    mutate(
        "certificate_expired",
        ["CERTIFICATE.EXPIRED"],
        "GVCN signed with a certificate that expired before the signing time.",
        expired,
    )

    def not_yet(root: etree._Element) -> None:
        _resign(root, _sig(root, "GVCN"), pki.not_yet_valid(nk.so_ddcn_gvcn))

    mutate(
        "certificate_not_yet_valid",
        ["CERTIFICATE.NOT_YET_VALID"],
        "GVCN signed with a certificate not yet valid at the signing time.",
        not_yet,
    )

    def revoked(root: etree._Element) -> None:
        _resign(root, _sig(root, "GVCN"), pki.revoked(nk.so_ddcn_gvcn))

    mutate(
        "certificate_revoked",
        ["CERTIFICATE.REVOKED"],
        "GVCN signed with a certificate revoked before the signing time (CRL supplied).",
        revoked,
    )

    def weak_rsa(root: etree._Element) -> None:
        _resign(root, _sig(root, "GVCN"), pki.weak_rsa(nk.so_ddcn_gvcn))

    mutate(
        "certificate_rsa_1024",
        ["CERTIFICATE.WEAK_KEY"],
        "GVCN signed with a 1024-bit RSA certificate from the trusted CA (the signer refuses "
        "RSA under 2048 bits).",
        weak_rsa,
    )

    def weak_curve(root: etree._Element) -> None:
        _resign(root, _sig(root, "GVCN"), pki.weak_curve(nk.so_ddcn_gvcn))

    mutate(
        "certificate_weak_curve",
        ["CERTIFICATE.WEAK_KEY"],
        "GVCN signed with an ECDSA secp256k1 certificate from the trusted CA (only P-256, "
        "P-384 and P-521 are accepted).",
        weak_curve,
    )

    def server_auth(root: etree._Element) -> None:
        _resign(root, _sig(root, "GVCN"), pki.server_auth_only(nk.so_ddcn_gvcn))

    mutate(
        "certificate_server_auth_only",
        ["CERTIFICATE.EXTENDED_KEY_USAGE"],
        "GVCN signed with a trusted certificate whose Extended Key Usage is serverAuth only.",
        server_auth,
    )

    # -- revocation reasons against a self-asserted signing time ------------------------------
    for (name, reason), (mon, teacher) in zip(BACKDATED_REASONS, backdated_rows(hb), strict=True):

        def backdated(root: etree._Element, mon: str = mon, teacher: str = teacher) -> None:
            sig = _sig(root, f"GVBM:{mon}")
            _set_time(sig, T_BACKDATED)
            _resign(root, sig, pki.revoked(teacher))

        why = "no reason code" if reason is None else reason.value
        compromise = reason is not x509.ReasonFlags.superseded
        mutate(
            name,
            ["CERTIFICATE.REVOKED_TIME_UNPROVEN"] if compromise else [],
            f"A subject teacher's signature made with a key revoked on 2025-03-01 ({why}) "
            "claims 2025-02-20 as its signing time. "
            + (
                "Whoever held a compromised key can claim any time: FAIL."
                if compromise
                else "A revocation for a reason other than compromise does not taint earlier "
                "signatures: ok."
            ),
            backdated,
        )
        if name == "revoked_key_compromise_backdated":
            mutate(
                "revoked_key_compromise_backdated_trusted",
                [],
                "The key-compromise file under a policy that trusts signing times "
                "(trust_signing_time=True): ok.",
                backdated,
                policy="trust_signing_time",
            )

    # -- CRL freshness -----------------------------------------------------------------------
    out.append(
        Vector(
            "crl_current_required",
            genuine,
            [],
            "The genuine record with CRLs required and the corpus CRL current: ok.",
            policy="require_crl",
        )
    )
    out.append(
        Vector(
            "crl_stale_required",
            genuine,
            ["CERTIFICATE.REVOCATION_NOT_CHECKED"],
            "The genuine record verified in June 2030, after the corpus CRL's nextUpdate, with "
            "CRLs required: a stale CRL counts as missing.",
            policy="require_crl",
            at=AFTER_CRL,
            warnings=["CERTIFICATE.CRL_STALE"],
        )
    )

    # -- tampering ---------------------------------------------------------------------------
    def removed(root: etree._Element) -> None:
        sig = _sig(root, "GVCN")
        parent = sig.getparent()
        assert parent is not None
        parent.remove(sig)

    mutate(
        "signature_removed",
        ["ORDER.MISSING_ROLE"],
        "The GVCN signature removed (the slot is empty).",
        removed,
    )

    def score(root: etree._Element) -> None:
        el = _by_id(root, f"mon-{first}").find("DIEM_CA_NAM")
        if el is None or not el.text:
            el = _by_id(root, f"mon-{first}").find("DIEM_HOC_KY_2")
        assert el is not None and el.text is not None
        el.text = "9.9" if el.text != "9.9" else "9.8"

    mutate(
        "tampered_score",
        ["SIGNATURE.DIGEST_MISMATCH"],
        "A subject's year score changed after signing.",
        score,
    )

    def signing_time(root: etree._Element) -> None:
        sig = _sig(root, "GVCN")
        _set_time(sig, _signing_time(sig) - dt.timedelta(days=30))

    mutate(
        "tampered_signing_time",
        ["SIGNATURE.DIGEST_MISMATCH"],
        "GVCN's SigningTime changed after signing.",
        signing_time,
    )

    def time_order(root: etree._Element) -> None:
        sig = _sig(root, "CBQL")
        _set_time(sig, _signing_time(_sig(root, "GVCN")) - dt.timedelta(minutes=5))
        _resign(root, sig, pki.personal(nk.so_ddcn_giam_hieu))

    mutate(
        "signing_time_backwards",
        ["ORDER.TIME_ORDER"],
        "CBQL (validly re-signed) claims a signing time before GVCN's.",
        time_order,
    )

    def issuance_early(root: etree._Element) -> None:
        sig = _sig(root, "KY_PHAT_HANH")
        _set_time(sig, _signing_time(_sig(root, "CBQL")) - dt.timedelta(minutes=5))
        _resign(root, sig, pki.school())

    mutate(
        "issuance_not_last",
        ["ORDER.ISSUANCE_NOT_LAST"],
        "The issuance signature (validly re-signed) is older than the CBQL signature.",
        issuance_early,
    )
    out.append(
        Vector(
            "signing_time_in_future",
            genuine,
            ["ORDER.FUTURE_SIGNING_TIME"],
            "A genuine record verified at a time before its signatures were made.",
            at=T_GVBM - dt.timedelta(days=1),
        )
    )
    out.append(
        Vector(
            "revoked_certificate_without_crl",
            next(v.data for v in out if v.name == "certificate_revoked"),
            [],
            "The revoked-certificate file without its CRL: revocation cannot be checked (SKIP), "
            "so the file passes — supply CRLs.",
            crl=False,
        )
    )

    # -- content -----------------------------------------------------------------------------
    tk = hb.thong_tin_hoc_ba.tong_ket
    wrong = MucDanhGia.TOT if tk.ren_luyen_ca_nam is not MucDanhGia.TOT else MucDanhGia.KHA
    bad = hb.model_copy(
        update={
            "thong_tin_hoc_ba": hb.thong_tin_hoc_ba.model_copy(
                update={"tong_ket": tk.model_copy(update={"ren_luyen_ca_nam": wrong})}
            )
        }
    )
    # hocbaso refuses to sign such a record as CBQL or KY_PHAT_HANH; the vector stands for one
    # issued by software that does not run the content check, so the gate is lifted here only.
    with (
        mock.patch("hocbaso.signature._planner.check_packet"),
        mock.patch("hocbaso.signature._twophase.check_packet"),
        mock.patch("hocbaso.signature._memo.note_record_checked"),  # nothing was checked
    ):
        wrongly_issued = issue(bad, pki)
    out.append(
        Vector(
            "content_inconsistent",
            wrongly_issued,
            ["CONTENT.CONDUCT_YEAR"],
            "A genuinely signed record whose year conduct result contradicts Thông tư 22 Điều 8.",
        )
    )

    def orphan_slot(root: etree._Element) -> None:
        slots = root.find("DANH_SACH_THONG_TIN_KY/DANH_SACH_GVBM")
        assert slots is not None
        codes = {r.ma_mon_hoc for r in hb.bang_diem}
        spare = next(f"{n:02d}" for n in range(10, 100) if f"{n:02d}" not in codes)
        etree.SubElement(slots, "GVBM", MA_MON_HOC=spare)

    mutate(
        "gvbm_slot_without_row",
        ["STRUCTURE.ORPHAN_SLOT"],
        "An empty GVBM slot for a subject that has no row in BANG_DIEM (every signature "
        "still verifies).",
        orphan_slot,
    )

    # -- inputs that once raised instead of reporting ----------------------------------------
    gvcn = pki.personal(nk.so_ddcn_gvcn)
    for name, der, description in hostile_certificates(pki, gvcn):

        def put(root: etree._Element, der: bytes = der) -> None:
            el = _sig(root, "GVCN").find(f"{D}KeyInfo/{D}X509Data/{D}X509Certificate")
            assert el is not None
            el.text = base64.b64encode(der).decode()

        mutate(name, ["SIGNATURE.KEY_UNSUPPORTED"], description, put)

    def non_ascii_certificate(root: etree._Element) -> None:
        el = _sig(root, "GVCN").find(f"{D}KeyInfo/{D}X509Data/{D}X509Certificate")
        assert el is not None
        el.text = "é" + (el.text or "")

    mutate(
        "non_ascii_certificate_text",
        ["STRUCTURE.SIGNATURE_SHAPE"],
        "A non-ASCII letter before the base64 of GVCN's certificate (KeyInfo is outside every "
        "digest): reported, never raised by a reader that expects base64.",
        non_ascii_certificate,
    )

    out.append(
        Vector(
            "relative_namespace_on_root",
            genuine.replace(b"<HOC_BA", b'<HOC_BA xmlns:x="rel"', 1),
            ["SIGNATURE.C14N_FAILED"],
            'A relative namespace URI (xmlns:x="rel") on HOC_BA: no C14N can serialise what '
            "lies below it.",
        )
    )
    out.append(
        Vector(
            "relative_namespace_in_data",
            genuine.replace(b"<HO_VA_TEN>", b'<HO_VA_TEN xmlns:x="#frag">', 1),
            ["SIGNATURE.C14N_FAILED"],
            'A fragment-only namespace URI (xmlns:x="#frag") inside the signed data.',
        )
    )
    for name, when in (
        ("signing_time_year_1", "0001-01-01T00:00:00+00:00"),
        ("signing_time_year_1_east", "0001-01-01T00:00:00+14:00"),
        ("signing_time_year_9999", "9999-12-31T23:59:59-14:00"),
    ):

        def extreme(root: etree._Element, when: str = when) -> None:
            sig = _sig(root, "GVCN")
            _set_time(sig, dt.datetime.fromisoformat(when))
            _resign(root, sig, gvcn)

        mutate(
            name,
            ["SIGNATURE.SIGNING_TIME_INVALID"],
            f"GVCN validly re-signed with SigningTime {when} (outside 1900–9000 UTC; "
            "converting it to UTC overflowed).",
            extreme,
        )
    out.append(
        Vector(
            "verified_in_year_9999",
            genuine,
            [],
            "A genuine record verified at 9999-12-31T23:59:59-14:00 (the clock-skew sum "
            "overflowed).",
            at=dt.datetime.fromisoformat("9999-12-31T23:59:59-14:00"),
        )
    )

    # -- resource floods (no key needed) -----------------------------------------------------
    for name, (build, code, description) in FLOOD_VECTORS.items():
        out.append(Vector(name, build(genuine), [code], description))

    # -- record digest: bytes no signature covers never change which record it is --------------
    notice = revoke(genuine, pki.school().signer(), reason="Cấp nhầm", revocation_time=T_REVOKE)
    notice_file = ("revocation_notice.xml", notice)

    def revoked_vector(name: str, data: bytes, description: str) -> None:
        out.append(
            Vector(
                name,
                data,
                ["STATUS.REVOKED"],
                description + " Supplied with the genuine record's revocation notice, it must "
                "still be reported revoked: the notice names the record digest (over signed "
                "content), not the file's bytes.",
                notices=[notice_file],
            )
        )

    revoked_vector("revoked_by_notice", genuine, "The genuine record itself.")
    revoked_vector("revoked_trailing_newline", genuine + b"\n", "A newline appended.")
    revoked_vector("revoked_crlf", genuine.replace(b"\n", b"\r\n"), "CRLF line ends.")
    revoked_vector("revoked_bom", b"\xef\xbb\xbf" + genuine, "A UTF-8 byte-order mark added.")
    assert genuine.startswith(b"<?xml")
    revoked_vector(
        "revoked_no_declaration",
        genuine[genuine.index(b"?>") + 2 :].lstrip(),
        "The XML declaration removed.",
    )

    def rewrap(root: etree._Element) -> None:
        value = _sig(root, "KY_PHAT_HANH").find(f"{D}SignatureValue")
        assert value is not None and value.text
        text = value.text.strip()
        value.text = "\n" + "\n".join(text[i : i + 64] for i in range(0, len(text), 64)) + "\n"

    def subject_name(root: etree._Element) -> None:
        x509data = _sig(root, "KY_PHAT_HANH").find(f"{D}KeyInfo/{D}X509Data")
        assert x509data is not None
        name = etree.SubElement(x509data, f"{D}X509SubjectName")
        name.text = pki.school().certificate.subject.rfc4514_string()

    for name, fn, what in (
        (
            "revoked_rewrapped_signature_value",
            rewrap,
            "KY_PHAT_HANH's SignatureValue base64 re-wrapped at 64 characters.",
        ),
        (
            "revoked_x509_subject_name",
            subject_name,
            "An X509SubjectName added to KY_PHAT_HANH's X509Data.",
        ),
    ):
        root = _tree(genuine)
        fn(root)
        revoked_vector(name, _bytes(root), what)

    # ECDSA: a value (r, s) and (r, n - s) both verify; rewriting s changes no signed byte.
    ec_key = ec.generate_private_key(ec.SECP256R1())
    first_row = hb.bang_diem[0]
    ec_teacher = TestIdentity(
        pki.certify_personal(ec_key.public_key(), first_row.so_ddcn_gvbm),
        ec_key,
        (pki.intermediate,),
    )
    ec_issued = issue(hb, pki, teachers={first: ec_teacher})
    root = _tree(ec_issued)
    value_el = _sig(root, f"GVBM:{first}").find(f"{D}SignatureValue")
    assert value_el is not None and value_el.text
    raw = base64.b64decode(value_el.text)
    r, s = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    value_el.text = base64.b64encode(
        r.to_bytes(32, "big") + (order - s).to_bytes(32, "big")
    ).decode()
    revoked_vector(
        "revoked_ecdsa_high_s",
        _bytes(root),
        "The record with an ECDSA (P-256) subject teacher, whose signature value's s is "
        "replaced by n - s (the other valid value).",
    )

    # A notice doctored with a comment inside BAM_HOC_BA: its signature stays valid (C14N drops
    # comments); its fields must come from the signed bytes, not the tree's truncated text.
    digest = record_digest(genuine)
    commented = notice.replace(
        f"<BAM_HOC_BA>{digest}".encode(),
        f"<BAM_HOC_BA>{digest[:10]}<!-- x -->{digest[10:]}".encode(),
    )
    assert commented != notice
    out.append(
        Vector(
            "revoked_notice_with_comment",
            genuine,
            ["STATUS.REVOKED"],
            "The genuine record with its revocation notice, into whose BAM_HOC_BA a comment was "
            "inserted (the notice's signature still verifies): still revoked.",
            notices=[("revocation_notice_comment.xml", commented)],
        )
    )
    out.append(
        Vector(
            "notice_unreadable",
            genuine,
            ["STATUS.NOTICE_INVALID"],
            "The genuine record with a revocation notice whose signed reason was changed: a "
            "notice that cannot be verified FAILs, it is never skipped.",
            notices=[("revocation_notice_tampered.xml", notice.replace(b"<LY_DO>", b"<LY_DO>!"))],
        )
    )
    # The school revokes another record that carries the same identifier and version.
    tc = hb.thong_tin_hoc_ba.thong_tin_chung
    twin = hb.model_copy(
        update={
            "thong_tin_hoc_ba": hb.thong_tin_hoc_ba.model_copy(
                update={"thong_tin_chung": tc.model_copy(update={"so_so_dang_bo": "999/2024"})}
            )
        }
    )
    twin_notice = revoke(
        issue(twin, pki), pki.school().signer(), reason="Cấp nhầm", revocation_time=T_REVOKE
    )
    out.append(
        Vector(
            "notice_digest_mismatch",
            genuine,
            ["STATUS.NOTICE_DIGEST_MISMATCH"],
            "A valid notice naming this record's identifier and version but another record "
            "digest: fail closed (neither revoked nor ok).",
            notices=[("revocation_notice_twin.xml", twin_notice)],
        )
    )

    # -- version chain by record digest ------------------------------------------------------
    def version_2(bam: str) -> bytes:
        fix = DinhChinh(ly_do="Sửa nhận xét", bam_phien_ban_truoc=bam)
        changed = tc.model_copy(update={"phien_ban": 2, "dinh_chinh": fix})
        return issue(
            hb.model_copy(
                update={
                    "thong_tin_hoc_ba": hb.thong_tin_hoc_ba.model_copy(
                        update={"thong_tin_chung": changed}
                    )
                }
            ),
            pki,
        )

    v2 = version_2(digest)
    out.append(
        Vector(
            "correction_previous_with_newline",
            v2,
            [],
            "Version 2 (a correction naming version 1's record digest), with version 1 "
            "supplied with a trailing newline and CRLF line ends: the chain holds.",
            previous=[("previous_v1_crlf.xml", genuine.replace(b"\n", b"\r\n") + b"\r\n")],
        )
    )
    out.append(
        Vector(
            "correction_previous_digest_mismatch",
            version_2("0" * 64),
            ["STATUS.VERSION_DIGEST_MISMATCH"],
            "Version 2 naming another digest than version 1's, with version 1 supplied: fail "
            "closed.",
            previous=[("previous_v1.xml", genuine)],
        )
    )

    # -- record binding ------------------------------------------------------------------------
    def no_binding(root: etree._Element) -> None:
        sig = _sig(root, "GVCN")
        prop = sig.find(f".//{{{SIGPROP_NS}}}HocBaKy/..")
        assert prop is not None
        parent = prop.getparent()
        assert parent is not None
        parent.remove(prop)
        _resign(root, sig, pki.personal(nk.so_ddcn_gvcn))

    mutate(
        "record_binding_missing",
        ["SIGNATURE.RECORD_BINDING_MISSING"],
        "GVCN's signature (validly re-signed) without the HocBaKy property naming the record.",
        no_binding,
    )

    def other_version(root: etree._Element) -> None:
        sig = _sig(root, "GVCN")
        version = sig.find(f".//{{{SIGPROP_NS}}}HocBaKy/{{{SIGPROP_NS}}}PHIEN_BAN")
        assert version is not None
        version.text = "2"
        _resign(root, sig, pki.personal(nk.so_ddcn_gvcn))

    mutate(
        "record_binding_other_version",
        ["SIGNATURE.RECORD_BINDING_MISMATCH"],
        "GVCN's signature (validly re-signed) bound to version 2 of the record, in version 1.",
        other_version,
    )
    out.append(replayed_subject_signature(pki))

    # -- processing instructions in signed text ----------------------------------------------
    def pi_in_name(root: etree._Element) -> None:
        name = root.find("DU_LIEU_HOC_BA/THONG_TIN_HOC_BA/HOC_SINH/HO_VA_TEN")
        assert name is not None and name.text
        head, tail = name.text[:3], name.text[3:]
        name.text = head
        pi = etree.ProcessingInstruction("x")
        pi.tail = tail
        name.append(pi)
        _resign(root, _sig(root, "GVCN"), pki.personal(nk.so_ddcn_gvcn))
        _resign(root, _sig(root, "CBQL"), pki.personal(nk.so_ddcn_giam_hieu))
        _resign(root, _sig(root, "KY_PHAT_HANH"), pki.school())

    mutate(
        "processing_instruction_in_name",
        ["STRUCTURE.PROCESSING_INSTRUCTION"],
        "A processing instruction inside HO_VA_TEN, signed by GVCN, CBQL and KY_PHAT_HANH "
        "(C14N keeps PIs). Even where comments are allowed, the record is refused: read "
        "naively its name would be cut at the PI.",
        pi_in_name,
        policy="allow_comments",
        warnings=["STRUCTURE.COMMENT"],
    )
    return out


# --------------------------------------------------------------------------- hostile keys


_RSA_OID = bytes.fromhex("06092a864886f70d010101")  # rsaEncryption
_UNKNOWN_OID = bytes.fromhex("06092a864886f70d010163")  # same length, unassigned


def _rsa_exponent(der: bytes, e: int) -> bytes:
    """``der`` with its RSA-2048 public exponent 65537 replaced by ``e`` (< 128). The modulus
    grows by two bytes so that no enclosing length changes (the CA's signature no longer
    matches, which no check reaches first)."""
    i = der.index(bytes.fromhex("0203010001"))
    j = der.rindex(b"\x02\x82\x01\x01\x00", 0, i)
    out = der[:j] + b"\x02\x82\x01\x03" + der[j + 4 : i] + b"\xab\xcd" + bytes([2, 1, e])
    out += der[i + 5 :]
    assert len(out) == len(der)
    return out


def _issued(pki: TestPKI, who: TestIdentity, key: Any) -> bytes:
    """A certificate for ``who``'s subject and ``key`` (any type), issued by the test CA."""
    now = who.certificate.not_valid_before_utc
    cert = (
        x509.CertificateBuilder()
        .subject_name(who.certificate.subject)
        .issuer_name(who.certificate.issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(who.certificate.not_valid_after_utc)
        .sign(pki.intermediate_key, hashes.SHA256())
    )
    return cert.public_bytes(Encoding.DER)


def hostile_certificates(pki: TestPKI, who: TestIdentity) -> list[tuple[str, bytes, str]]:
    """(name, DER, description): leaf certificates whose key cannot be used."""
    der = who.certificate.public_bytes(Encoding.DER)
    assert der.count(_RSA_OID) == 1, "the GVCN test certificate must be RSA"
    return [
        (
            "key_unknown_algorithm",
            der.replace(_RSA_OID, _UNKNOWN_OID),
            "GVCN's certificate with a key algorithm OID nobody knows (the library raised "
            "UnsupportedAlgorithm).",
        ),
        ("key_rsa_e1", _rsa_exponent(der, 1), "GVCN's certificate with RSA exponent e = 1."),
        ("key_rsa_e2", _rsa_exponent(der, 2), "GVCN's certificate with RSA exponent e = 2."),
        (
            "key_dsa",
            _issued(pki, who, dsa.generate_private_key(2048)),
            "GVCN's certificate carrying a DSA key, issued by the trusted CA.",
        ),
        (
            "key_ed448",
            _issued(pki, who, ed448.Ed448PrivateKey.generate()),
            "GVCN's certificate carrying an Ed448 key, issued by the trusted CA.",
        ),
    ]


# --------------------------------------------------------------------------- resource floods
#
# Unauthenticated denial of service: no key is needed to make a verifier work hard. Each flood
# is built for any count, so the benchmark (``python -m benchmarks hostile``) can time it just
# under and just over its ParseLimits limit, and the corpus carries it at the size first
# reported against an unbounded verifier.

_DS_DECL = b' xmlns:ds="http://www.w3.org/2000/09/xmldsig#"'
_START_TAG = re.compile(rb"<[A-Za-z_][\w.:-]*")


def flood_namespaces_on_root(genuine: bytes, n: int) -> bytes:
    """``n`` namespace declarations on ``HOC_BA``: in scope for every canonicalised element."""
    decls = b"".join(b' xmlns:p%d="urn:hocbaso:flood:%d"' % (i, i) for i in range(n))
    return genuine.replace(b"<HOC_BA", b"<HOC_BA" + decls, 1)


def flood_namespaces(genuine: bytes, n: int, per_element: int) -> bytes:
    """``n`` declarations, ``per_element`` on each data element from the root down."""
    counter = iter(range(n))

    def add(match: re.Match[bytes]) -> bytes:
        decls = b"".join(
            b' xmlns:q%d="urn:hocbaso:flood:%d"' % (i, i)
            for _, i in zip(range(per_element), counter, strict=False)
        )
        return match.group(0) + decls

    return _START_TAG.sub(add, genuine)


def _with_attributes(genuine: bytes, n: int, per_element: int) -> bytes:
    root = _tree(genuine)
    # Signature internals first (SignedInfo is canonicalised for the signature value), then
    # the signed data: where attributes cost the most.
    targets = [e for e in root.iter(f"{D}SignedInfo", f"{D}Reference", f"{D}Object")]
    targets += [e for e in root.iter(etree.Element) if e not in targets]
    left = n
    for el in targets:
        if left <= 0:
            break
        k = min(per_element - len(el.attrib), left)
        for i in range(k):
            el.set(f"a{left - i}", "x")
        left -= max(k, 0)
    return _bytes(root)


def flood_attributes_on_element(genuine: bytes, n: int) -> bytes:
    """``n`` attributes on the first ``Object`` (signed by Reference 2)."""
    return genuine.replace(b"<Object", b"<Object" + b"".join(b' a%d="x"' % i for i in range(n)), 1)


def flood_attributes(genuine: bytes, n: int, per_element: int) -> bytes:
    """``n`` attributes added in all, at most ``per_element`` on any one element."""
    return _with_attributes(genuine, n, per_element)


def flood_signatures(genuine: bytes, n: int) -> bytes:
    """``n`` empty ``ds:Signature`` elements, siblings outside every slot."""
    body = b"<ds:Signature/>" * n
    data = genuine.replace(b"<HOC_BA", b"<HOC_BA" + _DS_DECL, 1)
    return data.replace(b"</HOC_BA>", body + b"</HOC_BA>")


def flood_ids(genuine: bytes, n: int) -> bytes:
    """``n`` sibling elements all carrying ``Id="data"`` (duplicates of the signed block's)."""
    return genuine.replace(b"</HOC_BA>", b'<X Id="data"/>' * n + b"</HOC_BA>")


def flood_comments(genuine: bytes, n: int) -> bytes:
    """``n`` comments inside the signed data block (each one a finding)."""
    return genuine.replace(b"</DU_LIEU_HOC_BA>", b"<!---->" * n + b"</DU_LIEU_HOC_BA>", 1)


def flood_elements(genuine: bytes, n: int) -> bytes:
    """``n`` empty sibling elements after the signed data block."""
    return genuine.replace(b"</DU_LIEU_HOC_BA>", b"</DU_LIEU_HOC_BA>" + b"<X/>" * n, 1)


def flood_text(genuine: bytes, n: int) -> bytes:
    """A student name of ``n`` characters (signed text, a patterned and length-bound field)."""
    return genuine.replace(b"<HO_VA_TEN>", b"<HO_VA_TEN>" + b"A" * n, 1)


def flood_certificates(genuine: bytes, n: int) -> bytes:
    """GVCN's KeyInfo carrying its intermediate ``n`` times besides the leaf."""
    root = _tree(genuine)
    x509data = _sig(root, "GVCN").find(f"{D}KeyInfo/{D}X509Data")
    assert x509data is not None
    certs = x509data.findall(f"{D}X509Certificate")
    for _ in range(n):
        x509data.append(copy.deepcopy(certs[-1]))
    return _bytes(root)


#: Flood vectors at the sizes first reported against the unbounded verifier: name → (builder
#: of the bytes from the genuine record, expected code, description).
FLOOD_VECTORS: dict[str, tuple[Callable[[bytes], bytes], str, str]] = {
    "flood_namespaces_on_root": (
        lambda g: flood_namespaces_on_root(g, 4_000),
        "PARSE.TOO_MANY_NAMESPACES_PER_ELEMENT",
        "4 000 namespace declarations on HOC_BA (~120 KB; 22 s in an unbounded verifier).",
    ),
    "flood_namespaces_spread": (
        lambda g: flood_namespaces(g, 4_000, 16),
        "PARSE.TOO_MANY_NAMESPACES",
        "4 000 namespace declarations, 16 on each of 250 elements (each under the "
        "per-element limit).",
    ),
    "flood_attributes_on_object": (
        lambda g: flood_attributes_on_element(g, 256_000),
        "PARSE.TOO_MANY_ATTRIBUTES_PER_ELEMENT",
        "256 000 attributes on one signed Object (no answer in 180 s when unbounded).",
    ),
    "flood_attributes_spread": (
        lambda g: flood_attributes(g, 16_000, 32),
        "PARSE.TOO_MANY_ATTRIBUTES",
        "16 000 attributes, 32 on each of 500 elements (each under the per-element limit).",
    ),
    "flood_signatures": (
        lambda g: flood_signatures(g, 16_000),
        "PARSE.TOO_MANY_SIGNATURES",
        "16 000 empty Signature elements outside every slot (58 s when unbounded).",
    ),
    "flood_duplicate_ids": (
        lambda g: flood_ids(g, 16_000),
        "PARSE.TOO_MANY_IDS",
        "16 000 elements repeating Id=data (9.8 s when unbounded).",
    ),
}


def replayed_subject_signature(pki: TestPKI) -> Vector:
    """Two students of one synthetic class share a subject row (same teacher, same marks).
    The first student's GVBM signature for that row is copied into the second student's
    issued record: every byte it covers is the same, so only the record binding tells."""
    students = tao_lop(seed=1, so_hoc_sinh=6)
    rows: dict[str, tuple[int, str]] = {}
    for i, student in enumerate(students):
        for row in student.bang_diem:
            key = row.model_dump_json()
            if key in rows and rows[key][0] != i:
                source, target, code = rows[key][0], i, row.ma_mon_hoc
                break
            rows.setdefault(key, (i, row.ma_mon_hoc))
        else:
            continue
        break
    else:
        raise AssertionError("the synthetic class has no shared subject row")
    donor = _tree(issue(students[source], pki))
    victim = _tree(issue(students[target], pki))
    slot = _sig(victim, f"GVBM:{code}").getparent()
    assert slot is not None
    slot.remove(_sig(victim, f"GVBM:{code}"))
    slot.append(copy.deepcopy(_sig(donor, f"GVBM:{code}")))
    return Vector(
        "replayed_subject_signature",
        _bytes(victim),
        ["SIGNATURE.RECORD_BINDING_MISMATCH", "ORDER.MISSING_ROLE"],
        "A subject teacher's signature copied from one student's record into another's with "
        "the identical subject row (same teacher, same marks): the signature is bound to the "
        "first student's record identifier, so it is refused.",
    )


#: The committed hostile-XML files (no key needed): file name → (expected code, description).
STATIC_VECTORS: dict[str, tuple[str, str]] = {
    "xxe_external_entity.xml": ("PARSE.DTD", "External entity reading a local file (XXE)."),
    "xxe_network_entity.xml": ("PARSE.DTD", "External entity fetching a URL (SSRF)."),
    "billion_laughs.xml": ("PARSE.DTD", "Exponential entity expansion (billion laughs)."),
    "dtd_internal.xml": ("PARSE.DTD", "An internal DTD declaring Id as an ID attribute."),
    "dtd_external.xml": ("PARSE.DTD", "An external DTD on the network."),
    "parameter_entity.xml": ("PARSE.DTD", "A remote parameter entity."),
    "deeply_nested.xml": ("PARSE.TOO_DEEP", "200 levels of nesting."),
    "malformed.xml": ("PARSE.MALFORMED", "Not well-formed XML."),
    "utf16.xml": ("PARSE.ENCODING", "UTF-16 instead of UTF-8."),
}


# --------------------------------------------------------------------------- packages

#: Package vectors (docs/package.md): name → (FAIL codes of the package itself, the codes of
#: each entry in archive order, description). Built from the genuine record by
#: :func:`build_package_vectors`; a conforming reader of packages reports exactly these.
PACKAGE_VECTORS: dict[str, tuple[list[str], list[list[str]], str]] = {
    "package_genuine": (
        [], [[]], "The genuine record packed for round 1 by its own school: accepted."
    ),
    "package_record_swapped": (
        [],
        [["PACKAGE.ENTRY.SHA256"]],
        "After the envelope was signed, the record entry was replaced by a copy with a "
        "comment injected: its SHA-256 no longer matches the envelope's.",
    ),
    "package_traversal": (
        ["PACKAGE.ZIP.TRAVERSAL"], [],
        "The record entry renamed '../…' in both ZIP headers.",
    ),
    "package_truncated": (
        ["PACKAGE.ZIP.TRUNCATED"], [], "The genuine package cut in half."
    ),
    "package_bomb": (
        ["PACKAGE.ZIP.RATIO"], [],
        "A 2 MiB run of zero bytes deflated into about 2 KiB (a ZIP bomb by ratio).",
    ),
}


def build_package_vectors(pki: TestPKI, genuine: bytes, injected: bytes) -> dict[str, bytes]:
    """The bytes of every :data:`PACKAGE_VECTORS` entry. ``genuine`` is the genuine record,
    ``injected`` the same record with a comment injected (another signed-byte change)."""
    import io
    import zipfile

    from hocbaso.package import pack

    package = pack([genuine], signer=pki.school().signer(), round=1,
                   created_at=VERIFY_AT - dt.timedelta(minutes=1))
    assert isinstance(package, bytes)
    source = zipfile.ZipFile(io.BytesIO(package))
    record = next(i.filename for i in source.infolist() if i.filename.startswith("hoc_ba/"))

    def rebuilt(replace: bytes) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            for info in source.infolist():
                data = replace if info.filename == record else source.read(info.filename)
                z.writestr(info, data, compress_type=info.compress_type)
        return out.getvalue()

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w") as z:
        z.writestr("mimetype", source.read("mimetype"), compress_type=zipfile.ZIP_STORED)
        z.writestr("GOI_TIN.xml", bytes(2 * 1024 * 1024), compress_type=zipfile.ZIP_DEFLATED)
    name = record.encode()
    return {
        "package_genuine": package,
        "package_record_swapped": rebuilt(injected),
        "package_traversal": package.replace(name, b"../" + name[3:]),
        "package_truncated": package[: len(package) // 2],
        "package_bomb": bomb.getvalue(),
    }


def package_manifest_entries() -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "file": f"packages/{name}.zip",
            "generated": True,
            "expected_failures": expected,
            "expected_entry_failures": entries,
            "crl": True,
            "at": VERIFY_AT.isoformat(),
            "description": description,
        }
        for name, (expected, entries, description) in PACKAGE_VECTORS.items()
    ]


def manifest_entries(vectors: list[Vector]) -> list[dict[str, Any]]:
    """Manifest rows: generated vectors (file ``<name>.xml`` in the written corpus), the
    generated oversized file, then the committed static files under ``attacks/``."""
    rows: list[dict[str, Any]] = [
        {
            "name": v.name,
            "file": f"{v.name}.xml",
            "generated": True,
            "expected_failures": v.expected,
            "expected_warnings": v.warnings,
            "policy": v.policy,
            "crl": v.crl,
            "at": v.at.isoformat(),
            "revocations": [f"inputs/{n}" for n, _ in v.notices],
            "previous_versions": [f"inputs/{n}" for n, _ in v.previous],
            "description": v.description,
        }
        for v in vectors
    ]
    rows.append(
        {
            "name": "oversized",
            "file": "oversized.xml",
            "generated": True,
            "expected_failures": ["PARSE.TOO_LARGE"],
            "expected_warnings": [],
            "policy": "strict",
            "crl": True,
            "at": VERIFY_AT.isoformat(),
            "revocations": [],
            "previous_versions": [],
            "description": "The genuine record padded past the 4 MiB limit with a comment.",
        }
    )
    for name, (code, description) in STATIC_VECTORS.items():
        rows.append(
            {
                "name": name.removesuffix(".xml"),
                "file": f"attacks/{name}",
                "generated": False,
                "expected_failures": [code],
                "expected_warnings": [],
                "policy": "strict",
                "crl": True,
                "at": VERIFY_AT.isoformat(),
                "revocations": [],
                "previous_versions": [],
                "description": description,
            }
        )
    return rows


def oversized(genuine: bytes) -> bytes:
    """The genuine record padded past the 4 MiB parse limit (generated: too big to commit)."""
    pad = b"<!--" + b"x" * (4 * 1024 * 1024) + b"-->"
    return genuine.replace(b"<HOC_BA", pad + b"\n<HOC_BA", 1)


def write_corpus(out_dir: Path, pki: TestPKI | None = None) -> Path:
    """Write the full corpus for other implementations; returns the manifest path."""
    pki = pki or build_test_pki()
    out_dir.mkdir(parents=True, exist_ok=True)
    trust = pki.write_trust_files(out_dir / "trust")
    trust["crl"].write_bytes(corpus_crl(pki).public_bytes(Encoding.DER))
    vectors = build_vectors(pki)
    (out_dir / "inputs").mkdir(exist_ok=True)
    for v in vectors:
        (out_dir / f"{v.name}.xml").write_bytes(v.data)
        for name, data in (*v.notices, *v.previous):
            (out_dir / "inputs" / name).write_bytes(data)
    (out_dir / "oversized.xml").write_bytes(oversized(vectors[0].data))
    (out_dir / "attacks").mkdir(exist_ok=True)
    for name in STATIC_VECTORS:
        shutil.copy(STATIC / name, out_dir / "attacks" / name)
    (out_dir / "packages").mkdir(exist_ok=True)
    by_name = {v.name: v.data for v in vectors}
    packages = build_package_vectors(pki, by_name["genuine"], by_name["comment_injection"])
    for name, data in packages.items():
        (out_dir / "packages" / f"{name}.zip").write_bytes(data)
    entries = manifest_entries(vectors)
    registries = issuer_registries()
    for name, registry in registries.items():
        (out_dir / "trust" / f"{name}.json").write_text(json.dumps(registry, indent=2), "utf-8")
    manifest = {
        "trust_anchor": str(trust["root"].relative_to(out_dir)),
        "crl": str(trust["crl"].relative_to(out_dir)),
        "issuer_registries": registries,
        "vectors": entries,
        "packages": package_manifest_entries(),
    }
    path = out_dir / "manifest.json"
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def committed_manifest(vectors: list[Vector]) -> dict[str, Any]:
    """What ``tests/vectors/manifest.json`` must contain (a test checks it is up to date)."""
    return {
        "about": (
            "hocbaso verification attack corpus. Generated vectors need the test PKI: run "
            "'PYTHONPATH=src python tests/vectors/make_vectors.py OUT_DIR' to write them with "
            "trust/root.pem (the only anchor) and trust/"
            "hocbaso-test-government-ca.crl (supply it when crl is true). A conforming "
            "verifier reports every expected_failures code with status FAIL, every "
            "expected_warnings code with WARN, and for an empty expected_failures no FAIL at "
            "all. Policies: strict (default), legacy (SHA-1 allowed with WARN), "
            "allow_comments (comments in signed content WARN instead of FAIL), require_crl "
            "(a missing or stale CRL FAILs), trust_signing_time (signing times believed "
            "against compromise revocations), and issuer_registry* (strict with the issuer "
            "registry of the same name in issuer_registries, written as trust/<name>.json). "
            "revocations and previous_versions name generated files (under inputs/) to "
            "supply as revocation notices and earlier versions. packages are ZIP packages "
            "(docs/package.md), verified as packages: expected_failures are the FAIL codes "
            "of the package itself, expected_entry_failures the codes of each entry in "
            "archive order."
        ),
        "issuer_registries": issuer_registries(),
        "vectors": manifest_entries(vectors),
        "packages": package_manifest_entries(),
    }


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "--manifest":
        data = committed_manifest(build_vectors())
        MANIFEST.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", "utf-8")
        print(MANIFEST)
    elif len(sys.argv) == 2:
        print(write_corpus(Path(sys.argv[1])))
    else:
        print("usage: make_vectors.py OUT_DIR | --manifest", file=sys.stderr)
        raise SystemExit(2)
