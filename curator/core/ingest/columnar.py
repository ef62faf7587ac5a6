"""Vectorised conversion of a columnar batch (Parquet / Hugging Face rows) to raw messages.

Builds the same messages and meta the per-row converters in ``convert`` give,
with Polars expressions. It only takes batches whose column types it can
convert exactly (text, integers, booleans, nulls); :func:`convert_batch`
returns ``None`` for any other batch, and a mask of the rows it could not vouch
for (null message lists, null turns, weights other than 0/1, tool calls), which
the caller sends through the per-row converter so they are quarantined with the
same reasons as before.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import numpy as np
import polars as pl

from curator.core import records as R
from curator.core.ingest.model import RAW_MESSAGE_DTYPE, arrow_series
from curator.core.ingest.options import ImportOptions

_TEXT = (pl.String, pl.Null)
_INTS = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)
# meta values whose JSON text Polars writes exactly as json.dumps does
_SIMPLE = (*_TEXT, *_INTS, pl.Boolean)
# Python's str.isspace() set, so "blank" means what ``s.strip()`` means in convert.py
# (every such character is below U+3001; the set written out: building it at import cost
# 3 ms of every start; tests/test_ingest_speed.py checks it against str.isspace)
_PY_SPACE = (
    r"\x{9}\x{a}\x{b}\x{c}\x{d}\x{1c}\x{1d}\x{1e}\x{1f}\x{20}\x{85}\x{a0}\x{1680}\x{2000}"
    r"\x{2001}\x{2002}\x{2003}\x{2004}\x{2005}\x{2006}\x{2007}\x{2008}\x{2009}\x{200a}\x{2028}"
    r"\x{2029}\x{202f}\x{205f}\x{3000}"
)
_BLANK = f"^[{_PY_SPACE}]*$"

# (converted rows in RAW_SCHEMA, per input row: "convert this one per row instead")
Batch = tuple[pl.DataFrame, pl.Series]


def _is(dtype: Any, kinds: tuple[type[pl.DataType], ...]) -> bool:
    return any(dtype == k for k in kinds)


def _msg(role: pl.Expr, content: pl.Expr) -> pl.Expr:
    return pl.struct(
        role.cast(pl.String).alias("role"),
        content.cast(pl.String).alias("content"),
        pl.lit(None, pl.String).alias("name"),
        pl.lit(None, pl.Int64).alias("weight"),
        pl.lit(None, pl.String).alias("tool_calls"),
        pl.lit(None, pl.String).alias("tool_call_id"),
    )


def _nonblank(col: str, schema: pl.Schema) -> pl.Expr:
    if col not in schema or schema[col] == pl.Null:
        return pl.lit(False)
    return pl.col(col).is_not_null() & ~pl.col(col).str.contains(_BLANK)


def _turns(
    schema: pl.Schema, field: str, role_key: str, content_key: str
) -> tuple[pl.Expr, pl.Expr] | None:
    """(messages, needs-fallback) for a list-of-structs column, or None if its types differ."""
    dtype = schema.get(field)
    if not isinstance(dtype, pl.List) or not isinstance(dtype.inner, pl.Struct):
        return None
    fields = {f.name: f.dtype for f in dtype.inner.fields}
    if role_key not in fields:
        return None
    for key in (role_key, content_key, "name", "tool_call_id"):
        if key in fields and not _is(fields[key], _TEXT):
            return None
    if "weight" in fields and not _is(fields["weight"], (*_INTS, pl.Null)):
        return None
    el = pl.element().struct

    def text(key: str) -> pl.Expr:
        return el.field(key).cast(pl.String) if key in fields else pl.lit(None, pl.String)

    weight = el.field("weight").cast(pl.Int64) if "weight" in fields else pl.lit(None, pl.Int64)
    msgs = pl.col(field).list.eval(
        pl.struct(
            text(role_key).alias("role"),
            text(content_key).alias("content"),
            text("name").alias("name"),
            weight.alias("weight"),
            pl.lit(None, pl.String).alias("tool_calls"),
            text("tool_call_id").alias("tool_call_id"),
        )
    )
    odd = pl.element().is_null()
    if "weight" in fields and fields["weight"] != pl.Null:
        w = el.field("weight")
        odd = odd | (w.is_not_null() & ~w.is_in([0, 1]))
    if "tool_calls" in fields and fields["tool_calls"] != pl.Null:
        odd = odd | el.field("tool_calls").is_not_null()
    fallback = pl.col(field).is_null() | pl.col(field).list.eval(odd).list.any().fill_null(False)
    return msgs, fallback


def _with_system(schema: pl.Schema) -> tuple[pl.Expr, pl.Expr] | None:
    """A non-blank ``system`` column as a system turn (null if none): (turn, system used)."""
    if "system" in schema and not _is(schema["system"], _TEXT):
        return None
    used = _nonblank("system", schema)
    if "system" not in schema or schema["system"] == pl.Null:
        return pl.lit(None, RAW_MESSAGE_DTYPE), used
    return pl.when(used).then(_msg(pl.lit("system"), pl.col("system"))), used


def _meta(schema: pl.Schema, used: set[str], system_used: pl.Expr | None) -> pl.Expr | None:
    """JSON of the unused columns in column order, nulls kept, like ``meta_json(_rest(row))``."""
    extras = [c for c in schema if c not in used]
    if any(not _is(schema[c], _SIMPLE) for c in extras):
        return None
    pairs = []
    for c in extras:
        pair = pl.struct(pl.col(c)).struct.json_encode().str.slice(1, None).str.head(-1)
        if c == "system" and system_used is not None:
            pair = pl.when(~system_used).then(pair)
        pairs.append(pair)
    if not pairs:
        return pl.lit("{}")
    return pl.lit("{") + pl.concat_str(pairs, separator=",", ignore_nulls=True) + pl.lit("}")


def _plan(
    schema: pl.Schema, shape: str, options: ImportOptions
) -> tuple[list[pl.Expr], pl.Expr, pl.Expr] | None:
    """(message parts, meta, needs-fallback) expressions for this batch's schema, or None.

    Each part is one message struct (null: left out) or a list of them; a row's
    messages are its parts in order (see :func:`_assemble`)."""
    no = pl.lit(False)
    if shape == "openai" or shape == "json":
        if shape == "json" or options.messages_field:
            field = options.messages_field or "messages"
            role_key, content_key = options.role_field or "role", options.content_field or "content"
        else:
            field, role_key, content_key = "messages", "role", "content"
        if "." in field:
            return None
        turns = _turns(schema, field, role_key, content_key)
        meta = _meta(schema, {field}, None)
        return None if turns is None or meta is None else ([turns[0]], meta, turns[1])
    if shape == "sharegpt":
        field = next(
            (f for f in ("conversations", "conversation", "messages") if f in schema),
            "conversations",
        )
        dtype = schema.get(field)
        inner = dtype.inner if isinstance(dtype, pl.List) else None
        names = {f.name for f in inner.fields} if isinstance(inner, pl.Struct) else set()
        keys = ("role", "content") if "from" not in names and "role" in names else ("from", "value")
        turns = _turns(schema, field, *keys)
        if turns is None:
            return None
        sys_plan = _with_system(schema)
        if sys_plan is None:
            return None
        meta = _meta(schema, {field}, sys_plan[1])
        return None if meta is None else ([sys_plan[0], turns[0]], meta, turns[1])
    if shape == "alpaca":
        if any(
            k in schema and not _is(schema[k], _TEXT) for k in ("instruction", "input", "output")
        ):
            return None
        instruction = pl.col("instruction").cast(pl.String).fill_null("")
        user = instruction
        if "input" in schema and schema["input"] != pl.Null:
            user = (
                pl.when(_nonblank("input", schema))
                .then(instruction + "\n\n" + pl.col("input"))
                .otherwise(instruction)
            )
        msgs = [_msg(pl.lit("user"), user), _msg(pl.lit("assistant"), pl.col("output"))]
        sys_plan = _with_system(schema)
        if sys_plan is None:
            return None
        meta = _meta(schema, {"instruction", "input", "output"}, sys_plan[1])
        return None if meta is None else ([sys_plan[0], *msgs], meta, no)
    if shape == "preference":
        return _pair_plan(schema)
    if shape == "prompt-completion":
        if any(not _is(schema[k], _TEXT) for k in ("prompt", "completion")):
            return None
        msgs = [
            _msg(pl.lit("user"), pl.col("prompt")),
            _msg(pl.lit("assistant"), pl.col("completion")),
        ]
        meta = _meta(schema, {"prompt", "completion"}, None)
        return None if meta is None else (msgs, meta, no)
    return None


PAIR_KEYS = ("prompt", "chosen", "rejected")
REJECTED = "_rejected"  # a raw chunk's column: the rejected reply of a pair, vectorised


def _pair_plan(schema: pl.Schema) -> tuple[list[pl.Expr], pl.Expr, pl.Expr] | None:
    """DPO pairs whose prompt, chosen and rejected are text: prompt as the user turn,
    chosen as the assistant turn (``preference.preference`` for a text prompt); the
    rejected reply is :func:`rejected_column`. Rows with a null or blank field are
    masked for the per-row converter, which says why they cannot be a pair."""
    if any(k not in schema or schema[k] != pl.String for k in PAIR_KEYS):
        return None
    if {"input", "preferred_output", "non_preferred_output"} <= set(schema):
        return None  # the OpenAI preference shape wins in the per-row converter
    msgs = [
        _msg(pl.lit("user"), pl.col("prompt")),
        _msg(pl.lit("assistant"), pl.col("chosen")),
    ]
    meta = _meta(schema, set(PAIR_KEYS), None)
    fallback = (
        pl.col("prompt").is_null() | ~_nonblank("chosen", schema) | ~_nonblank("rejected", schema)
    )
    return None if meta is None else (msgs, meta, fallback)


def rejected_column() -> pl.Expr:
    """The rejected reply of a text DPO pair, as ``preference.split_rejected`` gives it."""
    return pl.struct(
        pl.lit("assistant").alias("role"),
        pl.col("rejected").cast(pl.String).alias("content"),
        pl.lit(None, pl.String).alias("name"),
        pl.lit(None, pl.Int8).alias("weight"),
        pl.lit(None, pl.String).alias("tool_calls"),
        pl.lit(None, pl.String).alias("tool_call_id"),
    ).alias(REJECTED)


def _part_columns(parts: list[pl.Expr]) -> list[pl.Expr]:
    return [p.alias(f"_part{i}") for i, p in enumerate(parts)]


def _assemble(frame: pl.DataFrame, n_parts: int) -> pl.DataFrame:
    """Replace the ``_part*`` columns by the messages list: per row, the non-null
    parts in order (``concat_list`` of struct lists is far slower than this)."""
    import pyarrow as pa  # here: the OpenAI path never needs it

    parts = [f"_part{i}" for i in range(n_parts)]
    extra = [REJECTED] if REJECTED in frame.columns else []
    used = [c for c in parts if frame.get_column(c).null_count() < frame.height]
    if len(used) == 1 and isinstance(frame.schema[used[0]], pl.List):  # the turns alone
        lists = frame.get_column(used[0]).cast(pl.List(RAW_MESSAGE_DTYPE)).alias(R.MESSAGES)
        return frame.select(R.LINE, R.LOCATOR, lists, R.META, *extra)
    row = pl.int_range(pl.len(), dtype=pl.Int64).alias("_row")
    pieces = []
    for col in used or parts[:1]:
        if isinstance(frame.schema[col], pl.List):
            piece = frame.select(row, pl.col(col).cast(pl.List(RAW_MESSAGE_DTYPE)).alias("_m"))
            piece = piece.explode("_m")
        else:
            piece = frame.select(row, pl.col(col).cast(RAW_MESSAGE_DTYPE).alias("_m"))
        pieces.append(piece.filter(pl.col("_m").is_not_null()))
    flat = pl.concat(pieces).sort("_row", maintain_order=True)
    counts = np.bincount(flat.get_column("_row").to_numpy(), minlength=frame.height)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    # string views kept as they are (the default converts every text to a large string)
    values = flat.get_column("_m").to_arrow(compat_level=pl.CompatLevel.newest())
    # from buffers: ``pa.array`` imports pandas (0.5 s of start-up), this does not
    starts = pa.Array.from_buffers(pa.int64(), len(offsets), [None, pa.py_buffer(offsets)])
    lists = arrow_series(R.MESSAGES, pa.LargeListArray.from_arrays(starts, values))
    return frame.select(R.LINE, R.LOCATOR, lists.cast(pl.List(RAW_MESSAGE_DTYPE)), R.META, *extra)


def convert_batch(
    frame: pl.DataFrame,
    shape: str,
    options: ImportOptions,
    first_line: int,
    row_offset: int,
    prefix: str,
) -> Batch | None:
    """Convert a batch whose row 1 is line ``first_line`` (locator row ``first_line - row_offset``).

    Returns (rows in RAW_SCHEMA, mask of rows to convert one by one instead);
    the frame holds only the rows not masked. None: the batch's types need the
    per-row path throughout.
    """
    plan = _plan(frame.schema, shape, options)
    if plan is None:
        return None
    msgs, meta, fallback = plan
    lines = pl.int_range(first_line, first_line + frame.height, dtype=pl.Int64)
    out = frame.select(
        lines.alias(R.LINE),
        (pl.lit(f"{prefix}row ") + (lines - row_offset).cast(pl.String)).alias(R.LOCATOR),
        meta.alias(R.META),
        fallback.alias("_fallback"),
        *_part_columns(msgs),
        *([rejected_column()] if shape == "preference" else []),
    )
    mask = out.get_column("_fallback")
    return _assemble(out.filter(~pl.col("_fallback")), len(msgs)), mask


_NAME = re.compile(r"^[A-Za-z0-9_ -]+$")
_VALUE = {"text": r'(?:"|null)', "null": "null", "int": r"(?:-?[0-9]+\s*[,}]|null)"}
_VALUE["bool"] = "(?:true|false|null)"
_VALUE["list"] = r"(?:\[|null)"
# a JSON string escape of a surrogate: Polars and json.loads treat a lone one differently
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")
_HIGH = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}")
_LOW = re.compile(rb"\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_PAIR = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}")


def _key(name: str, value: str = "") -> str:
    """Regex for the key ``name`` in raw JSON: an unescaped quote (a quote inside a string
    is always preceded by a backslash) after ``{``, ``,`` or whitespace."""
    return rf'[{{,\s]"{name}"\s*:\s*{value}'


def _nested_names(dtype: Any) -> set[str]:
    if isinstance(dtype, pl.List | pl.Array):
        return _nested_names(dtype.inner)
    if isinstance(dtype, pl.Struct):
        return {f.name for f in dtype.fields}.union(*(_nested_names(f.dtype) for f in dtype.fields))
    return set()


def _kind(dtype: Any) -> str | None:
    if dtype == pl.String:
        return "text"
    if dtype == pl.Null:
        return "null"
    if dtype == pl.Int64:
        return "int"
    if dtype == pl.Boolean:
        return "bool"
    if isinstance(dtype, pl.List):
        return "list"
    return None


# the whole-line form of the checks in ``jsonl_batch``: JSON text of each value kind
_STR = r'"(?:[^"\\]|\\.)*"'
_WHOLE = {
    "text": rf"(?:{_STR}|null)",
    "null": "null",
    "int": r"(?:-?[0-9]+|null)",
    "bool": "(?:true|false|null)",
}


def _line_pattern(
    kinds: dict[str, str | None], turns_field: str | None, role_key: str, content_key: str
) -> str | None:
    """A regex that matches a line exactly when it is one object with every column once,
    in column order, each value of its column's kind, and (the turns column) a list of
    objects with the role key once and the content key at most once, text or null, and
    nothing else: what the per-column checks of ``jsonl_batch`` prove, in one pass. None
    when a column is a list other than the turns (its content is not a regular language).

    The line parsed as JSON (the range did), so a quote-delimited token is a string and
    the whitespace between tokens is JSON whitespace. Every name matched ``_NAME``: no
    regex syntax in it."""
    values = []
    for c, kind in kinds.items():
        if c == turns_field:
            role = rf'"{role_key}"\s*:\s*{_WHOLE["text"]}'
            content = rf'"{content_key}"\s*:\s*{_WHOLE["text"]}'
            turn = rf"\{{\s*(?:{role}\s*,\s*{content}|{content}\s*,\s*{role}|{role})\s*\}}"
            value = rf"(?:\[\s*(?:{turn}(?:\s*,\s*{turn})*)?\s*\]|null)"
        elif kind in _WHOLE:
            value = _WHOLE[str(kind)]
        else:
            return None
        values.append(rf'"{c}"\s*:\s*{value}')
    return r"^\s*\{\s*" + r"\s*,\s*".join(values) + r"\s*\}\s*$"


def _arrow_schema(schema: pl.Schema) -> Any:
    """The Arrow schema of a frame of text, integer, boolean and null columns and lists
    of text-field structs (the turns), in its column order; None for any other type."""
    import pyarrow as pa

    kinds = {pl.String: pa.string(), pl.Int64: pa.int64(), pl.Boolean: pa.bool_(), pl.Null: pa.null()}

    def arrow(dtype: Any) -> Any:
        for k, v in kinds.items():
            if dtype == k:
                return v
        if isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct):
            fields = [(f.name, arrow(f.dtype)) for f in dtype.inner.fields]
            if all(t is not None and t != pa.null() for _, t in fields):
                return pa.list_(pa.struct(fields))
        return None

    columns = [(c, arrow(t)) for c, t in schema.items()]
    return None if any(t is None for _, t in columns) else pa.schema(columns)


def arrow_lines(data: bytes, schema: Any, n: int) -> pl.DataFrame | None:
    """``data`` read by Arrow's JSON reader with ``schema`` (a field not in it, a key
    given twice, a value of another JSON type: None, and Polars reads the range as
    before). The per-line checks of ``jsonl_batch`` still decide which lines the
    columns vouch for: a missing key reads as null here, and the checks see it."""
    import pyarrow as pa
    import pyarrow.json as pj

    try:
        table = pj.read_json(
            pa.BufferReader(data),
            parse_options=pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error"),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.num_rows != n:
        return None
    df = pl.from_arrow(table)
    return df if isinstance(df, pl.DataFrame) else None


_HEAD_LINES = 1000  # lines whose schema the first range is read with by Arrow


def _head_schema(data: bytes, lines: pl.Series) -> Any:
    """The Arrow schema (``_arrow_schema``) Polars infers from the first lines, or None.

    Arrow reads the whole range with it and refuses any line that does not fit (a key
    not in the head, another type), and the range is then inferred from every line as
    before; so the head only spares the inference, it decides nothing."""
    cut = int(lines.head(_HEAD_LINES).str.len_bytes().sum())
    try:
        head = pl.read_ndjson(data[:cut], infer_schema_length=None)
    except Exception:
        return None
    return _arrow_schema(head.schema) if head.width else None


def _proven_rows(
    df: pl.DataFrame, shape: str, turns_field: str | None = None, role_key: str = ""
) -> np.ndarray | None:
    """Rows of a frame Arrow read with an explicit schema that need no check of their
    text (``_line_pattern``) to be converted as the per-line converter would; None: the
    shape needs it on every row.

    Arrow refused the range if a line had a key not in the schema (at any depth), a key
    twice or a value of another JSON type, and each line is one object (the row count
    matched). What it cannot tell is a missing key from a null one, and a line's key
    order, which only the order of the meta JSON shows. So a row is proven when none of
    its values is null and its meta holds at most one key (alpaca, DPO text pairs and
    prompt/completion: the messages do not depend on the key order). With a turns
    column (ShareGPT, a ``--messages-field`` mapping; its turns hold only the role and
    content keys) every turn must also be an object whose role is not null: its role
    key is then there once, and its content key at most once (missing or null content
    reads the same in both paths), which is all the pattern asks of a turn."""
    if turns_field is not None:
        used: set[str] | None = {turns_field}
    else:
        used = {
            "alpaca": {"instruction", "input", "output"},
            "preference": set(PAIR_KEYS),
            "prompt-completion": {"prompt", "completion"},
        }.get(shape)
    if used is None or df.height == 0:
        return None
    extras = [c for c in df.columns if c not in used]
    keys = pl.lit(len(extras), pl.Int32)
    if shape in ("alpaca", "sharegpt") and "system" in extras:  # a non-blank system is a turn
        keys = keys - _nonblank("system", df.schema).cast(pl.Int32)
    nulls = pl.any_horizontal([pl.col(c).is_null() for c in df.columns])
    if turns_field is not None:
        turn = pl.element()
        odd = turn.is_null() | turn.struct.field(role_key).is_null()
        nulls = nulls | pl.col(turns_field).list.eval(odd).list.any()
    proven = df.select((~nulls & (keys <= 1)).fill_null(False)).to_series()
    return proven.to_numpy()


def jsonl_batch(
    data: bytes,
    lines: pl.Series | list[str],
    numbers: np.ndarray,
    shape: str,
    options: ImportOptions | None = None,
    hint: list[Any] | None = None,
) -> tuple[pl.DataFrame, pl.Series, list[str]] | None:
    """Vectorised conversion of JSON lines (``data`` holds exactly the non-blank ``lines``,
    a String series: the checks below read each line's own text).

    Polars cannot tell a missing key from a null one nor see a line's key order, so a
    line is converted here only when raw-text checks prove it has every column exactly
    once, in column order, with values of the column's type; other lines are masked
    for the per-line converter. Returns (rows, mask, every key seen) or None: the whole
    range needs the per-line converter. Shape ``json`` is a ``--messages-field``
    mapping (``options``); its turns may hold only the role and content fields. Shape
    ``preference`` takes text DPO pairs; the rows then carry :data:`REJECTED`.
    ``hint``: a one-item list holding the Arrow schema of the last range Polars read
    (updated here): a range is first read by Arrow with it (``arrow_lines``), which
    spares Polars' inference of the schema from every line.
    """
    options = options or ImportOptions()
    if shape not in ("sharegpt", "alpaca", "prompt-completion", "json", "preference"):
        return None
    if shape == "preference":  # OpenAI preference pairs: ingest/regular.py
        from curator.core.ingest.regular import openai_pairs

        openai = openai_pairs(data, lines, numbers)
        if openai is not None:
            return openai
    if data.find(b"\\") >= 0 and _SURROGATE.search(data):  # no backslash: no escape (memchr)
        pairs = len(_PAIR.findall(data))
        if not len(_HIGH.findall(data)) == len(_LOW.findall(data)) == pairs:
            return None
    if hint is not None and not hint[0] and isinstance(lines, pl.Series):
        hint[0] = _head_schema(data, lines)  # the first range: Arrow with the head's schema
    df = arrow_lines(data, hint[0], len(lines)) if hint is not None and hint[0] else None
    strict = df is not None  # Arrow's types held on every line (see ``_proven_rows``)
    if df is None:
        try:
            df = pl.read_ndjson(data, infer_schema_length=None)
        except Exception:
            return None
        if hint is not None:
            hint[0] = _arrow_schema(df.schema)
    if df.height != len(lines) or df.width == 0 or "_raw" in df.columns:
        return None
    schema = df.schema
    nested = set().union(*(_nested_names(t) for t in schema.values()))
    kinds = {c: _kind(t) for c, t in schema.items()}
    if any(k is None for k in kinds.values()) or any(not _NAME.match(c) for c in schema):
        return None
    if nested & set(schema):
        return None
    turns_field = None
    if shape == "sharegpt":
        turns_field = next(f for f in ("conversations", "conversation", "messages") if f in schema)
    elif shape == "json":
        turns_field = options.messages_field or "messages"
        role_field, content_field = options.role_field or "role", options.content_field or "content"
        names_ok = _NAME.match(role_field) and _NAME.match(content_field)
        if turns_field not in schema or not names_ok:
            return None
    plan = _plan(schema, shape, options)
    if plan is None:
        return None
    msgs, meta, fallback = plan
    text = pl.Series("_raw", lines, dtype=pl.String)
    role_key = content_key = ""
    if turns_field is not None:
        dtype = schema[turns_field]
        assert isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct)
        names = {f.name for f in dtype.inner.fields}
        if shape == "json":
            role_key, content_key = role_field, content_field
        elif "from" in names:
            role_key, content_key = "from", "value"
        else:
            role_key, content_key = "role", "content"
        if not names <= {role_key, content_key} or role_key == content_key:
            return None
    raw = pl.col("_raw").str
    pattern = _line_pattern(kinds, turns_field, role_key, content_key)
    checks: list[pl.Expr] = []
    proven = _proven_rows(df, shape, turns_field, role_key) if strict else None
    if pattern is not None and proven is not None:  # the pattern only where Arrow cannot tell
        matched = np.ones(df.height, dtype=bool)
        todo = np.flatnonzero(~proven)
        if len(todo):
            matched[todo] = text.gather(todo).str.contains(pattern).fill_null(False).to_numpy()
        checks.append(pl.lit(pl.Series("_matched", matched)))
    elif pattern is not None:  # one pass over each line instead of three per column
        checks.append(raw.contains(pattern))
    else:
        for c, kind in kinds.items():
            checks.append(raw.count_matches(_key(c)) == 1)
            checks.append(raw.count_matches(_key(c, _VALUE[str(kind)])) == 1)
        cols = list(schema)
        for a, b in itertools.pairwise(cols):
            checks.append(raw.find(_key(a)) < raw.find(_key(b)))
        if turns_field is not None:
            n_turns = pl.col(turns_field).list.len().fill_null(0)
            checks.append(raw.count_matches(_key(role_key)) == n_turns)
            checks.append(raw.count_matches(_key(role_key, _VALUE["text"])) == n_turns)
            checks.append(
                raw.count_matches(_key(content_key))
                == raw.count_matches(_key(content_key, _VALUE["text"]))
            )
    ok = pl.all_horizontal(checks).fill_null(False) & ~fallback
    line = pl.Series(R.LINE, numbers, dtype=pl.Int64)
    out = df.with_columns(text).select(
        line,
        (pl.lit("line ") + line.cast(pl.String)).alias(R.LOCATOR),
        meta.alias(R.META),
        (~ok).alias("_fallback"),
        *_part_columns(msgs),
        *([rejected_column()] if shape == "preference" else []),
    )
    mask = out.get_column("_fallback")
    return _assemble(out.filter(~pl.col("_fallback")), len(msgs)), mask, list(schema)
