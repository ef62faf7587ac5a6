"""Refusals and canned boilerplate in assistant replies.

Refusals: a fixed list of phrases assistants use when declining ("As an AI
language model", "I cannot help with that"). Training on many of them teaches
over-refusal (OpenAI's best-practices note). Boilerplate: one macro reply
(normalised: case, whitespace, digits, punctuation) given to many different
user prompts, when the record has no other substantive reply; counts are
computed over the whole workspace in Polars.
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
    r"\bi(?: cannot| can't| can not| won't| will not) (?:comply|fulfil|fulfill|provide that|do that)\b",
    r"\bi(?:'m| am) (?:sorry|afraid),? but i(?: cannot| can't| can not| won't| am unable to|'m unable to|'m not able to) (?:help|assist|provide|comply|do that|answer)\b",
    r"\bi must (?:respectfully )?decline\b",
    r"\bi(?:'m| am) not (?:able|allowed|permitted) to (?:help|assist|provide|discuss) (?:with )?(?:that|this)\b",
    r"\bi don't have (?:personal )?(?:opinions|feelings|the ability to)\b",
)
_REFUSAL_RE = "(?i)(" + "|".join(f"(?:{p})" for p in REFUSAL_PATTERNS).replace("'", "['’]") + ")"
# Normalisation for macro detection: lower case, digits -> 0, drop punctuation, squeeze spaces.
_MIN_MACRO_WORDS = 6


def normalised_reply(expr: pl.Expr) -> pl.Expr:
    return (
        expr.str.to_lowercase()
        .str.replace_all(r"\d+", "0")
        .str.replace_all(r"[^\p{L}\p{N}\s]", "")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


@dataclass(frozen=True)
class RefusalParams:
    macro_min_records: int = 25  # a reply given to this many different prompts is a macro ...
    macro_min_share: float = 0.05  # ... or to this share of all records (and >= 3 prompts)


@register
class RefusalFilter(Filter):
    name = "refusal"
    title = "Refusals & boilerplate"
    Params = RefusalParams
    results = ("scores_refusal",)

    def score(self, df: pl.DataFrame, params: Any) -> ScoreJob:
        yield Progress("refusal", 0, df.height)
        msgs = explode_messages(df)
        first_user = (
            msgs.filter(pl.col("role") == "user")
            .group_by(R.ID)
            .agg(
                pl.col("content")
                .first()
                .str.to_lowercase()
                .str.replace_all(r"\s+", " ")
                .str.strip_chars()
                .hash(seed=7)
                .alias("prompt_key")
            )
        )
        replies = msgs.filter(pl.col("role") == "assistant").with_columns(
            pl.col("content").str.extract(_REFUSAL_RE, 0).alias("phrase"),
            normalised_reply(pl.col("content")).alias("norm"),
        )
        replies = replies.with_columns(
            pl.when(pl.col("norm").str.count_matches(" ") >= _MIN_MACRO_WORDS - 1)
            .then(pl.col("norm").hash(seed=11))
            .otherwise(None)
            .alias("reply_key")
        )
        per = replies.group_by(R.ID).agg(
            pl.col("phrase").drop_nulls().first().alias("refusal_phrase"),
            pl.col("turn").filter(pl.col("phrase").is_not_null()).first().alias("refusal_turn"),
            pl.col("reply_key").drop_nulls().unique().alias("reply_keys"),
        )
        out = (
            df.select(R.ID)
            .join(per, on=R.ID, how="left", maintain_order="left")
            .join(first_user, on=R.ID, how="left", maintain_order="left")
            .with_columns(
                pl.col("refusal_phrase").is_not_null().alias("refusal"),
                pl.col("reply_keys").fill_null(pl.lit([], pl.List(pl.UInt64))),
            )
        )
        yield Progress("refusal", df.height, df.height)
        return {"scores_refusal": out}

    def finalize(self, scores: Scores, params: Any) -> Scores:
        """macro_count: different prompts answered with the record's least shared
        substantive reply, so a record counts as canned only when every reply of six
        or more words is a macro (a stock closing line after a real answer is fine)."""
        s = scores["scores_refusal"].drop("macro_count", "macro_share", "boilerplate", strict=False)
        n = max(s.height, 1)
        pairs = (
            s.select(R.ID, "prompt_key", "reply_keys")
            .explode("reply_keys")
            .drop_nulls("reply_keys")
        )
        counts = pairs.group_by("reply_keys").agg(pl.col("prompt_key").n_unique().alias("c"))
        best = (
            pairs.join(counts, on="reply_keys")
            .group_by(R.ID)
            .agg(pl.col("c").min().alias("macro_count"))
        )
        s = s.join(best, on=R.ID, how="left", maintain_order="left").with_columns(
            pl.col("macro_count").fill_null(0).cast(pl.Int64),
        )
        s = s.with_columns((pl.col("macro_count") / n).alias("macro_share"))
        s = s.with_columns(_is_macro(params).alias("boilerplate"))
        return {**scores, "scores_refusal": s}

    def flag(self, scores: Scores, params: Any, ctx: FilterContext) -> pl.DataFrame:
        s = scores["scores_refusal"]
        ref = make_flags(
            s.filter(pl.col("refusal")),
            "refusal.refusal",
            pl.format(
                "assistant refuses in message {}: '{}'",
                pl.col("refusal_turn") + 1,
                quote(pl.col("refusal_phrase"), 50),
            ),
            R.WARN,
        )
        boiler = make_flags(
            s.filter(_is_macro(params)),
            "refusal.boilerplate",
            pl.format(
                "a canned reply used for {} different prompts ({}% of records)",
                pl.col("macro_count"),
                (pl.col("macro_share") * 100).round(1),
            ),
            R.WARN,
        )
        flags = pl.concat([ref, boiler])
        return flags if flags.height else empty_flags()


def _is_macro(params: Any) -> pl.Expr:
    c = pl.col("macro_count")
    return (c >= 3) & (
        (c >= params.macro_min_records) | (pl.col("macro_share") >= params.macro_min_share)
    )
