"""The verifier's caches change speed, never results (hypothesis), and none is keyed by ``id()``.

An ``id()`` is only unique among objects alive at the same time: a cache keyed by it can hand one
object's results to another that reused the address. Every cache here is keyed by the value it
stands for (exact bytes, a certificate — which hashes and compares by its DER — or an element
proxy the cache keeps alive) and bounded.
"""

from __future__ import annotations

import ast
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from hocbaso.packet import parse_xml
from hocbaso.signature import C14nMethod, canonicalize
from hocbaso.signature._internal import certificate_identity
from hocbaso.testing.pki import TestPKI
from hocbaso.verify import _certificates as certs
from hocbaso.verify._signatures import CanonCache

SRC = Path(__file__).resolve().parents[2] / "src" / "hocbaso"


def test_no_cache_is_keyed_by_object_identity() -> None:
    calls = [
        f"{p.relative_to(SRC)}:{node.lineno}"
        for p in sorted(SRC.rglob("*.py"))
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "id"
    ]
    assert calls == []


@settings(max_examples=30, deadline=None)
@given(
    pick=st.lists(st.integers(min_value=0), min_size=1, max_size=6),
    method=st.sampled_from([C14nMethod.C14N_10, C14nMethod.C14N_11, C14nMethod.EXC_C14N]),
)
def test_canonical_bytes_cache_equals_canonicalising(
    genuine: bytes, pick: list[int], method: C14nMethod
) -> None:
    root = parse_xml(genuine)
    elements = list(root.iter(etree.Element))
    cache = CanonCache()
    for n in pick + pick:  # every element asked twice: the second answer comes from the cache
        el = elements[n % len(elements)]
        assert cache.get(el, method, []) == canonicalize(el, method)


def test_certificate_memo_equals_computing(pki: TestPKI) -> None:
    import hashlib

    from cryptography.hazmat.primitives.serialization import Encoding

    everyone = [pki.school(), pki.personal("001085000201"), pki.expired(), pki.weak_rsa()]
    for ident in everyone:
        c = ident.certificate
        for _ in range(2):
            assert certs.identity_of(c) == certificate_identity(c)
            assert certs.fingerprint(c) == hashlib.sha256(c.public_bytes(Encoding.DER)).hexdigest()
            assert certs.names(c) == (c.subject.public_bytes(), c.issuer.public_bytes())
        # a second object for the same DER shares the entry; it stands for the same bytes
        again = certs.load_certificate(c.public_bytes(Encoding.DER))
        assert certs.identity_of(again) == certs.identity_of(c)


def test_certificate_caches_are_bounded(pki: TestPKI) -> None:
    before = certs._MAX_CACHE
    try:
        certs._MAX_CACHE = 3
        certs._DERIVED.clear()
        for cccd in ("001085000201", "001075000301", "001080000401", "001080000501"):
            certs.fingerprint(pki.personal(cccd).certificate)
        assert len(certs._DERIVED) <= 3
    finally:
        certs._MAX_CACHE = before
