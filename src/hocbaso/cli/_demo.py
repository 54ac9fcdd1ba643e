"""``hocbaso demo --out DIR``: the whole workflow on a generated class, with the test PKI.

It is what a vendor's integration does for real: generate records (here synthetic, with
Thông tư 22 results computed exactly), write and validate the unsigned packets, have every
subject teacher, the homeroom teacher, the head of school and the school sign, issue, and then
verify each issued record as a receiving school would, trusting only the test root.
Nothing here is a real person or a real key.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click

from hocbaso.cli._files import write_atomically
from hocbaso.models import CapHoc, Khoi
from hocbaso.package import (
    Receiver,
    SqliteStore,
    dot_gui_of,
    pack,
    pack_transfer,
    verify_package,
    verify_transfer,
)
from hocbaso.packet import to_xml, validate
from hocbaso.signature import IssuedRecord, VaiTroKy, issue, sign
from hocbaso.testing import phat_hanh_thu, tao_hoc_ba_cac_nam, tao_hoc_ba_trong_lop, tao_lop_hoc
from hocbaso.testing.pki import TEST_NOW, TestIdentity, TestPKI
from hocbaso.verify import CrlSet, TrustStore, verify


@click.command(short_help="Chạy thử toàn bộ quy trình / the whole workflow on a test class.")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục ghi pki/, unsigned/, records/ / folder to write them into.")
@click.option("--so-hoc-sinh", default=40, show_default=True, type=click.IntRange(1, 500),
              help="Số học sinh của lớp / number of students in the class.")
@click.option("--khoi", default="09", show_default=True,
              type=click.Choice([k.value for k in Khoi]), help="Khối lớp / grade of the class.")
@click.option("--seed", default=2025, show_default=True, type=int,
              help="Hạt giống dữ liệu giả lập / seed of the synthetic data (same seed, same "
                   "records).")
def demo(out: Path, so_hoc_sinh: int, khoi: str, seed: int) -> None:
    """Tạo một lớp giả lập, ký, phát hành và xác minh mọi học bạ (khoá THỬ NGHIỆM).
    Generate a class, sign and issue every record, write and verify them, pack them for
    round 1, receive the package into a store, look one record up and verify a transfer
    bundle (TEST keys only).
    """
    lop = tao_lop_hoc(seed, Khoi(khoi))
    records = [tao_hoc_ba_trong_lop(lop, i, seed=seed) for i in range(so_hoc_sinh)]
    click.echo(f"Lớp / Class {lop.ten_lop}: {len(records)} học sinh / students, "
               f"{len(lop.mon)} môn / subjects")

    pki = TestPKI.cached()
    trust_files = pki.write_trust_files(out / "pki")
    school = pki.school(lop.truong.ma_so_thue, lop.truong.thong_tin.ten_truong)
    principal = pki.personal(lop.truong.hieu_truong.so_ddcn, lop.truong.hieu_truong.ho_ten)
    homeroom = pki.personal(lop.gvcn.so_ddcn, lop.gvcn.ho_ten)
    teachers = {ma: pki.personal(gv.so_ddcn, gv.ho_ten) for ma, gv in lop.gvbm.items()}

    trust = TrustStore.from_pem(trust_files["root"])
    crls = CrlSet([trust_files["crl"].read_bytes()])
    failures = 0
    issued_records: list[IssuedRecord] = []
    for i, record in enumerate(records):
        name = f"hb-{record.ma_dinh_danh_hoc_ba}.xml"
        packet = to_xml(record)
        validate(packet)
        write_atomically(out / "unsigned" / name, packet)
        when = TEST_NOW + timedelta(minutes=i)
        for row in record.bang_diem:
            packet = sign(packet, VaiTroKy.GVBM, teachers[row.ma_mon_hoc].signer(),
                          mon=row.ma_mon_hoc, signing_time=when)
        packet = sign(packet, VaiTroKy.GVCN, homeroom.signer(),
                      signing_time=when + timedelta(hours=1))
        packet = sign(packet, VaiTroKy.CBQL, principal.signer(),
                      signing_time=when + timedelta(hours=2))
        issued = issue(packet, school.signer(), signing_time=when + timedelta(hours=3))
        write_atomically(out / "records" / name, issued.signed)
        issued_records.append(issued)
        report = verify(issued.signed, trust, crls=crls)
        if not report.ok:
            failures += 1
            click.echo(f"  {name}: KHÔNG ĐẠT / FAILED", err=True)
    click.echo(f"Đã ghi / Wrote {out / 'unsigned'} and {out / 'records'} "
               f"({len(records)} packets each), trust anchor {trust_files['root']}")
    click.echo(f"Xác minh / Verified: {len(records) - failures}/{len(records)} đạt / passed")
    _render_copies(out, trust, crls)
    if failures:
        raise click.exceptions.Exit(1)
    if not _packages(out, issued_records, pki, school, trust, crls):
        raise click.exceptions.Exit(1)


def _packages(out: Path, issued: list[IssuedRecord], pki: TestPKI, school: TestIdentity,
              trust: TrustStore, crls: CrlSet) -> bool:
    """Round-1 package → a fresh store with a signed receipt (twice: the same receipt) → a
    lookup → a transfer bundle of one student's four years (docs/package.md)."""
    last = max(r.issued_at for r in issued)
    round1 = [r for r in issued if dot_gui_of(r.hoc_ba) == 1]
    package = pack(round1, signer=school.signer(), round=1,
                   created_at=last + timedelta(minutes=5))
    assert package is not None
    write_atomically(out / "packages" / "round-1.zip", package)
    checked = verify_package(package, trust, at=last + timedelta(minutes=10), crls=crls)
    click.echo(f"Gói tin đợt 1 / Round-1 package: {len(round1)} học bạ / records, "
               f"{'ĐẠT / PASS' if checked.ok else 'KHÔNG ĐẠT / FAIL'}")
    store_path = out / "store.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store_path}{suffix}").unlink(missing_ok=True)
    ministry = pki.school("0100109106", "Bo Giao duc va Dao tao")
    receiver = Receiver(SqliteStore(store_path), trust, signer=ministry.signer(), crls=crls,
                        clock=lambda: last + timedelta(minutes=15))
    receipt = receiver.receive(package)
    again = receiver.receive(package)
    write_atomically(out / "packages" / "round-1.receipt.xml", receipt.signed)
    click.echo(f"Biên nhận / Receipt: chấp nhận / accepted {receipt.accepted}/"
               f"{len(receipt.ket_qua)}; nhận lại cho cùng biên nhận / received again, same "
               f"receipt: {again.signed == receipt.signed} → {store_path}")
    first = issued[0].hoc_ba.thong_tin_hoc_ba.thong_tin_chung
    found = receiver.lookup(first.ma_tra_cuu)
    verified = found is not None and found.report is not None and found.report.ok
    click.echo(f"Tra cứu / Lookup {first.ma_tra_cuu}: "
               f"{found.trang_thai.value if found else 'STORE.NOT_FOUND'}, "
               f"{'HỢP LỆ / VALID' if verified else 'KHÔNG HỢP LỆ / INVALID'}")
    years = [phat_hanh_thu(r) for r in tao_hoc_ba_cac_nam(seed=2025, cap_hoc=CapHoc.THCS)]
    sender = pki.school(name=years[-1].hoc_ba.thong_tin_hoc_ba.thong_tin_truong.ten_truong)
    moved_at = max(r.issued_at for r in years) + timedelta(days=1)
    bundle = pack_transfer(years, signer=sender.signer(), to_school="79THCS0001",
                           created_at=moved_at)
    write_atomically(out / "packages" / "transfer.zip", bundle)
    moved = verify_transfer(bundle, trust, at=moved_at + timedelta(minutes=5), crls=crls)
    click.echo(f"Hồ sơ chuyển trường / Transfer bundle: {len(years)} năm học / school years, "
               f"{'ĐẠT / PASS' if moved.ok else 'KHÔNG ĐẠT / FAIL'}")
    return (checked.ok and receipt.accepted == len(round1) == len(receipt.ket_qua)
            and again.signed == receipt.signed and found is not None and found.ok and moved.ok)


def _render_copies(out: Path, trust: TrustStore, crls: CrlSet) -> None:
    """One student's soft copy, masked copy and whole-level booklet (docs/render.md), from
    records issued for four school years and verified like any other."""
    try:
        from hocbaso.render import render_html, render_pdf
    except ModuleNotFoundError:
        click.echo("Bỏ qua bản thể hiện (chưa cài hocbaso[render]) / skipped the soft copies "
                   "(the render extra is not installed)", err=True)
        return
    issued = [phat_hanh_thu(r) for r in tao_hoc_ba_cac_nam(seed=2025, cap_hoc=CapHoc.THCS)]
    reports = [verify(i.signed, trust, crls=crls) for i in issued]
    packets = [i.signed for i in issued]
    folder = out / "copies"
    for i in issued:
        write_atomically(folder / f"hb-{i.ma_dinh_danh_hoc_ba}.xml", i.signed)
    last, last_packet = reports[-1], packets[-1]
    write_atomically(folder / "hoc-ba.html", render_html(last).encode("utf-8"))
    write_atomically(folder / "hoc-ba.pdf", render_pdf(last, packets=[last_packet]))
    write_atomically(folder / "hoc-ba-che.pdf", render_pdf(last, masked=True))
    write_atomically(folder / "so-hoc-ba.pdf",
                     render_pdf(reports, booklet=True, packets=packets))
    click.echo(f"Bản thể hiện / Soft copies: {folder} (hoc-ba.html, hoc-ba.pdf, "
               "hoc-ba-che.pdf, so-hoc-ba.pdf)")
