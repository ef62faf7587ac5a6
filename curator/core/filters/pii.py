"""PII and secrets: findings with message index and character span, then flags.

A vectorised Polars pre-filter picks the messages that could hold anything;
only those (each distinct text once) go through the Python regexes and
validators. Overlapping findings keep the most specific one (a secret beats
an email found inside it; a card beats a phone number).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from curator.core import records as R
from curator.core.filters.base import (
    Filter,
    FilterContext,
    ScoreJob,
    Scores,
    empty_flags,
    explode_messages,
    register,
)
from curator.core.filters.detectors import PII_DETECTORS, Detector
from curator.core.filters.secrets import SECRET_DETECTORS
from curator.core.jobs import Progress

# Secrets first: earlier detectors win overlaps.
DETECTORS: tuple[Detector, ...] = SECRET_DETECTORS + PII_DETECTORS
LABELS: dict[str, str] = {
    d.name: d.label.replace("AWS secret access key", "AWS access key") for d in reversed(DETECTORS)
}
PLACEHOLDERS: dict[str, str] = {d.name: d.placeholder for d in DETECTORS}

_PREFILTER = (
    r"@|\+\d|\d{3}[ .)\-]+\d{3}|\d{4}[ \-]?\d{4}|\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}"
    r"|[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:|[A-Z]{2}\d{2} ?[A-Z0-9]{4}|\d{3}-\d{2}-\d{4}"
    r"|AKIA|ASIA|ABIA|ACCA|(?i:aws_?secret)|AIza|AccountKey=|(?i:azure)|gh[pousr]_|github_pat_"
    r"|xox[abposr]-|hooks\.slack|sk-|PRIVATE KEY|eyJ|://[^\s/:@]+:[^\s/@]+@"
)

FINDINGS_SCHEMA = pl.Schema(
    {
        R.ID: pl.String,
        "turn": pl.Int32,
        "role": pl.String,
        "start": pl.Int64,
        "end": pl.Int64,
        "name": pl.String,
        "text": pl.String,
        "masked": pl.String,
    }
)


def scan_text(text: str) -> list[tuple[int, int, str, str, str]]:
    """(start, end, name, text, masked) for every validated finding, no overlaps."""
    taken: list[tuple[int, int]] = []
    out: list[tuple[int, int, str, str, str]] = []
    for det in DETECTORS:
        for m in det.pattern.finditer(text):
            if not det.validate(m, text):
                continue
            s, e = m.span(det.group)
            if any(s < te and ts < e for ts, te in taken):
                continue
            taken.append((s, e))
            value = text[s:e]
            out.append((s, e, det.name, value, det.mask(value)))
    out.sort()
    return out


def scan_messages(msgs: pl.DataFrame) -> pl.DataFrame:
    """Findings for messages (id, turn, role, content) in FINDINGS_SCHEMA."""
    cand = msgs.filter(pl.col("content").str.contains(_PREFILTER))
    texts = cand.get_column("content").unique().to_list()
    rows: list[tuple[str, int, int, str, str, str]] = []
    for t in texts:
        rows.extend((t, *f) for f in scan_text(t))
    found = pl.DataFrame(
        rows,
        schema={
            "content": pl.String,
            "start": pl.Int64,
            "end": pl.Int64,
            "name": pl.String,
            "text": pl.String,
            "masked": pl.String,
        },
        orient="row",
    )
    out = cand.join(found, on="content", how="inner").sort(R.ID, "turn", "start")
    return out.select(list(FINDINGS_SCHEMA.names())).cast(FINDINGS_SCHEMA)


@dataclass(frozen=True)
class PiiParams:
    """Thresholds: which finding kinds to flag and which values are fine."""

    ignore: list[str] = field(default_factory=list)  # flag names not to raise, e.g. ["pii.ip"]
    allowlist: list[str] = field(default_factory=list)  # exact values that are fine
    allow_domains: list[str] = field(default_factory=list)  # e.g. your own support address domain


@register
class PiiFilter(Filter):
    name = "pii"
    title = "PII & secrets"
    Params = PiiParams
    results = ("scores_pii", "pii_findings")
    code_modules = ("curator.core.filters.detectors", "curator.core.filters.secrets")

    def score(self, df: pl.DataFrame, params: Any) -> ScoreJob:
        yield Progress("pii", 0, df.height, "scanning")
        findings = scan_messages(explode_messages(df))
        counts = findings.group_by(R.ID).agg(
            pl.col("name").str.starts_with("pii.").sum().cast(pl.Int64).alias("pii_count"),
            pl.col("name").str.starts_with("secret.").sum().cast(pl.Int64).alias("secret_count"),
        )
        scores = (
            df.select(R.ID)
            .join(counts, on=R.ID, how="left", maintain_order="left")
            .with_columns(pl.col("pii_count", "secret_count").fill_null(0))
        )
        yield Progress("pii", df.height, df.height)
        return {"scores_pii": scores, "pii_findings": findings}

    def flag(self, scores: Scores, params: Any, ctx: FilterContext) -> pl.DataFrame:
        f = scores["pii_findings"]
        f = kept_findings(f, params)
        if f.height == 0:
            return empty_flags()
        labels = pl.DataFrame(
            {
                "name": list(LABELS),
                "label": list(LABELS.values()),
                "plural": [_plural(v) for v in LABELS.values()],
            }
        )
        per = (
            f.group_by(R.ID, "name", maintain_order=True)
            .agg(
                pl.len().alias("n"),
                (pl.col("turn") + 1).unique(maintain_order=True).cast(pl.String).alias("turns"),
                pl.col("masked").first(),
            )
            .join(labels, on="name", how="left")
        )
        turns = pl.col("turns").list.head(5).list.join(", ")
        reason = (
            pl.when(pl.col("n") == 1)
            .then(pl.format("{} in message {} ({})", pl.col("label"), turns, pl.col("masked")))
            .when(pl.col("turns").list.len() == 1)
            .then(
                pl.format(
                    "{} {} in message {} ({}, …)",
                    pl.col("n"),
                    pl.col("plural"),
                    turns,
                    pl.col("masked"),
                )
            )
            .otherwise(
                pl.format(
                    "{} {} in messages {} ({}, …)",
                    pl.col("n"),
                    pl.col("plural"),
                    turns,
                    pl.col("masked"),
                )
            )
        )
        return per.select(
            R.ID,
            "name",
            reason.alias("reason"),
            pl.when(pl.col("name").str.starts_with("secret."))
            .then(pl.lit(R.BLOCK))
            .otherwise(pl.lit(R.WARN))
            .alias("severity"),
        )


def _plural(label: str) -> str:
    return label + ("es" if label.endswith("s") else "s")


def kept_findings(f: pl.DataFrame, params: Any) -> pl.DataFrame:
    """Findings that survive the recipe's ignore/allow lists."""
    if params.ignore:
        f = f.filter(~pl.col("name").is_in(params.ignore))
    if params.allowlist:
        f = f.filter(~pl.col("text").is_in(params.allowlist))
    if params.allow_domains:
        domains = [d.lower().lstrip("@") for d in params.allow_domains]
        dom = pl.col("text").str.to_lowercase().str.split("@").list.last()
        f = f.filter(~((pl.col("name") == "pii.email") & dom.is_in(domains)))
    return f
