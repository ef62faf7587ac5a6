"""Leak-free train/validation split: whole groups go to one side.

Records are grouped (``groups.py``) when they share a dedup cluster, identical
conversation text, a normalised user prompt or a normalised final assistant reply.
Groups are ordered by a seeded hash of the group key that is stable across runs,
machines and library versions (FNV-style byte hash + splitmix64, vectorised in
numpy), and validation takes groups in that order until it holds ``fraction`` of
the records. A group larger than the validation share goes to train whole (the
manifest counts them). Same data + same seed = same split.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import polars as pl
import pyarrow as pa

from curator.core import records as R
from curator.core.errors import CuratorError
from curator.core.export.groups import (
    CONTENT,
    GROUP,
    content_key,
    group_keys,
    grouped_counts,
    shared_on_both_sides,
)

SPLIT: Final = "split"
NAIVE: Final = (
    "_split_by_cluster"  # the split had only clusters and identical texts been kept together
)
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
    data = (
        np.frombuffer(buffers[2], dtype=np.uint8)
        if buffers[2] is not None
        else np.zeros(0, np.uint8)
    )
    starts, ends = offsets[:-1], offsets[1:]
    lengths = ends - starts
    total_start, total_end = int(offsets[0]), int(offsets[-1])
    body = data[total_start:total_end].astype(np.uint64) + np.uint64(1)
    pos = np.arange(total_end - total_start, dtype=np.int64) - np.repeat(
        starts - total_start, lengths
    )
    max_len = int(lengths.max()) if n else 0
    with np.errstate(over="ignore"):
        powers = np.cumprod(np.full(max(max_len, 1), _P, dtype=np.uint64), dtype=np.uint64)
        contrib = body * powers[pos] if body.size else body
        csum = np.concatenate([np.zeros(1, np.uint64), np.cumsum(contrib, dtype=np.uint64)])
        seg = csum[ends - total_start] - csum[starts - total_start]
        seed_word = _mix(np.array([seed & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64))[0]
        x = seg ^ (lengths.astype(np.uint64) * np.uint64(0xD6E8FEB86659FD93)) ^ seed_word
    return _mix(x)


def _sides(g: pl.DataFrame, fraction: float, seed: int) -> tuple[pl.DataFrame, int]:
    """Per group: its split side; and how many groups were too big for validation."""
    groups = g.group_by(GROUP).agg(pl.len().alias("_size"))
    if groups.height < 2:
        raise CuratorError(
            f"cannot split {g.height} record(s): they form {groups.height} group of duplicates, "
            "and a split needs at least two. Export without --split, or add records."
        )
    target = max(1, round(fraction * g.height))
    groups = groups.with_columns(pl.Series("_h", stable_hash(groups.get_column(GROUP), seed)))
    groups = groups.with_columns((pl.col("_size") > target).alias("_big"))
    if groups.get_column(
        "_big"
    ).all():  # none fits: one overshoots rather than leave validation empty
        groups = groups.with_columns(pl.lit(False).alias("_big"))
    groups = groups.sort("_big", "_h", GROUP)
    fits = ~pl.col("_big")
    before = (pl.col("_size") * fits).cum_sum() - pl.col("_size") * fits
    is_last = pl.int_range(pl.len()) == pl.len() - 1
    groups = groups.with_columns(
        pl.when(fits & (before < target) & ~is_last)
        .then(pl.lit("validation"))
        .otherwise(pl.lit("train"))
        .alias(SPLIT)
    )
    big = int(groups.get_column("_big").sum())
    return groups.select(GROUP, SPLIT, "_size", "_big"), big


def assign(df: pl.DataFrame, fraction: float | None, seed: int) -> pl.DataFrame:
    """Adds ``split`` ("train"/"validation"), the link-key columns and ``_split_by_cluster``
    (the side under cluster-only grouping, for counting what would have leaked) to ``df``
    (which needs id, messages, cluster_id)."""
    if fraction is None:
        return df.with_columns(pl.lit("train").alias(SPLIT))
    g = group_keys(df)
    sides, _ = _sides(g, fraction, seed)
    naive = group_keys(g, ("cluster", "conversation")).select(GROUP)  # at least as many groups as g
    naive_sides, _ = _sides(naive, fraction, seed)
    naive_split = naive.join(
        naive_sides.select(GROUP, SPLIT), on=GROUP, how="left", maintain_order="left"
    )
    naive_col = naive_split.get_column(SPLIT).alias(NAIVE)
    out = g.join(
        sides.select(GROUP, SPLIT, pl.col("_big").alias("_to_train_whole")),
        on=GROUP,
        how="left",
        maintain_order="left",
    )
    return out.with_columns(naive_col)


def leakage(df: pl.DataFrame) -> dict[str, Any]:
    """What sits on both sides (all must be 0), what would have without the prompt and
    reply links, and what was grouped to prevent it."""
    if SPLIT not in df.columns or df.height == 0:
        return {
            "clusters_spanning_both": 0,
            "identical_conversations_spanning_both": 0,
            "prompts_spanning_both": 0,
            "replies_spanning_both": 0,
        }
    if CONTENT not in df.columns:
        df = df.with_columns(content_key().hash().alias(CONTENT))
    both = shared_on_both_sides(df, SPLIT)
    out: dict[str, Any] = {
        "clusters_spanning_both": both["cluster"],
        "identical_conversations_spanning_both": both["conversation"],
        "prompts_spanning_both": both.get("prompt", 0),
        "replies_spanning_both": both.get("reply", 0),
        "leaked_cluster_ids": (
            df.filter(pl.col(R.CLUSTER_ID).is_not_null())
            .group_by(R.CLUSTER_ID)
            .agg(pl.col(SPLIT).n_unique().alias("n"))
            .filter(pl.col("n") > 1)
            .get_column(R.CLUSTER_ID)
            .sort()
            .head(20)
            .to_list()
        ),
    }
    if NAIVE in df.columns:
        naive = shared_on_both_sides(df, NAIVE)
        out["would_have_leaked"] = {"prompts": naive["prompt"], "replies": naive["reply"]}
    if GROUP in df.columns:
        out["grouped"] = grouped_counts(df)
    if "_to_train_whole" in df.columns:
        whole = df.filter(pl.col("_to_train_whole").fill_null(False))
        out["groups_to_train_whole"] = {
            "groups": int(whole.get_column(GROUP).n_unique()),
            "records": whole.height,
        }
    return out
