"""Every XML-signature URI hocbaso knows, as enum values (the URI *is* the value).

Signing uses only the profile of docs/signing.md §1; verification accepts a wider, still safe set,
and a legacy policy may accept SHA-1 with a warning. Anything not listed here is unknown and
refused.
"""

from __future__ import annotations

from enum import Enum

__all__ = [
    "DSIG_NS",
    "LEGACY_DIGEST_METHODS",
    "LEGACY_SIGNATURE_METHODS",
    "NEVER_DIGEST_METHODS",
    "NEVER_SIGNATURE_METHODS",
    "SAFE_C14N_METHODS",
    "SHA2_DIGEST_METHODS",
    "SHA2_SIGNATURE_METHODS",
    "SIGPROP_NS",
    "C14nMethod",
    "DigestMethod",
    "SignatureMethod",
]

#: The W3C XML Signature namespace.
DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
#: The namespace of hocbaso's SigningTime signature property (docs/signing.md §1).
SIGPROP_NS = "urn:hocbaso:signature-properties"


class C14nMethod(str, Enum):  # noqa: UP042
    """Canonicalisation methods. ``*_WITH_COMMENTS`` are known only so they can be refused."""

    C14N_10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
    C14N_10_WITH_COMMENTS = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
    C14N_11 = "http://www.w3.org/2006/12/xml-c14n11"
    C14N_11_WITH_COMMENTS = "http://www.w3.org/2006/12/xml-c14n11#WithComments"
    EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
    EXC_C14N_WITH_COMMENTS = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"

    @property
    def with_comments(self) -> bool:
        return self.value.endswith("#WithComments")


class DigestMethod(str, Enum):  # noqa: UP042
    """Digest methods by URI: SHA-2; SHA-1 under the legacy policy only; MD5 always refused."""

    SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
    SHA384 = "http://www.w3.org/2001/04/xmldsig-more#sha384"
    SHA512 = "http://www.w3.org/2001/04/xmlenc#sha512"
    SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"  # legacy: refused unless policy allows
    MD5 = "http://www.w3.org/2001/04/xmldsig-more#md5"  # always refused

    @property
    def hash_name(self) -> str:
        return self.name.lower()


class SignatureMethod(str, Enum):  # noqa: UP042
    """Signature methods by URI: RSA/ECDSA with SHA-2; RSA-SHA1 legacy only; MD5, HMAC refused."""

    RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    RSA_SHA384 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384"
    RSA_SHA512 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
    ECDSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
    ECDSA_SHA384 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384"
    ECDSA_SHA512 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512"
    RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"  # legacy
    RSA_MD5 = "http://www.w3.org/2001/04/xmldsig-more#rsa-md5"  # always refused
    HMAC_SHA1 = "http://www.w3.org/2000/09/xmldsig#hmac-sha1"  # always refused
    HMAC_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"  # always refused

    @property
    def is_hmac(self) -> bool:
        return self.name.startswith("HMAC")

    @property
    def hash_name(self) -> str:
        return self.name.rsplit("_", 1)[1].lower()


# The algorithm sets, written once for the signing policy and the verification policy
# (docs/signing.md §2, docs/verification.md §2 step 4).

#: RSA and ECDSA with SHA-256/384/512: what both policies accept by default.
SHA2_SIGNATURE_METHODS: frozenset[SignatureMethod] = frozenset(
    {
        SignatureMethod.RSA_SHA256,
        SignatureMethod.RSA_SHA384,
        SignatureMethod.RSA_SHA512,
        SignatureMethod.ECDSA_SHA256,
        SignatureMethod.ECDSA_SHA384,
        SignatureMethod.ECDSA_SHA512,
    }
)
#: SHA-256/384/512 digests: what both policies accept by default.
SHA2_DIGEST_METHODS: frozenset[DigestMethod] = frozenset(
    {DigestMethod.SHA256, DigestMethod.SHA384, DigestMethod.SHA512}
)
#: Canonicalisation without comments: C14N 1.0 (what hocbaso writes), C14N 1.1, exclusive.
SAFE_C14N_METHODS: frozenset[C14nMethod] = frozenset(
    {C14nMethod.C14N_10, C14nMethod.C14N_11, C14nMethod.EXC_C14N}
)
#: Accepted by a legacy verification policy only (with a warning); never for signing.
LEGACY_SIGNATURE_METHODS: frozenset[SignatureMethod] = frozenset({SignatureMethod.RSA_SHA1})
LEGACY_DIGEST_METHODS: frozenset[DigestMethod] = frozenset({DigestMethod.SHA1})
#: Never accepted by any policy.
NEVER_SIGNATURE_METHODS: frozenset[SignatureMethod] = frozenset(
    {SignatureMethod.RSA_MD5, SignatureMethod.HMAC_SHA1, SignatureMethod.HMAC_SHA256}
)
NEVER_DIGEST_METHODS: frozenset[DigestMethod] = frozenset({DigestMethod.MD5})
