"""Producing XML signatures on Học bạ số packets (docs/signing.md).

The core is a small module set on lxml canonicalisation and ``cryptography``: the signature
profile, role order, byte-splicing into the packet's slots, and the two-phase path for
remote-signing services. Keys stay behind the :class:`Signer` protocol: :class:`KeyFileSigner`
for PEM/PKCS#12 files, :class:`Pkcs11Signer` for tokens, and any object with ``certificate``,
``chain`` and ``sign_raw`` (e.g. a remote-signing client); or use :func:`prepare` /
:func:`complete` when the key holder answers later. :func:`validate` runs the checks a
receiving school runs on a record's content (schema, catalogue, Thông tư 22), which CBQL
signing and issuing run too.
"""

from hocbaso.packet._internal import VaiTroKy
from hocbaso.signature._algorithms import C14nMethod, DigestMethod, SignatureMethod
from hocbaso.signature._c14n import canonicalize
from hocbaso.signature._checks import validate
from hocbaso.signature._element import ElementSignature, check_element_signature, sign_element
from hocbaso.signature._keyfile import KeyFileSigner, load_certificates
from hocbaso.signature._lifecycle import (
    THU_HOI_FORMAT_VERSION,
    ChuKyDaXacThuc,
    IssuedRecord,
    ThongBaoThuHoi,
    correct,
    issue,
    read_thong_bao_thu_hoi,
    revoke,
)
from hocbaso.signature._pkcs11 import Pkcs11Signer
from hocbaso.signature._policy import SigningPolicy
from hocbaso.signature._profile import HocBaKy
from hocbaso.signature._record import record_digest
from hocbaso.signature._signer import Signer
from hocbaso.signature._twophase import (
    PreparedBatch,
    PreparedSignature,
    SigningStep,
    complete,
    complete_many,
    prepare,
    prepare_many,
    sign,
    sign_roles,
)

__all__ = [
    "THU_HOI_FORMAT_VERSION",
    "C14nMethod",
    "ChuKyDaXacThuc",
    "DigestMethod",
    "ElementSignature",
    "HocBaKy",
    "IssuedRecord",
    "KeyFileSigner",
    "Pkcs11Signer",
    "PreparedBatch",
    "PreparedSignature",
    "SignatureMethod",
    "Signer",
    "SigningPolicy",
    "SigningStep",
    "ThongBaoThuHoi",
    "VaiTroKy",
    "canonicalize",
    "check_element_signature",
    "complete",
    "complete_many",
    "correct",
    "issue",
    "load_certificates",
    "prepare",
    "prepare_many",
    "read_thong_bao_thu_hoi",
    "record_digest",
    "revoke",
    "sign",
    "sign_element",
    "sign_roles",
    "validate",
]
