"""Steps 4, 5 and 6 on their short paths give exactly the reports of the code they replaced
(docs/verification.md §7).

The former ``check_signature`` (with the former ``verify_value``), ``_check_certificate``
(with the former ``_signed_text``) and ``_check_order`` are kept here verbatim as references.
The whole verifier runs twice, as shipped and with those three swapped back, on every vector
of the attack corpus under several policies, CRL sets and verification times, and on
randomly mutated packets (hypothesis); the reports must be equal field for field. Step 6 is
also compared directly on random signature sets, and the new per-certificate and per-run
memos are shown unable to turn a failing verification into a passing one.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import pickle
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from hocbaso.errors import AlgorithmError
from hocbaso.packet._internal import VaiTroKy
from hocbaso.packet._internal import layout as L
from hocbaso.signature import HocBaKy, SignatureMethod
from hocbaso.signature import _keys as keys
from hocbaso.signature._internal import (
    DSIG_NS,
    HolderKind,
    algorithm_problems,
    leaf_string_value,
    matches_record_id,
    record_binding_of,
    signing_time_of,
)
from hocbaso.signature._keys import _METHOD_PARTS, _ec_size
from hocbaso.testing.pki import TestPKI
from hocbaso.verify import STRICT, CrlSet, TrustStore, VerificationPolicy, verify
from hocbaso.verify import _signatures as signatures
from hocbaso.verify import _verify as verifier
from hocbaso.verify._certificates import der_of, micros, signer_summary
from hocbaso.verify._codes import Status, Step
from hocbaso.verify._policy import LEGACY
from hocbaso.verify._report import StepResult, make_step_result
from hocbaso.verify._signatures import (
    _C14N,
    _HASH_NAME,
    _SIGNATURE,
    CanonCache,
    _c14n_code,
    _usable_key,
)
from hocbaso.verify._structure import ParsedSignature
from hocbaso.verify._verify import (
    _ID_PATH,
    _MA_TRUONG,
    _certificate_findings,
    _check_issuer,
    _judge,
    _SignerFacts,
)

from .conftest import mv
from .test_fast_paths import OPS, _facts, _mutate
from .test_vectors import ENTRIES, POLICIES, _data

_D = f"{{{DSIG_NS}}}"


# -- the references: the code the short paths replaced, verbatim ----------------------------


def ref_verify_value(
    cert: x509.Certificate, method: SignatureMethod, value: bytes, data: bytes
) -> bool:
    """The signing core's check for SHA-2 methods; RSA-SHA1 only reaches here under a legacy
    policy (``algorithm_problems`` refuses it otherwise)."""
    if method is not SignatureMethod.RSA_SHA1:
        return ref_sha2_verify_value(cert, method, value, data)
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        return False
    try:
        key.verify(value, data, padding.PKCS1v15(), hashes.SHA1())
    except InvalidSignature:
        return False
    return True


def ref_sha2_verify_value(
    certificate: x509.Certificate, method: SignatureMethod, value: bytes, data: bytes
) -> bool:
    """Whether ``value`` (XMLDSig form) is ``certificate``'s signature of ``data``.

    A certificate from a packet is hostile input: a key of an unknown algorithm, or an RSA key
    that ``cryptography`` refuses to load (e = 1, e = 2), verifies nothing, so it is a plain
    ``False``, never an exception.
    """
    try:
        key = certificate.public_key()
    except (UnsupportedAlgorithm, ValueError):
        return False
    hash_cls, family = _METHOD_PARTS[method]
    if hash_cls is None:
        return False
    try:
        if isinstance(key, rsa.RSAPublicKey) and family == "RSA_":
            key.verify(value, data, padding.PKCS1v15(), hash_cls())
            return True
        if isinstance(key, ec.EllipticCurvePublicKey) and family == "ECDSA_":
            size = _ec_size(key)
            if len(value) != 2 * size:
                return False
            der = encode_dss_signature(
                int.from_bytes(value[:size], "big"), int.from_bytes(value[size:], "big")
            )
            key.verify(der, data, ec.ECDSA(hash_cls()))
            return True
    except (InvalidSignature, ValueError):
        return False
    return False


def ref_check_signature(
    ps: ParsedSignature,
    policy: VerificationPolicy,
    canon: CanonCache,
    record: HocBaKy | None = None,
) -> list[StepResult]:
    """Step 4 for one signature: algorithms, digests over the canonical form, value, and the
    record binding: the signed ``HocBaKy`` must name ``record`` (the identifier and version
    the packet's data names; None when it names none, which nothing matches)."""
    results: list[StepResult] = []
    role = ps.slot.role.value
    who = signer_summary(ps.leaf)

    def res(code: str, status: Status, path: str, detail: str = "") -> StepResult:
        extra = f"({detail})" if detail else ""
        return StepResult.of(
            code, status, role=role, signer=who, path=path, extra_en=extra, extra_vi=extra
        )

    uris = (
        ps.c14n_uri,
        ps.method_uri,
        tuple([(r.transforms[0][0] if len(r.transforms) == 1 else None) for r in ps.references]),
        tuple([r.digest_uri for r in ps.references]),
        len(ps.references),
    )
    # Memoised per run only for the common shape (one Transform per Reference); the key holds
    # every URI algorithm_problems reads, and the run's policy is fixed.
    cacheable = None not in uris[2]
    problems = canon.judged.get(uris) if cacheable else None
    if problems is None:
        problems = algorithm_problems(
            ps,
            c14n_methods=policy.c14n_methods,
            digest_methods=policy.digest_methods,
            signature_methods=policy.signature_methods,
            legacy_digest_methods=policy.legacy_digest_methods,
            legacy_signature_methods=policy.legacy_signature_methods,
        )
        if cacheable:
            canon.judged[uris] = problems
    for p in problems:
        status = Status.WARN if p.legacy else Status.FAIL
        results.append(res(f"SIGNATURE.{p.kind}", status, ps.path, p.detail))
    if any(not p.legacy for p in problems):
        return results
    ps.legacy = bool(problems)
    if not _usable_key(ps.leaf):
        results.append(res("SIGNATURE.KEY_UNSUPPORTED", Status.FAIL, ps.path))
        return results
    canon_refs: list[bytes] = []
    digest_ok = True
    for r in ps.references:
        method = _C14N[r.transforms[0][0]]
        try:
            data = canon.get(r.target, method, r.transforms[0][1])
        except AlgorithmError as e:
            results.append(
                res(
                    _c14n_code(e, "SIGNATURE.TRANSFORM_REFUSED"),
                    Status.FAIL,
                    ps.reference_path(r),
                    e.code,
                )
            )
            return results
        canon_refs.append(data)
        digest = canon.digest(r.target, method, r.transforms[0][1], _HASH_NAME[r.digest_uri])
        if digest != r.digest_value:
            digest_ok = False
            where = ps.reference_path(r)
            results.append(res("SIGNATURE.DIGEST_MISMATCH", Status.FAIL, where, r.uri))
    try:
        signed_info = canon.get(ps.signed_info, _C14N[ps.c14n_uri], ps.c14n_prefixes)
    except AlgorithmError as e:
        results.append(
            res(_c14n_code(e, "SIGNATURE.ALGORITHM_REFUSED"), Status.FAIL, ps.path, e.code)
        )
        return results
    if not ref_verify_value(ps.leaf, _SIGNATURE[ps.method_uri], ps.value, signed_info):
        results.append(res("SIGNATURE.VALUE_INVALID", Status.FAIL, ps.path))
        return results
    if not digest_ok:
        return results
    facts = ps.object_facts
    bound: HocBaKy | None = None
    if facts is not None:  # the same values, read in one match (verify/_format.py)
        when, bound = facts.signing_time, facts.binding
    else:
        when = signing_time_of(ps.references[1].target, ps.slot.signature_id)
    if when is None:
        results.append(res("SIGNATURE.SIGNING_TIME_INVALID", Status.FAIL, ps.path))
        return results
    if facts is None:
        bound = record_binding_of(ps.references[1].target, ps.slot.signature_id)
    if bound is None:
        results.append(res("SIGNATURE.RECORD_BINDING_MISSING", Status.FAIL, ps.path))
        return results
    if bound != record:
        results.append(res("SIGNATURE.RECORD_BINDING_MISMATCH", Status.FAIL, ps.path))
        return results
    ps.verified = True
    ps.signing_time = when
    ps.signed_target = canon_refs[0]
    results.append(
        StepResult.of(
            "SIGNATURE.OK", Status.PASS, role=role, signer=who, signing_time=when, path=ps.path
        )
    )
    return results


def ref_signed_text(target: etree._Element, path: tuple[str, ...]) -> str | None:
    """String-value of the first element at the child ``path`` inside a digested element (what
    XPath ``string(A/B/C)`` reads: the first such node in document order): the same characters
    its canonical signed bytes carry (comments and PIs are not part of a string-value)."""
    found = ref_first_at(target, path)
    value = leaf_string_value(found).strip() if found is not None else ""
    return value or None


def ref_first_at(el: etree._Element, path: tuple[str, ...]) -> etree._Element | None:
    """The first element at the child ``path`` below ``el`` in document order: a depth-first
    walk over the path's tags, earlier siblings first, without evaluating an XPath."""
    if not path:
        return el
    for child in el.iterchildren(path[0]):
        found = ref_first_at(child, path[1:])
        if found is not None:
            return found
    return None


def ref_check_certificate(
    ps: ParsedSignature,
    trust: TrustStore,
    crls: CrlSet,
    policy: VerificationPolicy,
    at: dt.datetime,
    at_us: int,
) -> Sequence[StepResult]:
    """Step 5 for one verified signature, at its signing time (CRL freshness at ``at``, the
    verification time, ``at_us`` the same as :func:`micros`).

    The time-independent work (path building and its signature checks, the leaf's key usage,
    strength and extended key usage, the CRLs' signatures and revoked-serial lookups) is
    remembered per (CRL set, leaf, intermediates) by exact bytes (:class:`_SignerFacts`); the
    validity windows, revocation dates and CRL freshness are compared with the exact times on
    every call, and who the certificate names is checked against the signed record every
    time."""
    assert ps.signing_time is not None and ps.signed_target is not None
    role = ps.slot.role
    when = ps.signing_time
    registry = policy.issuer_registry
    target = ps.references[0].target
    if role is VaiTroKy.KY_PHAT_HANH:
        text = ref_signed_text(target, _MA_TRUONG) if registry is not None else None
    else:
        text = ref_signed_text(target, _ID_PATH[role])
    leaf = ps.leaf
    key = (
        "signer",
        crls.fingerprint,
        der_of(leaf),
        tuple([der_of(c) for c in ps.intermediates]),
    )
    when_us = micros(when)
    facts: _SignerFacts | None = trust.recall(key)
    if facts is not None and facts.not_before <= when_us <= facts.not_after:
        stop, findings = False, _judge(facts, when_us, at_us, crls, policy)
    else:
        (stop, findings), facts = _certificate_findings(
            leaf, ps.intermediates, when, trust, crls, policy, at
        )
        if facts is not None:
            trust.remember(key, facts)
    path = ps.path
    who = facts.who if facts is not None else signer_summary(leaf)
    rv = role.value

    def res(code: str, status: Status = Status.FAIL, detail: str = "") -> StepResult:
        return StepResult.of(
            code,
            status,
            role=rv,
            signer=who,
            signing_time=when,
            path=path,
            extra_en=detail,
            extra_vi=detail,
        )

    out = [res(code, status, detail) for code, status, detail in findings]
    if stop:
        return out
    assert facts is not None
    ident = facts.identity
    if role is VaiTroKy.KY_PHAT_HANH:
        if ident.holder is not HolderKind.ORGANISATION:
            out.append(res("CERTIFICATE.NOT_ORGANISATION"))
        else:
            out.extend(_check_issuer(ident, policy, text, res))
    elif not matches_record_id(ident, text):
        out.append(res("CERTIFICATE.IDENTITY_MISMATCH"))
    if not any(r.status is Status.FAIL for r in out):
        out.insert(0, res("CERTIFICATE.OK", Status.PASS))
    return out


def ref_check_order(
    signatures: Sequence[ParsedSignature],
    rows: Sequence[str],
    at: dt.datetime,
    policy: VerificationPolicy,
) -> list[StepResult]:
    """Step 6: required roles present (verified), times non-decreasing, issuance last."""
    out: list[StepResult] = []
    good = [p for p in signatures if p.verified and p.signing_time is not None]
    by_role: dict[VaiTroKy, list[ParsedSignature]] = {}
    for p in good:
        by_role.setdefault(p.slot.role, []).append(p)
    signed_rows = {p.slot.mon for p in by_role.get(VaiTroKy.GVBM, [])}
    missing: list[tuple[VaiTroKy, str | None]] = []
    for role in VaiTroKy:
        if role not in policy.required_roles:
            continue
        if role is VaiTroKy.GVBM:
            missing += [(role, mon) for mon in rows if mon not in signed_rows]
        elif role not in by_role:
            missing.append((role, None))
    for role, mon in missing:
        out.append(
            StepResult.of(
                "ORDER.MISSING_ROLE",
                Status.FAIL,
                role=role.value,
                path=L.slot_xpath(role, mon),
                extra_en="(no valid signature in the slot)",
                extra_vi="(không có chữ ký hợp lệ trong ô ký)",
            )
        )

    def t(p: ParsedSignature) -> dt.datetime:
        assert p.signing_time is not None
        return p.signing_time

    def fail(code: str, p: ParsedSignature) -> StepResult:
        """An ``ORDER.*`` failure that names the signature's role, time and place."""
        return StepResult.of(
            code, Status.FAIL, role=p.slot.role.value, signing_time=t(p), path=p.path
        )

    stages = [by_role.get(r, []) for r in VaiTroKy if r is not VaiTroKy.KY_PHAT_HANH]
    latest: ParsedSignature | None = None
    for stage in stages:
        if not stage:
            continue
        if latest is not None:
            for p in stage:
                if t(p) < t(latest):
                    out.append(fail("ORDER.TIME_ORDER", p))
        stage_max = max(stage, key=t)
        if latest is None or t(stage_max) > t(latest):
            latest = stage_max
    for p in by_role.get(VaiTroKy.KY_PHAT_HANH, []):
        if any(t(q) > t(p) for q in good if q is not p):
            out.append(fail("ORDER.ISSUANCE_NOT_LAST", p))
    for p in good:
        # A difference, not ``at + skew``: subtracting two aware times cannot overflow, and a
        # caller's ``at`` may be the last minute of year 9999.
        if t(p) - at > policy.clock_skew:
            out.append(fail("ORDER.FUTURE_SIGNING_TIME", p))
    if not out:
        out.append(StepResult.of("ORDER.OK", Status.PASS))
    return out


# -- whole reports, shipped and with the references swapped in ------------------------------


def _reference_steps(m: pytest.MonkeyPatch) -> None:
    m.setattr(verifier, "check_signature", ref_check_signature)
    m.setattr(verifier, "_check_certificate", ref_check_certificate)
    m.setattr(verifier, "_check_order", ref_check_order)


def _both(
    packet: bytes, trust: TrustStore, monkeypatch: pytest.MonkeyPatch, **kwargs: Any
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The report's facts as shipped, and with the three former steps swapped back."""
    fast = verify(packet, trust, **kwargs)
    with monkeypatch.context() as m:
        _reference_steps(m)
        slow = verify(packet, trust, **kwargs)
    return _facts(fast), _facts(slow)


_EARLY = mv.VERIFY_AT - dt.timedelta(days=3)  # before the signing times: ORDER.FUTURE_*
_LATE = dt.datetime(2031, 1, 1, tzinfo=dt.UTC)  # after the CRL's nextUpdate: stale


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_every_vector_reports_as_before(
    name: str,
    corpus: dict[str, Any],
    genuine: bytes,
    trust: TrustStore,
    crl: x509.CertificateRevocationList,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each vector under its own settings, then without CRLs, requiring CRLs, with a
    registry that does not know the school, and at other verification times."""
    entry = ENTRIES[name]
    data = _data(name, corpus, genuine)
    own = POLICIES[entry["policy"]]
    at = dt.datetime.fromisoformat(entry["at"])
    variants: list[tuple[VerificationPolicy, Sequence[Any], dt.datetime]] = [
        (own, [crl] if entry["crl"] else [], at),
        (own, [], at),
        (dataclasses.replace(own, require_crl=True), [crl], at),
        (dataclasses.replace(own, trust_signing_time=True), [crl], _LATE),
        (dataclasses.replace(own, clock_skew=dt.timedelta(0)), [crl], _EARLY),
        (dataclasses.replace(STRICT, required_roles=frozenset({VaiTroKy.GVCN})), [crl], at),
        (POLICIES["issuer_registry_other"], [crl], at),
        (POLICIES["issuer_registry"], [crl], at),
    ]
    for policy, crls, when in variants:
        fast, slow = _both(data, trust, monkeypatch, at=when, crls=crls, policy=policy)
        assert fast == slow, (name, policy, when)


# Mutations aimed at steps 4-6: signing times moved (out of a certificate's validity, out
# of order, into the future), certificates swapped between signatures (wrong identity, wrong
# key), digest and signature values spoiled, the binding changed.
STEP_OPS = (
    "time_shift",
    "swap_certificates",
    "digest_value",
    "signature_value",
    "binding_value",
    "drop_signature",
)


def _mutate_steps(packet: bytes, steps: list[tuple[str, int, int]]) -> bytes:
    root = etree.fromstring(packet)
    for op, i, n in steps:
        if op == "time_shift":
            times = list(root.iter("{urn:hocbaso:signature-properties}SigningTime"))
            t = times[i % len(times)]
            when = dt.datetime.fromisoformat((t.text or "").strip())
            t.text = (when + dt.timedelta(days=n)).isoformat()
        elif op == "swap_certificates":
            certs = list(root.iter(f"{_D}X509Certificate"))
            a, b = certs[i % len(certs)], certs[n % len(certs)]
            a.text, b.text = b.text, a.text
        elif op in ("digest_value", "signature_value"):
            tag = "DigestValue" if op == "digest_value" else "SignatureValue"
            values = list(root.iter(f"{_D}{tag}"))
            v = values[i % len(values)]
            raw = bytearray(base64.b64decode("".join((v.text or "").split())))
            raw[n % len(raw)] ^= 1
            v.text = base64.b64encode(bytes(raw)).decode()
        elif op == "binding_value":
            found = list(root.iter("{urn:hocbaso:signature-properties}PHIEN_BAN"))
            found[i % len(found)].text = str(n % 5 + 2)
        elif op == "drop_signature":
            sigs = list(root.iter(f"{_D}Signature"))
            s = sigs[i % len(sigs)]
            parent = s.getparent()
            assert parent is not None
            parent.remove(s)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


_SLOW = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_SLOW
@given(data=st.data())
def test_mutated_packets_report_as_before(
    genuine: bytes,
    trust: TrustStore,
    crl: x509.CertificateRevocationList,
    data: st.DataObject,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    steps = data.draw(
        st.lists(
            st.tuples(st.sampled_from(STEP_OPS), st.integers(0, 1000), st.integers(-4000, 4000)),
            max_size=3,
        )
    )
    packet = _mutate_steps(genuine, steps)
    more = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from(OPS), st.integers(0, 10_000), st.text("ab <&>Đạ09", max_size=6)
            ),
            max_size=2,
        )
    )
    packet = _mutate(packet, more)
    policy = data.draw(st.sampled_from([STRICT, LEGACY, POLICIES["require_crl"]]))
    crls = data.draw(st.sampled_from([[], [crl]]))
    at = data.draw(st.sampled_from([mv.VERIFY_AT, _EARLY, _LATE]))
    fast, slow = _both(packet, trust, monkeypatch, at=at, crls=crls, policy=policy)
    assert fast == slow


def test_the_references_are_really_used(
    genuine: bytes,
    trust: TrustStore,
    crl: x509.CertificateRevocationList,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Guard for the tests above: in reference mode the short paths are never taken, and as
    shipped they are (a genuine record: 15 signatures, each certificate answered short)."""
    taken: list[str] = []

    def spy(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*a: Any, **k: Any) -> Any:
            out = fn(*a, **k)
            taken.append(name)
            return out

        return wrapped

    monkeypatch.setattr(signatures, "_verified_quickly", spy("4", signatures._verified_quickly))
    monkeypatch.setattr(verifier, "_result", spy("5", verifier._result))
    monkeypatch.setattr(
        signatures, "_check_signature_in_full", spy("4 full", signatures._check_signature_in_full)
    )
    assert verify(genuine, trust, at=mv.VERIFY_AT, crls=[crl]).ok
    assert taken.count("4") == 15 and "4 full" not in taken
    # Only the issuance builds its results one by one (CERTIFICATE.OK and the WARN that no
    # registry was given); the 14 personal signatures are answered directly.
    assert taken.count("5") == 2
    taken.clear()
    with monkeypatch.context() as m:
        _reference_steps(m)
        assert verify(genuine, trust, at=mv.VERIFY_AT, crls=[crl]).ok
    assert taken == []


# -- step 6 on its own, on random signature sets --------------------------------------------


@dataclasses.dataclass
class _Slot:
    role: VaiTroKy
    mon: str | None


@dataclasses.dataclass
class _Sig:
    slot: _Slot
    verified: bool
    signing_time: dt.datetime | None
    path: str


_ZONES = [dt.UTC, dt.timezone(dt.timedelta(hours=7)), dt.timezone(dt.timedelta(hours=-5))]
_BASE = dt.datetime(2025, 5, 20, 8, 0, tzinfo=dt.UTC)
_MONS = ["TOAN", "VAN", "ANH"]


@settings(max_examples=400, deadline=None)
@given(
    sigs=st.lists(
        st.tuples(
            st.sampled_from(list(VaiTroKy)),
            st.sampled_from(_MONS),
            st.booleans(),
            st.one_of(st.none(), st.integers(-30, 30)),
            st.sampled_from(_ZONES),
        ),
        max_size=10,
    ),
    rows=st.lists(st.sampled_from(_MONS), max_size=3, unique=True),
    required=st.sets(st.sampled_from(list(VaiTroKy))),
    at_minutes=st.integers(-40, 40),
    skew=st.integers(0, 20),
)
def test_order_equals_the_former_step(
    sigs: list[tuple[VaiTroKy, str, bool, int | None, dt.tzinfo]],
    rows: list[str],
    required: set[VaiTroKy],
    at_minutes: int,
    skew: int,
) -> None:
    """Ties, time zones, unverified signatures, missing roles and rows, future times."""
    made = [
        _Sig(
            _Slot(role, mon if role is VaiTroKy.GVBM else None),
            verified,
            None if minutes is None else (_BASE + dt.timedelta(minutes=minutes)).astimezone(zone),
            f"/p[{n}]",
        )
        for n, (role, mon, verified, minutes, zone) in enumerate(sigs)
    ]
    policy = dataclasses.replace(
        STRICT, required_roles=frozenset(required), clock_skew=dt.timedelta(minutes=skew)
    )
    at = _BASE + dt.timedelta(minutes=at_minutes)
    fast = verifier._check_order(made, rows, at, policy)  # type: ignore[arg-type]
    slow = ref_check_order(made, rows, at, policy)  # type: ignore[arg-type]
    assert fast == slow


# -- the memos cannot turn a failure into a pass ------------------------------------------


_FAILING = (
    "keyinfo_swapped",
    "keyinfo_swapped_resigned",
    "key_rsa_e1",
    "key_unknown_algorithm",
    "downgrade_sha1",
    "tampered_score",
    "certificate_expired",
    "certificate_revoked",
    "certificate_server_auth_only",
    "issuance_personal_certificate",
    "signing_time_backwards",
    "issuance_not_last",
)


def test_memos_never_turn_a_failure_into_a_pass(
    corpus: dict[str, Any],
    pki: TestPKI,
    crl: x509.CertificateRevocationList,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Warm every new memo (signer and public key per certificate, algorithm plan per URIs,
    key family per key class, the trust store's facts) with genuine records, including one
    verified under the legacy policy, then verify each failing vector: it fails, with the
    report the former steps give on a cold store."""
    warm = TrustStore([pki.root], max_cache=211)
    for name in ("genuine", "genuine_other_record", "downgrade_sha1_legacy"):
        policy = LEGACY if name.endswith("legacy") else STRICT
        assert verify(corpus[name].data, warm, at=mv.VERIFY_AT, crls=[crl], policy=policy).ok
    for name in _FAILING:
        data = corpus[name].data
        got = verify(data, warm, at=mv.VERIFY_AT, crls=[crl])
        assert not got.ok, name
        with monkeypatch.context() as m:
            _reference_steps(m)
            cold = verify(data, TrustStore([pki.root], max_cache=223), at=mv.VERIFY_AT, crls=[crl])
        assert _facts(got) == _facts(cold), name


def test_judged_findings_follow_the_time_and_every_switch(
    genuine: bytes,
    pki: TestPKI,
    crl: x509.CertificateRevocationList,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The findings kept per (verification time, switches) for a chain no CRL lists: warmed
    where the record passes, then asked with a stale CRL, with CRLs required, without CRLs;
    each answer is the cold reference's, and the stale, required case fails."""
    warm = TrustStore([pki.root], max_cache=227)
    require = dataclasses.replace(STRICT, require_crl=True)
    runs: list[tuple[VerificationPolicy, list[Any], dt.datetime, bool]] = [
        (STRICT, [crl], mv.VERIFY_AT, True),
        (require, [crl], mv.VERIFY_AT, True),
        (STRICT, [crl], _LATE, True),  # stale: WARN only
        (require, [crl], _LATE, False),  # stale and required: FAIL
        (dataclasses.replace(require, trust_signing_time=True), [crl], _LATE, False),
        (STRICT, [crl], mv.VERIFY_AT, True),
        (require, [], mv.VERIFY_AT, False),
    ]
    for policy, crls, at, ok in runs:
        got = verify(genuine, warm, at=at, crls=crls, policy=policy)
        with monkeypatch.context() as m:
            _reference_steps(m)
            cold = verify(
                genuine, TrustStore([pki.root], max_cache=229), at=at, crls=crls, policy=policy
            )
        assert _facts(got) == _facts(cold)
        assert got.ok is ok


def test_a_plan_is_per_run_and_per_policy(corpus: dict[str, Any], trust: TrustStore) -> None:
    """The plan that accepted RSA-SHA1 under the legacy policy is not used by a strict run."""
    data = corpus["downgrade_sha1_legacy"].data
    assert verify(data, trust, at=mv.VERIFY_AT, policy=LEGACY).ok
    strict = verify(data, trust, at=mv.VERIFY_AT)
    assert not strict.ok and "SIGNATURE.ALGORITHM_REFUSED" in strict.failed_codes


# -- the signature value check on a loaded key --------------------------------------------


def test_verify_with_key_equals_the_former_verify_value(pki: TestPKI) -> None:
    """Every method against RSA and EC keys, good and spoiled values, wrong lengths."""
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    data = b"<SignedInfo>x</SignedInfo>"
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    cases: list[tuple[Any, bytes]] = []
    for h in (hashes.SHA256(), hashes.SHA384(), hashes.SHA512()):
        cases.append((rsa_key, rsa_key.sign(data, padding.PKCS1v15(), h)))
        r, s = decode_dss_signature(ec_key.sign(data, ec.ECDSA(h)))
        cases.append((ec_key, r.to_bytes(32, "big") + s.to_bytes(32, "big")))
    certs = [(k, pki.certify_personal(k.public_key(), "001085000201")) for k in (rsa_key, ec_key)]
    for private, value in cases:
        cert = next(c for k, c in certs if k is private)
        for method in SignatureMethod:
            for v in (value, value[:-1] + bytes([value[-1] ^ 1]), value[:10], b""):
                want = ref_sha2_verify_value(cert, method, v, data)
                assert keys.verify_value(cert, method, v, data) is want
                assert keys.verify_with_key(cert.public_key(), method, v, data) is want


def test_an_ecdsa_record_reports_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    """The short path's ECDSA branch, on a record signed by an EC hierarchy."""
    from hocbaso.testing import tao_hoc_ba
    from hocbaso.testing.pki import build_test_pki

    ec_pki = build_test_pki("ec")
    trust = TrustStore([ec_pki.root])
    data = mv.issue(tao_hoc_ba(2), ec_pki)
    fast, slow = _both(data, trust, monkeypatch, at=mv.VERIFY_AT, crls=[ec_pki.crl])
    assert fast == slow and fast[1] is True
    spoiled = _mutate_steps(data, [("signature_value", 3, 17)])
    fast, slow = _both(spoiled, trust, monkeypatch, at=mv.VERIFY_AT, crls=[ec_pki.crl])
    assert fast == slow and fast[1] is False


_TEXT = st.text(max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    code=_TEXT,
    step=st.sampled_from(list(Step)),
    status=st.sampled_from(list(Status)),
    vi=_TEXT,
    en=_TEXT,
    role=st.one_of(st.none(), _TEXT),
    signer=st.one_of(st.none(), _TEXT),
    when=st.one_of(st.none(), st.datetimes(timezones=st.sampled_from(_ZONES))),
    path=_TEXT,
)
def test_make_step_result_builds_the_same_object(
    code: str,
    step: Step,
    status: Status,
    vi: str,
    en: str,
    role: str | None,
    signer: str | None,
    when: dt.datetime | None,
    path: str,
) -> None:
    """The slot-by-slot builder gives what the dataclass constructor gives: equal, the same
    hash, repr, dict and pickle, and just as frozen."""
    args = (code, step, status, vi, en, role, signer, when, path)
    fast = make_step_result(*args)
    slow = StepResult(*args)
    assert type(fast) is StepResult
    assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
    assert fast.to_dict() == slow.to_dict()
    assert pickle.dumps(fast) == pickle.dumps(slow)
    assert pickle.loads(pickle.dumps(fast)) == slow
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.code = "X"  # type: ignore[misc]
