"""Refusals: assistant replies that decline or deflect the request.

A fixed list of phrases assistants use when declining ("As an AI language
model", "I cannot help with that", "I must decline") or deflecting ("I don't
have personal opinions"). Training on many of them teaches over-refusal
(OpenAI's best-practices note). A task failure is not a refusal: "I was unable
to book the table" or "Unfortunately, I can't do that. Shall I try 6:30?" in a
booking dialogue reports an outcome, so bare "can't do that" is not listed.

A reply reused for many prompts is a different finding, with its own name:
``diversity.canned_reply`` (:mod:`curator.core.filters.diversity`).
"""

from __future__ import annotations

from dataclasses import dataclass
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
    make_flags,
    quote,
    register,
)
from curator.core.jobs import Progress

REFUSAL_PATTERNS = (
    r"\bas an ai(?: language)? (?:model|assistant)\b",
    r"\bi(?:'m| am) (?:just )?an ai\b",
    r"\bas an ai,? i (?:cannot|can't|can not|am unable to|am not able to|don't|do not|won't)\b",
    r"\bi(?: cannot| can't| can not| won't| will not| am unable to| am not able to|'m unable to|'m not able to) (?:help|assist) (?:you )?with (?:that|this|your request)\b",
    r"\bi(?: cannot| can't| can not| won't| will not) (?:comply|fulfil|fulfill|provide that)\b",
    r"\bi(?:'m| am) (?:sorry|afraid),? but i(?: cannot| can't| can not| won't| am unable to|'m unable to|'m not able to) (?:help|assist|provide|comply|do that|answer)\b",
    r"\bi must (?:respectfully )?decline\b",
    r"\bi(?:'m| am) not (?:able|allowed|permitted) to (?:help|assist|provide|discuss) (?:with )?(?:that|this)\b",
    r"\bi don't have (?:personal )?(?:opinions|feelings|the ability to)\b",
)
_REFUSAL_RE = "(?i)(" + "|".join(f"(?:{p})" for p in REFUSAL_PATTERNS).replace("'", "['’]") + ")"


@dataclass(frozen=True)
class RefusalParams:
    """No thresholds: a phrase from the list is a refusal."""


@register
class RefusalFilter(Filter):
    name = "refusal"
    title = "Refusals"
    Params = RefusalParams
    results = ("scores_refusal",)

    def score(self, df: pl.DataFrame, params: Any) -> ScoreJob:
        yield Progress("refusal", 0, df.height)
        replies = explode_messages(df).filter(pl.col("role") == "assistant")
        replies = replies.with_columns(
            pl.col("content").str.extract(_REFUSAL_RE, 0).alias("phrase")
        )
        per = replies.group_by(R.ID).agg(
            pl.col("phrase").drop_nulls().first().alias("refusal_phrase"),
            pl.col("turn").filter(pl.col("phrase").is_not_null()).first().alias("refusal_turn"),
        )
        out = (
            df.select(R.ID)
            .join(per, on=R.ID, how="left", maintain_order="left")
            .with_columns(pl.col("refusal_phrase").is_not_null().alias("refusal"))
        )
        yield Progress("refusal", df.height, df.height)
        return {"scores_refusal": out}

    def flag(self, scores: Scores, params: Any, ctx: FilterContext) -> pl.DataFrame:
        s = scores["scores_refusal"]
        flags = make_flags(
            s.filter(pl.col("refusal")),
            "refusal.refusal",
            pl.format(
                "assistant refuses in message {}: '{}'",
                pl.col("refusal_turn") + 1,
                quote(pl.col("refusal_phrase"), 50),
            ),
            R.WARN,
        )
        return flags if flags.height else empty_flags()
