"""Exact Jaccard of candidate pairs, pair by pair, on the shingles dedup compares.

MinHash finds candidates; the similarity stored and shown is the exact Jaccard
of the two texts' compared shingle sets (``shingles.compared_shingle_set``:
word n-grams without the shared shingles, or character n-grams of a short text
without the shared passages), so a pair at 0.81 is not lost to the estimate's
noise and one at 0.79 is not let in. Vectorised in Polars over the texts that
appear in a candidate pair only: shingles are hashed to 64 bits and the
intersection is a join.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from curator.core.dedup.minhash import _KERNEL_LOCK, _kernels, encode
from curator.core.dedup.shared import without_shared
from curator.core.dedup.shingles import char_shingle_frame, shingle_frame
from curator.core.dedup.spaces import char_pair

_ALL_SHORT = 2**31 - 1  # as short_words: every text is shingled into characters


def _renumber(frame: pl.DataFrame, idx: pl.Series) -> pl.DataFrame:
    """doc numbers of a subset's shingle frame mapped back to positions in the full list."""
    back = idx.to_numpy()[frame.get_column("doc").to_numpy()]
    return frame.with_columns(pl.Series("doc", back, dtype=pl.UInt32))


def _shingle_hashes(
    texts: pl.Series,
    ngram: int,
    short_words: int,
    char_ngram: int,
    shared: list[str],
    passages: list[str],
) -> pl.DataFrame:
    """doc, h: distinct 64-bit hashes of each text's compared shingles."""
    words = texts.str.count_matches(" ", literal=True) + 1
    short = ((texts != "") & (words < short_words)).fill_null(False)
    idx = pl.Series(np.arange(texts.len(), dtype=np.uint32))
    parts = []
    long_idx, short_idx = idx.filter(~short), idx.filter(short)
    if long_idx.len():
        g = _renumber(shingle_frame(texts.gather(long_idx), ngram), long_idx)
        if shared:
            is_shared = pl.col("shingle").is_in(pl.Series(shared, dtype=pl.String).implode())
            g = g.filter(~is_shared | is_shared.all().over("doc"))
        parts.append(g)
    if short_idx.len():
        cut = without_shared(texts.gather(short_idx), passages)
        g = _renumber(char_shingle_frame(cut, char_ngram), short_idx)
        parts.append(g)
    if not parts:
        return pl.DataFrame(schema={"doc": pl.UInt32, "h": pl.UInt64})
    return (
        pl.concat(parts)
        .select(pl.col("doc").cast(pl.UInt32), pl.col("shingle").hash(seed=7).alias("h"))
        .unique()
    )


def exact_jaccard(
    texts: pl.Series,
    pairs: np.ndarray,
    *,
    ngram: int,
    short_words: int,
    char_ngram: int,
    shared: list[str],
    passages: list[str],
) -> np.ndarray:
    """Jaccard of the compared shingle sets of texts[i] and texts[j] for each (i, j) row.

    A pair whose shorter text has fewer than ``short_words`` words is compared
    by the character n-grams of both (``spaces.py``), any other by word n-grams.

    With numba, word-shingled pairs are measured by the compiled kernel (each
    shingle hashed to 64 bits, the sorted sets merged); otherwise, and for
    character pairs, Polars hashes the shingle strings to 64 bits and joins.
    """
    if pairs.shape[0] == 0:
        return np.empty(0, dtype=np.float64)
    all_words = (texts.str.count_matches(" ", literal=True) + 1).to_numpy()
    by_char = char_pair(all_words, pairs, short_words)
    if by_char.any():
        # a pair whose shorter text is short is compared by character n-grams (spaces.py)
        out = np.empty(pairs.shape[0], dtype=np.float64)
        sub_pairs = pairs[by_char]
        involved = np.unique(sub_pairs)
        out[by_char] = _exact_polars(
            texts.gather(involved),
            np.searchsorted(involved, sub_pairs[:, 0]),
            np.searchsorted(involved, sub_pairs[:, 1]),
            ngram,
            _ALL_SHORT,
            char_ngram,
            shared,
            passages,
        )
        if (~by_char).any():
            out[~by_char] = exact_jaccard(
                texts,
                pairs[~by_char],
                ngram=ngram,
                short_words=short_words,
                char_ngram=char_ngram,
                shared=shared,
                passages=passages,
            )
        return out
    involved = np.unique(pairs)
    sub = texts.gather(involved)
    pa = np.searchsorted(involved, pairs[:, 0])
    pb = np.searchsorted(involved, pairs[:, 1])
    kern = _kernels()
    words = sub.str.count_matches(" ", literal=True) + 1
    any_short = bool(((sub != "") & (words < short_words)).any())
    if kern is None or any_short:
        return _exact_polars(sub, pa, pb, ngram, short_words, char_ngram, shared, passages)
    buf, offsets = encode(sub)
    n_sh = np.maximum(words.to_numpy().astype(np.int64) - ngram + 1, 1)
    starts = np.zeros(len(n_sh) + 1, dtype=np.int64)
    np.cumsum(n_sh, out=starts[1:])
    hs = np.empty(int(starts[-1]), dtype=np.uint64)
    counts = np.zeros(len(n_sh), dtype=np.int64)
    res = np.empty(len(pa), dtype=np.float64)
    with _KERNEL_LOCK:
        drop = np.empty(len(shared), dtype=np.uint64)
        if shared:  # the shared shingles, by the same 64-bit hash
            kern.text_hashes64(*encode(shared), drop)
        kern.compared_hashes(buf, offsets, ngram, np.unique(drop), starts, hs, counts)
        kern.pair_jaccard(starts, counts, hs, pa.astype(np.int64), pb.astype(np.int64), res)
    return res


def _exact_polars(
    sub: pl.Series,
    pa: np.ndarray,
    pb: np.ndarray,
    ngram: int,
    short_words: int,
    char_ngram: int,
    shared: list[str],
    passages: list[str],
) -> np.ndarray:
    hs = _shingle_hashes(sub, ngram, short_words, char_ngram, shared, passages)
    sizes = hs.group_by("doc").len("n")
    p = pl.DataFrame({"a": pa.astype(np.uint32), "b": pb.astype(np.uint32)}).with_row_index("pair")
    inter = (
        p.join(hs.rename({"doc": "a"}), on="a")
        .join(hs.rename({"doc": "b"}), on=["b", "h"])
        .group_by("pair")
        .len("inter")
    )
    out = (
        p.join(inter, on="pair", how="left")
        .join(sizes.rename({"doc": "a", "n": "na"}), on="a", how="left")
        .join(sizes.rename({"doc": "b", "n": "nb"}), on="b", how="left")
        .sort("pair")
        .select(
            inter=pl.col("inter").fill_null(0).cast(pl.Float64),
            union=(
                pl.col("na").fill_null(0) + pl.col("nb").fill_null(0) - pl.col("inter").fill_null(0)
            ).cast(pl.Float64),
        )
    )
    inter_v = out.get_column("inter").to_numpy()
    union_v = out.get_column("union").to_numpy()
    return np.where(union_v > 0, inter_v / np.maximum(union_v, 1.0), 1.0)
