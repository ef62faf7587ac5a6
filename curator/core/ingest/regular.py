"""Vectorised conversion of OpenAI chat and OpenAI preference objects proven regular.

The counterpart of ``columnar.jsonl_batch`` for two shapes it does not take: OpenAI
chats whose messages carry ``name``/``weight``/``tool_call_id`` (the JSON-array
reader, ``json_array.py``), and OpenAI preference pairs (``input.messages`` /
``preferred_output`` / ``non_preferred_output``, dispatched from
``columnar.jsonl_batch``). The input is one JSON object per line.

Polars cannot tell a missing key from a null one, keeps the first of two equal keys
(``json.loads`` the last), coerces mixed types to text and cannot see a line's key
order. So a line is converted here only when one anchored regex over its text (Rust,
one pass) proves it is an object with every column once, in column order, each value
of its column's kind, and every message an object with the role (text) first and the
other fields once each, in a fixed order, of their own kind; the values Polars parsed
are then exactly the ones ``json.loads`` gives. Lines it cannot prove, and lines the
per-object converter would reject (an empty prompt, an answer that is not one
non-blank assistant message...), are masked for that converter, which says why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl

from curator.core import records as R
from curator.core.ingest import columnar as C
from curator.core.ingest.model import RAW_MESSAGE_DTYPE

Result = tuple[pl.DataFrame, pl.Series, list[str]]

OPENAI_PAIR = ("input", "preferred_output", "non_preferred_output")
_MIN_SPLIT = 256  # below this many lines a range that does not parse goes line by line
_STR = r'"(?:[^"\\]|\\.)*"'
_TEXT = rf"(?:{_STR}|null)"
_WEIGHT = r"(?:0|1|null)"
_MSG_KINDS = {"role": _STR, "content": _TEXT, "name": _TEXT, "weight": _WEIGHT}
_MSG_KINDS["tool_call_id"] = _TEXT


def _kv(key: str, value: str) -> str:
    return rf'"{key}"\s*:\s*{value}'


def _message(fields: set[str]) -> str | None:
    """Regex of one message object: the keys of ``fields`` (the struct's) each at most
    once, in any order, the role among them (a trie of the orders: no two equal keys)."""
    if not fields <= set(_MSG_KINDS) or "role" not in fields:
        return None
    keys = sorted(fields)

    def node(used: frozenset[str]) -> str:
        sep = r"\s*,\s*" if used else ""
        alts = [sep + _kv(k, _MSG_KINDS[k]) + node(used | {k}) for k in keys if k not in used]
        if "role" in used:
            alts.append("")
        return "(?:" + "|".join(alts) + ")" if alts else ""

    return r"\{\s*" + node(frozenset()) + r"\s*\}"


def _list(msg: str, exactly_one: bool = False) -> str:
    if exactly_one:
        return rf"\[\s*{msg}\s*\]"
    return rf"\[\s*(?:{msg}(?:\s*,\s*{msg})*)?\s*\]"


def _struct_fields(dtype: Any) -> set[str] | None:
    """The message fields of a ``List(Struct)`` column, if their types are plain."""
    if not isinstance(dtype, pl.List) or not isinstance(dtype.inner, pl.Struct):
        return None
    fields = {f.name: f.dtype for f in dtype.inner.fields}
    for k, t in fields.items():
        if k not in _MSG_KINDS:
            return None
        want = (pl.Int64, pl.Null) if k == "weight" else (pl.String, pl.Null)
        if not any(t == w for w in want):
            return None
    return set(fields)


def _messages(expr: pl.Expr, fields: set[str]) -> pl.Expr:
    """A message list in RAW_MESSAGE_DTYPE (absent fields null)."""
    el = pl.element().struct

    def get(k: str, dtype: Any) -> pl.Expr:
        return (el.field(k) if k in fields else pl.lit(None)).cast(dtype).alias(k)

    return expr.list.eval(
        pl.struct([get(k, t) for k, t in RAW_MESSAGE_DTYPE.to_schema().items()])
    ).cast(pl.List(RAW_MESSAGE_DTYPE))


def _finish(
    df: pl.DataFrame,
    ok: pl.Series,
    numbers: np.ndarray,
    parts: list[pl.Expr],
    meta: pl.Expr,
    fallback: pl.Expr,
    extra: list[pl.Expr],
) -> Result:
    """(rows, mask, keys): ``ok`` says which lines the pattern proved regular."""
    line = pl.Series(R.LINE, numbers, dtype=pl.Int64)
    out = df.with_columns(ok.alias("_ok")).select(
        line,
        (pl.lit("line ") + line.cast(pl.String)).alias(R.LOCATOR),
        meta.alias(R.META),
        (~(pl.col("_ok") & ~fallback.fill_null(True))).alias("_fallback"),
        *C._part_columns(parts),
        *extra,
    )
    mask = out.get_column("_fallback")
    return C._assemble(out.filter(~pl.col("_fallback")), len(parts)), mask, list(df.columns)


def _matches(lines: pl.Series | list[str], value: str) -> pl.Series:
    """Which lines are exactly one object matching ``value``."""
    text = pl.Series("_raw", lines, dtype=pl.String)
    return text.str.contains(rf"^\s*{value}\s*$").fill_null(False)


def _row_pattern(schema: pl.Schema, special: dict[str, str]) -> str | None:
    """Regex of one object with the schema's columns in order (unanchored)."""
    values = []
    for c, dtype in schema.items():
        if c in special:
            value = special[c]
        else:
            kind = C._kind(dtype)
            if kind is None or kind not in C._WHOLE:
                return None
            value = C._WHOLE[kind]
        values.append(_kv(c, value))
    return r"\{\s*" + r"\s*,\s*".join(values) + r"\s*\}"


def _chat_plan(schema: pl.Schema) -> tuple[str, pl.Expr, pl.Expr] | None:
    """(object regex, messages, meta) for OpenAI chats of this schema, or None."""
    if R.MESSAGES not in schema:
        return None
    fields = _struct_fields(schema[R.MESSAGES])
    if fields is None:
        return None
    msg = _message(fields)
    meta = C._meta(schema, {R.MESSAGES}, None)
    pattern = _row_pattern(schema, {R.MESSAGES: _list(msg)}) if msg else None
    if pattern is None or meta is None:
        return None
    return pattern, _messages(pl.col(R.MESSAGES), fields), meta


def openai_array(
    array: bytes, lines: Callable[[], pl.Series], numbers: np.ndarray, text: str | None = None
) -> Result | None:
    """OpenAI chat objects given as one JSON array (``array``, its elements the
    ``numbers``; ``lines()``: each element's text, a separator after it allowed) ->
    (rows, mask, keys) as ``convert.openai`` and ``meta_json`` give them; None: the
    types need the per-object converter throughout.

    The schema is inferred from the first elements: the pattern is built from it, so an
    element with another key or type does not match and goes to the per-object converter
    (when many do, the schema is inferred from all of them). The caller has left out
    the elements with a lone surrogate escape (Polars would read one as U+0000)."""
    best: Result | None = None
    for infer in (100, None):
        try:
            df = pl.read_json(array, infer_schema_length=infer)
        except Exception:
            continue
        if df.height != len(numbers) or any(not C._NAME.match(c) for c in df.columns):
            return best
        plan = _chat_plan(df.schema)
        if plan is None:
            continue
        pattern, msgs, meta = plan
        if text is None:  # ``text``: the array decoded, without its brackets
            text = array[1:-1].decode("utf-8")
        whole = pl.Series("_raw", [text], dtype=pl.String)
        every = rf"^\s*(?:{pattern}(?:\s*,\s*{pattern})*)?\s*$"
        if whole.str.contains(every).item():
            ok = pl.Series("_ok", [True] * df.height, dtype=pl.Boolean)
        else:
            ok = lines().str.contains(rf"^\s*{pattern}\s*[,\]]?$").fill_null(False)
        best = _fewer_masked(best, _finish(df, ok, numbers, [msgs], meta, pl.lit(False), []))
        if best is not None and best[1].sum() <= 0.01 * len(numbers):
            break
    return best


def openai_whole(array: bytes, whole: pl.Series, first: int) -> Result | None:
    """``openai_array`` for a run of elements whose bounds were only guessed: the rows
    when the regex proves *every* element regular (so the run is exactly a sequence of
    whole elements, and the guess was right), else None. ``whole``: the array's text
    without its brackets, as a one-row String series; ``first``: the number of the
    run's first element. The caller has made sure the run holds no surrogate escape
    (Polars reads a lone one as U+0000).
    """
    try:
        df = pl.read_json(array, infer_schema_length=100)
    except Exception:
        return None
    if any(not C._NAME.match(c) for c in df.columns):
        return None
    plan = _chat_plan(df.schema)
    if plan is None:
        return None
    pattern, msgs, meta = plan
    if not whole.str.contains(rf"^\s*(?:{pattern}(?:\s*,\s*{pattern})*)?\s*$").item():
        return None
    ok = pl.Series("_ok", [True] * df.height, dtype=pl.Boolean)
    numbers = np.arange(first, first + df.height, dtype=np.int64)
    return _finish(df, ok, numbers, [msgs], meta, pl.lit(False), [])


def _blank(content: pl.Expr) -> pl.Expr:
    return content.is_null() | content.str.contains(C._BLANK)


def openai_pairs(data: bytes, lines: pl.Series | list[str], numbers: np.ndarray) -> Result | None:
    """OpenAI preference objects -> (rows, mask, keys) as ``preference.preference`` and
    ``preference.split_rejected`` give them (the rejected reply in ``columnar.REJECTED``);
    None: not this shape, or types that need the per-object converter.

    As in ``columnar.jsonl_batch``, line i of ``lines`` is ``data`` from its start to the
    next line's, and the caller has left out the lines with a lone surrogate escape
    (``guards.pathological_lines``; their bytes may still be in ``data``, but then the
    row count differs and the range goes to the per-line converter)."""
    if data.find(b'"non_preferred_output"') < 0:
        return None
    text = pl.Series("_raw", lines, dtype=pl.String)
    got = _pairs_range(data, text, numbers)
    return None if got is None or got[1].all() else got


def _pairs_range(data: bytes, lines: pl.Series, numbers: np.ndarray) -> Result | None:
    """Like :func:`openai_pairs`; a range that does not parse is split in halves (the
    bad lines then go to the per-line converter alone), down to ``_MIN_SPLIT`` lines."""
    # the schema from the first lines (as a bare read infers it): the pattern is built
    # from it, so a line with another key or type does not match; when many do, the
    # schema is inferred from every line
    best: Result | None = None
    for infer in (100, None):
        try:
            df = pl.read_ndjson(data, infer_schema_length=infer)
        except Exception:
            break
        if df.height != len(lines):
            return None
        best = _fewer_masked(best, _pairs(df, lines, numbers))
        if best is not None and best[1].sum() <= 0.01 * len(lines):
            return best
    else:
        return best
    if len(lines) <= _MIN_SPLIT:  # does not parse: every line to the per-line converter
        return None
    mid = len(lines) // 2
    cut = int(lines.head(mid).str.len_bytes().sum())  # the lines are cut from ``data``
    parts = [
        _pairs_range(data[:cut], lines.head(mid), numbers[:mid]),
        _pairs_range(data[cut:], lines.tail(len(lines) - mid), numbers[mid:]),
    ]
    frames: list[pl.DataFrame] = []
    masks: list[pl.Series] = []
    keys: list[str] = []
    for got, n in zip(parts, (mid, len(lines) - mid), strict=True):
        if got is None:
            masks.append(pl.Series("_fallback", [True] * n, dtype=pl.Boolean))
        else:
            frames.append(got[0])
            masks.append(got[1])
            keys.extend(k for k in got[2] if k not in keys)
    if not frames:
        return None
    frame = frames[0] if len(frames) == 1 else pl.concat(frames, how="vertical_relaxed")
    return frame, pl.concat(masks), keys


def _fewer_masked(a: Result | None, b: Result | None) -> Result | None:
    if a is None or b is None:
        return a if b is None else b
    return b if b[1].sum() < a[1].sum() else a


def _pairs(df: pl.DataFrame, lines: pl.Series | list[str], numbers: np.ndarray) -> Result | None:
    if any(k not in df.columns for k in OPENAI_PAIR):
        return None
    schema = df.schema
    inp = schema["input"]
    if not isinstance(inp, pl.Struct) or [f.name for f in inp.fields] != [R.MESSAGES]:
        return None
    prompt_fields = _struct_fields(inp.fields[0].dtype)
    chosen_fields = _struct_fields(schema["preferred_output"])
    rejected_fields = _struct_fields(schema["non_preferred_output"])
    if prompt_fields is None or chosen_fields is None or rejected_fields is None:
        return None
    prompt_msg, chosen_msg, rejected_msg = (
        _message(prompt_fields),
        _message(chosen_fields),
        _message(rejected_fields),
    )
    if not (prompt_msg and chosen_msg and rejected_msg):
        return None
    special = {
        "input": r"\{\s*" + _kv(R.MESSAGES, _list(prompt_msg)) + r"\s*\}",
        "preferred_output": _list(chosen_msg, exactly_one=True),
        "non_preferred_output": _list(rejected_msg, exactly_one=True),
    }
    pattern = _row_pattern(schema, special)
    meta = C._meta(schema, set(OPENAI_PAIR), None)
    if pattern is None or meta is None:
        return None
    prompt = _messages(pl.col("input").struct.field(R.MESSAGES), prompt_fields)
    chosen = _messages(pl.col("preferred_output"), chosen_fields).list.first()
    rejected = _messages(pl.col("non_preferred_output"), rejected_fields).list.first()
    fallback = (
        (pl.col("input").struct.field(R.MESSAGES).list.len() == 0)
        | (prompt.list.last().struct.field("role") == "assistant")
        | (chosen.struct.field("role") != "assistant")
        | (rejected.struct.field("role") != "assistant")
        | _blank(chosen.struct.field("content"))
        | _blank(rejected.struct.field("content"))
    )
    reply = rejected.struct.with_fields(pl.lit("assistant").alias("role"))
    return _finish(
        df,
        _matches(lines, pattern),
        numbers,
        [prompt, chosen.struct.with_fields(pl.lit("assistant").alias("role"))],
        meta,
        fallback,
        [reply.cast(R.MESSAGE_DTYPE).alias(C.REJECTED)],
    )
