"""Filters on both answers of a preference pair (DESIGN.md: filters score both answers).

A pair's ``messages`` (prompt + chosen answer) are scored like any conversation. The
rejected side, prompt + rejected answer, is scored by the same filters into result
files of its own (``rejected_<result>``), so score tables keep one row per record.
Its flags join the record's flags with their reason prefixed, unless the record
already has a flag of that name: personal data and secrets keep their severity (the
rejected answer is in the export and a trainer reads it), every other flag becomes a
warning, because a rejected answer is expected to be the worse one.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from curator.core import records as R

PREFIX: Final = "rejected_"
REASON_PREFIX: Final = "in the rejected answer: "
KEEP_SEVERITY: Final = ("pii", "secret")


def rejected_side(frame: pl.DataFrame) -> pl.DataFrame:
    """``id, messages``: each pair's prompt followed by its rejected answer."""
    if R.REJECTED_ANSWER not in frame.columns:
        return frame.select(R.ID, R.MESSAGES).clear()
    m = pl.col(R.MESSAGES)
    return frame.filter(R.is_pair()).select(
        R.ID,
        pl.concat_list([m.list.head(m.list.len() - 1), pl.col(R.REJECTED_ANSWER)]).alias(
            R.MESSAGES
        ),
    )


def merge_flags(flags: pl.DataFrame, rejected: pl.DataFrame) -> pl.DataFrame:
    """The record flags plus the rejected side's flags it does not already have."""
    if rejected.height == 0:
        return flags
    new = rejected.join(flags.select(R.ID, "name").unique(), on=[R.ID, "name"], how="anti")
    family = pl.col("name").str.split(".").list.first()
    new = new.with_columns(
        (pl.lit(REASON_PREFIX) + pl.col("reason").fill_null("")).alias("reason"),
        pl.when(family.is_in(list(KEEP_SEVERITY)))
        .then(pl.col("severity"))
        .otherwise(pl.lit(R.WARN))
        .alias("severity"),
    )
    return pl.concat([flags, new.select(flags.columns).cast(flags.schema)])
