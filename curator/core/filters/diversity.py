"""Canned replies: one reply reused across many different prompts.

``diversity.canned_reply`` (severity warn) marks a record whose every
substantive reply (six or more words) is the same text given to many
*different* prompts: a support macro ("Thank you for contacting us! A
specialist will ..."), a persona's stock self-description. A model trained on
many of them answers with that text whatever is asked. This is a diversity
finding, not a refusal: nothing needs to decline for a reply to be canned
(refusals are ``refusal.*``).

Replies are compared after folding case, punctuation and spacing only: digits,
names and content words stay, so "The square root of 81 is 9" and "The square
root of 169 is 13" are two replies. Prompts are compared too: when the prompts
sharing a reply are reworded versions of one question (most of each prompt's
content words are shared by most of the others), the reply is a consistent
answer, not a canned one. Counts are workspace-wide (``finalize``), in Polars.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
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
)
from curator.core.jobs import Progress

MIN_REPLY_WORDS = 6
_ROW = "_row"  # a record's row in the scores table (finalize)
ONE_QUESTION_OVERLAP = 0.6  # mean share of a prompt's content words that most prompts share
# Words that say nothing about what a prompt asks (so "who are you" ~ "who are you?").
_STOP_WORDS = (
    "a an the and or but if of to in on at by for with from about as into is are was were be "
    "been am do does did can could would should will shall may might must i me my you your we "
    "our us he she it its they them their this that these those what which who whom whose when "
    "where why how please tell give let know want need there here hi hello hey thanks thank so "
    "not no yes just also any some all more very"
)
_STOP = sorted(set(_STOP_WORDS.split(" ")))


def normalised_text(expr: pl.Expr) -> pl.Expr:
    """Case, punctuation and spacing folded; digits and words kept."""
    return (
        expr.str.to_lowercase()
        .str.replace_all(r"[^\p{L}\p{N}\s]", "")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


@dataclass(frozen=True)
class DiversityParams:
    min_prompts: int = 25  # a reply given to this many different prompts is canned ...
    min_share: float = 0.05  # ... or to this share of all records (and >= 3 prompts)


@register
class DiversityFilter(Filter):
    name = "diversity"
    title = "Canned replies"
    Params = DiversityParams
    results = ("scores_diversity",)

    def score(self, df: pl.DataFrame, params: Any) -> ScoreJob:
        yield Progress("diversity", 0, df.height)
        msgs = explode_messages(df)
        first_user = (
            msgs.filter(pl.col("role") == "user")
            .group_by(R.ID)
            .agg(normalised_text(pl.col("content").first()).alias("p"))
            .select(
                R.ID,
                pl.col("p").hash(seed=7).alias("prompt_key"),
                pl.col("p")
                .str.split(" ")
                .list.eval(pl.element().filter(~pl.element().is_in(_STOP) & (pl.element() != "")))
                .list.unique()
                .list.eval(pl.element().hash(seed=5))
                .alias("prompt_words"),
            )
        )
        replies = msgs.filter(pl.col("role") == "assistant").with_columns(
            normalised_text(pl.col("content")).alias("norm")
        )
        replies = replies.with_columns(
            pl.when(pl.col("norm").str.count_matches(" ") >= MIN_REPLY_WORDS - 1)
            .then(pl.col("norm").hash(seed=11))
            .otherwise(None)
            .alias("reply_key")
        )
        per = replies.group_by(R.ID).agg(
            pl.col("reply_key").drop_nulls().unique().alias("reply_keys")
        )
        out = (
            df.select(R.ID)
            .join(per, on=R.ID, how="left", maintain_order="left")
            .join(first_user, on=R.ID, how="left", maintain_order="left")
            .with_columns(
                pl.col("reply_keys").fill_null(pl.lit([], pl.List(pl.UInt64))),
                pl.col("prompt_words").fill_null(pl.lit([], pl.List(pl.UInt64))),
            )
        )
        yield Progress("diversity", df.height, df.height)
        return {"scores_diversity": out}

    def finalize(self, scores: Scores, params: Any) -> Scores:
        """canned_count: different prompts answered with the record's least shared
        substantive reply (0 when those prompts are one question reworded); a record
        is canned only when every reply of six or more words is (a closing line after
        a real answer is fine)."""
        s = scores["scores_diversity"].drop("canned_count", "canned_share", "canned", strict=False)
        n = max(s.height, 1)
        # one row per reply, naming its record by row number: carrying the 32-character
        # id and the prompt's word list into every reply row took most of the memory
        # (1M records: +913 MB peak); the words are gathered only for shared replies
        pairs = (
            s.select(
                pl.int_range(pl.len(), dtype=pl.UInt32).alias(_ROW), "prompt_key", "reply_keys"
            )
            .explode("reply_keys")
            .drop_nulls("reply_keys")
            .rename({"reply_keys": "reply_key"})
        )
        counts = pairs.group_by("reply_key").agg(pl.col("prompt_key").n_unique().alias("c"))
        shared = pairs.join(counts.filter(pl.col("c") >= 3), on="reply_key", how="semi")
        one_q = _one_question(shared, s.get_column("prompt_words"))
        counts = (
            counts.join(one_q, on="reply_key", how="left")
            .with_columns(
                pl.when(pl.col("one_question").fill_null(False))
                .then(0)
                .otherwise(pl.col("c"))
                .alias("c")
            )
            .select("reply_key", "c")
        )
        best = (
            pairs.join(counts, on="reply_key")
            .group_by(_ROW)
            .agg(pl.col("c").min().alias("canned_count"))
        )
        canned = np.zeros(s.height, dtype=np.int64)  # a record without a long reply: 0
        canned[best.get_column(_ROW).to_numpy()] = best.get_column("canned_count").to_numpy()
        s = s.with_columns(pl.Series("canned_count", canned, dtype=pl.Int64))
        s = s.with_columns((pl.col("canned_count") / n).alias("canned_share"))
        s = s.with_columns(_is_canned(params).alias("canned"))
        return {**scores, "scores_diversity": s}

    def flag(self, scores: Scores, params: Any, ctx: FilterContext) -> pl.DataFrame:
        s = scores["scores_diversity"]
        flags = make_flags(
            s.filter(_is_canned(params)),
            "diversity.canned_reply",
            pl.format(
                "the same reply is given to {} different prompts ({}% of records): a canned reply",
                pl.col("canned_count"),
                (pl.col("canned_share") * 100).round(1),
            ),
            R.WARN,
        )
        return flags if flags.height else empty_flags()


def _one_question(pairs: pl.DataFrame, prompt_words: pl.Series) -> pl.DataFrame:
    """Per reply_key: are its prompts reworded versions of one question?

    A content word is *core* when at least half of the reply's distinct prompts
    use it; the prompts are one question when a prompt has
    ``ONE_QUESTION_OVERLAP`` of its content words core, on average (prompts
    without content words, "who are you?", only count when all are like that).
    ``pairs``: reply_key, prompt_key and the record's row in ``prompt_words`` (the
    words of a prompt are those of any record with its key: the key hashes that text)."""
    prompts = pairs.unique(["reply_key", "prompt_key"])
    prompts = prompts.select(
        "reply_key",
        "prompt_key",
        prompt_words.gather(prompts.get_column(_ROW)).alias("prompt_words"),
    )
    n = prompts.group_by("reply_key").agg(pl.len().alias("n"))
    words = prompts.explode("prompt_words").drop_nulls("prompt_words")
    core = (
        words.group_by("reply_key", "prompt_words")
        .agg(pl.len().alias("k"))
        .join(n, on="reply_key")
        .filter(pl.col("k") * 2 >= pl.col("n"))
        .select("reply_key", "prompt_words", pl.lit(True).alias("core"))
    )
    per_prompt = (
        words.join(core, on=["reply_key", "prompt_words"], how="left")
        .group_by("reply_key", "prompt_key")
        .agg(pl.col("core").fill_null(False).mean().alias("overlap"))
    )
    return n.join(
        per_prompt.group_by("reply_key").agg(pl.col("overlap").mean()), on="reply_key", how="left"
    ).select(
        "reply_key",
        pl.col("overlap").fill_null(1.0).ge(ONE_QUESTION_OVERLAP).alias("one_question"),
    )


def _is_canned(params: Any) -> pl.Expr:
    c = pl.col("canned_count")
    return (c >= 3) & ((c >= params.min_prompts) | (pl.col("canned_share") >= params.min_share))
