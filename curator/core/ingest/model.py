"""Intermediate shapes between a reader and the pipeline.

A reader yields :class:`RawChunk` s: conversations whose roles are still the
source's own speaker labels (``RAW_SCHEMA``), plus the lines it could not
read. The pipeline maps roles, repairs structure and builds records.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import polars as pl

from curator.core import records as R

# Raw messages: like MESSAGE_DTYPE, weight kept wide so bad values can be reported.
RAW_MESSAGE_DTYPE = pl.Struct(
    {
        "role": pl.String,
        "content": pl.String,
        "name": pl.String,
        "weight": pl.Int64,
        "tool_calls": pl.String,
        "tool_call_id": pl.String,
    }
)
_RAW_COLUMNS: dict[str, pl.DataType] = {
    R.LINE: pl.Int64(),
    R.LOCATOR: pl.String(),
    R.MESSAGES: pl.List(RAW_MESSAGE_DTYPE),
    R.META: pl.String(),
}
RAW_SCHEMA = pl.Schema(_RAW_COLUMNS)


class QuarantineEntry(NamedTuple):
    """One input that could not become a record: where it was, why, and its text."""

    line: int | None
    locator: str
    reason: str
    raw: str | None = None


class BadRecord(Exception):
    """A single record/line cannot be imported; the message is the reason."""


@dataclass
class RawChunk:
    """Some conversations of one file, plus what was quarantined while reading them."""

    frame: pl.DataFrame  # RAW_SCHEMA
    quarantine: list[QuarantineEntry] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # header / keys seen
    done: int = 0  # bytes (or rows) read so far, for progress
    total: int | None = None
    raw_of: Callable[[int], str | None] | None = None  # line -> original text
    # per frame row, List(String) notes on what the reader had to change (added to repairs)
    notes: pl.Series | None = None


def raw_message(
    role: Any,
    content: Any,
    *,
    name: Any = None,
    weight: Any = None,
    tool_calls: Any = None,
    tool_call_id: Any = None,
) -> dict[str, Any]:
    return {
        "role": role,
        "content": content,
        "name": name,
        "weight": weight,
        "tool_calls": tool_calls,
        "tool_call_id": tool_call_id,
    }


def raw_frame(rows: Iterable[dict[str, Any]]) -> pl.DataFrame:
    """Build a RAW_SCHEMA frame from dicts with line, locator, messages, meta.

    Column by column: one flat list per message field, then the lists by offsets
    (Polars builds nested dicts row by row several times slower). Rows it cannot
    take that way (messages None, a value of another type) are built as before."""
    rows = list(rows)
    if not rows:
        return pl.DataFrame(schema=RAW_SCHEMA)
    try:
        return _flat_frame(rows)
    except (TypeError, ValueError, OverflowError, pl.exceptions.PolarsError):
        return pl.DataFrame(rows, schema=RAW_SCHEMA)


_MESSAGE_FIELDS = list(RAW_MESSAGE_DTYPE.to_schema().items())


def arrow_series(name: str, array: Any) -> pl.Series:
    """A Polars series of one Arrow array, zero-copy: through a record batch, because
    ``pl.Series(name, array)`` imports ``pyarrow.compute`` (~0.1 s of an import's
    start-up) to look at the array's chunks."""
    import pyarrow as pa

    frame = pl.from_arrow(pa.RecordBatch.from_arrays([array], names=[name]))
    assert isinstance(frame, pl.DataFrame)
    return frame.to_series()


def _flat_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    import numpy as np
    import pyarrow as pa

    msgs = [r[R.MESSAGES] for r in rows]
    offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(m) for m in msgs], out=offsets[1:])
    flat = [m for ms in msgs for m in ms]
    values = pl.DataFrame(
        [pl.Series(f, [m.get(f) for m in flat], dtype=dt, strict=True) for f, dt in _MESSAGE_FIELDS]
    ).to_struct("m")
    # from buffers: ``pa.array`` would import pandas
    starts = pa.Array.from_buffers(pa.int64(), len(offsets), [None, pa.py_buffer(offsets)])
    lists = arrow_series(R.MESSAGES, pa.LargeListArray.from_arrays(starts, values.to_arrow()))
    return pl.DataFrame(
        [
            pl.Series(R.LINE, [r[R.LINE] for r in rows], dtype=pl.Int64, strict=True),
            pl.Series(R.LOCATOR, [r[R.LOCATOR] for r in rows], dtype=pl.String, strict=True),
            lists.cast(pl.List(RAW_MESSAGE_DTYPE)),
            pl.Series(R.META, [r[R.META] for r in rows], dtype=pl.String, strict=True),
        ]
    )


_META = json.JSONEncoder(ensure_ascii=False, default=str, separators=(",", ":"))


def meta_json(extra: dict[str, Any]) -> str:
    """``json.dumps(extra, ensure_ascii=False, default=str, separators=(",", ":"))``
    with the encoder made once."""
    return _META.encode(extra)


def describe_json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
