"""build_report: the readiness answer for a workspace, as one object."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from curator.core import records as R
from curator.core.readiness.checks import run_checks
from curator.core.readiness.inputs import build_context, read_scores
from curator.core.readiness.model import Check, Context
from curator.core.readiness.settings import Thresholds
from curator.core.readiness.stats import compute_stats, progress_rows
from curator.core.readiness.targets import Target
from curator.core.readiness.verdict import LABELS, baseline_command, decide, wants_baseline
from curator.core.review_actor import decided_one_at_a_time
from curator.core.selection import Include
from curator.core.workspace import Workspace


@dataclass
class Report:
    """The verdict, the counts, every check, the dashboard's statistics."""

    verdict: str
    verdict_message: str
    counts: dict[str, int]
    checks: list[Check]
    next_steps: list[str]
    target: Target
    include: Include
    stats: dict[str, Any]
    thresholds: Thresholds
    workspace: str
    population: str = ""  # what the report is computed on; shown before the verdict
    preview: bool = False  # computed on passing records nobody approved yet
    overrides: dict[str, Any] = field(default_factory=dict)  # approved past a blocking flag
    reasons: list[str] = field(default_factory=list)
    ids_behind: dict[str, pl.Series] = field(default_factory=dict, repr=False)

    @property
    def baseline_kit(self) -> str | None:
        """The `curator baseline` command when the report suggests the kit (limited or volatile data)."""
        return (
            baseline_command(self.workspace) if wants_baseline(self.verdict, self.checks) else None
        )

    @property
    def label(self) -> str:
        return LABELS[self.verdict]

    def check(self, check_id: str) -> Check:
        return next(c for c in self.checks if c.id == check_id)

    def record_ids(self, check_id: str) -> pl.Series:
        """Every record id behind a check's number (empty when none or not tracked).

        volume: the good examples; reviewed: good examples no person approved yet;
        the others: the records the check counts against the data."""
        return self.ids_behind.get(check_id, pl.Series(R.ID, [], dtype=pl.String))

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "verdict_message": self.verdict_message,
            "population": self.population,
            "preview": self.preview,
            "overrides": self.overrides,
            "counts": self.counts,
            "checks": [c.to_json() for c in self.checks],
            "next_steps": self.next_steps,
            "baseline_kit": self.baseline_kit,
            "target": self.target.to_json(),
            "include": self.include,
            "reasons": self.reasons,
            "warnings": [c.id for c in self.checks if c.level == "warn"],
            "blocks": [c.id for c in self.checks if c.level == "block"],
            "stats": self.stats,
            "thresholds": self.thresholds.to_json(),
            "workspace": self.workspace,
        }


def build_report(
    ws: Workspace,
    include: Include = "approved",
    target: str | None = None,
    frame: pl.DataFrame | None = None,
) -> Report:
    """The readiness report. ``frame`` may be a precomputed ``ws.frame()``; without it
    the report builds the frame of only the columns it reads (``inputs.report_frame``).

    The review state, flags, score files and two journal queries are read, and the text
    sample measured, by worker threads while the records are read and measured (Polars,
    Parquet and SQLite release the GIL)."""
    if ws.db().in_transaction:  # other connections would not see what this one wrote
        return _report(ws, include, build_context(ws, include, target, frame))
    with ThreadPoolExecutor(max_workers=3, thread_name_prefix="readiness") as pool:
        # the review state (unless the frame is given) and flags first: the frame waits for them
        prefetched: dict[str, Future[Any]] = {} if frame is not None else {"state": pool.submit(ws.review_state)}
        prefetched |= {
            "flags": pool.submit(ws.flags),
            "scores": pool.submit(read_scores, ws),
            "single": pool.submit(decided_one_at_a_time, ws),
            "progress": pool.submit(progress_rows, ws),
        }
        ctx = build_context(ws, include, target, frame, prefetched, pool)
        return _report(ws, include, ctx)


def _report(ws: Workspace, include: Include, ctx: Context) -> Report:
    checks = run_checks(ctx)
    decision = decide(ctx, checks)
    by_status = dict.fromkeys(R.STATUSES, 0)
    for status, n in ctx.frame.group_by(R.STATUS).len().iter_rows():
        by_status[str(status)] = int(n)
    counts = {"total": ctx.frame.height, **by_status, "good": ctx.n_good}
    return Report(
        verdict=decision.verdict,
        verdict_message=decision.message,
        counts=counts,
        checks=checks,
        next_steps=decision.next_steps,
        target=ctx.target,
        include=include,
        stats=compute_stats(ctx, checks),
        thresholds=ctx.th,
        workspace=str(ws.path),
        reasons=decision.reasons,
        ids_behind=ctx.ids_behind,
        population=ctx.population(),
        preview=ctx.preview,
        overrides=ctx.overrides,
    )
