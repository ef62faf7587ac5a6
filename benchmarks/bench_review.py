"""Bulk review actions: approve/reject of N records, the Polars path vs per id.

    python benchmarks/bench_review.py [--n 200000]

Both paths write the same journal and state rows (tests/test_workspace_review.py);
the per-id path is what single actions use. Prints seconds and the ratio.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import polars as pl

from curator.core import records as R
from curator.core import review
from curator.core.workspace import Workspace


def build(path: Path, n: int) -> Workspace:
    ws = Workspace.open(path, create=True)
    ids = [R.record_id("bench", f"line {i}") for i in range(1, n + 1)]
    msgs = [[R.message("user", f"question {i}"), R.message("assistant", f"answer {i}")] for i in range(n)]
    df = pl.DataFrame(
        {
            R.ID: ids,
            R.SOURCE: "bench.jsonl",
            R.SOURCE_PATH: "/bench.jsonl",
            R.LOCATOR: [f"line {i}" for i in range(1, n + 1)],
            R.LINE: list(range(1, n + 1)),
            R.MESSAGES: msgs,
            R.META: "{}",
            R.REPAIRS: [[]] * n,
            R.IMPORT_ID: 0,
        },
        schema=R.RECORD_SCHEMA,
    )
    ws.add_import(source="bench.jsonl", path="/bench.jsonl", file_hash="bench", fmt="openai",
                  options={}, records=df, quarantine=[])
    return ws


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ws = build(Path(tmp) / "bench.curator", a.n)
        ids = ws.record_ids().to_list()
        t = time.perf_counter()
        review.approve(ws, ids)
        fast = time.perf_counter() - t
        t = time.perf_counter()
        review.undo(ws)
        undo = time.perf_counter() - t
        t = time.perf_counter()
        review._apply(ws, "approve", ids, lambda b: review.ReviewState(R.APPROVED, None, b.messages))
        naive = time.perf_counter() - t
        print(f"approve {a.n:,} records: bulk (Polars) {fast:.2f} s, per id {naive:.2f} s "
              f"-> {naive / fast:.1f}x; undo of the bulk step {undo:.2f} s")


if __name__ == "__main__":
    main()
