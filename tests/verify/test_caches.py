"""Process-wide caches (docs/scale.md, "Caches"): bounded, keyed by exact bytes, safe under
threads, and never able to turn a failing verification into a passing one."""

from __future__ import annotations

import datetime as _dt
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


# -- step 5 for distinct signing times: time-independent facts cached, times judged per call --

_US = _dt.timedelta(microseconds=1)


def _verified_signatures(data: bytes) -> list[Any]:
    """The verified signatures of a packet, as ``verify`` hands them to step 5."""
    from hocbaso.packet import parse_xml
    from hocbaso.signature import C14nMethod
    from hocbaso.signature._internal import record_binding_in
    from hocbaso.verify._signatures import CanonCache, check_signature
    from hocbaso.verify._structure import check_structure

    root = parse_xml(data)
    canon = CanonCache()
    structure = check_structure(root, STRICT, lambda el: canon.get(el, C14nMethod.C14N_10, []))
    binding = record_binding_in(root)
    for ps in structure.signatures:
        check_signature(ps, STRICT, canon, binding)
    return [ps for ps in structure.signatures if ps.verified]


def _boundaries(ps: Any, crls: list[x509.CertificateRevocationList]) -> list[Any]:
    """Every instant at which step 5's answer for ``ps`` can change with the signing time:
    each certificate's notBefore and notAfter, and each revocation date listing one of them."""
    certs = [ps.leaf, *ps.intermediates]
    out = [t for c in certs for t in (c.not_valid_before_utc, c.not_valid_after_utc)]
    for crl in crls:
        for c in certs:
            entry = crl.get_revoked_certificate_by_serial_number(c.serial_number)
            if entry is not None:
                out.append(entry.revocation_date_utc)
    return out


_COUNTER = [70_000]


def _step5(ps: Any, store: TrustStore, crls: CrlSet, policy: Any, at: Any) -> Any:
    from hocbaso.verify._certificates import micros
    from hocbaso.verify._verify import _check_certificate

    return list(_check_certificate(ps, store, crls, policy, at, micros(at)))


def _fresh_store(pki: TestPKI) -> TrustStore:
    _COUNTER[0] += 1  # a runtime (path cache, remembered facts) nothing else has used
    return TrustStore([pki.root], max_cache=_COUNTER[0])


_NEAR = st.one_of(
    st.sampled_from([-1, 0, 1, -1_000_000, 1_000_000]),
    st.integers(min_value=-3 * 86_400 * 10**6, max_value=3 * 86_400 * 10**6),
)


@settings(max_examples=60)
@given(data=st.data())
def test_step5_at_any_signing_time_after_a_warm_cache_equals_a_cold_store(
    data: st.DataObject,
    corpus: dict[str, Any],
    pki: TestPKI,
    crl: x509.CertificateRevocationList,
) -> None:
    """Step 5 remembers only what does not depend on a time (the chain, the leaf's own
    findings, the CRLs' signatures and listed serials) by exact bytes. Warm it at the genuine
    signing time, then ask again at random times around every validity and revocation
    boundary (and verification times around the CRLs' nextUpdate): each answer equals the
    answer of a store that never saw the certificate."""
    import dataclasses

    from hocbaso.verify import VerificationPolicy

    name = data.draw(
        st.sampled_from(("genuine", "certificate_revoked", "revoked_key_compromise_backdated"))
    )
    signatures = _verified_signatures(corpus[name].data)
    ps = data.draw(st.sampled_from(signatures))
    which = data.draw(st.sampled_from(["crl", "stale", "none"]))
    listed = {"crl": [crl], "stale": [pki.stale_crl()], "none": []}[which]
    policy = VerificationPolicy(
        require_crl=data.draw(st.booleans()), trust_signing_time=data.draw(st.booleans())
    )
    warm = _fresh_store(pki)
    crls = CrlSet(listed)
    _step5(ps, warm, crls, policy, AT)  # warm at the signed time: facts and path cached
    bound = data.draw(st.sampled_from(_boundaries(ps, [crl, pki.stale_crl()])))
    offset = _dt.timezone(_dt.timedelta(hours=data.draw(st.sampled_from([0, 7, -14]))))
    when = (bound + data.draw(_NEAR) * _US).astimezone(offset)
    at_bound = data.draw(
        st.sampled_from([AT, *(c.next_update_utc for c in listed if c.next_update_utc)])
    )
    at = max(when, at_bound + data.draw(_NEAR) * _US).astimezone(_dt.UTC)
    moved = dataclasses.replace(ps, signing_time=when)
    got = _step5(moved, warm, CrlSet(listed), policy, at)
    want = _step5(moved, _fresh_store(pki), CrlSet([c.public_bytes(Encoding.DER) for c in listed]),
                  policy, at)
    assert got == want
    window = [ps.leaf, *ps.intermediates]
    if any(not c.not_valid_before_utc <= when <= c.not_valid_after_utc for c in window):
        assert any(r.status.value == "FAIL" for r in got)  # never a pass outside validity


def test_warm_step5_still_fails_just_outside_validity_and_after_revocation(
    corpus: dict[str, Any], pki: TestPKI, crl: x509.CertificateRevocationList
) -> None:
    """The same certificate, cached after a success at a valid time, asked one microsecond
    past its notAfter, one before its notBefore, and at its revocation date: FAIL each time."""
    import dataclasses

    warm = _fresh_store(pki)
    crls = CrlSet([crl])
    genuine = _verified_signatures(corpus["genuine"].data)[0]
    first = _step5(genuine, warm, crls, STRICT, AT)
    assert [r.code for r in first] == ["CERTIFICATE.OK"]
    leaf = genuine.leaf
    for when, code in (
        (leaf.not_valid_after_utc + _US, "CERTIFICATE.EXPIRED"),
        (leaf.not_valid_before_utc - _US, "CERTIFICATE.NOT_YET_VALID"),
    ):
        at = max(AT, when)
        got = _step5(dataclasses.replace(genuine, signing_time=when), warm, crls, STRICT, at)
        assert [(r.code, r.status.value) for r in got] == [(code, "FAIL")]
    hits = warm.cache_hits
    inside = leaf.not_valid_after_utc  # the last valid instant: still valid, from the cache
    got = _step5(dataclasses.replace(genuine, signing_time=inside), warm, crls, STRICT, inside)
    assert warm.cache_hits > hits and "CERTIFICATE.OK" in [r.code for r in got]

    revoked = next(
        ps for ps in _verified_signatures(corpus["certificate_revoked"].data)
        if crl.get_revoked_certificate_by_serial_number(ps.leaf.serial_number) is not None
    )
    entry = crl.get_revoked_certificate_by_serial_number(revoked.leaf.serial_number)
    assert entry is not None
    before = entry.revocation_date_utc - _dt.timedelta(days=1)
    trusting = dataclasses.replace(STRICT, trust_signing_time=True)
    ok = _step5(dataclasses.replace(revoked, signing_time=before), warm, crls, trusting, AT)
    assert "CERTIFICATE.OK" in [r.code for r in ok]  # cached: signed before the revocation
    for when in (entry.revocation_date_utc, entry.revocation_date_utc + _US):
        got = _step5(dataclasses.replace(revoked, signing_time=when), warm, crls, trusting, AT)
        assert ("CERTIFICATE.REVOKED", "FAIL") in [(r.code, r.status.value) for r in got]


def _status_reference(
    crls: list[x509.CertificateRevocationList],
    cert: x509.Certificate,
    issuer: x509.Certificate,
    at: Any,
    now: Any,
    trust_signing_time: bool,
) -> tuple[str | None, bool, bool, bool]:
    """The revocation rule as it read before the integer fast path: datetimes, each CRL's
    signature and entry looked up on every call."""
    from hocbaso.verify._crl import COMPROMISE_REASONS, _reason, _verify_crl_signature

    covered = invalid = stale = False
    later = None
    for crl in crls:
        if crl.issuer != cert.issuer:
            continue
        if not _verify_crl_signature(crl, issuer):
            invalid = True
            continue
        nu = crl.next_update_utc
        if now is None or (nu is not None and now <= nu):
            covered = True
        else:
            stale = True
        entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
        if entry is None:
            continue
        if entry.revocation_date_utc <= at:
            return "CERTIFICATE.REVOKED", covered, invalid, stale and not covered
        if _reason(entry) in COMPROMISE_REASONS and not trust_signing_time:
            later = "CERTIFICATE.REVOKED_TIME_UNPROVEN"
    return later, covered, invalid, stale and not covered


@settings(max_examples=80)
@given(data=st.data())
def test_crl_status_from_cached_facts_equals_the_datetime_rule(
    data: st.DataObject, pki: TestPKI, crl: x509.CertificateRevocationList
) -> None:
    """``CrlSet.status`` judges integer times against facts it computed once; on random
    signing and verification times around every revocation date and nextUpdate, with CRL sets
    in any order (a stale and a current CRL, a CRL signed by another key), one warm set
    answers as the rule on datetimes does."""
    other = pki.make_crl([pki.revoked().certificate], number=9)
    stale = pki.stale_crl()
    pool = [crl, stale, other, mv.corpus_crl(pki, seed=1)]
    listed = data.draw(st.lists(st.sampled_from(pool), min_size=0, max_size=4))
    cset = CrlSet(listed)
    issuer = pki.intermediate
    from hocbaso.testing import tao_hoc_ba

    gvcn = tao_hoc_ba(0).thong_tin_hoc_ba.nguoi_ky.so_ddcn_gvcn
    certs = [
        pki.revoked().certificate,
        pki.revoked(gvcn).certificate,
        pki.personal("001085000201").certificate,
    ]
    bounds = [e.revocation_date_utc for c in pool for e in c]
    bounds += [c.next_update_utc for c in pool if c.next_update_utc is not None]
    for _ in range(4):
        cert = data.draw(st.sampled_from(certs))
        at = data.draw(st.sampled_from(bounds)) + data.draw(_NEAR) * _US
        now = None
        if data.draw(st.booleans()):
            now = data.draw(st.sampled_from(bounds)) + data.draw(_NEAR) * _US
        tst = data.draw(st.booleans())
        got = cset.status(cert, issuer, at, now=now, trust_signing_time=tst)
        want = _status_reference(listed, cert, issuer, at, now, tst)
        assert (got.code, got.covered, got.invalid, got.stale) == want


def test_a_new_signing_time_reuses_every_time_independent_check(
    corpus: dict[str, Any],
    pki: TestPKI,
    crl: x509.CertificateRevocationList,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Distinct records (each signed at its own times, with a CRL set built afresh for each
    call) pay no path building and no CRL signature check after the first signature by the
    same certificates: only the comparisons with the times are made again."""
    import dataclasses

    from hocbaso.verify import _crl as crl_module

    calls = {"path": 0, "crl": 0}
    real_verifier = TrustStore._verifier
    real_crl = crl_module._verify_crl_signature

    def count_path(self: TrustStore, t: Any) -> Any:
        calls["path"] += 1
        return real_verifier(self, t)

    def count_crl(*args: Any) -> bool:
        calls["crl"] += 1
        return real_crl(*args)

    monkeypatch.setattr(TrustStore, "_verifier", count_path)
    monkeypatch.setattr(crl_module, "_verify_crl_signature", count_crl)
    warm = _fresh_store(pki)
    der = crl.public_bytes(Encoding.DER)
    ps = _verified_signatures(corpus["genuine"].data)[0]
    assert [r.code for r in _step5(ps, warm, CrlSet([der]), STRICT, AT)] == ["CERTIFICATE.OK"]
    assert calls["path"] == 1 and calls["crl"] >= 1
    first = dict(calls)
    for days in (3, 40, 200):  # other days, other signing times
        moved = dataclasses.replace(ps, signing_time=ps.signing_time - _dt.timedelta(days=days))
        got = _step5(moved, warm, CrlSet([der]), STRICT, AT)
        assert [r.code for r in got] == ["CERTIFICATE.OK"]
        assert got[0].signing_time == moved.signing_time
    assert calls == first
