"""The ``hocbaso`` command line: a thin shell over the public API.

Each subcommand lives in its own private module and is registered in ``_main._COMMANDS``.
The command line needs ``click`` and ``rich``, which a library user need not install: they come
with the ``cli`` extra (``pip install 'hocbaso[cli]'``). Without them the console script says so
in one line instead of a traceback.
"""

from __future__ import annotations

import sys

#: The packages only the command line needs (the ``cli`` extra).
_CLI_PACKAGES = frozenset({"click", "rich"})

#: The one line shown when the ``cli`` extra is missing (Vietnamese / English, like every error).
_MISSING_CLI_EXTRA = (
    "Lỗi / Error: dòng lệnh hocbaso cần gói bổ sung, hãy cài: pip install 'hocbaso[cli]' / "
    "the hocbaso command line needs its extra, install: pip install 'hocbaso[cli]'"
)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; known library errors become a message and exit code 2, never a traceback.

    The command modules are imported here, not at import time, so that ``import hocbaso.cli``
    and a missing ``cli`` extra both end in a clear message rather than a ``ModuleNotFoundError``.
    """
    try:
        from hocbaso.cli._main import main as _run

        _run(argv)
    except ModuleNotFoundError as e:
        if (e.name or "").partition(".")[0] not in _CLI_PACKAGES:
            raise
        print(_MISSING_CLI_EXTRA, file=sys.stderr)
        sys.exit(2)


__all__ = ["main"]
