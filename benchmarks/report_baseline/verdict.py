"""The verdict: not_ready if anything blocks, limited_data for too little or
changing data, ready otherwise — with the message and next steps READINESS.md asks for."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Literal

from .checks_data import volume_band
from .model import LEVEL_ORDER, Check, Context, pct, plural

Verdict = Literal["ready", "limited_data", "not_ready"]
VERDICTS: tuple[Verdict, ...] = ("ready", "limited_data", "not_ready")
LABELS: dict[str, str] = {
    "ready": "Ready",
    "limited_data": "Limited data",
    "not_ready": "Not ready",
}


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


def baseline_command(workspace: str) -> str:
    """The command that writes the prompt/RAG baseline kit for ``workspace``."""
    return shlex.join(["curator", "baseline", "-w", workspace, "-o", "baseline/"])


def baseline_step(workspace: str) -> str:
    return (
        f"Try the cheaper road first: `{baseline_command(workspace)}` writes a held-out eval set, a few-shot "
        "prompt and retrieval passages of the facts that change, to compare a fine-tune against."
    )


def wants_baseline(verdict: str, checks: list[Check]) -> bool:
    """The kit is suggested when the data is limited or states facts that change."""
    return verdict == "limited_data" or any(
        c.id == "volatility" and c.level == "warn" for c in checks
    )


def decide(ctx: Context, checks: list[Check]) -> Decision:
    """The verdict; its message names the reason in its first words; the prompt/RAG
    baseline kit joins the next steps when the data is limited or volatile."""
    d = _decide(ctx, checks)
    if not wants_baseline(d.verdict, checks):
        return d
    return Decision(
        d.verdict, d.message, d.reasons, [*d.next_steps, baseline_step(str(ctx.ws.path))]
    )


def _decide(ctx: Context, checks: list[Check]) -> Decision:
    by_id = {c.id: c for c in checks}
    blocks = [c for c in checks if c.level == "block"]
    warns = [c for c in checks if c.level == "warn"]
    n = ctx.n_good
    nothing_approved = n == 0 and ctx.include == "approved" and ctx.waiting > 0
    if nothing_approved or blocks:
        what = [
            f"{c.title.lower()} ({c.message.rstrip('.')})"
            for c in blocks
            if not (nothing_approved and c.id == "volume")
        ]
        if nothing_approved:
            what.insert(0, f"nothing is approved yet (0 approved, {ctx.waiting:,} passing)")
        return Decision(
            "not_ready",
            f"Not ready: {'; '.join(what)}.",
            [c.id for c in blocks] or ["volume"],
            _steps(checks),
        )
    vol = by_id.get("volatility")
    volatile = vol is not None and vol.level == "warn"
    preview = "If the passing records were approved: " if ctx.preview else ""
    if n < ctx.th.volume_ok or volatile:
        reasons = []
        if n >= ctx.th.volume_ok and vol is not None:  # enough examples: volatility alone
            share = pct(float(vol.value or 0))
            msg = (
                f"Enough examples ({n:,} good), but {share} state facts that change: "
                "facts that change belong in retrieval (RAG), not in weights."
            )
            return Decision(
                "limited_data",
                preview + (msg[0].lower() + msg[1:] if preview else msg),
                ["volatility"],
                _steps(checks),
            )
        parts = [f"{plural(n, 'good example')}: {volume_band(n, ctx)}"]
        reasons.append("volume")
        if volatile and vol is not None:
            parts.append(
                f"and {pct(float(vol.value or 0))} state facts that change, which belong in retrieval (RAG), "
                "not in weights"
            )
            reasons.append("volatility")
        msg = "; ".join(parts)
        msg = msg + "." if preview else msg[0].upper() + msg[1:] + "."
        return Decision("limited_data", preview + msg, reasons, _steps(checks))
    msg = f"{'ready' if preview else 'Ready'}: {plural(n, 'good example')} and nothing blocks."
    if warns:
        msg += (
            " Warnings: "
            + "; ".join(f"{c.title.lower()} ({c.message.rstrip('.')})" for c in warns)
            + "."
        )
    steps = _steps(checks) or ["Export with `curator export --split 0.1` and start a training run."]
    return Decision("ready", preview + msg, [c.id for c in warns], steps)
