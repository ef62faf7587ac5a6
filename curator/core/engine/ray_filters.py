"""Filters on a Ray cluster: workers read the record parts; only scores come back.

Two passes over the record slices (one Parquet row group each, reviewer edits
applied, see ``engine.parts``):

1. **hashes**: each task returns its records' ids and message hashes (and the
   rejected side of any preference pairs), so the driver can tell which records
   the score cache already covers;
2. **filters**: each task re-reads its slice, keeps the records to score and runs
   every filter's ``score()`` on them (``filters.job.ScoreBatch``) in batches of
   ``BATCH_ROWS``, returning only the score frames.

Each task's frames are handed to the job's sink (``filters.staging.RawSpill``:
written to disk) as the task finishes, with the task's number for record order,
so the driver never holds every filter's raw scores. The driver then finalises,
thresholds and publishes with the local job's code, one filter at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl

from curator.core import records as R
from curator.core.engine.base import BATCH_ROWS
from curator.core.engine.parts import RecordSlice, read_slice, record_slices
from curator.core.jobs import Job
from curator.core.workspace import Workspace


def _hashes(sl: RecordSlice, state: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    from curator.core.engine.ray_engine import _fault
    from curator.core.filters import pairs
    from curator.core.filters.base import messages_hash

    _fault("reading")
    frame = read_slice(sl, state)
    ids = frame.select(R.ID, messages_hash(frame.get_column(R.MESSAGES)))
    rej = pairs.rejected_side(frame)
    return ids, rej.with_columns(messages_hash(rej.get_column(R.MESSAGES)))


def _scores(
    sl: RecordSlice, state: pl.DataFrame, pos: np.ndarray, fn: Any, task: int
) -> tuple[int, dict[str, pl.DataFrame]]:
    """(``task``, ``fn``'s frames on the records ``pos`` of slice ``sl``)."""
    from curator.core.engine.ray_engine import _fault

    _fault("filters")
    df = read_slice(sl, state, [R.ID, R.MESSAGES])[pos]
    out: dict[str, list[pl.DataFrame]] = {}
    for start in range(0, max(df.height, 1), BATCH_ROWS):
        for name, frame in fn(df.slice(start, BATCH_ROWS)).items():
            out.setdefault(name, []).append(frame)
    return task, {name: pl.concat(p, how="vertical_relaxed") for name, p in out.items()}


class RemoteRecords:
    """The workspace's records as seen by the cluster: ids and hashes on the driver."""

    def __init__(self, engine: Any, ws: Workspace) -> None:
        from curator.core.engine.ray_dedup import _Tasks

        self.tasks = _Tasks(engine)
        self.ray = engine._ray
        self.slices = record_slices(ws)
        self.state = self.ray.put(ws.state())

    def hashes(self) -> Job[tuple[pl.DataFrame, pl.DataFrame]]:
        """(id, msg_hash) of every record in order, and the pairs' rejected sides."""
        task = self.tasks.remote(_hashes)
        got = yield from self.tasks.gather(
            [task.remote(sl, self.state) for sl in self.slices], "reading records", "on Ray"
        )
        if not got:
            empty = pl.DataFrame(schema={R.ID: pl.String, "msg_hash": pl.UInt64})
            return empty, pl.DataFrame(schema={R.ID: pl.String, R.MESSAGES: R.MESSAGES_DTYPE})
        ids = pl.concat(
            [g[0].with_columns(pl.lit(k, pl.Int64).alias("_slice")) for k, g in enumerate(got)]
        ).with_columns(pl.int_range(pl.len()).over("_slice").cast(pl.Int64).alias("_pos"))
        return ids, pl.concat([g[1] for g in got])

    def score(
        self,
        ids: pl.DataFrame,
        wanted: pl.Series,
        fn: Any,
        sink: Callable[[int, dict[str, pl.DataFrame]], None],
    ) -> Job[None]:
        """``fn`` (a ScoreBatch) on the records ``wanted`` of ``ids``; each task's frames
        go to ``sink`` with the task's number (tasks are numbered in record order) as the
        task finishes, in any order, and are released: the driver holds one task's at a time."""
        sub = ids.filter(pl.col(R.ID).is_in(wanted.implode()))
        task = self.tasks.remote(_scores)
        refs = [
            task.remote(self.slices[int(k[0])], self.state, g.get_column("_pos").to_numpy(), fn, n)  # type: ignore[arg-type]
            for n, (k, g) in enumerate(sub.group_by("_slice", maintain_order=True))
        ]
        del sub
        if not refs:  # nothing to score: empty frames, so every result has its columns
            empty = (
                ids.head(0)
                .select(R.ID)
                .with_columns(pl.lit(None, R.MESSAGES_DTYPE).alias(R.MESSAGES))
            )
            sink(0, dict(fn(empty)))
            return
        job = self.tasks.gather(refs, "filters", "scoring on Ray", sink=lambda got: sink(*got))
        del refs  # each task's result is freed in the object store once spilled
        yield from job
