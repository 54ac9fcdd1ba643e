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
from hocbaso.signature._signer import Signer

__all__ = [
    "DSIG_NS",
    "SIGPROP_NS",
    "C14nMethod",
    "DigestMethod",
    "SignatureMethod",
    "Signer",
    "canonicalize",
]
