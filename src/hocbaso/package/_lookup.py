"""Lookup with a verification report (docs/package.md §7, "Lookup").

:meth:`Store.lookup` answers from the store alone: which version is current and the status of
the version asked about. Each stored version was verified when it was received, but a store is
a file: :func:`lookup` therefore re-verifies the current version's stored bytes now, with the
caller's trust anchors, CRLs and policy, and with the record's other stored versions as
``previous_versions`` and its stored notices as ``revocations`` — so the report's status step
checks the version chain and any revocation itself, from signed bytes, and does not take the
store's word for them (:attr:`LookupResult.consistent` says whether the two agree).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from cryptography import x509

from hocbaso.package._signed import as_crl_set
from hocbaso.package._store import LookupResult, Store
from hocbaso.verify import STRICT, CrlSet, TrustStore, VerificationPolicy, verify

__all__ = ["lookup"]


def lookup(
    store: Store,
    ma_tra_cuu: str,
    trust: TrustStore,
    *,
    phien_ban: int | None = None,
    digest_prefix: str | None = None,
    ma_dinh_danh_hoc_ba: str | None = None,
    at: dt.datetime | None = None,
    crls: Iterable[x509.CertificateRevocationList | bytes] | CrlSet = (),
    policy: VerificationPolicy = STRICT,
) -> LookupResult | None:
    """Whether a version is in force, corrected or revoked, with a fresh verification report.

    :meth:`Store.lookup` (same arguments, same ``STORE.LOOKUP.*`` refusals) with ``report``
    set: the current version re-verified at ``at`` (default now) with its stored predecessors
    as ``previous_versions`` and its stored notices as ``revocations``."""
    found = store.lookup(ma_tra_cuu, phien_ban=phien_ban, digest_prefix=digest_prefix,
                         ma_dinh_danh_hoc_ba=ma_dinh_danh_hoc_ba)
    if found is None:
        return None
    report = verify(found.signed, trust, at=at or dt.datetime.now(dt.UTC),
                    crls=as_crl_set(crls), policy=policy, previous_versions=found.previous,
                    revocations=found.notices)
    return dataclasses.replace(found, report=report)
