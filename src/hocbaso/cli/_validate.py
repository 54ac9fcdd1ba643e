"""``hocbaso validate FILE…``: is each packet well-formed, schema-valid and a valid record?"""

from __future__ import annotations

import json
from pathlib import Path

import click

from hocbaso import HocBaSoError
from hocbaso.errors import ErrorDetail
from hocbaso.packet import from_xml, iter_errors, parse_xml
from hocbaso.verify import read_packet_file


def _check(data: bytes, engine: str) -> tuple[ErrorDetail, ...]:
    """Every problem of one packet: parse, then the XSD (all errors), then the model."""
    try:
        root = parse_xml(data)
        details = tuple(iter_errors(root, engine=engine))  # type: ignore[arg-type]
        if details:
            return details
        from_xml(data, validate=False)
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
def validate(files: tuple[Path, ...], as_json: bool, engine: str) -> None:
    """Kiểm tra gói tin theo lược đồ XSD và quy tắc danh mục.
    Check packets against the bundled XSD and the catalogue rules.

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
        results.append((path, _check(data, engine)))
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
