"""Patching the in-memory frames from a core ``ReviewDelta`` (Qt-free, no SQL).

The core review call says which records changed and how; this turns the delta into
column updates for the display frame and the view, instead of re-reading a million
rows or asking the database again.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from curator.core import records as R
from curator.core.review_delta import EDITED_MESSAGES, MESSAGES_CHANGED, ReviewDelta
from curator.core.workspace import Workspace
from curator.gui.session import display as D
from curator.gui.session.frame_state import one_line, positions, take_rows

TEXT_COLUMNS = (R.MESSAGES, D.TURNS, D.FIRST_USER, D.PREVIEW)


def state_updates(delta: ReviewDelta) -> pl.DataFrame:
    """id, status, reason, edited of every changed record."""
    st = delta.states  # columns picked directly: no query on the UI thread
    return pl.DataFrame([st.get_column(c) for c in (R.ID, R.STATUS, R.REASON, R.EDITED)])


def _originals(ws: Workspace, ids: pl.Series, snapshot: pl.DataFrame | None) -> pl.DataFrame:
    """id, messages as imported for ``ids``: a few from the loaded snapshot by direct
    comparisons and slices (the UI thread), else a filter of ``ws.records()``."""
    if ids.len() == 0:
        return pl.DataFrame(schema={R.ID: pl.String, R.MESSAGES: R.MESSAGES_DTYPE})
    if snapshot is not None and ids.len() <= 8:
        rows = positions(snapshot, ids.to_list()).to_list()
        if len(rows) == ids.len():
            return pl.DataFrame(
                [
                    pl.concat([snapshot.get_column(c).slice(r, 1) for r in rows])
                    for c in (R.ID, R.MESSAGES)
                ]
            )
    return ws.records().filter(pl.col(R.ID).is_in(ids.implode())).select(R.ID, R.MESSAGES)


def text_updates(
    ws: Workspace, delta: ReviewDelta, snapshot: pl.DataFrame | None = None
) -> pl.DataFrame | None:
    """id + TEXT_COLUMNS for records whose effective messages changed (edit, revert,
    redact, their undo), or None. Unedited records get their imported messages back
    (from ``snapshot``, the records the caller loaded, when given)."""
    if delta.states.height <= SMALL:  # one review action (the UI thread): no query engine
        return _small_text_updates(ws, delta, snapshot)
    changed = delta.states.filter(pl.col(MESSAGES_CHANGED))
    if changed.height == 0:
        return None
    edited = changed.filter(pl.col(EDITED_MESSAGES).is_not_null()).select(
        R.ID, pl.col(EDITED_MESSAGES).str.json_decode(R.MESSAGES_DTYPE).alias(R.MESSAGES)
    )
    plain_ids = changed.filter(pl.col(EDITED_MESSAGES).is_null()).get_column(R.ID)
    originals = _originals(ws, plain_ids, snapshot)
    msgs = pl.concat(
        [
            edited.cast({R.MESSAGES: R.MESSAGES_DTYPE}),
            originals.cast({R.MESSAGES: R.MESSAGES_DTYPE}),
        ]
    )
    return msgs.with_columns(
        pl.col(R.MESSAGES).list.len().cast(pl.Int32).alias(D.TURNS),
        D.first_content("user").alias(D.FIRST_USER),
        D.first_content("assistant").alias(D.PREVIEW),
    )


def _small_text_updates(
    ws: Workspace, delta: ReviewDelta, snapshot: pl.DataFrame | None
) -> pl.DataFrame | None:
    """text_updates for a few records, with Python values and direct Series calls."""
    st = delta.states
    flags = st.get_column(MESSAGES_CHANGED).to_list()
    ids = [rid for rid, on in zip(st.get_column(R.ID).to_list(), flags, strict=True) if on]
    if not ids:
        return None
    edited = [
        m for m, on in zip(st.get_column(EDITED_MESSAGES).to_list(), flags, strict=True) if on
    ]
    plain = [rid for rid, m in zip(ids, edited, strict=True) if m is None]
    orig: dict[str, list[dict[str, Any]]] = {}
    if plain:
        originals = _originals(ws, pl.Series(R.ID, plain, dtype=pl.String), snapshot)
        orig = dict(
            zip(
                originals.get_column(R.ID).to_list(),
                originals.get_column(R.MESSAGES).to_list(),
                strict=True,
            )
        )
    out_ids = [rid for rid, m in zip(ids, edited, strict=True) if m is not None] + [
        rid for rid in plain if rid in orig
    ]
    msgs = [R.messages_from_json(m) for m in edited if m is not None] + [
        orig[rid] for rid in plain if rid in orig
    ]

    def first(conv: list[dict[str, Any]], role: str) -> str | None:
        return next((one_line(m.get("content")) for m in conv if m.get("role") == role), None)

    return pl.DataFrame(
        [
            pl.Series(R.ID, out_ids, dtype=pl.String),
            pl.Series(R.MESSAGES, msgs, dtype=R.MESSAGES_DTYPE),
            pl.Series(D.TURNS, [len(m) for m in msgs], dtype=pl.Int32),
            pl.Series(D.FIRST_USER, [first(m, "user") for m in msgs], dtype=pl.String),
            pl.Series(D.PREVIEW, [first(m, "assistant") for m in msgs], dtype=pl.String),
        ]
    )


def scatter_rows(
    df: pl.DataFrame, updates: pl.DataFrame, pos: pl.Series | None = None
) -> pl.DataFrame:
    """Set ``updates``' columns (those ``df`` has) at the rows of its ids: one column
    copy each. ``pos``: the rows, when the caller already knows them (one record)."""
    cols = [c for c in updates.columns if c != R.ID and c in df.columns]
    if not cols or updates.height == 0 or df.height == 0:
        return df
    if pos is None:
        pos = positions(df, updates.get_column(R.ID).to_list())
    if pos.len() == 0:
        return df
    if pos.len() <= SMALL:
        return _scatter_small(df, updates, pos, cols)
    at = df.get_column(R.ID).gather(pos).to_frame()
    aligned = at.join(updates, on=R.ID, how="left", maintain_order="left")
    out = []
    for c in cols:
        s = df.get_column(c)
        values = aligned.get_column(c).cast(s.dtype)
        nested = isinstance(s.dtype, (pl.List, pl.Struct, pl.Array))
        out.append(_splice(s, pos, values) if nested else s.clone().scatter(pos, values))
    return df.with_columns(out)


SMALL = 64  # up to this many rows, a patch uses direct Series calls only (no query engine)


def _scatter_small(
    df: pl.DataFrame, updates: pl.DataFrame, pos: pl.Series, cols: list[str]
) -> pl.DataFrame:
    """scatter_rows for a few rows (a single review action on the UI thread): Python
    values and direct Series calls, so it never waits for a worker's query in Polars'
    thread pool; a new frame (the old one may be in a worker's hands)."""
    rows = pos.to_list()
    ids = take_rows(df.get_column(R.ID), rows)
    index = {rid: i for i, rid in enumerate(updates.get_column(R.ID).to_list())}
    out = df.clone()
    for c in cols:
        s = df.get_column(c)
        new = updates.get_column(c).to_list()
        values = pl.Series(c, [new[index[rid]] for rid in ids], dtype=s.dtype)
        out.replace_column(df.get_column_index(c), _splice(s, pos, values))
    return out


MAX_CHUNKS = 64  # a spliced column is rechunked (one copy) once it has this many pieces


def _splice(s: pl.Series, pos: pl.Series, values: pl.Series) -> pl.Series:
    """``scatter`` without copying the column: the series cut around each position
    with the new value in between (zero-copy slices; also the only way for nested
    dtypes). A 1M-row string column's scatter copies it (~2-25 ms) on every review
    action; the pieces are joined up once every MAX_CHUNKS/2 actions instead."""
    at = pos.to_list()
    pieces, start = [], 0
    for k in sorted(range(len(at)), key=at.__getitem__):  # slices only: no query engine
        row = at[k]
        pieces.append(s.slice(start, row - start))
        pieces.append(values.slice(k, 1))
        start = row + 1
    pieces.append(s.slice(start))
    out = pl.concat(pieces, rechunk=False).alias(s.name)
    return out.rechunk() if out.n_chunks() > MAX_CHUNKS else out


def patched_frames(
    ws: Workspace,
    frame: pl.DataFrame,
    view: pl.DataFrame,
    delta: ReviewDelta,
    fpos: pl.Series | None = None,
    vpos: pl.Series | None = None,
    snapshot: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    """(frame, view, ids whose text changed) after ``delta``: a bulk step's in a worker,
    one record's on the UI thread (``fpos``/``vpos``: its rows, when known)."""
    states = state_updates(delta)
    frame = scatter_rows(frame, states, fpos)
    view = scatter_rows(view, states, vpos)
    texts = text_updates(ws, delta, snapshot)
    if texts is None:
        return frame, view, []
    same = texts.height == len(delta.ids)
    frame = scatter_rows(frame, texts, fpos if same else None)
    view = scatter_rows(
        view,
        pl.DataFrame([texts.get_column(c) for c in texts.columns if c != R.MESSAGES]),
        vpos if same else None,
    )
    return frame, view, texts.get_column(R.ID).to_list()


def patch_counts(counts: dict[str, int], delta: ReviewDelta) -> dict[str, int]:
    """Queue counts after the delta's status moves (flagged, duplicates, all unchanged)."""
    out = dict(counts)
    for (before, after), n in delta.status_moves().items():
        out[before] = out.get(before, 0) - n
        out[after] = out.get(after, 0) + n
    return out
