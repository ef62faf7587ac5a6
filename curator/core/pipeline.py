"""The `curator run` job: dedup, then every enabled filter, then thresholds.

One generator for both faces (CLI bar, GUI worker). Step names in Progress:
"dedup" (the dedup job's own steps pass through), "reading records", one per
filter ("structure", "length", "language", ...), and "flags". Each stage
writes its results only when it finishes, so cancelling keeps the previous
results of any stage not yet completed.
"""

from __future__ import annotations

import time
from typing import Any

from curator.core.engine import Engine
from curator.core.filters import Recipe, apply_thresholds, score_job
from curator.core.jobs import Job, Progress
from curator.core.locks import workspace_lock
from curator.core.query import records_per_flag
from curator.core.workspace import Workspace


def _dedup_job_factory() -> Any | None:
    try:
        from curator.core.dedup import dedup_job  # type: ignore[attr-defined]
    except ImportError:
        try:
            from curator.core.dedup.job import dedup_job
        except ImportError:
            return None
    return dedup_job


def pipeline_job(
    ws: Workspace, recipe: Recipe | None = None, engine: Engine | None = None
) -> Job[dict[str, Any]]:
    """Run the recipe. Returns {"steps": [...], "flags": {name: records} (every
    producer's flags, dedup's included), "records": n, "seconds": t}."""
    recipe = recipe or Recipe.from_workspace(ws)
    from curator.core.integrity import clean_residue

    # The import/run lock: no import publishes a part while the run reads and scores
    # (dedup and every filter see the same records); a second run or import is refused.
    with workspace_lock(ws.path, "a run"):
        clean_residue(ws)  # temp files of a killed run or import (live processes' are kept)
        rebuild, ws.rebuild_damaged = ws.rebuild_damaged, True  # results are derived: rebuild
        try:
            return (yield from _pipeline(ws, recipe, engine))
        finally:
            ws.rebuild_damaged = rebuild


def _pipeline(ws: Workspace, recipe: Recipe, engine: Engine | None) -> Job[dict[str, Any]]:
    started = time.monotonic()
    steps: list[dict[str, Any]] = []
    settings = recipe.dedup_settings(ws)
    dedup_job = _dedup_job_factory()
    if settings is not None and dedup_job is not None:
        t0 = time.monotonic()
        result = yield from dedup_job(ws, settings, engine=engine)
        steps.append(
            {"step": "dedup", "seconds": round(time.monotonic() - t0, 2), **_summary(result)}
        )
    elif settings is not None:
        steps.append({"step": "dedup", "skipped": "the dedup module is not available"})
    t0 = time.monotonic()
    scored = yield from score_job(ws, recipe, engine)
    for name, counts in scored.items():
        steps.append({"step": name, **counts})
    yield Progress("flags", 0, None)
    apply_thresholds(ws, recipe)
    yield Progress("flags", 1, 1)
    flags = flag_counts(ws)
    steps.append({"step": "flags", "seconds": round(time.monotonic() - t0, 2)})
    out = {
        "steps": steps,
        "flags": flags,
        "records": ws.record_count(),
        "seconds": round(time.monotonic() - started, 2),
    }
    if ws.rebuilt:
        out["rebuilt"] = sorted(set(ws.rebuilt))  # damaged results files found and rebuilt
    ws.log_run("run", {"recipe": recipe.to_dict()}, out)
    return out


def flag_counts(ws: Workspace) -> dict[str, int]:
    """Records per flag name, every producer (filters and dedup)."""
    return records_per_flag(ws.flags())


def _summary(result: Any) -> dict[str, Any]:
    """A JSON-friendly view of whatever the dedup job returns."""
    if result is None:
        return {}
    if isinstance(result, dict):
        return {k: v for k, v in result.items() if isinstance(v, int | float | str | bool)}
    if hasattr(result, "__dataclass_fields__"):
        return {
            k: getattr(result, k)
            for k in result.__dataclass_fields__
            if isinstance(getattr(result, k), int | float | str | bool)
        }
    return {"result": str(result)}
