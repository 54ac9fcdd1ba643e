"""Hostile XML is refused by the one parser with a typed error, before it can cost much."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from lxml import etree

from hocbaso.errors import ParseError
from hocbaso.packet import DEFAULT_LIMITS, ParseLimits, _parser, from_xml, parse_xml, to_xml
from hocbaso.testing import tao_hoc_ba

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE HOC_BA [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<HOC_BA>&xxe;</HOC_BA>"""
XXE_NETWORK = b"""<?xml version="1.0"?>
<!DOCTYPE HOC_BA SYSTEM "http://127.0.0.1:9/evil.dtd"><HOC_BA/>"""
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">]>
<lolz>&lol9;</lolz>"""
PLAIN_DTD = b"""<?xml version="1.0"?><!DOCTYPE HOC_BA><HOC_BA/>"""
UNDECLARED_ENTITY = b"""<HOC_BA>&undeclared;</HOC_BA>"""


@pytest.fixture
def parser_must_not_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves a refusal happened before libxml2 saw the input (no cost, no expansion)."""

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("the parser was reached")

    monkeypatch.setattr(_parser.etree, "fromstring", boom)


@pytest.mark.parametrize(
    "payload",
    [XXE, XXE_NETWORK, BILLION_LAUGHS, PLAIN_DTD],
    ids=["xxe", "external-dtd", "billion-laughs", "dtd"],
)
def test_dtd_and_entities_refused_before_parsing(payload: bytes, parser_must_not_run: None) -> None:
    with pytest.raises(ParseError) as info:
        parse_xml(payload)
    assert info.value.code == "PARSE.DTD"


def test_oversized_refused_before_parsing(parser_must_not_run: None) -> None:
    big = b"<HOC_BA>" + b"x" * (5 * 1024 * 1024) + b"</HOC_BA>"
    with pytest.raises(ParseError) as info:
        parse_xml(big)
    assert info.value.code == "PARSE.TOO_LARGE"


def test_limits_are_configurable(parser_must_not_run: None) -> None:
    with pytest.raises(ParseError) as info:
        parse_xml(to_xml(tao_hoc_ba(1)), limits=ParseLimits(max_bytes=1000))
    assert info.value.code == "PARSE.TOO_LARGE"


@pytest.mark.parametrize("depth", [33, 300, 100_000])
def test_deep_nesting_refused(depth: int) -> None:
    payload = b"<a>" * depth + b"</a>" * depth
    with pytest.raises(ParseError) as info:
        parse_xml(payload)
    assert info.value.code == "PARSE.TOO_DEEP"


def test_nesting_at_the_limit_is_accepted() -> None:
    assert parse_xml(b"<a>" * 32 + b"</a>" * 32).tag == "a"


def test_too_many_elements_refused() -> None:
    payload = b"<a>" + b"<b/>" * 30_000 + b"</a>"
    with pytest.raises(ParseError) as info:
        parse_xml(payload)
    assert info.value.code == "PARSE.TOO_MANY_ELEMENTS"


def test_undeclared_entity_is_malformed() -> None:
    with pytest.raises(ParseError) as info:
        parse_xml(UNDECLARED_ENTITY)
    assert info.value.code == "PARSE.MALFORMED"


def test_malformed_and_non_utf8_refused() -> None:
    with pytest.raises(ParseError) as info:
        parse_xml(b"<HOC_BA><A></HOC_BA>")
    assert info.value.code == "PARSE.MALFORMED"
    utf16 = '<?xml version="1.0" encoding="UTF-16"?><HOC_BA/>'.encode("utf-16")
    with pytest.raises(ParseError) as info:
        parse_xml(utf16)
    assert info.value.code == "PARSE.ENCODING"


def test_from_xml_uses_the_gate() -> None:
    with pytest.raises(ParseError):
        from_xml(XXE)


def test_parse_errors_are_bilingual_and_typed() -> None:
    with pytest.raises(ParseError) as info:
        parse_xml(PLAIN_DTD)
    assert isinstance(info.value, ValueError)
    assert info.value.message_vi != info.value.message_en
    assert "DTD" in str(info.value)


def test_parser_never_resolves_entities_even_if_reached() -> None:
    # Defence in depth: the parser configuration itself refuses to expand or fetch.
    parser = _parser._parser()
    root = etree.fromstring(b"<r>x</r>", parser)
    assert root.text == "x"
    assert parser.resolvers is not None


# -- resource limits: each flood refused under its own code ------------------------------------

DS = 'xmlns:ds="http://www.w3.org/2000/09/xmldsig#"'


def _ns_on_one(n: int) -> bytes:
    decls = "".join(f' xmlns:p{i}="urn:x:{i}"' for i in range(n))
    return f"<HOC_BA{decls}/>".encode()


def _ns_spread(n: int) -> bytes:
    # one declaration on each of n sibling elements
    return (
        "<HOC_BA>" + "".join(f'<X xmlns:p="urn:x:{i}"/>' for i in range(n)) + "</HOC_BA>"
    ).encode()


def _attrs_on_one(n: int) -> bytes:
    return ("<HOC_BA" + "".join(f' a{i}="x"' for i in range(n)) + "/>").encode()


def _attrs_spread(n: int) -> bytes:
    return ("<HOC_BA>" + '<X a="x"/>' * n + "</HOC_BA>").encode()


def _signatures(n: int) -> bytes:
    return (f"<HOC_BA {DS}>" + "<ds:Signature/>" * n + "</HOC_BA>").encode()


def _ids(n: int) -> bytes:
    return ("<HOC_BA>" + "".join(f'<X Id="i{i}"/>' for i in range(n)) + "</HOC_BA>").encode()


LIMIT_CASES = [
    ("max_namespaces_per_element", _ns_on_one, "PARSE.TOO_MANY_NAMESPACES_PER_ELEMENT"),
    ("max_namespaces", _ns_spread, "PARSE.TOO_MANY_NAMESPACES"),
    ("max_attributes_per_element", _attrs_on_one, "PARSE.TOO_MANY_ATTRIBUTES_PER_ELEMENT"),
    ("max_attributes", _attrs_spread, "PARSE.TOO_MANY_ATTRIBUTES"),
    ("max_signatures", _signatures, "PARSE.TOO_MANY_SIGNATURES"),
    ("max_ids", _ids, "PARSE.TOO_MANY_IDS"),
]


@pytest.mark.parametrize(("field", "build", "code"), LIMIT_CASES, ids=[c[0] for c in LIMIT_CASES])
def test_each_count_limit_accepts_at_and_refuses_over(
    field: str, build: Callable[[int], bytes], code: str
) -> None:
    limit = getattr(DEFAULT_LIMITS, field)
    assert parse_xml(build(limit)).tag == "HOC_BA"
    with pytest.raises(ParseError) as info:
        parse_xml(build(limit + 1))
    assert info.value.code == code
    assert info.value.message_vi and info.value.message_en
    assert info.value.message_vi != info.value.message_en


@pytest.mark.parametrize(("field", "build", "code"), LIMIT_CASES, ids=[c[0] for c in LIMIT_CASES])
def test_count_limits_are_configurable(
    field: str, build: Callable[[int], bytes], code: str
) -> None:
    limits = dataclasses.replace(DEFAULT_LIMITS, **{field: 3})
    parse_xml(build(3), limits=limits)
    with pytest.raises(ParseError) as info:
        parse_xml(build(4), limits=limits)
    assert info.value.code == code


def test_namespace_flood_refused_before_parsing(parser_must_not_run: None) -> None:
    with pytest.raises(ParseError) as info:
        parse_xml(_ns_on_one(4_000))
    assert info.value.code == "PARSE.TOO_MANY_NAMESPACES_PER_ELEMENT"


def test_namespace_count_is_per_start_tag() -> None:
    # 16 declarations on each of two nested elements: each element is at the limit.
    inner = "".join(f' xmlns:q{i}="urn:q:{i}"' for i in range(16))
    outer = "".join(f' xmlns:p{i}="urn:p:{i}"' for i in range(16))
    assert parse_xml(f"<A{outer}><B{inner}/></A>".encode()).tag == "A"


def test_the_flood_sizes_first_reported_are_refused() -> None:
    cases = {
        "PARSE.TOO_MANY_NAMESPACES_PER_ELEMENT": _ns_on_one(8_000),
        "PARSE.TOO_MANY_ATTRIBUTES_PER_ELEMENT": _attrs_on_one(256_000),
        "PARSE.TOO_MANY_SIGNATURES": _signatures(16_000),
        "PARSE.TOO_MANY_IDS": _ids(16_000),
    }
    for code, payload in cases.items():
        with pytest.raises(ParseError) as info:
            parse_xml(payload)
        assert info.value.code == code
