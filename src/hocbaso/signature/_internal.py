"""What the layers above ``signature`` (``verify``, ``testing``) may use of its internals.

They import signing plumbing from here only (a test refuses ``from hocbaso.signature._<module>
import …`` outside this package): the one XMLDSig profile, the algorithm sets both policies
read, the certificate identity both sides extract, the record digest helpers, and
``sign_element``/``check_element_signature`` (the profile applied to any document by Id, for
the package envelope and receipt). Everything
else in the private modules may change without notice.
"""

from hocbaso.signature._algorithms import (
    DSIG_NS,
    LEGACY_DIGEST_METHODS,
    LEGACY_SIGNATURE_METHODS,
    NEVER_DIGEST_METHODS,
    NEVER_SIGNATURE_METHODS,
    SAFE_C14N_METHODS,
    SHA2_DIGEST_METHODS,
    SHA2_SIGNATURE_METHODS,
    SIGPROP_NS,
)
from hocbaso.signature._c14n import xml_attribute_above
from hocbaso.signature._certrules import (
    ACCEPTED_CURVES,
    ACCEPTED_EKUS,
    MIN_RSA_BITS,
    CertificateIdentity,
    HolderKind,
    certificate_identity,
    extended_key_usage_ok,
    holder_kind,
    holder_kind_of,
    key_strength_problem,
    matches_record_id,
)
from hocbaso.signature._element import (
    ElementSignature,
    ElementSlot,
    check_element_signature,
    sign_element,
)
from hocbaso.signature._identity import LoaiDinhDanh, SubjectIdentity, subject_identities
from hocbaso.signature._keyfile import PrivateKey
from hocbaso.signature._keys import verify_value, verify_with_key
from hocbaso.signature._profile import record_binding_of
from hocbaso.signature._profile_check import (
    EARLIEST_SIGNING_TIME,
    LATEST_SIGNING_TIME,
    MAX_KEYINFO_CERTIFICATES,
    AlgorithmProblem,
    ProfileViolation,
    ReferenceParts,
    Violation,
    algorithm_problems,
    leaf_string_value,
    read_signature,
    signing_time_of,
    usable_signing_time,
)
from hocbaso.signature._profile_raw import (
    RawSignatures,
    read_signature_raw,
    scan_signatures,
    tags_only,
)
from hocbaso.signature._profile_schema import ObjectFacts, read_object, read_signature_exact
from hocbaso.signature._record import (
    record_binding_in,
    record_digest_of_c14n,
    signed_data_c14n,
)

__all__ = [
    "ACCEPTED_CURVES",
    "ACCEPTED_EKUS",
    "DSIG_NS",
    "EARLIEST_SIGNING_TIME",
    "LATEST_SIGNING_TIME",
    "LEGACY_DIGEST_METHODS",
    "LEGACY_SIGNATURE_METHODS",
    "MAX_KEYINFO_CERTIFICATES",
    "MIN_RSA_BITS",
    "NEVER_DIGEST_METHODS",
    "NEVER_SIGNATURE_METHODS",
    "SAFE_C14N_METHODS",
    "SHA2_DIGEST_METHODS",
    "SHA2_SIGNATURE_METHODS",
    "SIGPROP_NS",
    "AlgorithmProblem",
    "CertificateIdentity",
    "ElementSignature",
    "ElementSlot",
    "HolderKind",
    "LoaiDinhDanh",
    "ObjectFacts",
    "PrivateKey",
    "ProfileViolation",
    "RawSignatures",
    "ReferenceParts",
    "SubjectIdentity",
    "Violation",
    "algorithm_problems",
    "certificate_identity",
    "check_element_signature",
    "extended_key_usage_ok",
    "holder_kind",
    "holder_kind_of",
    "key_strength_problem",
    "leaf_string_value",
    "matches_record_id",
    "read_object",
    "read_signature",
    "read_signature_exact",
    "read_signature_raw",
    "record_binding_in",
    "record_binding_of",
    "record_digest_of_c14n",
    "scan_signatures",
    "sign_element",
    "signed_data_c14n",
    "signing_time_of",
    "subject_identities",
    "tags_only",
    "usable_signing_time",
    "verify_value",
    "verify_with_key",
    "xml_attribute_above",
]
