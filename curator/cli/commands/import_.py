"""`curator import SRC... -w WS`."""

from __future__ import annotations

import argparse
from pathlib import Path

from curator.cli.common import drive, open_ws, print_json
from curator.core.errors import CuratorError
from curator.core.ingest import ImportOptions, ImportSummary, import_job, scan_sources

FORMATS = ("auto", "openai", "prompt-completion", "sharegpt", "alpaca", "csv", "transcript", "parquet", "hf", "json")


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("sources", nargs="+", metavar="SRC", help="file or folder (every file in it)")
    p.add_argument("-w", "--workspace", required=True, metavar="WS", help="workspace folder (created if missing)")
    p.add_argument("--format", default="auto", choices=FORMATS)
    p.add_argument("--messages-field", metavar="F")
    p.add_argument("--role-field", metavar="F")
    p.add_argument("--content-field", metavar="F")
    p.add_argument("--conversation-column", metavar="C")
    p.add_argument("--speaker-column", metavar="C")
    p.add_argument("--text-column", metavar="C")
    p.add_argument("--time-column", metavar="C")
    p.add_argument("--role-map", metavar="A=user,B=assistant")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")


SHOW_QUARANTINE = 10


def options_from_args(args: argparse.Namespace) -> ImportOptions:
    return ImportOptions(
        format=args.format,
        messages_field=args.messages_field,
        role_field=args.role_field,
        content_field=args.content_field,
        conversation_column=args.conversation_column,
        speaker_column=args.speaker_column,
        text_column=args.text_column,
        time_column=args.time_column,
        role_map=ImportOptions.parse_role_map(args.role_map),
    )


def run(args: argparse.Namespace) -> int:
    options = options_from_args(args)
    given = [Path(s) for s in args.sources]
    sources, not_data = scan_sources(given)
    if not sources:
        names = ", ".join(p.name for p in not_data[:5])
        raise CuratorError(
            "no files to import: the folder(s) given are empty"
            + (f" or hold no data files (skipped {names}); name a file to import it" if not_data else "")
        )
    ws = open_ws(args.workspace, create=True)
    summary = drive(import_job(ws, given, options), quiet=args.json)
    if args.json:
        print_json(summary.to_dict())
    else:
        _print_summary(summary, ws.path)
    if summary.failed and not summary.changed:
        return 1
    return 0


def _print_summary(summary: ImportSummary, ws_path: Path) -> None:
    width = max([len(f.source) for f in summary.files] + [4])
    print(f"{'file':<{width}}  {'format':<17} {'added':>9} {'skipped':>9} {'quarantined':>11}")
    for f in summary.files:
        if f.not_data:
            print(f"{f.source:<{width}}  skipped: not a data file (name it to import it anyway)")
            continue
        if f.error:
            print(f"{f.source:<{width}}  FAILED: {f.error}")
            continue
        note = "  (already imported)" if f.already_imported else ""
        print(
            f"{f.source:<{width}}  {f.format or '?':<17} {f.added:>9,} {f.skipped_existing:>9,}"
            f" {f.quarantined:>11,}{note}"
        )
    print(
        f"{'total':<{width}}  {'':<17} {summary.added:>9,} {summary.skipped_existing:>9,}"
        f" {summary.quarantined:>11,}"
    )
    entries = [(f.source, q) for f in summary.files for q in f.quarantine]
    if entries:
        print(f"\nQuarantined ({len(entries):,}): not imported, kept in the workspace with the reason")
        for source, q in entries[:SHOW_QUARANTINE]:
            # a line number, unless the locator says more (a split: "validation/row 3")
            where = f"{q.line}" if q.line is not None and "/" not in q.locator else f" {q.locator}"
            print(f"  {source}:{where}: {q.reason}")
        if len(entries) > SHOW_QUARANTINE:
            print(
                f"  ... and {len(entries) - SHOW_QUARANTINE:,} more; see them all with "
                f"`curator import ... --json` or `curator info -w {ws_path} --quarantine`"
            )
