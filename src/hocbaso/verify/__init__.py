"""Verifying Học bạ số packets: every check of SPEC §7, reported, never a bare bool.

Receiving schools, the Sở and the Ministry call :func:`verify` with the packet bytes and a
:class:`TrustStore`; the :class:`VerificationReport` lists one coded :class:`StepResult` per
check and exposes the record parsed from the signed bytes only.
"""

from hocbaso.verify._codes import CODES, CodeInfo, Status, Step
from hocbaso.verify._policy import ALL_ROLES, LEGACY, STRICT, VerificationPolicy
from hocbaso.verify._report import StepResult, VerificationReport
from hocbaso.verify._trust import CrlSet, TrustStore

__all__ = [
    "ALL_ROLES",
    "CODES",
    "LEGACY",
    "STRICT",
    "CodeInfo",
    "CrlSet",
    "Status",
    "Step",
    "StepResult",
    "TrustStore",
    "VerificationPolicy",
    "VerificationReport",
]
