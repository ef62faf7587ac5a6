"""`curator export -w WS -o DIR|- [--format F] [--target T] [--json]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from curator.cli.common import add_engine_options, drive, engine_from, open_ws, print_json, quiet
from curator.core import records as R
from curator.core.errors import UsageError
from curator.core.export import FORMATS, ExportOptions, export_job
from curator.core.export.groups import describe_leakage
from curator.core.export.stream import check_streamable, stream_job
from curator.core.export.targets import TARGETS, resolve_format


def seed_value(text: str) -> int:
    """A split seed: a whole number from 0 to 2^64-1 (larger ones would alias smaller ones)."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--seed must be a whole number, got {text!r}") from None
    if not 0 <= n < 2**64:
        raise argparse.ArgumentTypeError(f"--seed must be from 0 to 2^64-1 (18446744073709551615), got {n}")
    return n


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("-w", "--workspace", required=True, metavar="WS", help="the workspace to export from")
    p.add_argument("-o", "--output", required=True, metavar="DIR",
                   help="export folder (created if missing), or - for JSON Lines on stdout")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="line format (default: the --target's, else openai; an explicit --format wins); "
                   "preference writes prompt/chosen/rejected pairs")
    p.add_argument("--target", choices=TARGETS, default=None,
                   help="the trainer to export for: picks its format and writes its ready-to-run config beside the "
                   "data, paths relative to the folder (e.g. --target llamafactory); with --format preference: "
                   "openai (default) or trl lines")
    p.add_argument("--include", choices=("approved", "passing"), default="approved",
                   help="approved records only (default), or every record without a blocking flag that is not rejected")
    p.add_argument("--split", type=float, default=None, metavar="FRACTION",
                   help="share of records for validation, e.g. 0.1; whole duplicate clusters stay on one side")
    p.add_argument("--seed", type=seed_value, default=0, metavar="N", help="seed of the split, 0 to 2^64-1 (default 0)")
    p.add_argument("--skip-invalid", action="store_true",
                   help="leave out records that would be invalid lines (listed in manifest.json) instead of stopping")
    p.add_argument("--json", action="store_true", help="print the manifest as JSON (not with -o -)")
    add_engine_options(p)


def _options(args: argparse.Namespace) -> ExportOptions:
    fmt = resolve_format(args.target, args.format)
    style = "openai"
    if fmt == "preference" and args.target is not None:
        if args.target not in ("openai", "trl"):
            raise UsageError(f"--format preference is written for --target openai or trl, not {args.target}")
        style = args.target
    return ExportOptions(
        output_dir=Path(args.output),
        format=fmt,  # type: ignore[arg-type]
        include=args.include,
        split=args.split,
        seed=args.seed,
        skip_invalid=args.skip_invalid,
        preference_style=style,
        target=None if fmt == "preference" else args.target,
    )


def _stream(ws: Any, options: ExportOptions, args: argparse.Namespace) -> int:
    if args.json:
        raise UsageError("--json and -o - would share stdout; use -o DIR --json, or -o - alone")
    summary = drive(stream_job(ws, options, sys.stdout.buffer), quiet=quiet(args))
    if not quiet(args):
        skipped = f", {summary['skipped_invalid']:,} invalid left out" if summary["skipped_invalid"] else ""
        sys.stderr.write(f"curator: wrote {summary['records']:,} {options.format} lines to stdout{skipped}\n")
    return 0


def _pairs_note(ws: Any, options: ExportOptions, args: argparse.Namespace) -> None:
    if options.format == "preference" or quiet(args):
        return
    n = ws.records().filter(R.is_pair()).height
    if n:
        sys.stderr.write(
            f"curator: note: {n:,} preference pair(s) are written as prompt + chosen reply; a chat "
            "format has no place for the rejected reply (use --format preference for pairs)\n"
        )


def run(args: argparse.Namespace) -> int:
    options = _options(args)
    if args.output == "-":
        check_streamable(options)
        ws = open_ws(args.workspace)
        _pairs_note(ws, options, args)
        return _stream(ws, options, args)
    ws = open_ws(args.workspace)
    _pairs_note(ws, options, args)
    manifest = drive(export_job(ws, options, engine_from(args)), quiet=quiet(args) or args.json)
    if manifest.get("interrupted_after_publish"):
        sys.stderr.write(
            "curator: Ctrl-C came while the export was being published; it was finished first "
            f"and is complete in {options.output_dir}.\n"
        )
    if args.json:
        print_json(manifest)
        return 0
    if quiet(args):
        return 0
    out = sys.stdout
    root = options.output_dir.resolve()
    out.write(f"Exported {sum(manifest['counts'].values()):,} records as {options.format} to {root}\n")
    for f in manifest["files"]:
        tokens = manifest["tokens"].get(f["split"], {}).get("tokens", 0)
        out.write(f"  {f['split']:<10} {f['records']:>9,} records  ~{tokens:,} tokens  {root / f['path']}\n")
    sel = manifest["selection"]
    out.write(f"  selected   {sel['selected']:>9,} ({options.include})\n")
    for reason, n in sorted(sel["excluded"].items()):
        out.write(f"  excluded   {n:>9,} {reason}\n")
    skipped = manifest["invalid"]["skipped"]
    if skipped:
        out.write(f"  skipped    {skipped:>9,} invalid (listed in manifest.json)\n")
    if options.split is not None:
        leak = manifest["split"]["leakage"]
        out.write(
            f"  leakage    {describe_leakage(leak)}"
            + ("" if leak["dedup_results_present"] else " (no dedup results: run `curator dedup` to check near-duplicates)")
            + "\n"
        )
    out.write(f"  manifest   {root / 'manifest.json'}\n")
    for trainer, name in manifest["snippets"].items():
        out.write(f"  config     {root / name} ({trainer})\n")
    out.write(f"  card       {root / 'README.md'} (Hugging Face dataset card)\n")
    fixes = manifest.get("fixes", {})
    if fixes.get("agent_first_moved_to_system"):
        out.write(f"  fixed      {fixes['agent_first_moved_to_system']:>9,} opened by the assistant: opening moved to the system prompt\n")
    if fixes.get("untrained_tail_cut_records"):
        out.write(f"  cut        {fixes['untrained_tail_cut_records']:>9,} trailing weight-0 replies cut (this trainer cannot mask them)\n")
    for note in manifest.get("trainer_notes", []):
        out.write(f"  note       {note}\n")
    return 0
