"""The fast FORMAT step (``verify/_format.py``) against the full XSD it stands in for.

The fast step may say "valid" only when the full XSD says so; the report must be the same with
and without it; every XSD-invalid signature subtree must still make ``verify`` FAIL with a coded
step. Mutations of the 15 signature subtrees of a genuine record (wrong order, extra or missing
elements, attributes, text, comments, namespaces, base64, times, versions …) probe the first
three; the data schema is compared with the full one on data-part mutations; the one-match
reading of the signed ``Object`` is compared with the tree readers it replaces.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from hocbaso.packet import parse_xml, to_xml
from hocbaso.packet._schema import _lxml_schema
from hocbaso.signature import C14nMethod, HocBaKy, canonicalize
from hocbaso.signature._internal import (
    DSIG_NS,
    SIGPROP_NS,
    ProfileViolation,
    read_object,
    read_signature,
    read_signature_exact,
    record_binding_in,
    record_binding_of,
    signing_time_of,
)
from hocbaso.testing import tao_hoc_ba
from hocbaso.testing.pki import TEST_NOW
from hocbaso.verify import CrlSet, TrustStore, VerificationReport, verify
from hocbaso.verify import _format as fmt
from hocbaso.verify._certificates import load_certificate_b64
from hocbaso.verify._policy import STRICT
from hocbaso.verify._signatures import CanonCache
from hocbaso.verify._structure import check_structure

D = f"{{{DSIG_NS}}}"
P = f"{{{SIGPROP_NS}}}"
XSI = "{http://www.w3.org/2001/XMLSchema-instance}"


@contextmanager
def _fast(enabled: bool) -> Iterator[None]:
    before = fmt.ENABLED
    fmt.ENABLED = enabled
    try:
        yield
    finally:
        fmt.ENABLED = before


def _fast_answer(data: bytes) -> tuple[bool, bool]:
    """(fast step's answer, full XSD's answer) for a packet the hardened parser accepts."""
    root = parse_xml(data)
    canon = CanonCache()
    structure = check_structure(root, STRICT, lambda el: canon.get(el, C14nMethod.C14N_10, []))
    fast = fmt.schema_valid_fast(structure, root)
    full = bool(_lxml_schema().validate(parse_xml(data)))
    return fast, full


def _report(data: bytes, trust: TrustStore, crls: CrlSet, *, fast: bool) -> VerificationReport:
    with _fast(fast):
        return verify(data, trust, at=TEST_NOW, crls=crls)


# -- mutations of a signature subtree ------------------------------------------------------

_TAGS = [
    D + "SignedInfo",
    D + "SignatureValue",
    D + "KeyInfo",
    D + "Object",
    D + "Reference",
    D + "Transforms",
    D + "Transform",
    D + "DigestMethod",
    D + "DigestValue",
    D + "X509Data",
    D + "X509Certificate",
    D + "X509SubjectName",
    D + "KeyName",
    D + "SignatureProperties",
    D + "SignatureProperty",
    D + "CanonicalizationMethod",
    D + "SignatureMethod",
    D + "Manifest",
    D + "Signature",
    D + "XPath",
    D + "HMACOutputLength",
    P + "SigningTime",
    P + "HocBaKy",
    P + "MA_DINH_DANH_HOC_BA",
    P + "PHIEN_BAN",
    "SignedInfo",
    "Foo",
    "{urn:other}Foo",
    "{urn:other}SignedInfo",
]
_ATTRS = [
    "Id",
    "URI",
    "Target",
    "Algorithm",
    "Type",
    "MimeType",
    "Foo",
    "{http://www.w3.org/XML/1998/namespace}lang",
    XSI + "type",
    "{urn:other}a",
]
_VALUES = [
    "x",
    "1bad",
    "",
    "a b",
    "#x",
    "#sig-gvcn",
    "http://www.w3.org/2001/04/xmlenc#sha256",
    "urn:x",
    "sig-gvcn",
    "st-gvcn",
    "data",
    "ds:SignatureType",
]
_TEXTS = [
    " ",
    "\n  ",
    "x",
    "QR==",
    "QQ==",
    "QUJD",
    "QUJDRA",
    "QUJD RA==",
    "QUJD\nRA==",
    "====",
    "2025-05-20T08:30:00+07:00",
    "2025-05-20T08:30:00",
    "2025-02-30T08:30:00+07:00",
    "2025-05-20T08:30:00+15:00",
    "2025-05-20T24:00:00Z",
    " 2025-05-20T08:30:00Z",
    "1800-01-01T00:00:00Z",
    "2025-05-20T08:30:00.1234567Z",
    "a94af770-db16-469e-ae38-50f4d4460dc7",
    "A94AF770-DB16-469E-AE38-50F4D4460DC7",
    "1",
    "01",
    "0",
    "+1",
    " 1",
    "-1",
    "1000000000",
    "é",
]
_OPS = [
    "add_attr",
    "del_attr",
    "text",
    "tail",
    "insert",
    "delete",
    "duplicate",
    "swap",
    "rename",
    "comment",
    "pi",
    "attr_value",
]


def _nodes(sig: etree._Element) -> list[etree._Element]:
    return [el for el in sig.iter() if isinstance(el.tag, str)]


def _mutate(sig: etree._Element, op: str, pick: int, choice: int, where: int) -> None:
    nodes = _nodes(sig)
    el = nodes[pick % len(nodes)]
    parent = el.getparent()
    inside_slot = parent is not None and parent.tag not in (None,) and el is not sig
    if op == "add_attr":
        el.set(_ATTRS[choice % len(_ATTRS)], _VALUES[where % len(_VALUES)])
    elif op == "del_attr" and el.attrib:
        del el.attrib[sorted(el.attrib)[choice % len(el.attrib)]]
    elif op == "attr_value" and el.attrib:
        el.set(sorted(el.attrib)[choice % len(el.attrib)], _VALUES[where % len(_VALUES)])
    elif op == "text":
        el.text = _TEXTS[choice % len(_TEXTS)]
    elif op == "tail" and el is not sig:
        el.tail = _TEXTS[choice % len(_TEXTS)]
    elif op == "insert":
        new = etree.Element(_TAGS[choice % len(_TAGS)])
        new.text = _TEXTS[where % len(_TEXTS)] if where % 3 == 0 else None
        el.insert(where % (len(el) + 1), new)
    elif op == "delete" and inside_slot and parent is not None:
        parent.remove(el)
    elif op == "duplicate" and inside_slot and parent is not None:
        parent.insert(parent.index(el) + (where % 2), copy.deepcopy(el))
    elif op == "swap" and inside_slot and parent is not None:
        nxt = el.getnext()
        if nxt is not None:
            parent.remove(nxt)
            parent.insert(parent.index(el), nxt)
    elif op == "rename":
        el.tag = _TAGS[choice % len(_TAGS)]
    elif op == "comment":
        el.insert(where % (len(el) + 1), etree.Comment("c"))
    elif op == "pi":
        el.insert(where % (len(el) + 1), etree.ProcessingInstruction("p", "q"))


_mutation = st.tuples(
    st.sampled_from(_OPS),
    st.integers(0, 200),
    st.integers(0, 200),
    st.integers(0, 200),
)


@pytest.fixture(scope="module")
def crls(crl: Any) -> CrlSet:
    return CrlSet([crl])


class _Packet:
    """The genuine record, with a short repr for Hypothesis's failure reports."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __repr__(self) -> str:
        return "<genuine record>"


@pytest.fixture(scope="module")
def record(genuine: bytes) -> _Packet:
    return _Packet(genuine)


def test_genuine_record_takes_the_fast_path(genuine: bytes) -> None:
    fast, full = _fast_answer(genuine)
    assert full and fast  # otherwise the speed-up would be hollow


def test_the_data_schema_exists_and_differs_only_in_the_slot() -> None:
    schema = fmt.data_schema()
    assert schema is not None
    # The same shape as the full XSD (the slot types, the root) with one particle opened.
    assert _lxml_schema() is not schema


@settings(max_examples=150)
@given(
    index=st.integers(0, 14),
    mutations=st.lists(_mutation, min_size=1, max_size=3),
)
def test_signature_mutations_fast_never_says_valid_when_the_xsd_does_not(
    record: _Packet,
    trust: TrustStore,
    crls: CrlSet,
    index: int,
    mutations: list[tuple[str, int, int, int]],
) -> None:
    root = etree.fromstring(record.data)
    sig = list(root.iter(D + "Signature"))[index]
    for op, pick, choice, where in mutations:
        _mutate(sig, op, pick, choice, where)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    try:
        fast, full = _fast_answer(data)
    except Exception:  # the hardened parser refused it: verify reports PARSE, no FORMAT step
        fast, full = False, False
    assert not fast or full
    with_fast = _report(data, trust, crls, fast=True)
    without = _report(data, trust, crls, fast=False)
    assert with_fast.steps == without.steps
    assert with_fast.ok == without.ok
    if not full:
        assert not with_fast.ok
        assert any(s.status.value == "FAIL" and s.code for s in with_fast.steps)


@pytest.mark.parametrize(
    "text",
    ["QR==", "QUJD RA==", "QUJD\nRA==", "QUJDRA", "====", "é", ""],
)
def test_non_canonical_base64_goes_to_the_full_xsd(record: _Packet, text: str) -> None:
    """A SignatureValue is not signed: any text change keeps the value bytes the attacker
    chooses; the fast step must not vouch for a text it has not proven base64Binary."""
    root = etree.fromstring(record.data)
    value = next(root.iter(D + "SignatureValue"))
    value.text = text
    data = etree.tostring(root)
    fast, full = _fast_answer(data)
    assert not fast or full


@settings(max_examples=60)
@given(
    index=st.integers(0, 14),
    extra=st.sampled_from(["text", "attr", "comment"]),
    where=st.sampled_from(["X509Data", "X509Certificate", "KeyInfo", "SignatureValue"]),
)
def test_unsigned_parts_are_checked_by_the_fast_step(
    record: _Packet, index: int, extra: str, where: str
) -> None:
    """KeyInfo and SignatureValue are outside every digest: the fast step checks them itself."""
    root = etree.fromstring(record.data)
    sig = list(root.iter(D + "Signature"))[index]
    el = next(sig.iter(D + where))
    if extra == "text":
        el.text = (el.text or "") + "!"
    elif extra == "attr":
        el.set("Foo", "1")
    else:
        el.append(etree.Comment("c"))
    fast, full = _fast_answer(etree.tostring(root))
    assert not fast or full
    if extra != "comment":
        # Not the profile's exact shape: left to the full XSD (which accepts some of these,
        # e.g. text in KeyInfo, mixed content in the XMLDSig schema).
        assert not fast


# -- the data part: the data schema agrees with the full XSD --------------------------------

_DATA_TEXTS = ["", "x", "1", "10.0", "11", "-1", "2025-01-01", "Đ", "A" * 300, " 7 "]


@settings(max_examples=80)
@given(
    seed=st.integers(0, 5),
    signed=st.booleans(),
    pick=st.integers(0, 10_000),
    op=st.sampled_from(["text", "delete", "duplicate", "attr", "rename"]),
    value=st.integers(0, 100),
)
def test_data_schema_agrees_with_full_xsd_on_the_data_part(
    record: _Packet, seed: int, signed: bool, pick: int, op: str, value: int
) -> None:
    data = record.data if signed else to_xml(tao_hoc_ba(seed))
    root = etree.fromstring(data)
    data_part = [
        el
        for el in root.iter()
        if isinstance(el.tag, str)
        and not any(isinstance(a.tag, str) and a.tag.startswith(D) for a in el.iterancestors())
        and not el.tag.startswith(D)
    ]
    el = data_part[pick % len(data_part)]
    parent = el.getparent()
    if op == "text":
        el.text = _DATA_TEXTS[value % len(_DATA_TEXTS)]
    elif op == "delete" and parent is not None:
        parent.remove(el)
    elif op == "duplicate" and parent is not None:
        parent.insert(parent.index(el), copy.deepcopy(el))
    elif op == "attr":
        el.set(["Id", "MA_MON_HOC", "Foo"][value % 3], _DATA_TEXTS[value % len(_DATA_TEXTS)])
    elif op == "rename":
        el.tag = ["Foo", "GVBM", "DIEM_TONG_KET", D + "Signature"][value % 4]
    doc = parse_xml(etree.tostring(root))
    schema = fmt.data_schema()
    assert schema is not None
    # The data schema leaves the two xs:unique constraints to step 3 (a repeat is fatal there).
    if not check_structure(doc, STRICT).fatal:
        assert bool(schema.validate(doc)) == bool(_lxml_schema().validate(doc))


def test_the_slot_types_are_only_the_slots() -> None:
    """The argument's premise: the elements whose content the data schema skips are exactly
    the slots step 3 finds (checked again when the schema is built)."""
    from hocbaso.packet import schema_path

    doc = etree.parse(str(schema_path()))
    typed = sorted(
        el.get("name")
        for el in doc.iter("{http://www.w3.org/2001/XMLSchema}element")
        if el.get("type") in ("ONhanChuKy", "ONhanChuKyGvbm")
    )
    assert typed == ["CBQL", "GVBM", "GVCN", "KY_PHAT_HANH"]


# -- the signed Object read in one match ------------------------------------------------------

_TIMES = [
    "2025-05-20T08:30:00+07:00",
    "2025-05-20T08:30:00Z",
    "2025-05-20T08:30:00.5+07:00",
    "2025-05-20T08:30:00",
    "1800-05-20T08:30:00Z",
    "8999-12-31T23:59:59Z",
    "9001-01-01T00:00:00Z",
    "2025-02-29T00:00:00Z",
    "2024-02-29T00:00:00Z",
    "2025-05-20T08:30:00+14:00",
    "2025-05-20T08:30:00+14:30",
    " 2025-05-20T08:30:00Z ",
    "2025-05-20 08:30:00Z",
    "x",
]
_IDENTS = [
    "a94af770-db16-469e-ae38-50f4d4460dc7",
    "A94AF770-DB16-469E-AE38-50F4D4460DC7",
    " a94af770-db16-469e-ae38-50f4d4460dc7",
    "",
    "x",
]
_VERSIONS = ["1", "2", "01", "0", "123456789", "1234567890", " 3", "+1", ""]


@settings(max_examples=200)
@given(
    when=st.sampled_from(_TIMES),
    ident=st.sampled_from(_IDENTS),
    version=st.sampled_from(_VERSIONS),
    target1=st.sampled_from(["#sig-gvcn", "#sig-cbql", "sig-gvcn"]),
    target2=st.sampled_from(["#sig-gvcn", "#sig-cbql"]),
    swap=st.booleans(),
    ws=st.sampled_from(["", "\n  "]),
    comment=st.sampled_from([None, "time", "ident", "props"]),
    prefix=st.sampled_from([None, "ds"]),
)
def test_object_facts_equal_the_tree_readers(
    when: str,
    ident: str,
    version: str,
    target1: str,
    target2: str,
    swap: bool,
    ws: str,
    comment: str | None,
    prefix: str | None,
) -> None:
    nsmap: Any = {prefix: DSIG_NS}
    sig = etree.Element(D + "Signature", nsmap=nsmap, Id="sig-gvcn")
    obj = etree.SubElement(sig, D + "Object", Id="st-gvcn")
    props = etree.SubElement(obj, D + "SignatureProperties")
    p1 = etree.SubElement(props, D + "SignatureProperty", Target=target1)
    t = etree.SubElement(p1, P + "SigningTime", nsmap={None: SIGPROP_NS})
    t.text = when
    p2 = etree.SubElement(props, D + "SignatureProperty", Target=target2)
    b = etree.SubElement(p2, P + "HocBaKy", nsmap={None: SIGPROP_NS})
    etree.SubElement(b, P + "MA_DINH_DANH_HOC_BA").text = ident
    etree.SubElement(b, P + "PHIEN_BAN").text = version
    if swap:
        props.remove(p1)
        props.append(p1)
    for el in obj.iter():
        if len(el):
            el.text = ws
            for k in el:
                k.tail = ws
    if comment == "time":
        t.append(etree.Comment("c"))
    elif comment == "ident":
        b[0].insert(0, etree.Comment("c"))
    elif comment == "props":
        props.append(etree.Comment("c"))
    canonical = canonicalize(obj, C14nMethod.C14N_10)
    facts = read_object(obj, canonical, prefix, "sig-gvcn")
    if facts is not None:
        assert facts.signing_time == signing_time_of(obj, "sig-gvcn")
        assert facts.binding == record_binding_of(obj, "sig-gvcn")
    # The common shape is read in one match (else the speed-up would be hollow).
    if (
        comment is None
        and not swap
        and target1 == target2 == "#sig-gvcn"
        and when == _TIMES[0]
        and ident == _IDENTS[0]
        and version == "1"
    ):
        assert facts is not None
        assert facts.signing_time == dt.datetime.fromisoformat(when)


# -- the exact-shape reader against read_signature ---------------------------------------------


def _read_both(data: bytes) -> list[tuple[Any, Any]]:
    """(exact reader's answer, read_signature's parts or its violation kind, the slot's
    signature Id) per in-slot Signature of a packet step 3 does not find ambiguous."""
    root = parse_xml(data)
    plain = check_structure(root, STRICT)  # slots and Ids, without the exact reader
    if plain.fatal:
        return []
    ids = {el.get("Id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("Id")}
    canon = CanonCache()
    out = []
    for slot in plain.slots:
        for sig in slot.element.iterchildren(D + "Signature"):
            kw = {
                "reference_id": slot.reference_id,
                "object_id": slot.object_id,
                "ids": ids,
                "load_certificate": load_certificate_b64,
            }
            exact = read_signature_exact(
                sig,
                signature_id=slot.signature_id,
                canonical=lambda el: canon.get(el, C14nMethod.C14N_10, []),
                **kw,
            )
            try:
                reference: Any = read_signature(sig, **kw)
            except ProfileViolation as v:
                reference = v.kind
            out.append((exact, reference, slot.signature_id))
    return out


@settings(max_examples=150)
@given(index=st.integers(0, 14), mutations=st.lists(_mutation, min_size=1, max_size=3))
def test_exact_reader_gives_read_signatures_parts(
    record: _Packet, index: int, mutations: list[tuple[str, int, int, int]]
) -> None:
    root = etree.fromstring(record.data)
    sig = list(root.iter(D + "Signature"))[index]
    for op, pick, choice, where in mutations:
        _mutate(sig, op, pick, choice, where)
    try:
        both = _read_both(etree.tostring(root))
    except Exception:  # the hardened parser refused it; nothing to compare
        return
    for exact, reference, sid in both:
        if exact is not None:
            parts, facts = exact
            assert parts == reference
            obj = parts.references[1].target
            # What the signature step reads, for the slot's signature Id.
            assert facts.signing_time == signing_time_of(obj, sid)
            assert facts.binding == record_binding_of(obj, sid)


def test_exact_reader_reads_every_genuine_signature(record: _Packet) -> None:
    both = _read_both(record.data)
    assert len(both) == 15
    assert all(exact is not None and exact[0] == ref for exact, ref, _ in both)


# -- the packet's own record binding, read without XPath ---------------------------------------

_XP_IDENT = etree.XPath("DU_LIEU_HOC_BA/THONG_TIN_HOC_BA/THONG_TIN_CHUNG/MA_DINH_DANH_HOC_BA")
_XP_VERSION = etree.XPath("DU_LIEU_HOC_BA/THONG_TIN_HOC_BA/THONG_TIN_CHUNG/PHIEN_BAN")
_XP_STRING = etree.XPath("string(.)")


def _reference_binding(root: etree._Element) -> HocBaKy | None:
    """The XPath implementation ``record_binding_in`` replaced."""
    idents, versions = _XP_IDENT(root), _XP_VERSION(root)
    assert isinstance(idents, list) and isinstance(versions, list)
    if len(idents) != 1 or len(versions) != 1:
        return None
    values = []
    for el in (idents[0], versions[0]):
        assert isinstance(el, etree._Element)
        if next(el.iterchildren(etree.Element), None) is not None:
            return None
        values.append(str(_XP_STRING(el)).strip())
    ident, version = values
    if not ident or not version.isascii() or not version.isdigit() or len(version) > 9:
        return None
    return HocBaKy(ident, str(int(version)))


@settings(max_examples=120)
@given(
    target=st.sampled_from(
        ["MA_DINH_DANH_HOC_BA", "PHIEN_BAN", "THONG_TIN_CHUNG", "THONG_TIN_HOC_BA"]
    ),
    op=st.sampled_from(["duplicate", "delete", "comment", "pi", "child", "text", "cdata"]),
    text=st.sampled_from(["", " 7 ", "007", "1234567890", "x", "٣", "a94af770"]),
)
def test_record_binding_in_equals_the_xpath_reading(
    record: _Packet, target: str, op: str, text: str
) -> None:
    root = etree.fromstring(record.data)
    el = next(root.iter(target))
    parent = el.getparent()
    assert parent is not None
    if op == "duplicate":
        parent.insert(parent.index(el), copy.deepcopy(el))
    elif op == "delete":
        parent.remove(el)
    elif op == "comment":
        el.insert(0, etree.Comment("c"))
        el.text = text
    elif op == "pi":
        el.append(etree.ProcessingInstruction("p"))
        el.tail = text
    elif op == "child":
        etree.SubElement(el, "X").text = text
    elif op == "text":
        el.text = text
    else:
        el.text = etree.CDATA(text) if text else None
    root = etree.fromstring(etree.tostring(root))
    assert record_binding_in(root) == _reference_binding(root)


# -- the run's algorithm judgement, memoised per URIs ----------------------------------------

_ALGORITHM_URIS = [
    C14nMethod.C14N_10.value,
    C14nMethod.EXC_C14N.value,
    C14nMethod.C14N_10_WITH_COMMENTS.value,
    "http://www.w3.org/2001/04/xmlenc#sha256",
    "http://www.w3.org/2000/09/xmldsig#sha1",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
    "urn:unknown",
]


@settings(max_examples=60)
@given(
    changes=st.lists(
        st.tuples(st.integers(0, 14), st.integers(0, 5), st.sampled_from(_ALGORITHM_URIS)),
        min_size=1,
        max_size=4,
    ),
    legacy=st.booleans(),
)
def test_judgement_memo_equals_judging_each_signature(
    record: _Packet, changes: list[tuple[int, int, str]], legacy: bool
) -> None:
    """Step 4 with one run-wide memo of the algorithm judgement gives, for every signature,
    the results of a run that judges each signature afresh."""
    from hocbaso.signature._internal import record_binding_in as binding_in
    from hocbaso.verify import LEGACY
    from hocbaso.verify._signatures import check_signature

    policy = LEGACY if legacy else STRICT
    root = etree.fromstring(record.data)
    sigs = list(root.iter(D + "Signature"))
    for index, which, uri in changes:
        with_algorithm = [el for el in sigs[index].iter() if el.get("Algorithm") is not None]
        with_algorithm[which % len(with_algorithm)].set("Algorithm", uri)
    doc = parse_xml(etree.tostring(root))
    shared = CanonCache()
    memoised = check_structure(doc, policy, lambda el: shared.get(el, C14nMethod.C14N_10, []))
    fresh = check_structure(doc, policy)
    binding = binding_in(doc)
    for a, b in zip(memoised.signatures, fresh.signatures, strict=True):
        assert check_signature(a, policy, shared, binding) == check_signature(
            b, policy, CanonCache(), binding
        )


_XP_SUBJECT = etree.XPath("string(MA_MON_HOC)")


@settings(max_examples=80)
@given(
    op=st.sampled_from(["none", "comment", "pi", "child", "duplicate", "delete", "cdata"]),
    text=st.sampled_from(["", " 15 ", "15", "x"]),
)
def test_subject_code_equals_the_xpath_reading(record: _Packet, op: str, text: str) -> None:
    from hocbaso.verify._structure import _subject_code

    root = etree.fromstring(record.data)
    row = next(root.iter("DIEM_TONG_KET"))
    code = next(row.iterchildren("MA_MON_HOC"))
    if op == "comment":
        code.insert(0, etree.Comment("c"))
        code[0].tail = text
    elif op == "pi":
        code.append(etree.ProcessingInstruction("p"))
    elif op == "child":
        etree.SubElement(code, "X").text = text
    elif op == "duplicate":
        row.insert(0, copy.deepcopy(code))
        row[0].text = text
    elif op == "delete":
        row.remove(code)
    elif op == "cdata":
        code.text = etree.CDATA(text) if text else None
    row = next(etree.fromstring(etree.tostring(root)).iter("DIEM_TONG_KET"))
    assert _subject_code(row) == str(_XP_SUBJECT(row)).strip()


def test_slot_ids_are_the_layout_ids(record: _Packet) -> None:
    from hocbaso.packet._layout import RoleSlot

    out = check_structure(parse_xml(record.data), STRICT)
    assert len(out.slots) == 15
    for slot in out.slots:
        assert slot.signature_id == RoleSlot.signature_id.fget(slot)  # type: ignore[attr-defined]
        assert slot.object_id == RoleSlot.object_id.fget(slot)  # type: ignore[attr-defined]
        assert slot.reference_id == RoleSlot.reference_id.fget(slot)  # type: ignore[attr-defined]
