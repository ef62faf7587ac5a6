"""`curator gui [WS]` (and plain `curator`)."""

from __future__ import annotations

import argparse

from curator.core.errors import CuratorError


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("workspace", nargs="?", metavar="WS")


def run(args: argparse.Namespace) -> int:
    raise CuratorError("the GUI is not available yet")
