"""The ``hocbaso`` command line: a thin shell over the public API.

Each subcommand lives in its own private module and is registered in ``_main._COMMANDS``.
"""

from hocbaso.cli._main import main

__all__ = ["main"]
