"""The controller's Polars side: loading a workspace's frame, finding and patching rows.

Qt-free, so the loading runs in a worker thread and tests need no display.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from curator.core import records as R
from curator.core.workspace import Workspace
from curator.gui import display as D

LOADED_EDITED = "_edited_at_load"  # whether the frame's messages column holds an edit


@dataclass
class Loaded:
    frame: pl.DataFrame
    scores: pl.DataFrame | None
    counts: dict[str, int]
    choices: dict[str, list[str]]
    pii: pl.DataFrame | None
    view: pl.DataFrame


def load(ws: Workspace, spec: D.ViewSpec) -> Loaded:
    """What the first page needs, computed off the UI thread (text columns come later)."""
    frame = D.base_columns(ws.frame()).with_columns(pl.col(R.EDITED).alias(LOADED_EDITED))
    scores = D.read_scores(ws)
    pii = ws.read_result("pii_findings")
    view = D.build_view(frame, spec, scores)
    return Loaded(frame, scores, D.queue_counts(frame), D.filter_choices(frame, scores), pii, view)


def positions(df: pl.DataFrame, ids: Sequence[str]) -> pl.Series:
    """Row positions of ``ids`` in ``df`` (a few ids: equality scans, no hash table)."""
    col = df.get_column(R.ID)
    if len(ids) <= 8:
        parts = [(col == rid).arg_true() for rid in ids]
        return pl.concat(parts).sort() if parts else pl.Series([], dtype=pl.UInt32)
    return col.is_in(pl.Series(list(ids), dtype=pl.String).implode()).arg_true()


def scatter(df: pl.DataFrame, pos: pl.Series, updates: dict[str, list[Any]]) -> pl.DataFrame:
    """Set ``updates[col][k]`` at row ``pos[k]``: one column copy each, no re-read."""
    cols = []
    for name, values in updates.items():
        if name not in df.columns or not values:
            continue
        s = df.get_column(name)
        cols.append(s.clone().scatter(pos, pl.Series(name, values, dtype=s.dtype)))
    return df.with_columns(cols) if cols else df
