"""Forward migrations of the workspace database, applied on open.

``MIGRATIONS[v]`` turns a schema-``v`` database into schema ``v + 1``; an older
workspace is upgraded in one transaction, never called damaged. Add a step here
(and bump ``workspace.SCHEMA_VERSION``) for every schema change.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable


def _columns(con: sqlite3.Connection, table: str) -> set[str]:
    return {str(r[1]) for r in con.execute(f"PRAGMA table_info({table})")}


def _v1_journal_who_and_how(con: sqlite3.Connection) -> None:
    """Journal entries record who decided (``reviewer``) and how (``how``: single
    or bulk, ``batch_size`` records in the action). Entries written before this
    existed get reviewer NULL ("unknown") and ``how`` from their batch's size: a
    batch of one record was one record decided, a bigger one was bulk."""
    have = _columns(con, "journal")
    for name, ddl in (("reviewer", "TEXT"), ("how", "TEXT"), ("batch_size", "INTEGER")):
        if name not in have:
            con.execute(f"ALTER TABLE journal ADD COLUMN {name} {ddl}")
    con.execute(
        "UPDATE journal SET batch_size = (SELECT COUNT(*) FROM journal j WHERE j.batch = journal.batch)"
        " WHERE batch_size IS NULL"
    )
    con.execute(
        "UPDATE journal SET how = CASE WHEN batch_size > 1 THEN 'bulk' ELSE 'single' END WHERE how IS NULL"
    )


def _v2_state_rejected(con: sqlite3.Connection) -> None:
    """Preference pairs: ``state.rejected`` holds a pair's edited rejected reply."""
    if "rejected" not in _columns(con, "state"):
        con.execute("ALTER TABLE state ADD COLUMN rejected TEXT")


def _v3_journal_overrode(con: sqlite3.Connection) -> None:
    """An approval of a record with a blocking flag is an explicit override:
    ``journal.overrode`` names the blocking flags the reviewer approved past."""
    if "overrode" not in _columns(con, "journal"):
        con.execute("ALTER TABLE journal ADD COLUMN overrode TEXT")


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _v1_journal_who_and_how,
    2: _v2_state_rejected,
    3: _v3_journal_overrode,
}


def migrate(con: sqlite3.Connection, version: int, target: int) -> None:
    """Run every step from ``version`` up to ``target`` inside the caller's transaction."""
    for v in range(version, target):
        MIGRATIONS[v](con)
