"""Gopher repetition statistics for many texts at once, in Polars and numpy.

Words are hashed once; an n-gram's hash is built by rolling the next word's
hash in, so n = 1..10 cost one pass each over a flat array instead of a Python
loop per text. Definitions follow datatrove's ``GopherRepetitionFilter``
(Rae et al. 2021): the top n-gram's character share (its length in characters
times its count, over the text length) for n = 2..4, and the share of
characters inside repeated n-grams for n = 5..10. The repeated-n-gram share
marks every word covered by a non-first occurrence (datatrove skips ahead
after a match; results agree except where repeats overlap themselves).
"""

from __future__ import annotations

import numpy as np
import polars as pl

TOP_NS = (1, 2, 3, 4)
DUP_NS = (5, 6, 7, 8, 9, 10)
_K1 = np.uint64(0x9E3779B97F4A7C15)
_K2 = np.uint64(0xC2B2AE3D27D4EB4F)


def line_stats(docs: pl.DataFrame, sep: str, prefix: str) -> pl.DataFrame:
    """Per doc: share of lines (or paragraphs) that repeat an earlier one, by count
    and by characters. ``docs`` has columns doc, text, text_len."""
    parts = (
        docs.select("doc", pl.col("text").str.split(sep).alias("p"))
        .explode("p")
        .with_columns(pl.col("p").str.strip_chars())
        .filter(pl.col("p") != "")
        .with_columns(
            (~pl.struct("doc", "p").is_first_distinct()).alias("dup"),
            pl.col("p").str.len_chars().alias("chars"),
        )
    )
    per = parts.group_by("doc").agg(
        pl.len().alias("n"),
        pl.col("dup").sum().alias("d"),
        pl.col("chars").filter(pl.col("dup")).sum().alias("dc"),
    )
    return (
        docs.select("doc", "text_len")
        .join(per, on="doc", how="left")
        .select(
            "doc",
            (pl.col("d") / pl.col("n")).fill_null(0.0).fill_nan(0.0).alias(f"dup_{prefix}_frac"),
            (pl.col("dc") / pl.col("text_len").clip(1))
            .fill_null(0.0)
            .alias(f"dup_{prefix}_char_frac"),
        )
    )


def ngram_stats(docs: pl.DataFrame, dup_min_words: int) -> pl.DataFrame:
    """Per doc (columns doc, words: list[str], text_len): top_N_count/top_N_start
    and top_Ngram_frac for n in 1..4, dup_Ngram_frac for n in 5..10 (only for
    docs with at least ``dup_min_words`` words; 0 otherwise)."""
    flat = docs.select("doc", "words").explode("words").drop_nulls("words")
    out = docs.select("doc", "text_len")
    if flat.height == 0:
        return _empty_stats(out)
    d = flat.get_column("doc").to_numpy().astype(np.int64)
    h = flat.get_column("words").hash(seed=3).to_numpy()
    wl = flat.get_column("words").str.len_chars().to_numpy().astype(np.int64)
    n_words = np.bincount(d, minlength=int(d.max()) + 1)
    N = len(d)
    pos = np.arange(N, dtype=np.int64)
    doc_key = d.astype(np.uint64) * _K2
    g = h.copy()
    cl = wl.copy()
    valid = np.ones(N, dtype=bool)
    cols: dict[str, np.ndarray] = {}
    text_len = np.zeros(len(n_words), dtype=np.float64)
    text_len[out.get_column("doc").to_numpy()] = out.get_column("text_len").to_numpy()
    text_len = np.maximum(text_len, 1.0)
    long_doc = n_words[d] >= dup_min_words
    with np.errstate(over="ignore"):
        for n in range(1, max(DUP_NS) + 1):
            if n > 1:
                m = N - n + 1
                if m <= 0:
                    valid[:] = False
                else:
                    g[:m] = g[:m] * _K1 + h[n - 1 :]
                    cl[:m] += 1 + wl[n - 1 :]
                    valid[:m] &= d[:m] == d[n - 1 :]
                    valid[m:] = False
            key = g ^ doc_key
            if n in TOP_NS:
                _top(cols, n, d[valid], key[valid], cl[valid], pos[valid], text_len)
            if n in DUP_NS:
                sel = valid & long_doc
                frac = _dup_share(n, N, d, wl, key, sel) / text_len
                cols[f"dup_{n}gram_frac"] = frac
    stats = pl.DataFrame({"doc": np.arange(len(n_words)), **cols})
    return out.join(stats, on="doc", how="left").drop("text_len").fill_null(0)


def _top(
    cols: dict[str, np.ndarray],
    n: int,
    d: np.ndarray,
    key: np.ndarray,
    cl: np.ndarray,
    pos: np.ndarray,
    text_len: np.ndarray,
) -> None:
    """Most frequent n-gram per doc: count, first position, and char share."""
    size = len(text_len)
    count = np.zeros(size, dtype=np.int64)
    start = np.full(size, -1, dtype=np.int64)
    share = np.zeros(size, dtype=np.float64)
    if len(d):
        grouped = (
            pl.DataFrame({"doc": d, "key": key, "cl": cl, "pos": pos})
            .group_by("doc", "key")
            .agg(pl.len().alias("c"), pl.col("cl").first(), pl.col("pos").min())
            .with_columns((pl.col("c") * pl.col("cl")).alias("chars"))
        )
        best = grouped.sort("c", "pos", descending=[True, False]).group_by("doc").first()
        idx = best.get_column("doc").to_numpy()
        count[idx] = best.get_column("c").to_numpy()
        start[idx] = best.get_column("pos").to_numpy()
        top_chars = grouped.group_by("doc").agg(pl.col("chars").max())
        tidx = top_chars.get_column("doc").to_numpy()
        share[tidx] = top_chars.get_column("chars").to_numpy() / text_len[tidx]
    cols[f"top_{n}_count"] = count
    cols[f"top_{n}_start"] = start
    cols[f"top_{n}gram_frac"] = np.minimum(share, 1.0)


def _dup_share(
    n: int, N: int, d: np.ndarray, wl: np.ndarray, key: np.ndarray, sel: np.ndarray
) -> np.ndarray:
    """Characters per doc inside n-grams that repeat an earlier n-gram of that doc."""
    size = int(d.max()) + 1
    idx = np.flatnonzero(sel)
    if len(idx) == 0:
        return np.zeros(size)
    first = pl.Series(key[idx]).is_first_distinct().to_numpy()
    starts = np.zeros(N + 1, dtype=np.int64)
    starts[idx[~first]] = 1
    cs = np.concatenate(([0], np.cumsum(starts[:N])))
    i = np.arange(N)
    lo = np.maximum(0, i - n + 1)
    covered = (cs[i + 1] - cs[lo]) > 0
    return np.bincount(d, weights=wl * covered, minlength=size)


def _empty_stats(out: pl.DataFrame) -> pl.DataFrame:
    zeros: dict[str, pl.Expr] = {}
    for n in TOP_NS:
        zeros[f"top_{n}_count"] = pl.lit(0, pl.Int64)
        zeros[f"top_{n}_start"] = pl.lit(-1, pl.Int64)
        zeros[f"top_{n}gram_frac"] = pl.lit(0.0)
    for n in DUP_NS:
        zeros[f"dup_{n}gram_frac"] = pl.lit(0.0)
    return out.select("doc", **zeros)
