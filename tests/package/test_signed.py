"""The package layer believes document signers by the verifier's one copy of the rules.

``package/_signed.py`` once repeated the verifier's revocation-notice certificate rules; now it
reaches them through ``hocbaso.verify._internal`` (the one route to a lower layer's internals),
so a notice the verifier would not believe is not believed in a package either.
"""

from __future__ import annotations

from datetime import timedelta

from tests.package.conftest import RECEIVED_AT, Signers

from hocbaso.package import _signed
from hocbaso.signature import IssuedRecord, revoke
from hocbaso.testing.pki import TEST_NOW
from hocbaso.verify import CrlSet, TrustStore, _internal, _notice, verify


def test_the_package_layer_uses_the_verifiers_rules_not_a_copy() -> None:
    assert _signed.believe_notice is _internal.believe_notice is _notice.believe_notice
    assert _signed.signer_distrust is _internal.signer_distrust is _notice.signer_distrust
    assert not hasattr(_signed, "_distrust")


def test_a_notice_is_believed_by_both_layers_or_by_neither(
    round1: list[IssuedRecord], signers: Signers, trust: TrustStore
) -> None:
    record = round1[0]
    signed_at = TEST_NOW + timedelta(days=1)
    notice = revoke(record, signers.school.signer(), reason="Cấp nhầm", revocation_time=signed_at)
    for at, believed in ((RECEIVED_AT, True), (signed_at - timedelta(hours=1), False)):
        in_package = _signed.believe_notice(notice, trust, CrlSet(), at) is not None
        report = verify(record, trust, at=max(at, signed_at + timedelta(hours=1)),
                        revocations=[notice]) if believed else None
        assert in_package is believed
        assert (_notice.read_notice(notice, trust, CrlSet(), at) is not None) is believed
        if report is not None:
            assert report.revoked
    # A personal certificate (the homeroom teacher's) is never believed for a notice.
    person, school = signers.homeroom, signers.school
    for who, code in ((person, "NOT_ORGANISATION"), (school, None)):
        assert _signed.signer_distrust(who.certificate, who.chain, signed_at, trust, CrlSet(),
                                       RECEIVED_AT) == code
    # Without its intermediate no path reaches the anchor.
    assert _signed.signer_distrust(school.certificate, (), signed_at, trust, CrlSet(),
                                   RECEIVED_AT) == "CERTIFICATE"
