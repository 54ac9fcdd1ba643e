"""The profile's exact Signature shape, proven from the packet's own bytes.

:func:`~hocbaso.signature._profile_schema.read_signature_exact` proves a Signature's shape from
the canonical bytes of its ``SignedInfo`` and ``Object``, which the verifier needs anyway for
the signature value and the Object's digest: two canonicalisations and a walk over the tree per
signature, about half of reading a record's 15 signatures. A signer that writes what the
profile writes already puts *almost* those canonical bytes in the packet: the only differences
are the namespace declaration C14N puts on a subtree's apex, and empty elements written as
``<X …/>`` instead of ``<X …></X>``. This module reads a Signature in one match over the bytes
the hardened parser accepted, and builds the canonical ``SignedInfo`` and ``Object`` from the
match instead of canonicalising them (docs/verification.md §7).

Why a match over the bytes stands for the tree (each condition is checked, or the caller falls
back to :func:`read_signature_exact`):

1. **Every** ``<`` **of the bytes begins a tag.** The bytes hold no ``<!`` (comment, CDATA,
   DOCTYPE) and no ``<?`` after a leading XML declaration (a processing instruction). A ``<``
   cannot stand in an attribute value or in character data, so the match's tokens are the
   document's own tags and text, read in document order.
2. **The match is the element.** It begins at a start tag ``<Signature … Id="X">``; Step 3 has
   found every ``Id`` value of the document distinct, so this is the one element with Id X, the
   Signature in the slot. The grammar pairs every start tag it admits with its end tag, so the
   match ends where the element ends.
3. **The match determines the subtree.** The grammar admits no comment, processing instruction,
   entity or character reference (no ``&`` in any text or value it accepts: base64, NCNames,
   digits, the known algorithm URIs), no CR (line-end normalisation), no attribute but the
   profile's, each in double quotes, and only spaces, tabs and newlines between elements. The
   parsed values are then the very bytes matched, and the children are the profile's.
4. **The context is known.** The namespaces in scope at the Signature are exactly the one it
   declares (``sig.nsmap``), and no ancestor carries an ``xml:*`` attribute, the only things
   inclusive C14N 1.0 carries from outside a subtree onto its apex. The canonical
   ``SignedInfo`` is then its bytes with that declaration on its start tag and its empty
   elements closed explicitly; the canonical ``Object`` the same (it has no empty element).

The grammar is the canonical one of :mod:`._profile_schema` with each empty element's end
written either way and the apex declaration moved to the Signature, so a match here is a match
there: the parts, the Object's facts and the XMLDSig-schema proof the FORMAT step uses are the
same (tests compare both readers, and the built bytes with :func:`canonicalize`, on mutated
signatures).
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Callable, Mapping

from lxml import etree

from hocbaso.signature._algorithms import DSIG_NS
from hocbaso.signature._c14n import xml_attribute_above
from hocbaso.signature._profile_check import (
    MAX_KEYINFO_CERTIFICATES,
    LoadedCertificate,
    SignatureParts,
)
from hocbaso.signature._profile_schema import (
    _ALGORITHM_GROUPS,
    _ALGORITHMS,
    _OBJECT_TEMPLATE,
    _SIGNED_INFO_TEMPLATE,
    ObjectFacts,
    _chain,
    _facts,
    _grammar,
    canonical_base64_value,
    exact_parts,
)

__all__ = ["RawSignatures", "read_signature_raw", "scan_signatures", "tags_only"]

#: The elements the profile leaves empty, in the order a SignedInfo holds them.
_EMPTY = (b"CanonicalizationMethod", b"SignatureMethod", b"Transform", b"DigestMethod")
_EMPTY_ORDER = (
    b"CanonicalizationMethod",
    b"SignatureMethod",
    b"Transform",
    b"DigestMethod",
    b"Transform",
    b"DigestMethod",
)


def _either_end(template: bytes) -> bytes:
    """The canonical template with each empty element's end tag written either way, and no
    namespace declaration of its own (the Signature carries it)."""
    text = template.replace(b"{DECL}", b"")
    for name in _EMPTY:
        text = text.replace(b'"></{P}' + name + b">", b'"(?:/>|></{P}' + name + b">)")
    return text


_SIGNATURE_TEMPLATE = (
    b'<{P}Signature{DECL} Id="(?P<sid>{NCNAME})">{WS}'
    b"(?P<si>" + _either_end(_SIGNED_INFO_TEMPLATE) + b"){WS}"
    b"<{P}SignatureValue>(?P<value>[^<]*)</{P}SignatureValue>{WS}"
    b"<{P}KeyInfo>{WS}<{P}X509Data>"
    b"(?P<certs>(?:{WS}<{P}X509Certificate>[^<]*</{P}X509Certificate>)+)"
    b"{WS}</{P}X509Data>{WS}</{P}KeyInfo>{WS}"
    b"(?P<obj>" + _either_end(_OBJECT_TEMPLATE) + b"){WS}"
    b"</{P}Signature>"
)

#: Keyed by the Signature's prefix (None: the default namespace), as in :mod:`._profile_schema`.
_SIGNATURE = {
    None: _grammar(_SIGNATURE_TEMPLATE, b""),
    "ds": _grammar(_SIGNATURE_TEMPLATE, b"ds:"),
}
_START = {None: b"<Signature ", "ds": b"<ds:Signature "}
_CERTIFICATE_TEXT = {
    None: re.compile(rb"<X509Certificate>([^<]*)</X509Certificate>"),
    "ds": re.compile(rb"<ds:X509Certificate>([^<]*)</ds:X509Certificate>"),
}
_DECLARATION = {
    None: b' xmlns="' + DSIG_NS.encode() + b'"',
    "ds": b' xmlns:ds="' + DSIG_NS.encode() + b'"',
}
_NSMAP = {None: {None: DSIG_NS}, "ds": {"ds": DSIG_NS}}

#: What :func:`scan_signatures` found: per Signature Id, its match and its prefix.
RawSignatures = dict[str, tuple[re.Match[bytes], str | None]]


def _body_start(data: bytes) -> int | None:
    """Where the bytes after a leading XML declaration (and byte order mark) begin; None when
    something else the scan cannot stand for precedes the root (a processing instruction)."""
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    if not data.startswith(b"<?", start):
        return start
    # Only the XML declaration itself, "<?xml" and white space, may come first; any other
    # "<?" is a processing instruction, whose text could spell a Signature.
    if data[start + 5 : start + 6] not in (b" ", b"\t", b"\n", b"\r") or not data.startswith(
        b"<?xml", start
    ):
        return None
    end = data.find(b"?>", start)
    return None if end < 0 else end + 2


def _tags_only(data: bytes, body: int) -> bool:
    """Condition 1 of the module docstring: no ``<!`` and no ``<?`` from ``body`` on. A
    one-byte search first: a packet without ``!`` or ``?`` holds neither (the two-byte
    searches cost some 60 µs on a record, where ``<`` is everywhere)."""
    if b"!" in data and b"<!" in data:
        return False
    return data.find(b"?", body) < 0 or data.find(b"<?", body) < 0


def tags_only(data: bytes) -> int | None:
    """Condition 1 of the module docstring for ``data`` (bytes the hardened parser accepted):
    every ``<`` after a leading XML declaration begins a tag. The tree parsed from such bytes
    holds no comment and no processing instruction: those nodes come only from ``<!--`` and
    ``<?``. Where the bytes after the declaration begin when it holds (pass it on to
    :func:`scan_signatures`), else None."""
    body = _body_start(data)
    return body if body is not None and _tags_only(data, body) else None


def scan_signatures(data: bytes, body: int | None = None) -> RawSignatures:
    """Every Signature of ``data`` (bytes the hardened parser accepted: UTF-8) whose bytes
    have the profile's exact shape, by its Id; empty when condition 1 of the module docstring
    fails, and then nothing may be read from the bytes. ``body``: what :func:`tags_only`
    answered for these very bytes, if the caller asked it already (else it is asked here).
    An Id found twice is left out (the structure step refuses such a document before anything
    is read)."""
    if body is None:
        body = tags_only(data)
        if body is None:
            return {}
    found: RawSignatures = {}
    repeated: set[str] = set()
    for prefix, start in _START.items():
        grammar = _SIGNATURE[prefix]
        pos = data.find(start, body)
        while pos >= 0:
            m = grammar.match(data, pos)
            if m is None:
                pos = data.find(start, pos + 1)
                continue
            sid = m["sid"].decode("ascii")
            if sid in found:
                repeated.add(sid)
            found[sid] = (m, prefix)
            pos = data.find(start, m.end())
    for sid in repeated:
        del found[sid]
    return found


def _canonical_signed_info(span: bytes, prefix: str | None) -> bytes:
    """The inclusive C14N 1.0 of the SignedInfo written as ``span``: the declaration on the
    apex, every empty element closed by an end tag. In the span ``"/>`` can only end one of
    the six empty elements (no value or text the grammar admits holds a ``"``), which come in
    :data:`_EMPTY_ORDER`; when some are written one way and some the other, each is rewritten
    by its own match."""
    p = b"ds:" if prefix else b""
    head = b"<" + p + b"SignedInfo"
    body = span[len(head) :]
    pieces = body.split(b'"/>')
    if len(pieces) == 1:
        closed = body
    elif len(pieces) == len(_EMPTY_ORDER) + 1:
        out = [pieces[0]]
        for name, piece in zip(_EMPTY_ORDER, pieces[1:], strict=True):
            out.append(b'"></' + p + name + b">")
            out.append(piece)
        closed = b"".join(out)
    else:
        closed = _SELF_CLOSED[prefix].sub(rb"<\1\2></\1>", body)
    return head + _DECLARATION[prefix] + closed


_SELF_CLOSED = {
    prefix: re.compile(rb"<(" + p + rb"(?:" + b"|".join(_EMPTY) + rb"))( Algorithm=\"[^\"]*\")/>")
    for prefix, p in ((None, b""), ("ds", b"ds:"))
}


def read_signature_raw(
    sig: etree._Element,
    found: tuple[re.Match[bytes], str | None],
    *,
    reference_id: str,
    object_id: str,
    ids: Mapping[str, etree._Element],
    load_certificate: Callable[[str], LoadedCertificate],
) -> tuple[SignatureParts, ObjectFacts, bytes, bytes] | None:
    """:func:`read_signature_exact`'s answer for ``sig`` (``found``: the entry of
    :func:`scan_signatures` under the Id ``sig`` carries, which the match spells) plus the
    canonical bytes of its ``SignedInfo`` and ``Object``, read from the match; None when a
    condition of the module docstring or a rule of the profile does not hold (then the exact
    reader decides)."""
    m, prefix = found
    if (
        sig.nsmap != _NSMAP[prefix]
        or m["oid"] != object_id.encode()
        or m["uri1"] != reference_id.encode()
        or m["uri2"] != object_id.encode()
        or m["t1"] != m["sid"]
        or m["t2"] != m["sid"]
        or xml_attribute_above(sig)
    ):
        return None
    target = ids.get(reference_id)
    if target is None:
        return None
    texts = _CERTIFICATE_TEXT[prefix].findall(m["certs"])
    # Base64 is ASCII; any other byte (hostile text) is the exact reader's to refuse.
    if len(texts) > MAX_KEYINFO_CERTIFICATES or not all(t.isascii() for t in texts):
        return None
    key_info = sig[2]
    chain = _chain(tuple([t.decode("ascii") for t in texts]), load_certificate, key_info)
    if chain is None:
        return None
    try:
        value = canonical_base64_value(m["value"])
        if value is None:
            return None
        c14n, method, tr1, dm1, tr2, dm2 = map(_ALGORITHMS.__getitem__, m.group(*_ALGORITHM_GROUPS))
        digest1 = binascii.a2b_base64(m["dv1"], strict_mode=True)
        digest2 = binascii.a2b_base64(m["dv2"], strict_mode=True)
    except (binascii.Error, KeyError, UnicodeDecodeError):
        return None
    facts = _facts(m["time"], m["ident"], m["version"])
    if facts is None:
        return None
    p = b"ds:" if prefix else b""
    object_head = b"<" + p + b"Object"
    obj_bytes = m["obj"]
    canonical_object = object_head + _DECLARATION[prefix] + obj_bytes[len(object_head) :]
    parts = exact_parts(
        sig,
        target,
        (reference_id, object_id),
        (c14n, method, tr1, dm1, tr2, dm2),
        (digest1, digest2),
        value,
        chain,
    )
    return parts, facts, _canonical_signed_info(m["si"], prefix), canonical_object
