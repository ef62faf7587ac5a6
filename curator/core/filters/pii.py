"""PII, contact details and secrets: findings with message, span, then flags.

A vectorised Polars pre-filter picks the messages (and tool-call arguments)
that could hold anything; only those (each distinct text once) go through the
Python regexes and validators. Overlapping findings keep the most specific one
(a secret beats an email found inside it; a card beats a phone number). Then
``context.classify`` decides, over the findings frame, which phone numbers,
emails, addresses and postcodes are someone's own (``pii.*``) and which are a
business's or place's published details (``contact.*``: counted apart, severity
info, never called personal data and never redacted).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

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
from curator.core.filters.context import (
    ASK,
    ASKS_NAME,
    ASKS_PERSONAL,
    CONTACT,
    CONTEXTUAL,
    classify,
    cue_before,
)
from curator.core.filters.detectors import PII_DETECTORS, Detector
from curator.core.filters.national_ids import NATIONAL_ID_DETECTORS
from curator.core.filters.personal import PERSONAL_DETECTORS
from curator.core.filters.secrets import SECRET_DETECTORS
from curator.core.jobs import Progress

# Secrets first: earlier detectors win overlaps.
DETECTORS: tuple[Detector, ...] = (
    SECRET_DETECTORS + NATIONAL_ID_DETECTORS + PII_DETECTORS + PERSONAL_DETECTORS
)
LABELS: dict[str, str] = {
    d.name: d.label.replace("AWS secret access key", "AWS access key") for d in reversed(DETECTORS)
}
LABELS |= {
    "contact.phone": "business or public phone number",
    "contact.email": "business or public email address",
    "contact.address": "street address of a business or place",
    "contact.postcode": "postcode of a business or place",
}
PLURALS: dict[str, str] = {
    "contact.phone": "business or public phone numbers",
    "contact.email": "business or public email addresses",
    "contact.address": "street addresses of businesses or places",
    "contact.postcode": "postcodes of businesses or places",
    "pii.dob": "dates of birth",
    "secret.password_in_url": "passwords inside URLs",
    "secret.api_key": "API keys or tokens",
}
PLACEHOLDERS: dict[str, str] = {d.name: d.placeholder for d in DETECTORS}

# Each detector's gate is a cheap Rust regex that every text its pattern can match also
# matches; texts passing none are never looked at in Python, and a text is searched only
# with the detectors whose gate it passes.
GATES: tuple[str, ...] = tuple(dict.fromkeys(d.gate for d in DETECTORS))
_GATE_OF: tuple[int, ...] = tuple(GATES.index(d.gate) for d in DETECTORS)
# A reply that is only a name is looked at only right after a message asking for it.
_PREFILTER = "|".join(f"(?:{d.gate})" for d in dict.fromkeys(DETECTORS) if not d.needs_ask)

FINDINGS_SCHEMA = pl.Schema(
    {
        R.ID: pl.String,
        "turn": pl.Int32,
        "role": pl.String,
        "field": pl.String,  # "content" or "tool_calls" (the JSON arguments)
        "start": pl.Int64,
        "end": pl.Int64,
        "name": pl.String,
        "text": pl.String,
        "masked": pl.String,
        "tag": pl.String,  # redaction placeholder stem, e.g. "EMAIL", "USER"
    }
)
_FOUND_SCHEMA = {
    "content": pl.String,
    "start": pl.Int64,
    "end": pl.Int64,
    "name": pl.String,
    "text": pl.String,
    "masked": pl.String,
    "tag": pl.String,
    "cue": pl.String,
}


def candidates(
    text: str, detectors: tuple[Detector, ...] | list[Detector] = DETECTORS
) -> list[tuple[int, int, str, str, str, str, str]]:
    """(start, end, name, text, masked, tag, cue) for every validated finding, no overlaps.

    ``cue`` is what the words before a contextual finding say about its owner;
    ``detectors`` (in DETECTORS order) are the ones worth running on this text."""
    taken: list[tuple[int, int]] = []
    out: list[tuple[int, int, str, str, str, str, str]] = []
    for det in detectors:
        for m in det.pattern.finditer(text):
            if not det.validate(m, text):
                continue
            s, e = det.span(m)
            if s == e or any(s < te and ts < e for ts, te in taken):
                continue
            taken.append((s, e))
            value = text[s:e]
            cue = ASK if det.needs_ask else (cue_before(text, s) if det.name in CONTEXTUAL else "")
            out.append((s, e, det.name, value, det.mask(value), det.placeholder, cue))
    out.sort()
    return out


def scan_text(text: str, role: str = "user") -> list[tuple[int, int, str, str, str]]:
    """(start, end, name, text, masked) for one message said by ``role``."""
    found = candidates(text)
    if not found:
        return []
    frame = pl.DataFrame(
        [(f"{i}", role, n, v, c) for i, (_s, _e, n, v, _m, _t, c) in enumerate(found)],
        schema={
            R.ID: pl.String,
            "role": pl.String,
            "name": pl.String,
            "text": pl.String,
            "cue": pl.String,
        },
        orient="row",
    )
    kept = dict(classify(frame).select(R.ID, "name").iter_rows())
    return [
        (s, e, kept[f"{i}"], v, m)
        for i, (s, e, _n, v, m, _t, _c) in enumerate(found)
        if f"{i}" in kept
    ]


def message_parts(msgs: pl.DataFrame) -> pl.DataFrame:
    """id, turn, role, field, content: each message's text and its tool-call arguments."""
    content = msgs.select(R.ID, "turn", "role", pl.lit("content").alias("field"), "content")
    if "tool_calls" not in msgs.columns:
        return content
    calls = msgs.filter(pl.col("tool_calls").is_not_null()).select(
        R.ID,
        "turn",
        "role",
        pl.lit("tool_calls").alias("field"),
        pl.col("tool_calls").alias("content"),
    )
    return pl.concat([content, calls])


def explode_parts(df: pl.DataFrame) -> pl.DataFrame:
    """One row per message (id, turn, role, content, tool_calls) of a records frame."""
    return explode_messages(df, tool_calls=True)


def scan_messages(msgs: pl.DataFrame) -> pl.DataFrame:
    """Findings for messages (id, turn, role, content[, tool_calls]) in FINDINGS_SCHEMA."""
    parts = message_parts(msgs)
    asked = (
        parts.filter(
            (pl.col("field") == "content")
            & (pl.col("role") != "user")
            & pl.col("content").str.contains(ASKS_PERSONAL)
        )
        .select(R.ID, "turn")
        .unique()
    )
    asked_name = (
        parts.filter(
            (pl.col("field") == "content")
            & (pl.col("role") != "user")
            & pl.col("content").str.contains(ASKS_NAME)
        )
        .select(R.ID, "turn")
        .unique()
    )
    marks = asked_name.select(
        R.ID, (pl.col("turn") + 1).cast(pl.Int32).alias("turn"), pl.lit(True).alias("after_ask")
    )
    parts = parts.join(marks, on=[R.ID, "turn"], how="left").with_columns(
        pl.col("after_ask").fill_null(False)
    )
    cand = parts.filter(pl.col("content").str.contains(_PREFILTER) | pl.col("after_ask"))
    texts = cand.group_by("content").agg(pl.col("after_ask").any())
    texts = texts.with_columns(
        pl.col("content").str.contains(g).alias(f"g{i}") for i, g in enumerate(GATES)
    )
    rows: list[tuple[str, int, int, str, str, str, str, str]] = []
    active_for: dict[tuple[bool, ...], list[Detector]] = {}
    for text, after_ask, *passed in texts.iter_rows():
        key = (after_ask, *passed)
        active = active_for.get(key)
        if active is None:
            active = [
                d
                for d, g in zip(DETECTORS, _GATE_OF, strict=True)
                if passed[g] and (after_ask or not d.needs_ask)
            ]
            active_for[key] = active
        rows.extend((text, *f) for f in candidates(text, active))
    found = pl.DataFrame(rows, schema=_FOUND_SCHEMA, orient="row")
    out = cand.join(found, on="content", how="inner").sort(R.ID, "turn", "field", "start")
    out = classify(out.select(*FINDINGS_SCHEMA.names(), "cue"), asked, asked_name)
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
    sorted_by: ClassVar[dict[str, tuple[str, ...]]] = {
        "pii_findings": (R.ID, "turn", "field", "start")  # as scan_messages sorts them
    }
    code_modules = (
        "curator.core.filters.detectors",
        "curator.core.filters.secrets",
        "curator.core.filters.personal",
        "curator.core.filters.context",
        "curator.core.filters.national_ids",
    )

    def score(self, df: pl.DataFrame, params: Any) -> ScoreJob:
        yield Progress("pii", 0, df.height, "scanning")
        findings = scan_messages(explode_parts(df))
        counts = findings.group_by(R.ID).agg(
            pl.col("name").str.starts_with("pii.").sum().cast(pl.Int64).alias("pii_count"),
            pl.col("name").str.starts_with("secret.").sum().cast(pl.Int64).alias("secret_count"),
            pl.col("name").str.starts_with("contact.").sum().cast(pl.Int64).alias("contact_count"),
        )
        scores = (
            df.select(R.ID)
            .join(counts, on=R.ID, how="left", maintain_order="left")
            .with_columns(pl.col("pii_count", "secret_count", "contact_count").fill_null(0))
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
                "plural": [PLURALS.get(k, _plural(v)) for k, v in LABELS.items()],
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
            .when(pl.col("name").str.starts_with(CONTACT + "."))
            .then(pl.lit(R.INFO))
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
