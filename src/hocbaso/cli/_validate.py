"""``hocbaso validate FILE…``: would a receiving school accept each packet's content?

Well-formed, schema-valid, a valid record, and (unless ``--no-content``) Thông tư 22 results
consistent with the record's own data: the checks issuing runs. Signatures are ``verify``'s.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from hocbaso import HocBaSoError
from hocbaso.errors import ErrorDetail
from hocbaso.packet import iter_errors, parse_xml
from hocbaso.signature import validate as validate_record
from hocbaso.verify import read_packet_file


def _check(data: bytes, engine: str, content: bool) -> tuple[ErrorDetail, ...]:
    """Every problem of one packet: parse, the XSD (all errors), then the model, then the
    Thông tư 22 content check (every finding) unless ``content`` is off."""
    try:
        root = parse_xml(data)
        details = tuple(iter_errors(root, engine=engine))  # type: ignore[arg-type]
        if details:
            return details
        validate_record(root, engine=engine, content=content)  # type: ignore[arg-type]
    except HocBaSoError as err:
        return err.details or (
            ErrorDetail(err.code, err.path, err.message_vi, err.message_en),
        )
    return ()


@click.command(short_help="Kiểm tra gói tin / check packets (XSD, catalogue rules).")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--json", "as_json", is_flag=True, help="In báo cáo JSON / print a JSON report on stdout."
)
@click.option(
    "--engine",
    type=click.Choice(["lxml", "xmlschema"]),
    default="lxml",
    show_default=True,
    help="Bộ kiểm tra XSD / XSD engine: lxml is fast; xmlschema explains failures in more words.",
)
@click.option(
    "--no-content",
    "no_content",
    is_flag=True,
    help="Bỏ qua kiểm tra kết quả theo Thông tư 22 (bản nháp) / "
    "Skip the Thông tư 22 results check (for a draft whose results are not final).",
)
def validate(files: tuple[Path, ...], as_json: bool, engine: str, no_content: bool) -> None:
    """Kiểm tra gói tin như trường tiếp nhận: lược đồ XSD, quy tắc danh mục, kết quả theo
    Thông tư 22. Check packets as a receiving school would: the bundled XSD, the catalogue
    rules and the Thông tư 22 results (--no-content skips the last).

    \b
    Mã thoát / exit: 0 mọi tệp hợp lệ / every file valid, 1 có tệp không hợp lệ / any invalid,
    2 không đọc được tệp / a file cannot be read.
    """
    results: list[tuple[Path, tuple[ErrorDetail, ...]]] = []
    for path in files:
        try:  # regular files only, at most the size limit + 1 byte (parse_xml refuses more)
            data = read_packet_file(path)
        except HocBaSoError as exc:
            raise click.UsageError(f"cannot read {path}: {exc.message_en}") from None
        results.append((path, _check(data, engine, not no_content)))
    if as_json:
        report = [
            {"file": str(p), "ok": not d, "errors": [e.as_dict() for e in d]} for p, d in results
        ]
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for path, details in results:
            mark = "HỢP LỆ / VALID" if not details else "KHÔNG HỢP LỆ / INVALID"
            click.echo(f"{path}: {mark}")
            for e in details:
                click.echo(f"  - {e.code} [{e.path}]: {e.message_vi} / {e.message_en}")
    if any(details for _, details in results):
        raise click.exceptions.Exit(1)
