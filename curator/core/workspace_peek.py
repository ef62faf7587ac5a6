"""Facts about a workspace read without opening it (read-only, no migration, no lock).

The start page lists recent workspaces with their size; opening each for writing
would migrate or lock them just to draw a list.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from curator.core.workspace import DB_NAME


def record_count(path: Path) -> int | None:
    """Conversations imported into the workspace at ``path``; None if it can't be read."""
    try:
        con = sqlite3.connect(f"file:{path / DB_NAME}?mode=ro", uri=True, timeout=1)
        try:
            row = con.execute(
                "SELECT COALESCE(SUM(records), 0) FROM imports WHERE finished_at IS NOT NULL"
            ).fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return None
    return int(row[0])
