"""``hocbaso render FILE… --format html|pdf --trust PEM -o OUT``: the soft copy of records.

Each file is verified first (the same checks as ``hocbaso verify``); a file that fails is
rendered only as the "KHÔNG HỢP LỆ" copy and the command exits 1. ``--booklet`` puts the
years of one student in one document; ``--masked`` hides personal data; ``--seal`` with the
key options seals the PDF by the school's organisation certificate. Output is written
atomically.
"""

from __future__ import annotations

from pathlib import Path

import click

from hocbaso.cli._files import load_trust, read_input, write_output
from hocbaso.cli._keys import FilePath, key_options, open_signer
from hocbaso.verify import verify

__all__ = ["render"]


@click.command(name="render", short_help="Bản thể hiện HTML/PDF / render the soft copy.")
@click.argument("files", nargs=-1, required=True, type=FilePath)
@click.option("--format", "fmt", type=click.Choice(["html", "pdf"]), default="pdf",
              show_default=True, help="Định dạng bản thể hiện / format of the copy.")
@click.option("--trust", "trust_paths", multiple=True, required=True,
              type=click.Path(path_type=Path),
              help="Chứng thư gốc tin cậy (PEM hoặc thư mục), lặp lại được / trust anchor PEM "
                   "file or folder (repeatable).")
@click.option("--crl", "crl_paths", multiple=True, type=FilePath,
              help="Danh sách thu hồi chứng thư (CRL) / a CRL of the CA (repeatable).")
@click.option("--masked", is_flag=True,
              help="Che thông tin cá nhân (Nghị định 13/2023) / mask the personal data.")
@click.option("--booklet", is_flag=True,
              help="Gộp các năm học của một học sinh thành một sổ / one student's years in one "
                   "booklet.")
@click.option("--seal", is_flag=True,
              help="Đóng dấu số PAdES bằng chứng thư của trường (cần --key/--cert, --p12 hoặc "
                   "--pkcs11) / seal the PDF with the school's certificate (needs a key "
                   "option).")
@key_options
@click.option("-o", "--out", "out", required=True, type=click.Path(path_type=Path),
              help="Tệp kết quả, hoặc thư mục khi có nhiều tệp không gộp sổ / output file, or "
                   "a folder for several files without --booklet.")
def render(files: tuple[Path, ...], fmt: str, trust_paths: tuple[Path, ...],
           crl_paths: tuple[Path, ...], masked: bool, booklet: bool, seal: bool,
           out: Path, **keys: object) -> None:
    """Thể hiện học bạ đã xác minh theo mẫu học bạ (HTML hoặc PDF/A-3 chứa gói tin đã ký).
    Render verified records in the layout of the paper học bạ (HTML, or PDF/A-3 carrying
    the signed packet).

    \b
    Mã thoát / exit: 0 đã ghi / written, 1 có học bạ không hợp lệ (bản KHÔNG HỢP LỆ) / a
    record failed verification (the KHÔNG HỢP LỆ copy was written), 2 lỗi sử dụng / usage.
    """
    try:
        from hocbaso.render import render_html, render_pdf
    except ModuleNotFoundError as missing:  # the render extra: say so in one line
        raise click.ClickException(str(missing)) from None

    if seal and fmt != "pdf":
        raise click.UsageError("--seal needs --format pdf")
    given = any(keys.get(k) for k in ("key", "p12", "pkcs11"))
    if given and not seal:
        raise click.UsageError("key options are for --seal")
    trust, crls = load_trust(trust_paths, crl_paths)
    packets = [read_input(f) for f in files]
    reports = [verify(p, trust, crls=crls) for p in packets]
    groups = [list(zip(reports, packets, strict=True))] if booklet else [
        [(r, p)] for r, p in zip(reports, packets, strict=True)
    ]
    targets = [out / f"{f.stem}.{fmt}" for f in files] if len(groups) > 1 else [out]
    for group, target in zip(groups, targets, strict=True):
        rs = [r for r, _ in group]
        if fmt == "html":
            data = render_html(rs, masked=masked, booklet=booklet).encode("utf-8")
        elif seal:
            with open_signer(**keys) as signer:  # type: ignore[arg-type]
                data = render_pdf(rs, masked=masked, booklet=booklet,
                                  packets=[p for _, p in group], seal=signer)
        else:
            data = render_pdf(rs, masked=masked, booklet=booklet,
                              packets=[p for _, p in group])
        write_output(target, data)
        click.echo(f"Đã ghi / Wrote {target}")
    bad = [str(f) for f, r in zip(files, reports, strict=True) if not r.ok]
    if bad:
        click.echo(f"KHÔNG HỢP LỆ / INVALID: {', '.join(bad)}", err=True)
        raise click.exceptions.Exit(1)
