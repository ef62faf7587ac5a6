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

from itertools import pairwise

import numpy as np
import polars as pl

from curator.core.dedup.minhash import _KERNEL_LOCK, _kernels, encode
from curator.core.dedup.shared import without_shared
from curator.core.dedup.shingles import char_shingle_frame, shingle_frame
from curator.core.dedup.spaces import char_pair

_ALL_SHORT = 2**31 - 1  # as short_words: every text is shingled into characters
_TEXT_BATCH = 5_000  # texts hashed at a time for exact Jaccard
_JOIN_ROWS = 2_000_000  # without numba: joined shingle rows at a time


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
    words: np.ndarray | None = None,
) -> np.ndarray:
    """Jaccard of the compared shingle sets of texts[i] and texts[j] for each (i, j) row.

    A pair whose shorter text has fewer than ``short_words`` words is compared
    by the character n-grams of both (``spaces.py``), any other by word n-grams.

    With numba, word-shingled pairs are measured by the compiled kernel (each
    shingle hashed to 64 bits, the sorted sets merged); otherwise, and for
    character pairs, Polars hashes the shingle strings to 64 bits and joins. ``words``:
    the texts' word counts (spaces + 1) when the caller has them.
    """
    if pairs.shape[0] == 0:
        return np.empty(0, dtype=np.float64)
    all_words = (
        (texts.str.count_matches(" ").fill_null(0) + 1).to_numpy()
        if words is None
        else np.asarray(words)
    )
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
                words=all_words,
            )
        return out
    involved = np.unique(pairs)
    sub = texts.gather(involved)
    pa = np.searchsorted(involved, pairs[:, 0])
    pb = np.searchsorted(involved, pairs[:, 1])
    kern = _kernels()
    sub_words = all_words[involved].astype(np.int64)
    any_short = bool(((sub != "").fill_null(False).to_numpy() & (sub_words < short_words)).any())
    if kern is None or any_short:
        return _exact_polars(sub, pa, pb, ngram, short_words, char_ngram, shared, passages)
    buf, offsets = encode(sub)
    n_sh = np.maximum(sub_words - ngram + 1, 1)
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


def _hash_sets(
    sub: pl.Series,
    ngram: int,
    short_words: int,
    char_ngram: int,
    shared: list[str],
    passages: list[str],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(starts, counts, hs): text d's distinct compared-shingle hashes, sorted, are
    ``hs[starts[d]:][:counts[d]]``. Hashed ``_TEXT_BATCH`` texts at a time, so only
    8 bytes a shingle are held, whatever the number of pairs."""
    n = sub.len()
    counts = np.zeros(n, dtype=np.int64)
    parts: list[np.ndarray] = []
    for lo in range(0, n, _TEXT_BATCH):
        batch = sub.slice(lo, _TEXT_BATCH)
        g = _shingle_hashes(batch, ngram, short_words, char_ngram, shared, passages).sort(
            "doc", "h"
        )
        counts[lo : lo + batch.len()] = np.bincount(
            g.get_column("doc").to_numpy(), minlength=batch.len()
        )
        parts.append(g.get_column("h").to_numpy())
    hs = np.concatenate(parts) if parts else np.empty(0, dtype=np.uint64)
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    return starts, counts, hs


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
    """Jaccard of the Polars-hashed shingle sets of sub[pa[k]] and sub[pb[k]].

    Memory is linear in the texts, not in the pairs: each text's hash set is held
    once (``_hash_sets``) and the pairs are merged by the compiled kernel, or
    without numba joined ``_JOIN_ROWS`` shingle rows at a time. (Joining every
    pair to its texts' shingles at once held pairs x shingles rows: gigabytes
    when many texts share a large common piece and so are all candidates.)
    """
    starts, counts, hs = _hash_sets(sub, ngram, short_words, char_ngram, shared, passages)
    res = np.empty(len(pa), dtype=np.float64)
    kern = _kernels()
    if kern is not None:
        with _KERNEL_LOCK:
            kern.pair_jaccard(starts, counts, hs, pa.astype(np.int64), pb.astype(np.int64), res)
        return res
    doc = np.repeat(np.arange(len(counts), dtype=np.uint32), counts)
    frame = pl.DataFrame({"doc": doc, "h": hs})
    # pairs in chunks of about _JOIN_ROWS joined rows (each pair joins its first text's set)
    chunk = np.cumsum(counts[pa]) // _JOIN_ROWS
    cuts = [0, *(np.flatnonzero(np.diff(chunk)) + 1).tolist(), len(pa)]
    for lo, hi in pairwise(cuts):
        res[lo:hi] = _join_jaccard(frame, counts, pa[lo:hi], pb[lo:hi])
    return res


def _join_jaccard(
    hs: pl.DataFrame, counts: np.ndarray, pa: np.ndarray, pb: np.ndarray
) -> np.ndarray:
    """Jaccard of the sets of pa[k] and pb[k] by a join (doc, h: distinct per doc)."""
    p = pl.DataFrame({"a": pa.astype(np.uint32), "b": pb.astype(np.uint32)}).with_row_index("pair")
    inter = (
        p.join(hs.rename({"doc": "a"}), on="a")
        .join(hs.rename({"doc": "b"}), on=["b", "h"])
        .group_by("pair")
        .len("inter")
    )
    got = p.join(inter, on="pair", how="left").sort("pair").get_column("inter")
    inter_v = got.fill_null(0).cast(pl.Float64).to_numpy()
    union_v = (counts[pa] + counts[pb]).astype(np.float64) - inter_v
    return np.where(union_v > 0, inter_v / np.maximum(union_v, 1.0), 1.0)
