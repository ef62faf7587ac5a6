"""Language: which language each conversation is in, and whether it mixes two.

Each record gives two texts: the first ``prefix_chars`` of its user turns and
of its assistant turns (code blocks removed; they are not a language). Each
distinct text is detected once (see :mod:`langid`). A side with fewer than
``min_letters`` letters is too short to call ("Thanks!") and counts as
unknown. The record's language is the assistant's (what the model learns to
write), else the user's. Mixed: the two sides are confidently different
languages, or one long side is split between two languages.
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
    make_flags,
    register,
    score_param,
)
from curator.core.filters.langid import LANGUAGE_NAMES, detect_many
from curator.core.jobs import Progress

_FENCE = r"(?s)```.*?(?:```|$)"
_SIDE_CONFIDENT = 0.9  # both sides at least this sure before calling them different
_SPLIT_MIN_LETTERS = 150  # a side split between two languages needs this much text
_SPLIT_RUNNER_UP = 0.28  # langdetect runs 7 trials: at least 2 of them
# Languages langdetect confuses with each other on short texts: never "mixed" within a family.
_FAMILIES = [
    {"no", "da", "sv"},
    {"es", "pt", "ca", "gl", "it"},
    {"hr", "sl", "sk", "cs"},
    {"id", "ms", "tl"},
    {"af", "nl"},
    {"zh", "ko", "ja"},
    {"ru", "uk", "bg", "mk"},
]
_FAMILY_OF = {code: i for i, fam in enumerate(_FAMILIES) for code in fam}


@dataclass(frozen=True)
class LanguageParams:
    expected: list[str] = field(default_factory=list)  # empty: the workspace's majority language
    min_prob: float = 0.9  # flag another language only when at least this sure
    prefix_chars: int = score_param(500)  # per side (user, assistant)
    min_letters: int = score_param(25)
    engine: str = "auto"  # auto | langdetect | langdetect-rs (same results)


def _side_texts(df: pl.DataFrame, prefix_chars: int) -> pl.DataFrame:
    msgs = explode_messages(df).filter(pl.col("role").is_in(["user", "assistant"]))
    sides = (
        msgs.group_by(R.ID, "role")
        .agg(pl.col("content").str.join("\n"))
        .with_columns(
            pl.col("content").str.replace_all(_FENCE, " ").str.slice(0, prefix_chars).alias("text")
        )
        .with_columns(pl.col("text").str.count_matches(r"\p{L}").alias("letters"))
    )
    return sides.select(R.ID, "role", "text", "letters")


def _iso(code: pl.Expr) -> pl.Expr:
    return code.str.replace(r"^zh-.*$", "zh")


@register
class LanguageFilter(Filter):
    name = "language"
    title = "Language"
    Params = LanguageParams
    results = ("scores_language",)
    code_modules = ("curator.core.filters.langid",)

    def score(self, df: pl.DataFrame, params: Any) -> ScoreJob:
        sides = _side_texts(df, params.prefix_chars)
        todo = sides.filter(pl.col("letters") >= params.min_letters).get_column("text").unique()
        texts = todo.to_list()
        found = yield from detect_many(texts, params.engine)
        det = pl.DataFrame(
            {
                "text": todo,
                "lang": [d[0] for d in found],
                "prob": [d[1] for d in found],
                "lang2": [d[2] for d in found],
                "prob2": [d[3] for d in found],
            },
            schema={
                "text": pl.String,
                "lang": pl.String,
                "prob": pl.Float64,
                "lang2": pl.String,
                "prob2": pl.Float64,
            },
        ).with_columns(_iso(pl.col("lang")), _iso(pl.col("lang2")))
        sides = sides.join(det, on="text", how="left")
        wide = sides.pivot(
            on="role", index=R.ID, values=["lang", "prob", "lang2", "prob2", "letters"]
        )
        for col in ("lang", "prob", "lang2", "prob2", "letters"):
            for role in ("user", "assistant"):
                name = f"{col}_{role}"
                if name not in wide.columns:
                    dtype = pl.String if col.startswith("lang") else pl.Float64
                    wide = wide.with_columns(pl.lit(None, dtype).alias(name))

        def family(col: str) -> pl.Expr:
            return pl.col(col).replace_strict(_FAMILY_OF, default=None, return_dtype=pl.Int64)

        def related(a: str, b: str) -> pl.Expr:
            return (family(a) == family(b)).fill_null(False)

        u_ok = pl.col("lang_user").is_not_null()
        a_ok = pl.col("lang_assistant").is_not_null()
        cross = (
            u_ok
            & a_ok
            & (pl.col("lang_user") != pl.col("lang_assistant"))
            & (pl.col("prob_user") >= _SIDE_CONFIDENT)
            & (pl.col("prob_assistant") >= _SIDE_CONFIDENT)
            & ~related("lang_user", "lang_assistant")
        )

        def split(role: str) -> pl.Expr:
            return (
                (pl.col(f"letters_{role}") >= _SPLIT_MIN_LETTERS)
                & (pl.col(f"prob2_{role}") >= _SPLIT_RUNNER_UP)
                & ~related(f"lang_{role}", f"lang2_{role}")
            ).fill_null(False)

        out = (
            df.select(R.ID)
            .join(wide, on=R.ID, how="left", maintain_order="left")
            .with_columns(
                pl.coalesce("lang_assistant", "lang_user", pl.lit("unknown")).alias("language"),
                pl.coalesce("prob_assistant", "prob_user", pl.lit(0.0)).alias("language_prob"),
                (cross.fill_null(False) | split("user") | split("assistant")).alias("mixed"),
                pl.when(cross.fill_null(False))
                .then(pl.lit("cross"))
                .when(split("assistant"))
                .then(pl.lit("assistant"))
                .when(split("user"))
                .then(pl.lit("user"))
                .alias("mixed_kind"),
            )
            .select(
                R.ID,
                "language",
                "language_prob",
                "mixed",
                "mixed_kind",
                pl.col("lang_user").alias("user_language"),
                pl.col("lang_assistant").alias("assistant_language"),
                pl.col("lang2_user").alias("user_language_2"),
                pl.col("lang2_assistant").alias("assistant_language_2"),
            )
        )
        yield Progress("language", len(texts), len(texts))
        return {"scores_language": out}

    def flag(self, scores: Scores, params: Any, ctx: FilterContext) -> pl.DataFrame:
        s = scores["scores_language"]
        expected = list(params.expected) or majority_languages(s)
        names = pl.DataFrame({"code": list(LANGUAGE_NAMES), "lname": list(LANGUAGE_NAMES.values())})

        def named(col: str) -> pl.Expr:
            return pl.format(
                "{} ({})",
                pl.col(col).replace_strict(names["code"], names["lname"], default=pl.col(col)),
                pl.col(col),
            )

        exp_text = ", ".join(f"{LANGUAGE_NAMES.get(c, c)} ({c})" for c in expected) or "none"
        other = s.filter(
            (pl.col("language") != "unknown")
            & ~pl.col("language").is_in(expected)
            & (pl.col("language_prob") >= params.min_prob)
        )
        other_flags = make_flags(
            other,
            "language.other",
            pl.format("conversation is in {}; expected {}", named("language"), pl.lit(exp_text)),
            R.WARN,
        )
        mixed = s.filter(pl.col("mixed"))
        mixed_flags = make_flags(
            mixed,
            "language.mixed",
            pl.when(pl.col("mixed_kind") == "cross")
            .then(
                pl.format(
                    "user writes {} but the assistant replies in {}",
                    named("user_language"),
                    named("assistant_language"),
                )
            )
            .when(pl.col("mixed_kind") == "assistant")
            .then(
                pl.format(
                    "assistant replies mix {} and {}",
                    named("assistant_language"),
                    named("assistant_language_2"),
                )
            )
            .otherwise(
                pl.format(
                    "user messages mix {} and {}", named("user_language"), named("user_language_2")
                )
            ),
            R.WARN,
        )
        flags = pl.concat([other_flags, mixed_flags])
        return flags if flags.height else empty_flags()


def majority_languages(scores: pl.DataFrame) -> list[str]:
    """The most common detected language (the default expected language)."""
    known = scores.filter(pl.col("language") != "unknown")
    if known.height == 0:
        return []
    top = known.group_by("language").len().sort(["len", "language"], descending=[True, False])
    return [str(top.get_column("language")[0])]
