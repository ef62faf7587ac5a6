"""`curator review -w WS (--approve|--reject REASON) (--ids ID...|--where passing|flagged) [--reviewer NAME]`.

The journal records who (``--reviewer``, else the OS user) and how: one id is one
record decided on its own; several ids or ``--where`` are a bulk action.
"""

from __future__ import annotations

import argparse
from typing import Any

import polars as pl

from curator.cli.common import open_ws, print_json, say
from curator.core import records as R
from curator.core import review
from curator.core.frame import is_flagged
from curator.core.selection import exportable
from curator.core.workspace import Workspace


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("-w", "--workspace", required=True, metavar="WS", help="the workspace folder")
    act = p.add_mutually_exclusive_group(required=True)
    act.add_argument("--approve", action="store_true", help="approve the records")
    act.add_argument("--reject", metavar="REASON", help="reject the records, with this reason")
    act.add_argument("--undo", action="store_true", help="undo the last review action")
    act.add_argument(
        "--redact",
        action="store_true",
        help="replace PII and secrets with placeholders (<EMAIL_1>...), as an undoable edit",
    )
    act.add_argument(
        "--swap",
        action="store_true",
        help="preference pairs: make the rejected answer the chosen one and vice versa (undoable)",
    )
    which = p.add_mutually_exclusive_group()
    which.add_argument("--ids", nargs="+", metavar="ID", help="these records (one id: decided on its own)")
    which.add_argument("--where", choices=("passing", "flagged"),
                       help="every pending record that passes the filters, or that has a flag (bulk)")
    p.add_argument(
        "--reviewer",
        metavar="NAME",
        help="who is deciding, written to the journal (default: the OS user name)",
    )
    p.add_argument("--json", action="store_true", help="print what changed as JSON")


def run(args: argparse.Namespace) -> int:
    ws = open_ws(args.workspace)
    if args.undo:
        delta = review.undo(ws)
        _report(args, delta, f"undid the last {delta.restored} ({delta.changed} record(s))" if delta else "nothing to undo")
        return 0
    if not args.ids and not args.where:
        from curator.core.errors import UsageError

        raise UsageError("say which records: --ids ID... or --where passing|flagged")
    if args.redact:
        return _redact(ws, args)
    if args.where and not args.swap:  # resolved again inside the write transaction: no lost update
        action = "approve" if args.approve else "reject"
        delta = review.decide_where(ws, args.where, action, args.reject, reviewer=args.reviewer)
        done = f"approved {_records(delta.changed)}" if args.approve else f"rejected {_records(delta.changed)}"
        note = (
            f"; left {_records(len(delta.skipped))} alone that another process decided meanwhile"
            if delta.skipped
            else ""
        )
        _report(args, delta, f"{done}{_how(True)}{note}" + ("" if args.approve else f": {args.reject}"))
        return 0
    if args.ids:
        ids = list(args.ids)
    else:
        df = ws.frame().filter(pl.col(R.STATUS) == R.PENDING)
        df = df.filter(exportable("passing") if args.where == "passing" else is_flagged())
        ids = df.get_column(R.ID).to_list()
    if args.swap:
        return _swap(ws, args, ids)
    who = {"reviewer": args.reviewer, "bulk": bool(args.where) or len(set(ids)) != 1}
    if args.approve:
        delta = review.approve(ws, ids, **who)
        _report(args, delta, f"approved {_records(delta.changed)}{_how(who['bulk'])}")
    else:
        delta = review.reject(ws, ids, args.reject, **who)
        _report(args, delta, f"rejected {_records(delta.changed)}{_how(who['bulk'])}: {args.reject}")
    return 0


def _report(args: argparse.Namespace, delta: review.ReviewDelta, text: str) -> None:
    """The outcome: JSON (action, changed, ids[, restored]) with --json, else a line."""
    if args.json:
        out: dict[str, Any] = {
            "action": delta.action,
            "changed": delta.changed,
            "ids": delta.states.get_column(R.ID).to_list(),
        }
        if delta.restored is not None:
            out["restored"] = delta.restored
        if delta.skipped:
            out["skipped"] = list(delta.skipped)
        print_json(out)
    else:
        say(args, text)


def _swap(ws: Workspace, args: argparse.Namespace, ids: list[str]) -> int:
    """Swap chosen and rejected of each preference pair (one undo step per pair)."""
    from curator.core import review_pairs

    changed: list[str] = []
    for rid in ids:
        if review_pairs.swap(ws, rid, reviewer=args.reviewer).changed:
            changed.append(rid)
    if args.json:
        print_json({"action": "swap", "changed": len(changed), "ids": changed})
    else:
        say(args, f"swapped the answers of {_records(len(changed))} (each is one undo step)")
    return 0


def _records(n: int) -> str:
    return f"{n:,} record" + ("" if n == 1 else "s")


def _how(bulk: bool) -> str:
    return " (recorded as a bulk action: it does not count as reviewed one at a time)" if bulk else ""


def _redact(ws: Workspace, args: argparse.Namespace) -> int:
    """Redact the given records, or (--where flagged) every record flagged pii.*/secret.*."""
    from curator.core.filters import redact, rescore
    from curator.core.query import flag_matches

    if args.ids:
        ids = list(args.ids)
    else:
        df = ws.frame().filter(flag_matches("pii") | flag_matches("secret"))
        if args.where == "passing":
            df = df.filter(pl.col(R.STATUS) != R.REJECTED)
        ids = df.get_column(R.ID).to_list()
    bulk = bool(args.where) or len(set(ids)) != 1
    replaced = {rid: redact(ws, rid, rescore_after=False, reviewer=args.reviewer, bulk=bulk) for rid in ids}
    changed = [rid for rid, n in replaced.items() if n]
    if changed:
        rescore(ws, changed)
    if args.json:
        print_json({"action": "redact", "changed": len(changed), "ids": changed,
                    "findings": sum(replaced.values())})
        return 0
    say(
        args,
        f"redacted {sum(replaced.values()):,} finding(s) in {len(changed):,} record(s); "
        "the originals are kept (`curator show ID --json`); each record is one undo step (`curator review --undo`)"
    )
    return 0
