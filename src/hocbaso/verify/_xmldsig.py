"""Steps 3 and 4: the packet's signature layout, then each signature's cryptography.

Why a layout check before any cryptography: XML-signature wrapping attacks work by making a
Reference resolve to a node other than the one the application reads. Here every signed Id has
exactly one fixed place (``data`` is ``/HOC_BA/DU_LIEU_HOC_BA``, ``mon-<code>`` a row of
``BANG_DIEM``, ``st-…`` an ``Object`` of its own ``Signature``), Ids are unique, every
``Signature`` sits in its role's slot and nowhere else, and each Reference URI is pinned to
the role. Signatures are then located by slot, never "the first one found".

Only ``Id`` attributes name elements (as in .NET ``SignedXml`` and xmlsec1 with
``register_id(…, "Id")``); ``xml:id``, ``ID`` or ``id`` never do.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from lxml import etree

from hocbaso.errors import AlgorithmError
from hocbaso.packet._internal import VaiTroKy
from hocbaso.packet._internal import layout as L
from hocbaso.signature import (
    DSIG_NS,
    SIGPROP_NS,
    C14nMethod,
    DigestMethod,
    HocBaKy,
    SignatureMethod,
)
from hocbaso.signature import canonicalize as _canonicalize
from hocbaso.signature._internal import record_binding_of
from hocbaso.signature._internal import verify_value as _verify_sha2_value
from hocbaso.verify._certificates import load_certificate_b64, signer_summary
from hocbaso.verify._codes import Status
from hocbaso.verify._policy import VerificationPolicy
from hocbaso.verify._report import StepResult

__all__ = [
    "CanonCache",
    "ParsedSignature",
    "Slot",
    "check_signature",
    "check_structure",
    "usable_signing_time",
]

_D = f"{{{DSIG_NS}}}"
#: ``InclusiveNamespaces`` lives in the exclusive C14N namespace, which is its method's URI.
_EXC_NS = C14nMethod.EXC_C14N.value


@dataclass(frozen=True, slots=True)
class Slot:
    """A signature slot of the layout, with the Ids its role must use (``packet/_layout.py``)."""

    role: VaiTroKy
    mon: str | None
    element: etree._Element
    path: str

    @property
    def signature_id(self) -> str:
        return self.role.signature_id(self.mon)

    @property
    def object_id(self) -> str:
        return self.role.object_id(self.mon)

    @property
    def reference_id(self) -> str:
        return self.role.reference_id(self.mon)


@dataclass(slots=True)
class ParsedReference:
    uri: str
    target: etree._Element
    transforms: list[tuple[str, list[str]]]
    digest_uri: str
    digest_value: bytes
    element: etree._Element
    path: str


@dataclass(slots=True)
class ParsedSignature:
    """A structurally sound signature in its slot, ready for the cryptographic check."""

    slot: Slot
    element: etree._Element
    signed_info: etree._Element
    c14n_uri: str
    c14n_prefixes: list[str]
    method_uri: str
    references: list[ParsedReference]
    value: bytes
    leaf: x509.Certificate
    intermediates: list[x509.Certificate]
    path: str
    # Filled by the signature step:
    verified: bool = False
    signing_time: dt.datetime | None = None
    signed_target: bytes | None = None
    legacy: bool = False


@dataclass(slots=True)
class StructureOutcome:
    results: list[StepResult] = field(default_factory=list)
    fatal: bool = False
    slots: list[Slot] = field(default_factory=list)
    signatures: list[ParsedSignature] = field(default_factory=list)
    data_element: etree._Element | None = None
    rows: dict[str, etree._Element] = field(default_factory=dict)
    positions: _Positions = field(default_factory=lambda: _Positions())

    def path(self, el: etree._Element) -> str:
        """``_path`` sharing this document's sibling-position memo."""
        return _path(el, self.positions)


class CanonCache:
    """Canonical bytes per (element, method, prefixes) of one document: ``#data`` is signed
    twice. Keyed by the element proxy itself, which the key keeps alive, so an entry always
    stands for exactly its node."""

    def __init__(self) -> None:
        self._cache: dict[tuple[etree._Element, str, tuple[str, ...]], bytes] = {}

    def get(self, el: etree._Element, method: C14nMethod, prefixes: list[str]) -> bytes:
        key = (el, method.value, tuple(prefixes))
        found = self._cache.get(key)
        if found is None:
            found = _canonicalize(el, method, inclusive_ns_prefixes=prefixes)
            self._cache[key] = found
        return found


_MA_MON_HOC = etree.XPath(f"string({L.MA_MON_HOC})")
_STRING_VALUE = etree.XPath("string(.)")
_ALL_IDS = etree.XPath("//@Id")
# URI -> enum member by plain dict lookup (an Enum call costs several times more, and
# ``check_signature`` resolves ~90 URIs per record). Only URIs that ``_judge_algorithms``
# accepted are looked up here, so a KeyError cannot happen.
_C14N = {m.value: m for m in C14nMethod}
_DIGEST = {m.value: m for m in DigestMethod}
_SIGNATURE = {m.value: m for m in SignatureMethod}


class _Positions:
    """Position of each element among its same-tag siblings, computed once per parent.

    Naming an element by ``[n]`` needs its index among its siblings; finding it by scanning the
    siblings for every element named made thousands of stray elements under one parent cost
    the square of their number (16 000 stray ``Signature`` elements took a minute).
    """

    __slots__ = ("_by_parent",)

    def __init__(self) -> None:
        # Keyed by the element proxies themselves, which keeps them (and their identity) alive.
        self._by_parent: dict[etree._Element, dict[etree._Element, tuple[int, int]]] = {}

    def of(self, node: etree._Element, parent: etree._Element) -> tuple[int, int]:
        """(1-based index among same-tag siblings, number of such siblings)."""
        table = self._by_parent.get(parent)
        if table is None:
            counts: dict[object, int] = {}
            order: list[tuple[etree._Element, int]] = []
            for child in parent:
                n = counts.get(child.tag, 0) + 1
                counts[child.tag] = n
                order.append((child, n))
            table = {child: (n, counts[child.tag]) for child, n in order}
            self._by_parent[parent] = table
        return table[node]


def _path(el: etree._Element, positions: _Positions | None = None) -> str:
    """A readable XPath: ``ds:`` for XMLDSig, subject rows and GVBM slots by their code.

    Pass one ``positions`` memo for every element named in a document, so that naming many
    elements stays linear."""
    positions = positions if positions is not None else _Positions()
    parts: list[str] = []
    node: etree._Element | None = el
    while node is not None:
        q = etree.QName(node)
        if q.namespace == DSIG_NS:
            name = f"ds:{q.localname}"
        elif q.namespace:
            name = f"*[local-name()='{q.localname}']"
        else:
            name = q.localname
        parent = node.getparent()
        mon = node.get(L.ATTR_MA_MON)
        if q.namespace is None and q.localname == VaiTroKy.GVBM and mon is not None:
            name += f"[@{L.ATTR_MA_MON}='{mon}']"
        elif q.localname == L.DIEM_TONG_KET and node.get("Id") is not None:
            name += f"[@Id='{node.get('Id')}']"
        elif parent is not None:
            index, same = positions.of(node, parent)
            if same > 1:
                name += f"[{index}]"
        parts.append(name)
        node = parent
    return "/" + "/".join(reversed(parts))


def _fail(code: str, path: str, slot: Slot | None = None, **kw: str) -> StepResult:
    return StepResult.of(
        code,
        Status.FAIL,
        role=slot.role.value if slot else None,
        path=path,
        extra_vi=kw.get("vi", ""),
        extra_en=kw.get("en", ""),
    )


def _elements(parent: etree._Element) -> list[etree._Element]:
    """Element children only (comments and PIs skipped), filtered inside lxml."""
    return list(parent.iterchildren(etree.Element))


def _find_slots(root: etree._Element, out: StructureOutcome) -> bool:
    """Locate every slot; False (with a LAYOUT failure) when the skeleton is wrong."""

    def one(parent: etree._Element, tag: str) -> etree._Element | None:
        found = parent.findall(tag)
        if len(found) != 1:
            out.results.append(
                _fail(
                    "STRUCTURE.LAYOUT",
                    f"{out.path(parent)}/{tag}",
                    en=f"({len(found)} × {tag})",
                    vi=f"({len(found)} × {tag})",
                )
            )
            return None
        return found[0]

    if root.tag != L.ROOT:
        out.results.append(_fail("STRUCTURE.LAYOUT", "/", en="(root)", vi="(gốc)"))
        return False
    # The skeleton, level by level as the layout table (packet/_layout.py) names it: the data
    # block and the slot containers, then the slots and the data block's parts. Every element
    # of a level is looked at (and reported) before giving up.
    du = one(root, L.DU_LIEU)
    # GVBM slots repeat (one per subject, found below): only their container is looked up.
    paths = [
        rel.split("/")[: -1 if role is VaiTroKy.GVBM else None]
        for role, rel in L.SLOT_PATHS.items()
    ]
    found: dict[tuple[str, ...], etree._Element | None] = {(): root}
    for depth in range(max(len(p) for p in paths)):
        for parts in paths:
            key = tuple(parts[: depth + 1])
            parent = found.get(key[:-1])
            if len(parts) > depth and key not in found and parent is not None:
                found[key] = one(parent, key[-1])
        if depth == 0 and (du is None or None in found.values()):
            return False
    if du is None:
        return False
    out.data_element = du
    bang_diem = one(du, L.BANG_DIEM)
    if one(du, L.THONG_TIN) is None or None in found.values() or bang_diem is None:
        return False
    for row in bang_diem.findall(L.DIEM_TONG_KET):
        code = str(_MA_MON_HOC(row)).strip()
        if code in out.rows or row.get("Id") != L.mon_id(code):
            out.results.append(_fail("STRUCTURE.ID_MISPLACED", out.path(row)))
            return False
        out.rows[code] = row
    seen: set[str] = set()
    *gvbm_parent, gvbm_tag = L.SLOT_PATHS[VaiTroKy.GVBM].split("/")
    gvbm_container = found[tuple(gvbm_parent)]
    assert gvbm_container is not None
    for slot_el in gvbm_container.findall(gvbm_tag):
        mon = slot_el.get(L.ATTR_MA_MON) or ""
        if mon in seen:
            out.results.append(_fail("STRUCTURE.LAYOUT", out.path(slot_el), en="(GVBM ×2)"))
            return False
        seen.add(mon)
        out.slots.append(Slot(VaiTroKy.GVBM, mon, slot_el, L.slot_xpath(VaiTroKy.GVBM, mon)))
        if mon not in out.rows:
            # A slot for a subject the record does not have: signed or empty, the layout is
            # not the record's (an empty one was once accepted silently).
            out.results.append(_fail("STRUCTURE.ORPHAN_SLOT", out.path(slot_el)))
    for role, rel in L.SLOT_PATHS.items():
        if role is not VaiTroKy.GVBM:
            el = found[tuple(rel.split("/"))]
            assert el is not None
            out.slots.append(Slot(role, None, el, L.slot_xpath(role)))
    return True


def _unique_ids(root: etree._Element, out: StructureOutcome) -> dict[str, etree._Element] | None:
    """Every ``Id`` value → its element, or None (with failures) if any value repeats."""
    by_id: dict[str, list[etree._Element]] = {}
    # One XPath inside libxml2 instead of a Python walk over every element (a third of the
    # cost). ``@Id`` is the un-namespaced attribute only, exactly what ``el.get("Id")`` reads.
    found = _ALL_IDS(root)
    assert isinstance(found, list)
    for attr in found:
        assert isinstance(attr, etree._ElementUnicodeResult)
        el = attr.getparent()  # an attribute result ("smart string") knows its element
        assert isinstance(el, etree._Element)
        by_id.setdefault(str(attr), []).append(el)
    ok = True
    for els in by_id.values():
        if len(els) > 1:
            ok = False
            for el in els:
                out.results.append(_fail("STRUCTURE.DUPLICATE_ID", out.path(el)))
    return {k: v[0] for k, v in by_id.items()} if ok else None


def _check_ids(ids: dict[str, etree._Element], out: StructureOutcome) -> bool:
    """Each signed Id at its one fixed place (a Signature's own place is checked later)."""
    ok = True
    du = out.data_element
    assert du is not None
    expected = {L.ID_DATA: du, L.ID_THONG_TIN: du.find(L.THONG_TIN)}
    for value, el in ids.items():
        mon = L.mon_of_id(value)
        if value in expected:
            good = el is expected[value]
        elif mon is not None:
            good = out.rows.get(mon) is el
        elif value.startswith(L.SIGNATURE_ID_PREFIX):
            good = el.tag == _D + "Signature"
        elif value.startswith(L.OBJECT_ID_PREFIX):
            parent = el.getparent()
            good = (
                el.tag == _D + "Object" and parent is not None and (parent.tag == _D + "Signature")
            )
        else:
            continue
        if not good:
            ok = False
            out.results.append(_fail("STRUCTURE.ID_MISPLACED", out.path(el)))
    for value, maybe in expected.items():
        if maybe is None or maybe.get("Id") != value:
            ok = False
            where = maybe if maybe is not None else du
            out.results.append(_fail("STRUCTURE.ID_MISPLACED", out.path(where)))
    return ok


def _check_comments(
    root: etree._Element, out: StructureOutcome, policy: VerificationPolicy
) -> None:
    """Comments / PIs inside signed content (the data block or any Signature)."""
    for node in root.iter(etree.Comment, etree.ProcessingInstruction):
        anc = node.getparent()
        while anc is not None:
            if anc.tag in (L.DU_LIEU, _D + "Signature"):
                status = Status.WARN if policy.allow_comments else Status.FAIL
                parent = node.getparent()
                out.results.append(
                    StepResult.of(
                        "STRUCTURE.COMMENT",
                        status,
                        path=out.path(parent) if parent is not None else "",
                    )
                )
                break
            anc = anc.getparent()


def _decode_b64(text: str | None) -> bytes:
    return base64.b64decode("".join((text or "").split()), validate=True)


def _shape(
    sig: etree._Element, slot: Slot, ids: dict[str, etree._Element], out: StructureOutcome
) -> ParsedSignature | None:
    """Parse one in-slot Signature strictly; append failures and return None if unusable."""
    path = f"{slot.path}/ds:Signature"
    kids = _elements(sig)
    tags = [k.tag for k in kids]
    if tags != [_D + "SignedInfo", _D + "SignatureValue", _D + "KeyInfo", _D + "Object"]:
        out.results.append(_fail("STRUCTURE.SIGNATURE_SHAPE", path, slot, en="(children)"))
        return None
    signed_info, value_el, key_info, obj = kids
    si = _elements(signed_info)
    si_tags = [k.tag for k in si]
    if si_tags[:2] != [_D + "CanonicalizationMethod", _D + "SignatureMethod"] or any(
        t != _D + "Reference" for t in si_tags[2:]
    ):
        out.results.append(_fail("STRUCTURE.SIGNATURE_SHAPE", out.path(signed_info), slot))
        return None
    refs = si[2:]
    if len(refs) != 2:
        out.results.append(
            _fail(
                "STRUCTURE.SIGNATURE_SHAPE",
                out.path(signed_info),
                slot,
                en=f"({len(refs)} References, 2 required)",
                vi=f"({len(refs)} Reference, cần đúng 2)",
            )
        )
        return None
    expected_uris = [f"#{slot.reference_id}", f"#{slot.object_id}"]
    targets = [ids.get(slot.reference_id), obj if obj.get("Id") == slot.object_id else None]
    parsed_refs: list[ParsedReference] = []
    for ref, want, target in zip(refs, expected_uris, targets, strict=True):
        if ref.get("URI") != want or target is None:
            out.results.append(
                _fail(
                    "STRUCTURE.REFERENCE_MISMATCH",
                    out.path(ref),
                    slot,
                    en=f"(expected {want})",
                    vi=f"(phải là {want})",
                )
            )
            return None
        parts = _elements(ref)
        ptags = [p.tag for p in parts]
        transforms: list[tuple[str, list[str]]] = []
        if ptags and ptags[0] == _D + "Transforms":
            for t in _elements(parts[0]):
                if t.tag != _D + "Transform":
                    out.results.append(_fail("STRUCTURE.SIGNATURE_SHAPE", out.path(t), slot))
                    return None
                inc = t.find(f"{{{_EXC_NS}}}InclusiveNamespaces")
                prefixes = (inc.get("PrefixList") or "").split() if inc is not None else []
                transforms.append((t.get("Algorithm") or "", prefixes))
            parts = parts[1:]
            ptags = ptags[1:]
        if ptags != [_D + "DigestMethod", _D + "DigestValue"]:
            out.results.append(_fail("STRUCTURE.SIGNATURE_SHAPE", out.path(ref), slot))
            return None
        try:
            digest_value = _decode_b64(parts[1].text)
        except (binascii.Error, ValueError):
            out.results.append(_fail("STRUCTURE.SIGNATURE_SHAPE", out.path(parts[1]), slot))
            return None
        parsed_refs.append(
            ParsedReference(
                want,
                target,
                transforms,
                parts[0].get("Algorithm") or "",
                digest_value,
                ref,
                out.path(ref),
            )
        )
    try:
        value = _decode_b64(value_el.text)
    except (binascii.Error, ValueError):
        out.results.append(_fail("STRUCTURE.SIGNATURE_SHAPE", out.path(value_el), slot))
        return None
    certs = _certificates(key_info)
    if certs is None:
        out.results.append(
            _fail("STRUCTURE.SIGNATURE_SHAPE", out.path(key_info), slot, en="(KeyInfo)")
        )
        return None
    # The leaf is the one certificate that issued none of the others. Counting issuer names
    # once keeps this linear (a pairwise test cost the square of the KeyInfo's size).
    issued: dict[bytes, int] = {}
    for _, _, issuer in certs:
        issued[issuer] = issued.get(issuer, 0) + 1
    leaves = [c for c in certs if issued.get(c[1], 0) - (c[2] == c[1]) == 0]
    if len(leaves) != 1:
        out.results.append(
            _fail(
                "STRUCTURE.SIGNATURE_SHAPE",
                out.path(key_info),
                slot,
                en="(exactly one leaf certificate required)",
                vi="(cần đúng một chứng thư người ký)",
            )
        )
        return None
    cm = si[0]
    inc = cm.find(f"{{{_EXC_NS}}}InclusiveNamespaces")
    return ParsedSignature(
        slot=slot,
        element=sig,
        signed_info=signed_info,
        c14n_uri=cm.get("Algorithm") or "",
        c14n_prefixes=(inc.get("PrefixList") or "").split() if inc is not None else [],
        method_uri=si[1].get("Algorithm") or "",
        references=parsed_refs,
        value=value,
        leaf=leaves[0][0],
        intermediates=[c[0] for c in certs if c is not leaves[0]],
        path=path,
    )


#: Most certificates one KeyInfo may carry (leaf and chain; a real chain has 2–4). More is
#: refused as a shape error before path building could spend time on them.
MAX_KEYINFO_CERTIFICATES = 8

_X509_IGNORED = {_D + "X509SubjectName", _D + "X509IssuerSerial", _D + "X509SKI"}


def _certificates(
    key_info: etree._Element,
) -> list[tuple[x509.Certificate, bytes, bytes]] | None:
    """Certificates of ``KeyInfo/X509Data``; None if KeyInfo holds anything else."""
    kids = _elements(key_info)
    if len(kids) != 1 or kids[0].tag != _D + "X509Data":
        return None
    certs: list[tuple[x509.Certificate, bytes, bytes]] = []
    for el in _elements(kids[0]):
        if el.tag in _X509_IGNORED:
            continue
        if el.tag != _D + "X509Certificate" or len(certs) >= MAX_KEYINFO_CERTIFICATES:
            return None
        try:
            certs.append(load_certificate_b64(el.text or ""))
        except (binascii.Error, ValueError):
            return None
    return certs or None


def check_structure(root: etree._Element, policy: VerificationPolicy) -> StructureOutcome:
    """Step 3. ``fatal`` means the document is ambiguous and no signature may be checked."""
    out = StructureOutcome()
    ids = _unique_ids(root, out)
    if ids is None or not _find_slots(root, out) or not _check_ids(ids, out):
        out.fatal = True
        return out
    _check_comments(root, out, policy)
    slot_elements = {s.element for s in out.slots}
    in_slot: dict[etree._Element, list[etree._Element]] = {}
    for sig in root.iter(_D + "Signature"):
        parent = sig.getparent()
        if parent is None or parent not in slot_elements:
            out.results.append(_fail("STRUCTURE.MISPLACED_SIGNATURE", out.path(sig)))
            continue
        in_slot.setdefault(parent, []).append(sig)
    for slot in out.slots:
        sigs = in_slot.get(slot.element, [])
        if not sigs:
            continue
        if len(sigs) > 1:
            out.results.append(
                _fail("STRUCTURE.MISPLACED_SIGNATURE", slot.path, slot, en="(2 in one slot)")
            )
            continue
        sig = sigs[0]
        if sig.get("Id") != slot.signature_id:
            out.results.append(
                _fail(
                    "STRUCTURE.MISPLACED_SIGNATURE",
                    out.path(sig),
                    slot,
                    en=f"(slot expects Id {slot.signature_id})",
                    vi=f"(ô ký cần Id {slot.signature_id})",
                )
            )
            continue
        if slot.role is VaiTroKy.GVBM and slot.mon not in out.rows:
            out.results.append(
                _fail("STRUCTURE.REFERENCE_MISMATCH", slot.path, slot, en="(no such subject row)")
            )
            continue
        parsed = _shape(sig, slot, ids, out)
        if parsed is not None:
            out.signatures.append(parsed)
    if not any(r.status is Status.FAIL for r in out.results):
        out.results.append(StepResult.of("STRUCTURE.OK", Status.PASS))
    return out


def _algorithm_results(
    ps: ParsedSignature, policy: VerificationPolicy
) -> tuple[tuple[str, Status, str], ...]:
    """(code, status, detail) for every algorithm problem of one signature.

    Every signature of a packet uses the same few URIs, so the judgement is memoised on the
    URIs and the policy (both immutable)."""
    return _judge_algorithms(
        policy,
        ps.c14n_uri,
        tuple(tuple(t for t, _ in r.transforms) for r in ps.references),
        tuple(r.digest_uri for r in ps.references),
        ps.method_uri,
    )


@functools.lru_cache(maxsize=256)
def _judge_algorithms(
    policy: VerificationPolicy,
    c14n_uri: str,
    transforms: tuple[tuple[str, ...], ...],
    digest_uris: tuple[str, ...],
    method_uri: str,
) -> tuple[tuple[str, Status, str], ...]:
    return tuple(_iter_algorithms(policy, c14n_uri, transforms, digest_uris, method_uri))


def _iter_algorithms(
    policy: VerificationPolicy,
    c14n_uri: str,
    transforms: tuple[tuple[str, ...], ...],
    digest_uris: tuple[str, ...],
    method_uri: str,
) -> Iterator[tuple[str, Status, str]]:
    uris: list[tuple[str, str]] = [("c14n", c14n_uri)]
    uris += [("transform", t) for ts in transforms for t in ts]
    for kind, uri in uris:
        try:
            m = C14nMethod(uri)
        except ValueError:
            if kind == "c14n":
                yield "SIGNATURE.ALGORITHM_REFUSED", Status.FAIL, uri
            else:
                yield "SIGNATURE.TRANSFORM_REFUSED", Status.FAIL, uri
            continue
        if m.with_comments:
            yield "SIGNATURE.C14N_WITH_COMMENTS", Status.FAIL, uri
        elif m not in policy.c14n_methods:
            yield "SIGNATURE.ALGORITHM_REFUSED", Status.FAIL, uri
    for ts, digest_uri in zip(transforms, digest_uris, strict=True):
        if len(ts) != 1:
            yield "SIGNATURE.TRANSFORM_REFUSED", Status.FAIL, f"{len(ts)} transforms"
        try:
            d = DigestMethod(digest_uri)
        except ValueError:
            yield "SIGNATURE.ALGORITHM_REFUSED", Status.FAIL, digest_uri
            continue
        if d in policy.legacy_digest_methods:
            yield "SIGNATURE.ALGORITHM_LEGACY", Status.WARN, d.value
        elif d not in policy.digest_methods:
            yield "SIGNATURE.ALGORITHM_REFUSED", Status.FAIL, d.value
    try:
        s = SignatureMethod(method_uri)
    except ValueError:
        yield "SIGNATURE.ALGORITHM_REFUSED", Status.FAIL, method_uri
        return
    if s in policy.legacy_signature_methods:
        yield "SIGNATURE.ALGORITHM_LEGACY", Status.WARN, s.value
    elif s not in policy.signature_methods:
        yield "SIGNATURE.ALGORITHM_REFUSED", Status.FAIL, s.value


def verify_value(
    cert: x509.Certificate, method: SignatureMethod, value: bytes, data: bytes
) -> bool:
    """The signing core's check for SHA-2 methods; RSA-SHA1 only reaches here under a legacy
    policy (``_algorithm_results`` refuses it otherwise)."""
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


#: The range a signing time must fall in, in UTC. A signature claiming a time outside it is
#: not one anybody made; inside it, the date arithmetic of the later checks (UTC conversion,
#: time buckets, clock skew) cannot overflow Python's datetime (years 1–9999), which
#: ``0001-01-01T00:00:00+14:00`` or ``9999-12-31T23:59:59-14:00`` would.
EARLIEST_SIGNING_TIME = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST_SIGNING_TIME = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)


def usable_signing_time(when: dt.datetime) -> bool:
    """Whether ``when`` (aware) lies in the accepted range; comparing never overflows."""
    return EARLIEST_SIGNING_TIME <= when < LATEST_SIGNING_TIME


def _usable_key(cert: x509.Certificate) -> bool:
    """An RSA or EC public key that ``cryptography`` loads (it refuses RSA e < 3, and raises
    ``UnsupportedAlgorithm`` for a key algorithm it does not know)."""
    try:
        key = cert.public_key()
    except (UnsupportedAlgorithm, ValueError):
        return False
    return isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey)


def _signing_time(obj: etree._Element, signature_id: str) -> dt.datetime | None:
    """SigningTime of the digested ``Object``, read as XPath string-values.

    The string-value of an element is the concatenation of its text nodes without comments
    or processing instructions, which is exactly the character content its canonical form
    (the digested bytes) carries, so this reads the signed value without a re-parse.
    """
    times = [
        t
        for prop in obj.iterfind(f"{_D}SignatureProperties/{_D}SignatureProperty")
        if prop.get("Target") == f"#{signature_id}"
        for t in prop.findall(f"{{{SIGPROP_NS}}}SigningTime")
    ]
    if len(times) != 1 or len(times[0]):
        return None
    try:
        value = dt.datetime.fromisoformat(str(_STRING_VALUE(times[0])).strip())
    except ValueError:
        return None
    if value.tzinfo is None or not usable_signing_time(value):
        return None
    return value


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
    the packet's data names; None when it names none, which nothing matches)."""
    results: list[StepResult] = []
    role = ps.slot.role.value
    who = signer_summary(ps.leaf)

    def res(code: str, status: Status, path: str, detail: str = "") -> StepResult:
        extra = f"({detail})" if detail else ""
        return StepResult.of(
            code, status, role=role, signer=who, path=path, extra_en=extra, extra_vi=extra
        )

    refused = False
    for code, status, detail in _algorithm_results(ps, policy):
        results.append(res(code, status, ps.path, detail))
        refused = refused or status is Status.FAIL
    if refused:
        return results
    ps.legacy = any(r.status is Status.WARN for r in results)
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
                res(_c14n_code(e, "SIGNATURE.TRANSFORM_REFUSED"), Status.FAIL, r.path, e.code)
            )
            return results
        canon_refs.append(data)
        digest = hashlib.new(_DIGEST[r.digest_uri].hash_name, data).digest()
        if digest != r.digest_value:
            digest_ok = False
            results.append(res("SIGNATURE.DIGEST_MISMATCH", Status.FAIL, r.path, r.uri))
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
    when = _signing_time(ps.references[1].target, ps.slot.signature_id)
    if when is None:
        results.append(res("SIGNATURE.SIGNING_TIME_INVALID", Status.FAIL, ps.path))
        return results
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
