"""``verify``: the eight steps of docs/verification.md §2, in order, each reported with a stable
code.

Control flow, and why:

1. PARSE failure stops everything (there is no tree to look at); later steps are not reported.
2. FORMAT failures are reported but do not stop the run: the layout and signature checks below
   are independent of the XSD, so the caller learns as much as possible.
3. A document-level STRUCTURE failure (duplicate or misplaced Id, broken skeleton) makes the
   document ambiguous: no signature is checked and steps 4–8 are SKIP. A failure confined to
   one signature (wrong slot, wrong Reference, bad shape) drops only that signature.
4. SIGNATURE runs for each remaining signature. Only a signature whose digests *and* value
   verify yields a signing time (read from its canonical signed Object) and signed bytes.
5. CERTIFICATE runs for each verified signature, at its signing time.
6. ORDER looks at verified signatures only: an unverifiable signature counts as missing.
7. CONTENT runs on the record re-parsed from the canonical bytes of ``#data``, which exists only
   if every ``#data`` signature present verified (and at least one did), and holds no
   processing instruction (C14N keeps PIs; one would cut a field's text short).
8. STATUS compares that record with supplied previous versions and revocation notices, by
   identifier and version, and by the *record digest* (SHA-256 of the inclusive C14N 1.0 of
   ``#data``, :func:`hocbaso.signature.record_digest`), never by file bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from lxml import etree

from hocbaso.errors import (
    HocBaSoError,
    InputError,
    ParseError,
    SchemaError,
    VerificationInputError,
)
from hocbaso.models import HocBa
from hocbaso.packet import DEFAULT_LIMITS, parse_xml, read_hoc_ba, validate
from hocbaso.packet._internal import (
    PacketSource,
    VaiTroKy,
    check_canonical_subtree_bytes,
    packet_bytes,
    parse_canonical_subtree,
    type_name,
)
from hocbaso.packet._internal import layout as L
from hocbaso.signature import C14nMethod
from hocbaso.signature._internal import (
    CertificateIdentity,
    HolderKind,
    leaf_string_value,
    matches_record_id,
    record_binding_in,
    xml_attribute_above,
)
from hocbaso.tt22 import check_record
from hocbaso.verify._certificates import (
    as_utc,
    der_of,
    identity_of,
    micros,
    signer_summary,
    window_micros,
)
from hocbaso.verify._codes import CODES, Status, Step
from hocbaso.verify._crl import CrlFact, CrlSet, judge_crls
from hocbaso.verify._format import schema_valid_fast
from hocbaso.verify._notice import RevocationNotice
from hocbaso.verify._policy import STRICT, VerificationPolicy
from hocbaso.verify._report import (
    StepResult,
    VerificationReport,
    make_step_result,
    record_from_signed_bytes,
    record_from_signed_tree,
)
from hocbaso.verify._signatures import CanonCache, check_signature
from hocbaso.verify._status import check_status
from hocbaso.verify._structure import ParsedSignature, check_structure
from hocbaso.verify._trust import TrustStore

__all__ = ["as_crl_set", "packet_input", "verify"]

_LATER_STEPS = (Step.SIGNATURE, Step.CERTIFICATE, Step.ORDER, Step.CONTENT, Step.STATUS)


def _skipped(steps: Iterable[Step]) -> list[StepResult]:
    return [StepResult.of(f"{s.value}.SKIPPED", Status.SKIP) for s in steps]


_STEP_ORDER = {s: i for i, s in enumerate(Step)}


def _sorted(results: list[StepResult]) -> tuple[StepResult, ...]:
    return tuple(sorted(results, key=lambda r: _STEP_ORDER[r.step]))


def _signed_text(target: etree._Element, path: tuple[str, ...]) -> str | None:
    """String-value of the first element at the child ``path`` inside a digested element (what
    XPath ``string(A/B/C)`` reads: the first such node in document order): the same characters
    its canonical signed bytes carry (comments and PIs are not part of a string-value)."""
    # A one-tag path (a GVBM row's ID) names the first child of that tag.
    one = len(path) == 1
    found = next(target.iterchildren(path[0]), None) if one else _first_at(target, path)
    value = leaf_string_value(found).strip() if found is not None else ""
    return value or None


def _first_at(el: etree._Element, path: tuple[str, ...]) -> etree._Element | None:
    """The first element at the child ``path`` below ``el`` in document order: a depth-first
    walk over the path's tags, earlier siblings first, without evaluating an XPath."""
    if not path:
        return el
    for child in el.iterchildren(path[0]):
        found = _first_at(child, path[1:])
        if found is not None:
            return found
    return None


#: The personal ID each personal role's certificate must carry, read inside the element the
#: role signs (the subject row, ``THONG_TIN_HOC_BA`` or ``DU_LIEU_HOC_BA``).
_ID_PATH = {
    VaiTroKy.GVBM: (L.PERSONAL_ID_TAG[VaiTroKy.GVBM],),
    VaiTroKy.GVCN: ("NGUOI_KY", L.PERSONAL_ID_TAG[VaiTroKy.GVCN]),
    VaiTroKy.CBQL: (L.THONG_TIN, "NGUOI_KY", L.PERSONAL_ID_TAG[VaiTroKy.CBQL]),
}


#: What step 5 finds about a signature's certificates themselves: whether the path failed (no
#: later check then), and each finding as (code, status, detail).
_Findings = tuple[bool, tuple[tuple[str, Status, str], ...]]


@dataclass(frozen=True, slots=True)
class _SignerFacts:
    """Step 5's time-independent work for one (CRL set, leaf, intermediates): the validated
    chain with the window in which all of its certificates are valid (:func:`micros`), the
    findings about the leaf itself (key usage, key strength, extended key usage), and each
    chain link's CRL facts. What depends on the signing or verification time is judged from
    these per call (:func:`_judge`), with integer comparisons.

    ``time_free`` says that no CRL lists any certificate of the chain, so that the findings
    depend on the verification time and the switches only, never on the signing time;
    ``judged`` then keeps them per (verification time, switches) (:func:`_judge_once`)."""

    chain: tuple[x509.Certificate, ...]
    not_before: int
    not_after: int
    leaf_findings: tuple[tuple[str, Status, str], ...]
    links: tuple[tuple[CrlFact, ...], ...]
    who: str
    identity: CertificateIdentity
    time_free: bool
    judged: dict[tuple[int, bool, bool, bool], tuple[tuple[str, Status, str], ...]] = field(
        compare=False, repr=False
    )


def _signer_facts(
    chain: tuple[x509.Certificate, ...], trust: TrustStore, crls: CrlSet
) -> _SignerFacts:
    leaf = chain[0]
    out: list[tuple[str, Status, str]] = []
    if not trust.check_key_usage(leaf):
        out.append(("CERTIFICATE.KEY_USAGE", Status.FAIL, ""))
    # The signer's own rules (hocbaso.signature._certrules): what it refuses, we refuse.
    weak = trust.check_key_strength(leaf)
    if weak is not None:
        out.append(("CERTIFICATE.WEAK_KEY", Status.FAIL, f"({weak})"))
    if not trust.check_extended_key_usage(leaf):
        out.append(("CERTIFICATE.EXTENDED_KEY_USAGE", Status.FAIL, ""))
    windows = [window_micros(c) for c in chain]
    not_before = max(w[0] for w in windows)
    not_after = min(w[1] for w in windows)
    # Revocation of every non-anchor certificate of the path, by its issuer's CRL.
    links = tuple(crls.facts(cert, chain[i + 1]) for i, cert in enumerate(chain[:-1]))
    return _SignerFacts(
        chain,
        not_before,
        not_after,
        tuple(out),
        links,
        signer_summary(leaf),
        identity_of(leaf),
        all(found is None for link in links for _ok, _next, found in link),
        {},
    )


#: Entries of one ``_SignerFacts.judged``: one per verification time in use (a batch verified
#: "now" moves on; one with a fixed ``at`` keeps one).
_JUDGED_MAX = 8


def _judge_once(
    facts: _SignerFacts, when: int, at: int, crls: CrlSet, policy: VerificationPolicy
) -> tuple[tuple[str, Status, str], ...]:
    """:func:`_judge` at the signing time ``when``, looked up instead when the facts list no
    revocation (``time_free``): then ``judge_crls`` reads the signing time only for a listed
    entry, of which there is none, so the findings are those of any signing time, and the key
    holds everything else they depend on (the verification time, ``trust_signing_time``,
    ``require_crl``, whether any CRL was supplied). Bounded; a lost entry is recomputed."""
    if not facts.time_free:
        return _judge(facts, when, at, crls, policy)
    key = (at, policy.trust_signing_time, policy.require_crl, bool(crls))
    found = facts.judged.get(key)
    if found is None:
        found = _judge(facts, when, at, crls, policy)
        judged = facts.judged
        if len(judged) >= _JUDGED_MAX:
            judged.clear()
        judged[key] = found
    return found


_CRL_INVALID = ("CERTIFICATE.CRL_INVALID", Status.WARN, "")
_CRL_STALE = ("CERTIFICATE.CRL_STALE", Status.WARN, "")


def _judge(
    facts: _SignerFacts, when: int, at: int, crls: CrlSet, policy: VerificationPolicy
) -> tuple[tuple[str, Status, str], ...]:
    """The findings of a validated path at signing time ``when`` and verification time ``at``
    (both :func:`micros`): the leaf's own findings, then per link the CRLs' verdict."""
    out = list(facts.leaf_findings)
    leaf_covered = False
    for i, link in enumerate(facts.links):
        code, covered, invalid, stale = judge_crls(link, when, at, policy.trust_signing_time)
        if invalid:
            out.append(_CRL_INVALID)
        if stale:
            out.append(_CRL_STALE)
        if code is not None:
            out.append((code, Status.FAIL, ""))
        if i == 0:
            leaf_covered = covered
    if not leaf_covered:
        if policy.require_crl:
            status = Status.FAIL
        elif crls:
            status = Status.WARN
        else:
            status = Status.SKIP
        out.append(("CERTIFICATE.REVOCATION_NOT_CHECKED", status, ""))
    return tuple(out)


def _certificate_findings(
    leaf: x509.Certificate,
    intermediates: Sequence[x509.Certificate],
    when: dt.datetime,
    trust: TrustStore,
    crls: CrlSet,
    policy: VerificationPolicy,
    at: dt.datetime,
) -> tuple[_Findings, _SignerFacts | None]:
    """Path, key usage, key strength, extended key usage and revocation of one signature's
    certificates at its signing time ``when`` (CRL freshness at ``at``), and the
    time-independent facts they were judged from (``None`` when the path failed).

    Step 5 keeps those facts in the trust store's bounded cache, keyed by the CRLs' SHA-256
    and the certificates' DER (never a time), and judges each later signature from them when
    its signing time lies inside the chain's validity window; any other time comes here."""
    path = trust.validate(leaf, intermediates, when)
    if path.code is not None:
        return (True, ((path.code, Status.FAIL, path.detail_en),)), None
    facts = _signer_facts(path.chain, trust, crls)
    return (False, _judge(facts, micros(as_utc(when)), micros(at), crls, policy)), facts


def _check_certificate(
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
    time. A personal signature whose certificate names the record's signer and has no
    failing finding (the usual case) is answered directly: ``CERTIFICATE.OK``, then its
    warnings, as the general tail below would order them."""
    assert ps.signing_time is not None and ps.signed_target is not None
    role = ps.slot.role
    when = ps.signing_time
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
        stop, findings = False, _judge_once(facts, when_us, at_us, crls, policy)
    else:
        (stop, findings), facts = _certificate_findings(
            leaf, ps.intermediates, when, trust, crls, policy, at
        )
        if facts is not None:
            trust.remember(key, facts)
    path = ps.path
    rv = role.value
    target = ps.references[0].target
    if facts is None:  # the path failed: its one finding, nothing more
        who = signer_summary(leaf)
        return [_result(c, st, rv, who, when, path, d) for c, st, d in findings]
    who = facts.who
    if role is not VaiTroKy.KY_PHAT_HANH:
        text = _signed_text(target, _ID_PATH[role])
        if matches_record_id(facts.identity, text):
            ok = make_step_result(
                _CERT_OK, _CERT_STEP, Status.PASS, _CERT_OK_VI, _CERT_OK_EN, rv, who, when, path
            )
            if not findings:
                return [ok]
            if not any(f[1] is Status.FAIL for f in findings):
                return [ok, *[_result(c, st, rv, who, when, path, d) for c, st, d in findings]]
    elif policy.issuer_registry is not None:
        text = _signed_text(target, _MA_TRUONG)
    else:
        text = None
    out = [_result(c, st, rv, who, when, path, d) for c, st, d in findings]
    if stop:
        return out

    def res(code: str, status: Status = Status.FAIL, detail: str = "") -> StepResult:
        return _result(code, status, rv, who, when, path, detail)

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


_CERT_OK = "CERTIFICATE.OK"
_CERT_STEP = CODES[_CERT_OK].step
_CERT_OK_VI = CODES[_CERT_OK].message_vi
_CERT_OK_EN = CODES[_CERT_OK].message_en


def _result(
    code: str,
    status: Status,
    role: str,
    who: str,
    when: dt.datetime,
    path: str,
    detail: str = "",
) -> StepResult:
    """A step-5 result: the signature's role, signer, signing time and place, with
    ``detail`` appended to both messages."""
    return StepResult.of(
        code,
        status,
        role=role,
        signer=who,
        signing_time=when,
        path=path,
        extra_en=detail,
        extra_vi=detail,
    )


_MA_TRUONG = (L.THONG_TIN, "THONG_TIN_TRUONG", "MA_TRUONG")


def _check_issuer(
    ident: CertificateIdentity,
    policy: VerificationPolicy,
    school: str | None,
    res: Callable[..., StepResult],
) -> list[StepResult]:
    """Step 5.6: the issuing organisation against the issuer registry, by the school code read
    from the signed ``#data`` (``school``: its string-value, like every identity in step 5)."""
    registry = policy.issuer_registry
    if registry is None:
        return [res("CERTIFICATE.ISSUER_NOT_MATCHED", Status.WARN)]
    allowed = registry.allows(school, ident.organisations) if school is not None else None
    if allowed is None:
        return [res("CERTIFICATE.SCHOOL_NOT_REGISTERED")]
    if not allowed:
        return [res("CERTIFICATE.ISSUER_NOT_SCHOOL")]
    return []


#: The roles in their order (iterating an Enum class costs more than a tuple), and the
#: stages whose times must not decrease (every role but the issuance, in that order).
_ROLES = tuple(VaiTroKy)
_STAGES = tuple(r for r in _ROLES if r is not VaiTroKy.KY_PHAT_HANH)


def _check_order(
    signatures: Sequence[ParsedSignature],
    rows: Sequence[str],
    at: dt.datetime,
    policy: VerificationPolicy,
) -> list[StepResult]:
    """Step 6: required roles present (verified), times non-decreasing, issuance last.

    Each check runs over the verified signatures in slot order. "Issuance last" and "no
    signing time in the future" compare with the latest verified signing time, found in the
    same pass: some other signature is later than the issuance exactly when the latest time is
    later than the issuance's, and no signature is further in the future than the latest, so
    the future check looks at each signature only when the latest one fails it."""
    out: list[StepResult] = []
    good: list[ParsedSignature] = []
    by_role: dict[VaiTroKy, list[ParsedSignature]] = {}
    latest_all: dt.datetime | None = None
    for p in signatures:
        when = p.signing_time
        if p.verified and when is not None:
            good.append(p)
            role = p.slot.role
            same = by_role.get(role)
            if same is None:
                by_role[role] = [p]
            else:
                same.append(p)
            if latest_all is None or when > latest_all:
                latest_all = when
    required = policy.required_roles
    for role in _ROLES:
        if role not in required:
            continue
        if role is VaiTroKy.GVBM:
            signed_rows = {p.slot.mon for p in by_role.get(role, ())}
            for mon in rows:
                if mon not in signed_rows:
                    out.append(_missing(role, mon))
        elif role not in by_role:
            out.append(_missing(role, None))
    if latest_all is None:  # no verified signature: nothing to order
        return out or [StepResult.of("ORDER.OK", Status.PASS)]
    # Each stage's times must not be earlier than the latest time of the stages before it.
    latest: dt.datetime | None = None
    for role in _STAGES:
        stage = by_role.get(role)
        if not stage:
            continue
        stage_max: dt.datetime | None = None
        for p in stage:
            when = p.signing_time
            assert when is not None
            if latest is not None and when < latest:
                out.append(_order_failure("ORDER.TIME_ORDER", p))
            if stage_max is None or when > stage_max:
                stage_max = when
        if latest is None or (stage_max is not None and stage_max > latest):
            latest = stage_max
    # The issuance is last when no other verified signature is later: when none is later
    # than it, i.e. it is not earlier than the latest of all.
    for p in by_role.get(VaiTroKy.KY_PHAT_HANH, ()):
        assert p.signing_time is not None
        if p.signing_time < latest_all:
            out.append(_order_failure("ORDER.ISSUANCE_NOT_LAST", p))
    # A difference, not ``at + skew``: subtracting two aware times cannot overflow, and a
    # caller's ``at`` may be the last minute of year 9999. No time is further ahead than the
    # latest one, so the others are looked at only when it is too far ahead.
    skew = policy.clock_skew
    if latest_all - at > skew:
        for p in good:
            assert p.signing_time is not None
            if p.signing_time - at > skew:
                out.append(_order_failure("ORDER.FUTURE_SIGNING_TIME", p))
    if not out:
        out.append(StepResult.of("ORDER.OK", Status.PASS))
    return out


def _missing(role: VaiTroKy, mon: str | None) -> StepResult:
    """``ORDER.MISSING_ROLE`` for ``role``'s slot (a GVBM slot by its subject ``mon``)."""
    return StepResult.of(
        "ORDER.MISSING_ROLE",
        Status.FAIL,
        role=role.value,
        path=L.slot_xpath(role, mon),
        extra_en="(no valid signature in the slot)",
        extra_vi="(không có chữ ký hợp lệ trong ô ký)",
    )


def _order_failure(code: str, p: ParsedSignature) -> StepResult:
    """An ``ORDER.*`` failure that names the signature's role, time and place."""
    return StepResult.of(
        code, Status.FAIL, role=p.slot.role.value, signing_time=p.signing_time, path=p.path
    )


def _check_content(record: HocBa, policy: VerificationPolicy) -> list[StepResult]:
    """Step 7: map each Thông tư 22 finding to a ``CONTENT.*`` result."""
    try:
        report = check_record(record)
    except HocBaSoError as e:
        return [StepResult.of("CONTENT.CHECK_FAILED", Status.FAIL, extra_en=f"({e.code})")]
    out: list[StepResult] = []
    for f in report.findings:
        code = f.code if f.code.startswith("CONTENT.") else f"CONTENT.{f.code}"
        out.append(
            StepResult(
                code=code,
                step=Step.CONTENT,
                status=policy.content_status,
                message_vi=f"{f.message_vi} ({f.dieu})",
                message_en=f"{f.message_en} ({f.dieu})",
                path=f.path,
            )
        )
    if not out:
        out.append(StepResult.of("CONTENT.OK", Status.PASS))
    return out


def _record_from(
    signatures: Sequence[ParsedSignature],
) -> tuple[HocBa | None, bytes | None, list[StepResult]]:
    """The record from ``#data``'s canonical signed bytes, if every ``#data`` signature verified.

    All of them cover the same element; they may canonicalise it differently (C14N 1.0 or
    exclusive), so the bytes of the first (CBQL's, in slot order) are used.

    C14N drops comments but keeps processing instructions, and a PI inside a field splits its
    text: ``<HO_VA_TEN>Ngu<?x?>yễn</HO_VA_TEN>`` would read as "Ngu". Rather than guess which
    text the signers meant, a signed record holding any PI is refused
    (``STRUCTURE.PROCESSING_INSTRUCTION``, whatever the comment policy) and no record is given.
    """
    data_sigs = [p for p in signatures if p.slot.reference_id == L.ID_DATA]
    if not data_sigs or not all(p.verified for p in data_sigs):
        return None, None, []
    signed = data_sigs[0].signed_target
    assert signed is not None
    try:
        if not _context_free_c14n_10(data_sigs[0]):
            record = record_from_signed_bytes(signed)
        elif _readable_in_place(target := data_sigs[0].references[0].target):
            # The bytes are the inclusive C14N 1.0 of this element, with nothing in scope from
            # outside it, and the element holds no comment, PI or entity reference: parsing
            # them again would give this very subtree (_readable_in_place says why), so the
            # record is read from it; the byte-level checks still run on the signed bytes.
            # _readable_in_place found no processing instruction in it either, so the record
            # is read at once (record_from_signed_tree would only look for one again).
            check_canonical_subtree_bytes(signed)
            record = read_hoc_ba(target)
        else:
            # The same bytes with a comment or PI in the element: the tree walks cannot fail
            # on them (parse_canonical_subtree says why); every other check of parse_xml runs.
            record = record_from_signed_tree(parse_canonical_subtree(signed))
    except HocBaSoError as e:
        return (
            None,
            signed,
            [StepResult.of("FORMAT.MODEL_INVALID", Status.FAIL, extra_en=f"({e.code})")],
        )
    if record is None:
        return (
            None,
            signed,
            [StepResult.of("STRUCTURE.PROCESSING_INSTRUCTION", Status.FAIL)],
        )
    return record, signed, []


#: The node kinds that make an element's text differ from its canonical form's: C14N drops
#: comments (text around one would merge), and a PI or an entity reference splits a text.
_NOT_IN_PLACE = (etree.Comment, etree.ProcessingInstruction, etree.Entity)


def _readable_in_place(target: etree._Element) -> bool:
    """Whether the record can be read from ``target`` itself instead of from its canonical
    bytes parsed again, with the same result, given that those bytes are the inclusive C14N
    1.0 of ``target`` with nothing in scope from outside it (``_context_free_c14n_10``).

    Parsing those bytes gives back the subtree itself: the same elements, attributes (C14N
    only orders them; they are read by name) and namespace declarations (none from outside),
    and the same character content (C14N escapes ``&``, ``<``, ``>`` and CR, which the parse
    turns back), except where the subtree holds a comment (dropped, so the texts around it
    merge), a processing instruction (refused for the record) or an entity reference (our
    parser never leaves one: it refuses DTDs): then this says False and the bytes are parsed.
    CDATA is text already (the parser merges it). What the parse could still refuse is
    refused by the byte-level checks, which run on the signed bytes either way
    (``check_canonical_subtree_bytes``). Tests compare whole reports, records included, with
    this path on and off on mutated packets (tests/verify/test_fast_paths.py).
    """
    return next(target.iter(*_NOT_IN_PLACE), None) is None


def _context_free_c14n_10(ps: ParsedSignature) -> bool:
    """Whether ``ps``'s Reference 1 bytes are the inclusive C14N 1.0 of its target with nothing
    in scope from outside it: no namespace and no ``xml:*`` attribute on an ancestor."""
    ref = ps.references[0]
    method, prefixes = ref.transforms[0]
    if method != C14nMethod.C14N_10.value or prefixes or ref.target.nsmap:
        return False
    return not xml_attribute_above(ref.target)


def _in_utc(at: dt.datetime) -> dt.datetime:
    """``at`` in UTC. The last hours of year 9999 west of UTC (and the first of year 1 east
    of it) have no UTC form in Python's datetime; they are taken as its last (first)
    representable instant, hours apart at most, so no later check overflows on them."""
    try:
        return at.astimezone(dt.UTC)
    except OverflowError:
        limit = dt.datetime.max if at.year == dt.MAXYEAR else dt.datetime.min
        return limit.replace(tzinfo=dt.UTC)


def _many_bytes(items: Iterable[Any], name: str) -> tuple[Any, ...]:
    """A sequence argument; one bare ``bytes`` (a common slip) is refused, not iterated."""
    if isinstance(items, bytes | bytearray | memoryview | str):
        raise VerificationInputError(
            f"{name} takes a list of packets/notices, not one bytes object.",
            f"{name} nhận một danh sách, không phải một đối tượng bytes.",
            code="VERIFY.INPUT.NOT_A_LIST",
        )
    return tuple(items)


def as_crl_set(
    crls: Iterable[x509.CertificateRevocationList | bytes] | CrlSet,
) -> CrlSet:
    """A :class:`CrlSet` from what the caller passed (one bare ``bytes`` is refused)."""
    if isinstance(crls, CrlSet):
        return crls
    return CrlSet(_many_bytes(crls, "crls"))


def _issuer_organisation(signatures: Sequence[ParsedSignature]) -> str | None:
    for p in signatures:
        if p.slot.role is VaiTroKy.KY_PHAT_HANH and p.verified:
            return identity_of(p.leaf).organisation_id
    return None


def packet_input(source: Any, what: str) -> bytes:
    """A packet argument of ``verify`` as bytes (``hocbaso.packet``'s one coercion rule).

    A ``HocBa`` is refused with its own message: a model carries no signatures, so there is
    nothing to verify; pass the signed bytes (``IssuedRecord`` or its ``.signed``).
    """
    if isinstance(source, HocBa):
        raise InputError(
            f"{what}: got HocBa, which carries no signatures; pass the signed packet: bytes, "
            "a pathlib.Path or the IssuedRecord",
            f"{what}: nhận được HocBa, không mang chữ ký; hãy truyền gói tin đã ký: bytes, "
            "pathlib.Path hoặc IssuedRecord",
            code="INPUT.TYPE",
            path=what,
        )
    return packet_bytes(source, what=what, max_bytes=DEFAULT_LIMITS.max_bytes)


def verify(
    xml_bytes: PacketSource,
    trust: TrustStore,
    *,
    at: dt.datetime | None = None,
    crls: Iterable[x509.CertificateRevocationList | bytes] | CrlSet = (),
    revocations: Iterable[bytes | RevocationNotice] = (),
    previous_versions: Iterable[PacketSource] = (),
    policy: VerificationPolicy = STRICT,
) -> VerificationReport:
    """Verify one Học bạ số packet and report every check (docs/verification.md §2).

    ``trust`` holds the anchors (never the OS store). ``at`` is the verification time (must
    carry a time zone; default: now, UTC): signing times after it FAIL. Certificates are
    validated at each signature's own signing time. ``crls`` are CRLs the caller obtained
    (PEM/DER bytes or ``cryptography`` objects); ``revocations`` signed revocation notices;
    ``previous_versions`` the earlier versions' packet bytes, for the correction chain. Notices
    and previous versions are matched to the record by identifier and version, then by record
    digest (over signed content; a mismatch there FAILs, it is never ignored).

    ``xml_bytes`` (and each previous version) is bytes, a ``pathlib.Path`` (read as a regular
    file, at most the size limit + 1 byte) or an ``IssuedRecord``; a ``str`` is refused,
    because it could be XML text or a file name.

    Returns a :class:`VerificationReport`; raises only when the check cannot run at all
    (:class:`~hocbaso.errors.VerificationInputError`: naive ``at``, unreadable CRL;
    :class:`~hocbaso.errors.InputError`: an argument of the wrong type, a file that cannot
    be read). Content that fails a check is a step of the report, never an exception.
    """
    if not isinstance(trust, TrustStore):
        raise InputError(
            f"trust: got {type_name(trust)}; pass a hocbaso.verify.TrustStore",
            f"trust: nhận được {type_name(trust)}; hãy truyền hocbaso.verify.TrustStore",
            code="INPUT.TYPE",
            path="trust",
        )
    data = packet_input(xml_bytes, "xml_bytes")
    if at is None:
        at = dt.datetime.now(dt.UTC)
    elif not isinstance(at, dt.datetime):
        raise InputError(
            f"at: got {type_name(at)}; pass a datetime with a time zone",
            f"at: nhận được {type_name(at)}; hãy truyền datetime có múi giờ",
            code="INPUT.TYPE",
            path="at",
        )
    elif at.tzinfo is None:
        raise VerificationInputError(
            "The verification time must carry a time zone.",
            "Thời điểm kiểm tra phải có múi giờ.",
            code="VERIFY.INPUT.NAIVE_TIME",
        )
    at = _in_utc(at)
    crl_set = as_crl_set(crls)
    revocations = _many_bytes(revocations, "revocations")
    previous = tuple(
        packet_input(p, "previous_versions")
        for p in _many_bytes(previous_versions, "previous_versions")
    )
    packet_sha256 = hashlib.sha256(data).hexdigest()
    results: list[StepResult] = []

    # 1. PARSE
    try:
        root = parse_xml(data)
    except ParseError as e:
        code = e.code if e.code in CODES else "PARSE.REJECTED"
        results.append(StepResult.of(code, Status.FAIL))
        return VerificationReport(tuple(results), packet_sha256=packet_sha256)
    results.append(StepResult.of("PARSE.OK", Status.PASS))

    # 3. STRUCTURE (before FORMAT, whose fast path reads the signatures step 3 parsed; the
    # results are sorted by step, so the report is the same)
    canon = CanonCache()
    structure = check_structure(
        root,
        policy,
        lambda el: canon.get(el, C14nMethod.C14N_10, []),
        data=data,
        remember=canon.remember,
    )
    results.extend(structure.results)

    # 2. FORMAT: the data schema plus the proven signature shapes, else the full XSD
    # (verify/_format.py says why the two agree).
    if schema_valid_fast(structure, root):
        results.append(StepResult.of("FORMAT.OK", Status.PASS))
    else:
        try:
            validate(root)
            results.append(StepResult.of("FORMAT.OK", Status.PASS))
        except SchemaError as e:
            results.append(StepResult.of("FORMAT.SCHEMA_INVALID", Status.FAIL, path=e.path))
            for d in e.details[:20]:
                results.append(
                    StepResult(
                        d.code, Step.FORMAT, Status.FAIL, d.message_vi, d.message_en, path=d.path
                    )
                )

    if structure.fatal:
        results.extend(_skipped(_LATER_STEPS))
        return VerificationReport(_sorted(results), packet_sha256=packet_sha256)

    # 4. SIGNATURE
    binding = record_binding_in(root)
    for ps in structure.signatures:
        results.extend(check_signature(ps, policy, canon, binding))
    if not structure.signatures:
        results.append(StepResult.of("SIGNATURE.SKIPPED", Status.SKIP, extra_en="(no signature)"))

    # 5. CERTIFICATE
    verified = [p for p in structure.signatures if p.verified]
    at_us = micros(at)
    for ps in verified:
        results.extend(_check_certificate(ps, trust, crl_set, policy, at, at_us))
    if not verified:
        results.append(StepResult.of("CERTIFICATE.SKIPPED", Status.SKIP))

    # 6. ORDER
    results.extend(_check_order(structure.signatures, list(structure.rows), at, policy))

    # 7. CONTENT (on the signed record only)
    record, signed, extra = _record_from(structure.signatures)
    results.extend(extra)
    if record is None:
        results.append(StepResult.of("CONTENT.SKIPPED", Status.SKIP))
    elif policy.check_content:
        results.extend(_check_content(record, policy))
    else:
        results.append(StepResult.of("CONTENT.SKIPPED", Status.SKIP, extra_en="(policy)"))

    # 8. STATUS
    revoked = False
    digest: str | None = None
    if record is None:
        results.append(StepResult.of("STATUS.SKIPPED", Status.SKIP))
    else:
        assert structure.data_element is not None
        # record_digest_of_c14n of those bytes: the SHA-256 hex of the inclusive C14N 1.0 of
        # #data, hashed once with the References that digest the same bytes the same way.
        digest = canon.digest(structure.data_element, C14nMethod.C14N_10, [], "sha256").hex()
        status_results, revoked = check_status(
            record,
            digest,
            trust=trust,
            crls=crl_set,
            revocations=revocations,
            previous_versions=previous,
            at=at,
            issuer_organisation=_issuer_organisation(structure.signatures),
        )
        results.extend(status_results)
    # The report drops record and signed bytes itself unless it is ok (personal data); the
    # identifier and version, read from the same signed bytes, stay.
    chung = record.thong_tin_hoc_ba.thong_tin_chung if record is not None else None
    return VerificationReport(
        _sorted(results),
        record=record,
        signed_bytes=signed if record is not None else None,
        packet_sha256=packet_sha256,
        revoked=revoked,
        ma_dinh_danh_hoc_ba=str(chung.ma_dinh_danh_hoc_ba) if chung is not None else None,
        phien_ban=int(chung.phien_ban) if chung is not None else None,
        record_digest=digest,
    )
