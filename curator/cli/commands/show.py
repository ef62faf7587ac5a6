"""`curator show -w WS ID [--json]`."""

from __future__ import annotations

import argparse

from curator.cli.common import open_ws, print_json
from curator.core import records as R
from curator.core.detail import record_detail


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("-w", "--workspace", required=True, metavar="WS", help="the workspace folder")
    p.add_argument("id", metavar="ID", help="record id (from `curator query`)")
    p.add_argument("--json", action="store_true", help="print the record as JSON")


def run(args: argparse.Namespace) -> int:
    ws = open_ws(args.workspace, readonly=True)
    d = record_detail(ws, args.id)
    if args.json:
        print_json(d)
        return 0
    print(f"{d['id']}  {d['status']}{' (edited)' if d['edited'] else ''}  {d['source']}:{d['locator']}")
    if d["reason"]:
        print(f"reason: {d['reason']}")
    for i, m in enumerate(d["messages"]):
        chosen = " (chosen)" if d.get(R.REJECTED_ANSWER) and i == len(d["messages"]) - 1 else ""
        print(f"--- {m['role']}{chosen}" + (f" ({m['name']})" if m.get("name") else ""))
        print(m["content"] or "")
    if d.get(R.REJECTED_ANSWER):  # a preference pair
        print("--- assistant (rejected)")
        print(d[R.REJECTED_ANSWER]["content"] or "")
    for f in d["flags"]:
        print(f"flag {f['name']} [{f['severity']}]: {f['reason']}")
    if d["duplicate_of"]:
        print(f"duplicate of {d['duplicate_of']} (similarity {d['similarity']:.2f})")
    for r in d["repairs"]:
        print(f"repair: {r}")
    for h in d["history"]:
        how = "one record" if h["how"] == "single" else f"bulk over {h['batch_size']:,} records"
        line = f"{h['at']} {h['action']} by {h['reviewer']} ({how}): {h['status_before']} -> {h['status_after']}"
        if h.get("overrode"):
            line += f", overriding the blocking flag(s) {h['overrode']}"
        print(line + (" (undone)" if h["undone"] else ""))
    return 0
