"""Per-part cache of the message facts (``facts.message_facts``).

A record part is never rewritten, so the facts of its messages never change either:
``results/facts_<part stem>_<key>.parquet`` holds them for one part, in its row order.
``key`` joins ``FACTS_VERSION``, the part's sha256 recorded at import and its size and
modification time, so a changed definition of the facts or a replaced part (restored
from a backup) misses and is measured again. A cache file that cannot be read, or
whose length is not the part's, counts as missing.

What review changes is never cached: the rows a reviewer edited are measured from the
edit on every report. A new import adds a part, and so a cache of its own. The caches
are written by ``curator run`` and by reports on a writable workspace (the app's);
a read-only report (``curator report``) reads them and writes nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

import polars as pl

from curator.core import records as R
from curator.core.readiness.facts import message_facts
from curator.core.workspace import PART_DIGEST, Workspace, atomic_write_parquet

FACTS_VERSION = 1  # bump when message_facts changes what it computes
PREFIX = "facts_"


def _digests(ws: Workspace) -> dict[str, str]:
    rows = (
        ws.db()
        .execute("SELECT key, value FROM settings WHERE key LIKE ?", (f"{PART_DIGEST}%",))
        .fetchall()
    )
    out: dict[str, str] = {}
    for key, value in rows:
        v = str(value).strip('"')
        out[str(key).removeprefix(PART_DIGEST)] = v
    return out


def cache_file(ws: Workspace, part: str, digest: str | None) -> Path | None:
    """Where the facts of ``part`` are cached (None when the part cannot be stat'ed)."""
    try:
        st = (ws.path / "records" / part).stat()
    except OSError:
        return None
    stem = part.removesuffix(".parquet")
    key = f"v{FACTS_VERSION}-{(digest or 'nodigest')[:16]}-{st.st_size}-{st.st_mtime_ns}"
    return ws.result_path(f"{PREFIX}{stem}_{key}")


def _read(path: Path, rows: int) -> pl.DataFrame | None:
    try:
        df = pl.read_parquet(path)
    except Exception:  # missing or unreadable: measured again
        return None
    if (
        df.height != rows
        or df.schema != message_facts(pl.Series([], dtype=R.MESSAGES_DTYPE)).schema
    ):
        return None
    return df


def _write(ws: Workspace, path: Path, stem: str, facts: pl.DataFrame) -> None:
    """Publish the cache; stale caches of the same part go. A workspace that cannot be
    written (read-only media) just goes without."""
    with contextlib.suppress(OSError):
        atomic_write_parquet(facts, path, compression="lz4")
        for old in path.parent.glob(f"{PREFIX}{stem}_*.parquet"):
            if old != path:
                old.unlink(missing_ok=True)


def _parts(ws: Workspace) -> list[tuple[str, int]]:
    """(part, rows) of every record part, in the order ``Workspace.records`` reads them."""
    return [(str(i.part), i.records) for i in ws.imports() if i.part]


def write_missing(ws: Workspace) -> int:
    """Measure and cache the facts of every part without a cache (``curator run`` does
    this after scoring, with the records in memory already); returns how many were
    written. A read-only workspace is left as it is."""
    if ws.readonly:
        return 0
    digests = _digests(ws)
    messages: pl.Series | None = None
    offset, written = 0, 0
    for part, rows in _parts(ws):
        path = cache_file(ws, part, digests.get(part))
        if path is not None and _read(path, rows) is None:
            if messages is None:
                messages = ws.records(columns=[R.MESSAGES]).get_column(R.MESSAGES)
            _write(ws, path, part.removesuffix(".parquet"), message_facts(messages.slice(offset, rows)))
            written += 1
        offset += rows
    return written


def frame_facts(
    ws: Workspace, frame: pl.DataFrame, originals: Callable[[], pl.Series] | None
) -> pl.DataFrame | None:
    """``message_facts(frame[messages])``, the unedited rows from the part caches.

    ``frame`` must hold the workspace's parts' rows in order (as ``Workspace.frame``
    and ``inputs.report_frame`` build it); None when its length says otherwise. A
    part without a cache is measured and cached when the workspace is writable and
    ``originals`` gives the parts' own messages (before any edit); otherwise None
    (a read-only report writes nothing: it measures only what it needs)."""
    parts = _parts(ws)
    if sum(rows for _, rows in parts) != frame.height:
        return None
    digests = _digests(ws)
    pieces: list[pl.DataFrame] = []
    offset = 0
    for part, rows in parts:
        path = cache_file(ws, part, digests.get(part))
        facts = _read(path, rows) if path is not None else None
        if facts is None:
            if originals is None or ws.readonly or path is None:
                return None
            facts = message_facts(originals().slice(offset, rows))
            _write(ws, path, part.removesuffix(".parquet"), facts)
        pieces.append(facts)
        offset += rows
    if not pieces:
        return message_facts(frame.get_column(R.MESSAGES))
    out = pl.concat(pieces, rechunk=True) if len(pieces) > 1 else pieces[0]
    edited = frame.select(pl.arg_where(pl.col(R.EDITED).fill_null(False))).to_series()
    if edited.len() == 0:
        return out
    fresh = message_facts(frame.get_column(R.MESSAGES).gather(edited))
    cols = []
    for name in out.columns:
        s = out.get_column(name).clone()
        s.scatter(edited, fresh.get_column(name))
        cols.append(s)
    return pl.DataFrame(cols)
