"""Repetition on assistant turns: Gopher rules, degenerate loops, truncated replies.

Thresholds are datatrove's GopherRepetitionFilter defaults. Gopher was tuned
for web pages, so the line rules only look at replies with at least
``gopher_min_words`` words and the n-gram rules at ``ngram_min_words`` (a
60-word worked answer says "bags of coffee beans" four times and is fine),
with fenced code removed (code repeats lines by nature). A degenerate loop is
one phrase covering most of a reply ("please hold please hold ...").

A truncated reply needs strong evidence (:mod:`truncation`): it ends on a
dangling word or comma, leaves a quote, bracket or code fence open, stops at
the workspace's length cap, or the next user turn says it was cut off. A reply
that merely lacks a final full stop ("Would you like a window seat") is not
truncated.
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
from curator.core.filters.truncation import length_capped, truncation_evidence, unpunctuated
from curator.core.jobs import Progress

_FENCE = r"(?s)```.*?(?:```|$)"
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
    gopher_min_words: int = score_param(50)  # line/paragraph rules
    ngram_min_words: int = score_param(200)  # n-gram rules (noisy on short replies)
    truncated_min_chars: int = score_param(40)
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


@register
class RepetitionFilter(Filter):
    name = "repetition"
    title = "Repetition & truncation"
    Params = RepetitionParams
    results = ("scores_repetition",)
    code_modules = ("curator.core.filters.ngrams", "curator.core.filters.truncation")

    def score(self, df: pl.DataFrame, params: Any) -> ScoreJob:
        yield Progress("repetition", 0, df.height, "splitting words")
        msgs = (
            explode_messages(df)
            .with_columns(
                pl.col("role").shift(-1).over(R.ID).alias("next_role"),
                pl.col("content").shift(-1).over(R.ID).alias("next_content"),
            )
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
        # n-gram rules only on replies with enough words; shorter ones score 0 there.
        grams = long.filter(pl.col("words").list.len() >= params.ngram_min_words)
        gopher = (
            long.select("doc")
            .join(
                ngram_stats(grams.select("doc", "words", "text_len"), params.ngram_min_words),
                on="doc",
                how="left",
            )
            .with_columns(pl.exclude("doc").fill_null(0.0))
        )
        gopher = gopher.join(line_stats(long, "\n", "line"), on="doc").join(
            line_stats(long, "\n\n", "para"), on="doc"
        )
        yield Progress("repetition", 2 * df.height // 3, df.height, "loops and truncation")
        per_doc = (
            docs.select("doc", R.ID, "turn", "content", "text_len", "next_role", "next_content")
            .join(gopher.select("doc", *RATIO_COLS), on="doc", how="left")
            .join(degenerate, on="doc", how="left")
            .with_columns(
                truncation_evidence(params.truncated_min_chars).alias("trunc_why"),
                pl.col("repeats").fill_null(0),
                pl.col("coverage").fill_null(0.0),
            )
        )
        per_doc = per_doc.with_columns(
            pl.col("trunc_why").is_not_null().alias("trunc"),
            unpunctuated(pl.col("content")).alias("unpunct"),
        )
        worst_loop = pl.col("coverage").arg_max()
        longest = pl.col("text_len").arg_max()
        out = per_doc.group_by(R.ID).agg(
            *(pl.col(c).max().fill_null(0.0).alias(c) for c in RATIO_COLS),
            pl.col("repeats").get(worst_loop).alias("degenerate_repeats"),
            pl.col("coverage").get(worst_loop).alias("degenerate_coverage"),
            # the excerpt the reason quotes, not the phrase: a loop's unit can be long, and
            # most replies have one (repeating once): 225 of the table's 420 MB at 1M
            quote(pl.col("phrase").get(worst_loop), 40).alias("degenerate_phrase"),
            pl.col("turn").get(worst_loop).alias("degenerate_turn"),
            pl.col("trunc").any().alias("truncated_strong"),
            pl.col("turn").filter(pl.col("trunc")).first().alias("truncated_turn"),
            pl.col("trunc_why").filter(pl.col("trunc")).first().alias("truncated_why"),
            quote(pl.col("content").filter(pl.col("trunc")).first().str.slice(-40), 40).alias(
                "truncated_tail"
            ),
            # the longest reply, for the workspace-wide length-cap rule (finalize)
            pl.col("text_len").max().alias("longest_len"),
            pl.col("unpunct").get(longest).alias("longest_unpunct"),
            pl.col("turn").get(longest).alias("longest_turn"),
            quote(pl.col("content").get(longest).str.slice(-40), 40).alias("longest_tail"),
        )
        out = (
            df.select(R.ID)
            .join(out, on=R.ID, how="left", maintain_order="left")
            .with_columns(
                pl.col(*RATIO_COLS).fill_null(0.0),
                pl.col("degenerate_repeats").fill_null(0),
                pl.col("degenerate_coverage").fill_null(0.0),
                pl.col("truncated_strong").fill_null(False),
                pl.col("longest_len").fill_null(0),
                pl.col("longest_unpunct").fill_null(False),
            )
            .with_columns(_is_degenerate(params).alias("degenerate"))
        )
        yield Progress("repetition", df.height, df.height)
        return {"scores_repetition": out}

    def finalize(self, scores: Scores, params: Any) -> Scores:
        """truncated: strong evidence in the reply, or its longest reply ends unpunctuated
        at the workspace's length cap (decided over all records, so not cached)."""
        s = scores["scores_repetition"]
        capped = length_capped(
            s.select(
                pl.col("longest_len").alias("reply_len"), pl.col("longest_unpunct").alias("unpunct")
            )
        )
        cap = pl.lit(capped) & ~pl.col("truncated_strong")
        s = s.with_columns(
            (pl.col("truncated_strong") | cap).alias("truncated"),
            pl.when(cap)
            .then(pl.col("longest_turn"))
            .otherwise(pl.col("truncated_turn"))
            .alias("truncated_turn"),
            pl.when(cap)
            .then(pl.lit("stops at the length cap"))
            .otherwise(pl.col("truncated_why"))
            .alias("truncated_why"),
            pl.when(cap)
            .then(pl.col("longest_tail"))
            .otherwise(pl.col("truncated_tail"))
            .alias("truncated_tail"),
        )
        return {**scores, "scores_repetition": s}

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
                    "reply in message {} stops mid-sentence: '{}' ({})",
                    pl.col("truncated_turn") + 1,
                    pl.col("truncated_tail"),
                    pl.col("truncated_why"),
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
