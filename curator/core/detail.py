"""One record as a reviewer sees it: the detail `curator show` prints and the GUI's review pane shows.

Built from the workspace as it is now (review state, flags, clusters, PII findings
read at call time), so a face never shows a stale flag after a redact or an edit.
Cheap enough to call on every move in the review loop: the snapshot is cached by the
workspace and every other part is filtered to one id.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from curator.core import records as R
from curator.core import review
from curator.core.frame import build_frame
from curator.core.workspace import Workspace, WorkspaceError

PII = "pii"  # findings: turn, start, end, name, text, masked
LANGUAGE = "language"
TOKENS = "tokens"


def _one(path: Path, record_id: str) -> pl.DataFrame | None:
    """The rows of one result file for one id (a pushed-down scan, not a full read)."""
    if not path.exists():
        return None
    lf = pl.scan_parquet(path)
    if R.ID not in lf.collect_schema().names():
        return None
    return lf.filter(pl.col(R.ID) == record_id).collect()


def _rows_of(df: pl.DataFrame, record_id: str) -> pl.DataFrame:
    """``df``'s rows for one id by a direct comparison and slices, no query: the review
    pane's detail runs on the UI thread, where a query would wait behind a worker's."""
    hits = np.flatnonzero((df.get_column(R.ID) == record_id).to_numpy())
    if not hits.size:
        return df.clear()
    return pl.concat([df.slice(int(i), 1) for i in hits])


def _score(ws: Workspace, name: str, col: str, record_id: str) -> Any:
    hit = _one(ws.result_path(name), record_id)
    if hit is None or col not in hit.columns or hit.height == 0:
        return None
    return hit.get_column(col)[0]


def _flags(ws: Workspace, record_id: str) -> pl.DataFrame:
    parts = [
        f
        for p in sorted((ws.path / "results").glob("flags_*.parquet"))
        if (f := _one(p, record_id)) is not None
    ]
    if not parts:
        return pl.DataFrame(schema=R.FLAGS_SCHEMA)
    return ws.apply_overrides(
        pl.concat([p.select(list(R.FLAGS_SCHEMA.names())).cast(R.FLAGS_SCHEMA) for p in parts])
    )


def _clusters(ws: Workspace, record_id: str) -> pl.DataFrame:
    hit = _one(ws.result_path("clusters"), record_id)
    if hit is None:
        return pl.DataFrame(schema=R.CLUSTERS_SCHEMA)
    return hit.select(list(R.CLUSTERS_SCHEMA.names())).cast(R.CLUSTERS_SCHEMA)


def _tokens(record_id: str, frame: pl.DataFrame) -> int | None:
    """Tokens of the messages as they are now (an edit changes them before any re-score)."""
    from curator.core.tokens import message_token_table

    table = message_token_table(frame.get_column(R.MESSAGES), frame.get_column(R.ID))
    return int(table.get_column("tokens")[0]) if table.height else None


def _snapshot_row(
    ws: Workspace, record_id: str, at: int | None, snapshot: pl.DataFrame | None
) -> dict[str, Any] | None:
    """The imported record at position ``at`` of the snapshot, if it is ``record_id``
    (direct slices: no scan, no query engine)."""
    recs = ws.records() if snapshot is None else snapshot
    if (
        at is None
        or not 0 <= at < recs.height
        or recs.get_column(R.ID).slice(at, 1).to_list() != [record_id]
    ):
        return None
    return recs.row(at, named=True)


def _fast_detail(
    ws: Workspace,
    record_id: str,
    snap: dict[str, Any],
    row: Mapping[str, Any],
    pii: pl.DataFrame | None,
    count_tokens: bool,
) -> dict[str, Any]:
    """record_detail for a face that knows the record's snapshot position and frame
    row: the same dict, from the snapshot row and one SQLite point query, in plain
    Python, so a review pane never waits for the query engine (a worker may own it)."""
    from curator.core import tokens

    st = ws.state_of(record_id).rows(named=True)
    state = st[0] if st else {}
    edited_json, edited_rej = state.get("edited_messages"), state.get("edited_rejected")
    original: list[dict[str, Any]] = snap[R.MESSAGES] or []
    messages = _decoded_messages(edited_json) if edited_json is not None else original
    found = (
        _rows_of(pii, record_id)
        if pii is not None
        else _one(ws.result_path("pii_findings"), record_id)
    )
    language = row.get(LANGUAGE)
    if language is None and LANGUAGE not in row:
        language = _score(ws, "scores_language", LANGUAGE, record_id)
    if count_tokens or tokens.encoding_ready():
        n_tokens: int | None = tokens.conversation_tokens(messages)
    else:  # the BPE is still loading: the scored count until the next look
        n_tokens = row.get(TOKENS)
    out: dict[str, Any] = {
        R.ID: record_id,
        R.SOURCE: snap[R.SOURCE],
        R.LOCATOR: snap[R.LOCATOR],
        R.STATUS: state.get(R.STATUS) or R.PENDING,
        R.REASON: state.get(R.REASON),
        R.EDITED: edited_json is not None or edited_rej is not None,
        R.MESSAGES: messages,
        "original_messages": original,
        R.META: json.loads(snap[R.META]) if snap[R.META] else {},
        R.REPAIRS: snap[R.REPAIRS],
        R.FLAGS: sorted(
            row.get(R.FLAGS) or [], key=lambda f: (f["severity"] != R.BLOCK, f["name"])
        ),
        R.CLUSTER_ID: row.get(R.CLUSTER_ID),
        R.DUPLICATE_OF: row.get(R.DUPLICATE_OF),
        R.SIMILARITY: row.get(R.SIMILARITY),
        LANGUAGE: language,
        TOKENS: n_tokens,
        PII: found.drop(R.ID).to_dicts() if found is not None and found.height else [],
    }
    if R.REJECTED_ANSWER in snap:
        imported = snap[R.REJECTED_ANSWER]
        out[R.REJECTED_ANSWER] = (
            _decoded_message(edited_rej) if edited_rej is not None else imported
        )
        out["original_rejected"] = imported
    return out


def _decoded_messages(text: str) -> list[dict[str, Any]]:
    """Stored messages JSON in MESSAGE_DTYPE's shape (every field, in order)."""
    return [_decoded_message(m) for m in json.loads(text)]


def _decoded_message(msg: Any) -> dict[str, Any]:
    m = json.loads(msg) if isinstance(msg, str) else msg
    return {k: m.get(k) for k in R.MESSAGE_DTYPE.to_schema()}


def record_detail(
    ws: Workspace,
    record_id: str,
    *,
    row: Mapping[str, Any] | None = None,
    pii: pl.DataFrame | None = None,
    history: bool = True,
    at: int | None = None,
    count_tokens: bool = True,
    snapshot: pl.DataFrame | None = None,
) -> dict[str, Any]:
    """Everything about one record: source, current state, effective and original
    messages, flags (blocking first), duplicate cluster, repairs, PII findings,
    language, tokens of the current messages and (``history``) its journal.

    A face holding the workspace frame in memory passes its ``row`` (flags, cluster
    and language columns, current since its last load) and the PII findings table;
    review state and messages are always read from the workspace. With ``at``, the
    record's position in ``ws.records()`` (checked), and ``row``, no scan is needed;
    ``snapshot``: ``ws.records()`` or its head as the face already holds it (a face
    must not read a million records on its UI thread).
    ``count_tokens=False``: if the BPE is not loaded yet, ``row``'s scored tokens."""
    if row is not None and not history:
        snap_row = _snapshot_row(ws, record_id, at, snapshot)
        if snap_row is not None:
            return _fast_detail(ws, record_id, snap_row, row, pii, count_tokens)
    snap = ws.records().filter(pl.col(R.ID) == record_id)
    if snap.height == 0:
        raise WorkspaceError(
            f"No record {record_id} in {ws.path}. Find ids with `curator query -w WS`."
        )
    if row is None:
        flags, clusters = _flags(ws, record_id), _clusters(ws, record_id)
    else:
        flags, clusters = (
            pl.DataFrame(schema=R.FLAGS_SCHEMA),
            pl.DataFrame(schema=R.CLUSTERS_SCHEMA),
        )
    frame = build_frame(snap, ws.state_of(record_id), flags, clusters)
    cur = frame.row(0, named=True)
    if row is not None:
        cur.update(
            {c: row[c] for c in (R.FLAGS, R.CLUSTER_ID, R.DUPLICATE_OF, R.SIMILARITY) if c in row}
        )
    original: list[dict[str, Any]] = snap.get_column(R.MESSAGES)[0].to_list()
    found = (
        pii.filter(pl.col(R.ID) == record_id)
        if pii is not None
        else _one(ws.result_path("pii_findings"), record_id)
    )
    language = row.get(LANGUAGE) if row is not None and LANGUAGE in row else None
    if language is None:
        language = _score(ws, "scores_language", LANGUAGE, record_id)
    out: dict[str, Any] = {
        R.ID: cur[R.ID],
        R.SOURCE: cur[R.SOURCE],
        R.LOCATOR: cur[R.LOCATOR],
        R.STATUS: cur[R.STATUS],
        R.REASON: cur[R.REASON],
        R.EDITED: bool(cur[R.EDITED]),
        R.MESSAGES: cur[R.MESSAGES],
        "original_messages": original,
        R.META: json.loads(cur[R.META]) if cur[R.META] else {},
        R.REPAIRS: cur[R.REPAIRS],
        R.FLAGS: sorted(cur[R.FLAGS] or [], key=lambda f: (f["severity"] != R.BLOCK, f["name"])),
        R.CLUSTER_ID: cur[R.CLUSTER_ID],
        R.DUPLICATE_OF: cur[R.DUPLICATE_OF],
        R.SIMILARITY: cur[R.SIMILARITY],
        LANGUAGE: language,
        TOKENS: _tokens(record_id, frame),
        PII: found.drop(R.ID).to_dicts() if found is not None and found.height else [],
    }
    if R.REJECTED_ANSWER in cur:  # a preference pair: the dispreferred answer
        out[R.REJECTED_ANSWER] = cur[R.REJECTED_ANSWER]
        out["original_rejected"] = snap.get_column(R.REJECTED_ANSWER)[0]  # as imported
    if history:
        out["history"] = review.history(ws, record_id)
    return out


def blocking_flags(detail: dict[str, Any]) -> list[dict[str, Any]]:
    """The record's flags that keep it out of an export unless a reviewer approves it."""
    return [f for f in detail.get(R.FLAGS) or [] if f.get("severity") == R.BLOCK]
