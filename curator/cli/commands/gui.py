"""`curator gui [WS]` (and plain `curator`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from curator.core.errors import CuratorError
from curator.core.workspace import DB_NAME


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("workspace", nargs="?", metavar="WS", help="workspace folder to open")


def run(args: argparse.Namespace) -> int:
    ws = Path(args.workspace).expanduser() if args.workspace else None
    if ws is not None and not (ws / DB_NAME).exists():
        raise CuratorError(
            f"{ws} is not a Curator workspace (no {DB_NAME}). "
            "Create one with `curator import SRC -w PATH`, or run `curator gui` and choose New workspace."
        )
    from curator.gui.app import run_app

    return run_app(ws)
