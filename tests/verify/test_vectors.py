"""Every vector of the attack corpus fails with its specific code; genuine ones pass.

The manifest (``tests/vectors/manifest.json``) is the contract other implementations run; the
first test keeps it in step with the generator.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest
from cryptography import x509

from hocbaso.testing import tao_hoc_ba
from hocbaso.verify import (
    LEGACY,
    STRICT,
    IssuerRegistry,
    Status,
    TrustStore,
    VerificationPolicy,
    verify,
)

from .conftest import VECTORS_DIR, mv

MANIFEST: dict[str, Any] = json.loads((VECTORS_DIR / "manifest.json").read_text("utf-8"))
ENTRIES = {e["name"]: e for e in MANIFEST["vectors"]}
POLICIES: dict[str, VerificationPolicy] = {
    "strict": STRICT,
    "legacy": LEGACY,
    "allow_comments": dataclasses.replace(STRICT, allow_comments=True),
    "require_crl": dataclasses.replace(STRICT, require_crl=True),
    "trust_signing_time": dataclasses.replace(STRICT, trust_signing_time=True),
    **{
        name: dataclasses.replace(STRICT, issuer_registry=IssuerRegistry(registry))
        for name, registry in MANIFEST["issuer_registries"].items()
    },
}
#: Vectors signed over another record than the genuine one.
OTHER_RECORDS = {
    "genuine_other_record",
    "content_inconsistent",
    "correction_previous_with_newline",
    "correction_previous_digest_mismatch",
    "replayed_subject_signature",
}


def test_manifest_matches_generator(corpus: dict[str, Any]) -> None:
    assert json.loads(json.dumps(mv.committed_manifest(list(corpus.values())))) == MANIFEST


def _data(name: str, corpus: dict[str, Any], genuine: bytes) -> bytes:
    entry = ENTRIES[name]
    if not entry["generated"]:
        return (VECTORS_DIR / entry["file"]).read_bytes()
    if name == "oversized":
        return mv.oversized(genuine)  # type: ignore[no-any-return]
    data = corpus[name].data
    assert isinstance(data, bytes)
    return data


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_vector(
    name: str,
    corpus: dict[str, Any],
    genuine: bytes,
    trust: TrustStore,
    crl: x509.CertificateRevocationList,
) -> None:
    entry = ENTRIES[name]
    vector = corpus.get(name)
    inputs = {
        f"inputs/{n}": d for n, d in (*vector.notices, *vector.previous)
    } if vector is not None else {}
    report = verify(
        _data(name, corpus, genuine),
        trust,
        at=dt.datetime.fromisoformat(entry["at"]),
        crls=[crl] if entry["crl"] else (),
        revocations=[inputs[f] for f in entry["revocations"]],
        previous_versions=[inputs[f] for f in entry["previous_versions"]],
        policy=POLICIES[entry["policy"]],
    )
    failed = {r.code for r in report.steps if r.status is Status.FAIL}
    warned = {r.code for r in report.steps if r.status is Status.WARN}
    expected = set(entry["expected_failures"])
    assert expected <= failed, f"{name}: expected {expected}, got {failed}"
    assert set(entry["expected_warnings"]) <= warned
    if entry["revocations"]:
        assert report.revoked is ("STATUS.REVOKED" in expected), name
    if not expected:
        assert report.ok, f"{name}: unexpected failures {failed}"
        assert report.record is not None
    else:
        assert not report.ok
        with pytest.raises(ValueError):
            report.raise_for_status()
    # Whatever the attack, the caller can only ever read the genuinely signed record.
    if name not in OTHER_RECORDS and report.record is not None:
        assert report.record == tao_hoc_ba(0)


def test_static_files_are_all_in_manifest() -> None:
    on_disk = {p.name for p in (VECTORS_DIR / "attacks").glob("*.xml")}
    assert on_disk == set(mv.STATIC_VECTORS)


def test_parse_failure_stops_before_any_other_step(trust: TrustStore) -> None:
    data = (VECTORS_DIR / "attacks" / "billion_laughs.xml").read_bytes()
    report = verify(data, trust, at=mv.VERIFY_AT)
    assert [r.code for r in report.steps] == ["PARSE.DTD"]
    assert report.record is None


def test_wrapping_skips_all_signature_checks(corpus: dict[str, Any], trust: TrustStore) -> None:
    report = verify(corpus["wrap_forged_before"].data, trust, at=mv.VERIFY_AT)
    assert report.record is None and report.signed_bytes is None
    for step in ("SIGNATURE", "CERTIFICATE", "ORDER", "CONTENT", "STATUS"):
        assert f"{step}.SKIPPED" in report.codes
