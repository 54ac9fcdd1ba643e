"""Which record a packet is: its record digest and identifier + version (docs/signing.md §1, §7).

**Record digest.** Every digest that identifies a signed record — the previous-version digest a
correction names (``DINH_CHINH/BAM_PHIEN_BAN_TRUOC``), the digest a revocation notice names
(``BAM_HOC_BA``), the version-chain and notice checks of the verifier — is
:func:`record_digest`: the lowercase hex SHA-256 of the inclusive C14N 1.0 (without comments)
canonical form of the packet's ``DU_LIEU_HOC_BA Id="data"`` element. Those are exactly the bytes
the CBQL and KY_PHAT_HANH Reference 1 digests (with the profile's C14N 1.0 transform), so the
digest changes when, and only when, signed content changes: a trailing newline, CRLF line ends,
a byte-order mark, a missing XML declaration, re-wrapped base64 in a ``SignatureValue``, an
added ``X509SubjectName`` or an ECDSA value rewritten to high-S are not signed and do not change
which record it is. The SHA-256 of the file bytes is a *transport* digest only.

**Record binding.** :func:`record_binding_in` reads the identifier and version the packet's
signed data names; every signature the library makes carries them (:class:`HocBaKy`), and
checkers compare the two.
"""

from __future__ import annotations

import hashlib

from lxml import etree

from hocbaso.errors import SigningError
from hocbaso.packet import parse_xml
from hocbaso.packet._internal import layout as L
from hocbaso.signature._algorithms import C14nMethod
from hocbaso.signature._c14n import canonicalize
from hocbaso.signature._profile import HocBaKy
from hocbaso.signature._profile_check import leaf_string_value

__all__ = ["record_binding_in", "record_digest", "record_digest_of_c14n", "signed_data_c14n"]

_THONG_TIN_CHUNG = tuple(L.THONG_TIN_CHUNG_PATH.split("/"))


def _children_at(root: etree._Element, path: tuple[str, ...]) -> list[etree._Element]:
    """What the relative XPath ``A/B/C`` selects from ``root``: every element at that child
    path, in document order, by direct child iteration (no XPath evaluation)."""
    level = [root]
    for tag in path:
        level = [child for el in level for child in el.iterchildren(tag)]
    return level


def _data_element(root: etree._Element) -> etree._Element:
    found = root.findall(L.DU_LIEU) if root.tag == L.ROOT else []
    if len(found) != 1 or found[0].get("Id") != L.ID_DATA:
        where = f'{L.ROOT}/{L.DU_LIEU} Id="{L.ID_DATA}"'
        raise SigningError(
            f"the packet has no single signed data block ({where})",
            f"gói tin không có đúng một khối dữ liệu được ký ({where})",
            code="SIGN.PACKET.DATA",
            path=f"/{L.ROOT}/{L.DU_LIEU}",
        )
    return found[0]


def signed_data_c14n(root: etree._Element) -> bytes:
    """The inclusive C14N 1.0 bytes of a parsed packet's ``#data`` block (what
    :func:`record_digest` hashes); ``SIGN.PACKET.DATA`` when there is no single such block."""
    return canonicalize(_data_element(root), C14nMethod.C14N_10)


def record_digest_of_c14n(data_c14n: bytes) -> str:
    """The record digest from the inclusive C14N 1.0 bytes of ``#data`` already computed."""
    return hashlib.sha256(data_c14n).hexdigest()


def record_digest(packet: bytes | etree._Element) -> str:
    """The record digest of a packet (bytes, or its parsed ``HOC_BA`` root): lowercase hex
    SHA-256 of the inclusive C14N 1.0 canonical form of ``DU_LIEU_HOC_BA Id="data"``.

    Bytes go through the one hardened parser. Raises :class:`~hocbaso.errors.SigningError`
    (``SIGN.PACKET.DATA``) when the packet has no single ``#data`` block at its place, and the
    parser's :class:`~hocbaso.errors.ParseError` for bytes that are not a safe packet. The
    digest says *which* record; whether its signatures hold is the verifier's question.
    """
    root = packet if isinstance(packet, etree._Element) else parse_xml(bytes(packet))
    return record_digest_of_c14n(signed_data_c14n(root))


def record_binding_in(root: etree._Element) -> HocBaKy | None:
    """The identifier and version the packet's data block names (``THONG_TIN_CHUNG``), read
    as string-values (comments cannot shorten them), or None if either is missing, repeated,
    has child elements, or the version is not a decimal number."""
    chung = _children_at(root, _THONG_TIN_CHUNG)
    idents = [el for c in chung for el in c.iterchildren("MA_DINH_DANH_HOC_BA")]
    versions = [el for c in chung for el in c.iterchildren("PHIEN_BAN")]
    if len(idents) != 1 or len(versions) != 1:
        return None
    values: list[str] = []
    for el in (idents[0], versions[0]):
        if next(el.iterchildren(etree.Element), None) is not None:
            return None
        values.append(leaf_string_value(el).strip())
    ident, version = values
    if not ident or not version.isascii() or not version.isdigit() or len(version) > 9:
        return None
    return HocBaKy(ident, str(int(version)))
