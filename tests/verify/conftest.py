"""Shared fixtures: the test PKI, a trust store holding only its root, the attack corpus
(generated once per session from a genuine issued record), and the pinned clock."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from cryptography import x509

from hocbaso.testing.pki import TestPKI, build_test_pki
from hocbaso.verify import TrustStore

VECTORS_DIR = Path(__file__).resolve().parents[1] / "vectors"


def _load_generator() -> ModuleType:
    name = "hocbaso_make_vectors"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, VECTORS_DIR / "make_vectors.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


mv = _load_generator()


@pytest.fixture(scope="session")
def pki() -> TestPKI:
    return build_test_pki()


@pytest.fixture(scope="session")
def trust(pki: TestPKI) -> TrustStore:
    return TrustStore([pki.root])


@pytest.fixture(scope="session")
def crl(pki: TestPKI) -> x509.CertificateRevocationList:
    return mv.corpus_crl(pki)  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def corpus(pki: TestPKI) -> dict[str, object]:
    return {v.name: v for v in mv.build_vectors(pki)}


@pytest.fixture(scope="session")
def genuine(corpus: dict[str, object]) -> bytes:
    data = corpus["genuine"].data  # type: ignore[attr-defined]
    assert isinstance(data, bytes)
    return data

