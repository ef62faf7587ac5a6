"""Workspace summaries and record queries shared by the CLI and the GUI."""

from __future__ import annotations

from typing import Any

import polars as pl

from curator.core import records as R
from curator.core.frame import is_flagged
from curator.core.workspace import Workspace


def records_per_flag(flags: pl.DataFrame) -> dict[str, int]:
    """Records per flag name from a flat flags table (a record counts once per name)."""
    counted = flags.unique([R.ID, "name"]).group_by("name").len().sort("name")
    return {str(k): int(v) for k, v in counted.iter_rows()}


QUEUES = ("pending", "flagged", "approved", "rejected", "duplicates", "all")


def queue_counts(frame: pl.DataFrame) -> dict[str, int]:
    """Records per review queue: one per status, flagged (any flag, any status),
    duplicates (not the keeper of their cluster), all. The one definition behind
    `curator info` and the GUI's queue chips."""
    counts = {q: 0 for q in QUEUES}
    for status, n in frame.get_column(R.STATUS).cast(pl.String).value_counts().iter_rows():
        if status in counts:
            counts[status] = int(n)
    if frame.height:
        counts["flagged"] = int(frame.select(is_flagged().sum()).item())
        counts["duplicates"] = int(frame.get_column(R.DUPLICATE_OF).is_not_null().sum())
    counts["all"] = frame.height
    return counts


def info(ws: Workspace, frame: pl.DataFrame | None = None) -> dict[str, Any]:
    """The `curator info --json` summary."""
    df = ws.frame() if frame is None else frame
    queues = queue_counts(df)
    by_status = {s: queues[s] for s in R.STATUSES}
    by_flag = records_per_flag(ws.flags())
    sources = dict(df.group_by(R.SOURCE).len().sort(R.SOURCE).iter_rows())
    q = ws.db().execute("SELECT COUNT(*) FROM quarantine").fetchone()[0]
    return {
        "workspace": str(ws.path),
        "records": df.height,
        "quarantined": int(q),
        "sources": sources,
        "by_status": by_status,
        "by_flag": by_flag,
        "flagged": queues["flagged"],
        "duplicates": queues["duplicates"],
        # preference pairs among the records (prompt + chosen + rejected answer)
        "pairs": int(df.select(R.is_pair().sum()).item()) if R.REJECTED_ANSWER in df.columns else 0,
    }


def flag_matches(flag: str) -> pl.Expr:
    """Rows with a flag named ``flag`` or under it (``pii`` matches ``pii.email``)."""
    names = pl.col(R.FLAGS).list.eval(pl.element().struct.field("name"))
    return names.list.eval((pl.element() == flag) | pl.element().str.starts_with(flag + ".")).list.any()


def text_matches(text: str) -> pl.Expr:
    """Case-insensitive literal search over every message's content."""
    needle = text.lower()
    return (
        pl.col(R.MESSAGES)
        .list.eval(pl.element().struct.field("content").str.to_lowercase().str.contains(needle, literal=True))
        .list.any()
        .fill_null(False)
    )


def query(
    ws: Workspace,
    *,
    status: str | None = None,
    flag: str | None = None,
    search: str | None = None,
    frame: pl.DataFrame | None = None,
) -> pl.DataFrame:
    df = ws.frame() if frame is None else frame
    if status == "flagged":
        df = df.filter(is_flagged())
    elif status is not None:
        df = df.filter(pl.col(R.STATUS) == status)
    if flag:
        df = df.filter(flag_matches(flag))
    if search:
        df = df.filter(text_matches(search))
    return df


def query_rows(df: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows in the `curator query --json` shape."""
    out = df.select(
        R.ID,
        R.SOURCE,
        R.LOCATOR,
        R.STATUS,
        pl.col(R.FLAGS).list.eval(
            pl.struct(pl.element().struct.field("name"), pl.element().struct.field("reason"))
        ),
        R.CLUSTER_ID,
        R.DUPLICATE_OF,
    )
    return out.to_dicts()
