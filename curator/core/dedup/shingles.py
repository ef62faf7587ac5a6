"""Word n-gram shingles of normalised text: the reference definition and a Polars version.

A normalised text has single spaces between words and none at either end (see
``normalize.py``). Its shingles are the distinct ``" ".join(words[i:i+n])``;
a text with fewer than ``n`` words is one shingle (itself); an empty text has
none. Both the compiled kernel and the numpy path follow this definition, and
tests compare them against ``datasketch.MinHash`` fed with these shingles.
"""

from __future__ import annotations

import polars as pl


def shingle_set(text: str, ngram: int) -> set[str]:
    """Reference (pure Python) shingles of one normalised text."""
    words = text.split(" ") if text else []
    if not words:
        return set()
    if len(words) < ngram:
        return {" ".join(words)}
    return {" ".join(words[i : i + ngram]) for i in range(len(words) - ngram + 1)}


def shingle_frame(texts: pl.Series, ngram: int) -> pl.DataFrame:
    """Distinct (doc, shingle) rows for every text, vectorised in Polars.

    ``doc`` is the text's position in ``texts``. Texts shorter than ``ngram``
    words give one row with the whole text; empty texts give none.
    """
    words = (
        pl.DataFrame({"text": texts.fill_null("")})
        .with_row_index("doc")
        .filter(pl.col("text") != "")
        .with_columns(pl.col("text").str.split(" ").alias("w"))
        .with_columns(pl.col("w").list.len().alias("nw"))
    )
    short = words.filter(pl.col("nw") < ngram).select("doc", pl.col("text").alias("shingle"))
    long = words.filter(pl.col("nw") >= ngram).select("doc", "w").explode("w")
    parts = [pl.col("w")] + [pl.col("w").shift(-j) for j in range(1, ngram)]
    same_doc = pl.col("doc").shift(-(ngram - 1)) == pl.col("doc")
    grams = long.select(
        "doc", pl.concat_str(parts, separator=" ").alias("shingle"), same_doc.alias("ok")
    ).filter(pl.col("ok"))
    out = pl.concat([grams.select("doc", "shingle"), short.cast({"doc": pl.UInt32})])
    return out.unique(maintain_order=False)
