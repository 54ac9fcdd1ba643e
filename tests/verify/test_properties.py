"""Properties over many generated records (ECDSA test PKI: key generation is cheap)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from hocbaso.models import Khoi
from hocbaso.testing import tao_hoc_ba
from hocbaso.testing.pki import SCHOOL_MST, build_test_pki
from hocbaso.verify import STRICT, IssuerRegistry, Status, TrustStore, verify

from .conftest import mv

EC = build_test_pki("ec")
EC_TRUST = TrustStore([EC.root])
RSA_TRUST = TrustStore([build_test_pki().root])


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), khoi=st.sampled_from(list(Khoi)))
def test_every_genuine_record_verifies_and_reads_back_exactly(seed: int, khoi: Khoi) -> None:
    hb = tao_hoc_ba(seed, khoi)
    packet = mv.issue(hb, EC)
    # With the Sở's registry naming the school's organisation code, every check passes.
    school = hb.thong_tin_hoc_ba.thong_tin_truong.ma_truong
    registry = IssuerRegistry({school: [f"MST:{SCHOOL_MST}"]})
    policy = dataclasses.replace(STRICT, issuer_registry=registry)
    report = verify(packet, EC_TRUST, at=mv.VERIFY_AT, crls=[EC.crl], policy=policy)
    assert report.ok, report.failed_codes
    assert report.record == hb
    assert all(r.status in (Status.PASS, Status.SKIP) for r in report.steps)
    # Without it the issuer is only not matched: a WARN, and still ok.
    unmatched = verify(packet, EC_TRUST, at=mv.VERIFY_AT, crls=[EC.crl])
    assert unmatched.ok
    assert [r.code for r in unmatched.steps if r.status is Status.WARN] == [
        "CERTIFICATE.ISSUER_NOT_MATCHED"
    ]
    # The same bytes against anchors that never issued these certificates: untrusted.
    other = verify(packet, RSA_TRUST, at=mv.VERIFY_AT)
    assert "CERTIFICATE.UNTRUSTED" in other.failed_codes
    assert not other.ok
    # Verification is a pure function of its inputs.
    again = verify(packet, EC_TRUST, at=mv.VERIFY_AT, crls=[EC.crl], policy=policy)
    assert again.steps == report.steps


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), days=st.integers(1, 3000))
def test_signatures_stay_valid_after_the_certificates_expire(seed: int, days: int) -> None:
    """Certificates are judged at the signing time, not at the verification time."""
    packet = mv.issue(tao_hoc_ba(seed), EC)
    later = mv.VERIFY_AT + dt.timedelta(days=days)
    assert verify(packet, EC_TRUST, at=later).ok
