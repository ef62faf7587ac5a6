"""`curator report -w WS`."""

from __future__ import annotations

import argparse

from curator.core.errors import CuratorError


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("-w", "--workspace", required=True, metavar="WS")
    p.add_argument("--json", action="store_true")
    p.add_argument("--target", metavar="NAME", default=None)
    p.add_argument("--include", choices=("approved", "passing"), default="approved")
    p.add_argument("--html", metavar="FILE")


def run(args: argparse.Namespace) -> int:
    raise CuratorError("report is not available yet")
