"""Preference-pair export (``--format preference``): OpenAI preference or TRL lines.

A pair record is ``messages`` = prompt + chosen reply and ``rejected_answer``
(records.py). Two line shapes, picked by the export's ``preference_style``
(``--target openai`` / ``--target trl``):

- ``openai`` (schema ``openai_preference``): ``{"input": {"messages": prompt,
  "tools"?, "parallel_tool_calls"?}, "preferred_output": [chosen],
  "non_preferred_output": [rejected]}`` (OpenAI's DPO fine-tuning file);
- ``trl`` (schema ``trl_preference``): TRL's conversational preference type with an
  explicit prompt, ``{"prompt": [{role, content}], "chosen": [{role: assistant,
  content}], "rejected": [...]}``, which DPOTrainer and RewardTrainer read as is.

Lines are built with Polars expressions, like ``formats.py``; validation checks one
real line per structural shape against the schema (``validate.py``'s rule) plus the
rules a schema cannot express.
"""

from __future__ import annotations

import json
from typing import Final, Literal

import polars as pl

from curator.core import records as R
from curator.core.export import formats as F
from curator.core.export.options import ExportOptions
from curator.core.export.schemas import schema_problems
from curator.core.export.validate import PROBLEM_SCHEMA, empty_problems, shapes

Style = Literal["openai", "trl"]
STYLES: Final[dict[str, str]] = {"openai": "openai_preference", "trl": "trl_preference"}
_C: Final = "_chosen"
_J: Final = "_rejected"


def _parts(df: pl.DataFrame) -> pl.DataFrame:
    """_row, id, meta, messages (the prompt only), the chosen and the rejected reply."""
    msgs = pl.col(R.MESSAGES)
    n = msgs.list.len().fill_null(0)
    return df.select(
        F.ROW,
        R.ID,
        R.META if R.META in df.columns else pl.lit("{}").alias(R.META),
        msgs.list.head(pl.max_horizontal(n - 1, 0)).alias(R.MESSAGES),
        msgs.list.last().alias(_C),
        pl.col(R.REJECTED_ANSWER).alias(_J),
    )


def _reply(col: str) -> pl.Expr:
    """``[{"role":"assistant","content":...}]`` (the role is always assistant: the
    import and every edit keep both answers assistant messages)."""
    content = pl.col(col).struct.field("content")
    return pl.lit('[{"role":"assistant","content":') + F.js(content) + pl.lit("}]")


def _trl_prompt(parts: pl.DataFrame) -> pl.DataFrame:
    m = F.explode_messages(parts)
    c = pl.col
    per_msg = m.select(
        F.ROW,
        F.POS,
        (
            pl.lit('{"role":')
            + F.js(c("role"))
            + pl.lit(',"content":')
            + F.js(c("content"))
            + pl.lit("}")
        ).alias("_m"),
    )
    grouped = (
        per_msg.sort(F.ROW, F.POS)
        .group_by(F.ROW, maintain_order=True)
        .agg(pl.col("_m").str.join(","))
    )
    out = parts.select(F.ROW).join(grouped, on=F.ROW, how="left", maintain_order="left")
    return out.select(F.ROW, (pl.lit("[") + pl.col("_m").fill_null("") + pl.lit("]")).alias("_p"))


def style_of(options: ExportOptions) -> Style:
    return "trl" if options.preference_style == "trl" else "openai"


def lines(df: pl.DataFrame, style: Style) -> pl.DataFrame:
    """``_row, line`` for pair rows of ``df`` (which needs _row, id, messages, rejected_answer)."""
    parts = _parts(df)
    if style == "openai":
        prompt = F.openai_lines(parts).rename({F.LINE: "_p"})  # {"messages": [...], "tools"?...}
        head, chosen_key, rejected_key = '{"input":', "preferred_output", "non_preferred_output"
    else:
        prompt = _trl_prompt(parts)
        head, chosen_key, rejected_key = '{"prompt":', "chosen", "rejected"
    out = parts.select(F.ROW, _C, _J).join(prompt, on=F.ROW, how="left", maintain_order="left")
    line = pl.concat_str(
        [
            pl.lit(head),
            pl.col("_p"),
            pl.lit(f',"{chosen_key}":'),
            _reply(_C),
            pl.lit(f',"{rejected_key}":'),
            _reply(_J),
            pl.lit("}"),
        ]
    )
    return out.select(F.ROW, line.alias(F.LINE))


def _problem(frame: pl.DataFrame, kind: str, detail: pl.Expr | str) -> pl.DataFrame:
    d = pl.lit(detail) if isinstance(detail, str) else detail
    return frame.select(R.ID, pl.lit(kind).alias("kind"), d.alias("detail"))


def _presence(col: str, field: str) -> pl.Expr:
    v = pl.col(col).struct.field(field)
    return (
        pl.when(v.is_null())
        .then(pl.lit("0"))
        .when(v == "")
        .then(pl.lit("e"))
        .otherwise(pl.lit("1"))
    )


def _schema_check(pairs: pl.DataFrame, style: Style) -> pl.DataFrame:
    """Schema problems, validating one real line per distinct shape."""
    schema = STYLES[style]
    parts = _parts(pairs)
    prompt_shape = shapes(parts, F.explode_messages(parts), "openai_chat")
    sh = parts.select(
        F.ROW, _presence(_C, "content").alias("_c"), _presence(_J, "content").alias("_j")
    ).join(prompt_shape, on=F.ROW, how="left", maintain_order="left")
    sh = sh.select(F.ROW, pl.concat_str(["shape", "_c", "_j"], separator="\x1c").alias("shape"))
    reps = sh.unique("shape", keep="first", maintain_order=True)
    rep_rows = pairs.join(reps.select(F.ROW), on=F.ROW, how="semi")
    bad: list[tuple[int, str, str]] = []
    for row, line in lines(rep_rows, style).iter_rows():
        for kind, detail in schema_problems(json.loads(line), schema):
            bad.append((row, kind, detail))
    if not bad:
        return empty_problems()
    per_shape = pl.DataFrame(
        bad, schema={F.ROW: pl.UInt32, "kind": pl.String, "detail": pl.String}, orient="row"
    )
    per_shape = per_shape.join(reps.cast({F.ROW: pl.UInt32}), on=F.ROW).drop(F.ROW)
    return (
        sh.join(per_shape, on="shape")
        .join(pairs.select(F.ROW, R.ID), on=F.ROW)
        .select(R.ID, "kind", "detail")
    )


def _semantic_check(pairs: pl.DataFrame, style: Style) -> pl.DataFrame:
    c = pl.col
    parts = _parts(pairs)
    chosen, rejected = c(_C).struct.field("content"), c(_J).struct.field("content")
    out = [
        _problem(
            parts.filter(c(R.MESSAGES).list.len() == 0),
            "missing_prompt",
            "the pair has no prompt before the chosen reply",
        ),
        _problem(
            parts.filter(c(_C).struct.field("role") != "assistant"),
            "unrecognized_role",
            "the chosen reply is not an assistant message (was the last message edited away?)",
        ),
        _problem(
            parts.filter(
                c(R.MESSAGES).list.last().struct.field("role").fill_null("") == "assistant"
            ),
            "prompt_ends_with_assistant",
            "the prompt ends with an assistant turn; it must end with the turn the answers reply to",
        ),
        _problem(
            parts.filter((chosen != "") & (chosen.str.strip_chars() == "")),
            "missing_content",
            "the chosen reply is only whitespace",
        ),
        _problem(
            parts.filter((rejected != "") & (rejected.str.strip_chars() == "")),
            "missing_content",
            "the rejected reply is only whitespace",
        ),
        _problem(
            parts.filter(chosen.str.strip_chars() == rejected.str.strip_chars()),
            "identical_answers",
            "the chosen and the rejected reply are the same text; the pair teaches nothing",
        ),
        _problem(
            parts.filter(
                c(_C).struct.field("tool_calls").is_not_null()
                | c(_J).struct.field("tool_calls").is_not_null()
            ),
            "unsupported_message",
            "an answer calls tools; preference answers are written as text only",
        ),
    ]
    if style == "trl":
        msgs = F.explode_messages(parts)
        calls = msgs.filter(c("tool_calls").is_not_null() | (c("role") == "tool")).unique(F.ROW)
        out.append(
            _problem(
                calls,
                "unsupported_message",
                "the prompt has tool messages or tool calls, which TRL's preference rows do not "
                "carry; export with --target openai to keep them",
            )
        )
    return pl.concat(out).cast(PROBLEM_SCHEMA)


def check(df: pl.DataFrame, style: Style) -> pl.DataFrame:
    """All problems (id, kind, detail) of ``df``'s rows as ``style`` preference lines.

    A conversation (no rejected reply) is refused as ``not_a_pair``."""
    if df.height == 0:
        return empty_problems()
    if R.REJECTED_ANSWER not in df.columns:
        df = df.with_columns(pl.lit(None, R.MESSAGE_DTYPE).alias(R.REJECTED_ANSWER))
    chats = df.filter(~R.is_pair())
    pairs = df.filter(R.is_pair())
    probs = [
        _problem(
            chats,
            "not_a_pair",
            "a conversation, not a preference pair (no rejected reply); export it with "
            "--format openai, or leave it out with --skip-invalid",
        )
    ]
    if pairs.height:
        probs += [_schema_check(pairs, style), _semantic_check(pairs, style)]
    order = df.select(R.ID, F.ROW)
    return (
        pl.concat(probs)
        .cast(PROBLEM_SCHEMA)
        .join(order, on=R.ID, how="left")
        .unique([R.ID, "kind", "detail"], keep="first")
        .sort(F.ROW, "kind", "detail")
        .drop(F.ROW)
    )
