"""Step 4: each signature's cryptography (docs/verification.md §2).

Algorithms are judged by the profile's one rule set (``hocbaso/signature/_profile_check.py``,
shared with the signer) against the verification policy; then every Reference is digested over
its canonical form, the SignatureValue is checked over the canonical SignedInfo, and the signed
``Object`` must carry a usable signing time and the record binding.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from lxml import etree

from hocbaso.errors import AlgorithmError
from hocbaso.signature import C14nMethod, DigestMethod, HocBaKy, SignatureMethod
from hocbaso.signature import canonicalize as _canonicalize
from hocbaso.signature._internal import (
    AlgorithmProblem,
    algorithm_problems,
    record_binding_of,
    signing_time_of,
    verify_with_key,
)
from hocbaso.signature._internal import verify_value as _verify_sha2_value
from hocbaso.verify._certificates import memo, signer_summary
from hocbaso.verify._codes import CODES, Status
from hocbaso.verify._policy import VerificationPolicy
from hocbaso.verify._report import StepResult, make_step_result
from hocbaso.verify._structure import ParsedReference, ParsedSignature

__all__ = ["CanonCache", "check_signature", "verify_value"]

# URI -> enum member by plain dict lookup (an Enum call costs several times more, and
# ``check_signature`` resolves ~90 URIs per record). Only URIs that ``algorithm_problems``
# accepted are looked up here, so a KeyError cannot happen.
_C14N = {m.value: m for m in C14nMethod}
_SIGNATURE = {m.value: m for m in SignatureMethod}
#: Digest URI -> hash name (``DigestMethod.hash_name``, a property computed on each read).
_HASH_NAME = {m.value: m.hash_name for m in DigestMethod}


#: Hash constructors by ``DigestMethod.hash_name``: the same digests as ``hashlib.new(name)``
#: without its by-name lookup on every call.
_HASH = {m.hash_name: getattr(hashlib, m.hash_name) for m in DigestMethod if m.hash_name != "md5"}


class CanonCache:
    """Canonical bytes, and their digests, per (element, method, prefixes) of one document.

    ``#data`` is signed twice (CBQL and the issuance) and its record digest is the SHA-256 of
    the same inclusive C14N 1.0 bytes: each is canonicalised and hashed once per run, not three
    times (a 60 KB SHA-256 is ~35 µs). Keyed by the element proxy itself, which the key keeps
    alive, so an entry always stands for exactly its node; a digest entry is keyed by the same
    key plus the hash name, and is the digest of exactly the bytes :meth:`get` returns."""

    def __init__(self) -> None:
        #: The algorithm judgement per (c14n, transforms, digests, method) URIs, for this run's
        #: one policy: the 15 signatures of a record use the same few URIs.
        self.judged: dict[tuple[object, ...], tuple[AlgorithmProblem, ...]] = {}
        #: The short path's plan per URIs (``check_signature``), for the same one policy.
        self.plans: dict[tuple[str, ...], _Plan | Literal[False]] = {}
        # Keyed by the method member itself (one member per URI): reading ``.value`` of an
        # enum member costs more than hashing the member.
        self._cache: dict[tuple[etree._Element, C14nMethod, tuple[str, ...]], bytes] = {}
        self._digests: dict[tuple[etree._Element, C14nMethod, tuple[str, ...], str], bytes] = {}

    def get(self, el: etree._Element, method: C14nMethod, prefixes: list[str]) -> bytes:
        key = (el, method, tuple(prefixes))
        found = self._cache.get(key)
        if found is None:
            found = _canonicalize(el, method, inclusive_ns_prefixes=prefixes)
            self._cache[key] = found
        return found

    def remember(self, el: etree._Element, canonical: bytes) -> None:
        """Take ``canonical`` as the inclusive C14N 1.0 of ``el``: bytes built without
        canonicalising, by a reader that proved them equal (``signature/_profile_raw.py``)."""
        self._cache[(el, C14nMethod.C14N_10, ())] = canonical

    def digest(
        self, el: etree._Element, method: C14nMethod, prefixes: list[str], hash_name: str
    ) -> bytes:
        """``hashlib.new(hash_name, self.get(el, method, prefixes)).digest()``, once."""
        key = (el, method, tuple(prefixes), hash_name)
        found = self._digests.get(key)
        if found is None:
            data = self.get(el, method, prefixes)
            make = _HASH.get(hash_name)
            found = (make(data) if make else hashlib.new(hash_name, data)).digest()
            self._digests[key] = found
        return found


def verify_value(
    cert: x509.Certificate, method: SignatureMethod, value: bytes, data: bytes
) -> bool:
    """The signing core's check for SHA-2 methods; RSA-SHA1 only reaches here under a legacy
    policy (``algorithm_problems`` refuses it otherwise)."""
    if method is not SignatureMethod.RSA_SHA1:
        return _verify_sha2_value(cert, method, value, data)
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        return False
    try:
        key.verify(value, data, padding.PKCS1v15(), hashes.SHA1())
    except InvalidSignature:
        return False
    return True


def _usable_key(cert: x509.Certificate) -> bool:
    """An RSA or EC public key that ``cryptography`` loads (it refuses RSA e < 3, and raises
    ``UnsupportedAlgorithm`` for a key algorithm it does not know); once per certificate."""
    found: bool = memo(cert, "usable_key", _loads_usable_key)
    return found


def _loads_usable_key(cert: x509.Certificate) -> bool:
    try:
        key = cert.public_key()
    except (UnsupportedAlgorithm, ValueError):
        return False
    return isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey)


def _c14n_code(error: AlgorithmError, refused: str) -> str:
    """``SIGNATURE.C14N_FAILED`` when the content cannot be canonicalised at all (a relative
    namespace URI), else the code for a refused method."""
    return "SIGNATURE.C14N_FAILED" if error.code == "SIGN.ALGORITHM.C14N_FAILED" else refused


def check_signature(
    ps: ParsedSignature,
    policy: VerificationPolicy,
    canon: CanonCache,
    record: HocBaKy | None = None,
) -> list[StepResult]:
    """Step 4 for one signature: algorithms, digests over the canonical form, value, and the
    record binding: the signed ``HocBaKy`` must name ``record`` (the identifier and version
    the packet's data names; None when it names none, which nothing matches).

    A signature of the profile's usual shape that passes every check takes a short path that
    makes exactly those checks, in one go, with what does not change between the 15
    signatures of a record looked up once (the plan of algorithms per URIs, per run; the
    signer's summary and public key, per certificate); anything else (a refused or legacy
    algorithm, an unusable key, a digest or value that does not verify, a signed ``Object``
    read from the tree, a missing or wrong binding) is checked again by
    :func:`_check_signature_in_full`, which reports it. The short path never reports: it
    answers ``SIGNATURE.OK`` only when the full check would (tests/verify/test_step_fast.py
    compares both on good and mutated packets)."""
    refs = ps.references
    if len(refs) == 2:
        r0, r1 = refs
        t0 = r0.transforms
        t1 = r1.transforms
        if len(t0) == 1 and len(t1) == 1:
            m0, p0 = t0[0]
            m1, p1 = t1[0]
            key = (ps.c14n_uri, ps.method_uri, m0, m1, r0.digest_uri, r1.digest_uri)
            plan = canon.plans.get(key)
            if plan is None:
                plan = canon.plans[key] = _plan(ps, policy, key)
            if plan:
                done = _verified_quickly(ps, canon, record, plan, r0, r1, p0, p1)
                if done is not None:
                    return [done]
    return _check_signature_in_full(ps, policy, canon, record)


#: What the short path needs per URIs: the C14N methods of SignedInfo and of each Reference's
#: one Transform, the signature method, and each Reference's hash name. ``False``: some
#: algorithm is refused or only legacy-accepted, so the full check reports it.
_Plan = tuple[C14nMethod, SignatureMethod, C14nMethod, C14nMethod, str, str]


def _problems(ps: ParsedSignature, policy: VerificationPolicy) -> tuple[AlgorithmProblem, ...]:
    """The profile's one judgement of ``ps``'s algorithms under ``policy``."""
    return algorithm_problems(
        ps,
        c14n_methods=policy.c14n_methods,
        digest_methods=policy.digest_methods,
        signature_methods=policy.signature_methods,
        legacy_digest_methods=policy.legacy_digest_methods,
        legacy_signature_methods=policy.legacy_signature_methods,
    )


def _plan(
    ps: ParsedSignature, policy: VerificationPolicy, key: tuple[str, ...]
) -> _Plan | Literal[False]:
    """The plan for the URIs ``key`` (SignedInfo C14N, signature method, the two Transforms,
    the two digest methods), by the same judgement as the full check; ``False`` when that
    judgement finds any problem (refused or legacy)."""
    if _problems(ps, policy):
        return False
    c14n, method, m0, m1, d0, d1 = key
    sig = _SIGNATURE[method]
    if sig is SignatureMethod.RSA_SHA1:  # never without a (legacy) problem; kept to the full path
        return False
    return (_C14N[c14n], sig, _C14N[m0], _C14N[m1], _HASH_NAME[d0], _HASH_NAME[d1])


_OK_INFO = CODES["SIGNATURE.OK"]


def _verified_quickly(
    ps: ParsedSignature,
    canon: CanonCache,
    record: HocBaKy | None,
    plan: _Plan,
    r0: ParsedReference,
    r1: ParsedReference,
    p0: list[str],
    p1: list[str],
) -> StepResult | None:
    """``SIGNATURE.OK`` for ``ps`` (and its facts recorded on it) when every check of the full
    path passes, else None with ``ps`` untouched: the same checks, on the same cached
    canonical bytes and digests, in a different order only where none can report."""
    c14n, method, c0, c1, h0, h1 = plan
    who, key = _signer_of(ps.leaf)
    if key is None:
        return None
    try:
        data0 = canon.get(r0.target, c0, p0)
        if canon.digest(r0.target, c0, p0, h0) != r0.digest_value:
            return None
        if canon.digest(r1.target, c1, p1, h1) != r1.digest_value:
            return None
        signed_info = canon.get(ps.signed_info, c14n, ps.c14n_prefixes)
    except AlgorithmError:
        return None
    facts = ps.object_facts
    if facts is None:
        return None
    when = facts.signing_time
    bound = facts.binding
    if when is None or bound is None or bound != record:
        return None
    if not verify_with_key(key, method, ps.value, signed_info):
        return None
    ps.legacy = False
    ps.verified = True
    ps.signing_time = when
    ps.signed_target = data0
    info = _OK_INFO
    return make_step_result(
        "SIGNATURE.OK",
        info.step,
        Status.PASS,
        info.message_vi,
        info.message_en,
        ps.slot.role.value,
        who,
        when,
        ps.path,
    )


def _signer_of(cert: x509.Certificate) -> tuple[str, object | None]:
    """``(signer_summary(cert), its public key when usable else None)``, once per
    certificate (``memo``): usable as :func:`_usable_key` says."""
    found: tuple[str, object | None] = memo(cert, "signer_of", _load_signer)
    return found


def _load_signer(cert: x509.Certificate) -> tuple[str, object | None]:
    return signer_summary(cert), (cert.public_key() if _usable_key(cert) else None)


def _check_signature_in_full(
    ps: ParsedSignature,
    policy: VerificationPolicy,
    canon: CanonCache,
    record: HocBaKy | None = None,
) -> list[StepResult]:
    """Step 4 for one signature, every outcome reported (the check :func:`check_signature`
    shortens for a signature that passes)."""
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
        problems = _problems(ps, policy)
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
    if not verify_value(ps.leaf, _SIGNATURE[ps.method_uri], ps.value, signed_info):
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
