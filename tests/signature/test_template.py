"""The hand-spelled Signature template equals the lxml-built reference byte for byte."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hocbaso.signature import HocBaKy, SignatureMethod
from hocbaso.signature._profile import build_signature, build_signature_lxml
from hocbaso.testing.pki import SUBJECT_TEACHER_CCCDS, build_test_pki

_PKI = build_test_pki("ec")
_CERTS = (_PKI.personal(SUBJECT_TEACHER_CCCDS[0]).certificate, _PKI.intermediate)

_id_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00"),
    min_size=1,
    max_size=12,
) | st.sampled_from(["gvbm-01", "a&b", 'q"t', "x<y>", "ư ơ", "it's"])
_times = st.sampled_from(
    ["2025-05-21T08:30:00+07:00", "2025-05-21T01:30:00.123456+00:00", "2024-12-31T23:59:59Z"]
)


@settings(max_examples=100, deadline=None)
@given(
    suffix=_id_text,
    ref=_id_text,
    when=_times,
    method=st.sampled_from([SignatureMethod.RSA_SHA256, SignatureMethod.ECDSA_SHA256]),
    content=st.binary(max_size=64),
    chain=st.booleans(),
    record=st.builds(HocBaKy, _id_text, st.integers(1, 999).map(str)),
)
def test_template_matches_lxml(
    suffix: str,
    ref: str,
    when: str,
    method: SignatureMethod,
    content: bytes,
    chain: bool,
    record: HocBaKy,
) -> None:
    kwargs = {
        "signature_id": f"sig-{suffix}",
        "object_id": f"st-{suffix}",
        "reference_uri": f"#{ref}",
        "reference_c14n": content,
        "signing_time": when,
        "record": record,
        "method": method,
        "certificates": _CERTS if chain else _CERTS[:1],
        "context_nsmap": {},
    }
    fast = build_signature(**kwargs)  # type: ignore[arg-type]
    slow = build_signature_lxml(**kwargs)  # type: ignore[arg-type]
    assert fast == slow
