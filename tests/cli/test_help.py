"""Every command's help is in Vietnamese and in English (the school's staff and the vendor's
developers read the same screen)."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from hocbaso.cli._main import _COMMANDS, cli

#: Letters only Vietnamese uses (not in English text).
VI = re.compile(r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", re.I)
EN = re.compile(
    r"\b(the|a|an|of|to|with|and|or|for|in|as|is|each|every|this|from|on|check|results?"
    r"|signature|packets?|records?|build|issue|verify|revoke|correct|file|folder|print|time"
    r"|number|grade|seed|language|reason|label|module|password|notice|version|key|certificates?)\b"
)


def _bilingual(text: str | None) -> bool:
    return bool(text) and bool(VI.search(text or "")) and bool(EN.search(text or ""))


def _commands() -> list[tuple[str, click.Command]]:
    ctx = click.Context(cli)
    out: list[tuple[str, click.Command]] = [("hocbaso", cli)]
    for _, name in _COMMANDS:
        cmd = cli.get_command(ctx, name)
        assert cmd is not None
        out.append((name, cmd))
        if isinstance(cmd, click.Group):
            out.extend((f"{name} {sub}", c) for sub, c in cmd.commands.items())
    return out


@pytest.mark.parametrize(("name", "command"), _commands(), ids=lambda x: str(x))
def test_help_texts_are_bilingual(name: str, command: click.Command) -> None:
    assert _bilingual(command.help), name
    if command is not cli:  # the root's short help is never shown
        assert _bilingual(command.get_short_help_str(limit=200)), name
    for param in command.params:
        if isinstance(param, click.Option) and param.name not in {"help", "version"}:
            assert _bilingual(param.help), f"{name} {param.opts}"


@pytest.mark.parametrize("name", ["build", "issue", "correct", "revoke", "verify", "sign"])
def test_help_renders(name: str) -> None:
    done = CliRunner().invoke(cli, [name, "--help"])
    assert done.exit_code == 0
    assert VI.search(done.output) and "Usage:" in done.output
