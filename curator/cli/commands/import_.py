"""`curator import SRC... -w WS`."""

from __future__ import annotations

import argparse

from curator.core.errors import CuratorError

FORMATS = ("auto", "openai", "prompt-completion", "sharegpt", "alpaca", "csv", "transcript", "parquet", "hf", "json")


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("sources", nargs="+", metavar="SRC", help="file or folder (every file in it)")
    p.add_argument("-w", "--workspace", required=True, metavar="WS", help="workspace folder (created if missing)")
    p.add_argument("--format", default="auto", choices=FORMATS)
    p.add_argument("--messages-field", metavar="F")
    p.add_argument("--role-field", metavar="F")
    p.add_argument("--content-field", metavar="F")
    p.add_argument("--conversation-column", metavar="C")
    p.add_argument("--speaker-column", metavar="C")
    p.add_argument("--text-column", metavar="C")
    p.add_argument("--time-column", metavar="C")
    p.add_argument("--role-map", metavar="A=user,B=assistant")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")


def run(args: argparse.Namespace) -> int:
    raise CuratorError("import is not available yet")
