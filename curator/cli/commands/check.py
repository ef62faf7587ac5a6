"""`curator check -w WS [--json]`: report damaged or left-over files; changes nothing."""

from __future__ import annotations

import argparse
from pathlib import Path

from curator.cli.common import open_ws, print_json
from curator.core.integrity import Problem, check
from curator.core.workspace import DB_NAME, WorkspaceDamaged

EXAMPLES = """examples:
  curator check -w support.curator
  curator check -w support.curator --json   # one object per problem, for scripts

Exit code 0 when everything reads back, 1 when something is damaged or left over
(`curator repair -w WS` says what it would do about it, then asks)."""


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-w", "--workspace", required=True, metavar="WS", help="workspace folder to check"
    )
    p.add_argument("--json", action="store_true", help="print {ok, problems: [...]} as JSON")


def run(args: argparse.Namespace) -> int:
    try:
        ws = open_ws(args.workspace, readonly=True)
    except WorkspaceDamaged as exc:  # the database itself: nothing further can be read
        db = Path(args.workspace) / DB_NAME
        problems = [
            Problem("damaged_database", str(db), str(exc), f"restore {DB_NAME} from a backup")
        ]
        if args.json:
            print_json({"ok": False, "problems": [p.to_dict() for p in problems]})
        else:
            print(f"damaged_database: {db}\n    {exc}")
        return 1
    problems = check(ws)
    if args.json:
        print_json({"ok": not problems, "problems": [p.to_dict() for p in problems]})
        return 1 if problems else 0
    if not problems:
        print(
            f"{ws.path}: every record part, result and the database read back; nothing left over."
        )
        return 0
    print(f"{ws.path}: {len(problems)} problem(s)")
    for p in problems:
        print(f"  {p.kind}: {p.path}\n    {p.detail}\n    fix: {p.fix}")
    return 1
