"""Leak-free train/validation split: whole clusters go to one side.

Records are grouped by their dedup ``cluster_id``; records without one are
grouped with any record of identical conversation text, else stand alone
(keyed by id). Groups are ordered by a seeded hash of the group key that is
stable across runs, machines and library versions (FNV-style byte hash +
splitmix64, vectorised in numpy), and validation takes groups in that order
until it holds ``fraction`` of the records. Same data + same seed = same split.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import polars as pl
import pyarrow as pa

from curator.core import records as R
from curator.core.errors import CuratorError

SPLIT: Final = "split"
GROUP: Final = "_group"
CONTENT: Final = "_content"
_P: Final = np.uint64(0x100000001B3)  # FNV-1 64-bit prime


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: every input bit affects every output bit."""
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def stable_hash(keys: pl.Series, seed: int) -> np.ndarray:
    """A uint64 hash per string, identical on every platform and version."""
    arr: Any = keys.fill_null("").cast(pl.String).to_arrow().cast(pa.large_string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    n = len(arr)
    buffers = arr.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[arr.offset : arr.offset + n + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, np.uint8)
    starts, ends = offsets[:-1], offsets[1:]
    lengths = ends - starts
    total_start, total_end = int(offsets[0]), int(offsets[-1])
    body = data[total_start:total_end].astype(np.uint64) + np.uint64(1)
    pos = np.arange(total_end - total_start, dtype=np.int64) - np.repeat(starts - total_start, lengths)
    max_len = int(lengths.max()) if n else 0
    with np.errstate(over="ignore"):
        powers = np.cumprod(np.full(max(max_len, 1), _P, dtype=np.uint64), dtype=np.uint64)
        contrib = body * powers[pos] if body.size else body
        csum = np.concatenate([np.zeros(1, np.uint64), np.cumsum(contrib, dtype=np.uint64)])
        seg = csum[ends - total_start] - csum[starts - total_start]
        seed_word = _mix(np.array([seed & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64))[0]
        x = seg ^ (lengths.astype(np.uint64) * np.uint64(0xD6E8FEB86659FD93)) ^ seed_word
    return _mix(x)


def content_key() -> pl.Expr:
    """The conversation's text (roles + contents) as one string, for identity checks."""
    m = pl.element()
    return (
        pl.col(R.MESSAGES)
        .list.eval(m.struct.field("role").fill_null("") + "\x1f" + m.struct.field("content").fill_null(""))
        .list.join("\x1e")
    )


def group_keys(df: pl.DataFrame) -> pl.DataFrame:
    """Adds ``_group`` (cluster id, else first id with identical text) and ``_content``."""
    out = df.with_columns(content_key().hash().alias(CONTENT))
    per_content = out.group_by(CONTENT).agg(
        pl.col(R.CLUSTER_ID).min().alias("_c"), pl.col(R.ID).min().alias("_r")
    )
    group = pl.coalesce(pl.format("c:{}", pl.col("_c")), pl.format("r:{}", pl.col("_r"))).alias(GROUP)
    per_content = per_content.select(CONTENT, group)
    return out.join(per_content, on=CONTENT, how="left", maintain_order="left")


def assign(df: pl.DataFrame, fraction: float | None, seed: int) -> pl.DataFrame:
    """Adds ``split`` ("train"/"validation") and ``_content`` (a hash of the text) to ``df``
    (which needs id, messages, cluster_id)."""
    if fraction is None:
        return df.with_columns(pl.lit("train").alias(SPLIT))
    g = group_keys(df)
    groups = g.group_by(GROUP).agg(pl.len().alias("_size"))
    if groups.height < 2:
        raise CuratorError(
            f"cannot split {df.height} record(s): they form {groups.height} group of duplicates, "
            "and a split needs at least two. Export without --split, or add records."
        )
    groups = groups.with_columns(pl.Series("_h", stable_hash(groups.get_column(GROUP), seed)))
    groups = groups.sort("_h", GROUP)
    target = max(1, round(fraction * df.height))
    before = pl.col("_size").cum_sum() - pl.col("_size")
    is_last = pl.int_range(pl.len()) == pl.len() - 1
    groups = groups.with_columns(
        pl.when((before < target) & ~is_last).then(pl.lit("validation")).otherwise(pl.lit("train")).alias(SPLIT)
    )
    return g.join(groups.select(GROUP, SPLIT), on=GROUP, how="left", maintain_order="left").drop(GROUP)


def leakage(df: pl.DataFrame) -> dict[str, Any]:
    """Clusters and identical conversations found on both sides (both must be 0)."""
    if SPLIT not in df.columns or df.height == 0:
        return {"clusters_spanning_both": 0, "identical_conversations_spanning_both": 0}
    clusters = (
        df.filter(pl.col(R.CLUSTER_ID).is_not_null())
        .group_by(R.CLUSTER_ID)
        .agg(pl.col(SPLIT).n_unique().alias("n"))
        .filter(pl.col("n") > 1)
    )
    content = pl.col(CONTENT) if CONTENT in df.columns else content_key().hash()
    same = (
        df.with_columns(content.alias("_c"))
        .group_by("_c")
        .agg(pl.col(SPLIT).n_unique().alias("n"))
        .filter(pl.col("n") > 1)
    )
    return {
        "clusters_spanning_both": clusters.height,
        "identical_conversations_spanning_both": same.height,
        "leaked_cluster_ids": clusters.get_column(R.CLUSTER_ID).head(20).to_list(),
    }
