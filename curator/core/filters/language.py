"""Language: which language each conversation is in, and whether it mixes two.

Each record gives two texts, its user turns and its assistant turns, reduced to
running prose first: code blocks, inline code, tool or function calls
(``search('...')``), URLs, e-mail addresses, numbers and everything with a
digit, and capitalised words (names, places, units such as "Fahrenheit") are
removed, and a word repeated later is kept once. A side with fewer than
``min_letters`` letters of that prose is not judged ("68 degrees Fahrenheit is
20 degrees Celsius" leaves "degrees is"): langdetect is confidently wrong on
short lists of words. Each distinct text is detected once (see :mod:`langid`)
and the record's language is the assistant's (what the model learns to
write), else the user's; ``language.other`` needs at least ``min_prob``.

Mixed needs both languages detected confidently: the two sides in different
languages, each at ``min_prob``; or one side whose detection is uncertain
splitting into sentence chunks (``chunk_letters`` letters of prose each) of
which two are confidently in different languages. Languages langdetect
confuses with each other (Spanish/Portuguese, Danish/Norwegian, ...) never
count as mixed.
"""

from __future__ import annotations

from collections.abc import Generator
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
from curator.core.filters.language_mix import CONFIDENT, side_splits
from curator.core.jobs import Progress

_CAPITALISED = r"\p{Lu}[\p{L}'’\-]*"  # names, places, units ("Fahrenheit"), sentence starts
# Not prose, in this order (code first: it may hold URLs and calls).
_NOT_PROSE = (
    r"(?s)```.*?(?:```|$)",
    r"`[^`\n]*`",
    r"(?i)\b(?:https?://|www\.)\S+",
    r"\S+@\S+\.\S+",
    r"\b[\w.]+\((?:[^()]|\([^()]*\))*\)",  # search('...'), f(x), api.get(id)
    _CAPITALISED,
    r"\S*\d\S*",  # numbers, prices, times, equations
    r"[^\p{L}\s'’\-]+",
)
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
    # Measured on the labels (langdetect-rs probabilities): judged English sides of SGD/GSM8K
    # gave no other language at any probability; the planted other-language sides are all
    # > 0.999. Below 60 letters of prose langdetect is wrong at p = 1.0, so letters decide.
    min_prob: float = 0.9  # call a side's language (other, mixed) only when at least this sure
    prefix_chars: int = score_param(500)  # of prose per side (user, assistant)
    min_letters: int = score_param(60)  # letters of prose before a side is judged
    chunk_letters: int = score_param(40)  # letters of prose per chunk when checking a split
    engine: str = "auto"  # auto | langdetect | langdetect-rs (same results)


def prose(expr: pl.Expr) -> pl.Expr:
    """The running prose of a text: what is left to judge a language by."""
    for pattern in _NOT_PROSE:
        expr = expr.str.replace_all(pattern, " ")
    return expr.str.replace_all(r"\s+", " ").str.strip_chars()


def prose_keep_caps(expr: pl.Expr) -> pl.Expr:
    """Prose with capitalised words kept (a second view of a suspect chunk)."""
    for pattern in _NOT_PROSE:
        if pattern != _CAPITALISED:
            expr = expr.str.replace_all(pattern, " ")
    return expr.str.replace_all(r"\s+", " ").str.strip_chars()


def _once(expr: pl.Expr) -> pl.Expr:
    """Each word once, in order of first use (a repeated phrase is one phrase)."""
    return expr.str.split(" ").list.unique(maintain_order=True).list.join(" ")


def _side_texts(df: pl.DataFrame, prefix_chars: int) -> pl.DataFrame:
    msgs = explode_messages(df).filter(pl.col("role").is_in(["user", "assistant"]))
    sides = (
        msgs.group_by(R.ID, "role")
        .agg(pl.col("content").str.join("\n").alias("raw"))
        .with_columns(_once(prose(pl.col("raw"))).str.slice(0, prefix_chars).alias("text"))
        .with_columns(pl.col("text").str.count_matches(r"\p{L}").alias("letters"))
    )
    return sides.select(R.ID, "role", "text", "letters", "raw")


def _iso(code: pl.Expr) -> pl.Expr:
    return code.str.replace(r"^zh-.*$", "zh")


def _detect(
    texts: pl.Series, engine: str, step: str = "language"
) -> Generator[Progress, None, pl.DataFrame]:
    """text -> lang, prob, lang2, prob2 (langdetect's top two, ISO codes)."""
    found = yield from detect_many(texts.to_list(), engine, step=step)
    return pl.DataFrame(
        {
            "text": texts,
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


def _detect_chunks(texts: pl.Series, engine: str) -> Generator[Progress, None, pl.DataFrame]:
    return _detect(texts, engine, "language chunks")


def _family(col: str) -> pl.Expr:
    return pl.col(col).replace_strict(_FAMILY_OF, default=None, return_dtype=pl.Int64)


def _related(a: str, b: str) -> pl.Expr:
    """Same language, or two that langdetect confuses."""
    return ((pl.col(a) == pl.col(b)) | (_family(a) == _family(b))).fill_null(False)


@register
class LanguageFilter(Filter):
    name = "language"
    title = "Language"
    Params = LanguageParams
    results = ("scores_language",)
    code_modules = ("curator.core.filters.langid", "curator.core.filters.language_mix")

    def score(self, df: pl.DataFrame, params: Any) -> ScoreJob:
        sides = _side_texts(df, params.prefix_chars)
        judged = sides.filter(pl.col("letters") >= params.min_letters)
        det = yield from _detect(judged.get_column("text").unique(), params.engine)
        sides = sides.join(det, on="text", how="left")
        split = yield from side_splits(
            sides,
            params.chunk_letters,
            params.prefix_chars,
            params.engine,
            _detect_chunks,
            prose,
            prose_keep_caps,
            _related,
        )
        sides = sides.join(split, on=[R.ID, "role"], how="left")
        wide = sides.pivot(
            on="role",
            index=R.ID,
            values=["lang", "prob", "letters", "split_a", "split_b"],
        )
        for col in ("lang", "prob", "letters", "split_a", "split_b"):
            for role in ("user", "assistant"):
                name = f"{col}_{role}"
                if name not in wide.columns:
                    dtype = pl.Float64 if col in ("prob", "letters") else pl.String
                    wide = wide.with_columns(pl.lit(None, dtype).alias(name))

        cross = (
            pl.col("lang_user").is_not_null()
            & pl.col("lang_assistant").is_not_null()
            & (pl.col("prob_user") >= CONFIDENT)
            & (pl.col("prob_assistant") >= CONFIDENT)
            & ~_related("lang_user", "lang_assistant")
        ).fill_null(False)

        def split_in(role: str) -> pl.Expr:
            return pl.col(f"split_a_{role}").is_not_null()

        out = (
            df.select(R.ID)
            .join(wide, on=R.ID, how="left", maintain_order="left")
            .with_columns(
                pl.coalesce("lang_assistant", "lang_user", pl.lit("unknown")).alias("language"),
                pl.coalesce("prob_assistant", "prob_user", pl.lit(0.0)).alias("language_prob"),
                (cross | split_in("user") | split_in("assistant")).alias("mixed"),
                pl.when(cross)
                .then(pl.lit("cross"))
                .when(split_in("assistant"))
                .then(pl.lit("assistant"))
                .when(split_in("user"))
                .then(pl.lit("user"))
                .alias("mixed_kind"),
            )
            .select(
                R.ID,
                "language",
                "language_prob",
                "mixed",
                "mixed_kind",
                pl.coalesce("split_a_user", "lang_user").alias("user_language"),
                pl.coalesce("split_a_assistant", "lang_assistant").alias("assistant_language"),
                pl.col("split_b_user").alias("user_language_2"),
                pl.col("split_b_assistant").alias("assistant_language_2"),
            )
        )
        yield Progress("language", df.height, df.height)
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
