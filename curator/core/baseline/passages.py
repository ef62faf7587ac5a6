"""Retrieval passages: the statements of facts that change, with the records they came from.

The readiness volatility check (``core/readiness/volatility.py``) marks replies that
state prices, stock, schedules, weather, policies or versions. Here the same patterns
run per sentence of those replies, the marked sentences of one record form a passage,
and identical passages (normalised) from several records become one passage listing
every record id. Polars throughout: no Python loop per record.
"""

from __future__ import annotations

import polars as pl

from curator.core import records as R
from curator.core.export.split import stable_hash
from curator.core.readiness import volatility as V
from curator.core.readiness.metrics import normalised, role_text

_SENTENCE = r"(?:[^.!?\n]|[.!?]\S)+[.!?]*"  # "$17,883.87" and "v2.1" do not end a sentence
KINDS = [f"vol_{k}" for k in V.KINDS]


def passages(rows: pl.DataFrame) -> pl.DataFrame:
    """id, text, kinds, record_ids, question — one row per distinct passage, in a stable order."""
    text = rows.select(
        R.ID,
        role_text("assistant").alias("a"),
        role_text("user").alias("u"),
        pl.col(R.MESSAGES)
        .list.eval(
            pl.element().struct.field("content").filter(pl.element().struct.field("role") == "user")
        )
        .list.first()
        .fill_null("")
        .alias("q"),
    )
    volatile = text.with_columns(V.volatility_columns(pl.col("a"), pl.col("u"))).filter(
        pl.any_horizontal([pl.col(k) for k in KINDS])
    )
    sent = (
        volatile.select(R.ID, "u", "q", pl.col("a").str.extract_all(_SENTENCE).alias("s"))
        .explode("s")
        .drop_nulls("s")
        .with_columns(pl.col("s").str.strip_chars())
        .with_row_index("_pos")
    )
    sent = sent.with_columns(V.volatility_columns(pl.col("s"), pl.col("u"))).filter(
        pl.any_horizontal([pl.col(k) for k in KINDS])
    )
    kinds = pl.concat_list(
        [pl.when(pl.col(f"vol_{k}")).then(pl.lit(k)) for k in V.KINDS]
    ).list.drop_nulls()
    sent = sent.with_columns(kinds.alias("_kinds"))
    per_record = sent.group_by(R.ID, maintain_order=True).agg(
        pl.col("s").sort_by("_pos").str.join(" ").alias("text"),
        pl.col("_kinds").explode().unique().sort().alias("kinds"),
        pl.first("q"),
    )
    if per_record.height == 0:
        return pl.DataFrame(
            schema={
                "id": pl.String,
                "text": pl.String,
                "kinds": pl.List(pl.String),
                "record_ids": pl.List(pl.String),
                "question": pl.String,
            }
        )
    keyed = per_record.with_columns(normalised(pl.col("text")).alias("_k")).sort(R.ID)
    out = keyed.group_by("_k", maintain_order=True).agg(
        pl.first("text"),
        pl.col("kinds").explode().unique().sort(),
        pl.col(R.ID).sort().alias("record_ids"),
        pl.first("q").str.slice(0, 300).alias("question"),
    )
    ids = pl.Series("_h", stable_hash(out.get_column("_k"), 0))
    return (
        out.with_columns(pl.format("p{}", ids).alias("id"))
        .sort("id")
        .select("id", "text", "kinds", "record_ids", "question")
    )
