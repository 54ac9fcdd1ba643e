"""Producing XML signatures on Học bạ số packets (SPEC §4–§5).

The core is a small module set on lxml canonicalisation and ``cryptography``: the signature
profile, role order, byte-splicing into the packet's slots, and the two-phase path for
remote-signing services. Keys stay behind the :class:`Signer` protocol.
"""

from hocbaso.signature._algorithms import (
    DSIG_NS,
    SIGPROP_NS,
    C14nMethod,
    DigestMethod,
    SignatureMethod,
)
from hocbaso.signature._c14n import canonicalize
from hocbaso.signature._identity import LoaiDinhDanh, SubjectIdentity, subject_identities
from hocbaso.signature._policy import SigningPolicy
from hocbaso.signature._roles import VaiTroKy
from hocbaso.signature._signer import Signer
from hocbaso.signature._twophase import (
    PreparedBatch,
    PreparedSignature,
    complete,
    complete_many,
    prepare,
    prepare_many,
    sign,
)

__all__ = [
    "DSIG_NS",
    "SIGPROP_NS",
    "C14nMethod",
    "DigestMethod",
    "LoaiDinhDanh",
    "PreparedBatch",
    "PreparedSignature",
    "SignatureMethod",
    "Signer",
    "SigningPolicy",
    "SubjectIdentity",
    "VaiTroKy",
    "canonicalize",
    "complete",
    "complete_many",
    "prepare",
    "prepare_many",
    "sign",
    "subject_identities",
]
