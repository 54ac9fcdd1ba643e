"""``hocbaso tt22 evaluate``: the Thông tư 22 evaluator for software that is not Python.

One JSON object in (a file or ``-`` for stdin), one JSON object out on stdout, UTF-8 with the
Vietnamese letters as they are. Exit 0 with the results; exit 2 with ``{"error": {...}}`` on
stdout when the input cannot be evaluated, so a caller always parses stdout as JSON and never
meets a traceback. The contract is in ``docs/tt22.md``.
"""

from __future__ import annotations

import json
import sys
from typing import NoReturn

import click

from hocbaso.cli._main import print_error
from hocbaso.errors import RulesError
from hocbaso.tt22 import evaluate_json

__all__ = ["tt22"]


def _fail_as_json(err: RulesError) -> NoReturn:
    print_error(err, as_json=True)
    sys.exit(2)


def _read_input(file: str) -> bytes:
    """Read the input; an unreadable file is a JSON error too (its name is not echoed: file
    names of student data often contain the student's name)."""
    if file == "-":
        return sys.stdin.buffer.read()
    try:
        with open(file, "rb") as f:
            return f.read()
    except OSError:
        _fail_as_json(
            RulesError(
                "the input file cannot be read",
                "không đọc được tệp dữ liệu vào",
                code="TT22.INPUT.FILE",
            )
        )


@click.group("tt22")
def tt22() -> None:
    """Kết quả theo Thông tư 22 / Thông tư 22 results."""


@tt22.command("evaluate")
@click.argument("file", default="-")
def evaluate_command(file: str) -> None:
    """Đánh giá một học sinh trong một năm học từ JSON / Evaluate one student-year given as JSON.

    FILE is a JSON file, or - (the default) for standard input.
    """
    data = _read_input(file)
    try:
        # JSON text is read by the library (duplicate keys refused, numbers by their literal).
        out = evaluate_json(data)
    except RulesError as err:
        _fail_as_json(err)
    text = json.dumps(out, ensure_ascii=False, indent=2) + "\n"
    # Bytes, so the output is UTF-8 whatever the terminal's locale says.
    click.echo(text.encode("utf-8"), nl=False)
