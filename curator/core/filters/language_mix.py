"""One side of a conversation switching language part-way ("... on Monday morning.
Das Paket hat unser Lager am Montag verlassen ...").

langdetect is confidently wrong on short texts ("each daisy bouquet contains
daisies" comes out French at 0.99999), so a chunk of a side counts as another
language only when three things agree:

1. its prose (see :func:`language.prose`) is detected as a language unrelated to
   the side's own, at ``CONFIDENT`` or more;
2. the same chunk with its capitalised words kept is detected as that language
   too (German nouns keep German German; English names do not make it Italian);
3. at most ``MAX_SHARED`` of its distinct words occur elsewhere in the record: a
   real switch uses other words, a misread English chunk reuses the record's
   nouns ("bouquets", "daisies").

Chunks are consecutive sentences grouped to about ``chunk_letters`` letters of
prose. Everything is vectorised; only suspect chunks get the second detection.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

import polars as pl

from curator.core import records as R
from curator.core.jobs import Progress

CONFIDENT = 0.9
MAX_SHARED = 0.2
SENTENCE_END = r"(?:[.!?…。！？]+\s+|\n+)"

Detect = Callable[[pl.Series, str], Generator[Progress, None, pl.DataFrame]]


def chunk_texts(
    sides: pl.DataFrame,
    chunk_letters: int,
    prefix_chars: int,
    prose: Callable[[pl.Expr], pl.Expr],
) -> pl.DataFrame:
    """id, role, chunk, text (prose) and raw (the chunk's sentences as written)."""
    sentences = (
        sides.select(
            R.ID,
            "role",
            pl.col("raw")
            .str.slice(0, 2 * prefix_chars)
            .str.replace_all(SENTENCE_END, "\x1f")
            .str.split("\x1f")
            .alias("s"),
        )
        .explode("s")
        .with_columns(prose(pl.col("s")).alias("p"))
        .filter(pl.col("p") != "")
        .with_columns(pl.col("p").str.count_matches(r"\p{L}").alias("n"))
        .with_columns(
            ((pl.col("n").cum_sum() - pl.col("n")).over(R.ID, "role") // chunk_letters).alias(
                "chunk"
            )
        )
    )
    return (
        sentences.group_by(R.ID, "role", "chunk")
        .agg(
            pl.col("p").str.join(" ").alias("text"),
            pl.col("s").str.join(" ").alias("raw"),
            pl.col("n").sum(),
        )
        .filter(pl.col("n") >= chunk_letters)
        .drop("n")
    )


def shared_words(chunks: pl.DataFrame, sides: pl.DataFrame) -> pl.DataFrame:
    """Per chunk: the share of its distinct words that also occur outside it in
    the record (either side). ``sides`` has id and ``prose`` (the whole side)."""
    words = pl.col("text").str.to_lowercase().str.split(" ")
    in_chunk = (
        chunks.select(R.ID, "role", "chunk", words.alias("w"))
        .explode("w")
        .group_by(R.ID, "role", "chunk", "w")
        .agg(pl.len().alias("k"))
    )
    in_record = (
        sides.select(R.ID, pl.col("prose").str.to_lowercase().str.split(" ").alias("w"))
        .explode("w")
        .group_by(R.ID, "w")
        .agg(pl.len().alias("total"))
    )
    return (
        in_chunk.join(in_record, on=[R.ID, "w"], how="left")
        .group_by(R.ID, "role", "chunk")
        .agg((pl.col("total").fill_null(0) > pl.col("k")).mean().alias("shared"))
    )


def side_splits(
    sides: pl.DataFrame,
    chunk_letters: int,
    prefix_chars: int,
    engine: str,
    detect: Detect,
    prose: Callable[[pl.Expr], pl.Expr],
    prose_caps: Callable[[pl.Expr], pl.Expr],
    related: Callable[[str, str], pl.Expr],
) -> Generator[Progress, None, pl.DataFrame]:
    """id, role, split_a (the side's language), split_b (the other) for sides that
    switch language; ``sides`` has id, role, raw, lang and letters."""
    cand = sides.filter(pl.col("letters") >= 2 * chunk_letters)
    chunks = chunk_texts(cand, chunk_letters, prefix_chars, prose)
    det = yield from detect(chunks.get_column("text").unique(), engine)
    main = cand.select(R.ID, "role", pl.col("lang").alias("side_lang"))
    suspects = (
        chunks.join(det.select("text", "lang", "prob"), on="text", how="left")
        .join(main, on=[R.ID, "role"], how="left")
        .filter((pl.col("prob") >= CONFIDENT) & ~related("lang", "side_lang"))
    )
    if suspects.height == 0:
        return _empty()
    records = sides.filter(pl.col(R.ID).is_in(suspects.get_column(R.ID).implode())).select(
        R.ID, prose(pl.col("raw")).alias("prose")
    )
    suspects = suspects.join(shared_words(suspects, records), on=[R.ID, "role", "chunk"])
    suspects = suspects.filter(pl.col("shared") <= MAX_SHARED).with_columns(
        prose_caps(pl.col("raw")).alias("caps")
    )
    caps = yield from detect(suspects.get_column("caps").unique(), engine)
    confirmed = suspects.join(
        caps.select(
            pl.col("text").alias("caps"),
            pl.col("lang").alias("lang_caps"),
            pl.col("prob").alias("prob_caps"),
        ),
        on="caps",
        how="left",
    ).filter((pl.col("lang_caps") == pl.col("lang")) & (pl.col("prob_caps") >= CONFIDENT))
    return (
        confirmed.group_by(R.ID, "role", "side_lang", "lang")
        .agg(pl.len().alias("k"))
        .sort(["k", "lang"], descending=[True, False])
        .group_by(R.ID, "role", maintain_order=True)
        .first()
        .select(R.ID, "role", pl.col("side_lang").alias("split_a"), pl.col("lang").alias("split_b"))
    )


def _empty() -> pl.DataFrame:
    return pl.DataFrame(
        schema={R.ID: pl.String, "role": pl.String, "split_a": pl.String, "split_b": pl.String}
    )
