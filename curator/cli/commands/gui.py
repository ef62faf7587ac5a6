"""`curator gui [WS]` (and plain `curator`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from curator.core.errors import CuratorError
from curator.core.workspace import DB_NAME


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("workspace", nargs="?", metavar="WS", help="workspace folder to open")
    p.add_argument(
        "--install-desktop-entry",
        action="store_true",
        help="put Curator in your desktop's application menu (launcher + icon under $XDG_DATA_HOME, "
        "default ~/.local/share) and exit",
    )


def run(args: argparse.Namespace) -> int:
    if getattr(args, "install_desktop_entry", False):
        from curator.gui.install import install_desktop_entry

        written = install_desktop_entry()
        print(f"installed the Curator launcher and icon ({len(written)} files):")
        for path in written:
            print(f"  {path}")
        return 0
    ws = Path(args.workspace).expanduser() if args.workspace else None
    if ws is not None and not (ws / DB_NAME).exists():
        raise CuratorError(
            f"{ws} is not a Curator workspace (no {DB_NAME}). "
            "Create one with `curator import SRC -w PATH`, or run `curator gui` and choose New workspace."
        )
    from curator.gui.app import run_app

    return run_app(ws)
