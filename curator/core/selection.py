"""Which records an export would contain: one definition for export and readiness.

``approved``: approved records. ``passing``: approved plus pending records.
Either way: never rejected records, never non-keeper duplicates, and a record
with a blocking flag (severity "block"). A person approving a record past its blocking
flag is an explicit override: journalled, the flag then reads "overridden" (no
longer blocking), and the record is exported and listed in the manifest and report.
"""

from __future__ import annotations

from typing import Any, Literal

import polars as pl

from curator.core import records as R
from curator.core.frame import has_blocking_flag, is_keeper

Include = Literal["approved", "passing"]
INCLUDES: tuple[Include, ...] = ("approved", "passing")


def selected_by_status(include: Include) -> pl.Expr:
    if include == "approved":
        return pl.col(R.STATUS) == R.APPROVED
    return pl.col(R.STATUS).is_in([R.APPROVED, R.PENDING])


def exportable(include: Include) -> pl.Expr:
    """Boolean expression over Workspace.frame(): True for rows that would be exported."""
    return selected_by_status(include) & is_keeper() & ~has_blocking_flag()


def overridden() -> pl.Expr:
    """Approved keepers exported past a blocking flag because a person approved them
    knowing it (the flag reads severity "overridden", see Workspace.apply_overrides)."""
    has = pl.col(R.FLAGS).list.eval(pl.element().struct.field("severity") == R.OVERRIDDEN).list.any()
    return (pl.col(R.STATUS) == R.APPROVED) & is_keeper() & has


def exclusion_reason(include: Include) -> pl.Expr:
    """Why a row is not exported (null when it is), for manifests and reports."""
    return (
        pl.when(pl.col(R.STATUS) == R.REJECTED)
        .then(pl.lit("rejected"))
        .when(~selected_by_status(include))
        .then(pl.lit("not approved"))
        .when(~is_keeper())
        .then(pl.lit("duplicate of a kept record"))
        .when(has_blocking_flag())
        .then(pl.lit("blocking flag"))
        .otherwise(pl.lit(None, pl.String))
    )


def override_summary(df: pl.DataFrame, limit: int = 100) -> dict[str, Any]:
    """Approved records exported despite a blocking flag: how many, by flag, first ids."""
    over = df.filter(overridden()) if df.height else df
    if not over.height:
        return {"records": 0, "by_flag": {}, "ids": []}
    names = (
        over.select(R.ID, pl.col(R.FLAGS).list.eval(
            pl.element().filter(pl.element().struct.field("severity") == R.OVERRIDDEN).struct.field("name")).alias("n"))
        .explode("n").drop_nulls("n").unique().group_by("n").len().sort(["len", "n"], descending=[True, False])
    )
    return {
        "records": over.height,
        "by_flag": {str(k): int(v) for k, v in names.iter_rows()},
        "ids": over.get_column(R.ID).head(limit).to_list(),
    }
