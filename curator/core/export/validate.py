"""Validation of every output line: JSON Schema + the rules a schema cannot express.

Fast and still per line. A line's schema verdict depends only on its
*structural shape*: per message the role, whether content / name / weight /
tool_calls / tool_call_id are absent, empty or present, the weight value, and
whether the name and the tool_calls text satisfy the schema's ``$defs/name``
and ``$defs/tool_calls`` (checked once per distinct value); per line, whether
the top-level ``tools`` satisfy ``$defs/tools`` and the ``parallel_tool_calls``
value. The schemas in
``schemas/`` constrain nothing else (README there), so validating one real
line per shape with jsonschema gives every line its exact verdict; a test
compares this with :func:`validate_line` on every line of random data.

Semantic rules (vectorised over messages) are reported under the OpenAI
cookbook's error names plus: last_message_not_assistant,
roles_not_alternating (ShareGPT), not_single_turn and unsupported_message
(Alpaca, ShareGPT).
"""

from __future__ import annotations

import json
from typing import Any, Final

import polars as pl

from curator.core import records as R
from curator.core.export import formats as F
from curator.core.export.options import FORMAT_INFO
from curator.core.export.schemas import has_def, schema_problems, validator

PROBLEM_SCHEMA: Final = pl.Schema({R.ID: pl.String, "kind": pl.String, "detail": pl.String})
# Rust's char::is_whitespace set, so the per-line check agrees with Polars' strip_chars.
_WS: Final = "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
USER_SIDE: Final = ("human", "tool")
ASSISTANT_SIDE: Final = ("gpt", "function_call")


def empty_problems() -> pl.DataFrame:
    return pl.DataFrame(schema=PROBLEM_SCHEMA)


def _value_class(values: pl.Series, schema: str, pointer: str) -> pl.DataFrame:
    """Per distinct value: '1' if it satisfies $defs/pointer of the schema, else 'x'."""
    uniq = values.drop_nulls().unique(maintain_order=True)
    if not has_def(schema, pointer):
        ok = [True] * uniq.len()
    else:
        v = validator(schema, pointer)
        if pointer in ("tool_calls", "tools"):  # JSON text
            ok = []
            for t in uniq.to_list():
                try:
                    ok.append(v.is_valid(json.loads(t)))
                except ValueError:
                    ok.append(False)
        else:
            ok = [v.is_valid(x) for x in uniq.to_list()]
    return pl.DataFrame(
        {values.name: uniq, f"{values.name}_ok": ["1" if o else "x" for o in ok]},
        schema={values.name: pl.String, f"{values.name}_ok": pl.String},
    )


def _presence(col: str) -> pl.Expr:
    c = pl.col(col)
    return pl.when(c.is_null()).then(pl.lit("0")).when(c == "").then(pl.lit("e")).otherwise(pl.lit("1"))


def shapes(df: pl.DataFrame, msgs: pl.DataFrame, schema: str) -> pl.DataFrame:
    """_row -> shape key (a string); rows with equal keys get equal schema verdicts."""
    names = _value_class(msgs.get_column("name"), schema, "name")
    calls = _value_class(msgs.get_column("tool_calls"), "openai_chat", "tool_calls")
    m = msgs.join(names, on="name", how="left", maintain_order="left").join(
        calls, on="tool_calls", how="left", maintain_order="left"
    )
    c = pl.col
    token = pl.concat_str(
        [
            pl.when(c("role").is_null()).then(pl.lit("\x00")).otherwise(c("role")),
            _presence("content"),
            pl.when(c("name").is_null()).then(pl.lit("0")).otherwise(c("name_ok")),
            c("weight").cast(pl.String).fill_null("-"),
            pl.when(c("tool_calls").is_null()).then(pl.lit("0")).otherwise(c("tool_calls_ok")),
            _presence("tool_call_id"),
        ],
        separator="\x1f",
    )
    per = m.sort(F.ROW, F.POS).group_by(F.ROW, maintain_order=True).agg(token.str.join("\x1e").alias("shape"))
    extras = F.line_extras(df)
    tools = _value_class(extras.get_column("tools"), "openai_chat", "tools")
    extras = extras.join(tools, on="tools", how="left", maintain_order="left").select(
        F.ROW,
        pl.concat_str(
            [c("tools_ok").fill_null("0"), c("ptc").fill_null("-")], separator="\x1f"
        ).alias("_extra"),
    )
    out = extras.join(per, on=F.ROW, how="left", maintain_order="left")
    return out.select(
        F.ROW, pl.concat_str([c("shape").fill_null("<no messages>"), c("_extra")], separator="\x1d").alias("shape")
    )


def schema_check(df: pl.DataFrame, msgs: pl.DataFrame, fmt: str) -> pl.DataFrame:
    """Schema problems for every row, validating one real line per distinct shape."""
    schema = FORMAT_INFO[fmt].schema
    sh = shapes(df, msgs, schema)
    reps = sh.unique("shape", keep="first", maintain_order=True)
    rep_rows = df.join(reps.select(F.ROW), on=F.ROW, how="semi")
    rep_msgs = msgs.join(reps.select(F.ROW), on=F.ROW, how="semi")
    lines = F.LINE_BUILDERS[fmt](rep_rows, rep_msgs)
    bad: list[tuple[int, str, str]] = []
    for row, line in lines.iter_rows():
        for kind, detail in schema_problems(json.loads(line), schema):
            bad.append((row, kind, detail))
    if not bad:
        return empty_problems()
    per_shape = pl.DataFrame(bad, schema={F.ROW: pl.UInt32, "kind": pl.String, "detail": pl.String}, orient="row")
    per_shape = per_shape.join(reps.cast({F.ROW: pl.UInt32}), on=F.ROW).drop(F.ROW)
    return (
        sh.join(per_shape, on="shape", how="inner")
        .join(df.select(F.ROW, R.ID), on=F.ROW)
        .sort(F.ROW)
        .select(R.ID, "kind", "detail")
    )


def _problem(frame: pl.DataFrame, kind: str, detail: pl.Expr) -> pl.DataFrame:
    return frame.select(R.ID, pl.lit(kind).alias("kind"), detail.alias("detail"))


def semantic_check(df: pl.DataFrame, msgs: pl.DataFrame, fmt: str) -> pl.DataFrame:
    """Rules a schema cannot express, vectorised over the message table."""
    c = pl.col
    out: list[pl.DataFrame] = []
    # An assistant message that calls tools may have blank text, except in ShareGPT,
    # where such a turn keeps only its text (and is refused as unsupported_message).
    calls = ((c("role") == "assistant") & c("tool_calls").is_not_null()).fill_null(False)
    exempt = pl.lit(False) if fmt == "sharegpt" else calls
    blank = msgs.filter((c("content") != "") & (c("content").str.strip_chars() == "") & ~exempt)
    out.append(_problem(blank, "missing_content", pl.format("message {} ({}) is only whitespace", c(F.POS) + 1, c("role"))))
    per = msgs.group_by(F.ROW).agg(
        c(R.ID).first(),
        (c("role") == "assistant").any().alias("has_assistant"),
        c("role").sort_by(F.POS).last().fill_null("").alias("last_role"),
        (c("role") == "user").sum().alias("n_user"),
        (c("role") == "assistant").sum().alias("n_assistant"),
        c("role").is_in(["system", "user", "assistant"]).not_().sum().alias("n_other"),
        (c("role") == "system").sum().alias("n_system"),
        ((c("role") == "system") & (c(F.POS) > 0)).any().alias("late_system"),
        c("tool_calls").is_not_null().any().alias("has_calls"),
        c("weight").filter(c("role") == "assistant").first().alias("reply_weight"),
    )
    per = per.filter(c(R.ID).is_not_null())
    out.append(_problem(per.filter(~c("has_assistant")), "example_missing_assistant_message", pl.lit("no assistant message to learn from")))
    out.append(
        _problem(
            per.filter(c("has_assistant") & (c("last_role") != "assistant")),
            "last_message_not_assistant",
            pl.format("the last message is from '{}'; trainers learn from a final assistant reply", c("last_role")),
        )
    )
    if fmt == "sharegpt":
        out.append(_sharegpt_rules(msgs))
    if fmt == "alpaca":
        none = df.filter(pl.col(R.MESSAGES).list.len().fill_null(0) == 0)
        out.append(_problem(none, "missing_messages_list", pl.lit("the record has no messages")))
        multi = per.filter((c("n_user") != 1) | (c("n_assistant") != 1) | (c("n_system") > 1) | c("late_system"))
        out.append(
            _problem(
                multi,
                "not_single_turn",
                pl.format(
                    "{} user and {} assistant messages; Alpaca holds one instruction and one reply "
                    "(export as openai or sharegpt to keep multi-turn conversations)",
                    c("n_user"),
                    c("n_assistant"),
                ),
            )
        )
        tools = per.filter((c("n_other") > 0) | c("has_calls"))
        out.append(_problem(tools, "unsupported_message", pl.lit("tool messages or tool calls cannot be written as Alpaca")))
        zero = per.filter(c("reply_weight") == 0)
        out.append(_problem(zero, "unsupported_message", pl.lit("the reply has weight 0: an Alpaca record would train on it anyway")))
    return pl.concat(out).cast(PROBLEM_SCHEMA)


def _sharegpt_rules(msgs: pl.DataFrame) -> pl.DataFrame:
    """LLaMA-Factory's rule: [system] then human/tool and gpt/function_call alternate."""
    c = pl.col
    frm = F.sharegpt_from()
    m = msgs.with_columns(frm.fill_null("").alias("_from"))
    both = m.filter((c("role") == "assistant") & c("tool_calls").is_not_null() & c("content").is_not_null() & (c("content") != ""))
    first_non_system = m.filter(c("_from") != "system").group_by(F.ROW).agg(c(F.POS).min().alias("_start"))
    m = m.join(first_non_system, on=F.ROW, how="left")
    k = c(F.POS) - c("_start")
    expected_user = (k % 2) == 0
    wrong = m.filter(
        ((c("_from") == "system") & (c(F.POS) > 0))
        | ((c(F.POS) >= c("_start")) & (c("_from") != "system"))
        & ((expected_user & ~c("_from").is_in(USER_SIDE)) | (~expected_user & ~c("_from").is_in(ASSISTANT_SIDE)))
    )
    first_wrong = wrong.sort(F.POS).group_by(F.ROW, maintain_order=True).first()
    return pl.concat(
        [
            _problem(
                first_wrong,
                "roles_not_alternating",
                pl.format("message {} is '{}' where ShareGPT needs human/gpt turns to alternate", c(F.POS) + 1, c("_from"))
                + pl.when(c("_from") == "tool")
                .then(pl.lit(" (results of parallel tool calls cannot be one ShareGPT turn each; export as openai or trl)"))
                .otherwise(pl.lit("")),
            ),
            _problem(both, "unsupported_message", pl.format("message {} has both text and tool calls; a ShareGPT turn holds one", c(F.POS) + 1)),
        ]
    )


def check(df: pl.DataFrame, fmt: str, msgs: pl.DataFrame | None = None) -> pl.DataFrame:
    """All problems (id, kind, detail) of the lines ``df`` would become in ``fmt``.

    ``df`` needs ``_row``, ``id``, ``messages``.
    """
    if df.height == 0:
        return empty_problems()
    m = F.explode_messages(df) if msgs is None else msgs
    probs = pl.concat([schema_check(df, m, fmt), semantic_check(df, m, fmt)])
    order = df.select(R.ID, F.ROW)
    return (
        probs.join(order, on=R.ID, how="left")
        .unique([R.ID, "kind", "detail"], keep="first")
        .sort(F.ROW, "kind", "detail")
        .drop(F.ROW)
    )


# --- one line at a time: the reference the vectorised path is tested against ----


def _roles_of_line(obj: Any, fmt: str) -> list[dict[str, Any]] | None:
    if not isinstance(obj, dict):
        return None
    if fmt == "sharegpt":
        back = {"system": "system", "human": "user", "gpt": "assistant", "function_call": "assistant", "tool": "tool"}
        turns = obj.get("conversations")
        if not isinstance(turns, list):
            return None
        return [
            {"role": back.get(str(t.get("from")), t.get("from")), "from": t.get("from"), "content": t.get("value")}
            for t in turns
            if isinstance(t, dict)
        ]
    if fmt == "alpaca":
        out = [{"role": "user", "content": obj.get("instruction")}, {"role": "assistant", "content": obj.get("output")}]
        return ([{"role": "system", "content": obj["system"]}] if "system" in obj else []) + out
    msgs = obj.get("messages")
    return [m for m in msgs if isinstance(m, dict)] if isinstance(msgs, list) else None


def validate_line(obj: Any, fmt: str) -> list[tuple[str, str]]:
    """(kind, detail) problems of one decoded output line of ``fmt``; [] when valid.

    ``fmt`` is an export format or a schema name ("openai_preference").
    """
    schema = FORMAT_INFO[fmt].schema if fmt in FORMAT_INFO else fmt
    problems = schema_problems(obj, schema)
    if schema == "openai_preference":
        return problems
    msgs = _roles_of_line(obj, fmt)
    if not msgs:
        return problems
    for i, m in enumerate(msgs, start=1):
        content = m.get("content")
        if (
            isinstance(content, str)
            and content
            and not content.strip(_WS)
            and not (m.get("role") == "assistant" and m.get("tool_calls") is not None)
        ):
            problems.append(("missing_content", f"message {i} ({m.get('role')}) is only whitespace"))
    roles = [m.get("role") for m in msgs]
    if "assistant" not in roles:
        problems.append(("example_missing_assistant_message", "no assistant message to learn from"))
    elif roles[-1] != "assistant":
        problems.append(("last_message_not_assistant", f"the last message is from '{roles[-1]}'"))
    if fmt == "sharegpt":
        froms = [m.get("from") for m in msgs]
        start = next((i for i, f in enumerate(froms) if f != "system"), len(froms))
        for i, f in enumerate(froms):
            want = USER_SIDE if (i - start) % 2 == 0 else ASSISTANT_SIDE
            if (f == "system" and i > 0) or (i >= start and f != "system" and f not in want):
                problems.append(("roles_not_alternating", f"message {i + 1} is '{f}'"))
                break
    return problems
