"""`curator repair -w WS [--yes]`: say what will be done about `check`'s problems, ask, do it."""

from __future__ import annotations

import argparse
import sys

from curator.cli.common import open_ws, print_json
from curator.core.errors import CuratorError, UsageError
from curator.core.integrity import check, plan, repair
from curator.core.locks import workspace_lock

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
    p.add_argument(
        "--json", action="store_true", help="print {planned, done, ok} as JSON (needs --yes)"
    )


def run(args: argparse.Namespace) -> int:
    if args.json and not args.yes:
        raise UsageError("--json cannot ask a question: add --yes")
    out = _Output(args.json)
    ws = open_ws(args.workspace)
    with workspace_lock(ws.path, "a repair"):
        problems = check(ws)
        steps = plan(problems)
        out.planned = [str(s) for s in steps]
        if not problems:
            out.say(f"{ws.path}: nothing to repair.")
            return out.finish(ok=True)
        out.say(f"curator repair will, in {ws.path}:")
        for step in steps:
            out.say(f"  - {step}")
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
            out.done.append(str(line))
            out.say(f"  done: {line}")
    left = [p for p in check(ws) if p.kind == "damaged_database"]
    if left:
        out.say(f"The database is still damaged: {left[0].fix}.")
        return out.finish(ok=False)
    return out.finish(ok=True)


class _Output:
    """Lines for a person, or (``--json``) one object at the end."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.planned: list[str] = []
        self.done: list[str] = []

    def say(self, text: str) -> None:
        if not self.as_json:
            print(text)

    def finish(self, *, ok: bool) -> int:
        if self.as_json:
            print_json({"planned": self.planned, "done": self.done, "ok": ok})
        return 0 if ok else 1
