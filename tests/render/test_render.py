"""The soft copy (docs/render.md): golden pages, labels and values on the right page, the QR,
the embedded packet, PDF/A metadata, the seal, the masked copy, the booklet, the invalid copy."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader

from hocbaso.cli._main import cli
from hocbaso.errors import RenderError
from hocbaso.render import (
    MASK,
    QrPayload,
    embedded_packets,
    masked_values,
    record_digest_of,
    render_html,
    render_pdf,
)
from hocbaso.signature import correct, record_digest, revoke
from hocbaso.testing import phat_hanh_thu, tao_hoc_ba
from hocbaso.testing.pki import TEST_NOW, TestPKI
from hocbaso.verify import TrustStore, verify

from ._golden import GOLDEN, TOLERANCE, html_screenshot, mean_difference, pdf_pages
from .conftest import Rendered

LEVELS = ("thcs", "thpt")


def _page_texts(pdf: bytes) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "c.pdf"
        src.write_bytes(pdf)
        text = subprocess.run(["pdftotext", str(src), "-"], check=True,
                              capture_output=True, text=True, timeout=60).stdout
    pages = text.split("\f")
    return [re.sub(r"\s+", " ", p) for p in pages if p.strip()]


# -- golden pages ------------------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
def test_pdf_pages_match_the_golden_images(rendered: dict[str, Rendered], level: str) -> None:
    pages = pdf_pages(rendered[level].pdf)
    assert len(pages) == 4  # cover, identity, subject table, results
    for i, page in enumerate(pages, start=1):
        golden = Image.open(GOLDEN / f"{level}-pdf-{i}.png").convert("RGB")
        diff = mean_difference(page, golden)
        assert diff <= TOLERANCE, f"{level} page {i} differs from its golden image by {diff:.2f}"


@pytest.mark.parametrize("level", LEVELS)
def test_html_screenshot_matches_the_golden_image(
    rendered: dict[str, Rendered], level: str
) -> None:
    shot = html_screenshot(rendered[level].html)
    golden = Image.open(GOLDEN / f"{level}-html.png").convert("RGB")
    assert mean_difference(shot, golden) <= TOLERANCE


def test_golden_comparison_catches_a_changed_page(rendered: dict[str, Rendered]) -> None:
    """Guard: the tolerance is tight enough that another page never passes for this one."""
    pages = pdf_pages(rendered["thcs"].pdf)
    assert mean_difference(pages[2], pages[3]) > TOLERANCE
    thpt = Image.open(GOLDEN / "thpt-pdf-3.png").convert("RGB")
    assert mean_difference(pages[2], thpt) > TOLERANCE


# -- text: every label and every value on its page ---------------------------------------------

COVER = ["BỘ GIÁO DỤC VÀ ĐÀO TẠO", "HỌC BẠ", "Họ và tên học sinh:", "Lớp:", "Trường:",
         "Năm học:", "Xã/Phường/Đặc khu:", "Tỉnh/Thành phố:", "Số sổ đăng bộ:"]
IDENTITY = ["Họ và tên học sinh:", "Giới tính:", "Ngày, tháng, năm sinh:", "Dân tộc:",
            "Quốc tịch:", "Đối tượng:", "Mã số định danh cá nhân:", "Nơi sinh:", "Quê quán:",
            "Chỗ ở hiện tại:", "Họ và tên cha:", "Nghề nghiệp:", "Họ và tên mẹ:",
            "Họ và tên người giám hộ (nếu có):", "HIỆU TRƯỞNG", "(Kí, ghi rõ họ tên và đóng dấu)",
            "QUÁ TRÌNH HỌC TẬP", "Năm học", "Lớp", "Tên trường"]
SUBJECTS = ["Họ và tên:", "Môn học/Hoạt động giáo dục",
            "Điểm trung bình môn học hoặc mức đánh giá", "Học kì I", "Học kì II", "Cả năm",
            "sau đánh giá lại, rèn luyện thêm trong kì nghỉ hè (nếu có)",
            "Nhận xét sự tiến bộ, ưu điểm nổi bật, hạn chế chủ yếu (nếu có) và chữ kí của giáo "
            "viên môn học", "Trong trang này có sửa chữa ở", "Xác nhận của giáo viên chủ nhiệm",
            "Xác nhận của Hiệu trưởng", "(Kí và ghi rõ họ tên)"]
RESULTS = ["Họ tên học sinh:", "Học kì", "Mức đánh giá", "Kết quả rèn luyện", "Kết quả học tập",
           "Tổng số buổi nghỉ học cả năm học",
           "Mức đánh giá sau đánh giá lại môn học hoặc rèn luyện trong kì nghỉ hè (nếu có)",
           "- Được lên lớp:", "- Được lên lớp sau đánh giá lại môn học hoặc rèn luyện trong kì "
           "nghỉ hè:", "- Không được lên lớp:", "- Chứng chỉ (nếu có):", "Loại:",
           "- Kết quả tham gia các cuộc thi (nếu có):", "- Khen thưởng (nếu có):",
           "KẾT QUẢ RÈN LUYỆN TRONG KÌ NGHỈ HÈ", "(Nếu có)", "NHẬN XÉT CỦA GIÁO VIÊN CHỦ NHIỆM",
           "Giáo viên chủ nhiệm", "PHÊ DUYỆT CỦA HIỆU TRƯỞNG"]


def _has_label(page: str, label: str) -> bool:
    """The label as one run of text, or — for a header cell that wraps beside another wrapped
    cell, whose lines the text extraction interleaves — its words in order."""
    if label in page:
        return True
    words = iter(page.split())
    return all(any(w == x for x in words) for w in label.split())


def _kq(v: object) -> str:
    s = str(v)
    return s.replace(".", ",") if s[:1].isdigit() else s


@pytest.mark.parametrize("level", LEVELS)
def test_every_label_and_value_is_on_its_page(rendered: dict[str, Rendered], level: str) -> None:
    r = rendered[level]
    cover, identity, subjects, results = _page_texts(r.pdf)
    record = r.reports[-1].record
    assert record is not None
    info = record.thong_tin_hoc_ba
    hs, chung, tk, ky = info.hoc_sinh, info.thong_tin_chung, info.tong_ket, info.nguoi_ky
    for page, labels in ((cover, COVER), (identity, IDENTITY), (subjects, SUBJECTS),
                         (results, RESULTS)):
        missing = [label for label in labels if not _has_label(page, label)]
        assert not missing, missing
    assert "TRUNG HỌC CƠ SỞ" in cover if level == "thcs" else "TRUNG HỌC PHỔ THÔNG" in cover
    for value in (hs.ho_va_ten, chung.ten_lop, info.thong_tin_truong.ten_truong,
                  info.thong_tin_truong.dia_chi.ten_xa, info.thong_tin_truong.dia_chi.ten_tinh,
                  f"{chung.so_so_dang_bo}/{level.upper()}"):
        assert str(value) in cover, value
    assert hs.ngay_thang_nam_sinh is not None
    for value in (hs.ho_va_ten, hs.gioi_tinh.nhan, f"{hs.ngay_thang_nam_sinh:%d/%m/%Y}",
                  hs.dan_toc.nhan, hs.so_dinh_danh, hs.noi_sinh.dia_chi_chi_tiet,
                  hs.que_quan.dia_chi_chi_tiet, hs.noi_o_hien_nay.dia_chi_chi_tiet,
                  hs.ho_ten_cha, hs.nghe_nghiep_cha, hs.ho_ten_me, hs.nghe_nghiep_me,
                  ky.ten_giam_hieu, *(q.ten_lop for q in info.qua_trinh_hoc_tap)):
        assert str(value) in identity, value
    for row in record.bang_diem:
        line = " ".join(_kq(v) for v in (row.diem_hoc_ky_1, row.diem_hoc_ky_2, row.diem_ca_nam))
        assert line in subjects, (row.ten_mon_hoc, line)
        assert str(row.gvbm) in subjects and str(row.nx_mon_hoc) in subjects
        assert str(row.ten_mon_hoc).split()[0] in subjects
    for value in (tk.nx_gvcn, ky.ten_gvcn, ky.ten_giam_hieu, ky.dia_danh_phat_hanh,
                  tk.ren_luyen_ca_nam.nhan, tk.nd_duoc_len_lop):
        assert str(value) in results, value
    assert tk.ca_nam is not None and tk.ca_nam.nhan in results
    assert f"ngày {ky.ngay_ky_phat_hanh:%d} tháng {ky.ngay_ky_phat_hanh:%m}" in results
    # Digital-copy marks on every page: lookup code, status, page x/y, and signature blocks.
    for n, page in enumerate((cover, identity, subjects, results), start=1):
        assert f"Mã tra cứu học bạ số: {chung.ma_tra_cuu}" in page
        assert "Đang lưu hành" in page
        assert f"Trang {n}/4" in page
    assert subjects.count("Đã ký số bởi") == len(record.bang_diem) + 2  # GVBM×n, GVCN, CBQL
    assert "Đã ký số bởi " + str(ky.ten_gvcn) + " lúc" in results
    assert "Đã ký số bởi " + str(info.thong_tin_truong.ten_truong) + " lúc" in results


def test_scores_print_with_one_decimal_and_comment_subjects_as_words(
    rendered: dict[str, Rendered],
) -> None:
    subjects = _page_texts(rendered["thcs"].pdf)[2]
    assert re.search(r"Toán \d,\d \d,\d \d,\d", subjects)
    assert re.search(r"Giáo dục thể chất (CĐ|Đ) (CĐ|Đ) (CĐ|Đ)", subjects)
    # Subject order of the form: Ngữ văn, Toán, Ngoại ngữ 1 … Nội dung giáo dục của địa phương
    order = [subjects.index(s) for s in ("Ngữ văn", "Toán", "Ngoại ngữ 1", "Giáo dục công dân",
                                         "Khoa học tự nhiên", "Nghệ thuật")]
    assert order == sorted(order)


# -- QR ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
def test_qr_on_every_page_decodes_to_the_documented_payload(
    rendered: dict[str, Rendered], level: str
) -> None:
    r = rendered[level]
    report = r.reports[-1]
    assert report.record is not None and report.signed_bytes is not None
    chung = report.record.thong_tin_hoc_ba.thong_tin_chung
    digest = record_digest(r.issued[-1].signed)  # the signature layer's own, from the packet
    assert digest == r.issued[-1].record_digest
    expected = "|".join(("HBS1", chung.ma_tra_cuu, chung.ma_dinh_danh_hoc_ba,
                         str(chung.phien_ban), digest[:32]))
    assert record_digest_of(report) == digest
    for page in pdf_pages(r.pdf, dpi=150):
        with tempfile.NamedTemporaryFile(suffix=".png") as fh:
            page.save(fh.name)
            out = subprocess.run(["zbarimg", "--quiet", "--raw", fh.name], capture_output=True,
                                 text=True, timeout=60, check=True).stdout.strip()
        assert out == expected
        payload = QrPayload.parse(out)
        assert payload.matches(report)
        assert str(report.record.thong_tin_hoc_ba.hoc_sinh.ho_va_ten) not in out


@given(
    code=st.text("0123456789ABCDEFGHJKMNPQRSTVWXYZ", min_size=6, max_size=20),
    uid=st.uuids(),
    version=st.integers(1, 99999),
    digest=st.binary(min_size=16, max_size=16),
)
def test_payload_round_trips(code: str, uid: object, version: int, digest: bytes) -> None:
    p = QrPayload(code, str(uid), version, digest.hex())
    assert QrPayload.parse(p.text()) == p


@pytest.mark.parametrize("text", ["", "HBS2|ABCDEF|x|1|00", "HBS1|abc|uuid|1|" + "0" * 32])
def test_payload_refuses_other_text(text: str) -> None:
    with pytest.raises(RenderError) as e:
        QrPayload.parse(text)
    assert e.value.code == "RENDER.QR_PAYLOAD"


# -- the embedded packet, PDF/A, the seal -------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
def test_embedded_packet_is_the_signed_packet_and_verifies(
    rendered: dict[str, Rendered], level: str, trust: TrustStore
) -> None:
    r = rendered[level]
    found = embedded_packets(r.pdf)
    assert [name for name, _ in found] == [
        f"hocba-{r.reports[-1].record.thong_tin_hoc_ba.thong_tin_chung.nam_hoc}.xml"  # type: ignore[union-attr]
    ]
    assert found[0][1] == r.issued[-1].signed
    assert verify(found[0][1], trust).ok


def test_hocbaso_verify_reads_the_pdf_copy(
    rendered: dict[str, Rendered], booklet: bytes, tmp_path: Path
) -> None:
    root = tmp_path / "root.pem"
    root.write_bytes(TestPKI.cached().root_pem())
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(booklet)
    masked = tmp_path / "masked.pdf"
    masked.write_bytes(rendered["thcs"].masked_pdf)
    ok = CliRunner().invoke(cli, ["verify", str(copy), "--trust", str(root), "--json"])
    assert ok.exit_code == 0, ok.output
    assert ok.output.count('"ok": true') == 4  # the four yearly packets of the booklet
    bad = CliRunner().invoke(cli, ["verify", str(masked), "--trust", str(root)])
    assert bad.exit_code == 1  # a masked copy carries no packet: nothing to verify


def test_pdf_a_3b_metadata_output_intent_and_fonts(rendered: dict[str, Rendered]) -> None:
    pdf = rendered["thcs"].pdf
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"pdfaid:part(>|=\")3", xmp)
    assert re.search(r"pdfaid:conformance(>|=\")B", xmp)
    intents = root["/OutputIntents"]
    assert intents and str(intents[0].get_object()["/S"]) == "/GTS_PDFA1"
    af = [a.get_object() for a in root["/AF"]]
    assert af and {str(a["/AFRelationship"]) for a in af} == {"/Source"}
    assert len(embedded_packets(pdf)) == 1
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(pdf)
        fh.flush()
        fonts = subprocess.run(["pdffonts", fh.name], capture_output=True, text=True,
                               check=True, timeout=60).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # emb column
    assert all("Noto-Serif" in line or "DejaVu" in line for line in fonts), fonts


def test_sealed_pdf_validates_with_pyhanko(rendered: dict[str, Rendered], pki: TestPKI,
                                           trust: TrustStore) -> None:
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    r = rendered["thpt"]
    school = pki.school()
    sealed = render_pdf(r.reports[-1], packets=[r.issued[-1].signed], seal=school.signer())
    root = asn1_x509.Certificate.load(pki.root.public_bytes(_der()))
    ctx = ValidationContext(trust_roots=[root], allow_fetching=False,
                            revocation_mode="soft-fail")
    sig = PdfFileReader(io.BytesIO(sealed)).embedded_signatures[0]
    status = validate_pdf_signature(sig, ctx)
    assert status.intact and status.valid and status.trusted
    assert status.signing_cert.dump() == school.certificate.public_bytes(_der())  # type: ignore[arg-type]
    # The seal is an incremental update: the packet inside is untouched.
    assert embedded_packets(sealed)[0][1] == r.issued[-1].signed
    # A seal by a key the test root does not know is not trusted.
    ctx_other = ValidationContext(trust_roots=[], allow_fetching=False,
                                  revocation_mode="soft-fail")
    assert not validate_pdf_signature(sig, ctx_other).trusted


def _der() -> object:
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


# -- the masked copy ---------------------------------------------------------------------------


def _all_pdf_bytes(pdf: bytes) -> bytes:
    """The PDF's bytes followed by every stream decompressed (text, metadata, files)."""
    out = [pdf]
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            out.append(zlib.decompress(m.group(1)))
        except zlib.error:
            continue
    return b"\n".join(out)


@pytest.mark.parametrize("level", LEVELS)
def test_masked_copy_leaks_none_of_the_masked_values(
    rendered: dict[str, Rendered], level: str
) -> None:
    r = rendered[level]
    record = r.reports[-1].record
    assert record is not None
    hidden = masked_values(record)
    assert len(hidden) >= 8  # ID, birth date, three addresses, parents' names and occupations
    hs = record.thong_tin_hoc_ba.hoc_sinh
    assert hs.so_dinh_danh in hidden and hs.noi_o_hien_nay.dia_chi_chi_tiet in hidden
    # Precondition: no hidden value is also a label or another printed value of the form.
    skeleton = r.masked_html
    for v in hidden:
        assert v in r.html and v in " ".join(_page_texts(r.pdf)), v  # shown when not masked
    texts = _page_texts(r.masked_pdf)
    everything = _all_pdf_bytes(r.masked_pdf)
    labels = " ".join(COVER + IDENTITY + SUBJECTS + RESULTS)
    for v in hidden:
        if v in labels:  # an occupation such as "Giáo viên" is also a word of the form
            shown = f"Nghề nghiệp: {v}"
            assert shown not in " ".join(texts) and shown not in skeleton
            continue
        assert v not in skeleton, v
        assert v.encode("utf-8") not in everything, v
        assert v.encode("utf-16-be") not in everything, v
        assert all(v not in t for t in texts), v
    assert hs.ngay_thang_nam_sinh is not None
    for raw in (hs.ngay_thang_nam_sinh.isoformat(), hs.so_dinh_danh):  # as the packet writes them
        assert raw.encode() not in everything and raw not in skeleton
    assert embedded_packets(r.masked_pdf) == []
    assert b"/EmbeddedFiles" not in r.masked_pdf
    assert len(texts) == 4
    assert all("Bản che thông tin cá nhân".upper() in t.upper() for t in texts)
    assert MASK in texts[1]


# -- booklet, invalid copy, status -------------------------------------------------------------


def test_booklet_has_every_year_in_order(booklet: bytes, rendered: dict[str, Rendered]) -> None:
    texts = _page_texts(booklet)
    assert len(texts) == 2 + 2 * 4
    years = [re.search(r"Năm học: (\d{4} – \d{4})", t).group(1)  # type: ignore[union-attr]
             for t in texts[2::2]]
    assert years == ["2021 – 2022", "2022 – 2023", "2023 – 2024", "2024 – 2025"]
    assert len(embedded_packets(booklet)) == 4
    shuffled = list(reversed(rendered["thcs"].reports))
    assert _page_texts(render_pdf(shuffled, booklet=True, masked=True))[2:] == [
        t for t in _page_texts(render_pdf(rendered["thcs"].reports, booklet=True, masked=True))
    ][2:]


def test_booklet_refuses_mixed_students_and_a_year_twice(
    rendered: dict[str, Rendered], trust: TrustStore
) -> None:
    thcs = rendered["thcs"].reports
    other = verify(phat_hanh_thu(tao_hoc_ba(seed=11)).signed, trust)
    with pytest.raises(RenderError) as e:
        render_html([*thcs[:2], other], booklet=True)
    assert e.value.code == "RENDER.BOOKLET.MIXED_STUDENTS"
    with pytest.raises(RenderError) as e:
        render_html([thcs[0], thcs[0]], booklet=True)
    assert e.value.code == "RENDER.BOOKLET.DUPLICATE_YEAR"
    with pytest.raises(RenderError) as e:
        render_html(thcs[:2])
    assert e.value.code == "RENDER.INPUT"


def test_a_record_that_does_not_verify_is_only_the_invalid_copy(
    rendered: dict[str, Rendered], trust: TrustStore
) -> None:
    r = rendered["thcs"]
    record = r.reports[-1].record
    assert record is not None
    tampered = r.issued[-1].signed.replace(b"<HO_VA_TEN>", b"<HO_VA_TEN>X", 1)
    html = render_html(tampered, trust=trust)
    pdf = render_pdf(tampered, trust=trust)
    texts = _page_texts(pdf)
    assert len(texts) == 1 and "KHÔNG HỢP LỆ" in texts[0]
    report = verify(tampered, trust)
    for code in report.failed_codes:
        assert code in texts[0] and code in html
    hs = record.thong_tin_hoc_ba.hoc_sinh
    for personal in (hs.ho_va_ten, hs.so_dinh_danh, *masked_values(record)):
        assert str(personal) not in html and str(personal) not in texts[0]
    assert embedded_packets(pdf) == []
    with pytest.raises(RenderError) as e:
        render_html(r.issued[-1].signed)  # bytes need a trust store
    assert e.value.code == "RENDER.TRUST_MISSING"


def test_report_without_its_packet_cannot_make_the_unmasked_pdf(
    rendered: dict[str, Rendered],
) -> None:
    with pytest.raises(RenderError) as e:
        render_pdf(rendered["thcs"].reports[-1])
    assert e.value.code == "RENDER.PACKET_MISSING"


# -- CLI ---------------------------------------------------------------------------------------


def test_cli_render_writes_html_pdf_and_refuses_invalid(
    rendered: dict[str, Rendered], tmp_path: Path
) -> None:
    root = tmp_path / "root.pem"
    root.write_bytes(TestPKI.cached().root_pem())
    packet = tmp_path / "hb.xml"
    packet.write_bytes(rendered["thcs"].issued[-1].signed)
    runner = CliRunner()
    res = runner.invoke(cli, ["render", str(packet), "--format", "html", "--masked",
                              "--trust", str(root), "-o", str(tmp_path / "c.html")])
    assert res.exit_code == 0, res.output
    html = (tmp_path / "c.html").read_text("utf-8")
    record = rendered["thcs"].reports[-1].record
    assert record is not None
    assert all(v not in html for v in masked_values(record))
    assert "Đang lưu hành" in html
    bad = tmp_path / "bad.xml"
    bad.write_bytes(packet.read_bytes().replace(b"<HO_VA_TEN>", b"<HO_VA_TEN>X", 1))
    res = runner.invoke(cli, ["render", str(bad), "--trust", str(root), "-o",
                              str(tmp_path / "bad.pdf")])
    assert res.exit_code == 1
    assert "KHÔNG HỢP LỆ" in _page_texts((tmp_path / "bad.pdf").read_bytes())[0]


# -- status ------------------------------------------------------------------------------------


def test_a_verified_correction_says_da_dinh_chinh(
    rendered: dict[str, Rendered], trust: TrustStore
) -> None:
    r = rendered["thpt"]
    first = r.issued[-1]
    record = r.reports[-1].record
    assert record is not None
    unsigned = correct(first, record, "Sửa nhận xét của giáo viên chủ nhiệm")
    second = phat_hanh_thu(record, packet=unsigned)
    report = verify(second.signed, trust, previous_versions=[first.signed])
    assert report.ok
    html = render_html(report)
    assert "Đã đính chính" in html and "Đang lưu hành" not in html
    assert "Sửa nhận xét của giáo viên chủ nhiệm" in html
    assert "Phiên bản 2" in html
    assert QrPayload.of(report).phien_ban == 2


def test_a_revoked_record_is_the_invalid_copy_saying_da_thu_hoi(
    rendered: dict[str, Rendered], trust: TrustStore, pki: TestPKI
) -> None:
    r = rendered["thcs"]
    issued = r.issued[-1]
    record = r.reports[-1].record
    assert record is not None
    school = pki.school(name=record.thong_tin_hoc_ba.thong_tin_truong.ten_truong)
    notice = revoke(issued, school.signer(), reason="Cấp nhầm",
                    revocation_time=TEST_NOW + timedelta(days=1))
    report = verify(issued.signed, trust, revocations=[notice])
    assert report.revoked and not report.ok
    html = render_html(report)
    assert "KHÔNG HỢP LỆ" in html and "Đã thu hồi" in html
    assert "STATUS.REVOKED" in html
    assert str(record.thong_tin_hoc_ba.hoc_sinh.ho_va_ten) not in html


def test_a_page_that_overflows_repeats_its_marks_and_is_numbered_by_the_engine(
    rendered: dict[str, Rendered], trust: TrustStore
) -> None:
    record = rendered["thcs"].reports[-1].record
    assert record is not None
    long = "Nhận xét rất dài về quá trình học tập của học sinh. " * 36  # under 2000 letters
    rows = tuple(row.model_copy(update={"nx_mon_hoc": long[:1990]}) for row in record.bang_diem)
    bulky = record.model_copy(update={"bang_diem": rows})
    issued = phat_hanh_thu(type(record).model_validate(bulky.model_dump()))
    texts = _page_texts(render_pdf(issued, trust=trust))
    n = len(texts)
    assert n > 4  # the subject table runs over several sheets
    code = record.thong_tin_hoc_ba.thong_tin_chung.ma_tra_cuu
    for i, page in enumerate(texts, start=1):
        assert f"Trang {i}/{n}" in page
        assert f"Mã tra cứu học bạ số: {code}" in page and "Đang lưu hành" in page
