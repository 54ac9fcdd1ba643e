"""The package vectors of the attack corpus (``tests/vectors/manifest.json``, "packages"):
each package gives exactly its manifest's FAIL codes and each entry exactly its codes, and
hostile containers are refused with a finding, never an exception."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from cryptography import x509

from hocbaso.package import verify_package
from hocbaso.verify import Status, TrustStore

from .conftest import VECTORS_DIR, mv

MANIFEST: dict[str, Any] = json.loads((VECTORS_DIR / "manifest.json").read_text("utf-8"))
PACKAGES = {e["name"]: e for e in MANIFEST["packages"]}


@pytest.fixture(scope="module")
def packages(corpus: dict[str, Any], pki: Any) -> dict[str, bytes]:
    built = mv.build_package_vectors(
        pki, corpus["genuine"].data, corpus["comment_injection"].data
    )
    assert isinstance(built, dict)
    return built


def test_every_package_vector_is_built_and_listed(packages: dict[str, bytes]) -> None:
    assert set(packages) == set(PACKAGES)
    assert MANIFEST["packages"] == mv.package_manifest_entries()


@pytest.mark.parametrize("name", sorted(PACKAGES))
def test_package_vector(
    name: str, packages: dict[str, bytes], trust: TrustStore,
    crl: x509.CertificateRevocationList,
) -> None:
    entry = PACKAGES[name]
    report = verify_package(
        packages[name], trust, at=dt.datetime.fromisoformat(entry["at"]),
        crls=[crl] if entry["crl"] else [],
    )
    failed = sorted(f.code for f in report.findings if f.status is Status.FAIL)
    assert failed == sorted(entry["expected_failures"])
    assert [sorted(e.codes) for e in report.entries] == [
        sorted(codes) for codes in entry["expected_entry_failures"]
    ]
    assert report.ok is (not entry["expected_failures"]
                         and not any(entry["expected_entry_failures"]))
