"""`curator run -w WS [--recipe FILE]`."""

from __future__ import annotations

import argparse

from curator.core.errors import CuratorError


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("-w", "--workspace", required=True, metavar="WS")
    p.add_argument("--recipe", metavar="FILE", help="TOML recipe to store in the workspace and run")
    p.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    raise CuratorError("run is not available yet")
