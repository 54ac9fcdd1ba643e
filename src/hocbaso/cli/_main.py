"""Entry point, command registry and the one exception translator of the CLI.

Exit codes: 0 success, 1 the input was checked and found invalid or not genuine, 2 usage
error or input that could not be processed at all.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from hocbaso.errors import HocBaSoError

#: ``(module, attribute)`` of every subcommand; imported lazily so a broken optional
#: dependency of one command cannot stop the others from running.
_COMMANDS: tuple[tuple[str, str], ...] = (
    ("hocbaso.cli._validate", "validate"),
    ("hocbaso.cli._demo", "demo"),
    ("hocbaso.cli._tt22", "tt22"),
    ("hocbaso.cli._sign", "sign"),
    ("hocbaso.cli._verify", "verify"),
    ("hocbaso.cli._render", "render"),
    ("hocbaso.cli._lifecycle", "build"),
    ("hocbaso.cli._lifecycle", "issue"),
    ("hocbaso.cli._lifecycle", "correct"),
    ("hocbaso.cli._lifecycle", "revoke"),
    ("hocbaso.cli._package", "pack"),
    ("hocbaso.cli._package", "inspect"),
    ("hocbaso.cli._package", "receive"),
    ("hocbaso.cli._package", "lookup"),
    ("hocbaso.cli._package", "transfer"),
)

F = TypeVar("F", bound=Callable[..., Any])


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for _, name in _COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        for module, name in _COMMANDS:
            if name == cmd_name:
                cmd = getattr(importlib.import_module(module), name)
                assert isinstance(cmd, click.Command)
                return cmd
        return None


@click.group(cls=_LazyGroup)
@click.version_option(package_name="hocbaso")
def cli() -> None:
    """Học bạ số: tạo, kiểm tra, ký, phát hành, đính chính, thu hồi và xác minh học bạ số.
    Build, check, sign, issue, correct, revoke and verify digital school transcripts.

    \b
    Mỗi lệnh có --help song ngữ / every command has a bilingual --help.
    Mã thoát / exit codes: 0 thành công / success, 1 không hợp lệ / invalid,
    2 lỗi sử dụng hoặc bị từ chối / usage error or refused.
    """


def print_error(err: HocBaSoError, *, as_json: bool = False) -> None:
    """Show a library error the same way in every command (stderr, or JSON on stdout)."""
    if as_json:
        click.echo(json.dumps({"error": err.as_dict()}, ensure_ascii=False, indent=2))
    else:
        click.echo(f"Lỗi / Error: {err}", err=True)
        for d in err.details:
            click.echo(f"  - {d.code} [{d.path}]: {d.message_vi} / {d.message_en}", err=True)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; known library errors become a message and exit code 2, never a traceback."""
    try:
        # Non-standalone click *returns* the code of a command's ``Exit(n)`` instead of raising.
        rc = cli.main(args=argv, prog_name="hocbaso", standalone_mode=False)
        if isinstance(rc, int) and rc:
            sys.exit(rc)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.ClickException as e:
        e.show()
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("Đã huỷ / Aborted", err=True)
        sys.exit(2)
    except HocBaSoError as e:
        print_error(e)
        sys.exit(2)
    sys.exit(0)
