"""The signing policy: one frozen object with strict defaults, passed as one keyword."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from hocbaso.errors import AlgorithmError, ConfigurationError
from hocbaso.signature._algorithms import (
    LEGACY_DIGEST_METHODS,
    LEGACY_SIGNATURE_METHODS,
    NEVER_DIGEST_METHODS,
    NEVER_SIGNATURE_METHODS,
    SAFE_C14N_METHODS,
    SHA2_DIGEST_METHODS,
    SHA2_SIGNATURE_METHODS,
    C14nMethod,
    DigestMethod,
    SignatureMethod,
)

__all__ = ["SigningPolicy"]

# Signing accepts nothing a legacy verification policy merely tolerates.
_WEAK_DIGESTS = NEVER_DIGEST_METHODS | LEGACY_DIGEST_METHODS
_WEAK_SIGNATURES = NEVER_SIGNATURE_METHODS | LEGACY_SIGNATURE_METHODS


@dataclass(frozen=True, slots=True)
class SigningPolicy:
    """What the signing core accepts. Change it with :meth:`replace`, never by mutation.

    Attributes:
        signature_methods: signature algorithms accepted for a new signature (hocbaso signs with
            RSA-SHA256 or ECDSA-SHA256, chosen from the certificate's key, so one of those must
            be here) and for the earlier signatures it checks before adding a role. SHA-1, MD5
            and HMAC methods are refused outright: a signing policy cannot enable them.
        digest_methods: digest algorithms accepted in earlier signatures' References (new ones
            always use SHA-256). SHA-1 and MD5 are refused outright.
        c14n_methods: canonicalisation methods accepted in earlier signatures (new ones always use
            inclusive C14N 1.0). ``#WithComments`` variants are refused outright.
        check_identity: match the certificate's subject identity against the record: the
            ``UID=CCCD:``/``CMND:`` personal ID against the ID the record names for the role, and
            an organisation certificate (``UID=MST:`` or a budget-unit code) for KY_PHAT_HANH.
            Turn off only for test data whose certificates cannot match.
        verify_existing: before adding a role, verify digests and signature values of every
            earlier signature that the new role depends on ("present and valid", docs/signing.md
            §2).
        clock_skew: tolerance for clocks that disagree between machines: a certificate whose
            ``notBefore`` is at most this much after the signing time is accepted, and a signing
            time at most this much earlier than the latest earlier signature is accepted. Expiry
            (``notAfter``) is never relaxed. Default 0: strict.
    """

    signature_methods: frozenset[SignatureMethod] = field(default=SHA2_SIGNATURE_METHODS)
    digest_methods: frozenset[DigestMethod] = field(default=SHA2_DIGEST_METHODS)
    c14n_methods: frozenset[C14nMethod] = field(default=SAFE_C14N_METHODS)
    check_identity: bool = True
    verify_existing: bool = True
    clock_skew: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "signature_methods", frozenset(SignatureMethod(m) for m in self.signature_methods)
        )
        object.__setattr__(
            self, "digest_methods", frozenset(DigestMethod(m) for m in self.digest_methods)
        )
        object.__setattr__(
            self, "c14n_methods", frozenset(C14nMethod(m) for m in self.c14n_methods)
        )
        weak = sorted(m.name for m in self.signature_methods if m in _WEAK_SIGNATURES)
        weak += sorted(m.name for m in self.digest_methods if m in _WEAK_DIGESTS)
        weak += sorted(m.name for m in self.c14n_methods if m.with_comments)
        if weak:
            raise AlgorithmError(
                f"a signing policy cannot allow weak or unsafe algorithms: {', '.join(weak)}",
                f"Chính sách ký không được cho phép thuật toán yếu hoặc không an toàn: "
                f"{', '.join(weak)}",
                code="SIGN.ALGORITHM.WEAK_POLICY",
            )
        if not self.signature_methods & {SignatureMethod.RSA_SHA256, SignatureMethod.ECDSA_SHA256}:
            raise ConfigurationError(
                "a signing policy must allow RSA-SHA256 or ECDSA-SHA256",
                "Chính sách ký phải cho phép RSA-SHA256 hoặc ECDSA-SHA256",
                code="CONFIG.SIGNING_POLICY.METHODS",
            )
        if DigestMethod.SHA256 not in self.digest_methods:
            raise ConfigurationError(
                "a signing policy must allow SHA-256 digests",
                "Chính sách ký phải cho phép băm SHA-256",
                code="CONFIG.SIGNING_POLICY.DIGESTS",
            )
        if C14nMethod.C14N_10 not in self.c14n_methods:
            raise ConfigurationError(
                "a signing policy must allow inclusive C14N 1.0",
                "Chính sách ký phải cho phép chuẩn hoá C14N 1.0",
                code="CONFIG.SIGNING_POLICY.C14N",
            )
        if self.clock_skew < timedelta(0):
            raise ConfigurationError(
                "clock_skew cannot be negative",
                "Độ lệch đồng hồ không được âm",
                code="CONFIG.SIGNING_POLICY.CLOCK_SKEW",
            )

    def replace(self, **changes: Any) -> SigningPolicy:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)
