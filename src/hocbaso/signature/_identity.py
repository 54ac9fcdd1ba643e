"""Vietnamese identity in certificate subjects: ``UID=CCCD:<12 digits>``, ``UID=MST:<tax code>``.

Vietnamese CAs put the holder's identity in the subject's ``UID`` attribute (OID
0.9.2342.19200300.100.1.1) as ``<KIND>:<value>``. Personal: ``CCCD`` (citizen ID card, 12 digits),
the older ``CMND``/``CMT`` (9 or 12 digits), ``HC``/``HOCHIEU``/``PASSPORT`` (hộ chiếu) and
``DDCN``/``SDDCN``/``CC`` (số định danh cá nhân, thẻ căn cước). Organisations: ``MST`` (tax code)
or a budget-unit code (``MNS``/``MQHNS``, mã đơn vị có quan hệ với ngân sách), which public
schools often hold instead of a tax code.

Whether a certificate is personal is decided once, by
:func:`hocbaso.signature._certrules.holder_kind_of`, for signer and verifier alike: any personal
identifier makes it personal, including one this module cannot parse as ``<KIND>:<value>``
(:func:`mentions_personal_identifier`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from cryptography import x509
from cryptography.x509.oid import NameOID

__all__ = [
    "LoaiDinhDanh",
    "SubjectIdentity",
    "mentions_personal_identifier",
    "subject_identities",
]

_UID_RE = re.compile(r"^\s*([A-Za-z]+)\s*[:\-]\s*(\S+)\s*$")


class LoaiDinhDanh(StrEnum):
    """Kind of identity found in a certificate subject."""

    CCCD = "CCCD"
    CMND = "CMND"
    HO_CHIEU = "HO_CHIEU"
    DDCN = "DDCN"
    MST = "MST"
    MNS = "MNS"

    @property
    def personal(self) -> bool:
        return self in _PERSONAL


_PERSONAL = frozenset(
    {LoaiDinhDanh.CCCD, LoaiDinhDanh.CMND, LoaiDinhDanh.HO_CHIEU, LoaiDinhDanh.DDCN}
)

_ALIASES = {
    "CCCD": LoaiDinhDanh.CCCD,
    "CMND": LoaiDinhDanh.CMND,
    "CMT": LoaiDinhDanh.CMND,
    "HC": LoaiDinhDanh.HO_CHIEU,
    "HOCHIEU": LoaiDinhDanh.HO_CHIEU,
    "PASSPORT": LoaiDinhDanh.HO_CHIEU,
    "DDCN": LoaiDinhDanh.DDCN,
    "SDDCN": LoaiDinhDanh.DDCN,
    "CC": LoaiDinhDanh.DDCN,
    "MST": LoaiDinhDanh.MST,
    "MNS": LoaiDinhDanh.MNS,
    "MQHNS": LoaiDinhDanh.MNS,
}

#: A personal kind followed by ``:`` or ``-`` anywhere in an identity-bearing attribute value.
_PERSONAL_MARK = re.compile(
    r"(?<![A-Z0-9])("
    + "|".join(sorted((k for k, v in _ALIASES.items() if v in _PERSONAL), key=len, reverse=True))
    + r")\s*[:\-]",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class SubjectIdentity:
    """One ``UID=<KIND>:<value>`` identity of a certificate's subject."""

    kind: LoaiDinhDanh
    value: str

    @property
    def personal(self) -> bool:
        return self.kind.personal


def _text(value: str | bytes) -> str:
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def mentions_personal_identifier(certificate: x509.Certificate) -> bool:
    """Whether a ``UID`` or ``serialNumber`` attribute of the subject names a personal
    identifier anywhere in its value, even in a form :func:`subject_identities` does not parse
    (``UID=MST:0101234567 CMND:123456789``). Used to refuse such certificates where an
    organisation certificate is required: unreadable must never mean "not personal"."""
    for oid in (NameOID.USER_ID, NameOID.SERIAL_NUMBER):
        for attr in certificate.subject.get_attributes_for_oid(oid):
            if _PERSONAL_MARK.search(_text(attr.value)):
                return True
    return False


def subject_identities(certificate: x509.Certificate) -> tuple[SubjectIdentity, ...]:
    """Every recognised ``UID`` identity in the subject, in order (unknown kinds skipped)."""
    found: list[SubjectIdentity] = []
    for attr in certificate.subject.get_attributes_for_oid(NameOID.USER_ID):
        raw = _text(attr.value)
        match = _UID_RE.match(raw)
        if match is None:
            continue
        kind = _ALIASES.get(match.group(1).upper())
        if kind is None:
            continue
        found.append(SubjectIdentity(kind, match.group(2)))
    return tuple(found)
