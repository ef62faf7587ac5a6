"""Shingles of normalised text: the reference definitions and Polars versions.

A normalised text has single spaces between words and none at either end (see
``normalize.py``). Its word shingles are the distinct ``" ".join(words[i:i+n])``;
a text with fewer than ``n`` words is one shingle (itself); an empty text has
none. A short text (fewer than ``short_words`` words) is shingled into its
distinct character n-grams ``text[i:i+c]`` instead (the whole text when it is
shorter than ``c``). A pair is compared in its shorter text's shingles
(``compared_pair_sets``, ``spaces.py``). The compiled kernel and the numpy path follow these
definitions, and tests compare them against ``datasketch.MinHash`` fed with
these shingles.
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


def char_shingle_set(text: str, n: int) -> set[str]:
    """Reference character n-gram shingles of one normalised text."""
    if not text:
        return set()
    if len(text) < n:
        return {text}
    return {text[i : i + n] for i in range(len(text) - n + 1)}


def is_short(text: str, short_words: int) -> bool:
    """Whether a compared text is shingled into characters (fewer than ``short_words`` words)."""
    return bool(text) and text.count(" ") + 1 < short_words


def compared_shingle_set(
    text: str,
    ngram: int,
    short_words: int,
    char_ngram: int,
    shared_shingles: frozenset[str] = frozenset(),
    passages: tuple[str, ...] = (),
    as_char: bool = False,
) -> set[str]:
    """The shingles dedup compares for one scope text (reference; see ``shared.py``).

    Short (or ``as_char``): character n-grams of the text without the shared
    passages. Else: word n-grams without the shared shingles (all of them if
    none is left).
    """
    if is_short(text, short_words) or (as_char and text):
        if passages:
            from curator.core.dedup.shared import without_shared

            text = without_shared(pl.Series([text]), list(passages))[0]
        return char_shingle_set(text, char_ngram)
    whole = shingle_set(text, ngram)
    return (whole - shared_shingles) or whole


def compared_pair_sets(
    a: str,
    b: str,
    ngram: int,
    short_words: int,
    char_ngram: int,
    shared_shingles: frozenset[str] = frozenset(),
    passages: tuple[str, ...] = (),
) -> tuple[set[str], set[str]]:
    """The two shingle sets a pair is compared by (reference; see ``spaces.py``).

    Both texts are shingled into characters when the shorter one is short, so
    a 45-word text and its 53-word edit are compared like for like.
    """
    as_char = is_short(a, short_words) or is_short(b, short_words)
    args = (ngram, short_words, char_ngram, shared_shingles, passages, as_char)
    return compared_shingle_set(a, *args), compared_shingle_set(b, *args)


def char_shingle_frame(texts: pl.Series, n: int) -> pl.DataFrame:
    """Distinct (doc, shingle) character n-gram rows, vectorised in Polars."""
    chars = (
        pl.DataFrame({"text": texts.fill_null("")})
        .with_row_index("doc")
        .filter(pl.col("text") != "")
        .with_columns(pl.col("text").str.len_chars().alias("nc"))
    )
    short = chars.filter(pl.col("nc") < n).select("doc", pl.col("text").alias("shingle"))
    long = (
        chars.filter(pl.col("nc") >= n)
        .select("doc", pl.col("text").str.split("").alias("c"))
        .explode("c")
    )
    parts = [pl.col("c")] + [pl.col("c").shift(-j) for j in range(1, n)]
    same_doc = pl.col("doc").shift(-(n - 1)) == pl.col("doc")
    grams = long.select(
        "doc", pl.concat_str(parts, separator="").alias("shingle"), same_doc.alias("ok")
    ).filter(pl.col("ok"))
    out = pl.concat([grams.select("doc", "shingle"), short.cast({"doc": pl.UInt32})])
    return out.unique(maintain_order=False)


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
