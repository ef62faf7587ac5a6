"""Repetition on assistant turns: Gopher rules, degenerate loops, truncated replies.

Thresholds are datatrove's GopherRepetitionFilter defaults. Gopher was tuned
for web pages, so the line/n-gram rules only look at replies with at least
``gopher_min_words`` words, with fenced code removed (code repeats lines by
nature). A degenerate loop is one phrase covering most of a reply ("please
hold please hold ..."); a truncated reply stops mid-sentence (ends on a comma
or a dangling "and"/"the", or leaves a code fence open).
"""

from __future__ import annotations

import re
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
    score_param,
)
from curator.core.filters.ngrams import DUP_NS, TOP_NS, line_stats, loop_stats, ngram_stats
from curator.core.jobs import Progress

_FENCE = r"(?s)```.*?(?:```|$)"
_DANGLING = r"(?:[,;:\-–(]|\b(?:and|or|but|the|a|an|because|your|our|my|if|than|which))\s*$"
_LIST_LINE = r"^\s*(?:[-*•#>|]|\d+[.)]\s)"
_SIGN_OFF = (
    r"(?i)^\s*(?:kind regards|best regards|warm regards|regards|best wishes|best|cheers|thanks|"
    r"thank you|many thanks|sincerely|yours|mit freundlichen grüßen|viele grüße|beste grüße|"
    r"cordialement|bien à vous|saludos|atentamente|un saludo|cordiali saluti)\b"
)
_CHAR_LOOP = re.compile(r"(.{1,40}?)\1{9,}", re.S)
RATIO_COLS = (
    "dup_line_frac",
    "dup_para_frac",
    "dup_line_char_frac",
    "dup_para_char_frac",
    *(f"top_{n}gram_frac" for n in TOP_NS),
    *(f"dup_{n}gram_frac" for n in DUP_NS),
)


@dataclass(frozen=True)
class RepetitionParams:
    gopher_min_words: int = score_param(50)
    truncated_min_chars: int = score_param(100)
    degenerate_min_repeats: int = 10
    degenerate_min_coverage: float = 0.7
    dup_line_frac: float = 0.30
    dup_para_frac: float = 0.30
    dup_line_char_frac: float = 0.20
    dup_para_char_frac: float = 0.20
    top_2gram_frac: float = 0.20
    top_3gram_frac: float = 0.18
    top_4gram_frac: float = 0.16
    dup_5gram_frac: float = 0.15
    dup_6gram_frac: float = 0.14
    dup_7gram_frac: float = 0.13
    dup_8gram_frac: float = 0.12
    dup_9gram_frac: float = 0.11
    dup_10gram_frac: float = 0.10


def _char_loop(text: str) -> tuple[str, int, float] | None:
    """A short unit repeated back to back ("hahaha...", "!!!!...") covering the text."""
    m = _CHAR_LOOP.search(text)
    if m is None:
        return None
    unit = m.group(1)
    return unit, (m.end() - m.start()) // len(unit), (m.end() - m.start()) / max(len(text), 1)


def _degenerate(docs: pl.DataFrame) -> pl.DataFrame:
    """Per doc: the looping phrase, how often it repeats, and how much it covers."""
    # A loop leaves few distinct words; only those docs need the window statistics.
    cand = docs.filter(
        (pl.col("n_words") >= 20) & (pl.col("words").list.n_unique() <= pl.col("n_words") * 0.5 + 4)
    )
    loops = loop_stats(cand.select("doc", "words"))
    phrases = loops.join(docs.select("doc", "words"), on="doc").select(
        "doc",
        "repeats",
        pl.col("loop_share").alias("coverage"),
        pl.col("words")
        .list.slice(pl.col("loop_start"), pl.col("period"))
        .list.join(" ")
        .alias("phrase"),
    )
    # Loops without spaces ("hahaha...", "!!!!!!") are one long word: check those texts.
    loopy = docs.filter(pl.col("long_run") | ((pl.col("n_words") < 5) & (pl.col("text_len") >= 40)))
    rows = []
    for doc, text in loopy.select("doc", "content").iter_rows():
        found = _char_loop(text)
        if found:
            rows.append((doc, found[1], found[2], found[0]))
    chars = pl.DataFrame(
        rows,
        schema={"doc": pl.Int64, "repeats": pl.Int64, "coverage": pl.Float64, "phrase": pl.String},
        orient="row",
    )
    both = pl.concat([phrases, chars], how="vertical_relaxed")
    return both.sort("coverage", descending=True).group_by("doc", maintain_order=True).first()


def _truncated(min_chars: int) -> pl.Expr:
    """A long reply that stops mid-sentence: open code fence, dangling word or comma,
    or no closing punctuation where earlier sentences have it (sign-offs and URLs
    at the end are fine; so are lists and code)."""
    text = pl.col("content").str.strip_chars_end()
    last_line = text.str.split("\n").list.last()
    open_fence = (text.str.count_matches("```") % 2) == 1
    tail = text.str.extract(r"[.!?…]\s+([^.!?…]*)$", 1)
    unpunctuated = (
        text.str.contains(r"[\p{L},;:\-–(]$")
        & tail.is_not_null()
        & ~tail.str.contains(_SIGN_OFF)
        & ~tail.str.contains(r"^(?:\p{Lu}[\p{L}'’\-]*,?\s*){1,5}$")
        & ~text.str.contains(r"(?:https?://|www\.)\S+$|\S+\.\S+/\S*$")
    )
    prose_cut = ~last_line.str.contains(_LIST_LINE) & (text.str.contains(_DANGLING) | unpunctuated)
    return (pl.col("text_len") >= min_chars) & (open_fence | prose_cut)


@register
class RepetitionFilter(Filter):
    name = "repetition"
    title = "Repetition & truncation"
    Params = RepetitionParams
    results = ("scores_repetition",)
    code_modules = ("curator.core.filters.ngrams",)

    def score(self, df: pl.DataFrame, params: Any) -> ScoreJob:
        yield Progress("repetition", 0, df.height, "splitting words")
        msgs = (
            explode_messages(df)
            .filter(pl.col("role") == "assistant")
            .with_row_index("doc")
            .with_columns(pl.col("doc").cast(pl.Int64))
        )
        has_fence = pl.col("content").str.contains("```", literal=True)
        prose = pl.when(has_fence).then(pl.col("content").str.replace_all(_FENCE, " "))
        docs = (
            msgs.with_columns(
                prose.otherwise(pl.col("content")).alias("text"),
                pl.col("content").str.len_chars().alias("text_len"),
                pl.col("content").str.to_lowercase().str.extract_all(r"\w+").alias("words"),
                prose.str.to_lowercase().str.extract_all(r"\w+").alias("prose_words"),
                # a 40+ character run without spaces: maybe a loop like "hahaha..."
                pl.col("content").str.contains(r"\S{40}").alias("long_run"),
            )
            .with_columns(
                pl.col("text").str.len_chars().alias("prose_len"),
                pl.coalesce("prose_words", "words").alias("prose_words"),
                pl.col("words").list.len().alias("n_words"),
            )
            .with_columns(pl.col("prose_words").list.len().alias("n_prose_words"))
        )
        yield Progress("repetition", df.height // 3, df.height, "n-grams")
        # Degenerate loops: on the whole reply, code included.
        degenerate = _degenerate(docs)
        # Gopher rules: prose only, long replies only.
        long = docs.filter(pl.col("n_prose_words") >= params.gopher_min_words).select(
            "doc",
            pl.col("prose_words").alias("words"),
            pl.col("prose_len").alias("text_len"),
            "text",
        )
        gopher = ngram_stats(long.select("doc", "words", "text_len"), params.gopher_min_words)
        gopher = gopher.join(line_stats(long, "\n", "line"), on="doc").join(
            line_stats(long, "\n\n", "para"), on="doc"
        )
        yield Progress("repetition", 2 * df.height // 3, df.height, "loops and truncation")
        per_doc = (
            docs.select("doc", R.ID, "turn", "content", "text_len")
            .join(gopher.select("doc", *RATIO_COLS), on="doc", how="left")
            .join(degenerate, on="doc", how="left")
            .with_columns(
                _truncated(params.truncated_min_chars).alias("trunc"),
                pl.col("repeats").fill_null(0),
                pl.col("coverage").fill_null(0.0),
            )
        )
        worst_loop = pl.col("coverage").arg_max()
        out = per_doc.group_by(R.ID).agg(
            *(pl.col(c).max().fill_null(0.0).alias(c) for c in RATIO_COLS),
            pl.col("repeats").get(worst_loop).alias("degenerate_repeats"),
            pl.col("coverage").get(worst_loop).alias("degenerate_coverage"),
            pl.col("phrase").get(worst_loop).alias("degenerate_phrase"),
            pl.col("turn").get(worst_loop).alias("degenerate_turn"),
            pl.col("trunc").any().alias("truncated"),
            pl.col("turn").filter(pl.col("trunc")).first().alias("truncated_turn"),
            quote(pl.col("content").filter(pl.col("trunc")).first().str.slice(-40), 40).alias(
                "truncated_tail"
            ),
        )
        out = (
            df.select(R.ID)
            .join(out, on=R.ID, how="left", maintain_order="left")
            .with_columns(
                pl.col(*RATIO_COLS).fill_null(0.0),
                pl.col("degenerate_repeats").fill_null(0),
                pl.col("degenerate_coverage").fill_null(0.0),
                pl.col("truncated").fill_null(False),
            )
            .with_columns(_is_degenerate(params).alias("degenerate"))
        )
        yield Progress("repetition", df.height, df.height)
        return {"scores_repetition": out}

    def flag(self, scores: Scores, params: Any, ctx: FilterContext) -> pl.DataFrame:
        s = scores["scores_repetition"]
        degen = s.filter(_is_degenerate(params))
        rest = s.filter(~_is_degenerate(params))
        flags = [
            make_flags(
                degen,
                "repetition.degenerate",
                pl.format(
                    "reply in message {} repeats '{}' {} times",
                    pl.col("degenerate_turn") + 1,
                    quote(pl.col("degenerate_phrase"), 40),
                    pl.col("degenerate_repeats"),
                ),
                R.BLOCK,
            )
        ]
        line_rules = [c for c in RATIO_COLS if c.startswith(("dup_line", "dup_para"))]
        gram_rules = [c for c in RATIO_COLS if c not in line_rules]
        for name, rules, what in (
            ("repetition.lines", line_rules, "repeated lines"),
            ("repetition.ngrams", gram_rules, "repeated phrases"),
        ):
            over = [pl.col(c) > getattr(params, c) for c in rules]
            hit = rest.filter(pl.any_horizontal(over))
            if hit.height == 0:
                continue
            # Name the rule that is furthest over its threshold.
            ratios = pl.concat_list([pl.col(c) / getattr(params, c) for c in rules])
            worst = ratios.list.arg_max()
            labels = pl.lit(rules).list.get(worst)
            values = pl.concat_list([pl.col(c) for c in rules]).list.get(worst)
            limits = pl.lit([getattr(params, c) for c in rules]).list.get(worst)
            flags.append(
                make_flags(
                    hit,
                    name,
                    pl.format(
                        "{} in a reply: {} is {}% (limit {}%)",
                        pl.lit(what),
                        labels.str.replace_all("_", " "),
                        (values * 100).round(0).cast(pl.Int64),
                        (limits * 100).round(0).cast(pl.Int64),
                    ),
                    R.BLOCK,
                )
            )
        flags.append(
            make_flags(
                s.filter(pl.col("truncated")),
                "repetition.truncated",
                pl.format(
                    "reply in message {} stops mid-sentence: '{}'",
                    pl.col("truncated_turn") + 1,
                    pl.col("truncated_tail"),
                ),
                R.BLOCK,
            )
        )
        out = pl.concat(flags)
        return out if out.height else empty_flags()


def _is_degenerate(params: Any) -> pl.Expr:
    return (pl.col("degenerate_repeats") >= params.degenerate_min_repeats) & (
        pl.col("degenerate_coverage") >= params.degenerate_min_coverage
    )
