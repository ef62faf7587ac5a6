"""build_report: the readiness answer for a workspace, as one object."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from curator.core import records as R
from curator.core.readiness import metrics as M
from curator.core.readiness.checks import run_checks
from curator.core.readiness.model import Check, Context
from curator.core.readiness.settings import Thresholds, load_thresholds
from curator.core.readiness.stats import compute_stats
from curator.core.readiness.targets import Target, resolve_target
from curator.core.readiness.verdict import LABELS, decide
from curator.core.selection import INCLUDES, Include, exportable, selected_by_status
from curator.core.workspace import Workspace

SCORE_RESULTS = ("scores_length", "scores_language", "scores_refusal", "scores_repetition", "scores_pii")
FLAG_FAMILIES = ("pii", "secret", "repetition", "refusal", "structure", "length")
SCORE_COLUMNS: dict[str, tuple[str, ...]] = {
    "scores_refusal": ("refusal", "boilerplate", "macro_share"),
    "scores_repetition": ("degenerate", "truncated"),
    "scores_pii": ("pii_count", "secret_count"),
}


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
    reasons: list[str] = field(default_factory=list)
    ids_behind: dict[str, pl.Series] = field(default_factory=dict, repr=False)

    @property
    def label(self) -> str:
        return LABELS[self.verdict]

    def check(self, check_id: str) -> Check:
        return next(c for c in self.checks if c.id == check_id)

    def record_ids(self, check_id: str) -> pl.Series:
        """Every record id behind a check's number (empty when none or not tracked)."""
        return self.ids_behind.get(check_id, pl.Series(R.ID, [], dtype=pl.String))

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "verdict_message": self.verdict_message,
            "counts": self.counts,
            "checks": [c.to_json() for c in self.checks],
            "next_steps": self.next_steps,
            "target": self.target.to_json(),
            "include": self.include,
            "reasons": self.reasons,
            "warnings": [c.id for c in self.checks if c.level == "warn"],
            "blocks": [c.id for c in self.checks if c.level == "block"],
            "stats": self.stats,
            "thresholds": self.thresholds.to_json(),
            "workspace": self.workspace,
        }


def _read_scores(ws: Workspace) -> dict[str, pl.DataFrame | None]:
    out: dict[str, pl.DataFrame | None] = {}
    for name in SCORE_RESULTS:
        df = ws.read_result(name)
        out[name] = df if df is not None and R.ID in df.columns else None
    return out


def _families(ws: Workspace) -> set[str]:
    names = ws.flags().get_column("name").drop_nulls().unique()
    return {str(n).split(".", 1)[0] for n in names.to_list()}


def _prepare_good(good: pl.DataFrame, scores: dict[str, pl.DataFrame | None]) -> pl.DataFrame:
    good, _ = M.with_tokens(good, scores["scores_length"])
    good = good.with_columns(*M.role_problems(), *[M.flag_family(f).alias(f"fam_{f}") for f in FLAG_FAMILIES])
    for name, cols in SCORE_COLUMNS.items():
        good = M.join_scores(good, scores[name], cols)
    return good


def _prepare_text(text: pl.DataFrame) -> pl.DataFrame:
    first_user = (
        pl.col(R.MESSAGES)
        .list.eval(pl.element().struct.field("content").filter(pl.element().struct.field("role") == "user"))
        .list.first()
    )
    text = text.with_columns(
        M.role_text("assistant").alias("assistant_text"),
        M.role_text("user").alias("user_text"),
        first_user.alias("first_user"),
    )
    return text.with_columns(*M.volatility_columns(pl.col("assistant_text")))


def build_context(
    ws: Workspace, include: Include = "approved", target: str | None = None, frame: pl.DataFrame | None = None
) -> Context:
    if include not in INCLUDES:
        raise ValueError(f"include must be one of {INCLUDES}, not {include!r}")
    th = load_thresholds(ws)
    tgt = resolve_target(target, default=th.target, cutoff=th.open_source_cutoff)
    df = ws.frame() if frame is None else frame
    scores = _read_scores(ws)
    good = _prepare_good(df.filter(exportable(include)), scores)
    text, sampled = M.text_sample(good, th.text_sample_records)
    return Context(
        ws=ws, include=include, target=tgt, th=th, frame=df,
        selected=df.filter(selected_by_status(include)), good=good,
        text=_prepare_text(text), sampled=sampled, scores=scores,
        clusters=ws.clusters(), families_seen=_families(ws),
    )


def build_report(
    ws: Workspace, include: Include = "approved", target: str | None = None, frame: pl.DataFrame | None = None
) -> Report:
    """The readiness report. ``frame`` may be a precomputed ``ws.frame()``."""
    ctx = build_context(ws, include, target, frame)
    checks = run_checks(ctx)
    decision = decide(ctx, checks)
    by_status = {s: int(ctx.frame.filter(pl.col(R.STATUS) == s).height) for s in R.STATUSES}
    counts = {"total": ctx.frame.height, **by_status, "good": ctx.n_good}
    return Report(
        verdict=decision.verdict, verdict_message=decision.message, counts=counts, checks=checks,
        next_steps=decision.next_steps, target=ctx.target, include=include,
        stats=compute_stats(ctx, checks), thresholds=ctx.th, workspace=str(ws.path),
        reasons=decision.reasons, ids_behind=ctx.ids_behind,
    )
