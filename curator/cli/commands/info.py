"""`curator info -w WS [--json]`."""

from __future__ import annotations

import argparse

from curator.cli.common import open_ws, print_json, print_jsonl
from curator.core.query import info
from curator.core.workspace import Workspace


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("-w", "--workspace", required=True, metavar="WS", help="the workspace folder")
    p.add_argument("--json", action="store_true", help="print the summary as JSON (keys per the design)")
    p.add_argument(
        "--quarantine", action="store_true", help="list every quarantined line with its reason"
    )


def run(args: argparse.Namespace) -> int:
    ws = open_ws(args.workspace, readonly=True)
    if args.quarantine:
        return _print_quarantine(ws, as_json=args.json)
    data = info(ws)
    if args.json:
        print_json(data)
        return 0
    print(f"Workspace   {data['workspace']}")
    print(f"Records     {data['records']:,}")
    if data.get("pairs"):
        print(f"Pairs       {data['pairs']:,} preference pairs (prompt, chosen and rejected answer)")
    hint = "  (list them: curator info --quarantine -w WS)" if data["quarantined"] else ""
    print(f"Quarantined {data['quarantined']:,}{hint}")
    print("Status      " + ", ".join(f"{k} {v:,}" for k, v in data["by_status"].items()))
    print(f"Duplicates  {data['duplicates']:,} (records that are not their cluster's keeper)")
    print("Sources")
    for name, n in data["sources"].items():
        print(f"  {n:>9,}  {name}")
    if data["by_flag"]:
        print("Flags")
        for name, n in data["by_flag"].items():
            print(f"  {n:>9,}  {name}")
    return 0


def _print_quarantine(ws: Workspace, *, as_json: bool) -> int:
    q = ws.quarantine()
    if as_json:
        for row in q.drop("raw").to_dicts():
            print_jsonl(row)
        return 0
    for row in q.iter_rows(named=True):
        print(f"{row['path']}:{row['line'] if row['line'] is not None else '-'}: {row['reason']}")
    print(f"{q.height:,} quarantined line(s)")
    return 0
