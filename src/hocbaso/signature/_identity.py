"""Vietnamese identity in certificate subjects: ``UID=CCCD:<12 digits>``, ``UID=MST:<tax code>``.

Vietnamese CAs put the holder's identity in the subject's ``UID`` attribute (OID
0.9.2342.19200300.100.1.1) as ``<KIND>:<value>``. Personal: ``CCCD`` (citizen ID card, 12 digits)
and the older ``CMND`` (9 or 12 digits). Organisations: ``MST`` (tax code) or a budget-unit code
(``MNS``/``MQHNS``, mã đơn vị có quan hệ với ngân sách), which public schools often hold instead of
a tax code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from cryptography import x509
from cryptography.x509.oid import NameOID

__all__ = ["LoaiDinhDanh", "SubjectIdentity", "subject_identities"]

_UID_RE = re.compile(r"^\s*([A-Za-z]+)\s*[:\-]\s*(\S+)\s*$")


class LoaiDinhDanh(StrEnum):
    """Kind of identity found in a certificate subject."""

    CCCD = "CCCD"
    CMND = "CMND"
    MST = "MST"
    MNS = "MNS"

    @property
    def personal(self) -> bool:
        return self in (LoaiDinhDanh.CCCD, LoaiDinhDanh.CMND)


_ALIASES = {
    "CCCD": LoaiDinhDanh.CCCD,
    "CMND": LoaiDinhDanh.CMND,
    "MST": LoaiDinhDanh.MST,
    "MNS": LoaiDinhDanh.MNS,
    "MQHNS": LoaiDinhDanh.MNS,
}


@dataclass(frozen=True, slots=True)
class SubjectIdentity:
    """One ``UID=<KIND>:<value>`` identity of a certificate's subject."""

    kind: LoaiDinhDanh
    value: str

    @property
    def personal(self) -> bool:
        return self.kind.personal


def subject_identities(certificate: x509.Certificate) -> tuple[SubjectIdentity, ...]:
    """Every recognised ``UID`` identity in the subject, in order (unknown kinds skipped)."""
    found: list[SubjectIdentity] = []
    for attr in certificate.subject.get_attributes_for_oid(NameOID.USER_ID):
        raw = attr.value if isinstance(attr.value, str) else attr.value.decode("utf-8", "replace")
        match = _UID_RE.match(raw)
        if match is None:
            continue
        kind = _ALIASES.get(match.group(1).upper())
        if kind is None:
            continue
        found.append(SubjectIdentity(kind, match.group(2)))
    return tuple(found)
