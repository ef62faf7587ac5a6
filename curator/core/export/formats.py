"""Record -> line converters, vectorised in Polars (no Python loop over records).

Every converter takes a frame with ``_row`` (position), ``id`` and
``messages`` and returns ``_row, line`` (the JSON text of one output line).
Absent fields (null in the record) are left out of the line, never written as
``null``. ``tool_calls`` are stored as JSON text; they are decoded and
re-encoded once per distinct text (see :func:`tool_call_table`).

Format decisions (documented in ``schemas/README.md``):
- ShareGPT: roles system/human/gpt/tool; an assistant turn that only calls
  tools becomes ``function_call`` with the calls as JSON text
  (``[{"name", "arguments"}]``, LLaMA-Factory's shape); ``name`` and ``weight``
  are kept as turn keys.
- Alpaca: the system message becomes the ``system`` field (LLaMA-Factory's
  ``system`` column); ``input`` is empty; names are not carried.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any, Final

import polars as pl

from curator.core import records as R

ROW: Final = "_row"
POS: Final = "_i"
LINE: Final = "line"
SHAREGPT_FROM: Final = {"system": "system", "user": "human", "assistant": "gpt", "tool": "tool"}

TOOL_CALL_DTYPE: Final = pl.List(
    pl.Struct(
        {
            "id": pl.String,
            "type": pl.String,
            "function": pl.Struct({"name": pl.String, "arguments": pl.String}),
        }
    )
)


def js(expr: pl.Expr) -> pl.Expr:
    """JSON literal of a string (or number) expression: '"a\\"b"' / 'null'."""
    return pl.struct(expr.alias("v")).struct.json_encode().str.strip_prefix('{"v":').str.strip_suffix("}")


def explode_messages(df: pl.DataFrame) -> pl.DataFrame:
    """One row per message: _row, id, _i (0-based), _n (messages in the record), fields."""
    base = df.select(ROW, R.ID, R.MESSAGES).with_columns(
        pl.col(R.MESSAGES).list.len().fill_null(0).alias("_n"),
        pl.int_ranges(pl.col(R.MESSAGES).list.len().fill_null(0)).alias(POS),
    )
    ex = base.explode(R.MESSAGES, POS).drop_nulls(POS)
    m = pl.col(R.MESSAGES)
    return ex.select(
        ROW,
        R.ID,
        POS,
        "_n",
        m.struct.field("role").alias("role"),
        m.struct.field("content").alias("content"),
        m.struct.field("name").alias("name"),
        m.struct.field("weight").alias("weight"),
        m.struct.field("tool_calls").alias("tool_calls"),
        m.struct.field("tool_call_id").alias("tool_call_id"),
    )


def _decode_tool_calls(text: str) -> tuple[Any, bool]:
    try:
        return json.loads(text), True
    except ValueError:
        return None, False


def _sharegpt_calls(obj: Any) -> str | None:
    """OpenAI tool_calls -> LLaMA-Factory's function_call value (JSON text)."""
    if not isinstance(obj, list):
        return None
    calls = []
    for c in obj:
        fn = c.get("function") if isinstance(c, dict) else None
        if not isinstance(fn, dict) or "name" not in fn:
            return None
        args = fn.get("arguments")
        if isinstance(args, str):
            with contextlib.suppress(ValueError):
                args = json.loads(args)
        calls.append({"name": fn["name"], "arguments": args})
    return json.dumps(calls[0] if len(calls) == 1 else calls, ensure_ascii=False)


def _parsed_arguments(obj: Any) -> Any:
    """OpenAI tool_calls with each JSON-text ``arguments`` parsed (HF chat templates' form)."""
    if not isinstance(obj, list):
        return obj
    out = []
    for c in obj:
        fn = c.get("function") if isinstance(c, dict) else None
        if isinstance(fn, dict) and isinstance(fn.get("arguments"), str):
            with contextlib.suppress(ValueError):
                c = {**c, "function": {**fn, "arguments": json.loads(fn["arguments"])}}
        out.append(c)
    return out


def tool_call_table(texts: pl.Series) -> pl.DataFrame:
    """Per distinct tool_calls text: compact JSON (``tc_json``), ShareGPT value
    (``tc_sharegpt``), with parsed arguments (``tc_parsed``), and whether it parses (``tc_parses``)."""
    uniq = texts.drop_nulls().unique(maintain_order=True).to_list()
    compact: list[str | None] = []
    share: list[str | None] = []
    parsed: list[str | None] = []
    parses: list[bool] = []
    for t in uniq:
        obj, ok = _decode_tool_calls(t)
        compact.append(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) if ok else None)
        share.append(_sharegpt_calls(obj) if ok else None)
        parsed.append(json.dumps(_parsed_arguments(obj), ensure_ascii=False, separators=(",", ":")) if ok else None)
        parses.append(ok)
    return pl.DataFrame(
        {"tool_calls": uniq, "tc_json": compact, "tc_sharegpt": share, "tc_parsed": parsed, "tc_parses": parses},
        schema={
            "tool_calls": pl.String,
            "tc_json": pl.String,
            "tc_sharegpt": pl.String,
            "tc_parsed": pl.String,
            "tc_parses": pl.Boolean,
        },
    )


def _with_tool_calls(msgs: pl.DataFrame) -> pl.DataFrame:
    if "tc_json" in msgs.columns:
        return msgs
    table = tool_call_table(msgs.get_column("tool_calls"))
    return msgs.join(table, on="tool_calls", how="left", maintain_order="left")


def _field(key: str, value: pl.Expr, present: pl.Expr) -> pl.Expr:
    return pl.when(present).then(pl.lit(f',"{key}":') + value)


def _normalise_tools(text: str) -> str:
    if text.lstrip().startswith("["):
        try:
            return json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))
        except ValueError:
            pass
    return json.dumps(text, ensure_ascii=False)  # not a list: kept as a string the schema rejects


def line_extras(df: pl.DataFrame) -> pl.DataFrame:
    """Per row, the OpenAI line's top-level ``tools`` (compact JSON) and
    ``parallel_tool_calls`` (JSON literal) from the record's original fields (meta)."""
    if R.META not in df.columns:
        return df.select(ROW, pl.lit(None, pl.String).alias("tools"), pl.lit(None, pl.String).alias("ptc"))
    raw = df.select(
        ROW,
        pl.col(R.META).str.json_path_match("$.tools").alias("_t"),
        pl.col(R.META).str.json_path_match("$.parallel_tool_calls").alias("_p"),
    )
    uniq = raw.get_column("_t").drop_nulls().unique(maintain_order=True)
    table = pl.DataFrame(
        {"_t": uniq, "tools": [_normalise_tools(t) for t in uniq.to_list()]},
        schema={"_t": pl.String, "tools": pl.String},
    )
    ptc = pl.when(pl.col("_p").is_in(["true", "false"])).then(pl.col("_p")).otherwise(js(pl.col("_p")))
    return raw.join(table, on="_t", how="left", maintain_order="left").select(
        ROW, "tools", pl.when(pl.col("_p").is_not_null()).then(ptc).alias("ptc")
    )


def _lines(per_msg: pl.DataFrame, rows: pl.DataFrame, head: str, tail: pl.Expr | str) -> pl.DataFrame:
    grouped = per_msg.sort(ROW, POS).group_by(ROW, maintain_order=True).agg(pl.col("_m").str.join(","))
    out = line_extras(rows).join(grouped, on=ROW, how="left", maintain_order="left")
    end = pl.lit(tail) if isinstance(tail, str) else tail
    return out.select(ROW, (pl.lit(head) + pl.col("_m").fill_null("") + end).alias(LINE))


def openai_lines(df: pl.DataFrame, msgs: pl.DataFrame | None = None, calls: str = "tc_json") -> pl.DataFrame:
    """``{"messages": [{"role", "content", "name", "weight", "tool_calls", "tool_call_id"}]}``."""
    m = _with_tool_calls(explode_messages(df) if msgs is None else msgs)
    c = pl.col
    # A tool_calls text that is not JSON is written as a JSON string so the line
    # stays parseable; the schema then rejects it (tool_calls must be a list).
    tc = pl.coalesce(c(calls), js(c("tool_calls")))
    per_msg = m.select(
        ROW,
        POS,
        pl.concat_str(
            [
                pl.lit('{"role":') + js(c("role")),
                # An assistant turn that only calls tools says so: "content": null (the API's form).
                _field("content", js(c("content")), c("content").is_not_null() | c("tool_calls").is_not_null()),
                _field("name", js(c("name")), c("name").is_not_null()),
                _field("weight", c("weight").cast(pl.String), c("weight").is_not_null()),
                _field("tool_calls", tc, c("tool_calls").is_not_null()),
                _field("tool_call_id", js(c("tool_call_id")), c("tool_call_id").is_not_null()),
                pl.lit("}"),
            ],
            ignore_nulls=True,
        ).alias("_m"),
    )
    tail = pl.concat_str(
        [
            pl.lit("]"),
            _field("tools", c("tools"), c("tools").is_not_null()),
            _field("parallel_tool_calls", c("ptc"), c("ptc").is_not_null()),
            pl.lit("}"),
        ],
        ignore_nulls=True,
    )
    return _lines(per_msg, df, '{"messages":[', tail)


def trl_lines(df: pl.DataFrame, msgs: pl.DataFrame | None = None) -> pl.DataFrame:
    """The OpenAI line with tool-call ``arguments`` as objects (what HF chat templates render)."""
    return openai_lines(df, msgs, calls="tc_parsed")


def sharegpt_from() -> pl.Expr:
    c = pl.col
    calls_only = c("tool_calls").is_not_null() & (c("content").is_null() | (c("content") == ""))
    return (
        pl.when((c("role") == "assistant") & calls_only)
        .then(pl.lit("function_call"))
        .otherwise(c("role").replace_strict(SHAREGPT_FROM, default=c("role"), return_dtype=pl.String))
    )


def sharegpt_lines(df: pl.DataFrame, msgs: pl.DataFrame | None = None) -> pl.DataFrame:
    """``{"conversations": [{"from", "value", "name", "weight"}]}``."""
    m = _with_tool_calls(explode_messages(df) if msgs is None else msgs)
    c = pl.col
    frm = sharegpt_from()
    value = pl.when(frm == "function_call").then(c("tc_sharegpt")).otherwise(c("content"))
    per_msg = m.select(
        ROW,
        POS,
        pl.concat_str(
            [
                pl.lit('{"from":') + js(frm),
                _field("value", js(value), value.is_not_null()),
                _field("name", js(c("name")), c("name").is_not_null()),
                _field("weight", c("weight").cast(pl.String), c("weight").is_not_null()),
                pl.lit("}"),
            ],
            ignore_nulls=True,
        ).alias("_m"),
    )
    # LLaMA-Factory's ShareGPT reads tool definitions from a "tools" JSON string.
    tail = pl.concat_str(
        [pl.lit("]"), _field("tools", js(c("tools")), c("tools").is_not_null()), pl.lit("}")], ignore_nulls=True
    )
    return _lines(per_msg, df, '{"conversations":[', tail)


def alpaca_lines(df: pl.DataFrame, msgs: pl.DataFrame | None = None) -> pl.DataFrame:
    """``{"instruction", "input": "", "output", "system"?}`` from a single-turn record.

    Only meaningful for records that pass the single-turn rule; others are
    refused by validation before anything is written.
    """
    m = explode_messages(df) if msgs is None else msgs
    c = pl.col
    per = m.group_by(ROW).agg(
        c("content").filter(c("role") == "system").first().alias("system"),
        c("content").filter(c("role") == "user").first().alias("instruction"),
        c("content").filter(c("role") == "assistant").last().alias("output"),
        (c("role") == "system").any().alias("_has_system"),
    )
    out = df.select(ROW).join(per, on=ROW, how="left", maintain_order="left")
    line = pl.concat_str(
        [
            pl.lit('{"instruction":') + js(c("instruction")),
            pl.lit(',"input":"","output":') + js(c("output")),
            _field("system", js(c("system")), c("_has_system").fill_null(False)),
            pl.lit("}"),
        ],
        ignore_nulls=True,
    )
    return out.select(ROW, line.alias(LINE))


LINE_BUILDERS: Final = {
    "openai": openai_lines,
    "sharegpt": sharegpt_lines,
    "alpaca": alpaca_lines,
    "hf": openai_lines,
    "parquet": openai_lines,
    "trl": trl_lines,
}


def messages_table(df: pl.DataFrame) -> pl.DataFrame:
    """The ``messages`` column for Parquet / datasets: tool_calls decoded to a list.

    Validation has already checked every tool_calls text against the schema,
    so decoding with a fixed dtype loses nothing.
    """
    m = pl.element()
    decoded = pl.col(R.MESSAGES).list.eval(
        pl.struct(
            m.struct.field("role"),
            m.struct.field("content"),
            m.struct.field("name"),
            m.struct.field("weight"),
            m.struct.field("tool_calls").str.json_decode(TOOL_CALL_DTYPE),
            m.struct.field("tool_call_id"),
        )
    )
    return df.select(decoded.alias(R.MESSAGES))
