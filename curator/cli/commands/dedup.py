"""`curator dedup -w WS`."""

from __future__ import annotations

import argparse

from curator.core.errors import CuratorError


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("-w", "--workspace", required=True, metavar="WS")
    p.add_argument("--threshold", type=float, default=None, help="Jaccard threshold (default 0.8)")
    p.add_argument("--ngram", type=int, default=None, help="word n-gram shingle size (default 5)")
    p.add_argument("--num-perm", type=int, default=None, help="MinHash permutations (default 128)")
    p.add_argument("--scope", choices=("all", "user", "assistant"), default=None)
    p.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    raise CuratorError("dedup is not available yet")
