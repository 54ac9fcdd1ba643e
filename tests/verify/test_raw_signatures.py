"""The Signature reader over the packet's own bytes (``signature/_profile_raw.py``) against the
exact reader over canonical bytes it stands in for (docs/verification.md §7).

Wherever the raw reader answers, the exact reader must give the same parts and Object facts,
and the SignedInfo and Object bytes it built must be what ``canonicalize`` gives; the whole
report must be the same with the raw reader on and off. The packets are the genuine record and
byte-level mutations of it: white space of every kind, both ways of ending an empty element,
quotes, character references, comments, processing instructions (also hiding a copy of a
Signature), CDATA, ``xml:*`` attributes and namespaces in scope, the ``ds:`` prefix, CRLF,
a byte order mark, and a missing XML declaration.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from hocbaso.errors import ParseError
from hocbaso.packet import parse_xml
from hocbaso.signature import C14nMethod, canonicalize
from hocbaso.signature import _profile_raw as raw
from hocbaso.signature._internal import (
    DSIG_NS,
    read_signature_exact,
    read_signature_raw,
    scan_signatures,
    tags_only,
)
from hocbaso.verify import TrustStore, VerificationReport, verify
from hocbaso.verify import _structure as structure
from hocbaso.verify._certificates import load_certificate_b64
from hocbaso.verify._policy import STRICT
from hocbaso.verify._signatures import CanonCache
from hocbaso.verify._structure import check_structure

from .conftest import mv
from .test_fast_paths import _facts
from .test_format_fast import _Packet

D = f"{{{DSIG_NS}}}"
_SPAN = re.compile(rb"<(?:ds:)?Signature\b.*?</(?:ds:)?Signature>", re.S)
_TAG = re.compile(
    rb"<(/?)(SignedInfo|CanonicalizationMethod|SignatureMethod|Reference|Transforms|"
    rb"Transform|DigestMethod|DigestValue|SignatureValue|KeyInfo|X509Data|"
    rb"X509Certificate|Object|SignatureProperties|SignatureProperty|Signature)\b"
)
_SLOW = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _prefixed(span: bytes) -> bytes:
    """The same Signature written with the ``ds:`` prefix (not re-signed)."""
    return _TAG.sub(rb"<\1ds:\2", span).replace(
        b'xmlns="http://www.w3.org/2000/09/xmldsig#"',
        b'xmlns:ds="http://www.w3.org/2000/09/xmldsig#"',
        1,
    )


# -- the comparison ----------------------------------------------------------------------------


def _readings(data: bytes) -> list[tuple[Any, Any, etree._Element]]:
    """(raw reader's answer, exact reader's answer, the Signature) per in-slot Signature the
    raw scan found, for a packet the hardened parser accepts and step 3 finds unambiguous."""
    root = parse_xml(data)
    plain = check_structure(root, STRICT)
    if plain.fatal:
        return []
    ids = {el.get("Id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("Id")}
    found = scan_signatures(data)
    canon = CanonCache()
    out = []
    for slot in plain.slots:
        for sig in slot.element.iterchildren(D + "Signature"):
            if sig.get("Id") != slot.signature_id or slot.signature_id not in found:
                continue
            kw: dict[str, Any] = {
                "reference_id": slot.reference_id,
                "object_id": slot.object_id,
                "ids": ids,
                "load_certificate": load_certificate_b64,
            }
            got = read_signature_raw(sig, found[slot.signature_id], **kw)
            exact = read_signature_exact(
                sig,
                signature_id=slot.signature_id,
                canonical=lambda el: canon.get(el, C14nMethod.C14N_10, []),
                **kw,
            )
            out.append((got, exact, sig))
    return out


def _assert_same_readings(data: bytes) -> int:
    """The raw reader's answers equal the exact reader's; the number it answered."""
    answered = 0
    for got, exact, sig in _readings(data):
        if got is None:
            continue
        answered += 1
        parts, facts, signed_info, obj = got
        assert exact is not None
        assert (parts, facts) == exact
        assert signed_info == canonicalize(sig[0], C14nMethod.C14N_10)
        assert obj == canonicalize(sig[3], C14nMethod.C14N_10)
    return answered


def _both_reports(
    data: bytes, trust: TrustStore, monkeypatch: pytest.MonkeyPatch
) -> tuple[VerificationReport, VerificationReport]:
    with_raw = verify(data, trust, at=mv.VERIFY_AT)
    with monkeypatch.context() as m:
        m.setattr(structure, "scan_signatures", lambda data, body=None: {})
        m.setattr(structure, "tags_only", lambda data: None)
        without = verify(data, trust, at=mv.VERIFY_AT)
    return with_raw, without


@pytest.fixture(scope="module")
def record(genuine: bytes) -> _Packet:
    return _Packet(genuine)


# -- genuine packets ---------------------------------------------------------------------------


def test_every_genuine_signature_is_read_from_the_bytes(genuine: bytes) -> None:
    # Otherwise the speed-up would be hollow.
    assert _assert_same_readings(genuine) == 15


def test_the_ds_prefixed_form_is_read_from_the_bytes_too(genuine: bytes) -> None:
    data = _SPAN.sub(lambda m: _prefixed(m.group(0)), genuine)
    assert data.count(b"<ds:Signature ") == 15
    assert _assert_same_readings(data) == 15


def test_verify_hands_the_built_bytes_to_the_run_cache(
    genuine: bytes, trust: TrustStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The genuine record verifies through the raw reader, and canonicalises no SignedInfo or
    Object itself (the bytes came from the reader)."""
    canonicalised: list[str] = []
    real = CanonCache.get

    def spy(self: CanonCache, el: etree._Element, *a: Any) -> bytes:
        key = (el, C14nMethod.C14N_10, ())
        if key not in self._cache:
            canonicalised.append(etree.QName(el).localname)
        return real(self, el, *a)

    monkeypatch.setattr(CanonCache, "get", spy)
    assert verify(genuine, trust, at=mv.VERIFY_AT).ok
    assert "SignedInfo" not in canonicalised and "Object" not in canonicalised
    assert canonicalised  # the Reference targets are still canonicalised
    with_raw, without = _both_reports(genuine, trust, monkeypatch)
    assert _facts(with_raw) == _facts(without)


# -- byte-level mutations ----------------------------------------------------------------------

_WS = [" ", "\t", "\n", "\r\n", "\r", "\n\t  "]
_OPS = (
    "ws",
    "explicit_end",
    "all_explicit",
    "single_quote",
    "charref_attribute",
    "charref_text",
    "comment",
    "pi",
    "pi_before_root",
    "copy_in_comment",
    "copy_in_pi",
    "cdata",
    "xml_lang_on_root",
    "xml_lang_on_slot",
    "ds_on_root",
    "redundant_xmlns",
    "space_in_tag",
    "no_declaration",
    "bom",
    "bang_in_text",
    "question_in_text",
    "gt_in_text",
    "crlf",
    "prefix",
    "extra_certificate",
    "value_text",
    "target",
    "reference_uri",
    "object_id",
    "certificate_text",
)
#: SignatureValue texts: canonical base64 and near misses (excess bits, white space, padding).
_VALUES = ["QR==", "QQ==", "QUJD", "QUJD RA==", "QUJD\nRA==", "====", "", "QUJDRA", "QUI="]
#: Prefixes put before a certificate's text: non-ASCII, a character reference, white space.
_CERT_PREFIXES = ["é", "Đạ", "&#77;", " ", "\t"]


def _after_tag(span: bytes, k: int) -> int:
    ends = [m.end() for m in re.finditer(rb">", span)]
    return ends[k % len(ends)]


def _mutate_span(span: bytes, op: str, k: int, text: str) -> bytes:
    at = _after_tag(span, k)
    if op == "ws":
        return span[:at] + _WS[k % len(_WS)].encode() + span[at:]
    if op == "explicit_end":
        ends = list(re.finditer(rb'<([A-Za-z:]+)( [^>]*)"/>', span))
        if ends:
            m = ends[k % len(ends)]
            return span[: m.start()] + b'<%s%s"></%s>' % (m[1], m[2], m[1]) + span[m.end() :]
    if op == "all_explicit":
        return re.sub(rb'<([A-Za-z:]+)( [^>]*)"/>', rb'<\1\2"></\1>', span)
    if op == "single_quote":
        return re.sub(rb'Algorithm="([^"]*)"', rb"Algorithm='\1'", span, count=1 + k % 3)
    if op == "charref_attribute":
        # The same character, spelled as a reference: the same tree, other bytes.
        return re.sub(
            rb'(Algorithm|URI|Id|Target)="(.)',
            lambda m: m[1] + b'="&#x%02x;' % m[2][0],
            span,
            count=1,
        )
    if op == "charref_text":
        m = re.search(rb"<(?:ds:)?(DigestValue|SignatureValue|X509Certificate|PHIEN_BAN)>(.)", span)
        if m:
            ref = b"&#%d;" % m[2][0]
            return span[: m.start(2)] + ref + span[m.end(2) :]
    if op == "comment":
        return span[:at] + b"<!--c-->" + span[at:]
    if op == "pi":
        return span[:at] + b"<?p q?>" + span[at:]
    if op == "cdata":
        return re.sub(rb"<DigestValue>([^<]*)<", rb"<DigestValue><![CDATA[\1]]><", span, count=1)
    if op == "redundant_xmlns":
        return span.replace(b"<SignedInfo>", b'<SignedInfo xmlns="%s">' % DSIG_NS.encode(), 1)
    if op == "space_in_tag":
        return re.sub(
            rb"<(SignedInfo|KeyInfo|Reference[^>]*|Object[^>]*)>", rb"<\1 >", span, count=1
        )
    if op == "gt_in_text":
        return span.replace(b"<PHIEN_BAN>", b"<PHIEN_BAN>>", 1)
    if op == "prefix":
        return _prefixed(span)
    if op == "value_text":
        value = _VALUES[k % len(_VALUES)].encode()
        return re.sub(rb"(<(?:ds:)?SignatureValue>)[^<]*", lambda m: m[1] + value, span, count=1)
    if op == "extra_certificate":
        # More copies of the last (an intermediate's) certificate: the chain still has one leaf.
        certs = list(
            re.finditer(rb"<(?:ds:)?X509Certificate>[^<]*</(?:ds:)?X509Certificate>", span)
        )
        if certs:
            last = certs[-1]
            return span[: last.end()] + last.group(0) * (1 + k % 9) + span[last.end() :]
    if op == "reference_uri":
        uris = list(re.finditer(rb'URI="#[^"]*"', span))
        if uris:
            u = uris[k % len(uris)]
            return span[: u.start()] + b'URI="#data"' + span[u.end() :]
    if op == "object_id":
        return re.sub(rb'(<(?:ds:)?Object) Id="[^"]*"', rb'\1 Id="st-x"', span, count=1)
    if op == "certificate_text":
        prefix = _CERT_PREFIXES[k % len(_CERT_PREFIXES)].encode()
        return re.sub(rb"(<(?:ds:)?X509Certificate>)", lambda m: m[1] + prefix, span, count=1)
    if op == "target":
        targets = list(re.finditer(rb'Target="#[^"]*"', span))
        if targets:
            t = targets[k % len(targets)]
            return span[: t.start()] + b'Target="#sig-x"' + span[t.end() :]
    return span


def _mutate(genuine: bytes, steps: list[tuple[str, int, int, str]]) -> bytes:
    data = genuine
    for op, index, k, text in steps:
        spans = list(_SPAN.finditer(data))
        span = spans[index % len(spans)] if spans else None
        head = data.find(b"?>") + 2 if data.startswith(b"<?xml") else 0
        if op == "pi_before_root":
            data = data[:head] + b"<?p " + text.encode() + b"?>" + data[head:]
        elif op in ("copy_in_comment", "copy_in_pi") and span is not None:
            # A copy of a Signature (with another value) where no element is: the reader must
            # never take it for the element with its Id.
            fake = re.sub(rb"<SignatureValue>.", b"<SignatureValue>A", span.group(0), count=1)
            wrapped = b"<!--" + fake + b"-->" if op == "copy_in_comment" else b"<?p " + fake + b"?>"
            data = data[: span.start()] + wrapped + data[span.start() :]
        elif op == "xml_lang_on_root":
            data = data.replace(b"<HOC_BA", b'<HOC_BA xml:lang="vi"', 1)
        elif op == "xml_lang_on_slot" and span is not None:
            slot_start = data.rfind(b"<", 0, span.start())
            name = re.compile(rb"<[A-Za-z_][A-Za-z0-9_.\-]*").match(data, slot_start)
            if name is not None:  # (not when a comment or PI was put just before the span)
                data = data[: name.end()] + b' xml:space="preserve"' + data[name.end() :]
        elif op == "ds_on_root":
            data = data.replace(b"<HOC_BA", b'<HOC_BA xmlns:ds="%s"' % DSIG_NS.encode(), 1)
        elif op == "no_declaration":
            data = data[head:].lstrip()
        elif op == "bom":
            data = b"\xef\xbb\xbf" + data
        elif op in ("bang_in_text", "question_in_text"):
            mark = b"!" if op == "bang_in_text" else b"?"
            data = data.replace(b"</TEN_LOP>", mark + b"</TEN_LOP>", 1)
        elif op == "crlf":
            data = data.replace(b"\n", b"\r\n")
        elif span is not None:
            data = (
                data[: span.start()] + _mutate_span(span.group(0), op, k, text) + data[span.end() :]
            )
    return data


_steps = st.lists(
    st.tuples(
        st.sampled_from(_OPS),
        st.integers(0, 14),
        st.integers(0, 400),
        st.text("ab xyz?<", max_size=6).filter(lambda t: "?>" not in t),
    ),
    min_size=1,
    max_size=3,
)


def _parses(data: bytes) -> bool:
    try:
        parse_xml(data)
    except ParseError:
        return False
    return True


@_SLOW
@given(steps=_steps)
def test_raw_reader_equals_the_exact_reader_on_mutated_bytes(
    record: _Packet, steps: list[tuple[str, int, int, str]]
) -> None:
    data = _mutate(record.data, steps)
    if _parses(data):
        _assert_same_readings(data)


@_SLOW
@given(steps=_steps)
def test_bytes_of_tags_only_parse_to_a_tree_without_comments_or_pis(
    record: _Packet, steps: list[tuple[str, int, int, str]]
) -> None:
    """What lets step 3 skip its walk for comments and processing instructions."""
    data = _mutate(record.data, steps)
    if not _parses(data):
        return
    root = parse_xml(data)
    outside = [*root.itersiblings(preceding=True), *root.itersiblings()]
    nodes = outside + list(root.iter(etree.Comment, etree.ProcessingInstruction))
    if tags_only(data) is not None:
        assert nodes == []
    elif not nodes:  # "<!" or "<?" without such a node: CDATA only
        assert b"<![CDATA[" in data


@_SLOW
@given(steps=_steps)
def test_reports_are_the_same_with_and_without_the_raw_reader(
    record: _Packet,
    trust: TrustStore,
    steps: list[tuple[str, int, int, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = _mutate(record.data, steps)
    with_raw, without = _both_reports(data, trust, monkeypatch)
    assert _facts(with_raw) == _facts(without)


# -- each condition of the module docstring, on its own ---------------------------------------


@pytest.mark.parametrize(
    ("op", "answered"),
    [
        ("ws", 15),  # white space between elements is part of the shape
        ("all_explicit", 15),
        ("explicit_end", 15),
        ("single_quote", 14),
        ("charref_attribute", 14),
        ("charref_text", 14),
        ("cdata", 0),
        ("redundant_xmlns", 14),
        ("space_in_tag", 14),
        ("gt_in_text", 14),
        ("xml_lang_on_slot", 14),
        ("extra_certificate", 14),
        ("value_text", 14),
        ("target", 14),
        ("object_id", 14),
        ("comment", 0),  # "<!" anywhere: nothing is read from the bytes
        ("pi", 0),
        ("pi_before_root", 0),
        ("copy_in_comment", 0),
        ("copy_in_pi", 0),
        ("xml_lang_on_root", 0),
        ("ds_on_root", 0),
        ("crlf", 15),  # CR only outside the Signatures here (they are written on one line)
        ("no_declaration", 15),
        ("bom", 15),
        ("bang_in_text", 15),
        ("question_in_text", 15),
    ],
)
def test_each_condition_decides_what_is_read_from_the_bytes(
    genuine: bytes, op: str, answered: int
) -> None:
    data = _mutate(genuine, [(op, 3, 7, "x")])
    assert data != genuine
    assert _assert_same_readings(data) == answered


@pytest.mark.parametrize("op", ["target", "reference_uri"])
@pytest.mark.parametrize("k", [0, 1])
def test_either_reference_and_either_target_is_checked(genuine: bytes, op: str, k: int) -> None:
    data = _mutate(genuine, [(op, 4, k, "")])
    assert data != genuine
    assert _assert_same_readings(data) == 14


def test_a_cr_inside_a_signature_is_left_to_the_exact_reader(genuine: bytes) -> None:
    data = _mutate(genuine, [("ws", 3, 2, "")])
    spans = list(_SPAN.finditer(genuine))
    span = spans[3].group(0)
    with_cr = genuine.replace(span, span.replace(b"><SignedInfo>", b">\r\n<SignedInfo>", 1))
    assert with_cr != genuine
    assert _assert_same_readings(with_cr) == 14
    assert _assert_same_readings(data) == 15


@pytest.mark.parametrize("k", range(len(_VALUES)))
def test_signature_value_texts_are_read_as_the_exact_reader_reads_them(
    genuine: bytes, k: int
) -> None:
    data = _mutate(genuine, [("value_text", 5, k, "")])
    canonical = _VALUES[k] in ("QQ==", "QUJD", "QUI=", "")
    assert _assert_same_readings(data) == (15 if canonical else 14)


@pytest.mark.parametrize("k", range(len(_CERT_PREFIXES)))
def test_a_certificate_text_that_is_not_base64_is_left_to_the_exact_reader(
    genuine: bytes, trust: TrustStore, k: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hostile KeyInfo text (non-ASCII bytes among them) never makes the raw reader raise."""
    data = _mutate(genuine, [("certificate_text", 2, k, "")])
    assert data != genuine
    assert _assert_same_readings(data) == 14
    with_raw, without = _both_reports(data, trust, monkeypatch)
    assert _facts(with_raw) == _facts(without)


def test_an_id_spelled_by_two_signatures_is_read_for_neither(genuine: bytes) -> None:
    """The structure step refuses such a packet before reading; the scan does not rely on it."""
    spans = [m.group(0) for m in _SPAN.finditer(genuine)]
    assert scan_signatures(genuine).keys() >= {"sig-gvcn", "sig-cbql"}
    twice = genuine.replace(spans[-2], spans[-2].replace(b'Id="sig-cbql"', b'Id="sig-gvcn"', 1))
    found = scan_signatures(twice)
    assert "sig-gvcn" not in found and "sig-cbql" not in found
    assert len(found) == 13


def test_a_signature_hidden_in_a_comment_is_never_read(genuine: bytes) -> None:
    data = _mutate(genuine, [("copy_in_comment", 0, 0, "")])
    assert data.count(b'Id="sig-') == genuine.count(b'Id="sig-') + 1
    assert scan_signatures(data) == {}
    assert scan_signatures(genuine)  # the same packet without the comment is read


@pytest.mark.parametrize(
    ("head", "body"),
    [
        (b"<HOC_BA/>", 0),
        (b"\xef\xbb\xbf<HOC_BA/>", 3),
        (b'<?xml version="1.0"?><HOC_BA/>', 21),
        (b'\xef\xbb\xbf<?xml version="1.0"?>\n<HOC_BA/>', 24),
        (b"<?xml\tversion='1.0'?><HOC_BA/>", 21),
        (b"<?xml-stylesheet href='a'?><HOC_BA/>", None),
        (b"<?xmlx a?><HOC_BA/>", None),
        (b"<?p x?><HOC_BA/>", None),
        (b'<?xml version="1.0"', None),
    ],
)
def test_only_an_xml_declaration_may_precede_the_root(head: bytes, body: int | None) -> None:
    assert raw._body_start(head) == body


def test_canonical_signed_info_for_each_way_of_ending_empty_elements(genuine: bytes) -> None:
    """All self-closed (the split), none, and a mix (the rewrite by match) give the bytes
    ``canonicalize`` gives."""
    span = next(_SPAN.finditer(genuine)).group(0)
    variants = [
        span,
        _mutate_span(span, "all_explicit", 0, ""),
        *(_mutate_span(span, "explicit_end", k, "") for k in range(6)),
    ]
    for variant in variants:
        data = genuine.replace(span, variant, 1)
        assert _assert_same_readings(data) == 15
