"""Shared text: what most of the workspace carries, left out before comparing.

The rule: a word n-gram shingle found in at least ``shared_share`` of the
texts (and in at least ``shared_min_texts`` of them) is a *shared shingle*:
part of a tool preamble, a greeting or a sign-off macro. Word-shingled texts
are compared without their shared shingles. Short texts (compared by
character n-grams) are compared without the *shared passages*: the maximal
runs of words covered by shared shingles, in at least as many texts. Two
records that share only a preamble are therefore not similar. A text that is
nothing but shared text is compared whole (it is a copy of the template, and
its copies are its duplicates).

The shared set is found on a full run (from an evenly spaced sample of at
most ``SAMPLE`` distinct texts) and stored with the signatures; incremental
runs reuse the stored set, so a record's compared shingles never change
between runs unless a full run recomputes it.
"""

from __future__ import annotations

import hashlib

import polars as pl

SAMPLE = 2_000  # distinct texts the shared passages are learnt from
_PASSES = 3  # adjacent passages share a separating space: replace again to catch the next one


SHINGLE = "shingle"
PASSAGE = "passage"
SHARED_SCHEMA = pl.Schema({"kind": pl.String, "text": pl.String, "texts": pl.UInt32})


def shared_text(
    texts: pl.Series, ngram: int, share: float, min_texts: int, sample: int = SAMPLE
) -> pl.DataFrame:
    """kind (shingle | passage), text, texts (sampled texts holding it); passages longest first."""
    texts = texts.filter(texts != "")
    if texts.len() > sample:
        step = texts.len() / sample
        texts = texts.gather([int(i * step) for i in range(sample)])
    n = texts.len()
    cutoff = max(min_texts, int(share * n + 0.999999))
    if n < cutoff or n == 0:
        return pl.DataFrame(schema=SHARED_SCHEMA)
    words = (
        pl.DataFrame({"t": texts})
        .with_row_index("doc")
        .select("doc", pl.col("t").str.split(" ").alias("w"))
        .explode("w")
        .with_row_index("r")
    )
    parts = [pl.col("w")] + [pl.col("w").shift(-j) for j in range(1, ngram)]
    grams = words.select(
        "doc",
        "r",
        pl.concat_str(parts, separator=" ").alias("g"),
        (pl.col("doc").shift(-(ngram - 1)) == pl.col("doc")).alias("ok"),
    ).filter(pl.col("ok"))
    counts = grams.unique(["doc", "g"]).group_by("g").len()
    frequent = counts.filter(pl.col("len") >= cutoff)
    if frequent.height == 0:
        return pl.DataFrame(schema=SHARED_SCHEMA)
    starts = grams.join(frequent.select("g"), on="g", how="semi")
    covered = (
        starts.select((pl.col("r") + pl.int_ranges(0, ngram)).alias("r")).explode("r").unique()
    )
    runs = (
        words.join(covered, on="r", how="semi")
        .sort("r")
        .with_columns(
            ((pl.col("r") - pl.col("r").shift(1) != 1) | (pl.col("doc") != pl.col("doc").shift(1)))
            .fill_null(True)
            .cum_sum()
            .alias("run")
        )
        .group_by("run")
        .agg(pl.col("doc").first(), pl.col("w").str.join(" ").alias("text"))
    )
    passages = (
        runs.unique(["doc", "text"])
        .group_by("text")
        .len()
        .filter(pl.col("len") >= cutoff)
        .sort([pl.col("text").str.len_chars(), "text"], descending=[True, False])
        .select(pl.lit(PASSAGE).alias("kind"), "text", pl.col("len").alias("texts"))
    )
    shingles = frequent.sort("g").select(
        pl.lit(SHINGLE).alias("kind"), pl.col("g").alias("text"), pl.col("len").alias("texts")
    )
    return pl.concat([shingles, passages]).cast(SHARED_SCHEMA)


def without_shared(texts: pl.Series, passages: list[str]) -> pl.Series:
    """Each normalised text without the shared passages (the whole text when nothing is left)."""
    if not passages:
        return texts
    pats = [f" {p} " for p in passages]
    blank = ["  "] * len(pats)
    padded = pl.lit(" ") + pl.col("t") + pl.lit(" ")
    df = pl.DataFrame({"t": texts}).with_columns(padded.alias("c"))
    for _ in range(_PASSES):
        df = df.with_columns(pl.col("c").str.replace_many(pats, blank))
    cut = pl.col("c").str.replace_all(r"  +", " ").str.strip_chars(" ")
    return df.select(
        pl.when(cut == "").then(pl.col("t")).otherwise(cut).alias(texts.name)
    ).to_series()


def shared_digest(shared: pl.DataFrame) -> str:
    """A short digest of the shared set, part of the signature fingerprint."""
    rows = shared.select(pl.concat_str("kind", pl.lit("\x1f"), "text")).to_series().to_list()
    return hashlib.sha1("\x1e".join(rows).encode("utf-8")).hexdigest()[:16]
