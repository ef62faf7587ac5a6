"""Parquet files and Hugging Face ``datasets`` folders (``save_to_disk``).

Rows are read in batches and each row goes through the same converters as
JSON (the shape -- OpenAI, ShareGPT, Alpaca, prompt/completion or mapped -- is
detected from the column names). Locators are ``row N`` (1-based); in a
``DatasetDict`` every split is read, in its saved order, and locators name the
split (``validation/row N``) so ids stay distinct and stable per split.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from curator.core import records as R
from curator.core.errors import CuratorError
from curator.core.ingest.columnar import convert_batch
from curator.core.ingest.convert import converter_for
from curator.core.ingest.model import (
    RAW_SCHEMA,
    BadRecord,
    QuarantineEntry,
    RawChunk,
    meta_json,
    raw_frame,
)
from curator.core.ingest.options import ImportOptions
from curator.core.ingest.source import Tap, open_source

_BATCH = 20_000


def shape_of(columns: list[str], options: ImportOptions, source: str) -> str:
    """Which record shape the columns are (the same names JSON detection uses)."""
    from curator.core.ingest.detect import shape_from_keys

    shape = shape_from_keys(set(columns), options)
    if shape is None:
        raise CuratorError(
            f"{source}: cannot tell which columns hold the conversation (columns: "
            f"{', '.join(columns)}); use --messages-field F --role-field F --content-field F"
        )
    return shape


def _frame_batches(
    path: Path, fmt: str, limit: int | None, tap: Tap | None = None
) -> Iterator[tuple[pl.DataFrame, int, str]]:
    """(batch, total rows, locator prefix): the prefix is ``split/`` in a DatasetDict.

    With a ``tap`` a Parquet file is read into memory once, hashed as it is read,
    and scanned from there (see ``ingest/source.py``)."""
    if fmt == "parquet":
        yield from _parquet_batches(path, limit, tap)
        return
    try:
        import datasets
    except ImportError:  # pragma: no cover - datasets is a dependency
        raise CuratorError("reading Hugging Face datasets needs the 'datasets' package") from None
    try:
        ds: Any = datasets.load_from_disk(str(path))
    except Exception as exc:
        raise CuratorError(
            f"{path.name}: cannot open it as a Hugging Face dataset: {exc}"
        ) from None
    splits: list[tuple[str, Any]] = (
        [(f"{name}/", ds[name]) for name in ds]
        if isinstance(ds, datasets.DatasetDict)
        else [("", ds)]
    )
    total = sum(len(d) for _, d in splits)
    total = total if limit is None else min(total, limit)
    left = total
    for prefix, split in splits:
        n = min(len(split), left)
        left -= n
        for offset in range(0, n, _BATCH):
            table = split.data.table.slice(offset, min(_BATCH, n - offset))
            frame = pl.from_arrow(table)
            assert isinstance(frame, pl.DataFrame)
            yield frame, total, prefix
    if total == 0:
        yield pl.DataFrame(), 0, ""


def damaged_parquet(name: str, exc: BaseException) -> CuratorError:
    """The error for a Parquet file whose own checks failed part-way: its content, not Curator."""
    return CuratorError(
        f"{name}: cannot read it as Parquet: the file is damaged or not Parquet "
        f"({(str(exc).splitlines() or [type(exc).__name__])[0][:200]}); nothing from this "
        "file was imported. "
        "Export or copy it again."
    )


def _parquet_batches(
    path: Path, limit: int | None, tap: Tap | None
) -> Iterator[tuple[pl.DataFrame, int, str]]:
    """A Parquet file in batches of ``_BATCH`` rows, row group by row group.

    pyarrow's reader, not a Polars streaming scan: the scan ran on the same executor
    as the part's streaming sink (``StagedPart``), and the two together cost a
    million-chat import about 2.5 CPU-s more than this reader (both convert to the
    same Polars types: ``pl.from_arrow``, as for Hugging Face datasets)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        if tap is not None:
            with open_source(path, tap) as fh:
                reader = pq.ParquetFile(pa.BufferReader(fh.read()))
        else:
            reader = pq.ParquetFile(path)
        total = reader.metadata.num_rows
    except (pa.ArrowException, OSError) as exc:
        raise CuratorError(
            f"{path.name}: cannot read it as Parquet "
            f"({(str(exc).splitlines() or [type(exc).__name__])[0]})"
        ) from None
    total = min(total, limit) if limit is not None else total
    left = total
    batches = reader.iter_batches(batch_size=_BATCH) if left else iter(())
    while left > 0:
        try:
            batch = next(batches, None)
        except (pa.ArrowException, OSError) as exc:  # a damaged page (ArrowIOError is OSError)
            raise damaged_parquet(path.name, exc) from None
        if batch is None:
            break
        frame = pl.from_arrow(batch.slice(0, left))
        assert isinstance(frame, pl.DataFrame)
        left -= frame.height
        if frame.height:
            yield frame, total, ""
    if total == 0:
        yield pl.DataFrame(), 0, ""


def read_tabular(
    path: Path,
    fmt: str,
    options: ImportOptions,
    limit: int | None = None,
    force_rows: bool = False,
    tap: Tap | None = None,
) -> Iterator[RawChunk]:
    """Batches of rows as raw conversations; ``force_rows`` skips the vectorised path
    (every row through the per-row converter, as a reference in tests)."""
    shape: str | None = None
    done = 0  # rows read so far, over every split: the line number
    split_start: dict[str, int] = {}  # locator prefix -> line number of the split's row 1
    for frame, total, prefix in _frame_batches(path, fmt, limit, tap):
        columns = frame.columns
        start = split_start.setdefault(prefix, done)
        if frame.height == 0:
            yield RawChunk(pl.DataFrame(schema=RAW_SCHEMA), [], columns, 0, 0)
            continue
        if shape is None:
            shape = shape_of(columns, options, path.name)
        batch = (
            None if force_rows else convert_batch(frame, shape, options, done + 1, start, prefix)
        )
        if batch is None:
            fast, idx = pl.DataFrame(schema=RAW_SCHEMA), np.arange(frame.height)
        else:
            fast, idx = batch[0], np.flatnonzero(batch[1].to_numpy())
        rows, bad = _convert_rows(frame, idx, shape, options, done + 1, start, prefix)
        out = pl.concat([fast, raw_frame(rows)], how="diagonal").sort(R.LINE) if rows else fast
        done += frame.height
        yield RawChunk(out, bad, columns, done, total)


def _convert_rows(
    frame: pl.DataFrame,
    idx: np.ndarray,
    shape: str,
    options: ImportOptions,
    first_line: int,
    start: int,
    prefix: str,
) -> tuple[list[dict[str, Any]], list[QuarantineEntry]]:
    """The per-row path, for the rows ``idx`` of a batch: pinpoints and explains bad rows."""
    convert = converter_for(shape, options)
    rows: list[dict[str, Any]] = []
    bad: list[QuarantineEntry] = []
    if len(idx) == 0:
        return rows, bad
    sub = frame if len(idx) == frame.height else frame[pl.Series(idx)]
    for i, obj in zip((first_line + idx).tolist(), sub.iter_rows(named=True), strict=True):
        try:
            msgs, extra = convert(obj, options)
        except BadRecord as exc:
            bad.append(
                QuarantineEntry(i, f"{prefix}row {i - start}", str(exc), meta_json(obj)[:2000])
            )
            continue
        locator = f"{prefix}row {i - start}"
        rows.append({R.LINE: i, R.LOCATOR: locator, R.MESSAGES: msgs, R.META: meta_json(extra)})
    return rows, bad
