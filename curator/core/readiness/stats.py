"""Statistics the dashboard charts, computed in Polars; every value is JSON-able."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import polars as pl

from curator.core import records as R
from curator.core.readiness.model import Check, Context
from curator.core.tokens import quantiles
from curator.core.workspace import Workspace

HISTOGRAM_BINS = 24


def histogram(values: pl.Series, limit: int | None = None, bins: int = HISTOGRAM_BINS) -> dict[str, Any]:
    """Log-spaced bins for token counts (a long tail is the norm); ``limit`` marked."""
    v = values.drop_nulls().cast(pl.Float64).to_numpy()
    if v.size == 0:
        return {"edges": [], "counts": [], "limit": limit, "scale": "log"}
    hi = max(float(v.max()), float(limit or 0), 2.0)
    edges = np.unique(np.round(np.geomspace(1.0, hi + 1, bins + 1)))
    counts, _ = np.histogram(np.clip(v, 1, None), bins=edges)
    return {"edges": [int(e) for e in edges], "counts": [int(c) for c in counts], "limit": limit, "scale": "log"}


def _value_counts(s: pl.Series) -> dict[str, int]:
    vc = s.fill_null("unknown").cast(pl.String).value_counts()
    vc = vc.sort([vc.columns[1], vc.columns[0]], descending=[True, False])  # ties in a stable order
    return {str(k): int(n) for k, n in vc.iter_rows()}


def status_counts(frame: pl.DataFrame) -> dict[str, int]:
    out = dict.fromkeys(R.STATUSES, 0)
    for status, n in frame.group_by(R.STATUS).len().iter_rows():
        out[str(status)] = int(n)
    return out


def flag_counts(frame: pl.DataFrame) -> dict[str, int]:
    """Records per flag name (a record counts once per name)."""
    names = (
        frame.filter(pl.col(R.FLAGS).list.len() > 0)
        .select(R.ID, pl.col(R.FLAGS).list.eval(pl.element().struct.field("name")).alias("n"))
        .explode("n")
    )
    return _counted(names)


def _counted(names: pl.DataFrame) -> dict[str, int]:
    """id, n (one row per flag) -> records per flag name."""
    names = names.unique()
    if names.height == 0:
        return {}
    counted = names.group_by("n").len().sort(["len", "n"], descending=[True, False])
    return {str(k): int(v) for k, v in counted.iter_rows()}


def _by_flag(flags: pl.DataFrame | None, frame: pl.DataFrame) -> dict[str, int]:
    """flag_counts, from the context's flag table when it has one."""
    if flags is None:
        return flag_counts(frame)
    return _counted(flags.select(R.ID, pl.col("name").alias("n")))


def languages(ctx: Context) -> dict[str, Any] | None:
    s = ctx.scores.get("scores_language")
    if s is None or "language" not in s.columns:
        return None
    # over the good examples (or the text sample of them, like the other text measures)
    ids = ctx.text.get_column(R.ID) if ctx.n_good else ctx.frame.get_column(R.ID)
    found = s.filter(pl.col(R.ID).is_in(ids.implode())).unique(R.ID)
    counts = _value_counts(found.get_column("language"))
    if ids.len() > found.height:
        counts["not scored"] = ids.len() - found.height
    out: dict[str, Any] = {"counts": counts, "sampled": ctx.sampled}
    joined = found
    if "mixed" in joined.columns:
        out["mixed"] = int(joined.get_column("mixed").cast(pl.Boolean, strict=False).fill_null(False).sum())
    return out


def duplicates(ctx: Context) -> dict[str, Any]:
    cl = ctx.clusters
    if cl.height == 0:
        return {"clusters": 0, "exact": 0, "near": 0, "sizes": {}, "largest": 0}
    non_keepers = cl.filter(pl.col(R.DUPLICATE_OF).is_not_null())
    sizes = cl.drop_nulls(R.CLUSTER_ID).group_by(R.CLUSTER_ID).len().filter(pl.col("len") > 1)
    size_hist = sizes.group_by("len").agg(pl.len().alias("clusters")).sort("len")
    return {
        "clusters": sizes.height,
        "exact": int(non_keepers.filter(pl.col("kind") == "exact").height),
        "near": int(non_keepers.filter(pl.col("kind") == "near").height),
        "sizes": {str(k): int(v) for k, v in size_hist.iter_rows()},
        "largest": int(sizes.get_column("len").max() or 0) if sizes.height else 0,  # type: ignore[arg-type]
    }


def progress_rows(ws: Workspace) -> list[tuple[int, str, int]]:
    """(day number, action, live journal entries) from SQLite."""
    return ws.db().execute(
        "SELECT CAST(at / 86400 AS INTEGER), action, COUNT(*) FROM journal WHERE undone=0 GROUP BY 1, 2"
    ).fetchall()


def review_progress(ctx: Context) -> list[dict[str, Any]]:
    """Per day (UTC): decisions that day and running totals.

    The same live journal entries as ``review.review_timeline``, aggregated in
    SQLite so a million decisions never cross into Python one by one.
    """
    rows = ctx.fetched("progress", lambda: progress_rows(ctx.ws))
    if not rows:
        return []
    tl = pl.DataFrame(rows, schema={"d": pl.Int32, "action": pl.String, "n": pl.Int64}, orient="row")
    tl = tl.with_columns(pl.col("d").cast(pl.Date).dt.to_string("%Y-%m-%d").alias("day"))
    days = (
        tl.group_by("day")
        .agg(
            pl.col("n").filter(pl.col("action") == "approve").sum().alias("approved"),
            pl.col("n").filter(pl.col("action") == "reject").sum().alias("rejected"),
            pl.col("n").sum().alias("actions"),
        )
        .sort("day")
        .with_columns(
            pl.col("approved").cum_sum().alias("cumulative_approved"),
            pl.col("rejected").cum_sum().alias("cumulative_rejected"),
        )
    )
    return days.to_dicts()


def compute_stats(ctx: Context, checks: list[Check]) -> dict[str, Any]:
    by_id = {c.id: c for c in checks}
    pop = ctx.good if ctx.n_good else ctx.frame.head(0)
    tok = pop.get_column("tokens") if "tokens" in pop.columns else pl.Series([], dtype=pl.Int64)
    atok = pop.get_column("assistant_tokens") if "assistant_tokens" in pop.columns else pl.Series([], dtype=pl.Int64)
    nmsg = pop.get_column("n_messages") if "n_messages" in pop.columns else pl.Series([], dtype=pl.Int64)
    msg_counts = nmsg.clip(upper_bound=20).value_counts(sort=False).sort(nmsg.name) if nmsg.len() else None
    refusals = by_id["refusals"]
    return {
        "population": "good examples",
        "by_status": status_counts(ctx.frame),
        "by_flag": _by_flag(ctx.flags, ctx.frame),
        "by_flag_in_good": _by_flag(ctx.good_flags, ctx.good) if ctx.n_good else {},
        "tokens": {
            "example": quantiles(tok),
            "assistant": quantiles(atok),
            "total": int(tok.sum() or 0),
            "histogram": histogram(tok, ctx.target.max_tokens),
            "assistant_histogram": histogram(atok),
            "limit": ctx.target.max_tokens,
            "note": "estimates with cl100k_base and the cookbook's message overhead",
        },
        "messages_per_example": {
            "quantiles": quantiles(nmsg),
            "counts": {} if msg_counts is None else {
                (f"{int(k)}+" if int(k) >= 20 else str(int(k))): int(v) for k, v in msg_counts.iter_rows()
            },
        },
        "languages": languages(ctx),
        "duplicates": duplicates(ctx),
        "refusal_share": refusals.value if refusals.measured else None,
        "diversity": by_id["diversity"].details,
        "review_progress": review_progress(ctx),
        "source_time_span": by_id["volatility"].details.get("time_span"),
        "text_sampled": ctx.sampled,
        "text_sample_size": ctx.text.height,
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
