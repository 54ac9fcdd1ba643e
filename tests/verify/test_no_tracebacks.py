"""Hostile input gets a report, never a traceback (docs/verification.md §2).

The corpus (``tests/vectors``) carries the record-side cases (hostile keys, relative namespace
URIs, extreme signing times, a verification time in year 9999); here are the same paths inside
a forged revocation notice, ``verify_many``'s isolation of each item, and a fuzz test over
hostile mutations of a genuine signed packet.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from hocbaso.errors import AlgorithmError
from hocbaso.signature import SignatureMethod, canonicalize, revoke
from hocbaso.signature._keys import verify_value
from hocbaso.testing import tao_hoc_ba
from hocbaso.testing.pki import TestPKI
from hocbaso.verify import TrustStore, VerificationReport, _many, verify, verify_many

from .conftest import mv

AT = mv.VERIFY_AT
D = mv.D


@pytest.fixture(scope="module")
def notice(pki: TestPKI, genuine: bytes) -> bytes:
    data = revoke(
        genuine,
        pki.school().signer(),
        reason="Cấp nhầm",
        revocation_time=AT - dt.timedelta(hours=1),
    )
    assert isinstance(data, bytes)
    return data


def _notice_with(notice: bytes, pki: TestPKI, change: str) -> bytes:
    root = mv._tree(notice)
    sig = root.find(f".//{D}Signature")
    assert sig is not None
    certs = list(sig.iter(f"{D}X509Certificate"))
    school = pki.school()
    leaf_der = school.certificate.public_bytes(Encoding.DER)
    if change == "unknown_algorithm":
        certs[0].text = base64.b64encode(leaf_der.replace(mv._RSA_OID, mv._UNKNOWN_OID)).decode()
    elif change in ("rsa_e1", "rsa_e2"):
        certs[0].text = base64.b64encode(mv._rsa_exponent(leaf_der, int(change[-1]))).decode()
    elif change == "bad_intermediate":
        inter = pki.intermediate.public_bytes(Encoding.DER)
        for el in certs:
            if base64.b64decode(el.text or "") == inter:
                el.text = base64.b64encode(inter.replace(mv._RSA_OID, mv._UNKNOWN_OID)).decode()
    elif change == "relative_namespace":
        return notice.replace(b"<THONG_BAO_THU_HOI", b'<THONG_BAO_THU_HOI xmlns:x="rel"', 1)
    else:  # an extreme signing time, validly re-signed by the school
        mv._set_time(sig, dt.datetime.fromisoformat(change))
        mv._resign(root, sig, school)
    return mv._bytes(root)


NOTICE_CHANGES = [
    "unknown_algorithm",
    "rsa_e1",
    "rsa_e2",
    "bad_intermediate",
    "relative_namespace",
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00+00:00",
    "9999-12-31T23:59:59-14:00",
]


@pytest.mark.parametrize("change", NOTICE_CHANGES)
def test_forged_notice_is_a_failure_not_a_traceback(
    change: str, notice: bytes, pki: TestPKI, genuine: bytes, trust: TrustStore
) -> None:
    # The genuine notice revokes the record: the forged ones must be reported, never revoke,
    # and never be skipped (an unbelievable notice FAILs, docs/verification.md 8.3).
    assert verify(genuine, trust, at=AT, revocations=[notice]).revoked
    forged = _notice_with(notice, pki, change)
    report = verify(genuine, trust, at=AT, revocations=[forged])
    assert not report.revoked
    assert "STATUS.NOTICE_INVALID" in report.failed_codes


def test_verification_time_in_year_9999(genuine: bytes, trust: TrustStore) -> None:
    late = dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=-14)))
    assert verify(genuine, trust, at=late).ok
    early = dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=14)))
    assert "ORDER.FUTURE_SIGNING_TIME" in verify(genuine, trust, at=early).failed_codes


def test_unusable_keys_verify_nothing(pki: TestPKI) -> None:
    from cryptography import x509

    der = pki.school().certificate.public_bytes(Encoding.DER)
    for bad in (der.replace(mv._RSA_OID, mv._UNKNOWN_OID), mv._rsa_exponent(der, 1)):
        cert = x509.load_der_x509_certificate(bad)
        assert verify_value(cert, SignatureMethod.RSA_SHA256, b"\0" * 256, b"x") is False


@pytest.mark.parametrize("uri", [b"rel", b"#frag", b"../x"])
def test_relative_namespace_is_a_coded_c14n_error(uri: bytes) -> None:
    root = etree.fromstring(b'<A xmlns:x="' + uri + b'"><B>t</B></A>')
    with pytest.raises(AlgorithmError) as info:
        canonicalize(root[0])
    assert info.value.code == "SIGN.ALGORITHM.C14N_FAILED"


# -- verify_many: one report per item, whatever happens to the others -----------------------


def test_verify_many_isolates_unreadable_and_raising_items(
    genuine: bytes, trust: TrustStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = tmp_path / "good.xml"
    good.write_bytes(genuine)
    poison = b"<poison/>"
    real = _many.verify

    def flaky(data: bytes, *args: Any, **kwargs: Any) -> VerificationReport:
        if data == poison:
            raise RuntimeError("a verifier bug")
        return real(data, *args, **kwargs)

    monkeypatch.setattr(_many, "verify", flaky)
    items: list[Any] = [
        genuine,
        tmp_path / "missing.xml",
        tmp_path,  # a directory
        poison,
        12345,  # neither bytes nor a path
        str(good),
    ]
    if os.path.exists("/dev/zero"):
        items.append("/dev/zero")  # not a regular file: never read
    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = list(verify_many(items, trust, executor=pool, at=AT, chunk_size=2))
    assert len(reports) == len(items)
    assert reports[0].ok and reports[5].ok
    assert [r.failed_codes for r in reports[1:5]] == [
        {"PARSE.UNREADABLE"},
        {"PARSE.NOT_A_FILE"},
        {"PARSE.VERIFIER_ERROR"},
        {"PARSE.UNREADABLE"},
    ]
    if len(items) > 6:
        assert reports[6].failed_codes == {"PARSE.NOT_A_FILE"}


def test_verify_many_reads_no_more_than_the_limit(
    genuine: bytes, trust: TrustStore, tmp_path: Path
) -> None:
    big = tmp_path / "big.xml"
    big.write_bytes(genuine + b" " * (5 * 1024 * 1024))
    assert len(_many._load(big)) == _many.DEFAULT_LIMITS.max_bytes + 1
    with ThreadPoolExecutor(max_workers=1) as pool:
        (report,) = verify_many([big], trust, executor=pool, at=AT)
    assert report.failed_codes == {"PARSE.TOO_LARGE"}


def test_a_lost_chunk_fails_only_its_own_items(genuine: bytes, trust: TrustStore) -> None:
    class LosesSecondChunk(ThreadPoolExecutor):
        sizes: ClassVar[list[int]] = []

        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
            self.sizes.append(len(args[0]))
            if len(self.sizes) == 2:
                lost: Future[Any] = Future()
                lost.set_exception(RuntimeError("worker died"))
                return lost
            return super().submit(fn, *args, **kwargs)

    with LosesSecondChunk(max_workers=1) as pool:
        reports = list(verify_many([genuine] * 6, trust, executor=pool, at=AT, chunk_size=2))
    first, second = LosesSecondChunk.sizes[:2]
    assert second >= 1
    lost_items = range(first, first + second)
    assert [r.ok for r in reports] == [i not in lost_items for i in range(6)]
    assert all(reports[i].failed_codes == {"PARSE.VERIFIER_ERROR"} for i in lost_items)


# -- fuzz: hostile mutations of a genuine signed packet --------------------------------------

HOSTILE_TIMES = [
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "9999-12-31T23:59:59Z",
    "2025-13-40T99:99:99Z",
    "",
    "2025-05-20T08:00:00",
]
HOSTILE_NAMESPACES = [b"rel", b"#frag", b"", b"urn:x", b"../up", b"http://example.invalid/"]


def _mutate_tree(packet: bytes, data: st.DataObject) -> bytes:
    """One hostile change made on the tree (the packet is still well-formed before it)."""
    op = data.draw(st.sampled_from(["namespace", "time", "certificate", "attribute"]))
    if op == "namespace":
        tags = sorted({m.group(0) for m in mv._START_TAG.finditer(packet)})
        tag = data.draw(st.sampled_from(tags))
        uri = data.draw(st.sampled_from(HOSTILE_NAMESPACES))
        decl = (b' xmlns="' if uri == b"" else b' xmlns:h="') + uri + b'"'
        pattern = re.compile(re.escape(tag) + rb"(?=[\s/>])")
        return pattern.sub(lambda m: m.group(0) + decl, packet, count=1)
    root = mv._tree(packet)
    if op == "time":
        times = list(root.iter("{urn:hocbaso:signature-properties}SigningTime"))
        if times:
            data.draw(st.sampled_from(times)).text = data.draw(st.sampled_from(HOSTILE_TIMES))
    elif op == "certificate":
        certs = list(root.iter(f"{D}X509Certificate"))
        if certs:
            el = data.draw(st.sampled_from(certs))
            der = base64.b64decode(el.text or "")
            choice = data.draw(st.sampled_from(["oid", "e1", "e2", "junk"]))
            if choice == "oid":
                der = der.replace(mv._RSA_OID, mv._UNKNOWN_OID)
            elif choice == "junk" or b"\x02\x03\x01\x00\x01" not in der:
                der = der[: len(der) // 2]
            else:
                der = mv._rsa_exponent(der, int(choice[-1]))
            el.text = base64.b64encode(der).decode()
    else:
        el = data.draw(st.sampled_from(list(root.iter(etree.Element))))
        el.set(data.draw(st.sampled_from(["Id", "URI", "Algorithm", "Target"])), "'\"’#x")
    return mv._bytes(root)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_hostile_mutations_never_raise(
    genuine: bytes, trust: TrustStore, data: st.DataObject
) -> None:
    packet = genuine
    for _ in range(data.draw(st.integers(1, 3))):
        try:
            mv._tree(packet)
        except etree.XMLSyntaxError:
            break  # a relative or empty namespace can make lxml's own re-parse refuse
        packet = _mutate_tree(packet, data)
    last = data.draw(st.sampled_from(["none", "flip", "truncate"]))
    if last == "flip":
        i = data.draw(st.integers(0, len(packet) - 1))
        packet = packet[:i] + bytes([data.draw(st.integers(0, 255))]) + packet[i + 1 :]
    elif last == "truncate":
        packet = packet[: data.draw(st.integers(0, len(packet)))]
    report = verify(packet, trust, at=AT)
    assert isinstance(report, VerificationReport)
    assert report.steps
    if report.record is not None:
        assert report.record == tao_hoc_ba(0)
