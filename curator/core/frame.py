"""Joins the imported snapshot with review state and job results, in Polars."""

from __future__ import annotations

import polars as pl

from curator.core import records as R


def build_frame(
    records: pl.DataFrame,
    state: pl.DataFrame,
    flags: pl.DataFrame,
    clusters: pl.DataFrame,
) -> pl.DataFrame:
    """One row per record; see Workspace.frame for the meaning of the columns."""
    df = records.join(state, on=R.ID, how="left")
    if state.height and df.get_column("edited_messages").null_count() < df.height:
        edited = df.get_column("edited_messages").str.json_decode(R.MESSAGES_DTYPE)
        df = df.with_columns(
            pl.when(pl.col("edited_messages").is_not_null())
            .then(edited)
            .otherwise(pl.col(R.MESSAGES))
            .alias(R.MESSAGES)
        )
    df = df.with_columns(
        pl.col(R.STATUS).fill_null(R.PENDING),
        pl.col("edited_messages").is_not_null().alias(R.EDITED),
    ).drop("edited_messages")

    if flags.height:
        per_record = flags.group_by(R.ID).agg(
            pl.struct("name", "reason", "severity").alias(R.FLAGS)
        )
        df = df.join(per_record, on=R.ID, how="left")
        df = df.with_columns(pl.col(R.FLAGS).fill_null(pl.lit([], R.FLAGS_DTYPE_LIST)))
    else:
        df = df.with_columns(pl.lit([], R.FLAGS_DTYPE_LIST).alias(R.FLAGS))

    cl = clusters.select(R.ID, R.CLUSTER_ID, R.DUPLICATE_OF, R.SIMILARITY)
    return df.join(cl, on=R.ID, how="left")


def has_blocking_flag() -> pl.Expr:
    return pl.col(R.FLAGS).list.eval(pl.element().struct.field("severity") == R.BLOCK).list.any()


def is_flagged() -> pl.Expr:
    return pl.col(R.FLAGS).list.len() > 0


def is_keeper() -> pl.Expr:
    """True for singletons and cluster keepers (anything not a duplicate of another)."""
    return pl.col(R.DUPLICATE_OF).is_null()
