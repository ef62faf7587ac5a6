"""`curator report -w WS [--json] [--target NAME] [--include approved|passing] [--html FILE]`."""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys
import textwrap
from pathlib import Path

from curator.cli.common import open_ws, print_json
from curator.core.errors import CuratorError
from curator.core.readiness import Report, build_report
from curator.core.readiness.html import render_html
from curator.core.readiness.targets import load_targets

MARKS = {"ok": "ok", "warn": "WARN", "block": "BLOCK", "info": "info", "n/a": "n/a"}


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("-w", "--workspace", required=True, metavar="WS", help="the workspace folder")
    p.add_argument("--json", action="store_true", help="the report as JSON (keys per the design)")
    p.add_argument(
        "--target", metavar="NAME", default=None,
        help="training target: " + ", ".join(load_targets()) + " (open-source:N sets a cutoff length)",
    )
    p.add_argument("--include", choices=("approved", "passing"), default="approved",
                   help="count approved records (default) or approved plus pending ones that pass")
    p.add_argument("--html", metavar="FILE", help="also write a self-contained HTML report to FILE")


def run(args: argparse.Namespace) -> int:
    ws = open_ws(args.workspace, readonly=True)
    report = build_report(ws, include=args.include, target=args.target)
    if args.html:
        _write_html(report, Path(args.html))
    if args.json:
        print_json(report.to_json())
    else:
        sys.stdout.write(render_text(report))
    if args.html:
        sys.stderr.write(f"Wrote {args.html}\n")
    return 0


def _write_html(report: Report, path: Path) -> None:
    if path.is_dir():
        raise CuratorError(f"{path} is a folder; give --html a file name such as report.html.")
    if not path.parent.exists():
        raise CuratorError(f"folder {path.parent} does not exist; create it or pick another --html path.")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(render_html(report))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise CuratorError(f"could not write {path}: {exc.strerror}. Check the path and free space.") from exc


def render_text(report: Report) -> str:
    """The readable table: verdict on top, one line per check, next steps."""
    width = max(60, min(120, shutil.get_terminal_size((100, 20)).columns))
    t, c = report.target, report.counts
    first = report.preview or report.counts["good"] == 0  # what it is computed on comes first
    out = [*textwrap.wrap(report.population, width), ""] if first and report.population else []
    out += [f"Readiness: {report.label.upper()}" + (" (PREVIEW)" if report.preview else ""), ""]
    out += textwrap.wrap(report.verdict_message, width)
    if not first and report.population:
        out += textwrap.wrap(report.population, width)
    out += [
        "",
        f"Target   {t.label} ({t.max_tokens:,} tokens per example)",
        f"Counting {report.include} records.  total {c['total']:,} · approved {c['approved']:,} · "
        f"pending {c['pending']:,} · rejected {c['rejected']:,} · good {c['good']:,}",
        "",
    ]
    head = f"{'':5}  {'check':<24} {'value':>9}  "
    indent = " " * len(head)
    for check in report.checks:
        value = _fmt_value(check.value)
        first = f"{MARKS[check.level]:<5}  {check.title[:24]:<24} {value:>9}  "
        lines = textwrap.wrap(check.message, max(30, width - len(head)))
        out.append(first + (lines[0] if lines else ""))
        out += [indent + line for line in lines[1:]]
        if check.level in ("warn", "block"):
            if check.query:
                out.append(indent + "list: " + str(check.query))
            if check.examples:
                out.append(indent + "e.g.: " + shlex.join(["curator", "show", "-w", report.workspace, check.examples[0]]))
    if report.next_steps:
        out += ["", "Next steps"]
        for i, step in enumerate(report.next_steps, 1):
            wrapped = textwrap.wrap(step, width - 5)
            out.append(f"  {i:>2}. " + wrapped[0])
            out += ["      " + w for w in wrapped[1:]]
    out += ["", "Token counts are estimates (cl100k_base). `--json` has every number; `--html FILE` a shareable copy."]
    return "\n".join(out) + "\n"


def _fmt_value(v: object) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        return f"{v:.1%}" if v <= 1 else f"{v:,.1f}"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, dict):
        d2 = v.get("distinct_2")
        return "-" if d2 is None else f"d2 {d2:.2f}"
    return str(v)[:9]
