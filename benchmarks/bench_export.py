"""Export throughput on synthetic conversations, and fast vs naive line validation.

    python benchmarks/bench_export.py [--n 200000] [--format openai] [--split 0.1]

Builds a workspace of N synthetic conversations (vectorised, no reader), runs
the real export job (``--include passing``), and prints lines/s. Then times the
exporter's validation (one jsonschema call per structural shape + vectorised
rules) against the naive approach — ``Draft202012Validator.iter_errors`` on every
decoded line — measured on a sample in the same run, and prints the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import polars as pl

from curator.core import records as R
from curator.core.export import ExportOptions, export_job
from curator.core.export.formats import ROW, openai_lines
from curator.core.export.schemas import validator
from curator.core.export.validate import check
from curator.core.jobs import Progress, run_job
from curator.core.tokens import message_token_table
from curator.core.workspace import Workspace


def _msg(role: str, content: pl.Expr, weight: pl.Expr | None = None) -> pl.Expr:
    return pl.struct(
        pl.lit(role).alias("role"),
        content.alias("content"),
        pl.lit(None, pl.String).alias("name"),
        (weight if weight is not None else pl.lit(None, pl.Int8)).cast(pl.Int8).alias("weight"),
        pl.lit(None, pl.String).alias("tool_calls"),
        pl.lit(None, pl.String).alias("tool_call_id"),
    )


def synthetic(n: int) -> pl.DataFrame:
    i = pl.col("i")
    turns = [
        _msg("system", pl.lit("You are a helpful support agent for an online shop.")),
        _msg("user", pl.format("Hi, where is order #{}? I ordered it {} days ago.", i, i % 30)),
        _msg("assistant", pl.format("Order #{} left our warehouse; tracking code TRK{}.", i, i * 7919 % 1000003),
             pl.when(i % 10 == 0).then(0).otherwise(None)),
        _msg("user", pl.format("Thanks. Can I change the address to street {}?", i % 5000)),
        _msg("assistant", pl.format("Done: the address for order #{} is now street {}.", i, i % 5000)),
    ]
    long = pl.concat_list(turns)
    short = pl.concat_list(turns[1:3])
    df = pl.DataFrame({"i": pl.int_range(n, eager=True)}).with_columns(
        pl.format("{}", i).str.zfill(16).alias(R.ID),
        pl.lit("synthetic.jsonl").alias(R.SOURCE),
        pl.lit("/bench/synthetic.jsonl").alias(R.SOURCE_PATH),
        pl.format("line {}", i + 1).alias(R.LOCATOR),
        (i + 1).cast(pl.Int64).alias(R.LINE),
        pl.when(i % 3 == 0).then(short).otherwise(long).alias(R.MESSAGES),
        pl.lit("{}").alias(R.META),
        pl.lit([], pl.List(pl.String)).alias(R.REPAIRS),
        pl.lit(0, pl.Int64).alias(R.IMPORT_ID),
    )
    return df.drop("i").cast(dict(R.RECORD_SCHEMA))


def _timed_export(ws: Workspace, options: ExportOptions, label: str) -> None:
    t = time.perf_counter()
    steps: dict[str, float] = {}
    last: list[object] = [t, "start"]

    def on_progress(p: Progress) -> None:  # wall time per step
        now = time.perf_counter()
        steps[str(last[1])] = steps.get(str(last[1]), 0.0) + now - float(last[0])  # type: ignore[arg-type]
        last[0], last[1] = now, p.step

    manifest = run_job(export_job(ws, options), on_progress)
    elapsed = time.perf_counter() - t
    lines = sum(manifest["counts"].values())
    size = sum(f["bytes"] for f in manifest["files"])
    print(f"{label} ({options.format}): {lines:,} lines, {size / 1e6:,.0f} MB in {elapsed:.1f} s"
          f" = {lines / elapsed:,.0f} lines/s   counts {manifest['counts']}")
    print("  seconds by step: " + ", ".join(f"{k} {v:.1f}" for k, v in steps.items() if k != "start"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200_000, help="conversations (use 1000000 for the 1M figure)")
    ap.add_argument("--format", default="openai")
    ap.add_argument("--split", type=float, default=0.1)
    ap.add_argument("--naive-sample", type=int, default=5_000)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        ws = Workspace.open(root / "bench.curator", create=True)
        ws.add_import(source="synthetic.jsonl", path="/bench/synthetic.jsonl", file_hash="synthetic",
                      fmt="openai", options={}, records=synthetic(args.n), quarantine=[])
        print(f"built workspace with {args.n:,} conversations in {time.perf_counter() - t:.1f} s")

        options = ExportOptions(root / "out", format=args.format, include="passing", split=args.split, seed=0)
        _timed_export(ws, options, "export, counting tokens")
        # What the length filter leaves behind after `curator run`: the export reuses it.
        t = time.perf_counter()
        records = ws.records()
        ws.write_result("scores_length", message_token_table(records.get_column(R.MESSAGES), records.get_column(R.ID)))
        print(f"(length scores computed in {time.perf_counter() - t:.1f} s, as `curator run` would)")
        _timed_export(ws, options, "export, reusing length scores")

        frame = ws.frame().with_row_index(ROW)
        t = time.perf_counter()
        problems = check(frame, "openai")
        fast = time.perf_counter() - t
        sample = openai_lines(frame.head(args.naive_sample)).get_column("line").to_list()
        v = validator("openai_chat")
        t = time.perf_counter()
        naive_bad = sum(1 for line in sample if next(v.iter_errors(json.loads(line)), None) is not None)
        naive = time.perf_counter() - t
        fast_rate, naive_rate = frame.height / fast, len(sample) / naive
        print(f"validation: fast {fast_rate:,.0f} lines/s ({frame.height:,} lines, {problems.height} problems)"
              f" vs naive per-line jsonschema {naive_rate:,.0f} lines/s ({len(sample):,}-line sample,"
              f" {naive_bad} invalid) -> {fast_rate / naive_rate:,.1f}x")


if __name__ == "__main__":
    main()
