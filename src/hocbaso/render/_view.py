"""From verified reports to what the templates print: labels' values as plain strings.

Everything the templates show passes through here, so two rules hold in one place:

* only a report that verified contributes record data; a failed report contributes its codes
  and identifiers only (it carries no record anyway);
* a masked copy has its personal values replaced *here*, before any template sees them, so a
  masked value cannot reach the HTML, the PDF text or its metadata by another path.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import segno

from hocbaso.errors import RenderError
from hocbaso.models import CapHoc, DiemTongKet, HocBa, MucDanhGia, TrangThaiHocBa
from hocbaso.models._internal import format_ket_qua
from hocbaso.render._payload import QrPayload, record_digest_of
from hocbaso.signature import VaiTroKy
from hocbaso.verify import Status, Step, VerificationReport

__all__ = ["MASK", "CopyView", "build_view", "masked_values"]

#: What a masked value prints as.
MASK = "***"

#: Subject order of the form (CT GDPT 2018), by level; codes not listed follow in code order.
SUBJECT_ORDER: dict[CapHoc, tuple[str, ...]] = {
    CapHoc.THCS: ("19", "15", "69", "26", "05", "66", "27", "32", "88", "97", "91", "99",
                  "14", "31"),
    # Lịch sử is compulsory since TT13/2022: after Ngoại ngữ 1, before the other compulsory rows.
    CapHoc.THPT: ("19", "15", "69", "40", "88", "47", "91", "99", "35", "36", "37", "41",
                  "100", "46", "38", "29", "30", "14", "70"),
}

STATUS_IN_FORCE = "Đang lưu hành"
STATUS_CORRECTED = "Đã đính chính"
STATUS_REVOKED = "Đã thu hồi"

_ROLE_LABEL: dict[str, str] = {  # a VaiTroKy member hashes and compares as its name
    VaiTroKy.GVBM: "Giáo viên bộ môn",
    VaiTroKy.GVCN: "Giáo viên chủ nhiệm",
    VaiTroKy.CBQL: "Hiệu trưởng",
    VaiTroKy.KY_PHAT_HANH: "Nhà trường phát hành",
}
_CN = re.compile(r"CN=(.+?)(?:, [A-Z]+=|\s\[|$)")
_SUBJECT = re.compile(r"MA_MON_HOC='([^']+)'")


@dataclass(frozen=True, slots=True)
class SignatureView:
    """One verified signature as printed: ``Đã ký số bởi <name> lúc <time>``."""

    role: str
    role_label: str
    name: str
    when: str
    mon: str | None = None

    @property
    def text(self) -> str:
        return f"Đã ký số bởi {self.name} lúc {self.when}"


@dataclass(frozen=True, slots=True)
class SubjectRow:
    ten: str
    hk1: str
    hk2: str
    ca_nam: str
    lai: str
    nhan_xet: str
    gvbm: str
    chu_ky: SignatureView | None


@dataclass(frozen=True)
class YearView:
    """One school year: the header, the subject table, the results page and its marks."""

    record: HocBa
    payload: str
    qr_svg: str
    ma_tra_cuu: str
    status: str
    nam_hoc: str
    ten_lop: str
    cap_hoc: CapHoc
    subjects: tuple[SubjectRow, ...]
    signatures: dict[str, SignatureView]
    fields: dict[str, str]


@dataclass(frozen=True)
class InvalidView:
    """A report that did not verify: identifiers and failing checks, never personal data."""

    ma_dinh_danh_hoc_ba: str
    phien_ban: str
    packet_sha256: str
    status: str
    failures: tuple[tuple[str, str, str, str], ...]


@dataclass(frozen=True)
class CopyView:
    """Everything one rendered document shows."""

    masked: bool
    years: tuple[YearView, ...] = ()
    invalid: tuple[InvalidView, ...] = ()
    identity: dict[str, str] = field(default_factory=dict)
    history: tuple[tuple[str, str, str, str], ...] = ()
    cover: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.invalid


def _date(d: dt.date | None) -> str:
    return f"{d:%d/%m/%Y}" if d is not None else ""


def _time(t: dt.datetime | None) -> str:
    if t is None:
        return ""
    off = t.strftime("%z")
    return f"{t:%H:%M} ngày {t:%d/%m/%Y} (UTC{off[:3]}:{off[3:]})"


def _muc(m: MucDanhGia | None) -> str:
    return m.nhan if m is not None else ""


def _kq(value: object) -> str:
    if value is None:
        return ""
    text = format_ket_qua(value)  # type: ignore[arg-type]
    return text.replace(".", ",") if text[:1].isdigit() else text


def _status(report: VerificationReport) -> str:
    """Đã thu hồi / Đã đính chính / Đang lưu hành, from the verifier's STATUS step."""
    revoked = report.revoked or any(
        s.code == "STATUS.REVOKED" and s.status is not Status.PASS
        for s in report.by_step(Step.STATUS)
    )
    if revoked:
        return STATUS_REVOKED
    record = report.record
    if record is not None:
        chung = record.thong_tin_hoc_ba.thong_tin_chung
        if chung.trang_thai is TrangThaiHocBa.THU_HOI:
            return STATUS_REVOKED
        if chung.dinh_chinh is not None:
            return STATUS_CORRECTED
    return STATUS_IN_FORCE


def _signatures(report: VerificationReport) -> list[SignatureView]:
    out: list[SignatureView] = []
    for s in report.by_step(Step.SIGNATURE):
        if s.status is Status.FAIL or s.role is None or s.signer is None:
            continue
        m = _CN.search(s.signer)
        name = m.group(1) if m else s.signer
        mon = _SUBJECT.search(s.path)
        out.append(SignatureView(str(s.role), _ROLE_LABEL.get(str(s.role), str(s.role)), name,
                                 _time(s.signing_time), mon.group(1) if mon else None))
    return out


def _qr_svg(payload: str) -> str:
    qr = segno.make(payload, error="m", micro=False)
    return str(qr.svg_data_uri(scale=2, border=2, dark="#000", light="#fff"))


def _subject_rows(record: HocBa, sigs: list[SignatureView]) -> tuple[SubjectRow, ...]:
    cap = record.thong_tin_hoc_ba.thong_tin_chung.ma_cap_hoc
    order = SUBJECT_ORDER[cap]

    def key(row: DiemTongKet) -> tuple[int, int, str]:
        ma = str(row.ma_mon_hoc)
        return (order.index(ma) if ma in order else len(order), int(ma), ma)

    by_mon = {s.mon: s for s in sigs if s.role == VaiTroKy.GVBM}
    return tuple(
        SubjectRow(
            ten=str(row.ten_mon_hoc),
            hk1=_kq(row.diem_hoc_ky_1),
            hk2=_kq(row.diem_hoc_ky_2),
            ca_nam=_kq(row.diem_ca_nam),
            lai=_kq(row.diem_kt_lai),
            nhan_xet=str(row.nx_mon_hoc or ""),
            gvbm=str(row.gvbm),
            chu_ky=by_mon.get(str(row.ma_mon_hoc)),
        )
        for row in sorted(record.bang_diem, key=key)
    )


def _identity(record: HocBa, masked: bool) -> dict[str, str]:
    hs = record.thong_tin_hoc_ba.hoc_sinh

    def m(value: str | None) -> str:
        if value is None or value == "":
            return ""
        return MASK if masked else value

    if hs.ngay_thang_nam_sinh is not None:
        sinh = _date(hs.ngay_thang_nam_sinh)
    elif hs.thang_nam_sinh is not None:
        sinh = f"{hs.thang_nam_sinh[5:]}/{hs.thang_nam_sinh[:4]}"
    else:
        sinh = str(hs.nam_sinh or "")
    return {
        "ho_va_ten": str(hs.ho_va_ten),
        "gioi_tinh": hs.gioi_tinh.nhan,
        "ngay_sinh": m(sinh),
        "dan_toc": hs.dan_toc.nhan,
        "quoc_tich": "Việt Nam" if hs.quoc_tich == "VN" else str(hs.quoc_tich),
        "doi_tuong": str(hs.doi_tuong_chinh_sach or ""),
        "so_dinh_danh": m(str(hs.so_dinh_danh)),
        "ma_so_suot_doi": m(hs.ma_so_ho_so_hoc_tap_suot_doi),
        "noi_sinh": m(str(hs.noi_sinh.dia_chi_chi_tiet)),
        "que_quan": m(str(hs.que_quan.dia_chi_chi_tiet)),
        "cho_o": m(str(hs.noi_o_hien_nay.dia_chi_chi_tiet)),
        "ho_ten_cha": m(hs.ho_ten_cha),
        "nghe_nghiep_cha": m(hs.nghe_nghiep_cha),
        "ho_ten_me": m(hs.ho_ten_me),
        "nghe_nghiep_me": m(hs.nghe_nghiep_me),
        "ho_ten_nguoi_giam_ho": m(hs.ho_ten_nguoi_giam_ho),
        "nghe_nghiep_nguoi_giam_ho": m(hs.nghe_nghiep_nguoi_giam_ho),
    }


def masked_values(record: HocBa) -> tuple[str, ...]:
    """The values a masked copy of ``record`` must not contain, as the unmasked copy prints
    them (the tests search a masked copy's bytes for each)."""
    full = _identity(record, masked=False)
    hidden = _identity(record, masked=True)
    return tuple(v for k, v in full.items() if v and hidden[k] == MASK)


def _year(report: VerificationReport, masked: bool) -> YearView:
    record = report.record
    assert record is not None
    info = record.thong_tin_hoc_ba
    chung = info.thong_tin_chung
    tk = info.tong_ket
    ky = info.nguoi_ky
    sigs = _signatures(report)
    by_role = {s.role: s for s in sigs if s.role != VaiTroKy.GVBM}
    payload = QrPayload.of(report).text()
    cap = chung.ma_cap_hoc
    cuoi_cap = chung.ma_khoi.so in (9, 12)
    chuong_trinh = "trung học cơ sở" if cap is CapHoc.THCS else "trung học phổ thông"
    chung_chi = "; ".join(str(c.ten_chung_chi or "") for c in info.danh_sach_chung_chi)
    loai = "; ".join(str(c.loai_chung_chi or "") for c in info.danh_sach_chung_chi)
    duoc = bool(tk.duoc_len_lop)
    sau_he = tk.ren_luyen_lai is not None or tk.kq_hoc_tap_lai is not None
    hoan_thanh = ""
    if cuoi_cap:
        hoan_thanh = str(tk.nd_hoan_thanh) if tk.nd_hoan_thanh else (
            f"Hoàn thành chương trình {chuong_trinh}" if duoc
            else f"Không hoàn thành chương trình {chuong_trinh}"
        )
    hinh_thuc = str(ky.hinh_thuc_ky) if ky.hinh_thuc_ky is not None else ""
    fields = {
        "hk1_ren_luyen": _muc(tk.ren_luyen_hoc_ky_1),
        "hk2_ren_luyen": _muc(tk.ren_luyen_hoc_ky_2),
        "cn_ren_luyen": _muc(tk.ren_luyen_ca_nam),
        "hk1_hoc_tap": _muc(tk.hoc_ky_1),
        "hk2_hoc_tap": _muc(tk.hoc_ky_2),
        "cn_hoc_tap": _muc(tk.ca_nam),
        "so_buoi_nghi": "" if tk.so_buoi_nghi is None else str(tk.so_buoi_nghi),
        "ren_luyen_lai": _muc(tk.ren_luyen_lai),
        "hoc_tap_lai": _muc(tk.kq_hoc_tap_lai),
        "len_lop": str(tk.nd_duoc_len_lop) if duoc and not sau_he else "",
        "len_lop_sau_he": str(tk.nd_duoc_len_lop) if duoc and sau_he else "",
        "khong_len_lop": "" if duoc else str(tk.nd_duoc_len_lop),
        "cuoi_cap": "1" if cuoi_cap else "",
        "chuong_trinh": chuong_trinh,
        "hoan_thanh": hoan_thanh,
        "chung_chi": chung_chi,
        "loai_chung_chi": loai,
        "cuoc_thi": str(tk.kq_tham_gia_cuoc_thi or ""),
        "khen_thuong": str(tk.nd_khen_thuong or ""),
        "ren_luyen_he": str(tk.nd_kq_ren_luyen or ""),
        "nx_gvcn": str(tk.nx_gvcn),
        "ten_gvcn": str(ky.ten_gvcn),
        "ten_giam_hieu": str(ky.ten_giam_hieu),
        "chuc_vu_giam_hieu": str(ky.chuc_vu_giam_hieu),
        "hinh_thuc_ky": hinh_thuc,
        "dia_danh": str(ky.dia_danh_phat_hanh),
        "ngay": f"{ky.ngay_ky_phat_hanh.day:02d}",
        "thang": f"{ky.ngay_ky_phat_hanh.month:02d}",
        "nam": f"{ky.ngay_ky_phat_hanh.year}",
        "ngay_ky": _date(ky.ngay_ky_phat_hanh),
        "phien_ban": str(chung.phien_ban),
        "ma_dinh_danh_hoc_ba": str(chung.ma_dinh_danh_hoc_ba),
        "record_digest": record_digest_of(report),
        "ly_do_dinh_chinh": str(chung.dinh_chinh.ly_do) if chung.dinh_chinh else "",
    }
    return YearView(
        record=record,
        payload=payload,
        qr_svg=_qr_svg(payload),
        ma_tra_cuu=str(chung.ma_tra_cuu),
        status=_status(report),
        nam_hoc=str(chung.nam_hoc).replace("-", " – "),
        ten_lop=str(chung.ten_lop),
        cap_hoc=cap,
        subjects=_subject_rows(record, sigs),
        signatures=by_role,
        fields=fields,
    )


def _invalid(report: VerificationReport) -> InvalidView:
    return InvalidView(
        ma_dinh_danh_hoc_ba=report.ma_dinh_danh_hoc_ba or "",
        phien_ban="" if report.phien_ban is None else str(report.phien_ban),
        packet_sha256=report.packet_sha256,
        status=STATUS_REVOKED if report.revoked else "",
        failures=tuple((f.code, f.path, f.message_vi, f.message_en) for f in report.failures),
    )


def _student_key(record: HocBa) -> str:
    return str(record.thong_tin_hoc_ba.hoc_sinh.so_dinh_danh)


def build_view(reports: Sequence[VerificationReport], *, masked: bool, booklet: bool) -> CopyView:
    """The view of one copy (one report) or of a booklet (several years of one student).

    A booklet is refused (``RENDER.BOOKLET.*``) when its records belong to different students
    or levels, repeat a school year, or are more than the level has years. Any report that did
    not verify turns the whole document into the "KHÔNG HỢP LỆ" copy listing what failed.
    """
    if not reports:
        raise RenderError("nothing to render", "không có học bạ để thể hiện",
                          code="RENDER.INPUT")
    if not booklet and len(reports) != 1:
        raise RenderError(
            "several records need booklet=True (one student's years)",
            "nhiều học bạ cần chế độ sổ (booklet=True, các năm của một học sinh)",
            code="RENDER.INPUT",
        )
    bad = [r for r in reports if not r.ok or r.record is None]
    if bad:
        return CopyView(masked=masked, invalid=tuple(_invalid(r) for r in bad))
    records = [r.record for r in reports if r.record is not None]
    if booklet:
        _check_booklet(records)
    pairs = sorted(zip(records, reports, strict=True),
                   key=lambda p: str(p[0].thong_tin_hoc_ba.thong_tin_chung.nam_hoc))
    years = tuple(_year(r, masked) for _, r in pairs)
    last = pairs[-1][0]
    info = last.thong_tin_hoc_ba
    truong = info.thong_tin_truong
    chung = info.thong_tin_chung
    cap = chung.ma_cap_hoc
    first_year = pairs[0][0].thong_tin_hoc_ba.thong_tin_chung.nam_hoc
    nam_hoc = (str(first_year)[:4] + " – " + str(chung.nam_hoc)[5:]) if booklet else (
        str(chung.nam_hoc).replace("-", " – "))
    cover = {
        "cap": "TRUNG HỌC CƠ SỞ" if cap is CapHoc.THCS else "TRUNG HỌC PHỔ THÔNG",
        "cap_short": "THCS" if cap is CapHoc.THCS else "THPT",
        "ho_va_ten": str(info.hoc_sinh.ho_va_ten),
        "lop": str(chung.ten_lop),
        "truong": str(truong.ten_truong),
        "nam_hoc": nam_hoc,
        "xa": str(truong.dia_chi.ten_xa),
        "tinh": str(truong.dia_chi.ten_tinh),
        "so_so_dang_bo": str(chung.so_so_dang_bo or ""),
    }
    seen: dict[str, tuple[str, str, str, str]] = {}
    for rec, _ in pairs:
        for q in rec.thong_tin_hoc_ba.qua_trinh_hoc_tap:
            seen[str(q.nam_hoc)] = (str(q.nam_hoc), str(q.ten_lop), str(q.ten_truong),
                                    _date(q.ngay_trang_thai_chuyen_den))
        ch = rec.thong_tin_hoc_ba.thong_tin_chung
        seen.setdefault(str(ch.nam_hoc), (str(ch.nam_hoc), str(ch.ten_lop),
                                          str(rec.thong_tin_hoc_ba.thong_tin_truong.ten_truong),
                                          ""))
    rows = max(4 if cap is CapHoc.THCS else 3, len(seen))
    history = tuple(seen[k] for k in sorted(seen))
    history += (("", "", "", ""),) * (rows - len(history))
    return CopyView(masked=masked, years=years, identity=_identity(last, masked),
                    history=history, cover=cover)


def _check_booklet(records: list[HocBa]) -> None:
    students = {_student_key(r) for r in records}
    if len(students) != 1:
        raise RenderError(
            "a booklet holds the records of one student; these belong to several",
            "một sổ học bạ chỉ gồm học bạ của một học sinh; các học bạ này của nhiều học sinh",
            code="RENDER.BOOKLET.MIXED_STUDENTS",
        )
    levels = {r.thong_tin_hoc_ba.thong_tin_chung.ma_cap_hoc for r in records}
    if len(levels) != 1:
        raise RenderError(
            "a booklet holds one level (THCS or THPT)",
            "một sổ học bạ chỉ gồm một cấp học (THCS hoặc THPT)",
            code="RENDER.BOOKLET.MIXED_LEVELS",
        )
    cap = levels.pop()
    years = [str(r.thong_tin_hoc_ba.thong_tin_chung.nam_hoc) for r in records]
    if len(set(years)) != len(years):
        raise RenderError(
            "a school year appears twice in the booklet",
            "một năm học xuất hiện hai lần trong sổ học bạ",
            code="RENDER.BOOKLET.DUPLICATE_YEAR",
        )
    limit = 4 if cap is CapHoc.THCS else 3
    if len(records) > limit:
        raise RenderError(
            f"a booklet holds at most {limit} school years at this level",
            f"sổ học bạ cấp này có tối đa {limit} năm học",
            code="RENDER.BOOKLET.TOO_MANY_YEARS",
        )
