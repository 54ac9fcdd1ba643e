"""Helpers for the interoperability tests: drive xmlsec1 and signxml as independent verifiers,
build docs/signing.md §1 templates for ``xmlsec1 --sign``, sign every role of a packet with
hocbaso, and check a signature with a few lines of lxml + cryptography that share no code with
hocbaso.

Everything reads the packet as XML (element names of docs/packet.md), not through hocbaso's models,
so a bug in the library's own reading cannot hide here.
"""

from __future__ import annotations

import base64
import hashlib
import random
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from lxml import etree

from hocbaso.signature import SigningStep, VaiTroKy, sign
from hocbaso.testing.pki import TEST_NOW, TestPKI

DS = "http://www.w3.org/2000/09/xmldsig#"
SIGPROP = "urn:hocbaso:signature-properties"
C14N10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
ECDSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"

#: Elements whose ``Id`` attribute names them (the XSD declares them xs:ID; xmlsec1 must be told).
ID_ELEMENTS = ("DU_LIEU_HOC_BA", "THONG_TIN_HOC_BA", "DIEM_TONG_KET", f"{DS}:Signature")
#: :data:`TEST_NOW` in UTC, the format xmlsec1's --verification-gmt-time wants.
XMLSEC_GMT_NOW = TEST_NOW.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def xmlsec1_binary() -> str:
    found = shutil.which("xmlsec1")
    if found is None:
        raise AssertionError("xmlsec1 is not installed (Debian package xmlsec1); .ci/run adds it")
    return found


def _id_args() -> list[str]:
    return [arg for name in ID_ELEMENTS for arg in ("--id-attr:Id", name)]


@dataclass(frozen=True)
class TrustFiles:
    root: Path
    intermediate: Path


@dataclass(frozen=True)
class XmlsecResult:
    ok: bool
    output: str


def xmlsec1_verify(
    data: bytes,
    signature_id: str,
    trust: TrustFiles,
    tmp: Path,
    *,
    gmt_time: str = XMLSEC_GMT_NOW,
    untrusted: bool = True,
    trust_intermediate: bool = False,
) -> XmlsecResult:
    """Verify ONE signature (``--node-id``) with the test root as the only trusted certificate.

    ``trust_intermediate`` also trusts the intermediate: xmlsec1 1.2 looks up the issuer of a
    CRL (``X509CRL`` in KeyInfo) only among trusted certificates, so CRL checks need it."""
    doc = tmp / f"verify-{hashlib.sha256(data).hexdigest()[:16]}.xml"
    doc.write_bytes(data)
    args = [xmlsec1_binary(), "--verify", "--trusted-pem", str(trust.root)]
    if trust_intermediate:
        args += ["--trusted-pem", str(trust.intermediate)]
    elif untrusted:
        args += ["--untrusted-pem", str(trust.intermediate)]
    args += [*_id_args(), "--node-id", signature_id, "--verification-gmt-time", gmt_time, str(doc)]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
    out = proc.stdout + proc.stderr
    return XmlsecResult(proc.returncode == 0 and out.startswith("OK"), out)


def xmlsec1_sign(
    template: bytes, signature_id: str, key_pem: Path, certs: Sequence[Path], tmp: Path
) -> bytes:
    """Sign the template Signature ``signature_id`` in ``template`` with ``xmlsec1 --sign``."""
    src = tmp / f"tmpl-{signature_id}.xml"
    dst = tmp / f"signed-{signature_id}.xml"
    src.write_bytes(template)
    keyspec = ",".join([str(key_pem), *map(str, certs)])
    args = [xmlsec1_binary(), "--sign", "--privkey-pem", keyspec, *_id_args()]
    args += ["--node-id", signature_id, "--output", str(dst), str(src)]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return dst.read_bytes()


# -- the packet, read as XML -------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    role: VaiTroKy
    mon: str | None
    signature_id: str
    reference_id: str
    location: str  # signxml's SignatureConfiguration.location for this slot


def slots(data: bytes) -> list[Slot]:
    """Every signature slot of the packet, in signing order."""
    root = etree.fromstring(data, _PARSER)
    out = []
    for gvbm in root.iterfind("DANH_SACH_THONG_TIN_KY/DANH_SACH_GVBM/GVBM"):
        code = gvbm.get("MA_MON_HOC")
        assert code is not None
        out.append(
            Slot(
                VaiTroKy.GVBM,
                code,
                f"sig-gvbm-{code}",
                f"mon-{code}",
                f"./DANH_SACH_THONG_TIN_KY/DANH_SACH_GVBM/GVBM[@MA_MON_HOC='{code}']/",
            )
        )
    out.append(
        Slot(VaiTroKy.GVCN, None, "sig-gvcn", "thongtinhocba", "./DANH_SACH_THONG_TIN_KY/GVCN/")
    )
    out.append(Slot(VaiTroKy.CBQL, None, "sig-cbql", "data", "./PHAT_HANH_HOC_BA/CBQL/"))
    out.append(
        Slot(
            VaiTroKy.KY_PHAT_HANH,
            None,
            "sig-kyphathanh",
            "data",
            "./PHAT_HANH_HOC_BA/KY_PHAT_HANH/",
        )
    )
    return out


def signer_ids(data: bytes) -> dict[str | None, str]:
    """Personal IDs the record names: subject code → GVBM, "GVCN", "CBQL"."""
    root = etree.fromstring(data, _PARSER)
    ids: dict[str | None, str] = {}
    for row in root.iterfind("DU_LIEU_HOC_BA/BANG_DIEM/DIEM_TONG_KET"):
        ids[(row.get("Id") or "")[len("mon-") :]] = (row.findtext("SO_DDCN_GVBM") or "").strip()
    info = root.find("DU_LIEU_HOC_BA/THONG_TIN_HOC_BA/NGUOI_KY")
    assert info is not None
    ids["GVCN"] = (info.findtext("SO_DDCN_GVCN") or "").strip()
    ids["CBQL"] = (info.findtext("SO_DDCN_GIAM_HIEU") or "").strip()
    return ids


def role_plan(
    packet: bytes,
    pki: TestPKI,
    *,
    gvbm_order: Sequence[int] | None = None,
    start: datetime = TEST_NOW,
    upto: VaiTroKy = VaiTroKy.KY_PHAT_HANH,
    skip_present: bool = False,
) -> list[SigningStep]:
    """The signing steps for a packet: every GVBM (in ``gvbm_order`` if given), then GVCN,
    CBQL, issuance, stopping after the role ``upto``, one minute apart from ``start``; each
    with the TEST PKI identity the record names for it.

    ``skip_present`` leaves slots that already hold a signature alone (continuing a packet
    someone else started)."""
    ids = signer_ids(packet)
    all_slots = slots(packet)
    gvbm = [s for s in all_slots if s.role is VaiTroKy.GVBM]
    if gvbm_order is not None:
        gvbm = [gvbm[i] for i in gvbm_order]
    rest = [s for s in all_slots if s.role is not VaiTroKy.GVBM]
    present = (
        set(re.findall(rb'Signature[^>]*? Id="(sig-[^"]+)"', packet)) if skip_present else set()
    )
    plan = []
    t = start
    for slot in [*gvbm, *rest]:
        if slot.role.rank > upto.rank:
            break
        if slot.signature_id.encode() in present:
            continue
        if slot.role is VaiTroKy.KY_PHAT_HANH:
            signer = pki.school().signer()
        else:
            key = slot.mon if slot.role is VaiTroKy.GVBM else slot.role.name
            signer = pki.personal(ids[key]).signer()
        plan.append(SigningStep(slot.role, signer, t, mon=slot.mon))
        t += timedelta(minutes=1)
    return plan


def sign_all_roles(
    packet: bytes,
    pki: TestPKI,
    *,
    gvbm_order: Sequence[int] | None = None,
    start: datetime = TEST_NOW,
    upto: VaiTroKy = VaiTroKy.KY_PHAT_HANH,
    skip_present: bool = False,
) -> bytes:
    """Sign with hocbaso ``sign()`` one role at a time, following :func:`role_plan`."""
    data = packet
    plan = role_plan(
        packet, pki, gvbm_order=gvbm_order, start=start, upto=upto, skip_present=skip_present
    )
    for step in plan:
        data = sign(data, step.role, step.signer, mon=step.mon, signing_time=step.signing_time)
    return data


def add_crl_to_key_info(data: bytes, signature_id: str, crl_der: bytes) -> bytes:
    """Put a CRL into a signature's X509Data (KeyInfo is not covered by any Reference here, so
    every signature stays intact); xmlsec1 then checks the signer's certificate against it."""
    start = data.index(f'Id="{signature_id}"'.encode())
    end = data.index(b"</X509Data>", start)
    crl = b"<X509CRL>" + base64.b64encode(crl_der) + b"</X509CRL>"
    return data[:end] + crl + data[end:]


def signed_ranges(data: bytes) -> dict[str, tuple[int, int]]:
    """Byte range of each Id'd data element (start of its start tag .. end of its end tag)."""
    out: dict[str, tuple[int, int]] = {}
    for tag in (b"DU_LIEU_HOC_BA", b"THONG_TIN_HOC_BA", b"DIEM_TONG_KET"):
        pos = 0
        while (start := data.find(b"<" + tag + b" ", pos)) >= 0:
            id_start = data.index(b'Id="', start) + 4
            ident = data[id_start : data.index(b'"', id_start)].decode()
            end = data.index(b"</" + tag + b">", start) + len(tag) + 3
            out[ident] = (start, end)
            pos = end
    return out


def covering_signatures(data: bytes, offset: int) -> set[str]:
    """The Ids of the signatures whose first Reference covers byte ``offset``."""
    covered: set[str] = set()
    for ident, (start, end) in signed_ranges(data).items():
        if start <= offset < end:
            if ident == "data":
                covered |= {"sig-cbql", "sig-kyphathanh"}
            elif ident == "thongtinhocba":
                covered.add("sig-gvcn")
            else:
                covered.add(f"sig-gvbm-{ident[len('mon-') :]}")
    return covered


_WHITESPACE = b" \t\n"


def text_positions(data: bytes) -> list[int]:
    """Offsets of ASCII letters, digits and whitespace in character data inside DU_LIEU_HOC_BA
    (safe to flip: the document stays well-formed, so only signatures can notice)."""
    start, end = signed_ranges(data)["data"]
    positions = []
    in_tag = in_ref = False
    for i in range(start, end):
        c = data[i]
        if c == ord("<"):
            in_tag = True
        elif c == ord(">"):
            in_tag = False
        elif c == ord("&"):
            in_ref = True  # &amp; &#x..; — flipping inside would break well-formedness
        elif c == ord(";") and in_ref:
            in_ref = False
        elif in_ref:
            continue
        elif not in_tag and ((chr(c).isascii() and chr(c).isalnum()) or c in _WHITESPACE):
            positions.append(i)
    return positions


def flip(data: bytes, offset: int, rng: random.Random | None = None) -> bytes:
    """Replace the letter/digit/whitespace at ``offset`` with a different one of its kind."""
    alphabet = (
        _WHITESPACE
        if data[offset] in _WHITESPACE
        else b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    )
    choices = [c for c in alphabet if c != data[offset]]
    new = (rng or random.Random(offset)).choice(choices)
    return data[:offset] + bytes([new]) + data[offset + 1 :]


# -- xmlsec1 templates in the docs/signing.md §1 layout
# ----------------------------------------------------


def record_of(packet: bytes) -> tuple[str, str]:
    """The record identifier and version the packet's data names (read as plain XML)."""
    root = etree.fromstring(packet, _PARSER)
    tc = root.find("DU_LIEU_HOC_BA/THONG_TIN_HOC_BA/THONG_TIN_CHUNG")
    assert tc is not None
    return (tc.findtext("MA_DINH_DANH_HOC_BA") or "", tc.findtext("PHIEN_BAN") or "")


def signature_template(
    signature_id: str,
    reference_id: str,
    *,
    ecdsa: bool,
    prefix: str | None,
    signing_time: str,
    record: tuple[str, str],
) -> str:
    """An unsigned Signature exactly as docs/signing.md §1 lays it out (SigningTime and the
    HocBaKy record binding in the signed Object), for ``xmlsec1 --sign`` to fill."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{DS}"' if prefix else f'xmlns="{DS}"'
    method = ECDSA_SHA256 if ecdsa else RSA_SHA256
    object_id = "st-" + signature_id[len("sig-") :]

    def ref(uri: str) -> str:
        return (
            f'<{p}Reference URI="#{uri}"><{p}Transforms><{p}Transform Algorithm="{C14N10}"/>'
            f'</{p}Transforms><{p}DigestMethod Algorithm="{SHA256}"/><{p}DigestValue/>'
            f"</{p}Reference>"
        )

    return (
        f'<{p}Signature {xmlns} Id="{signature_id}"><{p}SignedInfo>'
        f'<{p}CanonicalizationMethod Algorithm="{C14N10}"/>'
        f'<{p}SignatureMethod Algorithm="{method}"/>'
        f"{ref(reference_id)}{ref(object_id)}</{p}SignedInfo><{p}SignatureValue/>"
        f"<{p}KeyInfo><{p}X509Data/></{p}KeyInfo>"
        f'<{p}Object Id="{object_id}"><{p}SignatureProperties>'
        f'<{p}SignatureProperty Target="#{signature_id}">'
        f'<SigningTime xmlns="{SIGPROP}">{signing_time}</SigningTime></{p}SignatureProperty>'
        f'<{p}SignatureProperty Target="#{signature_id}"><HocBaKy xmlns="{SIGPROP}">'
        f"<MA_DINH_DANH_HOC_BA>{record[0]}</MA_DINH_DANH_HOC_BA><PHIEN_BAN>{record[1]}"
        f"</PHIEN_BAN></HocBaKy>"
        f"</{p}SignatureProperty></{p}SignatureProperties></{p}Object></{p}Signature>"
    )


def insert_templates(packet: bytes, templates: dict[str, str]) -> bytes:
    """Put each template (signature Id → XML) into its empty slot of the unsigned packet."""
    root = etree.fromstring(packet, _PARSER)
    by_id = {s.signature_id: s for s in slots(packet)}
    for signature_id, xml in templates.items():
        slot_el = root.find(by_id[signature_id].location.rstrip("/"))
        assert slot_el is not None and len(slot_el) == 0
        slot_el.text = None
        slot_el.append(etree.fromstring(xml.encode(), _PARSER))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


# -- an independent check: lxml + cryptography, no hocbaso code ------------------------------


def _c14n_in_context(el: etree._Element) -> bytes:
    """Inclusive C14N 1.0 of a subtree, avoiding lxml's spurious xmlns="" (docs/signing.md §1):
    serialise the subtree (lxml copies in-scope namespace declarations to its apex) and
    canonicalise the re-parsed document. Packets here carry no xml:* attributes, so nothing else is
    inherited."""
    standalone = etree.fromstring(etree.tostring(el, with_tail=False), _PARSER)
    return etree.tostring(standalone, method="c14n")


def independent_check(data: bytes, signature_id: str, trusted_root: x509.Certificate) -> None:
    """Assert that signature ``signature_id`` in ``data`` is valid per docs/signing.md §1 (raises
    if not)."""
    root = etree.fromstring(data, _PARSER)
    ids: dict[str, etree._Element] = {}
    for el in root.iter():
        ident = el.get("Id") if isinstance(el.tag, str) else None
        if ident is not None:
            assert ident not in ids, "duplicate Id"
            ids[ident] = el
    sig = ids[signature_id]
    assert sig.tag == f"{{{DS}}}Signature"
    ns = {"ds": DS}
    signed_info = sig.find("ds:SignedInfo", ns)
    assert signed_info is not None
    c14n = signed_info.find("ds:CanonicalizationMethod", ns)
    assert c14n is not None and c14n.get("Algorithm") == C14N10
    refs = signed_info.findall("ds:Reference", ns)
    assert len(refs) == 2
    for ref in refs:
        uri = ref.get("URI") or ""
        assert uri.startswith("#")
        transforms = [t.get("Algorithm") for t in ref.iterfind("ds:Transforms/ds:Transform", ns)]
        assert transforms == [C14N10]
        method = ref.find("ds:DigestMethod", ns)
        assert method is not None and method.get("Algorithm") == SHA256
        digest = hashlib.sha256(_c14n_in_context(ids[uri[1:]])).digest()
        assert base64.b64decode(ref.findtext("ds:DigestValue", namespaces=ns) or "") == digest
    obj = ids[refs[1].get("URI", "")[1:]]
    assert obj.getparent() is sig and obj.tag == f"{{{DS}}}Object"
    times = obj.findall(f".//{{{SIGPROP}}}SigningTime")
    assert len(times) == 1 and datetime.fromisoformat(times[0].text or "").utcoffset() is not None
    # The record binding: the signed Object names this record's identifier and version.
    (bound,) = obj.findall(
        f"{{{DS}}}SignatureProperties/{{{DS}}}SignatureProperty/{{{SIGPROP}}}HocBaKy"
    )
    tc = root.find("DU_LIEU_HOC_BA/THONG_TIN_HOC_BA/THONG_TIN_CHUNG")
    assert tc is not None
    assert [(c.tag, c.text) for c in bound] == [
        (f"{{{SIGPROP}}}{name}", tc.findtext(name)) for name in ("MA_DINH_DANH_HOC_BA", "PHIEN_BAN")
    ]
    certs = [
        x509.load_der_x509_certificate(base64.b64decode(c.text or ""))
        for c in sig.iterfind("ds:KeyInfo/ds:X509Data/ds:X509Certificate", ns)
    ]
    leaf = next(c for c in certs if not c.extensions.get_extension_for_class(
        x509.BasicConstraints).value.ca)  # fmt: skip
    issuers = {c.subject: c for c in [*certs, trusted_root]}
    cert = leaf
    while cert != trusted_root:  # walk to the trusted root, checking each signature
        issuer = issuers[cert.issuer]
        cert.verify_directly_issued_by(issuer)
        cert = issuer
    value = base64.b64decode(sig.findtext("ds:SignatureValue", namespaces=ns) or "")
    to_be_signed = _c14n_in_context(signed_info)
    method_uri = signed_info.find("ds:SignatureMethod", ns)
    assert method_uri is not None
    key = leaf.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        assert method_uri.get("Algorithm") == RSA_SHA256
        key.verify(value, to_be_signed, padding.PKCS1v15(), hashes.SHA256())
    else:
        assert isinstance(key, ec.EllipticCurvePublicKey)
        assert method_uri.get("Algorithm") == ECDSA_SHA256
        half = len(value) // 2  # XMLDSig ECDSA values are r || s
        der = encode_dss_signature(
            int.from_bytes(value[:half], "big"), int.from_bytes(value[half:], "big")
        )
        key.verify(der, to_be_signed, ec.ECDSA(hashes.SHA256()))


def signxml_verify(data: bytes, slot: Slot, ca_pem: Path, *, unprefixed: bool) -> list[str]:
    """Verify one signature with signxml; return the Ids of what its References resolved to.

    signxml canonicalises SignedInfo with ``etree.tostring(..., method="c14n")`` and so meets
    lxml's spurious ``xmlns=""`` on an unprefixed (default-namespace) Signature — docs/signing.md
    §1: it rejects correct unprefixed signatures (xmlsec1's too). For the ``ds:``-prefixed form it
    is used as shipped. For the unprefixed form (what hocbaso writes) its own documented legacy
    switch ``excise_empty_xmlns_declarations`` strips every ``xmlns=""`` from inclusive C14N
    output; in this profile no element inside a Signature is un-namespaced (SigningTime has
    its own namespace) and the signed data elements declare no namespace at all, so the
    canonical bytes without ``xmlns=""`` are exactly the correct ones — the switch undoes the
    lxml bug and nothing else, and signxml stays an independent implementation.
    """
    from signxml.verifier import SignatureConfiguration, XMLVerifier

    verifier = XMLVerifier()
    if unprefixed:
        verifier.excise_empty_xmlns_declarations = True
    config = SignatureConfiguration(
        location=slot.location, expect_references=2, verification_time=TEST_NOW
    )
    results = verifier.verify(data, ca_pem_file=str(ca_pem), expect_config=config)
    assert isinstance(results, list)
    return [str(r.signed_xml.get("Id")) if r.signed_xml is not None else "" for r in results]
