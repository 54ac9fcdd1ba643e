"""Step 8 identifies records by signed content: bytes no signature covers never dodge a
revocation or break a version chain (docs/verification.md §2 step 8), whatever combination of
them."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from hocbaso.signature import record_digest, revoke
from hocbaso.signature._internal import DSIG_NS
from hocbaso.testing.pki import TestPKI
from hocbaso.verify import TrustStore, verify

from .conftest import mv

AT = mv.VERIFY_AT
D = f"{{{DSIG_NS}}}"


def _tree_edit(fn: Callable[[etree._Element], None]) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        bom = data.startswith(b"\xef\xbb\xbf")
        root = etree.fromstring(data[3:] if bom else data)
        fn(root)
        out = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        return (b"\xef\xbb\xbf" if bom else b"") + out

    return edit


def _rewrap(root: etree._Element) -> None:
    for value in root.iter(f"{D}SignatureValue"):
        text = "".join((value.text or "").split())
        value.text = "\n".join(text[i : i + 76] for i in range(0, len(text), 76))


def _subject_name(root: etree._Element) -> None:
    for x509data in root.iter(f"{D}X509Data"):
        etree.SubElement(x509data, f"{D}X509SubjectName").text = "CN=added"


def _no_declaration(data: bytes) -> bytes:
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    if body.startswith(b"<?xml"):
        body = body[body.index(b"?>") + 2 :].lstrip()
    return (b"\xef\xbb\xbf" if bom else b"") + body


#: Ways to change a packet's bytes without changing any byte a signature covers. The tree
#: edits come first in any drawn sequence (they re-serialise, which restores a declaration).
_CHANGES: dict[str, Callable[[bytes], bytes]] = {
    "a rewrap": _tree_edit(_rewrap),
    "b subject name": _tree_edit(_subject_name),
    "c newline": lambda d: d + b"\n",
    "d no declaration": _no_declaration,
    "e BOM": lambda d: d if d.startswith(b"\xef\xbb\xbf") else b"\xef\xbb\xbf" + d,
    "f CRLF": lambda d: d.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"),
}


@pytest.fixture(scope="module")
def notice(pki: TestPKI, genuine: bytes) -> bytes:
    when = AT - dt.timedelta(hours=1)
    return revoke(genuine, pki.school().signer(), reason="Cấp nhầm", revocation_time=when)


@settings(max_examples=20, deadline=None)
@given(changes=st.sets(st.sampled_from(sorted(_CHANGES)), min_size=1))
def test_unsigned_bytes_never_dodge_a_revocation(
    changes: set[str], genuine: bytes, notice: bytes, trust: TrustStore
) -> None:
    data = genuine
    for name in sorted(changes):
        data = _CHANGES[name](data)
    assert data != genuine
    report = verify(data, trust, at=AT, revocations=[notice])
    assert report.revoked and "STATUS.REVOKED" in report.failed_codes
    assert report.failed_codes == {"STATUS.REVOKED"}
    assert report.record_digest == record_digest(genuine)


def test_record_digest_in_report_matches_issuance_digest(genuine: bytes, trust: TrustStore) -> None:
    report = verify(genuine, trust, at=AT)
    assert report.ok and report.record_digest == record_digest(genuine)
    assert report.to_dict()["record_digest"] == report.record_digest
    # The transport digest differs and is not what identifies the record.
    assert report.packet_sha256 != report.record_digest
    root = etree.fromstring(genuine)
    kph = root.find(f"PHAT_HANH_HOC_BA/KY_PHAT_HANH/{D}Signature/{D}SignedInfo/{D}Reference")
    assert kph is not None
    assert base64.b64decode(kph.findtext(f"{D}DigestValue") or "").hex() == report.record_digest
