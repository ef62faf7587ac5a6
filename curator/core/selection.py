"""Which records an export would contain: one definition for export and readiness.

``approved``: approved records. ``passing``: approved plus pending records.
Either way: never rejected records, never non-keeper duplicates, never a
record with a blocking flag (severity "block").
"""

from __future__ import annotations

from typing import Literal

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
