"""``hocbaso pack / inspect / receive / lookup / transfer``: packages to the Ministry.

Thin wrappers over :mod:`hocbaso.package` (docs/package.md). Exit codes as everywhere:
0 success, 1 checked and found invalid (a rejected package, a failing bundle, no such lookup
code), 2 the command could not run. ``hocbaso verify`` hands package files to
:func:`verify_package_file` here (a package is recognised by its first bytes).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from hocbaso.cli._files import echo_json, load_trust, write_atomically
from hocbaso.cli._keys import (
    FilePath,
    iso_time,
    key_options,
    open_signer,
    signing_time,
    time_option,
)
from hocbaso.cli._main import print_error
from hocbaso.cli._sign import JSON_OPTION, OUT_OPTION
from hocbaso.errors import HocBaSoError
from hocbaso.package import (
    BienNhan,
    LookupResult,
    PackageReport,
    Receiver,
    SqliteStore,
    TrangThaiLuu,
    media_type_of,
    open_package,
    pack_transfer,
    verify_package,
    verify_transfer,
)
from hocbaso.package import lookup as lookup_record
from hocbaso.package import pack as pack_records
from hocbaso.verify import CrlSet, TrustStore, VerificationPolicy

__all__ = ["inspect", "is_package_file", "lookup", "lookup_table", "pack", "receive",
           "transfer", "verify_package_file"]

_TRUST = click.option(
    "--trust", "trust_paths", multiple=True, required=True, type=click.Path(path_type=Path),
    help="Chứng thư gốc tin cậy (PEM, lặp lại được) / trust anchor PEM file (repeatable).",
)
_CRL = click.option(
    "--crl", "crl_paths", multiple=True, type=FilePath,
    help="CRL (PEM hoặc DER), lặp lại được / a CRL (PEM or DER), repeatable.",
)
_AT = click.option(
    "--at", "at_text", metavar="ISO",
    help="Thời điểm kiểm tra, ISO 8601 có múi giờ (mặc định: bây giờ) / verification time, "
    "ISO 8601 with offset (default: now).",
)
_STORE = click.option(
    "--store", "store_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
    help="Tệp SQLite của kho tiếp nhận / the receiving store's SQLite file.",
)


def _fail(err: HocBaSoError, as_json: bool, code: int = 2) -> NoReturn:
    print_error(err, as_json=as_json)
    raise click.exceptions.Exit(code)


def _at(text: str | None) -> dt.datetime:
    return iso_time(text, option="--at") if text else dt.datetime.now(dt.UTC)


def is_package_file(path: Path) -> bool:
    """Whether a regular file starts like a package (its ``mimetype`` entry). Anything else
    (a FIFO, a device, a folder) is left to the record reader, which refuses it: opening a
    FIFO here would block."""
    try:
        if not path.is_file():
            return False
        with path.open("rb") as fh:
            return media_type_of(fh.read(128)) is not None
    except OSError:
        return False


def _print_report(path: Path | str, report: PackageReport) -> None:
    g = report.envelope
    verdict = "ĐẠT / PASS" if report.ok else "KHÔNG ĐẠT / FAIL"
    click.echo(f"{path}: {verdict}")
    if g is not None:
        click.echo(f"  gói tin / package {g.ma_goi_tin} · mục đích / purpose {g.muc_dich.value}"
                   f" · đợt / round {g.dot_gui or '-'} · năm học / year {g.nam_hoc}")
    for f in report.findings:
        click.echo(f"  {f.status.value:4} {f.code}: {f.message_vi} / {f.message_en}")
    ok = sum(e.ok for e in report.entries)
    click.echo(f"  học bạ và thông báo đạt / entries passing: {ok}/{len(report.entries)}")
    for e in report.entries:
        if not e.ok:
            click.echo(f"  FAIL {e.path}: {', '.join(e.codes)}")


def verify_package_file(
    path: Path, trust: TrustStore, *, at: dt.datetime, crls: CrlSet, policy: VerificationPolicy,
    as_json: bool,
) -> tuple[bool, dict[str, object]]:
    """Verify one package file for ``hocbaso verify``; prints the table unless ``as_json``."""
    report = verify_package(path, trust, at=at, crls=crls, policy=policy)
    if not as_json:
        _print_report(path, report)
    return report.ok, {"file": str(path), "kind": "package", **report.as_dict()}


@click.command("pack", short_help="Đóng gói tin gửi Bộ / pack issued records for the Ministry.")
@click.argument("records", nargs=-1, type=FilePath)
@click.option("--notice", "notices", multiple=True, type=FilePath,
              help="Thông báo thu hồi đã ký, lặp lại được / a signed revocation notice.")
@click.option("--round", "round_", type=click.Choice(["1", "2"]), required=True,
              help="Đợt gửi: 1 (trước 30/6) hoặc 2 (trước 20/8) / round 1 (by 30 June) or "
              "2 (by 20 August).")
@click.option("--school-code", help="Mã trường (khi chỉ gửi thông báo) / school code (needed "
              "for a package of notices only).")
@click.option("--school-year", help="Năm học, ví dụ 2024-2025 / the school year, e.g. 2024-2025.")
@click.option("--receiver", default="BGDDT", show_default=True,
              help="Nơi nhận / the receiver code.")
@key_options
@time_option("Thời điểm tạo gói", "Creation time")
@OUT_OPTION
@JSON_OPTION
def pack(
    records: tuple[Path, ...], notices: tuple[Path, ...], round_: str, school_code: str | None,
    school_year: str | None, receiver: str, time_text: str | None, out: Path, as_json: bool,
    **keys: Any,
) -> None:
    """Đóng các học bạ đã phát hành và thông báo thu hồi thành gói tin ký bằng chứng thư số
    của trường. Pack issued records and revocation notices into a package signed with the
    school's organisation key.

    \b
    Khoá: như `hocbaso sign` / key options as for `hocbaso sign`.
    Mã thoát / exit: 0 đã đóng gói / packed, 2 bị từ chối / refused.
    """
    when = signing_time(time_text)
    try:
        with open_signer(**keys) as signer:
            # Streamed to OUT (a temporary name, then renamed), one record at a time.
            pack_records(list(records), list(notices), signer=signer, round=int(round_),
                         created_at=when, school_code=school_code, school_year=school_year,
                         receiver=receiver, out=out)
    except HocBaSoError as err:
        _fail(err, as_json)
    except OSError as exc:
        raise click.UsageError(f"cannot write {out}: {exc.strerror}") from None
    if as_json:
        echo_json({"ok": True, "command": "pack", "out": str(out), "records": len(records),
                   "notices": len(notices)})
    else:
        click.echo(f"Đã đóng gói / Packed {len(records)} học bạ / records, {len(notices)} "
                   f"thông báo / notices → {out}")


@click.command("inspect", short_help="Xem nội dung gói tin / list a package's contents.")
@click.argument("file", metavar="PACKAGE", type=FilePath)
@JSON_OPTION
def inspect(file: Path, as_json: bool) -> None:
    """Liệt kê các mục của gói tin (không kiểm tra chữ ký; dùng `hocbaso verify`).
    List a package's entries through the hardened reader (signatures are not checked here:
    use `hocbaso verify`).

    \b
    Mã thoát / exit: 0 đọc được / readable, 2 bị từ chối / refused.
    """
    try:
        # Each entry is inflated (and CRC-checked) in turn from the file, then let go.
        with open_package(file) as view:
            media_type = view.media_type
            entries = [(n, len(view.read(n))) for n in view.names]
    except HocBaSoError as err:
        _fail(err, as_json)
    if as_json:
        echo_json({"file": str(file), "media_type": media_type,
                   "entries": [{"name": n, "size": s} for n, s in entries]})
        return
    click.echo(f"{file}: {media_type}")
    for n, s in entries:
        click.echo(f"  {s:>9}  {n}")


def _print_receipt(r: BienNhan) -> None:
    click.echo(f"Biên nhận / Receipt {r.ma_bien_nhan}: {r.trang_thai.value}; "
               f"chấp nhận / accepted {r.accepted}/{len(r.ket_qua)}")
    for code in (*r.ma_loi, *r.canh_bao):
        click.echo(f"  {code}")
    for k in r.ket_qua:
        if k.ma_loi:
            click.echo(f"  {k.trang_thai.value} {k.duong_dan}: {', '.join(k.ma_loi)}")


@click.command("receive", short_help="Tiếp nhận gói tin vào kho / receive a package.")
@click.argument("file", metavar="PACKAGE", type=FilePath)
@_STORE
@_TRUST
@_CRL
@click.option("--receiver-code", default="BGDDT", show_default=True,
              help="Mã đơn vị nhận / the receiver code.")
@click.option("--receipt", "receipt_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Ghi biên nhận đã ký vào tệp này / write the signed receipt here.")
@key_options
@JSON_OPTION
def receive(
    file: Path, store_path: Path, trust_paths: tuple[Path, ...], crl_paths: tuple[Path, ...],
    receiver_code: str, receipt_path: Path | None, as_json: bool, **keys: Any,
) -> None:
    """Kiểm tra gói tin, lưu các học bạ được chấp nhận và trả biên nhận ký bằng khoá của đơn vị
    nhận. Verify a package, store what is accepted and answer with a signed receipt.

    \b
    Nhận lại cùng gói tin cho đúng biên nhận cũ / receiving it again gives the same receipt.
    Mã thoát / exit: 0 được tiếp nhận / accepted, 1 bị từ chối (toàn bộ hoặc một phần) /
    rejected in whole or in part, 2 không thể chạy / could not run.
    """
    try:
        trust, crls = load_trust(trust_paths, crl_paths)
        store = SqliteStore(store_path)
        with open_signer(**keys) as signer:
            receipt = Receiver(store, trust, signer=signer, receiver_code=receiver_code,
                               crls=crls).receive(file)
    except HocBaSoError as err:
        _fail(err, as_json)
    if receipt_path is not None:
        write_atomically(receipt_path, receipt.signed)
    if as_json:
        echo_json(receipt.as_dict())
    else:
        _print_receipt(receipt)
    if receipt.ma_loi or receipt.accepted + sum(
        k.trang_thai.value == "TRUNG" for k in receipt.ket_qua
    ) != len(receipt.ket_qua):
        raise click.exceptions.Exit(1)


_STATUS_LABEL = {
    TrangThaiLuu.CO_HIEU_LUC: "CÓ HIỆU LỰC / IN FORCE",
    TrangThaiLuu.DA_DINH_CHINH: "ĐÃ ĐÍNH CHÍNH / CORRECTED",
    TrangThaiLuu.THU_HOI: "ĐÃ THU HỒI / REVOKED",
}


def _qr_question(text: str) -> tuple[str, str, int, str]:
    """(lookup code, identifier, version, digest prefix) from a scanned ``HBS1|…`` payload
    (docs/render.md §3; read by the render extra's one parser)."""
    try:
        from hocbaso.render import QrPayload
    except ModuleNotFoundError as missing:
        raise click.ClickException(str(missing)) from None
    q = QrPayload.parse(text)
    return q.ma_tra_cuu, q.ma_dinh_danh_hoc_ba, q.phien_ban, q.digest_prefix


def lookup_table(found: LookupResult) -> Table:
    """The lookup answer as a two-column table for an 80-column terminal: the version asked
    about and its status, the current version, and the re-verification (no personal data).
    Digests show their first 32 hex digits, as a QR payload does; ``--json`` has them whole."""
    table = Table(title=Text(_STATUS_LABEL[found.trang_thai_tra_cuu]), title_justify="left",
                  show_header=False, expand=False)
    table.add_column("", no_wrap=True)
    table.add_column("", overflow="fold", max_width=64)
    asked = f"{found.phien_ban_tra_cuu} — {found.trang_thai_tra_cuu.value}"
    rows = [
        ("Mã định danh / Record", found.ma_dinh_danh_hoc_ba),
        ("Phiên bản tra cứu / Asked", asked),
        ("  băm / digest", found.bam_hoc_ba_tra_cuu[:32] + "…"),
        ("Hiện hành / Current", f"{found.phien_ban} of {found.so_phien_ban} — "
                                f"{found.trang_thai.value}"),
        ("  băm / digest", found.bam_hoc_ba[:32] + "…"),
        ("  gói tin / package", found.ma_goi_tin),
    ]
    r = found.report
    if r is None:
        rows.append(("Xác minh / Verified", "không chạy (cần --trust) / not run (give --trust)"))
    else:
        verdict = "HỢP LỆ / VALID" if r.ok else "KHÔNG HỢP LỆ / INVALID"
        if not found.consistent:
            verdict += " — KHÁC KHO / DISAGREES WITH THE STORE"
        rows.append(("Xác minh / Verified", verdict))
        rows += [("", f"FAIL {c}") for c in sorted(r.failed_codes)]
    for label, value in rows:
        table.add_row(Text(label), Text(value))
    return table


@click.command("lookup", short_help="Tra cứu học bạ theo mã tra cứu / look a record up.")
@click.argument("code", metavar="MA_TRA_CUU|HBS1…")
@_STORE
@click.option("--version", "phien_ban", type=click.IntRange(min=1),
              help="Phiên bản ghi trên bản giấy / the version the copy names.")
@click.option("--digest", "digest_prefix", metavar="HEX",
              help="16–64 chữ số đầu của băm học bạ / the record digest's first 16-64 hex "
              "digits.")
@click.option("--trust", "trust_paths", multiple=True, type=click.Path(path_type=Path),
              help="Chứng thư gốc: nếu có, xác minh lại học bạ / trust anchors: re-verify "
              "the record with them.")
@_CRL
@click.option("--show-personal", is_flag=True,
              help="In cả họ tên, ngày sinh của học sinh / also print the student's name and "
              "birth date.")
@_AT
@JSON_OPTION
def lookup(
    code: str, store_path: Path, phien_ban: int | None, digest_prefix: str | None,
    trust_paths: tuple[Path, ...], crl_paths: tuple[Path, ...], show_personal: bool,
    at_text: str | None, as_json: bool,
) -> None:
    """Tra cứu học bạ theo mã tra cứu (hoặc nội dung mã QR HBS1|… của bản giấy): phiên bản
    được hỏi có hiệu lực, đã đính chính hay đã thu hồi, phiên bản hiện hành và báo cáo xác
    minh. Look a record up by its lookup code (or the HBS1|… QR payload of a paper copy):
    whether the version asked about (--version, --digest, or the QR's) is in force, corrected
    or revoked, the current version, and its verification report (with --trust).
    Không in dữ liệu cá nhân trừ khi có --show-personal / no personal data unless
    --show-personal.

    \b
    Mã thoát / exit: 0 phiên bản có hiệu lực / the version is in force (and verifies);
    1 không có, đã đính chính, đã thu hồi hoặc không hợp lệ / not found, corrected, revoked
    or not valid; 2 lỗi / error.
    """
    if not store_path.is_file():
        raise click.BadParameter("no such store file", param_hint="--store")
    ident: str | None = None
    if code.startswith("HBS1|"):
        if phien_ban is not None or digest_prefix is not None:
            raise click.BadParameter("a QR payload already names the version and digest",
                                     param_hint="--version/--digest")
        code, ident, phien_ban, digest_prefix = _qr_question(code)
    if show_personal and not trust_paths:
        raise click.BadParameter("needs --trust: personal data is read only from a record "
                                 "that verifies", param_hint="--show-personal")
    try:
        store = SqliteStore(store_path)
    except HocBaSoError as err:
        _fail(err, as_json)
    try:
        if trust_paths:
            trust, crls = load_trust(trust_paths, crl_paths)
            found = lookup_record(store, code, trust, phien_ban=phien_ban,
                                  digest_prefix=digest_prefix, ma_dinh_danh_hoc_ba=ident,
                                  at=_at(at_text), crls=crls)
        else:
            found = store.lookup(code, phien_ban=phien_ban, digest_prefix=digest_prefix,
                                 ma_dinh_danh_hoc_ba=ident)
    except HocBaSoError as err:
        if not err.code.startswith("STORE.LOOKUP.") or err.code == "STORE.LOOKUP.INPUT":
            _fail(err, as_json)
        _not_found(err.code, err.message_vi, err.message_en, as_json)
    finally:
        store.close()
    if found is None:
        _not_found("STORE.NOT_FOUND", "Không tìm thấy", "Not found", as_json)
    result = found.as_dict()
    r = found.report
    if show_personal and r is not None and r.ok and r.record is not None:
        hs = r.record.thong_tin_hoc_ba.hoc_sinh
        result["hoc_sinh"] = {"ho_va_ten": hs.ho_va_ten,
                              "ngay_thang_nam_sinh": str(hs.ngay_thang_nam_sinh or
                                                         hs.thang_nam_sinh or hs.nam_sinh)}
    if as_json:
        echo_json(result)
    else:
        out = Console(highlight=False, width=80)
        out.print(lookup_table(found))
        if "hoc_sinh" in result:
            out.print(Text(f"Học sinh / Student: {result['hoc_sinh']}"))
    if not found.ok:
        raise click.exceptions.Exit(1)


def _not_found(code: str, vi: str, en: str, as_json: bool) -> NoReturn:
    if as_json:
        echo_json({"found": False, "code": code, "message_vi": vi, "message_en": en})
    else:
        click.echo(f"{vi} / {en} ({code})")
    raise click.exceptions.Exit(1)


@click.group("transfer", short_help="Hồ sơ chuyển trường / pack and verify a transfer bundle.")
def transfer() -> None:
    """Hồ sơ chuyển trường: đóng gói và xác minh. Transfer bundles: pack and verify."""


@transfer.command("pack", short_help="Đóng hồ sơ chuyển trường / pack a transfer bundle.")
@click.argument("records", nargs=-1, required=True, type=FilePath)
@click.option("--to-school", required=True,
              help="Mã trường đến / the code of the receiving school.")
@key_options
@time_option("Thời điểm tạo", "Creation time")
@OUT_OPTION
@JSON_OPTION
def transfer_pack(records: tuple[Path, ...], to_school: str, time_text: str | None, out: Path,
                  as_json: bool, **keys: Any) -> None:
    """Đóng các học bạ của một học sinh thành hồ sơ chuyển trường ký bằng khoá của trường đi.
    Pack one student's issued records into a transfer bundle signed by the sending school."""
    try:
        with open_signer(**keys) as signer:
            data = pack_transfer(list(records), signer=signer, to_school=to_school,
                                 created_at=signing_time(time_text))
    except HocBaSoError as err:
        _fail(err, as_json)
    write_atomically(out, data)
    if as_json:
        echo_json({"ok": True, "command": "transfer pack", "out": str(out),
                   "records": len(records)})
    else:
        click.echo(f"Đã đóng hồ sơ chuyển trường / Packed a transfer bundle → {out}")


@transfer.command("verify", short_help="Xác minh hồ sơ chuyển trường / verify a bundle.")
@click.argument("file", metavar="BUNDLE", type=FilePath)
@_TRUST
@_CRL
@_AT
@JSON_OPTION
def transfer_verify(file: Path, trust_paths: tuple[Path, ...], crl_paths: tuple[Path, ...],
                    at_text: str | None, as_json: bool) -> None:
    """Xác minh từng học bạ và tính liên tục: cùng học sinh, năm học liên tiếp, khối lớp theo
    kết quả lên lớp, quá trình học tập, trường đi phát hành học bạ cuối. Verify every record
    and the continuity between them.

    \b
    Mã thoát / exit: 0 đạt / passes, 1 không đạt / fails, 2 lỗi / error.
    """
    try:
        trust, crls = load_trust(trust_paths, crl_paths)
    except HocBaSoError as err:
        _fail(err, as_json)
    report = verify_transfer(file, trust, at=_at(at_text), crls=crls)
    if as_json:
        echo_json(report.as_dict())
    else:
        _print_report(file, report.package)
        for f in report.findings:
            click.echo(f"  {f.status.value:4} {f.code}: {f.message_vi} / {f.message_en}")
    if not report.ok:
        raise click.exceptions.Exit(1)
