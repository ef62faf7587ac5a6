"""The OpenAI cookbook's chat fine-tuning format checks, vectorised over records.

Names follow ``examples/Chat_finetuning_data_prep.ipynb`` so a user can look
them up: data_type, missing_messages_list, message_missing_key,
message_unrecognized_key, unrecognized_role, missing_content,
example_missing_assistant_message. The first and fourth cannot occur in a
workspace frame (its struct has no room for them); they are checked on raw
dicts by :func:`errors_for_line`, which the exporter runs on every line.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from curator.core import records as R

ERROR_KINDS = (
    "data_type",
    "missing_messages_list",
    "message_missing_key",
    "message_unrecognized_key",
    "unrecognized_role",
    "missing_content",
    "example_missing_assistant_message",
)
COOKBOOK_ROLES = ("system", "user", "assistant", "function", "tool")
ALLOWED_KEYS = {"role", "content", "name", "function_call", "weight", "tool_calls", "tool_call_id"}

EXPLANATIONS = {
    "data_type": "the line is not a JSON object",
    "missing_messages_list": "there is no non-empty 'messages' list",
    "message_missing_key": "a message has no 'role' or no 'content'",
    "message_unrecognized_key": "a message has a key trainers do not accept",
    "unrecognized_role": "a message has a role other than system/user/assistant/tool",
    "missing_content": "a message has empty content",
    "example_missing_assistant_message": "there is no assistant message to learn from",
}


def format_errors(df: pl.DataFrame) -> pl.DataFrame:
    """One row per (record, error kind): columns id, kind, detail.

    ``df`` needs ``id`` and ``messages``. An assistant message that carries
    tool_calls may have empty content (that is valid for tool use).
    """
    base = df.select(R.ID, R.MESSAGES)
    no_list = base.filter(pl.col(R.MESSAGES).is_null() | (pl.col(R.MESSAGES).list.len() == 0)).select(
        R.ID, pl.lit("missing_messages_list").alias("kind"), pl.lit("no messages").alias("detail")
    )
    msgs = (
        base.with_columns(pl.int_ranges(pl.col(R.MESSAGES).list.len()).alias("_i"))
        .explode(R.MESSAGES, "_i")
        .drop_nulls(R.MESSAGES)
        .select(
            R.ID,
            (pl.col("_i") + 1).alias("n"),
            pl.col(R.MESSAGES).struct.field("role").alias("role"),
            pl.col(R.MESSAGES).struct.field("content").alias("content"),
            pl.col(R.MESSAGES).struct.field("tool_calls").is_not_null().alias("has_tools"),
        )
    )
    missing_role = msgs.filter(pl.col("role").is_null() | (pl.col("role") == "")).select(
        R.ID,
        pl.lit("message_missing_key").alias("kind"),
        pl.format("message {} has no role", pl.col("n")).alias("detail"),
    )
    bad_role = msgs.filter(pl.col("role").is_not_null() & ~pl.col("role").is_in(COOKBOOK_ROLES)).select(
        R.ID,
        pl.lit("unrecognized_role").alias("kind"),
        pl.format("message {} has role '{}'", pl.col("n"), pl.col("role")).alias("detail"),
    )
    empty = msgs.filter(
        (pl.col("content").is_null() | (pl.col("content").str.strip_chars() == ""))
        & ~(pl.col("has_tools") & (pl.col("role") == "assistant"))
    ).select(
        R.ID,
        pl.lit("missing_content").alias("kind"),
        pl.format("message {} ({}) is empty", pl.col("n"), pl.col("role")).alias("detail"),
    )
    has_assistant = msgs.group_by(R.ID).agg((pl.col("role") == "assistant").any().alias("a"))
    no_assistant = (
        base.join(has_assistant, on=R.ID, how="left")
        .filter(~pl.col("a").fill_null(False) & (pl.col(R.MESSAGES).list.len() > 0))
        .select(
            R.ID,
            pl.lit("example_missing_assistant_message").alias("kind"),
            pl.lit("no assistant message").alias("detail"),
        )
    )
    out = pl.concat([no_list, missing_role, bad_role, empty, no_assistant])
    return out.unique([R.ID, "kind"], keep="first", maintain_order=True)


def errors_for_line(obj: Any) -> list[str]:
    """The cookbook's checks on one decoded JSONL line, as the notebook does them."""
    if not isinstance(obj, dict):
        return ["data_type"]
    messages = obj.get("messages")
    if not isinstance(messages, list) or not messages:
        return ["missing_messages_list"]
    errors: list[str] = []
    for m in messages:
        if not isinstance(m, dict) or "role" not in m or ("content" not in m and "tool_calls" not in m):
            errors.append("message_missing_key")
            continue
        if set(m) - ALLOWED_KEYS:
            errors.append("message_unrecognized_key")
        if m.get("role") not in COOKBOOK_ROLES:
            errors.append("unrecognized_role")
        content = m.get("content")
        if (not content or not isinstance(content, str)) and not (
            m.get("role") == "assistant" and m.get("tool_calls")
        ):
            errors.append("missing_content")
    if not any(isinstance(m, dict) and m.get("role") == "assistant" for m in messages):
        errors.append("example_missing_assistant_message")
    return list(dict.fromkeys(errors))
