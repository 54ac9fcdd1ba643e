"""The hardened parser's byte bounds skip only counts that cannot exceed their limit.

``_check_shape`` takes upper bounds read off the raw bytes (``_ByteBounds``: the length for
nodes, ``=`` bytes for attributes, no ``Signature`` spelled for signatures) and skips
a count in the tree when its bound is within the limit (docs/packet.md §Parsing untrusted
XML). These tests compare :func:`parse_xml` with the exact-count reference (every count taken
in the tree, as before the bounds) on generated and hostile documents, under small limits so
that every check is sometimes at, under and over its limit, in every encoding the bytes may
come in; and check the bounds themselves against the exact counts.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from hocbaso.errors import HocBaSoError
from hocbaso.packet import DEFAULT_LIMITS, ParseLimits, parse_xml
from hocbaso.packet._parser import (
    _COUNT_ATTRIBUTES,
    _COUNT_IDS,
    _ByteBounds,
    _check_shape,
    _nth_attribute_exists,
    _parse,
)

DS_NS = "http://www.w3.org/2000/09/xmldsig#"


def _reference(data: bytes, limits: ParseLimits) -> tuple[Any, ...]:
    """``parse_xml`` as it was before the bounds: every byte check, the parse, the DTD and
    encoding checks (``_parse`` without its tree walks), then every count in the tree."""
    try:
        root = _parse(data, limits, walk=False)
        _check_shape(root, limits)
    except HocBaSoError as exc:
        return ("error", type(exc), exc.code, exc.message_en, exc.message_vi)
    return ("tree", etree.tostring(root))


def _outcome(data: bytes, limits: ParseLimits) -> tuple[Any, ...]:
    try:
        root = parse_xml(data, limits=limits)
    except HocBaSoError as exc:
        return ("error", type(exc), exc.code, exc.message_en, exc.message_vi)
    return ("tree", etree.tostring(root))


_NAMES = st.sampled_from(["A", "B", "Signature", "ds:Signature", "SignatureValue", "X"])
# Text that spells the markers the bounds count (=, Signature) without being markup, and
# character references that put an "=" into text or attribute values.
_TEXT = st.sampled_from(
    ["", "a", "x=y", "Signature", "&#61;", "&#x3D;&#61;", " ", "\n  ", "Đạt", "<![CDATA[a=b]]>"]
)
_EXTRA = st.sampled_from(
    ["", "<!-- a=b Signature -->", "<?pi a=b?>", "<!--x-->", "<?pi Signature?>"]
)


@st.composite
def _element(draw: Any, depth: int = 0) -> str:
    name = draw(_NAMES)
    attributes = draw(
        st.lists(st.sampled_from(["a", "b", "Id", "c", "xmlns:p", "xml:lang"]), unique=True,
                 max_size=5)
    )
    attrs = "".join(
        f' {a} = "v{i}&#61;"' if i % 2 else f" {a}='v'" for i, a in enumerate(attributes)
    )
    if name.startswith("ds:"):
        attrs += f' xmlns:ds="{DS_NS}"'
    elif name == "Signature" and draw(st.booleans()):
        attrs += f' xmlns="{DS_NS}"'
    children: list[str] = []
    if depth < 6:
        children = draw(st.lists(_element(depth + 1), max_size=3 if depth < 3 else 1))
    body = draw(_TEXT) + "".join(c + draw(_TEXT) for c in children) + draw(_EXTRA)
    if not body and draw(st.booleans()):
        return f"<{name}{attrs}/>"
    return f"<{name}{attrs}>{body}</{name}>"


@st.composite
def _document(draw: Any) -> bytes:
    text = draw(_element())
    form = draw(st.sampled_from(
        ["plain", "declared", "bom", "space", "utf16", "utf16-declared-utf8", "latin1", "nul"]
    ))
    if form == "declared":
        return b'<?xml version="1.0" encoding="UTF-8"?>\n' + text.encode()
    if form == "bom":
        return b"\xef\xbb\xbf" + text.encode()
    if form == "space":
        return b"\n " + text.encode()
    if form == "utf16":
        return text.encode("utf-16")
    if form == "utf16-declared-utf8":
        # A byte order mark that contradicts the declaration: the bounds must not count
        # characters as bytes here, whatever libxml2 makes of it.
        return ('<?xml version="1.0" encoding="UTF-8"?>' + text).encode("utf-16")
    if form == "latin1":
        return ('<?xml version="1.0" encoding="ISO-8859-1"?>' + text).encode("latin-1", "replace")
    if form == "nul":
        return text.encode() + b"\x00"
    return text.encode()


_SMALL = st.integers(min_value=0, max_value=12)


@st.composite
def _limits(draw: Any) -> ParseLimits:
    if draw(st.booleans()):
        return DEFAULT_LIMITS
    return dataclasses.replace(
        DEFAULT_LIMITS,
        max_depth=draw(st.integers(min_value=1, max_value=8) | st.just(32)),
        max_elements=draw(st.integers(min_value=1, max_value=400)),
        max_attributes_per_element=draw(st.integers(min_value=0, max_value=4) | st.just(32)),
        max_attributes=draw(_SMALL),
        max_signatures=draw(st.integers(min_value=0, max_value=4)),
        max_ids=draw(_SMALL),
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_document(), _limits())
def test_parse_with_bounds_decides_as_the_exact_counts(data: bytes, limits: ParseLimits) -> None:
    assert _outcome(data, limits) == _reference(data, limits)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_document())
def test_each_bound_is_at_least_the_exact_count(data: bytes) -> None:
    try:
        root = _parse(data, DEFAULT_LIMITS, walk=False)
    except HocBaSoError:
        return
    bounds = _ByteBounds.of(data)
    assert bounds.nodes >= root.xpath("count(//node())")
    if bounds.attributes is not None:
        assert bounds.attributes >= root.xpath("count(//@*)")
    # Bytes that are not read as UTF-8 give no character bound at all.
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data:
        assert bounds.attributes is None


def test_a_record_skips_the_counts_its_bounds_settle() -> None:
    """The point of the bounds: an unsigned record is settled by its bytes alone (fewer than
    20 000 bytes, at most 32 "="), so only the depth and the signatures are counted in the tree;
    a longer one (a signed record is 20–80 KB) is counted in the tree, where that is cheaper."""
    from hocbaso.models import Khoi
    from hocbaso.packet import to_xml
    from hocbaso.testing import tao_hoc_ba

    packet = to_xml(tao_hoc_ba(42, Khoi.K12))
    bounds = _ByteBounds.of(packet)
    assert bounds.nodes <= DEFAULT_LIMITS.max_elements
    assert bounds.attributes is not None and bounds.attributes <= DEFAULT_LIMITS.max_ids
    longer = packet.replace(b"<GVCN/>", b"<GVCN>" + b"x" * 20_000 + b"</GVCN>")
    assert _ByteBounds.of(longer).attributes is None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_document())
def test_signature_bound_and_element_attribute_counts_are_exact(data: bytes) -> None:
    """The signature bound is at least the tree's count (and is not taken on bytes not read
    as UTF-8); the attribute counts over elements (``//*/@…``) are the former counts over
    every node (``//@…``), since only elements carry attributes."""
    try:
        root = _parse(data, DEFAULT_LIMITS, walk=False)
    except HocBaSoError:
        return
    signatures = _ByteBounds.of(data).signatures
    if signatures is not None:
        assert signatures >= root.xpath("count(//ds:Signature)", namespaces={"ds": DS_NS})
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data:
        assert signatures is None
    assert _COUNT_ATTRIBUTES(root) == root.xpath("count(//@*)")
    assert _COUNT_IDS(root) == root.xpath("count(//@Id)")
    for n in range(7):
        assert _nth_attribute_exists(n)(root) == root.xpath(f"boolean(//@*[{n}])")
