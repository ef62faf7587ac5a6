"""`curator export -w WS -o DIR`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from curator.cli.common import drive, open_ws
from curator.core.export import FORMATS, ExportOptions, export_job


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("-w", "--workspace", required=True, metavar="WS")
    p.add_argument("-o", "--output", required=True, metavar="DIR")
    p.add_argument("--format", choices=FORMATS, default="openai")
    p.add_argument("--include", choices=("approved", "passing"), default="approved")
    p.add_argument("--split", type=float, default=None, metavar="FRACTION",
                   help="share of records for validation, e.g. 0.1; whole duplicate clusters stay on one side")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--skip-invalid", action="store_true",
                   help="leave out records that would be invalid lines (listed in manifest.json) instead of stopping")


def run(args: argparse.Namespace) -> int:
    options = ExportOptions(
        output_dir=Path(args.output),
        format=args.format,
        include=args.include,
        split=args.split,
        seed=args.seed,
        skip_invalid=args.skip_invalid,
    )
    ws = open_ws(args.workspace)
    manifest = drive(export_job(ws, options))
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
            f"  leakage    clusters on both sides: {leak['clusters_spanning_both']}, "
            f"identical conversations on both sides: {leak['identical_conversations_spanning_both']}"
            + ("" if leak["dedup_results_present"] else " (no dedup results: run `curator dedup` to check near-duplicates)")
            + "\n"
        )
    out.write(f"  manifest   {root / 'manifest.json'}\n")
    out.write(f"  snippets   {root / 'dataset_info.json'} (LLaMA-Factory), {root / 'axolotl.yaml'} (axolotl)\n")
    return 0
