"""Packing and opening never changes a signed byte; every record still verifies; round rules."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.package.conftest import PACKED_AT, RECEIVED_AT, Signers

from hocbaso.errors import PackageError
from hocbaso.package import (
    MEDIA_TYPE_GOI_TIN,
    MucDich,
    media_type_of,
    open_package,
    pack,
    round_deadline,
    verify_package,
)
from hocbaso.packet import to_xml
from hocbaso.signature import IssuedRecord, record_digest
from hocbaso.verify import Status, TrustStore, verify


def test_package_is_recognised_from_its_first_bytes(package: bytes) -> None:
    assert media_type_of(package[:128]) == MEDIA_TYPE_GOI_TIN
    assert media_type_of(b"<?xml version='1.0'?><HOC_BA/>") is None
    view = open_package(package)
    assert view.names[:2] == ("mimetype", "GOI_TIN.xml")
    assert all(n.startswith("hoc_ba/") for n in view.names[2:])


@settings(max_examples=8)
@given(data=st.data())
def test_pack_then_open_never_changes_a_signed_byte(
    data: st.DataObject, round1: list[IssuedRecord], signers: Signers
) -> None:
    chosen = data.draw(st.permutations(round1)).copy()[: data.draw(st.integers(1, len(round1)))]
    packed = pack(chosen, signer=signers.school.signer(), round=1, created_at=PACKED_AT)
    assert packed is not None
    view = open_package(packed)
    by_name = dict(view.entries())
    assert len(by_name) == len(chosen)
    for record in chosen:
        name = f"hoc_ba/{record.ma_dinh_danh_hoc_ba}-v{record.phien_ban}.xml"
        assert hashlib.sha256(by_name[name]).digest() == hashlib.sha256(record.signed).digest()


def test_signatures_verify_inside_and_after_unpacking(
    package: bytes, trust: TrustStore, round1: list[IssuedRecord]
) -> None:
    report = verify_package(package, trust, at=RECEIVED_AT)
    assert report.ok, report.as_dict()
    assert report.envelope is not None and report.envelope.muc_dich is MucDich.PHAT_HANH
    assert report.envelope.so_hoc_ba == len(round1)
    digests = {r.record_digest for r in round1}
    for name, data in open_package(package).entries():
        assert verify(data, trust, at=RECEIVED_AT).ok, name
        assert record_digest(data) in digests


def test_a_damaged_entry_is_found_by_its_transport_digest(
    round1: list[IssuedRecord], signers: Signers, trust: TrustStore
) -> None:
    # A CRLF copy of a record is the same record (same record digest) but other bytes: packed
    # as given, it travels byte for byte and verifies.
    crlf = round1[0].signed.replace(b"\n", b"\r\n")
    packed = pack([crlf, *round1[1:]], signer=signers.school.signer(), round=1,
                  created_at=PACKED_AT)
    assert packed is not None
    assert open_package(packed).read(
        f"hoc_ba/{round1[0].ma_dinh_danh_hoc_ba}-v1.xml") == crlf


def test_one_corrupted_record_is_rejected_alone(
    round1: list[IssuedRecord], signers: Signers, trust: TrustStore
) -> None:
    bad = round1[0].signed.replace(b"<NX_GVCN>", b"<NX_GVCN>X", 1)
    assert bad != round1[0].signed
    packed = pack([bad, *round1[1:]], signer=signers.school.signer(), round=1,
                  created_at=PACKED_AT)
    assert packed is not None
    report = verify_package(packed, trust, at=RECEIVED_AT)
    assert report.technical_ok and not report.ok
    failed = [e for e in report.entries if not e.ok]
    assert len(failed) == 1 and "PACKAGE.RECORD.INVALID" in failed[0].codes
    assert sum(e.ok for e in report.entries) == len(round1) - 1


def test_an_untrusted_envelope_vouches_for_nothing(package: bytes) -> None:
    from hocbaso.testing.pki import build_test_pki

    other = TrustStore([build_test_pki("ec").root])
    report = verify_package(package, other, at=RECEIVED_AT)
    assert "PACKAGE.ENVELOPE.CERTIFICATE" in report.codes and not report.technical_ok
    assert report.entries == ()


def test_a_changed_envelope_breaks_its_signature(package: bytes, trust: TrustStore) -> None:
    import io
    import zipfile

    view = open_package(package)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name in view.names:
            data = view.read(name)
            if name == "GOI_TIN.xml":
                data = data.replace(b"<DOT_GUI>1</DOT_GUI>", b"<DOT_GUI>2</DOT_GUI>")
            method = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    report = verify_package(out.getvalue(), trust, at=RECEIVED_AT)
    assert [f.code for f in report.findings] == ["PACKAGE.ENVELOPE.SIGNATURE"]


def test_a_personal_certificate_is_not_an_organisation(
    round1: list[IssuedRecord], signers: Signers, trust: TrustStore
) -> None:
    packed = pack(round1, signer=signers.principal.signer(), round=1, created_at=PACKED_AT)
    assert packed is not None
    report = verify_package(packed, trust, at=RECEIVED_AT)
    assert "PACKAGE.ENVELOPE.NOT_ORGANISATION" in report.codes


def test_round_rules(round1: list[IssuedRecord], signers: Signers, trust: TrustStore) -> None:
    with pytest.raises(PackageError) as err:
        pack(round1, signer=signers.school.signer(), round=2, created_at=PACKED_AT)
    assert err.value.code == "PACKAGE.ROUND.MISMATCH"
    late = round_deadline("2024-2025", 1) + timedelta(days=1)
    packed = pack(round1, signer=signers.school.signer(), round=1, created_at=late)
    assert packed is not None
    report = verify_package(packed, trust, at=late + timedelta(days=1))
    assert report.ok
    assert [f.code for f in report.findings if f.status is Status.WARN] == ["PACKAGE.ROUND.LATE"]


def test_a_pending_record_cannot_be_packed(round1: list[IssuedRecord], signers: Signers) -> None:
    from hocbaso.models import HocBa, MucDanhGia

    data = round1[0].hoc_ba.model_dump()
    data["thong_tin_hoc_ba"]["tong_ket"]["ren_luyen_ca_nam"] = MucDanhGia.CHUA_DAT
    data["thong_tin_hoc_ba"]["tong_ket"]["so_buoi_nghi"] = 0
    pending = to_xml(HocBa.model_validate(data))
    with pytest.raises(PackageError) as err:
        pack([pending], signer=signers.school.signer(), round=1, created_at=PACKED_AT)
    assert err.value.code == "PACKAGE.ROUND.PENDING"


def test_missing_and_extra_entries(package: bytes, trust: TrustStore) -> None:
    import io
    import zipfile

    view = open_package(package)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name in view.names:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            if name == view.names[-1]:
                continue  # drop one record
            zf.writestr(info, view.read(name))
        zf.writestr("hoc_ba/extra.xml", b"<x/>")
    report = verify_package(out.getvalue(), trust, at=RECEIVED_AT)
    assert {"PACKAGE.ENTRY.MISSING", "PACKAGE.ENTRY.EXTRA"} <= report.codes
    assert not report.technical_ok


def test_docs_list_every_code() -> None:
    from pathlib import Path

    from hocbaso.package import PACKAGE_CODES

    doc = (Path(__file__).resolve().parents[2] / "docs" / "package.md").read_text("utf-8")
    for code in PACKAGE_CODES:
        assert f"`{code}`" in doc, code
