"""`curator info -w WS [--json]`."""

from __future__ import annotations

import argparse

from curator.cli.common import open_ws, print_json
from curator.core.query import info


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("-w", "--workspace", required=True, metavar="WS")
    p.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    ws = open_ws(args.workspace)
    data = info(ws)
    if args.json:
        print_json(data)
        return 0
    print(f"Workspace   {data['workspace']}")
    print(f"Records     {data['records']:,}")
    print(f"Quarantined {data['quarantined']:,}" + ("  (see them: curator info --quarantine)" if False else ""))
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
