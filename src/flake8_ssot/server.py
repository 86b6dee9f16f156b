"""`flake8-ssot server`: the language server over stdio (the extra ``flake8-ssot[lsp]``).

Only this verb imports pygls (:mod:`flake8_ssot.lsp`), and only when it runs.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flake8_ssot.engine import Project

OWN_PROJECTS = True
"""Each buffer finds its own project, as `check` finds a file's, and a broken configuration is
a message to the editor, not an exit: the server starts without one."""

INSTALL_HINT = "flake8-ssot: server needs pygls: pip install 'flake8-ssot[lsp]'\n"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stdio", action="store_true",
        help="talk LSP over standard input and output (the default and only transport; editors pass it)",
    )


def run(args: argparse.Namespace, project: Project | None) -> int:
    try:
        from flake8_ssot import lsp
    except ImportError as e:
        if (e.name or "pygls").partition(".")[0] not in ("pygls", "lsprotocol", "libcst"):
            raise
        sys.stderr.write(INSTALL_HINT)
        return 2
    return lsp.serve(args.ssot_config, args.python_environment)
