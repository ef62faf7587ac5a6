"""The workspace's record parts as slices a worker reads by itself.

A slice is one Parquet row group of one part: the unit a cluster task reads, so
a task's memory is bounded by the row-group size, never by the corpus. Slices in
order are ``Workspace.records()`` in order. The reviewer's edits travel as the
small review-state table and are applied per slice exactly as ``Workspace.frame``
applies them, so a worker sees the messages the local job sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from curator.core import records as R
from curator.core.frame import build_frame
from curator.core.workspace import Workspace


@dataclass(frozen=True)
class RecordSlice:
    """Row group ``group`` of the part at ``path``: ``rows`` records from ``start``."""

    path: str
    group: int
    start: int  # index of the slice's first record in Workspace.records()
    rows: int


def record_slices(ws: Workspace) -> list[RecordSlice]:
    """Every row group of every record part, in ``Workspace.records()`` order."""
    out: list[RecordSlice] = []
    start = 0
    for part in (i.part for i in ws.imports() if i.part):
        path = ws.path / "records" / part
        meta = pq.ParquetFile(path).metadata
        for g in range(meta.num_row_groups):
            n = meta.row_group(g).num_rows
            out.append(RecordSlice(str(path), g, start, n))
            start += n
    return out


def read_slice(
    sl: RecordSlice, state: pl.DataFrame, columns: list[str] | None = None
) -> pl.DataFrame:
    """The slice's records with effective messages (reviewer edits applied) and review columns."""
    table = pq.ParquetFile(Path(sl.path)).read_row_group(sl.group)
    df = pl.from_arrow(table)
    assert isinstance(df, pl.DataFrame)
    missing = [
        pl.lit(None, dtype).alias(c) for c, dtype in R.RECORD_SCHEMA.items() if c not in df.columns
    ]
    df = df.with_columns(missing).select(list(R.RECORD_SCHEMA.names())).cast(R.RECORD_SCHEMA)
    ids = df.select(R.ID)
    touched = state.join(ids, on=R.ID, how="semi")
    frame = build_frame(
        df,
        touched,
        pl.DataFrame(schema=R.FLAGS_SCHEMA),
        pl.DataFrame(schema=R.CLUSTERS_SCHEMA),
    )
    return frame.select(columns) if columns else frame
