"""`curator export -w WS -o DIR`."""

from __future__ import annotations

import argparse

from curator.core.errors import CuratorError


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("-w", "--workspace", required=True, metavar="WS")
    p.add_argument("-o", "--output", required=True, metavar="DIR")
    p.add_argument("--format", choices=("openai", "sharegpt", "alpaca", "hf", "parquet"), default="openai")
    p.add_argument("--include", choices=("approved", "passing"), default="approved")
    p.add_argument("--split", type=float, default=None, metavar="FRACTION")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--skip-invalid", action="store_true")


def run(args: argparse.Namespace) -> int:
    raise CuratorError("export is not available yet")
