"""Gopher repetition statistics for many texts at once, in Polars and numpy.

Words are hashed once; an n-gram's hash is built by rolling the next word's
hash in, so n = 1..10 cost one pass each over a flat array instead of a Python
loop per text. Definitions follow datatrove's ``GopherRepetitionFilter``
(Rae et al. 2021): the top n-gram's character share (its length in characters
times its count, over the text length) for n = 2..4, and the share of
characters inside repeated n-grams for n = 5..10 (a run of L repeated words
counts floor(L / n) * n of them, as datatrove's skip-ahead scan does).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import polars as pl

TOP_NS = (2, 3, 4)
LOOP_N = 8
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


def _rolling(
    d: np.ndarray, h: np.ndarray, wl: np.ndarray, upto: int
) -> Iterator[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
    """(n, key, char length, valid) for n = 1..upto; keys include the doc."""
    N = len(d)
    doc_key = d.astype(np.uint64) * _K2
    g = h.copy()
    cl = wl.copy()
    valid = np.ones(N, dtype=bool)
    with np.errstate(over="ignore"):
        for n in range(1, upto + 1):
            if n > 1:
                m = N - n + 1
                if m <= 0:
                    valid[:] = False
                else:
                    g[:m] = g[:m] * _K1 + h[n - 1 :]
                    cl[:m] += 1 + wl[n - 1 :]
                    valid[:m] &= d[:m] == d[n - 1 :]
                    valid[m:] = False
            yield n, g ^ doc_key, cl, valid


def _flatten(docs: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    flat = docs.select("doc", "words").explode("words").drop_nulls("words")
    d = flat.get_column("doc").to_numpy().astype(np.int64)
    h = flat.get_column("words").hash(seed=3).to_numpy()
    wl = flat.get_column("words").str.len_chars().to_numpy().astype(np.int64)
    return d, h, wl


def ngram_stats(docs: pl.DataFrame, dup_min_words: int) -> pl.DataFrame:
    """Per doc (columns doc, words: list[str], text_len): top_Ngram_frac for
    n in 2..4 and dup_Ngram_frac for n in 5..10 (the latter only for docs with
    at least ``dup_min_words`` words; 0 otherwise)."""
    out = docs.select("doc", "text_len")
    d, h, wl = _flatten(docs)
    if len(d) == 0:
        return _empty_stats(out)
    size = int(out.get_column("doc").max()) + 1  # type: ignore[arg-type]
    n_words = np.bincount(d, minlength=size)
    pos = np.arange(len(d), dtype=np.int64)
    text_len = np.ones(size, dtype=np.float64)
    text_len[out.get_column("doc").to_numpy()] = np.maximum(
        out.get_column("text_len").to_numpy(), 1
    )
    long_doc = n_words[d] >= dup_min_words
    cols: dict[str, np.ndarray] = {}
    for n, key, cl, valid in _rolling(d, h, wl, max(DUP_NS)):
        if n in TOP_NS:
            cols[f"top_{n}gram_frac"] = _top_share(
                d[valid], key[valid], cl[valid], pos[valid], text_len
            )
        if n in DUP_NS:
            sel = valid & long_doc
            cols[f"dup_{n}gram_frac"] = _dup_share(n, len(d), d, wl, key, sel, size) / text_len
            # A repeated (n+1)-gram contains a repeated n-gram: only docs with one go on.
            long_doc = long_doc & (cols[f"dup_{n}gram_frac"][d] > 0)
    stats = pl.DataFrame({"doc": np.arange(size), **cols})
    return out.join(stats, on="doc", how="left").drop("text_len").fill_null(0)


def loop_stats(docs: pl.DataFrame) -> pl.DataFrame:
    """Per doc (columns doc, words): how much of the text is one repeating unit.

    With L = 8-word windows, a text that loops a phrase of p words has only p
    distinct windows, each seen about r times. Returns loop_share (1 - distinct
    windows / windows), period (p, the number of windows seen at least half as
    often as the top one), repeats (r) and loop_start (word index where the
    loop begins). Varying content (a JSON list with counters) keeps windows
    distinct, so it is not a loop."""
    schema = {
        "doc": pl.Int64,
        "loop_share": pl.Float64,
        "period": pl.Int64,
        "repeats": pl.Int64,
        "loop_start": pl.Int64,
    }
    d, h, wl = _flatten(docs)
    if len(d) == 0:
        return pl.DataFrame(schema=schema)
    *_, (_n, key, _cl, valid) = _rolling(d, h, wl, LOOP_N)
    pos = np.arange(len(d), dtype=np.int64)
    grams = (
        pl.DataFrame({"doc": d[valid], "key": key[valid], "pos": pos[valid]})
        .group_by("doc", "key")
        .agg(pl.len().alias("c"), pl.col("pos").min())
    )
    per = grams.group_by("doc").agg(
        pl.col("c").sum().alias("total"),
        pl.len().alias("distinct"),
        pl.col("c").max().alias("top"),
    )
    rot = grams.join(per, on="doc").filter(pl.col("c") * 2 >= pl.col("top"))
    rot = rot.group_by("doc").agg(
        pl.len().alias("period"), pl.col("pos").min().alias("loop_start"), pl.col("top").first()
    )
    first_pos = pl.DataFrame({"doc": d, "p": pos}).group_by("doc").agg(pl.col("p").min())
    return (
        per.join(rot.drop("top"), on="doc")
        .join(first_pos, on="doc")
        .select(
            pl.col("doc").cast(pl.Int64),
            (1 - pl.col("distinct") / pl.col("total")).alias("loop_share"),
            pl.col("period").cast(pl.Int64),
            # r windows-per-rotation plus the ones cut off at the loop's end
            (pl.col("top") + (LOOP_N + pl.col("period") - 1) // pl.col("period") - 1)
            .cast(pl.Int64)
            .alias("repeats"),
            (pl.col("loop_start") - pl.col("p")).cast(pl.Int64).alias("loop_start"),
        )
    )


def _top_share(
    d: np.ndarray, key: np.ndarray, cl: np.ndarray, pos: np.ndarray, text_len: np.ndarray
) -> np.ndarray:
    """datatrove's top n-gram share: the most frequent n-gram (first seen on
    ties), its length in characters times its count, over the text length.

    Positions arrive in doc order, so per-doc maxima are segment reductions."""
    share = np.zeros(len(text_len), dtype=np.float64)
    if len(d) == 0:
        return share
    _, inv, counts = np.unique(key, return_inverse=True, return_counts=True)
    c = counts[inv]
    starts = np.flatnonzero(np.concatenate(([True], d[1:] != d[:-1])))
    docs = d[starts]
    doc_max = np.maximum.reduceat(c, starts)
    seg = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(d))))
    at_max = np.flatnonzero(c == doc_max[seg])
    _, first = np.unique(seg[at_max], return_index=True)
    best = at_max[first]  # earliest position of a most frequent n-gram, per doc
    share[docs] = c[best] * cl[best] / text_len[docs]
    return np.minimum(share, 1.0)


def _dup_share(
    n: int, N: int, d: np.ndarray, wl: np.ndarray, key: np.ndarray, sel: np.ndarray, size: int
) -> np.ndarray:
    """Characters per doc inside n-grams that repeat an earlier n-gram of that doc."""
    idx = np.flatnonzero(sel)
    if len(idx) == 0:
        return np.zeros(size)
    first = np.zeros(len(idx), dtype=bool)
    first[np.unique(key[idx], return_index=True)[1]] = True
    starts = np.zeros(N + 1, dtype=np.int64)
    starts[idx[~first]] = 1
    cs = np.concatenate(([0], np.cumsum(starts[:N])))
    i = np.arange(N)
    lo = np.maximum(0, i - n + 1)
    covered = (cs[i + 1] - cs[lo]) > 0
    # datatrove scans left to right and jumps n words after each repeat, so a run
    # of L repeated words counts floor(L / n) * n of them: keep that prefix of each run.
    prev_cov = np.concatenate(([False], covered[:-1]))
    prev_doc = np.concatenate(([-1], d[:-1]))
    seg_start = covered & (~prev_cov | (d != prev_doc))
    seg = np.cumsum(seg_start) - 1
    starts = np.flatnonzero(seg_start)
    if len(starts) == 0:
        return np.zeros(size)
    seg_len = np.bincount(seg[covered], minlength=len(starts))
    rank = i - starts[np.clip(seg, 0, None)]
    keep = covered & (rank < (seg_len[np.clip(seg, 0, None)] // n) * n)
    return np.bincount(d, weights=wl * keep, minlength=size)


def _empty_stats(out: pl.DataFrame) -> pl.DataFrame:
    zeros = {f"top_{n}gram_frac": pl.lit(0.0) for n in TOP_NS}
    zeros |= {f"dup_{n}gram_frac": pl.lit(0.0) for n in DUP_NS}
    return out.select("doc", **zeros)
