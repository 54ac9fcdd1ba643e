"""Verifying Học bạ số packets: every check of docs/verification.md §2, reported, never a bare bool.

Receiving schools, the Sở and the Ministry call :func:`verify` with the packet bytes and a
:class:`TrustStore`; the :class:`VerificationReport` lists one coded :class:`StepResult` per
check and exposes the record parsed from the signed bytes only. :func:`verify_many` runs a
batch on any ``concurrent.futures`` executor, a Dask cluster included
(:func:`dask_executor`). ``docs/verification.md`` is the normative description of the
algorithm and of every code; ``docs/scale.md`` shows national-scale runs.
"""

from hocbaso.verify._codes import CODES, CodeInfo, Status, Step
from hocbaso.verify._crl import CrlSet
from hocbaso.verify._dask import DASK_WORKER_CONFIG, dask_environment, dask_executor
from hocbaso.verify._many import read_packet_file, verify_many
from hocbaso.verify._notice import RevocationNotice
from hocbaso.verify._policy import LEGACY, STRICT, VerificationPolicy
from hocbaso.verify._registry import IssuerRegistry, load_issuer_registry
from hocbaso.verify._report import StepResult, VerificationReport
from hocbaso.verify._trust import TrustStore
from hocbaso.verify._verify import verify

__all__ = [
    "CODES",
    "DASK_WORKER_CONFIG",
    "LEGACY",
    "STRICT",
    "CodeInfo",
    "CrlSet",
    "IssuerRegistry",
    "RevocationNotice",
    "Status",
    "Step",
    "StepResult",
    "TrustStore",
    "VerificationPolicy",
    "VerificationReport",
    "dask_environment",
    "dask_executor",
    "load_issuer_registry",
    "read_packet_file",
    "verify",
    "verify_many",
]
