"""The verifier's cheaper paths give exactly the reports of the paths they replaced
(docs/verification.md §7).

Each fast path is checked against a reference: the code it replaced, kept here verbatim, or the
general function it specialises. The strongest check runs the whole verifier twice on mutated
packets, once as shipped and once with every fast path swapped back for its reference, and
requires the same report: every code, status, message, path, role, signer and time.
"""

from __future__ import annotations

import base64
import binascii
import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from hocbaso.errors import ParseError
from hocbaso.models import HocBa
from hocbaso.packet import DEFAULT_LIMITS, parse_xml
from hocbaso.packet import _parser as parser
from hocbaso.packet._internal import parse_canonical_subtree
from hocbaso.signature import C14nMethod, HocBaKy, canonicalize
from hocbaso.signature import _keys as keys
from hocbaso.signature import _profile_check as profile_check
from hocbaso.signature._algorithms import SIGPROP_NS, DigestMethod, SignatureMethod
from hocbaso.signature._internal import DSIG_NS, record_binding_of, signing_time_of
from hocbaso.signature._profile_check import usable_signing_time
from hocbaso.tt22 import RuleReport
from hocbaso.tt22 import _kiem_tra as kiem_tra
from hocbaso.tt22._kiem_tra import _findings
from hocbaso.verify import TrustStore, VerificationReport, verify
from hocbaso.verify import _signatures as signatures
from hocbaso.verify import _structure as structure
from hocbaso.verify import _verify as verifier
from hocbaso.verify._policy import STRICT

from .conftest import mv

_D = f"{{{DSIG_NS}}}"
_SV = etree.XPath("string(.)")
_SLOW = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# -- the references: the code each fast path replaced ---------------------------------------


def ref_signing_time_of(obj: etree._Element, signature_id: str) -> dt.datetime | None:
    times = [
        t
        for prop in obj.iterfind(f"{_D}SignatureProperties/{_D}SignatureProperty")
        if prop.get("Target") == f"#{signature_id}"
        for t in prop.findall(f"{{{SIGPROP_NS}}}SigningTime")
    ]
    if len(times) != 1 or len(times[0]):
        return None
    try:
        value = dt.datetime.fromisoformat(str(_SV(times[0])).strip())
    except ValueError:
        return None
    if value.tzinfo is None or not usable_signing_time(value):
        return None
    return value


def ref_record_binding_of(obj: etree._Element, signature_id: str) -> HocBaKy | None:
    import re

    target = f"#{signature_id}"
    found = [
        b
        for props in obj.iterchildren(f"{_D}SignatureProperties")
        for prop in props.iterchildren(f"{_D}SignatureProperty")
        if prop.get("Target") == target
        for b in prop.iterchildren(f"{{{SIGPROP_NS}}}HocBaKy")
    ]
    if len(found) != 1:
        return None
    fields = list(found[0].iterchildren(etree.Element))
    names = [f"{{{SIGPROP_NS}}}MA_DINH_DANH_HOC_BA", f"{{{SIGPROP_NS}}}PHIEN_BAN"]
    if [f.tag for f in fields] != names or any(len(f) for f in fields):
        return None
    ident, version = (str(_SV(f)).strip() for f in fields)
    if not ident or re.fullmatch(r"[0-9]{1,9}", version) is None:
        return None
    return HocBaKy(ident, str(int(version)))


def ref_decode_b64(text: str | None) -> bytes:
    return base64.b64decode("".join((text or "").split()), validate=True)


def ref_inclusive_prefixes(method_element: etree._Element) -> list[str]:
    inc = method_element.find(f"{{{C14nMethod.EXC_C14N.value}}}InclusiveNamespaces")
    return (inc.get("PrefixList") or "").split() if inc is not None else []


def ref_too_deep(max_depth: int) -> etree.XPath:
    return etree.XPath("boolean(" + "/" + "/*" * (max_depth + 1) + ")")


def ref_check_record(hoc_ba: HocBa) -> RuleReport:
    """The Thông tư 22 check walked rule by rule, without its one-pass answer."""
    return RuleReport(tuple(_findings(hoc_ba)))


class RefCanonCache(signatures.CanonCache):
    """No digest memo: every Reference hashed on its own, the record digest hashed again."""

    def digest(
        self, el: etree._Element, method: C14nMethod, prefixes: list[str], hash_name: str
    ) -> bytes:
        import hashlib

        return hashlib.new(hash_name, self.get(el, method, prefixes)).digest()


def _reference_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Swap every fast path of the verifier for its reference."""
    monkeypatch.setattr(verifier, "parse_canonical_subtree", parse_xml)
    monkeypatch.setattr(verifier, "_readable_in_place", lambda target: False)
    monkeypatch.setattr(parser, "_too_deep", ref_too_deep)
    monkeypatch.setattr(signatures, "signing_time_of", ref_signing_time_of)
    monkeypatch.setattr(signatures, "record_binding_of", ref_record_binding_of)
    monkeypatch.setattr(verifier, "CanonCache", RefCanonCache)
    monkeypatch.setattr(profile_check, "decode_b64", ref_decode_b64)
    monkeypatch.setattr(profile_check, "_inclusive_prefixes", ref_inclusive_prefixes)
    monkeypatch.setattr(structure, "scan_signatures", lambda data, body=None: {})
    monkeypatch.setattr(structure, "tags_only", lambda data: None)
    monkeypatch.setattr(verifier, "check_record", ref_check_record)


def _facts(report: VerificationReport) -> tuple[Any, ...]:
    return (
        tuple(s.to_dict() for s in report.steps),
        report.ok,
        report.record,
        report.signed_bytes,
        report.record_digest,
        report.ma_dinh_danh_hoc_ba,
        report.phien_ban,
        report.packet_sha256,
    )


def _fast_and_reference(
    packet: bytes, trust: TrustStore, monkeypatch: pytest.MonkeyPatch
) -> tuple[VerificationReport, VerificationReport]:
    """The report as shipped, and with every fast path swapped for its reference."""
    fast = verify(packet, trust, at=mv.VERIFY_AT)
    with monkeypatch.context() as m:
        _reference_mode(m)
        slow = verify(packet, trust, at=mv.VERIFY_AT)
    return fast, slow


# -- whole reports on mutated packets -------------------------------------------------------

OPS = (
    "text",
    "comment",
    "pi",
    "cdata",
    "delete",
    "duplicate",
    "xmlns_on_root",
    "xml_lang_on_root",
    "nest",
    "signing_time",
    "binding",
    "base64_space",
)


def _mutate(genuine: bytes, steps: list[tuple[str, int, str]]) -> bytes:
    root = etree.fromstring(genuine)
    elements = [e for e in root.iter(etree.Element) if e is not root]
    for op, i, text in steps:
        el = elements[i % len(elements)]
        parent = el.getparent()
        if op == "text" and len(el) == 0:
            el.text = text
        elif op == "comment":
            el.insert(0, etree.Comment("x"))
        elif op == "pi":
            el.insert(0, etree.ProcessingInstruction("x", text or None))
        elif op == "cdata" and len(el) == 0:
            el.text = etree.CDATA(text or "k")
        elif op == "delete" and parent is not None:
            parent.remove(el)
        elif op == "duplicate" and parent is not None:
            el.addnext(copy.deepcopy(el))
        elif op == "xmlns_on_root":
            root = _redeclare(root, {"x": "urn:x"})
            elements = [e for e in root.iter(etree.Element) if e is not root]
        elif op == "xml_lang_on_root":
            root.set("{http://www.w3.org/XML/1998/namespace}lang", "vi")
        elif op == "nest" and len(el) == 0:
            inner = el
            for _ in range(len(text) * 5):
                inner = etree.SubElement(inner, "X")
        elif op == "signing_time":
            times = list(root.iter(f"{{{SIGPROP_NS}}}SigningTime"))
            if times:
                times[i % len(times)].insert(0, etree.Comment("c"))
        elif op == "binding":
            props = list(root.iter(f"{_D}SignatureProperty"))
            if props:
                p = props[i % len(props)]
                p.addnext(copy.deepcopy(p))
        elif op == "base64_space":
            values = list(root.iter(f"{_D}DigestValue", f"{_D}SignatureValue"))
            if values:
                v = values[i % len(values)]
                v.text = f" {(v.text or '')[:4]}\n{(v.text or '')[4:]}{text[:1]}"
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _redeclare(root: etree._Element, nsmap: dict[str, str]) -> etree._Element:
    """The same tree under a root that also declares ``nsmap``."""
    new = etree.Element(root.tag, attrib=dict(root.attrib), nsmap={**root.nsmap, **nsmap})
    new.text = root.text
    for child in root:
        new.append(child)
    return new


@_SLOW
@given(data=st.data())
def test_fast_paths_give_the_reference_report_on_mutated_packets(
    genuine: bytes, trust: TrustStore, data: st.DataObject, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from(OPS),
                st.integers(0, 10_000),
                st.text("ab <&>xyzĐạ09=!", max_size=8),
            ),
            max_size=3,
        )
    )
    packet = _mutate(genuine, steps)
    fast, slow = _fast_and_reference(packet, trust, monkeypatch)
    assert _facts(fast) == _facts(slow)


def test_reference_mode_really_swaps_every_fast_path(
    genuine: bytes, trust: TrustStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Guard for the test above: in reference mode none of the fast paths is called."""
    called: list[str] = []

    def spy(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*a: Any, **k: Any) -> Any:
            called.append(name)
            return fn(*a, **k)

        return wrapped

    monkeypatch.setattr(
        verifier, "parse_canonical_subtree", spy("subtree", parse_canonical_subtree)
    )
    monkeypatch.setattr(
        verifier,
        "check_canonical_subtree_bytes",
        spy("in place", verifier.check_canonical_subtree_bytes),
    )
    monkeypatch.setattr(structure, "read_signature_raw", spy("raw", structure.read_signature_raw))
    monkeypatch.setattr(
        kiem_tra, "_khong_co_phat_hien", spy("one pass", kiem_tra._khong_co_phat_hien)
    )
    assert verify(genuine, trust, at=mv.VERIFY_AT).ok
    # Every Signature is read from the packet's bytes, the record from the verified tree, and
    # the TT22 check answers in one pass.
    assert called == ["raw"] * 15 + ["in place", "one pass"]
    called.clear()
    with_comment = genuine.replace(b"</HO_VA_TEN>", b"<!--c--></HO_VA_TEN>", 1)
    assert with_comment != genuine
    verify(with_comment, trust, at=mv.VERIFY_AT)
    assert called == ["subtree", "one pass"]  # a comment in #data: its bytes are parsed
    called.clear()
    with monkeypatch.context() as m:
        _reference_mode(m)
        assert verify(genuine, trust, at=mv.VERIFY_AT).ok
    assert called == []


# -- each fast path against its reference ---------------------------------------------------

_CHILD = st.one_of(
    st.just(("text", "")),
    st.tuples(st.just("text"), st.text("ab <&>Đ ", max_size=5)),
    st.tuples(st.just("cdata"), st.text("ab]<&", max_size=5)),
    st.just(("comment", "c")),
    st.just(("pi", "p")),
    st.just(("element", "E")),
)


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(_CHILD, max_size=5))
def test_leaf_string_value_is_the_xpath_string_value(parts: list[tuple[str, str]]) -> None:
    xml = "".join(
        {
            "text": lambda v: v.replace("&", "&amp;").replace("<", "&lt;"),
            "cdata": lambda v: f"<![CDATA[{v.replace(']]>', '')}]]>",
            "comment": lambda v: f"<!--{v}-->",
            "pi": lambda v: f"<?{v} data?>",
            "element": lambda v: f"<{v}>in</{v}>",
        }[kind](value)
        for kind, value in parts
    )
    el = parse_xml(f"<A>{xml}</A>".encode())
    assert profile_check.leaf_string_value(el) == str(_SV(el))


def _objects(genuine: bytes) -> list[tuple[etree._Element, str]]:
    root = parse_xml(genuine)
    return [
        (obj, sig.get("Id") or "")
        for sig in root.iter(f"{_D}Signature")
        for obj in sig.iterchildren(f"{_D}Object")
    ]


@_SLOW
@given(data=st.data())
def test_signed_object_readers_equal_their_references(
    genuine: bytes, data: st.DataObject
) -> None:
    objects = _objects(genuine)
    obj, sig_id = objects[data.draw(st.integers(0, len(objects) - 1))]
    obj = copy.deepcopy(obj)
    nodes = [e for e in obj.iter(etree.Element)]
    for op, i, text in data.draw(
        st.lists(
            st.tuples(
                st.sampled_from(["dup", "del", "comment", "pi", "text", "target", "child"]),
                st.integers(0, 1000),
                st.text("0129-:T+Z a", max_size=12),
            ),
            max_size=4,
        )
    ):
        el = nodes[i % len(nodes)]
        parent = el.getparent()
        if op == "dup" and parent is not None:
            el.addnext(copy.deepcopy(el))
        elif op == "del" and parent is not None:
            parent.remove(el)
        elif op == "comment":
            el.insert(0, etree.Comment("c"))
        elif op == "pi":
            el.append(etree.ProcessingInstruction("p"))
        elif op == "text" and len(el) == 0:
            el.text = text
        elif op == "target":
            el.set("Target", f"#{text}")
        elif op == "child":
            etree.SubElement(el, f"{{{SIGPROP_NS}}}SigningTime").text = text
    assert signing_time_of(obj, sig_id) == ref_signing_time_of(obj, sig_id)
    assert record_binding_of(obj, sig_id) == ref_record_binding_of(obj, sig_id)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.none(), st.text(" \n\tA-Za-z0-9+/=Đ_-", max_size=24)))
def test_base64_decoding_equals_b64decode_validate(text: str | None) -> None:
    def outcome(fn: Callable[[str | None], bytes]) -> object:
        try:
            return fn(text)
        except (binascii.Error, ValueError) as e:
            return type(e) is binascii.Error  # which of the two families, as callers catch them

    assert outcome(profile_check.decode_b64) == outcome(ref_decode_b64)


def test_inclusive_prefixes_equal_find(genuine: bytes) -> None:
    xml = (
        f'<T xmlns="{DSIG_NS}"><Transform Algorithm="{C14nMethod.EXC_C14N.value}">'
        f'<!--c--><x:InclusiveNamespaces xmlns:x="{C14nMethod.EXC_C14N.value}" PrefixList="a b"/>'
        f'<x:InclusiveNamespaces xmlns:x="{C14nMethod.EXC_C14N.value}" PrefixList="c"/>'
        "</Transform><Transform/></T>"
    ).encode()
    methods = list(parse_xml(xml)) + list(parse_xml(genuine).iter(f"{_D}Transform"))
    for m in methods:
        assert profile_check._inclusive_prefixes(m) == ref_inclusive_prefixes(m)
    assert profile_check._inclusive_prefixes(methods[0]) == ["a", "b"]


def test_signature_method_parts_equal_the_enum_properties() -> None:
    for m in SignatureMethod:
        family = "RSA_" if m.name.startswith("RSA_") else "ECDSA_" if "ECDSA" in m.name else ""
        assert keys._METHOD_PARTS[m] == (keys._HASHES.get(m.hash_name), family)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pick=st.lists(st.integers(min_value=0), min_size=1, max_size=6))
def test_digest_memo_equals_hashing(genuine: bytes, pick: list[int]) -> None:
    import hashlib

    root = parse_xml(genuine)
    elements = list(root.iter(etree.Element))
    cache = signatures.CanonCache()
    for n in pick + pick:
        el = elements[n % len(elements)]
        for d in (DigestMethod.SHA256, DigestMethod.SHA512, DigestMethod.SHA1):
            want = hashlib.new(d.hash_name, canonicalize(el)).digest()
            assert cache.digest(el, C14nMethod.C14N_10, [], d.hash_name) == want


def test_a_memo_cannot_turn_a_failure_into_a_pass(genuine: bytes, trust: TrustStore) -> None:
    """Verifying the genuine packet first (every per-process cache warm) changes nothing for a
    tampered copy whose certificates, Objects and Ids are all the same: it still fails."""
    tampered = genuine.replace(b"<HO_VA_TEN>", b"<HO_VA_TEN>X", 1)
    assert tampered != genuine
    first = verify(tampered, trust, at=mv.VERIFY_AT)
    assert verify(genuine, trust, at=mv.VERIFY_AT).ok
    again = verify(tampered, trust, at=mv.VERIFY_AT)
    assert not again.ok
    assert "SIGNATURE.DIGEST_MISMATCH" in {s.code for s in again.steps}
    assert _facts(again) == _facts(first)


def test_reference_paths_are_named_as_before(genuine: bytes) -> None:
    root = parse_xml(genuine)
    out = structure.check_structure(root, STRICT)
    assert out.signatures
    for ps in out.signatures:
        for ref in ps.references:
            path = ps.reference_path(ref)
            assert path == structure._path(ref.element)
            assert path.endswith("/ds:SignedInfo/ds:Reference[1]") or path.endswith(
                "/ds:SignedInfo/ds:Reference[2]"
            )


# -- the parser's walks ---------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    depths=st.lists(st.integers(0, 40), min_size=1, max_size=4),
    limit=st.integers(1, 36),
)
def test_depth_check_equals_the_former_expression(depths: list[int], limit: int) -> None:
    root = etree.Element("r")
    for d in depths:
        el = etree.SubElement(root, "b")
        for _ in range(d):
            el = etree.SubElement(el, "a")
    assert bool(parser._too_deep(limit)(root)) == bool(ref_too_deep(limit)(root))
    deepest = 2 + max(depths)
    assert bool(parser._too_deep(limit)(root)) == (deepest > limit)


def test_dtd_markup_is_refused_wherever_it_hides() -> None:
    for xml in (
        b'<!DOCTYPE a [<!ENTITY x "y">]><a/>',
        b"<a><!-- <!DOCTYPE --></a>",
        b"<a><![CDATA[<!ENTITY]]></a>",
        b"<a><?pi <!DOCTYPE?></a>",
    ):
        with pytest.raises(ParseError) as e:
            parse_xml(xml)
        assert e.value.code == "PARSE.DTD"
    assert parse_xml(b"<a>!</a>").text == "!"  # a "!" alone is text


def _context_free(el: etree._Element) -> bool:
    return not el.nsmap and not any(
        k.startswith("{http://www.w3.org/XML/1998/namespace}")
        for a in el.iterancestors()
        for k in a.attrib
    )


@settings(max_examples=60, deadline=None)
@given(
    shape=st.recursive(
        st.just([]),
        lambda kids: st.lists(kids, max_size=4),
        max_leaves=40,
    ),
    extras=st.lists(st.sampled_from(["comment", "pi", "attr", "ns", "Id", "sig"]), max_size=6),
)
def test_a_context_free_subtree_never_fails_the_walks(shape: Any, extras: list[str]) -> None:
    """What ``parse_canonical_subtree`` relies on: the inclusive C14N 1.0 of a context-free
    element of a tree that passed ``parse_xml`` passes ``parse_xml`` again, and the two parses
    give the same tree. Tight limits make the walks bite on the whole tree."""
    limits = parser.ParseLimits(
        max_depth=6, max_elements=60, max_attributes_per_element=3, max_attributes=12,
        max_signatures=2, max_ids=4,
    )

    def build(parent: etree._Element, kids: Any, n: list[int]) -> None:
        for k in kids:
            n[0] += 1
            el = etree.SubElement(parent, "e")
            extra = extras[n[0] % len(extras)] if extras else ""
            if extra == "comment":
                el.append(etree.Comment("c"))
            elif extra == "pi":
                el.append(etree.ProcessingInstruction("p"))
            elif extra == "attr":
                el.set("a", "1")
            elif extra == "Id":
                el.set("Id", f"i{n[0]}")
            elif extra == "sig":
                etree.SubElement(el, f"{_D}Signature")
            elif extra == "ns":
                etree.SubElement(el, "{urn:n}q")
            build(el, k, n)

    root = etree.Element("r")
    build(root, shape, [0])
    data = etree.tostring(root)
    try:
        tree = parse_xml(data, limits=limits)
    except ParseError:
        return
    for el in tree.iter(etree.Element):
        if not _context_free(el):
            continue
        c14n = canonicalize(el, C14nMethod.C14N_10)
        again = parse_xml(c14n, limits=limits)  # the walks pass on the subtree's bytes
        assert etree.tostring(again) == etree.tostring(parser._parse(c14n, limits, walk=False))


@pytest.mark.parametrize("change", ["none", "xml_lang", "xmlns", "exclusive"])
def test_only_a_context_free_c14n_10_reference_takes_the_fast_reparse(
    genuine: bytes, change: str
) -> None:
    root = etree.fromstring(genuine)
    if change == "xml_lang":
        root.set("{http://www.w3.org/XML/1998/namespace}lang", "vi")
    elif change == "xmlns":
        root = _redeclare(root, {"x": "urn:x"})
    out = structure.check_structure(parse_xml(etree.tostring(root)), STRICT)
    data_sigs = [p for p in out.signatures if p.slot.reference_id == "data"]
    assert data_sigs
    for ps in data_sigs:
        if change == "exclusive":
            ps.references[0].transforms[0] = (C14nMethod.EXC_C14N.value, [])
        assert verifier._context_free_c14n_10(ps) is (change == "none")
    assert DEFAULT_LIMITS.max_depth == 32  # parse_canonical_subtree's limits are the defaults


@settings(max_examples=200, deadline=None)
@given(
    layout=st.lists(
        st.tuples(
            st.sampled_from(["A", "B"]),
            st.lists(
                st.tuples(
                    st.sampled_from(["B", "C"]),
                    st.lists(st.sampled_from(["C", "x", " y ", "<!--c-->", "<?p?>"]), max_size=3),
                ),
                max_size=3,
            ),
        ),
        max_size=3,
    )
)
def test_signed_text_equals_the_xpath_string_value(
    layout: list[tuple[str, list[tuple[str, list[str]]]]],
) -> None:
    """The identity and school code are read by a child walk instead of ``string(A/B/C)``."""

    def inner(items: list[str]) -> str:
        return "".join(f"<{i}>{i.lower()}1</{i}>" if i == "C" else i for i in items)

    xml = "<R>" + "".join(
        f"<{a}>" + "".join(f"<{b}>{inner(cs)}</{b}>" for b, cs in bs) + f"</{a}>"
        for a, bs in layout
    ) + "</R>"
    root = parse_xml(xml.encode())
    for path in (("A",), ("A", "B"), ("A", "B", "C"), ("B", "C")):
        want = str(etree.XPath(f"string({'/'.join(path)})")(root)).strip() or None
        assert verifier._signed_text(root, path) == want


# -- the record read in place, on re-signed records with unusual text ------------------------

_ADDRESS = "DIA_CHI_CHI_TIET"


class _Issued(tuple[bytes, dict[str, Any], Any]):
    """(packet, signer per slot, trust store); short in hypothesis's failure reports."""

    def __repr__(self) -> str:
        return "<issued record>"


@pytest.fixture(scope="module")
def issued() -> tuple[bytes, dict[str, Any], Any]:
    """A record issued by the test generator, and who signs each of its slots."""
    from hocbaso.testing import tao_hoc_ba
    from hocbaso.testing.pki import build_test_pki

    pki = build_test_pki()
    hb = tao_hoc_ba(3)
    nk = hb.thong_tin_hoc_ba.nguoi_ky
    who: dict[str, Any] = {
        f"GVBM:{r.ma_mon_hoc}": pki.personal(r.so_ddcn_gvbm) for r in hb.bang_diem
    }
    who |= {
        "GVCN": pki.personal(nk.so_ddcn_gvcn),
        "CBQL": pki.personal(nk.so_ddcn_giam_hieu),
        "KY_PHAT_HANH": pki.school(),
    }
    return _Issued((mv.issue(hb, pki), who, TrustStore([pki.root])))


def _with_address(issued: tuple[bytes, dict[str, Any], Any], text: str, refs: bool) -> bytes:
    """The record with ``text`` as its first address, every slot signed again over it (GVBM
    first, then the roles whose elements cover theirs); with ``refs``, each ``=`` of that text
    written as the character reference ``&#61;`` (the same content, the signatures still
    valid, but the canonical bytes spell ``=`` where the packet did not)."""
    data, who, _trust = issued
    root = etree.fromstring(data)
    field = next(root.iter(_ADDRESS))
    field.text = text
    for slot, ident in who.items():
        mv._resign(root, mv._sig(root, slot), ident)
    out = bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    if refs:
        written = etree.tostring(field, encoding="UTF-8", with_tail=False)
        assert out.count(written) == 1
        start, end = written.index(b">") + 1, written.rindex(b"<")
        inner = written[start:end].replace(b"=", b"&#61;")
        out = out.replace(written, written[:start] + inner + written[end:])
    return out


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text("ab Đạ09=&<>\"'\t\r\nxmlns", min_size=1, max_size=40),
    refs=st.booleans(),
)
def test_the_record_read_in_place_is_the_record_of_the_signed_bytes(
    issued: tuple[bytes, dict[str, Any], Any],
    text: str,
    refs: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whole reports (record, signed bytes, every step) equal with the record read from the
    verified tree and with its canonical bytes parsed again, on re-signed records whose text
    holds what C14N escapes (``& < > CR``), tabs, line breaks and ``xmlns=`` spelled out."""
    packet = _with_address(issued, text, refs)
    trust = issued[2]
    fast, slow = _fast_and_reference(packet, trust, monkeypatch)
    assert _facts(fast) == _facts(slow)


def test_canonical_bytes_the_packet_never_spelled_are_still_checked(
    issued: tuple[bytes, dict[str, Any], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An address of 20 ``xmlns&#61;`` passes the packet's own byte checks (the packet never
    writes ``xmlns=``), but its canonical bytes do write it 20 times in one element: read in
    place or parsed again, the record is refused the same way, by the same byte check."""
    packet = _with_address(issued, "xmlns= " * 20, refs=True)
    assert b"xmlns=" not in packet.split(b"<DU_LIEU_HOC_BA", 1)[1].split(b"</DU_LIEU_HOC_BA>")[0]
    trust = issued[2]
    fast, slow = _fast_and_reference(packet, trust, monkeypatch)
    assert _facts(fast) == _facts(slow)
    invalid = [s for s in fast.steps if s.code == "FORMAT.MODEL_INVALID"]
    assert invalid and "PARSE.TOO_MANY_NAMESPACES_PER_ELEMENT" in invalid[0].message_en
    assert fast.record is None and not fast.ok
