"""Readiness report on a synthetic 1M-record workspace (budget: under 3 s including
building the frame, DESIGN.md "Performance budgets").

Builds the workspace once (records, approvals, synthetic filter scores, flags and
dedup clusters), then, in the same run and alternating so load hits both alike:

- the previous implementation (``benchmarks/report_baseline``, the d520241 code) and
  the current one, each end to end on a freshly opened workspace (``build_report(ws)``
  reads the snapshot, review state, flags and clusters itself, as `curator report`
  does; the OS file cache is warm for both), ``--repeat`` times, best and median;
- the current one once more without its per-part facts cache (``curator run`` writes
  it, as the bench does once after building; the timed runs read it);
- both again given a prebuilt frame (the GUI's case);
- whether the two reports are identical (everything but the generation time).

Then, as before, a naive Python loop computes a subset of the measures on a slice.

    python benchmarks/bench_report.py [--records N] [--repeat K] [--workspace DIR] [--keep]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from curator.core import records as R
from curator.core.readiness import build_report
from curator.core.readiness.facts_cache import write_missing
from curator.core.readiness.report import Report
from curator.core.readiness.volatility import PATTERNS as VOLATILE_PATTERNS
from curator.core.review import approve
from curator.core.workspace import Workspace

WORDS = ["order", "refund", "shipping", "account", "password", "invoice", "plan", "upgrade", "cancel", "address", "delivery", "package", "tracking", "warranty", "battery", "screen", "charger", "subscription", "billing", "card", "support", "thanks", "please", "help", "today", "issue", "problem", "replace", "return", "exchange", "store", "email", "phone", "update", "settings", "login", "reset", "device", "network", "error", "message", "install", "app", "version"]


def _words(rng: np.random.Generator, n: int, k: int) -> pl.Expr:
    cols = [pl.Series(WORDS).gather(rng.integers(0, len(WORDS), n)) for _ in range(k)]
    return pl.concat_str([pl.lit(c) for c in cols], separator=" ")


def _msg(role: str, content: pl.Expr) -> pl.Expr:
    null_s, null_i = pl.lit(None, pl.String), pl.lit(None, pl.Int8)
    return pl.struct(
        pl.lit(role).alias("role"), content.alias("content"), null_s.alias("name"),
        null_i.alias("weight"), null_s.alias("tool_calls"), null_s.alias("tool_call_id"),
    )


def synthetic_records(n: int, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    i = pl.int_range(n, dtype=pl.Int64)
    base = pl.DataFrame({"i": np.arange(n)})
    user = pl.format("Hi, about order {}: {}?", pl.col("i") * 7919 % 1_000_003, _words(rng, n, 8))
    reply = pl.format("Thanks for asking. {}. {}", _words(rng, n, 12), _words(rng, n, 10))
    follow = _words(rng, n, 6)
    df = base.select(
        pl.format("{}", (i * 2654435761) % (1 << 40)).str.zfill(16).alias(R.ID),
        pl.lit("bench.jsonl").alias(R.SOURCE),
        pl.lit("/data/bench.jsonl").alias(R.SOURCE_PATH),
        pl.format("line {}", i + 1).alias(R.LOCATOR),
        (i + 1).alias(R.LINE),
        pl.concat_list(
            _msg("system", pl.lit("You are a helpful support agent.")),
            _msg("user", user), _msg("assistant", reply),
            _msg("user", follow), _msg("assistant", pl.format("Sure: {}", _words(rng, n, 9))),
        ).alias(R.MESSAGES),
        pl.format('{{"created_at": "2025-{}-{}T10:00:00"}}', (i % 12 + 1).cast(pl.String).str.zfill(2),
                  (i % 28 + 1).cast(pl.String).str.zfill(2)).alias(R.META),
        pl.lit([], pl.List(pl.String)).alias(R.REPAIRS),
        pl.lit(0, pl.Int64).alias(R.IMPORT_ID),
    )
    missing = [pl.lit(None, dt).alias(c) for c, dt in R.RECORD_SCHEMA.items() if c not in df.columns]
    return df.with_columns(missing).select(list(R.RECORD_SCHEMA.names())).cast(dict(R.RECORD_SCHEMA))  # type: ignore[arg-type]


def build_workspace(path: Path, n: int) -> Workspace:
    ws = Workspace.open(path, create=True)
    t = time.perf_counter()
    recs = synthetic_records(n)
    ws.add_import(source="bench.jsonl", path="/data/bench.jsonl", file_hash="bench", fmt="openai",
                  options={}, records=recs, quarantine=[])
    ids = recs.get_column(R.ID)
    rng = np.random.default_rng(1)
    tokens = rng.integers(40, 3000, n)
    ws.write_result("scores_length", pl.DataFrame({
        R.ID: ids, "tokens": tokens, "assistant_tokens": tokens // 2,
        "max_message_tokens": tokens // 3, "n_messages": np.full(n, 5),
    }))
    ws.write_result("scores_language", pl.DataFrame({
        R.ID: ids, "language": np.where(rng.random(n) < 0.9, "en", "de"),
        "language_prob": rng.random(n), "mixed": rng.random(n) < 0.01,
    }))
    ws.write_result("scores_refusal", pl.DataFrame({
        R.ID: ids, "refusal": rng.random(n) < 0.03, "boilerplate": rng.random(n) < 0.02,
        "macro_share": rng.random(n) * 0.01,
    }))
    ws.write_result("scores_repetition", pl.DataFrame({
        R.ID: ids, "degenerate": rng.random(n) < 0.002, "truncated": rng.random(n) < 0.003,
    }))
    pii = rng.random(n) < 0.01
    ws.write_result("scores_pii", pl.DataFrame({R.ID: ids, "pii_count": pii.astype(np.int64), "secret_count": np.zeros(n, np.int64)}))
    flagged = ids.filter(pl.Series(pii))
    ws.write_flags("filters", pl.DataFrame({
        R.ID: flagged, "name": ["pii.email"] * flagged.len(),
        "reason": ["email address in message 2"] * flagged.len(), "severity": ["warn"] * flagged.len(),
    }))
    members = ids.filter(pl.Series(rng.random(n) < 0.05))
    keepers = members.gather_every(4)
    cl = pl.DataFrame({R.ID: members}).with_row_index("k").with_columns(
        (pl.col("k") // 4).cast(pl.String).alias(R.CLUSTER_ID))
    cl = cl.join(pl.DataFrame({R.CLUSTER_ID: [str(x) for x in range(keepers.len())], "keeper": keepers}), on=R.CLUSTER_ID)
    cl = cl.select(R.ID, R.CLUSTER_ID,
                   pl.when(pl.col(R.ID) == pl.col("keeper")).then(None).otherwise(pl.col("keeper")).alias(R.DUPLICATE_OF),
                   pl.lit(0.9).alias(R.SIMILARITY), pl.lit("near").alias("kind"))
    ws.write_result("clusters", cl)
    dup_flags = cl.filter(pl.col(R.DUPLICATE_OF).is_not_null())
    ws.write_flags("dedup", dup_flags.select(R.ID, pl.lit("near_duplicate").alias("name"),
                                             pl.format("near-duplicate of {}", pl.col(R.DUPLICATE_OF)).alias("reason"),
                                             pl.lit("warn").alias("severity")))
    approve(ws, ids.head(n // 3).to_list())
    print(f"built {n:,}-record workspace in {time.perf_counter() - t:.1f} s")
    return ws


def naive(frame: pl.DataFrame) -> dict[str, int]:
    """The same kind of measures, one record at a time in Python."""
    pats = [re.compile(p) for p in VOLATILE_PATTERNS.values()]
    seen: set[str] = set()
    answers: dict[str, set[str]] = defaultdict(set)
    out = {"roles": 0, "dups": 0, "volatile": 0}
    for row in frame.select(R.MESSAGES).iter_rows():
        msgs = row[0]
        roles = [m["role"] for m in msgs]
        if "user" not in roles or roles[-1] != "assistant" or roles[0] != "system":
            out["roles"] += 1
        key = re.sub(r"[\W_]+", " ", "\x1e".join(f"{m['role']}\x1f{m['content']}" for m in msgs).lower())
        out["dups"] += key in seen
        seen.add(key)
        a = "\n".join(m["content"] or "" for m in msgs if m["role"] == "assistant")
        u = " ".join(" ".join((m["content"] or "").lower().split()) for m in msgs if m["role"] == "user")
        out["volatile"] += any(p.search(a) for p in pats)
        answers[str(u)].add(a)
    out["conflicts"] = sum(len(v) > 1 for v in answers.values())
    return out


def comparable(report: Report) -> dict[str, Any]:
    """Everything a report says except when it was generated."""
    data = report.to_json()
    data["stats"] = {k: v for k, v in data["stats"].items() if k != "generated_at"}
    data["ids_behind"] = {k: v.to_list() for k, v in sorted(report.ids_behind.items())}
    return data


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - t, time.process_time() - c, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--naive-records", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--budget", type=float, default=3.0, help="seconds, frame included")
    ap.add_argument("--workspace", type=Path, default=None)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import report_baseline  # the previous implementation, verbatim

    impls: dict[str, Callable[..., Any]] = {"baseline": report_baseline.build_report, "current": build_report}
    root = a.workspace or Path(tempfile.mkdtemp(prefix="bench_report_"))
    path = root / "bench.curator"
    try:
        if not (path / "curator.db").exists():
            build_workspace(path, a.records)
        print(f"facts caches written as `curator run` leaves them: {write_missing(Workspace.open(path))}")
        print(f"load average before timing: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
              "(other work on the machine inflates wall time)")
        for include in ("approved", "passing"):
            e2e: dict[str, list[tuple[float, float]]] = {k: [] for k in impls}
            out: dict[str, Any] = {}
            for _ in range(a.repeat):
                for name, fn in impls.items():
                    ws = Workspace.open(path, readonly=True)  # cold: nothing cached in the process
                    dt, dc, rep = timed(lambda fn=fn, ws=ws, inc=include: fn(ws, include=inc))
                    e2e[name].append((dt, dc))
                    out[name] = rep
            # without the per-part facts cache (results/facts_*.parquet: written by
            # `curator run` and by reports on a writable workspace, read by the runs above)
            for cache in (path / "results").glob("facts_*.parquet"):
                cache.unlink()
            ws = Workspace.open(path, readonly=True)
            cold = timed(lambda ws=ws, inc=include: build_report(ws, include=inc))
            same_cold = comparable(cold[2]) == comparable(out["baseline"])
            write_missing(Workspace.open(path))
            ws = Workspace.open(path, readonly=True)
            t_frame, _, frame = timed(ws.frame)
            given = {name: timed(lambda fn=fn, ws=ws, inc=include, fr=frame: fn(ws, include=inc, frame=fr))[:2] for name, fn in impls.items()}
            same = same_cold and comparable(out["current"]) == comparable(out["baseline"])
            rep = out["current"]
            print(f"\n--include {include} on {frame.height:,} records (good {rep.counts['good']:,}, "
                  f"verdict {rep.verdict}); ws.frame() alone {t_frame:.2f} s")
            for name in impls:
                walls = [w for w, _ in e2e[name]]
                print(f"  {name:<8} frame + report: best {min(walls):.2f} s, median {statistics.median(walls):.2f} s wall "
                      f"(CPU {min(c for _, c in e2e[name]):.2f} s); given the frame {given[name][0]:.2f} s wall")
            print(f"  current  without the facts cache (before `curator run`; read-only, writes none): "
                  f"{cold[0]:.2f} s wall (CPU {cold[1]:.2f} s)")
            best = min(w for w, _ in e2e["current"])
            base = min(w for w, _ in e2e["baseline"])
            print(f"  speed-up {base / best:.1f}x; identical output: {'yes' if same else 'NO'}; "
                  f"budget < {a.budget:.0f} s incl. frame: {'met' if best < a.budget else 'NOT met'} ({best:.2f} s)")

        if a.naive_records:
            ws = Workspace.open(path, readonly=True)
            sub = ws.frame().head(a.naive_records)
            fast = timed(lambda: build_report(ws, include="passing", frame=sub))[0]
            slow = timed(lambda: naive(sub))[0]
            print(f"\non {sub.height:,} records: full vectorised report {fast:.2f} s; naive Python loop "
                  f"(4 of the 16 measures) {slow:.2f} s; ratio {slow / fast:.1f}x")
    finally:
        if not a.keep and a.workspace is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
