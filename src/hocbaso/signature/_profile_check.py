"""The XMLDSig profile's rules for reading a ``Signature``, written once for signer and verifier.

Before adding a role the signing core re-checks the earlier signatures it depends on
(``_profile.check_signature``), and the verifier checks every signature of a packet (steps 3 and
4 of docs/verification.md §2). Both read a Signature here, so they accept and refuse exactly the
same shapes (docs/signing.md §2):

- children ``SignedInfo``, ``SignatureValue``, ``KeyInfo``, ``Object``, in that order and
  nothing else (comments and processing instructions are not children);
- ``SignedInfo``: ``CanonicalizationMethod``, ``SignatureMethod``, then exactly two
  ``Reference``: the first to ``#`` + the role's element Id, the second to ``#`` + the Id of the
  signature's own ``Object``;
- each ``Reference``: ``Transforms`` (of ``Transform`` elements) if any, ``DigestMethod``,
  ``DigestValue`` in base64;
- ``KeyInfo``: exactly one ``X509Data`` holding base64 ``X509Certificate`` elements (at most
  :data:`MAX_KEYINFO_CERTIFICATES`; ``X509SubjectName``, ``X509IssuerSerial`` and ``X509SKI``
  are ignored), of which exactly one is the leaf: the one that issued none of the others;
- the signing time: exactly one ``SigningTime`` in a ``SignatureProperty`` targeting the
  signature, an ``xs:dateTime`` with an offset, between :data:`EARLIEST_SIGNING_TIME` and
  :data:`LATEST_SIGNING_TIME`;
- algorithms (:func:`algorithm_problems`): every canonicalisation known and without comments,
  exactly one Transform per Reference, and every method in the caller's accepted (or legacy)
  sets.

A violation is a :class:`ProfileViolation` naming the element at fault; the signer turns it into
a ``SIGN.EXISTING.*`` refusal and the verifier into a coded step.
"""

from __future__ import annotations

import binascii
import datetime as dt
import functools
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from cryptography import x509
from lxml import etree

from hocbaso.signature._algorithms import (
    DSIG_NS,
    SIGPROP_NS,
    C14nMethod,
    DigestMethod,
    SignatureMethod,
)

__all__ = [
    "EARLIEST_SIGNING_TIME",
    "LATEST_SIGNING_TIME",
    "MAX_KEYINFO_CERTIFICATES",
    "AlgorithmProblem",
    "LoadedCertificate",
    "ProfileViolation",
    "ReferenceParts",
    "SignatureParts",
    "Violation",
    "algorithm_problems",
    "decode_b64",
    "key_info_certificates",
    "leaf_and_chain",
    "leaf_string_value",
    "read_signature",
    "signing_time_of",
    "usable_signing_time",
]

_D = f"{{{DSIG_NS}}}"
#: ``InclusiveNamespaces`` lives in the exclusive C14N namespace, which is its method's URI.
_EXC_NS = C14nMethod.EXC_C14N.value
_STRING_VALUE = etree.XPath("string(.)")
_INCLUSIVE_NAMESPACES = f"{{{_EXC_NS}}}InclusiveNamespaces"
_PROPERTIES = _D + "SignatureProperties"
_PROPERTY = _D + "SignatureProperty"
_SIGNING_TIME = f"{{{SIGPROP_NS}}}SigningTime"


def leaf_string_value(el: etree._Element) -> str:
    """The XPath string-value of an element with no child node at all (``len(el) == 0``: lxml
    counts comments and processing instructions as children too): its text, which the parser
    has already merged from text and CDATA. Equal to ``string(.)`` on such an element, without
    an XPath evaluation (a few microseconds each, twice per signature). Any other element is
    read with the XPath itself."""
    if len(el):
        return str(_STRING_VALUE(el))
    return el.text or ""

#: Most certificates one KeyInfo may carry (leaf and chain; a real chain has 2–4). More is
#: refused as a shape error before path building could spend time on them.
MAX_KEYINFO_CERTIFICATES = 8
_X509_IGNORED = frozenset({_D + "X509SubjectName", _D + "X509IssuerSerial", _D + "X509SKI"})

#: The range a signing time must fall in, in UTC. A signature claiming a time outside it is
#: not one anybody made; inside it, the date arithmetic of the later checks (UTC conversion,
#: time buckets, clock skew) cannot overflow Python's datetime (years 1–9999), which
#: ``0001-01-01T00:00:00+14:00`` or ``9999-12-31T23:59:59-14:00`` would.
EARLIEST_SIGNING_TIME = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST_SIGNING_TIME = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)

#: ``(certificate, subject DER, issuer DER)`` of one ``X509Certificate``.
LoadedCertificate = tuple[x509.Certificate, bytes, bytes]


class Violation(StrEnum):
    """What kind of rule a Signature broke."""

    #: An element missing, repeated, out of order or of the wrong kind.
    SHAPE = "SHAPE"
    #: A Reference that does not point where the role's References must.
    REFERENCE = "REFERENCE"
    #: KeyInfo that is not one X509Data of readable certificates with exactly one leaf.
    KEY_INFO = "KEY_INFO"
    #: A DigestValue or SignatureValue that is not base64.
    ENCODING = "ENCODING"


class ProfileViolation(Exception):
    """A Signature breaks the profile: ``kind``, the ``element`` at fault, details for messages."""

    def __init__(
        self, kind: Violation, element: etree._Element, en: str = "", vi: str = ""
    ) -> None:
        super().__init__(f"{kind}: {en}")
        self.kind = kind
        self.element = element
        self.en = en
        self.vi = vi


@dataclass(slots=True)
class ReferenceParts:
    """One Reference of a Signature, read but not yet digested."""

    uri: str
    target: etree._Element
    transforms: list[tuple[str, list[str]]]
    digest_uri: str
    digest_value: bytes
    element: etree._Element


@dataclass(slots=True)
class SignatureParts:
    """A Signature that has the profile's shape, ready for the algorithm and crypto checks."""

    element: etree._Element
    signed_info: etree._Element
    c14n_uri: str
    c14n_prefixes: list[str]
    method_uri: str
    references: list[ReferenceParts]
    value: bytes
    key_info: etree._Element
    leaf: x509.Certificate
    intermediates: list[x509.Certificate]

    @property
    def signed_object(self) -> etree._Element:
        """The signature's own ``Object`` (Reference 2's target)."""
        return self.references[1].target


def _elements(parent: etree._Element) -> list[etree._Element]:
    """Element children only (comments and PIs skipped), filtered inside lxml."""
    return list(parent.iterchildren(etree.Element))


def decode_b64(text: str | None) -> bytes:
    """Base64 with any whitespace inside; raises ``binascii.Error``/``ValueError``."""
    # ``base64.b64decode(…, validate=True)`` is ``a2b_base64(s.encode("ascii"),
    # strict_mode=True)``; called directly (three times per signature) without its wrappers.
    # A non-ASCII character raises UnicodeEncodeError, a ValueError, as b64decode's does.
    return binascii.a2b_base64("".join((text or "").split()).encode("ascii"), strict_mode=True)


def _inclusive_prefixes(method_element: etree._Element) -> list[str]:
    # The first such child, as ``find`` returns it, without ElementPath (three per signature).
    inc = next(method_element.iterchildren(_INCLUSIVE_NAMESPACES), None)
    return (inc.get("PrefixList") or "").split() if inc is not None else []


def read_signature(
    sig: etree._Element,
    *,
    reference_id: str,
    object_id: str,
    ids: Mapping[str, etree._Element],
    load_certificate: Callable[[str], LoadedCertificate],
) -> SignatureParts:
    """Read ``sig`` by the profile's shape rules; raise :class:`ProfileViolation` at the first
    rule broken. ``ids`` maps every Id of the document to its element; ``load_certificate``
    parses an ``X509Certificate`` text (raising ``ValueError`` when it cannot)."""
    kids = _elements(sig)
    if [k.tag for k in kids] != [
        _D + "SignedInfo",
        _D + "SignatureValue",
        _D + "KeyInfo",
        _D + "Object",
    ]:
        raise ProfileViolation(Violation.SHAPE, sig, "(children)")
    signed_info, value_el, key_info, obj = kids
    si = _elements(signed_info)
    si_tags = [k.tag for k in si]
    if si_tags[:2] != [_D + "CanonicalizationMethod", _D + "SignatureMethod"] or any(
        t != _D + "Reference" for t in si_tags[2:]
    ):
        raise ProfileViolation(Violation.SHAPE, signed_info)
    refs = si[2:]
    if len(refs) != 2:
        raise ProfileViolation(
            Violation.SHAPE,
            signed_info,
            f"({len(refs)} References, 2 required)",
            f"({len(refs)} Reference, cần đúng 2)",
        )
    expected_uris = [f"#{reference_id}", f"#{object_id}"]
    targets = [ids.get(reference_id), obj if obj.get("Id") == object_id else None]
    references = [
        _read_reference(ref, want, target)
        for ref, want, target in zip(refs, expected_uris, targets, strict=True)
    ]
    try:
        value = decode_b64(value_el.text)
    except (binascii.Error, ValueError):
        raise ProfileViolation(Violation.ENCODING, value_el) from None
    leaf, intermediates = key_info_certificates(key_info, load_certificate)
    return SignatureParts(
        element=sig,
        signed_info=signed_info,
        c14n_uri=si[0].get("Algorithm") or "",
        c14n_prefixes=_inclusive_prefixes(si[0]),
        method_uri=si[1].get("Algorithm") or "",
        references=references,
        value=value,
        key_info=key_info,
        leaf=leaf,
        intermediates=intermediates,
    )


def _read_reference(
    ref: etree._Element, want: str, target: etree._Element | None
) -> ReferenceParts:
    if ref.get("URI") != want or target is None:
        raise ProfileViolation(
            Violation.REFERENCE, ref, f"(expected {want})", f"(phải là {want})"
        )
    parts = _elements(ref)
    transforms: list[tuple[str, list[str]]] = []
    if parts and parts[0].tag == _D + "Transforms":
        for t in _elements(parts[0]):
            if t.tag != _D + "Transform":
                raise ProfileViolation(Violation.SHAPE, t)
            transforms.append((t.get("Algorithm") or "", _inclusive_prefixes(t)))
        parts = parts[1:]
    if [p.tag for p in parts] != [_D + "DigestMethod", _D + "DigestValue"]:
        raise ProfileViolation(Violation.SHAPE, ref)
    try:
        digest_value = decode_b64(parts[1].text)
    except (binascii.Error, ValueError):
        raise ProfileViolation(Violation.ENCODING, parts[1]) from None
    return ReferenceParts(
        want, target, transforms, parts[0].get("Algorithm") or "", digest_value, ref
    )


def key_info_certificates(
    key_info: etree._Element, load: Callable[[str], LoadedCertificate]
) -> tuple[x509.Certificate, list[x509.Certificate]]:
    """The leaf and the other certificates of ``KeyInfo/X509Data``."""
    kids = _elements(key_info)
    if len(kids) != 1 or kids[0].tag != _D + "X509Data":
        raise ProfileViolation(Violation.KEY_INFO, key_info, "(KeyInfo)")
    certs: list[LoadedCertificate] = []
    for el in _elements(kids[0]):
        if el.tag in _X509_IGNORED:
            continue
        if el.tag != _D + "X509Certificate" or len(certs) >= MAX_KEYINFO_CERTIFICATES:
            raise ProfileViolation(Violation.KEY_INFO, key_info, "(KeyInfo)")
        try:
            certs.append(load(el.text or ""))
        except (binascii.Error, ValueError):
            raise ProfileViolation(Violation.KEY_INFO, key_info, "(KeyInfo)") from None
    return leaf_and_chain(certs, key_info)


def leaf_and_chain(
    certs: Sequence[LoadedCertificate], key_info: etree._Element
) -> tuple[x509.Certificate, list[x509.Certificate]]:
    """The leaf of a KeyInfo's certificates and the others, in order; raises
    :class:`ProfileViolation` (naming ``key_info``) unless exactly one is a leaf."""
    if not certs:
        raise ProfileViolation(Violation.KEY_INFO, key_info, "(KeyInfo)")
    # The leaf is the one certificate that issued none of the others. Counting issuer names
    # once keeps this linear (a pairwise test cost the square of the KeyInfo's size).
    issued: dict[bytes, int] = {}
    for _, _, issuer in certs:
        issued[issuer] = issued.get(issuer, 0) + 1
    leaves = [c for c in certs if issued.get(c[1], 0) - (c[2] == c[1]) == 0]
    if len(leaves) != 1:
        raise ProfileViolation(
            Violation.KEY_INFO,
            key_info,
            "(exactly one leaf certificate required)",
            "(cần đúng một chứng thư người ký)",
        )
    return leaves[0][0], [c[0] for c in certs if c is not leaves[0]]


# -- algorithms ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AlgorithmProblem:
    """One algorithm a Signature uses that the caller's sets refuse, or accept as legacy only.

    ``kind``: ``ALGORITHM_REFUSED``, ``TRANSFORM_REFUSED``, ``C14N_WITH_COMMENTS`` or
    ``ALGORITHM_LEGACY`` (accepted with a warning); ``detail`` names the URI or the count.
    """

    kind: str
    detail: str

    @property
    def legacy(self) -> bool:
        return self.kind == "ALGORITHM_LEGACY"


class _ReferenceAlgorithms(Protocol):
    @property
    def transforms(self) -> Sequence[tuple[str, Sequence[str]]]: ...
    @property
    def digest_uri(self) -> str: ...


class _SignatureAlgorithms(Protocol):
    """What :func:`algorithm_problems` reads: :class:`SignatureParts` or the verifier's view."""

    @property
    def c14n_uri(self) -> str: ...
    @property
    def method_uri(self) -> str: ...
    @property
    def references(self) -> Sequence[_ReferenceAlgorithms]: ...


def algorithm_problems(
    parts: _SignatureAlgorithms,
    *,
    c14n_methods: Collection[C14nMethod],
    digest_methods: Collection[DigestMethod],
    signature_methods: Collection[SignatureMethod],
    legacy_digest_methods: Collection[DigestMethod] = frozenset(),
    legacy_signature_methods: Collection[SignatureMethod] = frozenset(),
) -> tuple[AlgorithmProblem, ...]:
    """Every algorithm problem of one Signature, in document order (empty: all accepted).

    Every signature of a packet uses the same few URIs, so the judgement is memoised on the
    URIs and the (immutable) sets."""
    refs = parts.references
    return _judge(
        parts.c14n_uri,
        tuple([tuple([t for t, _ in r.transforms]) for r in refs]),
        tuple([r.digest_uri for r in refs]),
        parts.method_uri,
        frozenset(c14n_methods),
        frozenset(digest_methods),
        frozenset(signature_methods),
        frozenset(legacy_digest_methods),
        frozenset(legacy_signature_methods),
    )


@functools.lru_cache(maxsize=256)
def _judge(
    c14n_uri: str,
    transforms: tuple[tuple[str, ...], ...],
    digest_uris: tuple[str, ...],
    method_uri: str,
    c14n_methods: frozenset[C14nMethod],
    digest_methods: frozenset[DigestMethod],
    signature_methods: frozenset[SignatureMethod],
    legacy_digests: frozenset[DigestMethod],
    legacy_signatures: frozenset[SignatureMethod],
) -> tuple[AlgorithmProblem, ...]:
    """The judgement behind :func:`algorithm_problems`, on hashable arguments."""
    out: list[AlgorithmProblem] = []
    uris: list[tuple[str, str]] = [("c14n", c14n_uri)]
    uris += [("transform", t) for ts in transforms for t in ts]
    for kind, uri in uris:
        try:
            m = C14nMethod(uri)
        except ValueError:
            refused = "ALGORITHM_REFUSED" if kind == "c14n" else "TRANSFORM_REFUSED"
            out.append(AlgorithmProblem(refused, uri))
            continue
        if m.with_comments:
            out.append(AlgorithmProblem("C14N_WITH_COMMENTS", uri))
        elif m not in c14n_methods:
            out.append(AlgorithmProblem("ALGORITHM_REFUSED", uri))
    for ts, digest_uri in zip(transforms, digest_uris, strict=True):
        if len(ts) != 1:
            out.append(AlgorithmProblem("TRANSFORM_REFUSED", f"{len(ts)} transforms"))
        try:
            d = DigestMethod(digest_uri)
        except ValueError:
            out.append(AlgorithmProblem("ALGORITHM_REFUSED", digest_uri))
            continue
        if d in legacy_digests:
            out.append(AlgorithmProblem("ALGORITHM_LEGACY", d.value))
        elif d not in digest_methods:
            out.append(AlgorithmProblem("ALGORITHM_REFUSED", d.value))
    try:
        s = SignatureMethod(method_uri)
    except ValueError:
        out.append(AlgorithmProblem("ALGORITHM_REFUSED", method_uri))
        return tuple(out)
    if s in legacy_signatures:
        out.append(AlgorithmProblem("ALGORITHM_LEGACY", s.value))
    elif s not in signature_methods:
        out.append(AlgorithmProblem("ALGORITHM_REFUSED", s.value))
    return tuple(out)


# -- the signed Object -----------------------------------------------------------------------


def usable_signing_time(when: dt.datetime) -> bool:
    """Whether ``when`` (aware) lies in the accepted range; comparing never overflows."""
    return EARLIEST_SIGNING_TIME <= when < LATEST_SIGNING_TIME


def signing_time_of(obj: etree._Element, signature_id: str) -> dt.datetime | None:
    """SigningTime of a signature's signed ``Object``, or None if missing, repeated, not an
    ``xs:dateTime`` with an offset, or outside the accepted range.

    Read as an XPath string-value: the concatenation of its text nodes without comments or
    processing instructions, exactly the character content its canonical form (the digested
    bytes) carries, so this reads the signed value without a re-parse.
    """
    target = f"#{signature_id}"
    # Direct child iteration, in document order: what ``iterfind("SignatureProperties/
    # SignatureProperty")`` + ``findall`` select, without ElementPath's Python-level parser.
    times = [
        t
        for props in obj.iterchildren(_PROPERTIES)
        for prop in props.iterchildren(_PROPERTY)
        if prop.get("Target") == target
        for t in prop.iterchildren(_SIGNING_TIME)
    ]
    if len(times) != 1 or len(times[0]):
        return None
    try:
        value = dt.datetime.fromisoformat(leaf_string_value(times[0]).strip())
    except ValueError:
        return None
    if value.tzinfo is None or not usable_signing_time(value):
        return None
    return value
