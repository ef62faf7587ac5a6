"""Retrieval passages: the statements of facts that change, with the records they came from.

The readiness volatility check (``core/readiness/volatility.py``) marks replies that
state prices, stock, schedules, weather, policies or versions. Here the same patterns
run per assistant turn and then per sentence; the marked sentences of one turn, after
the user turn they answer, form a passage, and identical passages (normalised) from
several records become one passage listing every record id. Polars throughout: no Python loop per record.
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
    """id, text, kinds, record_ids, question — one row per distinct passage, in a stable order.

    A passage is one assistant turn's statements of changing facts, after the user turn it
    answers ("User: how much is the cab?\nAssistant: It costs $9.40."): a sentence alone
    ("It costs $9.40.") would not say what it is about."""
    turns = (
        rows.select(R.ID, R.MESSAGES, role_text("user").alias("u"))
        .with_columns(
            pl.col(R.MESSAGES)
            .list.eval(
                pl.element()
                .struct.field("content")
                .filter(pl.element().struct.field("role") == "user")
            )
            .list.first()
            .fill_null("")
            .alias("q")
        )
        .explode(R.MESSAGES)
        .with_row_index("_pos")
        .with_columns(
            pl.col(R.MESSAGES).struct.field("role").alias("role"),
            pl.col(R.MESSAGES).struct.field("content").fill_null("").alias("a"),
        )
        .with_columns(
            pl.when(pl.col("role") == "user")
            .then(pl.col("a"))
            .forward_fill()
            .over(R.ID)
            .fill_null("")
            .alias("prev")
        )
        .filter(pl.col("role") == "assistant")
        .drop(R.MESSAGES)
    )
    turns = turns.with_columns(V.volatility_columns(pl.col("a"), pl.col("u"))).filter(
        pl.any_horizontal([pl.col(k) for k in KINDS])
    )
    sent = (
        turns.select(
            R.ID, "_pos", "u", "q", "prev", pl.col("a").str.extract_all(_SENTENCE).alias("s")
        )
        .explode("s")
        .drop_nulls("s")
        .with_columns(pl.col("s").str.strip_chars())
        .with_row_index("_spos")
    )
    sent = sent.with_columns(V.volatility_columns(pl.col("s"), pl.col("u"))).filter(
        pl.any_horizontal([pl.col(k) for k in KINDS])
    )
    kinds = pl.concat_list(
        [pl.when(pl.col(f"vol_{k}")).then(pl.lit(k)) for k in V.KINDS]
    ).list.drop_nulls()
    sent = sent.with_columns(kinds.alias("_kinds"))
    per_turn = sent.group_by(R.ID, "_pos", maintain_order=True).agg(
        pl.col("s").sort_by("_spos").str.join(" ").alias("said"),
        pl.col("_kinds").explode().unique().sort().alias("kinds"),
        pl.first("q"),
        pl.first("prev"),
    )
    if per_turn.height == 0:
        return pl.DataFrame(
            schema={
                "id": pl.String,
                "text": pl.String,
                "kinds": pl.List(pl.String),
                "record_ids": pl.List(pl.String),
                "question": pl.String,
            }
        )
    text = (
        pl.when(pl.col("prev").str.strip_chars() != "")
        .then(
            pl.format("User: {}\nAssistant: {}", pl.col("prev").str.strip_chars(), pl.col("said"))
        )
        .otherwise(pl.col("said"))
    )
    keyed = per_turn.with_columns(text.alias("text")).with_columns(
        normalised(pl.col("text")).alias("_k")
    )
    keyed = keyed.sort(R.ID, "_pos")
    out = keyed.group_by("_k", maintain_order=True).agg(
        pl.first("text"),
        pl.col("kinds").explode().unique().sort(),
        pl.col(R.ID).unique().sort().alias("record_ids"),
        pl.first("q").str.slice(0, 300).alias("question"),
    )
    ids = pl.Series("_h", stable_hash(out.get_column("_k"), 0))
    return (
        out.with_columns(pl.format("p{}", ids).alias("id"))
        .sort("id")
        .select("id", "text", "kinds", "record_ids", "question")
    )
