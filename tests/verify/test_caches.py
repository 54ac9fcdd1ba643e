"""Process-wide caches (docs/scale.md, "Caches"): bounded, keyed by exact bytes, safe under
threads, and never able to turn a failing verification into a passing one."""

from __future__ import annotations

import pickle
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from cryptography import x509
from hypothesis import given, settings
from hypothesis import strategies as st

from hocbaso.testing.pki import TestPKI
from hocbaso.verify import STRICT, CrlSet, TrustStore, verify
from hocbaso.verify import _many as many_module
from hocbaso.verify._many import _Settings

from .conftest import mv

AT = mv.VERIFY_AT
# Each shares certificates with the genuine record; only the CRL or the bytes differ.
CASES = ("genuine", "tampered_score", "certificate_revoked", "genuine_other_record")


_COLD: dict[tuple[str, bool], Any] = {}


def _cold(pki: TestPKI, size: int) -> TrustStore:
    """A trust store whose path cache no other test shares (the runtime is per max_cache)."""
    return TrustStore([pki.root], max_cache=size)


def test_tampered_copy_after_a_cached_success_still_fails(
    corpus: dict[str, Any], pki: TestPKI
) -> None:
    trust = _cold(pki, 101)
    assert verify(corpus["genuine"].data, trust, at=AT).ok
    assert trust.cache_misses > 0
    hits = trust.cache_hits
    tampered = verify(corpus["tampered_score"].data, trust, at=AT)
    assert trust.cache_hits > hits  # the same certificates: the cached paths were used
    assert not tampered.ok and "SIGNATURE.DIGEST_MISMATCH" in tampered.failed_codes


def test_revoked_by_crl_after_a_cached_success_fails(
    corpus: dict[str, Any], pki: TestPKI, crl: x509.CertificateRevocationList
) -> None:
    trust = _cold(pki, 102)
    data = corpus["certificate_revoked"].data
    # Without the CRL revocation cannot be checked: it passes, and its path is cached.
    assert verify(data, trust, at=AT).ok
    hits = trust.cache_hits
    later = verify(data, trust, at=AT, crls=CrlSet([crl]))
    assert trust.cache_hits > hits
    assert not later.ok and "CERTIFICATE.REVOKED" in later.failed_codes


@settings(max_examples=15)
@given(order=st.lists(st.tuples(st.sampled_from(CASES), st.booleans()), min_size=1, max_size=6))
def test_a_warm_cache_gives_the_cold_answer(
    order: list[tuple[str, bool]],
    corpus: dict[str, Any],
    pki: TestPKI,
    crl: x509.CertificateRevocationList,
) -> None:
    """Any sequence of verifications on one tiny, constantly evicted cache reports exactly
    what a cold store reports for each packet on its own."""
    warm = _cold(pki, 2)
    crls = CrlSet([crl])
    for name, with_crl in order:
        got = verify(corpus[name].data, warm, at=AT, crls=crls if with_crl else ())
        key = (name, with_crl)
        if key not in _COLD:  # computed once, on a store nothing else ever used
            _COLD[key] = verify(corpus[name].data, _cold(pki, 10_000 + len(_COLD)), at=AT,
                                crls=crls if with_crl else ()).steps
        assert got.steps == _COLD[key]


def test_path_cache_is_bounded_and_thread_safe(corpus: dict[str, Any], pki: TestPKI) -> None:
    trust = _cold(pki, 3)
    items = [corpus[n].data for n in CASES] * 6
    want = [verify(x, _cold(pki, 20_001), at=AT).steps for x in items]
    with ThreadPoolExecutor(max_workers=6) as pool:
        got = list(pool.map(lambda x: verify(x, trust, at=AT).steps, items))
    assert got == want
    assert len(trust._rt.cache) <= 3


def test_batch_settings_cache_is_bounded_and_keyed_by_exact_bytes(trust: TrustStore) -> None:
    import datetime as dt

    decoded = []
    for days in range(3 * many_module._MAX_DECODED):
        s = _Settings((trust, AT - dt.timedelta(days=days), CrlSet(), (), (), STRICT))
        decoded.append(pickle.loads(pickle.dumps(s)).args)
        assert len(many_module._DECODED) <= many_module._MAX_DECODED
    assert [a[1] for a in decoded] == [AT - dt.timedelta(days=d) for d in range(len(decoded))]
