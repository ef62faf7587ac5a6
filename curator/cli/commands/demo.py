"""`curator demo`: build the demo workspace from sample_data/ and open it."""

from __future__ import annotations

import argparse

from curator.core.errors import CuratorError


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("-w", "--workspace", metavar="WS", help="where to build it (default: ~/.curator/demo.curator)")
    p.add_argument("--no-gui", action="store_true", help="build and print the summary only")
    p.add_argument("--fresh", action="store_true", help="rebuild it from scratch")


def run(args: argparse.Namespace) -> int:
    raise CuratorError("demo is not available yet")
