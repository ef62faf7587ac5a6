"""The verdict: not_ready if anything blocks, limited_data for too little or
changing data, ready otherwise — with the message and next steps READINESS.md asks for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from curator.core.readiness.checks_data import volume_band
from curator.core.readiness.model import LEVEL_ORDER, Check, Context

Verdict = Literal["ready", "limited_data", "not_ready"]
VERDICTS: tuple[Verdict, ...] = ("ready", "limited_data", "not_ready")
LABELS: dict[str, str] = {"ready": "Ready", "limited_data": "Limited data", "not_ready": "Not ready"}


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    message: str
    reasons: list[str]  # check ids behind the verdict
    next_steps: list[str]


def _steps(checks: list[Check]) -> list[str]:
    """Next steps, most severe first; checks sharing a step are named together."""
    ranked = sorted(
        (c for c in checks if c.level in ("block", "warn")), key=lambda c: LEVEL_ORDER[c.level]
    )
    titles: dict[str, list[str]] = {}
    for c in ranked:
        titles.setdefault(c.next_step, []).append(c.title)
    return [f"{', '.join(names)}: {step}" for step, names in titles.items()]


def decide(ctx: Context, checks: list[Check]) -> Decision:
    by_id = {c.id: c for c in checks}
    blocks = [c for c in checks if c.level == "block"]
    warns = [c for c in checks if c.level == "warn"]
    n = ctx.n_good
    if blocks:
        what = "; ".join(f"{c.title.lower()} ({c.message.rstrip('.')})" for c in blocks)
        return Decision(
            "not_ready", f"Not ready: {what}.", [c.id for c in blocks], _steps(checks)
        )
    volatile = by_id.get("volatility") is not None and by_id["volatility"].level == "warn"
    if n < ctx.th.volume_ok or volatile:
        parts = []
        reasons = []
        if n < ctx.th.volume_ok:
            parts.append(f"{n:,} good examples: {volume_band(n, ctx)}")
            reasons.append("volume")
        if volatile:
            parts.append("facts that change belong in retrieval (RAG), not in weights")
            reasons.append("volatility")
        return Decision("limited_data", "Limited data: " + "; ".join(parts) + ".", reasons, _steps(checks))
    msg = f"Ready: {n:,} good examples and nothing blocks."
    if warns:
        msg += " Warnings: " + "; ".join(f"{c.title.lower()} ({c.message.rstrip('.')})" for c in warns) + "."
    steps = _steps(checks) or ["Export with `curator export --split 0.1` and start a training run."]
    return Decision("ready", msg, [c.id for c in warns], steps)
