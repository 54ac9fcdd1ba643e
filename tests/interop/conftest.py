"""Fixtures for the interoperability tests: trust files per key type, a real generated record."""

from __future__ import annotations

import pytest

from hocbaso.testing.pki import KeyType, TestPKI, build_test_pki

from ._support import TrustFiles, xmlsec1_binary


@pytest.fixture(scope="session")
def xmlsec1() -> str:
    """The xmlsec1 binary; its absence is a failure (CI installs it), never a skip."""
    try:
        return xmlsec1_binary()
    except AssertionError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session", params=[KeyType.RSA, KeyType.EC], ids=["rsa", "ec"])
def any_pki(request: pytest.FixtureRequest) -> TestPKI:
    key_type: KeyType = request.param
    return build_test_pki(key_type)


@pytest.fixture(scope="session")
def trust_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[KeyType, TrustFiles]:
    out = {}
    for key_type in KeyType:
        paths = build_test_pki(key_type).write_trust_files(
            tmp_path_factory.mktemp(f"trust-{key_type.value}")
        )
        out[key_type] = TrustFiles(paths["root"], paths["intermediate"])
    return out


@pytest.fixture(scope="session")
def unsigned_packet() -> bytes:
    """A realistic full-year record from the synthetic generator, as packet bytes."""
    from hocbaso.packet import to_xml
    from hocbaso.testing import tao_hoc_ba

    return to_xml(tao_hoc_ba(3))
