"""JSON Lines readers.

OpenAI chat JSONL takes a vectorised path: each chunk of lines is parsed by
``pl.read_ndjson`` with the message schema fixed, and converted with Polars
expressions. Only a chunk that fails is split in halves until the failing
lines are small enough to parse one by one with ``json.loads``, which finds
and quarantines exactly the bad lines. ShareGPT, Alpaca, prompt/completion and
``--messages-field`` mappings take ``columnar.jsonl_batch`` for the lines it can
prove regular; the rest (and other shapes) go line by line through ``convert``.
Locators are ``line N`` (1-based, counting every physical line).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from curator.core import records as R
from curator.core.ingest.columnar import arrow_lines, jsonl_batch
from curator.core.ingest.convert import converter_for
from curator.core.ingest.guards import pathological_lines, quarantine_lines
from curator.core.ingest.lines import CHUNK_BYTES, LineChunk, iter_line_chunks
from curator.core.ingest.model import (
    RAW_MESSAGE_DTYPE,
    RAW_SCHEMA,
    BadRecord,
    QuarantineEntry,
    RawChunk,
    arrow_series,
    describe_json_type,
    meta_json,
    raw_frame,
)
from curator.core.ingest.options import ImportOptions
from curator.core.ingest.source import Tap

FORCE_PER_LINE = False  # tests: every non-OpenAI line through the per-line converter
FORCE_POLARS = False  # tests: every OpenAI range parsed by Polars (no Arrow reader)
_MIN_SPLIT = 256  # below this many lines a failing range is parsed line by line
# content that is not a string or null (a number, a parts list...): Polars would turn it
# into text silently, so such ranges go to the per-line converter, which checks the type
_ODD_CONTENT = re.compile(rb'"content"\s*:\s*[^"\sn]')


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRecord(
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1}); "
            "re-save the file as UTF-8"
        ) from None


def parse_object(raw: bytes) -> dict[str, Any]:
    text = _decode(raw)
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadRecord(f"not valid JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise BadRecord(f"the line is {describe_json_type(obj)}, not a JSON object")
    return obj


def _python_lines(
    chunk: LineChunk, idx: np.ndarray, fmt: str, options: ImportOptions, keys: set[str]
) -> tuple[list[dict[str, Any]], list[QuarantineEntry]]:
    convert = converter_for(fmt, options)
    rows: list[dict[str, Any]] = []
    bad: list[QuarantineEntry] = []
    for i in idx.tolist():
        line_no = chunk.first_line + i
        raw = chunk.line(i)
        try:
            obj = parse_object(raw)
            keys.update(obj)
            msgs, extra = convert(obj, options)
        except BadRecord as exc:
            text = raw.decode("utf-8", "replace")
            bad.append(QuarantineEntry(line_no, f"line {line_no}", str(exc), text))
            continue
        rows.append(
            {
                R.LINE: line_no,
                R.LOCATOR: f"line {line_no}",
                R.MESSAGES: msgs,
                R.META: meta_json(extra),
            }
        )
    return rows, bad


# The top-level columns of the last chunk Polars parsed: (name, dtype) of at most one
# field beside the messages, or None. A later chunk is parsed by Arrow's JSON reader
# with exactly that schema, which refuses (raises) a field not in it, a key given
# twice and a value of another JSON type, where Polars would infer the schema from
# every line first (a third of the parse) and turn a number into text silently.
Hint = list[tuple[str, pl.DataType]] | None
_ARROW_KINDS = (pl.String, pl.Int64, pl.Boolean)  # JSON types the reader tells apart
# message fields as Polars' path reads them when no tool call is in the range
_ARROW_MESSAGE = {k: v for k, v in RAW_MESSAGE_DTYPE.to_schema().items() if "tool" not in k}


def _hint(df: pl.DataFrame) -> Hint:
    extras = [(c, df.schema[c]) for c in df.columns if c != R.MESSAGES]
    if len(extras) > 1 or any(not any(t == k for k in _ARROW_KINDS) for _, t in extras):
        return None  # two extras: their order is Polars' inference's; other types: inferred
    return extras


def _arrow_parse(data: bytes, hint: Hint, lines: int) -> pl.DataFrame | None:
    """``data`` parsed by Arrow with the hinted schema, or None: the range does not fit
    it (Polars' path then parses it as before). The result is the frame Polars would
    give: the same columns (one extra at most, so no column order to agree on), types
    and values; a null message list or an extra that is null throughout is left to
    Polars (it would leave out or type such a column by inference)."""
    if hint is None:
        return None
    import pyarrow as pa

    kind = {pl.String: pa.string(), pl.Int64: pa.int64(), pl.Boolean: pa.bool_()}
    message = pa.struct([(k, kind[v]) for k, v in _ARROW_MESSAGE.items()])  # type: ignore[index]
    schema = pa.schema([(R.MESSAGES, pa.list_(message)), *((c, kind[t]) for c, t in hint)])  # type: ignore[index]
    df = arrow_lines(data, schema, lines)
    if df is None:
        return None
    if df.get_column(R.MESSAGES).null_count() or any(
        df.get_column(c).null_count() == df.height for c, _ in hint
    ):
        return None
    return df


def _vectorised(chunk: LineChunk, idx: np.ndarray, hint: list[Hint]) -> pl.DataFrame:
    """Parse the contiguous non-blank lines ``idx`` of ``chunk``; raise on any problem.
    ``hint[0]``: the schema hint for Arrow's reader, replaced when Polars parses."""
    lo, hi = int(chunk.starts[idx[0]]), int(chunk.ends[idx[-1]])
    whole = lo == 0 and len(idx) == len(chunk.starts)  # every line: no 32 MB copy
    data = chunk.data if whole else chunk.data[lo:hi]
    df = _arrow_parse(data, hint[0], len(idx)) if not FORCE_POLARS else None
    if df is None:
        df = _polars_parse(data, len(idx))
        hint[0] = _hint(df)
    extras = [c for c in df.columns if c != R.MESSAGES]
    meta = _meta_expr(extras)
    lines = pl.Series(R.LINE, chunk.numbers[idx], dtype=pl.Int64)
    return df.select(
        lines,
        (pl.lit("line ") + lines.cast(pl.String)).alias(R.LOCATOR),
        pl.col(R.MESSAGES).cast(pl.List(RAW_MESSAGE_DTYPE)),
        meta.alias(R.META),
    )


def _polars_parse(data: bytes, lines: int) -> pl.DataFrame:
    if _ODD_CONTENT.search(data):
        raise ValueError("content that is not text")
    # Parse only the message fields that occur in these bytes: a narrower struct
    # parses markedly faster, and a field whose key never appears is null anyway.
    present = {"role", "content"}
    if data.find(b'"weight"') >= 0:
        present.add("weight")
    if data.find(b'"name"') >= 0:
        present.add("name")
    if data.find(b'"tool_call') >= 0:
        present.update(("tool_calls", "tool_call_id"))
    fields = {k: v for k, v in RAW_MESSAGE_DTYPE.to_schema().items() if k in present}
    df = pl.read_ndjson(
        data,
        schema_overrides={R.MESSAGES: pl.List(pl.Struct(fields))},
        infer_schema_length=None,
    )
    if df.height != lines:
        raise ValueError("line count mismatch")
    if R.MESSAGES not in df.columns:
        df = df.with_columns(pl.lit(None, pl.List(RAW_MESSAGE_DTYPE)).alias(R.MESSAGES))
    return df


def _meta_expr(extras: list[str]) -> pl.Expr:
    """JSON object of the extra top-level fields a line actually has (nulls left out),
    the same text ``json.dumps(..., separators=(",", ":"))`` gives the per-line path."""
    if not extras:
        return pl.lit("{}")
    pairs = [
        pl.when(pl.col(c).is_not_null()).then(
            pl.struct(pl.col(c)).struct.json_encode().str.slice(1, None).str.head(-1)
        )
        for c in extras
    ]
    return pl.lit("{") + pl.concat_str(pairs, separator=",", ignore_nulls=True) + pl.lit("}")


def _openai_range(
    chunk: LineChunk,
    idx: np.ndarray,
    options: ImportOptions,
    keys: set[str],
    hint: list[Hint] | None = None,
) -> tuple[list[pl.DataFrame], list[dict[str, Any]], list[QuarantineEntry]]:
    """``hint``: a one-item list, the schema hint the last range parsed by Polars left."""
    if len(idx) == 0:
        return [], [], []
    hint = hint if hint is not None else [None]
    try:
        return [_vectorised(chunk, idx, hint)], [], []
    except Exception:
        pass
    if len(idx) <= _MIN_SPLIT:
        rows, bad = _python_lines(chunk, idx, "openai", options, keys)
        return [], rows, bad
    mid = len(idx) // 2
    f1, r1, b1 = _openai_range(chunk, idx[:mid], options, keys, hint)
    f2, r2, b2 = _openai_range(chunk, idx[mid:], options, keys, hint)
    return f1 + f2, r1 + r2, b1 + b2


def _columnar_range(
    chunk: LineChunk,
    idx: np.ndarray,
    fmt: str,
    options: ImportOptions,
    keys: set[str],
    hint: list[Any] | None = None,
) -> tuple[list[pl.DataFrame], list[dict[str, Any]], list[QuarantineEntry]]:
    """ShareGPT / Alpaca / prompt-completion lines: Polars for the lines it can prove
    regular (see ``columnar.jsonl_batch``; ``hint`` is its schema hint), the per-line
    converter for the rest."""
    batch = None
    if len(idx) and not FORCE_PER_LINE:
        lo, hi = int(chunk.starts[idx[0]]), int(chunk.ends[idx[-1]])
        whole = lo == 0 and len(idx) == len(chunk.starts)  # every line: no 32 MB copy
        data = chunk.data if whole else chunk.data[lo:hi]
        lines = _line_texts(data, chunk.starts[idx] - lo)  # None: not valid UTF-8
        if lines is not None:
            shape = "json" if options.messages_field else fmt  # a mapping (see read_jsonl)
            batch = jsonl_batch(data, lines, chunk.numbers[idx], shape, options, hint)
    if batch is None:
        rows, bad = _python_lines(chunk, idx, fmt, options, keys)
        return [], rows, bad
    frame, mask, columns = batch
    keys.update(columns)
    rows, bad = _python_lines(chunk, idx[mask.to_numpy()], fmt, options, keys)
    return [frame], rows, bad


def _line_texts(data: bytes, starts: np.ndarray) -> pl.Series | None:
    """Each line of ``data`` as text, cut by the line starts, without a Python string
    per line: line i runs to the start of line i + 1, so it keeps its line break and
    any blank lines after it (whitespace, which no check looks at). None when ``data``
    is not valid UTF-8 (Arrow's full validation checks every line's bytes: a tenth of
    the time of decoding the chunk; the cuts are after line breaks, never inside a
    character)."""
    import pyarrow as pa  # here: the OpenAI path never needs it

    offsets = np.empty(len(starts) + 1, dtype=np.int64)
    offsets[:-1] = starts
    offsets[-1] = len(data)
    arr = pa.LargeStringArray.from_buffers(len(starts), pa.py_buffer(offsets), pa.py_buffer(data))
    try:
        arr.validate(full=True)
    except pa.ArrowInvalid:
        return None
    return arrow_series("_raw", arr)


def read_jsonl(
    path: Path, fmt: str, options: ImportOptions, limit: int | None = None, tap: Tap | None = None
) -> Iterator[RawChunk]:
    total = path.stat().st_size
    keys: set[str] = set()
    hint: list[Hint] = [None]  # OpenAI ranges: see _arrow_parse
    table_hint: list[Any] = [None]  # other shapes: see columnar.jsonl_batch
    seen = 0
    chunk_bytes = CHUNK_BYTES if limit is None else 1 << 20
    for chunk in iter_line_chunks(path, chunk_bytes, tap):
        idx = np.flatnonzero(~chunk.blank)
        if limit is not None:
            idx = idx[: max(limit - seen, 0)]
        odd = pathological_lines(chunk, idx)  # too deep, lone surrogates: before any parser
        guarded = quarantine_lines(chunk, odd)
        if odd:
            idx = idx[~np.isin(idx, np.fromiter(odd, dtype=np.int64))]
        if fmt == "openai" and not options.messages_field:
            frames, rows, bad = _openai_range(chunk, idx, options, keys, hint)
            if rows:
                frames.append(raw_frame(rows))
            if frames and not keys:
                keys.update(_head_keys(chunk, idx))
        elif not options.messages_field or fmt in ("openai", "json"):
            frames, rows, bad = _columnar_range(chunk, idx, fmt, options, keys, table_hint)
            frames.append(raw_frame(rows))
        else:
            rows, bad = _python_lines(chunk, idx, fmt, options, keys)
            frames = [raw_frame(rows)]
        frames = [f for f in frames if f.height]
        if len(frames) > 1:
            # diagonal: vectorised pairs carry their rejected reply as a column of its own
            frame = pl.concat(frames, how="diagonal").sort(R.LINE)
        else:  # one frame is in line order already (sorting it copied every message)
            frame = frames[0] if frames else pl.DataFrame(schema=RAW_SCHEMA)
        bad = sorted([*guarded, *bad], key=lambda q: q.line or 0) if guarded else bad
        seen += len(idx) + len(odd)
        yield RawChunk(frame, bad, sorted(keys), chunk.done, total, _raw_lookup(chunk))
        if limit is not None and seen >= limit:
            return


def _head_keys(chunk: LineChunk, idx: np.ndarray) -> set[str]:
    keys: set[str] = set()
    for i in idx[:50].tolist():
        try:
            keys.update(parse_object(chunk.line(i)))
        except BadRecord:
            continue
    return keys


def _raw_lookup(chunk: LineChunk) -> Any:
    def raw_of(line: int) -> str | None:
        i = line - chunk.first_line
        if 0 <= i < len(chunk.starts):
            return chunk.line(i).decode("utf-8", "replace")
        return None

    return raw_of
