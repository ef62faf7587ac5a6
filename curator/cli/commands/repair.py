"""`curator repair -w WS [--yes]`: say what will be done about `check`'s problems, ask, do it."""

from __future__ import annotations

import argparse
import sys

from curator.cli.common import open_ws
from curator.core.errors import CuratorError
from curator.core.integrity import check, plan, repair
from curator.core.locks import WorkspaceLock

EXAMPLES = """examples:
  curator repair -w support.curator          # lists what it will do, then asks
  curator repair -w support.curator --yes    # scripts: no question

A damaged record part is moved to WS/quarantine/ (never deleted) and its import
is marked failed, so `curator import SOURCE -w WS` brings those records back.
Damaged results are deleted (the next `curator run` rebuilds them). The
database itself is never changed beyond that."""


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-w", "--workspace", required=True, metavar="WS", help="workspace folder to repair"
    )
    p.add_argument("--yes", action="store_true", help="do it without asking (for scripts)")


def run(args: argparse.Namespace) -> int:
    ws = open_ws(args.workspace)
    with WorkspaceLock(ws.path, "import", doing="an import or repair"):
        problems = check(ws)
        steps = plan(problems)
        if not problems:
            print(f"{ws.path}: nothing to repair.")
            return 0
        print(f"curator repair will, in {ws.path}:")
        for step in steps:
            print(f"  - {step}")
        if not args.yes:
            if not sys.stdin.isatty():
                raise CuratorError(
                    "not repairing without a yes: re-run with --yes, or in a terminal to answer"
                )
            answer = input("Go ahead? [y/N] ").strip().lower()
            if answer not in ("y", "yes"):
                print("Nothing changed.")
                return 1
        for line in repair(ws, problems):
            print(f"  done: {line}")
    left = [p for p in check(ws) if p.kind == "damaged_database"]
    if left:
        print(f"The database is still damaged: {left[0].fix}.")
        return 1
    return 0
