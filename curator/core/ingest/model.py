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
    """Build a RAW_SCHEMA frame from dicts with line, locator, messages, meta."""
    return pl.DataFrame(list(rows), schema=RAW_SCHEMA)


def meta_json(extra: dict[str, Any]) -> str:
    return json.dumps(extra, ensure_ascii=False, default=str, separators=(",", ":"))


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
