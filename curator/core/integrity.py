"""Workspace integrity: find damaged parts, name what to re-import, quarantine them.

The rules (docs/ARCHITECTURE.md, "Workspace integrity"): a workspace opens only
with a database that carries Curator's schema version; record parts are never
overwritten; results are derived and rebuilt by ``run``; a damaged record part
is named with its source file, and ``repair`` moves it to ``quarantine/`` and
turns its import into a failed one, so re-importing that source brings the
records back and the rest of the workspace stays usable.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

import polars as pl

from curator.core.workspace import DB_NAME, PART_DIGEST, Workspace, WorkspaceDamaged, part_digest

QUARANTINE_DIR: Final = "quarantine"
DAMAGED_LOCATOR: Final = "whole file"


@dataclass(frozen=True)
class Problem:
    """One thing ``check`` found: what kind, which file, detail, and the fix."""

    kind: str  # damaged_part | damaged_result | damaged_database | orphan_part | residue
    path: str
    detail: str
    fix: str
    source: str | None = None  # the source file to re-import (damaged record parts)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _part_source(ws: Workspace, part: str) -> tuple[str, int]:
    row = ws.db().execute("SELECT path, records FROM imports WHERE part=?", (part,)).fetchone()
    return (str(row[0]), int(row[1])) if row else ("an unknown source", 0)


def _read_error(path: Path) -> str | None:
    """Why a Parquet file cannot be read in full, or None when it can."""
    try:
        pl.read_parquet(path)
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc)[:200]}"
    return None


def damaged_part_error(ws: Workspace, parts: Sequence[str], exc: BaseException) -> Exception:
    """The error for an unreadable snapshot: which part(s), from which source."""
    if isinstance(exc, OSError) and exc.errno is not None:
        return exc  # disk or permission trouble, not damage: explained as such
    bad = [(p, why) for p in parts if (why := _read_error(ws.path / "records" / p))]
    if not bad:
        return exc if isinstance(exc, Exception) else RuntimeError(str(exc))
    lines = []
    for part, why in bad:
        source, n = _part_source(ws, part)
        lines.append(f"records/{part} ({n:,} records from {source}) cannot be read: {why}")
    sources = ", ".join(dict.fromkeys(_part_source(ws, p)[0] for p, _ in bad))
    return WorkspaceDamaged(
        f"the workspace at {ws.path} has a damaged record part:\n  "
        + "\n  ".join(lines)
        + f"\nRun `curator repair -w {ws.path}` to quarantine it (the rest stays usable), "
        f"then re-import {sources}."
    )


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def residue(ws: Workspace) -> list[Path]:
    """Temp files and staging folders left by a process that was killed."""
    found: list[Path] = []
    for folder in (ws.path, ws.path / "records", ws.path / "results"):
        if not folder.is_dir():
            continue
        for p in folder.iterdir():
            name = p.name
            if name.startswith(".staging-") or (
                name.startswith(".") and name.endswith((".tmp", ".new"))
            ):
                pid = next((int(x) for x in name.split(".") + name.split("-") if x.isdigit()), None)
                if pid is None or not _pid_alive(pid):
                    found.append(p)
    return found


def clean_residue(ws: Workspace) -> list[str]:
    """Remove what :func:`residue` finds; returns the names removed."""
    removed = []
    for p in residue(ws):
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
        removed.append(str(p.relative_to(ws.path)))
    return removed


def check(ws: Workspace) -> list[Problem]:
    """Read everything once and report what is damaged or left over; changes nothing."""
    problems: list[Problem] = []
    db = ws.path / DB_NAME
    try:
        rows = ws.db().execute("PRAGMA integrity_check").fetchall()
        bad = [r[0] for r in rows if r[0] != "ok"]
    except sqlite3.DatabaseError as exc:
        bad = [str(exc)]
    if bad:
        problems.append(
            Problem(
                "damaged_database",
                str(db),
                "; ".join(bad[:5]),
                f"restore {DB_NAME} from a backup; record parts are not affected",
            )
        )
    listed: set[str] = set()
    for imp in ws.imports():
        if not imp.part:
            continue
        listed.add(imp.part)
        path = ws.path / "records" / imp.part
        why = "missing" if not path.exists() else _read_error(path)
        stored = ws.get_setting(f"{PART_DIGEST}{imp.part}")
        if why is None and stored is not None and part_digest(path) != stored:
            why = "its bytes changed since it was written (sha256 differs): damaged on disk"
        if why is None:
            n = pl.scan_parquet(path).select(pl.len()).collect().item()
            if n != imp.records:
                why = f"holds {n:,} records, the database says {imp.records:,}"
        if why:
            problems.append(
                Problem(
                    "damaged_part",
                    str(path),
                    why,
                    f"`curator repair -w {ws.path}` quarantines it; then re-import {imp.path}",
                    source=imp.path,
                )
            )
    for path in sorted((ws.path / "records").glob("import-*.parquet")):
        if path.name not in listed:
            problems.append(
                Problem(
                    "orphan_part",
                    str(path),
                    "not listed in the database (an import stopped before it finished; "
                    "its records were never acknowledged)",
                    f"`curator repair -w {ws.path}` moves it to {QUARANTINE_DIR}/",
                )
            )
    for path in sorted((ws.path / "results").glob("*.parquet")):
        why = _read_error(path)
        if why:
            problems.append(
                Problem(
                    "damaged_result",
                    str(path),
                    why,
                    f"results are derived: `curator run -w {ws.path}` rebuilds it",
                )
            )
    for p in residue(ws):
        problems.append(
            Problem(
                "residue",
                str(p),
                "left by a process that was stopped",
                "`curator repair` removes it",
            )
        )
    return problems


def plan(problems: Sequence[Problem]) -> list[str]:
    """What ``repair`` would do, one sentence per problem (the database is never touched)."""
    out = []
    for p in problems:
        name = Path(p.path).name
        if p.kind == "damaged_part":
            out.append(
                f"move records/{name} to {QUARANTINE_DIR}/ and mark its import failed, so "
                f"`curator import {p.source}` reads it again"
            )
        elif p.kind == "orphan_part":
            out.append(f"move records/{name} to {QUARANTINE_DIR}/ (never part of the workspace)")
        elif p.kind == "damaged_result":
            out.append(f"delete results/{name} (the next `curator run` rebuilds it)")
        elif p.kind == "residue":
            out.append(f"remove {name}")
        elif p.kind == "damaged_database":
            out.append(f"nothing for {DB_NAME}: restore it from a backup")
    return out


def _move_to_quarantine(ws: Workspace, path: Path) -> Path:
    dest_dir = ws.path / QUARANTINE_DIR
    dest_dir.mkdir(exist_ok=True)
    dest = dest_dir / f"{path.name}.{time.strftime('%Y%m%dT%H%M%S')}"
    os.replace(path, dest)
    return dest


def repair(ws: Workspace, problems: Sequence[Problem]) -> list[str]:
    """Carry out :func:`plan`; returns what was done. Take the import lock first."""
    done: list[str] = []
    for p in problems:
        path = Path(p.path)
        if p.kind == "damaged_part":
            if path.exists():
                dest = _move_to_quarantine(ws, path)
                done.append(f"moved {path.name} to {dest.relative_to(ws.path)}")
            _fail_import(ws, path.name, p.detail)
            done.append(f"marked the import of {p.source} failed: re-import it")
        elif p.kind == "orphan_part" and path.exists():
            dest = _move_to_quarantine(ws, path)
            done.append(f"moved {path.name} to {dest.relative_to(ws.path)}")
        elif p.kind == "damaged_result":
            path.unlink(missing_ok=True)
            done.append(f"deleted results/{path.name}")
        elif p.kind == "residue":
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            done.append(f"removed {path.name}")
    if done:
        ws.log_run("repair", {}, {"done": done})
    return done


def _fail_import(ws: Workspace, part: str, why: str) -> None:
    """Turn the import that owns ``part`` into a failed import with a whole-file entry."""
    with ws.transaction() as con:
        row = con.execute(
            "SELECT import_id, source, path FROM imports WHERE part=?", (part,)
        ).fetchone()
        if row is None:
            return
        import_id, source, path = row
        reason = (
            f"its record part {part} was damaged ({why[:200]}) and was quarantined by "
            f"`curator repair`; import {path} again to bring its records back"
        )
        con.execute("DELETE FROM quarantine WHERE import_id=?", (import_id,))
        con.execute("DELETE FROM settings WHERE key=?", (f"{PART_DIGEST}{part}",))
        con.execute(
            "UPDATE imports SET format='failed', part=NULL, records=0, skipped_existing=0,"
            " quarantined=1, options=? WHERE import_id=?",
            (json.dumps({"repaired": part}), import_id),
        )
        con.execute(
            "INSERT INTO quarantine (import_id, source, path, line, locator, reason, raw)"
            " VALUES (?, ?, ?, NULL, ?, ?, NULL)",
            (import_id, source, path, DAMAGED_LOCATOR, reason),
        )
    ws._records_cache = None
