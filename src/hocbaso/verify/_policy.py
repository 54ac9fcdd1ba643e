"""What the verifier accepts, in one frozen object with strict defaults.

Every tunable behaviour of ``verify`` lives here and nowhere else (no module globals, no
environment). Change it with :func:`dataclasses.replace`::

    from dataclasses import replace
    lenient = replace(VerificationPolicy(), content_status=Status.WARN)

:data:`STRICT` is the default; :data:`LEGACY` additionally accepts RSA-SHA1 / SHA-1 (as
found in older Vietnamese e-invoice-style signatures) and reports each use as a WARN.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from hocbaso.errors import ConfigurationError
from hocbaso.packet._internal import VaiTroKy
from hocbaso.signature import C14nMethod, DigestMethod, SignatureMethod
from hocbaso.signature._internal import (
    LEGACY_DIGEST_METHODS,
    LEGACY_SIGNATURE_METHODS,
    NEVER_DIGEST_METHODS,
    NEVER_SIGNATURE_METHODS,
    SAFE_C14N_METHODS,
    SHA2_DIGEST_METHODS,
    SHA2_SIGNATURE_METHODS,
)
from hocbaso.verify._codes import Status
from hocbaso.verify._registry import IssuerRegistry

__all__ = ["ALL_ROLES", "LEGACY", "STRICT", "VerificationPolicy"]

#: The four signing roles (docs/signing.md §1), in signing order.
ALL_ROLES: tuple[VaiTroKy, ...] = tuple(VaiTroKy)


@dataclass(frozen=True, slots=True)
class VerificationPolicy:
    """Settings of one verification run. Defaults are the strict, docs/signing.md §1 and
    docs/verification.md §2 choices.

    Construction refuses combinations that can never be safe (HMAC or MD5 anywhere, a
    ``#WithComments`` canonicalisation), raising :class:`~hocbaso.errors.ConfigurationError`.
    """

    #: Roles whose signatures must be present (``ORDER.MISSING_ROLE`` otherwise). ``GVBM``
    #: means "one for every subject row". Default: all four — only an issued record passes.
    #: Use e.g. ``frozenset({VaiTroKy.GVBM, VaiTroKy.GVCN})`` to check a record still being
    #: signed; role names (``"GVBM"``) are accepted and read as :class:`VaiTroKy`.
    required_roles: frozenset[VaiTroKy] = frozenset(ALL_ROLES)

    #: SignatureMethod URIs accepted silently. Default: RSA and ECDSA with SHA-256/384/512.
    signature_methods: frozenset[SignatureMethod] = SHA2_SIGNATURE_METHODS

    #: DigestMethod URIs accepted silently. Default: SHA-256/384/512.
    digest_methods: frozenset[DigestMethod] = SHA2_DIGEST_METHODS

    #: Methods accepted with a WARN (``SIGNATURE.ALGORITHM_LEGACY``) instead of a FAIL.
    #: Empty by default; :data:`LEGACY` puts RSA-SHA1 and SHA-1 here.
    legacy_signature_methods: frozenset[SignatureMethod] = frozenset()
    legacy_digest_methods: frozenset[DigestMethod] = frozenset()

    #: Canonicalisation methods accepted for SignedInfo and as the one Reference transform.
    #: docs/signing.md §1: C14N 1.0 (what the library writes), C14N 1.1 and exclusive C14N; never a
    #: ``#WithComments`` variant (refused even if listed).
    c14n_methods: frozenset[C14nMethod] = SAFE_C14N_METHODS

    #: Status given to each Thông tư 22 finding (``CONTENT.*``): FAIL (default) or WARN.
    content_status: Status = Status.FAIL

    #: Run the Thông tư 22 check at all (step 7). Off only for bulk signature audits.
    check_content: bool = True

    #: Comments or processing instructions inside signed content. They are never signed
    #: (C14N drops them) and the report's record never shows them, but a naive reader of
    #: the raw file could be fooled, so they FAIL by default (``STRUCTURE.COMMENT``);
    #: ``True`` reports them as WARN.
    allow_comments: bool = False

    #: Require a supplied CRL for every certificate's issuer; without one,
    #: ``CERTIFICATE.REVOCATION_NOT_CHECKED`` FAILs instead of being SKIP.
    require_crl: bool = False

    #: Tolerated clock difference when comparing a signing time with the verification time.
    clock_skew: dt.timedelta = field(default=dt.timedelta(minutes=5))

    #: School code (``MA_TRUONG``) → organisation identifiers allowed to issue for it (see
    #: :class:`~hocbaso.verify.IssuerRegistry`, :func:`~hocbaso.verify.load_issuer_registry`).
    #: With a registry, a KY_PHAT_HANH certificate that is not registered for the record's school
    #: FAILs (``CERTIFICATE.ISSUER_NOT_SCHOOL``, ``CERTIFICATE.SCHOOL_NOT_REGISTERED``); without
    #: one, the report WARNs that the issuer was not matched (``CERTIFICATE.ISSUER_NOT_MATCHED``).
    issuer_registry: IssuerRegistry | None = None

    #: Believe a signature's own SigningTime against a revocation for key compromise. A
    #: certificate revoked for keyCompromise, cACompromise, aACompromise, unspecified or no
    #: stated reason may have been used by whoever held the key, with any claimed time, so a
    #: signature claiming a time before such a revocation FAILs
    #: (``CERTIFICATE.REVOKED_TIME_UNPROVEN``) unless this is ``True`` — only for archives whose
    #: signing times are proven otherwise (e.g. time-stamped on receipt).
    trust_signing_time: bool = False

    def __post_init__(self) -> None:
        bad_sig = (
            self.signature_methods | self.legacy_signature_methods
        ) & NEVER_SIGNATURE_METHODS
        if bad_sig:
            raise ConfigurationError(
                "HMAC and MD5 signature methods can never be accepted.",
                "Không bao giờ chấp nhận phương pháp ký HMAC hoặc MD5.",
                code="CONFIG.VERIFY_ALGORITHM",
            )
        if (self.digest_methods | self.legacy_digest_methods) & NEVER_DIGEST_METHODS:
            raise ConfigurationError(
                "The MD5 digest can never be accepted.",
                "Không bao giờ chấp nhận hàm băm MD5.",
                code="CONFIG.VERIFY_ALGORITHM",
            )
        if any(m.with_comments for m in self.c14n_methods):
            raise ConfigurationError(
                "#WithComments canonicalisation can never be accepted.",
                "Không bao giờ chấp nhận chuẩn hoá #WithComments.",
                code="CONFIG.VERIFY_C14N",
            )
        unknown = {r for r in self.required_roles if r not in _ROLE_NAMES}
        if unknown:
            raise ConfigurationError(
                f"Unknown role(s) in required_roles: {sorted(unknown)}.",
                f"Vai trò không tồn tại trong required_roles: {sorted(unknown)}.",
                code="CONFIG.VERIFY_ROLE",
            )
        object.__setattr__(
            self, "required_roles", frozenset(VaiTroKy(r) for r in self.required_roles)
        )
        if self.issuer_registry is not None and not isinstance(
            self.issuer_registry, IssuerRegistry
        ):
            raise ConfigurationError(
                "issuer_registry must be an IssuerRegistry (see load_issuer_registry).",
                "issuer_registry phải là IssuerRegistry (xem load_issuer_registry).",
                code="CONFIG.VERIFY_REGISTRY",
            )
        if self.content_status not in (Status.FAIL, Status.WARN):
            raise ConfigurationError(
                "content_status must be FAIL or WARN.",
                "content_status phải là FAIL hoặc WARN.",
                code="CONFIG.VERIFY_CONTENT",
            )


_ROLE_NAMES = frozenset(r.value for r in VaiTroKy)


#: The default policy: SHA-2 only, every role required, Thông tư 22 findings FAIL.
STRICT = VerificationPolicy()

#: Like :data:`STRICT`, but RSA-SHA1 and SHA-1 digests are accepted with a WARN.
LEGACY = VerificationPolicy(
    legacy_signature_methods=LEGACY_SIGNATURE_METHODS,
    legacy_digest_methods=LEGACY_DIGEST_METHODS,
)
