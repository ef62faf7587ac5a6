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
    return ws.apply_overrides(pl.concat([p.select(list(R.FLAGS_SCHEMA.names())).cast(R.FLAGS_SCHEMA) for p in parts]))


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


def record_detail(
    ws: Workspace,
    record_id: str,
    *,
    row: Mapping[str, Any] | None = None,
    pii: pl.DataFrame | None = None,
    history: bool = True,
) -> dict[str, Any]:
    """Everything about one record: source, current state, effective and original
    messages, flags (blocking first), duplicate cluster, repairs, PII findings,
    language, tokens of the current messages and (``history``) its journal.

    A face holding the workspace frame in memory passes its ``row`` (flags, cluster
    and language columns, current since its last load) and the PII findings table;
    review state and messages are always read from the workspace."""
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
