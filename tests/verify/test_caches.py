"""Process-wide caches (docs/scale.md, "Caches"): bounded, keyed by exact bytes, safe under
threads, and never able to turn a failing verification into a passing one."""

from __future__ import annotations

import pickle
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
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


_FINDINGS_COLD: dict[tuple[str, str, int, bool, bool], Any] = {}


@settings(max_examples=40)
@given(
    order=st.lists(
        st.tuples(
            st.sampled_from(("genuine", "revoked_key_compromise_backdated")),
            st.sampled_from(["none", "crl", "crl_copy", "other_crl", "stale"]),
            st.sampled_from([0, -25]),
            st.booleans(),
            st.booleans(),
        ),
        min_size=2,
        max_size=6,
    ),
    size=st.sampled_from([2, 4096]),
)
def test_remembered_certificate_findings_give_the_cold_answer(
    order: list[tuple[str, str, int, bool, bool]],
    size: int,
    corpus: dict[str, Any],
    pki: TestPKI,
    crl: x509.CertificateRevocationList,
) -> None:
    """Step 5's findings are remembered per (anchors, CRLs' digests, certificates' DER,
    signing time, verification time, policy switches). Whatever ran before on a warm store
    (tiny and constantly evicted, or large and keeping everything), each verification
    reports what a cold store reports: another CRL set (or none), another clock (a CRL fresh
    then, stale now), another policy never reuses a finding."""
    import datetime as dt

    from hocbaso.verify import VerificationPolicy

    other = mv.corpus_crl(pki, seed=1)
    stale = pki.stale_crl()
    sets = {
        "none": lambda: (),
        "crl": lambda: CrlSet([crl]),
        "crl_copy": lambda: CrlSet([crl.public_bytes(Encoding.DER)]),  # same bytes, new object
        "other_crl": lambda: CrlSet([other]),
        # nextUpdate 2025-05-01: fresh 25 days before AT, stale at AT.
        "stale": lambda: CrlSet([stale]),
    }
    warm = TrustStore([pki.root], max_cache=size)
    warm._rt.findings.clear()
    for name, which, days, require_crl, trust_time in order:
        at = AT + dt.timedelta(days=days)
        policy = VerificationPolicy(require_crl=require_crl, trust_signing_time=trust_time)
        got = verify(corpus[name].data, warm, at=at, crls=sets[which](), policy=policy)
        key = (name, "crl" if which == "crl_copy" else which, days, require_crl, trust_time)
        if key not in _FINDINGS_COLD:
            cold = _cold(pki, 30_000 + len(_FINDINGS_COLD))
            _FINDINGS_COLD[key] = verify(
                corpus[name].data, cold, at=at, crls=sets[which](), policy=policy
            ).steps
        assert got.steps == _FINDINGS_COLD[key]
    assert len(warm._rt.findings) <= size


def test_remembered_findings_are_used_and_bounded(
    corpus: dict[str, Any], pki: TestPKI, crl: x509.CertificateRevocationList
) -> None:
    trust = _cold(pki, 40)
    data = corpus["genuine"].data
    first = verify(data, trust, at=AT, crls=CrlSet([crl]))
    hits = trust.cache_hits
    again = verify(data, trust, at=AT, crls=CrlSet([crl.public_bytes(Encoding.DER)]))
    assert again.steps == first.steps
    assert trust.cache_hits >= hits + 15  # one remembered finding per signature
    assert 0 < len(trust._rt.findings) <= 40


@pytest.mark.parametrize(
    ("name", "first", "then"),
    [
        # (crls, days after AT, require_crl, trust_signing_time) before and after
        ("genuine", ("stale", -25, False, False), ("stale", 0, False, False)),  # the clock
        ("genuine", ("crl", 0, False, False), ("stale", 0, False, False)),  # the CRLs
        ("genuine", ("none", 0, False, False), ("none", 0, True, False)),  # require_crl
        (
            "revoked_key_compromise_backdated",
            ("crl", 0, False, True),
            ("crl", 0, False, False),
        ),  # trust_signing_time
    ],
)
def test_each_input_of_a_remembered_finding_is_part_of_its_key(
    name: str,
    first: tuple[str, int, bool, bool],
    then: tuple[str, int, bool, bool],
    corpus: dict[str, Any],
    pki: TestPKI,
    crl: x509.CertificateRevocationList,
) -> None:
    """Two verifications of one record that differ in one input step 5 depends on: the second,
    on a warm store, reports what it reports on a cold one, and that differs from the first."""
    import datetime as dt

    from hocbaso.verify import VerificationPolicy

    sets = {"none": (), "crl": [crl], "stale": [pki.stale_crl()]}

    def run(store: TrustStore, args: tuple[str, int, bool, bool]) -> Any:
        which, days, require_crl, trust_time = args
        policy = VerificationPolicy(require_crl=require_crl, trust_signing_time=trust_time)
        return verify(
            corpus[name].data,
            store,
            at=AT + dt.timedelta(days=days),
            crls=CrlSet(sets[which]),
            policy=policy,
        ).steps

    warm = TrustStore([pki.root], max_cache=4096)
    before = run(warm, first)
    after = run(warm, then)
    cold = run(_cold(pki, 40_000 + len(name) + first[1] + 7 * then[1]), then)
    certificate_steps = [s for s in cold if s.code.startswith("CERTIFICATE.")]
    assert after == cold
    assert certificate_steps != [s for s in before if s.code.startswith("CERTIFICATE.")]


def test_remembered_results_are_keyed_by_the_signed_identity_and_the_time_as_signed(
    corpus: dict[str, Any], pki: TestPKI, crl: x509.CertificateRevocationList
) -> None:
    """Step 5's results are remembered with the text the identity is checked against: the same
    certificate, slot and signing time over another signed personal ID is a mismatch after a
    cached success; and the same instant written with another UTC offset shows as signed."""
    import datetime as dt

    from lxml import etree

    from hocbaso.testing import tao_hoc_ba

    hb = tao_hoc_ba(0)
    nk = hb.thong_tin_hoc_ba.nguoi_ky
    genuine = corpus["genuine"].data
    root = etree.fromstring(genuine)
    ident = next(root.iter("SO_DDCN_GVCN"))
    ident.text = "001085009999" if ident.text != "001085009999" else "001085009998"
    who = {
        "GVCN": pki.personal(nk.so_ddcn_gvcn),
        "CBQL": pki.personal(nk.so_ddcn_giam_hieu),
        "KY_PHAT_HANH": pki.school(),
    }
    for slot, person in who.items():  # GVCN first, then the roles covering its element
        mv._resign(root, mv._sig(root, slot), person)
    other_id = etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    # The same GVCN signing time written in UTC instead of +07:00, everything re-signed.
    root = etree.fromstring(genuine)
    sig = mv._sig(root, "GVCN")
    mv._set_time(sig, mv._signing_time(sig).astimezone(dt.UTC))
    for slot, person in who.items():
        mv._resign(root, mv._sig(root, slot), person)
    utc = etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    warm = TrustStore([pki.root], max_cache=4096)
    assert verify(genuine, warm, at=AT, crls=CrlSet([crl])).ok
    mismatch = verify(other_id, warm, at=AT, crls=CrlSet([crl]))
    cold = verify(other_id, _cold(pki, 50_001), at=AT, crls=CrlSet([crl]))
    assert mismatch.steps == cold.steps
    assert "CERTIFICATE.IDENTITY_MISMATCH" in mismatch.failed_codes
    shown = verify(utc, warm, at=AT, crls=CrlSet([crl]))
    assert shown.ok
    gvcn = [s for s in shown.steps if s.code == "CERTIFICATE.OK" and s.role == "GVCN"]
    assert gvcn and gvcn[0].signing_time is not None
    assert gvcn[0].signing_time.utcoffset() == dt.timedelta(0)
