"""`curator query -w WS [--status S] [--flag NAME] [--search TEXT] [--json]`."""

from __future__ import annotations

import argparse
import sys

from curator.cli.common import open_ws, print_jsonl
from curator.core.query import query, query_rows
from curator.core.workspace import Workspace


def positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {n}")
    return n


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("-w", "--workspace", required=True, metavar="WS", help="the workspace folder")
    p.add_argument("--status", choices=("pending", "approved", "rejected", "flagged"),
                   help="only records with this review status (flagged: any flag)")
    p.add_argument("--flag", metavar="NAME", help="flag name or family, e.g. pii or pii.email")
    p.add_argument("--search", metavar="TEXT", help="case-insensitive text in any message")
    p.add_argument("--limit", type=positive, default=None, metavar="N", help="stop after N records (N >= 1)")
    p.add_argument("--json", action="store_true", help="one JSON object a line")


def run(args: argparse.Namespace) -> int:
    ws = open_ws(args.workspace, readonly=True)
    df = query(ws, status=args.status, flag=args.flag, search=args.search)
    if args.limit is not None:
        df = df.head(args.limit)
    rows = query_rows(df)
    if args.flag and not rows:
        _explain_unknown_flag(ws, args.flag)
    if args.json:
        for row in rows:
            print_jsonl(row)
        return 0
    for row in rows:
        flags = ",".join(f["name"] for f in row["flags"]) or "-"
        dup = f" dup-of {row['duplicate_of']}" if row["duplicate_of"] else ""
        print(f"{row['id']}  {row['status']:<8}  {row['source']}:{row['locator']}  {flags}{dup}")
    print(f"{len(rows):,} record(s)")
    return 0


def _explain_unknown_flag(ws: Workspace, flag: str) -> None:
    """A typo in --flag should not look like "no matches": say which flags exist."""
    names = sorted(set(ws.flags().get_column("name").to_list()))
    families = sorted({n.split(".")[0] for n in names})
    if flag not in names and flag not in families:
        known = ", ".join(families) if families else "none yet (run `curator run -w WS`)"
        sys.stderr.write(f"curator: no record has a flag named '{flag}'; flags in this workspace: {known}\n")
