"""Reviewer choices about clusters, kept in the workspace's SQLite.

``keeper``: this record keeps its cluster (the others are its duplicates).
``break_out``: this record is not a duplicate of anything; it leaves its
cluster. One live choice per record (the latest replaces the earlier one),
each with the time it was made. They are applied on every dedup run and
immediately when made (clusters and flags are rewritten from stored pairs).
"""

from __future__ import annotations

import time

import polars as pl

from curator.core.workspace import Workspace, WorkspaceError

KEEPER = "keeper"
BREAK_OUT = "break_out"

_DDL = """
CREATE TABLE IF NOT EXISTS dedup_overrides (
    record_id TEXT PRIMARY KEY,
    action TEXT NOT NULL CHECK (action IN ('keeper', 'break_out')),
    at REAL NOT NULL
);
"""


def _ensure(ws: Workspace) -> None:
    con = ws.db()
    if con.execute("SELECT 1 FROM sqlite_master WHERE name='dedup_overrides'").fetchone():
        return  # (read-only opens and read transactions must not run DDL)
    if ws.readonly:
        con.execute(
            "CREATE TEMP TABLE IF NOT EXISTS dedup_overrides (record_id TEXT, action TEXT, at REAL)"
        )
        return
    con.executescript(_DDL)


def set_override(ws: Workspace, record_id: str, action: str) -> None:
    if action not in (KEEPER, BREAK_OUT):
        raise WorkspaceError(f"Unknown dedup choice {action!r}.")
    _ensure(ws)
    with ws.transaction() as con:
        con.execute(
            "INSERT INTO dedup_overrides VALUES (?, ?, ?) ON CONFLICT(record_id) DO UPDATE SET"
            " action=excluded.action, at=excluded.at",
            (record_id, action, time.time()),
        )


def remove_override(ws: Workspace, record_id: str) -> bool:
    """Forget the choice made for a record; False when there was none."""
    _ensure(ws)
    with ws.transaction() as con:
        cur = con.execute("DELETE FROM dedup_overrides WHERE record_id=?", (record_id,))
        return cur.rowcount > 0


def overrides(ws: Workspace) -> pl.DataFrame:
    """Live choices: id, action, at (seconds since the epoch)."""
    _ensure(ws)
    rows = ws.db().execute("SELECT record_id, action, at FROM dedup_overrides").fetchall()
    return pl.DataFrame(
        rows, schema={"id": pl.String, "action": pl.String, "at": pl.Float64}, orient="row"
    )
