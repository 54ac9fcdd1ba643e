"""Rendered copies made once per session: THCS and THPT records of one student each, every
year issued with the test PKI and verified; their HTML, PDF, masked PDF and booklet."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from hocbaso.render import render_html, render_pdf
from hocbaso.signature import IssuedRecord
from hocbaso.testing.pki import TestPKI
from hocbaso.verify import TrustStore, VerificationReport, verify

from ._golden import golden_records


@dataclass(frozen=True)
class Rendered:
    issued: list[IssuedRecord]
    reports: list[VerificationReport]
    html: str
    pdf: bytes
    masked_html: str
    masked_pdf: bytes


@pytest.fixture(scope="session")
def pki() -> TestPKI:
    return TestPKI.cached()


@pytest.fixture(scope="session")
def trust(pki: TestPKI) -> TrustStore:
    return TrustStore([pki.root])


@pytest.fixture(scope="session")
def rendered(trust: TrustStore) -> dict[str, Rendered]:
    out: dict[str, Rendered] = {}
    for level, issued in golden_records().items():
        reports = [verify(i.signed, trust) for i in issued]
        assert all(r.ok for r in reports)
        last = issued[-1]
        out[level] = Rendered(
            issued=issued,
            reports=reports,
            html=render_html(last, trust=trust),
            pdf=render_pdf(last, trust=trust),
            masked_html=render_html(reports[-1], masked=True),
            masked_pdf=render_pdf(reports[-1], masked=True),
        )
    return out


@pytest.fixture(scope="session")
def booklet(rendered: dict[str, Rendered]) -> bytes:
    r = rendered["thcs"]
    return render_pdf(r.reports, booklet=True, packets=[i.signed for i in r.issued])
