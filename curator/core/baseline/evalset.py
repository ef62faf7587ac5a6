"""The held-out evaluation set: records on the validation side of the export's split.

The split (``core/export/split.py``) keeps whole groups — dedup clusters, identical
conversations, shared normalised prompts and replies — on one side, so a model
fine-tuned on ``train.jsonl`` of ``curator export --split F --seed S`` never saw an
eval record nor a near copy of one. Up to ``EVAL_MAX`` records are drawn from that
side, allocated over topics in proportion to the whole data (stratified), one record
per group before a second one.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import polars as pl

from curator.core import records as R
from curator.core.export.groups import GROUP
from curator.core.export.split import SPLIT, stable_hash

EVAL_MAX: Final = 500  # a pass rate on 500 items is within about ±4.4 points (95%)
TOPIC: Final = "_topic"


def allocate(shares: np.ndarray, available: np.ndarray, size: int) -> np.ndarray:
    """Per topic, how many to take: proportional to ``shares`` (largest remainder),
    at least one where available, never more than ``available`` nor about twice
    a topic's share (so one big group on the validation side cannot fill the set)."""
    want = shares / max(shares.sum(), 1) * size
    available = np.minimum(
        available, np.ceil(2 * want).astype(np.int64) + 1
    )  # no topic above ~2x its share
    take = np.minimum(np.floor(want).astype(np.int64), available)
    take = np.maximum(take, np.minimum(available, 1))
    while take.sum() > size:  # the at-least-one rule overshot: trim the largest
        take[int(np.argmax(take))] -= 1
    rest = want - take
    while take.sum() < size and (take < available).any():
        open_ = np.where(take < available, rest, -np.inf)
        j = int(np.argmax(open_))
        take[j] += 1
        rest[j] -= 1
    return take


def choose(
    rows: pl.DataFrame, seed: int, eval_max: int = EVAL_MAX
) -> tuple[pl.DataFrame, dict[str, object]]:
    """The eval rows (validation side, stratified over ``_topic``) and how they were chosen."""
    k = int(rows.get_column(TOPIC).cast(pl.Int64).max() or 0) + 1  # type: ignore[arg-type]
    shares = np.bincount(rows.get_column(TOPIC).to_numpy(), minlength=k).astype(float)
    val = rows.filter(pl.col(SPLIT) == "validation")
    val = val.with_columns(pl.Series("_h", stable_hash(val.get_column(R.ID), seed)))
    val = val.with_columns(pl.col("_h").rank("ordinal").over(GROUP).alias("_in_group"))
    size = min(val.height, eval_max)
    available = (
        np.bincount(val.get_column(TOPIC).to_numpy(), minlength=k)
        if val.height
        else np.zeros(k, np.int64)
    )
    take = allocate(shares, available, size)
    ranked = val.sort("_in_group", "_h").with_columns(
        pl.int_range(pl.len()).over(TOPIC).alias("_n")
    )
    quota = pl.DataFrame({TOPIC: np.arange(k, dtype=np.int64), "_q": take})
    picked = (
        ranked.join(quota, on=TOPIC, how="left")
        .filter(pl.col("_n") < pl.col("_q"))
        .sort(TOPIC, "_h")
        .drop("_h", "_in_group", "_n", "_q")
    )
    how = {
        "rule": (
            f"the validation side of the export split ({val.height:,} records), at most "
            f"{eval_max:,} allocated over topics in proportion to the whole data, no topic above about twice its share"
        ),
        "validation_records": val.height,
        "size": picked.height,
        "per_topic": [int(x) for x in take],
    }
    return picked, how
