"""Shared text: passages most of the workspace carries, left out before comparing.

The rule: a word n-gram shingle found in at least ``shared_share`` of the
texts (and in at least ``shared_min_texts`` of them) is shared text, such as
a tool preamble, a greeting or a sign-off macro. The maximal runs of words
covered by shared shingles are the *shared passages*; each text is compared
without them, so two records that share only a preamble are not similar. A
text that is nothing but shared passages is compared whole (it is a copy of
the template, and its copies are its duplicates).

Passages are found on a full run (from an evenly spaced sample of at most
``SAMPLE`` distinct texts) and stored with the signatures; incremental runs
reuse the stored list, so a record's compared text never changes between
runs unless a full run recomputes the list.
"""

from __future__ import annotations

import hashlib

import polars as pl

from curator.core.dedup.shingles import shingle_frame

SAMPLE = 2_000  # distinct texts the shared passages are learnt from
_PASSES = 3  # adjacent passages share a separating space: replace again to catch the next one


def shared_passages(
    texts: pl.Series, ngram: int, share: float, min_texts: int, sample: int = SAMPLE
) -> pl.DataFrame:
    """passage, texts (how many sampled texts contain it), longest first."""
    empty = pl.DataFrame(schema={"passage": pl.String, "texts": pl.UInt32})
    texts = texts.filter(texts != "")
    if texts.len() > sample:
        step = texts.len() / sample
        texts = texts.gather([int(i * step) for i in range(sample)])
    n = texts.len()
    cutoff = max(min_texts, int(share * n + 0.999999))
    if n < cutoff:
        return empty
    grams = shingle_frame(texts, ngram)
    df_counts = grams.group_by("shingle").len()
    frequent = df_counts.filter(pl.col("len") >= cutoff).get_column("shingle")
    if frequent.len() == 0:
        return empty
    # positions of words covered by a frequent shingle, per text
    words = (
        pl.DataFrame({"text": texts})
        .with_row_index("doc")
        .select("doc", pl.col("text").str.split(" ").alias("w"))
        .explode("w")
        .with_columns(pl.int_range(pl.len()).over("doc").alias("pos"))
    )
    parts = [pl.col("w")] + [pl.col("w").shift(-j).over("doc") for j in range(1, ngram)]
    starts = words.with_columns(pl.concat_str(parts, separator=" ").alias("g")).filter(
        pl.col("g").is_in(frequent.implode())
    )
    covered = (
        starts.select("doc", (pl.col("pos") + pl.int_ranges(0, ngram)).alias("pos"))
        .explode("pos")
        .unique()
    )
    runs = (
        words.join(covered, on=["doc", "pos"], how="semi")
        .sort("doc", "pos")
        .with_columns(
            ((pl.col("pos") - pl.col("pos").shift(1).over("doc")).fill_null(2) != 1)
            .cum_sum()
            .alias("run")
        )
        .group_by("doc", "run")
        .agg(pl.col("w").str.join(" ").alias("passage"))
    )
    counted = runs.unique(["doc", "passage"]).group_by("passage").agg(pl.len().alias("texts"))
    return (
        counted.filter(pl.col("texts") >= cutoff)
        .with_columns(pl.col("texts").cast(pl.UInt32))
        .sort([pl.col("passage").str.len_chars(), "passage"], descending=[True, False])
    )


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


def passages_digest(passages: list[str]) -> str:
    """A short digest of the passage list, part of the signature fingerprint."""
    return hashlib.sha1("\x1e".join(passages).encode("utf-8")).hexdigest()[:16]
