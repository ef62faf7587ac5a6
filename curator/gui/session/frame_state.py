"""The controller's Polars side: loading a workspace's frame, finding and patching rows.

Qt-free, so the loading runs in a worker thread and tests need no display.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from curator.core import records as R
from curator.core.review_actor import warm_blocking
from curator.core.workspace import Workspace
from curator.gui.session import display as D


@dataclass
class Loaded:
    frame: pl.DataFrame
    scores: pl.DataFrame | None  # id, language, tokens in frame row order (null where unscored)
    counts: dict[str, int]
    choices: dict[str, list[str]]
    pii: pl.DataFrame | None
    view: pl.DataFrame
    version: int | None = None  # the workspace state version read (before the frame)
    snapshot: pl.DataFrame | None = None  # the imported records (or their head), frame row order
    # the table's first blocks for ``view``, built in the worker (``Controller.block_builder``):
    # block number -> rows; and the view rows of the record ids it was asked about
    blocks: dict[int, Any] | None = None
    rows_of: dict[str, int | None] | None = None


def load(ws: Workspace, spec: D.ViewSpec) -> Loaded:
    """What the first page needs, computed off the UI thread (text columns come later)."""
    version = ws.state_version()  # read first: a change while reading shows as "newer"
    frame = D.base_columns(ws.frame())
    snapshot = ws.records()  # cached: the frame was built from it
    scores = D.read_scores(ws)
    if scores is not None:  # one join here, in the worker; rows then line up with the frame
        scores = frame.select(R.ID).join(
            scores.unique(R.ID, keep="first"), on=R.ID, how="left", maintain_order="left"
        )
    pii = ws.read_result("pii_findings")
    view = D.build_view(frame, spec, scores)
    warm_blocking(ws)  # the blocking flags an approval names, read here, not on the first "A"
    return Loaded(
        frame,
        scores,
        D.queue_counts(frame),
        D.filter_choices(frame, scores),
        pii,
        view,
        version,
        snapshot,
    )


BlockBuilder = Callable[[pl.DataFrame, pl.DataFrame, "pl.DataFrame | None", int], Any]


def prefetch(
    res: Loaded, build: BlockBuilder | None, ids: Sequence[str | None], block_rows: int
) -> Loaded:
    """``res`` with the view rows of ``ids`` and the table blocks holding row 0 and those
    rows, built where ``res`` was (a worker): the UI thread then paints the first page of
    a new frame without converting a block of it (messages to first lines) itself."""
    if build is None:
        return res
    res.blocks, res.rows_of = first_blocks(res.view, res.frame, res.scores, build, ids, block_rows)
    return res


def first_blocks(
    view: pl.DataFrame,
    frame: pl.DataFrame,
    scores: pl.DataFrame | None,
    build: BlockBuilder,
    ids: Sequence[str | None],
    block_rows: int,
) -> tuple[dict[int, Any], dict[str, int | None]]:
    """(table blocks holding row 0 and the rows of ``ids``, view row of each of ``ids``)
    for ``view``: what a worker that made a view hands over with it, so the UI thread
    neither scans the view's ids for the record on screen nor builds the page's blocks."""
    rows_of: dict[str, int | None] = {}
    for rid in dict.fromkeys(i for i in ids if i):
        hits = positions(view, [rid]) if view.height else pl.Series([], dtype=pl.UInt32)
        rows_of[rid] = int(hits[0]) if hits.len() else None
    wanted = {0} | {r // block_rows for r in rows_of.values() if r is not None}
    blocks = {b: build(view, frame, scores, b) for b in sorted(wanted)} if view.height else {}
    return blocks, rows_of


HEAD_ROWS = 400  # rows shown while a big workspace is still loading


def load_head(ws: Workspace, spec: D.ViewSpec, n: int = HEAD_ROWS) -> Loaded | None:
    """The first ``n`` imported records, fully joined: the first page of a big workspace.

    Reads only the head of the Parquet parts, so it is on screen long before the full
    frame; the controller replaces it with the full load (and its counts) when ready.
    """
    from curator.core.frame import build_frame

    parts = [ws.path / "records" / i.part for i in ws.imports() if i.part]
    if not parts:
        return None
    # read like Workspace.records (absent columns as nulls): the first record's detail is
    # then the full read's, and the Records tab need not paint it again when that lands
    head = (
        pl.scan_parquet(parts, schema=R.RECORD_SCHEMA, missing_columns="insert").head(n).collect()
    )
    frame = D.base_columns(build_frame(head, ws.state(), ws.flags(), ws.clusters()))
    frame = frame.hstack(D.lazy_columns(frame, D.read_scores(ws)))
    view = D.build_view(frame, spec)
    return Loaded(
        frame, None, D.queue_counts(frame), {}, ws.read_result("pii_findings"), view, snapshot=head
    )


def positions(df: pl.DataFrame, ids: Sequence[str]) -> pl.Series:
    """Row positions of ``ids`` in ``df`` (a few ids: equality scans, no hash table)."""
    col = df.get_column(R.ID)
    if len(ids) <= 8:  # direct comparisons and numpy: the UI thread never queues for Polars' pool
        hits = sorted({int(i) for rid in ids for i in np.flatnonzero((col == rid).to_numpy())})
        return pl.Series(hits, dtype=pl.UInt32)
    return col.is_in(pl.Series(list(ids), dtype=pl.String).implode()).arg_true()


def take_rows(series: pl.Series, rows: list[int]) -> list[Any]:
    """Python values at ``rows``, read as contiguous slices (direct, no query engine).

    The UI thread uses this for a block of the table: a Polars query there would
    queue behind whatever big query a worker is running.
    """
    out: list[Any] = []
    i = 0
    while i < len(rows):
        j = i
        while j + 1 < len(rows) and rows[j + 1] == rows[j] + 1:
            j += 1
        out.extend(series.slice(rows[i], j - i + 1).to_list())
        i = j + 1
    return out


def one_line(text: str | None, limit: int = 160) -> str | None:
    """Python twin of display.first_content's shaping, for a block of rows."""
    if text is None:
        return None
    return text[:limit].replace("\n", " ").replace("\r", " ").strip()


def block_columns(
    frame: pl.DataFrame, scores: pl.DataFrame | None, rows: list[int]
) -> dict[str, list[Any]]:
    """display.LAZY_COLUMNS for a few frame rows, without the query engine."""
    msgs = take_rows(frame.get_column(R.MESSAGES), rows)
    flags = take_rows(frame.get_column(R.FLAGS), rows)

    def first(conv: list[dict[str, Any]] | None, role: str) -> str | None:
        return next((one_line(m.get("content")) for m in conv or [] if m.get("role") == role), None)

    out: dict[str, list[Any]] = {
        D.FIRST_USER: [first(m, "user") for m in msgs],
        D.PREVIEW: [first(m, "assistant") for m in msgs],
        D.FLAG_NAMES: [
            D.flag_mark([f["severity"] for f in fl or []])
            + ", ".join(dict.fromkeys(f["name"] for f in fl or []))
            for fl in flags
        ],
    }
    for col in (D.LANGUAGE, D.TOKENS):
        if scores is not None and col in scores.columns:
            out[col] = take_rows(scores.get_column(col), rows)
        else:
            out[col] = [None] * len(rows)
    return out
