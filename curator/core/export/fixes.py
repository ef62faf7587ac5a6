"""Conversation fixes applied before validation, the same for every format and trainer.

- **Agent-first**: a conversation whose first non-system message is the
  assistant's (a greeting before the customer spoke) is refused or dropped by
  trainers that need a user turn first (LLaMA-Factory skips it with a log line).
  Curator moves that opening message into the system prompt, under
  :data:`OPENING_NOTE`, and counts it. An opening that calls tools cannot be
  moved and is refused by validation (``agent_first``).
- **Untrained tail** (``cut_untrained``): for trainers without a per-turn loss
  mask, assistant turns with weight 0 after the last trained assistant turn
  are cut off (nothing after them is trained, so cutting is exact). Weight-0
  turns *before* a trained turn cannot be cut; they are counted
  (:func:`weight_stats`) and the export says so.

All work is vectorised over the message table; only affected rows are rebuilt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import polars as pl

from curator.core import records as R
from curator.core.export import formats as F

OPENING_NOTE: Final = "You opened this conversation with this message:"


@dataclass(frozen=True)
class FixReport:
    """What the fixes changed, for the manifest and the dataset card."""

    agent_first_moved: int = 0  # records whose opening assistant message went to the system prompt
    untrained_cut_records: int = 0  # records whose trailing weight-0 turns were cut
    untrained_cut_turns: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "agent_first_moved_to_system": self.agent_first_moved,
            "untrained_tail_cut_records": self.untrained_cut_records,
            "untrained_tail_cut_messages": self.untrained_cut_turns,
        }


def _per_row(msgs: pl.DataFrame) -> pl.DataFrame:
    c = pl.col
    trained = (c("role") == "assistant") & (c("weight").is_null() | (c("weight") != 0))
    return msgs.group_by(F.ROW).agg(
        c(F.POS).filter(c("role") != "system").min().alias("_f"),
        c(F.POS).filter(trained).max().alias("_last_trained"),
        c("_n").first(),
        ((c(F.POS) == 0) & (c("role") == "system")).any().alias("_sys0"),
    )


def _opening(msgs: pl.DataFrame, per: pl.DataFrame) -> pl.DataFrame:
    """_row, _f, _sys0, _lead: rows whose first non-system message is a movable assistant message."""
    c = pl.col
    lead = msgs.join(per.select(F.ROW, "_f", "_sys0"), on=F.ROW).filter(
        (c(F.POS) == c("_f"))
        & (c("role") == "assistant")
        & c("tool_calls").is_null()
        & c("content").is_not_null()
        & (c("content").str.strip_chars() != "")
    )
    return lead.select(F.ROW, "_f", "_sys0", c("content").alias("_lead"))


def _system(content: pl.Expr) -> pl.Expr:
    none = pl.lit(None, pl.String)
    return pl.struct(
        pl.lit("system").alias("role"),
        content.alias("content"),
        none.alias("name"),
        pl.lit(None, pl.Int8).alias("weight"),
        none.alias("tool_calls"),
        none.alias("tool_call_id"),
    ).cast(R.MESSAGE_DTYPE)


def _move_opening(df: pl.DataFrame, lead: pl.DataFrame) -> pl.DataFrame:
    c = pl.col
    m = c(R.MESSAGES)
    old_sys = m.list.first().struct.field("content")
    note = pl.lit(OPENING_NOTE + "\n") + c("_lead")
    merged = pl.when(c("_sys0")).then(old_sys + pl.lit("\n\n") + note).otherwise(note)
    start = pl.when(c("_sys0")).then(1).otherwise(0)
    before = m.list.slice(start, c("_f") - start)  # further system messages before the opening
    after = m.list.slice(c("_f") + 1)
    new = pl.concat_list([_system(merged), before, after])
    fixed = (
        df.join(lead, on=F.ROW, how="inner")
        .with_columns(new.alias(R.MESSAGES))
        .drop("_f", "_sys0", "_lead")
    )
    return df.update(fixed.select(F.ROW, R.MESSAGES), on=F.ROW)


def apply(df: pl.DataFrame, *, cut_untrained: bool) -> tuple[pl.DataFrame, FixReport]:
    """The frame with fixed ``messages`` (rows keep their order and ``_row``), and a report."""
    if df.height == 0:
        return df, FixReport()
    msgs = F.explode_messages(df)
    per = _per_row(msgs)
    lead = _opening(msgs, per)
    out = _move_opening(df, lead) if lead.height else df
    cut_records = cut_turns = 0
    if cut_untrained:
        if lead.height:
            per = _per_row(F.explode_messages(out))
        tail = per.filter(
            pl.col("_last_trained").is_not_null() & (pl.col("_last_trained") < pl.col("_n") - 1)
        )
        if tail.height:
            cut_records = tail.height
            cut_turns = int(tail.select((pl.col("_n") - 1 - pl.col("_last_trained")).sum()).item())
            cut = (
                out.join(tail.select(F.ROW, "_last_trained"), on=F.ROW, how="inner")
                .with_columns(pl.col(R.MESSAGES).list.head(pl.col("_last_trained") + 1))
                .select(F.ROW, R.MESSAGES)
            )
            out = out.update(cut, on=F.ROW)
    return out, FixReport(lead.height, cut_records, cut_turns)


def weight_stats(msgs: pl.DataFrame) -> dict[str, int]:
    """Weight-0 assistant turns in the exported messages: turns and records."""
    zero = msgs.filter((pl.col("role") == "assistant") & (pl.col("weight") == 0))
    return {"weight0_messages": zero.height, "weight0_records": zero.get_column(F.ROW).n_unique()}


def opening_tool_calls(msgs: pl.DataFrame) -> pl.DataFrame:
    """_row of conversations that open with an assistant tool call (cannot be moved)."""
    c = pl.col
    per = (
        msgs.filter(c("role") != "system")
        .group_by(F.ROW)
        .agg(
            c("role").sort_by(F.POS).first().alias("_r"),
            c("tool_calls").sort_by(F.POS).first().alias("_t"),
        )
    )
    return per.filter((c("_r") == "assistant") & c("_t").is_not_null()).select(F.ROW)


def refused(df: pl.DataFrame, msgs: pl.DataFrame) -> pl.DataFrame:
    """Problems (id, kind, detail) for conversations the fixes cannot make trainable."""
    rows = opening_tool_calls(msgs)
    bad = df.join(rows, on=F.ROW, how="semi")
    return bad.select(
        R.ID,
        pl.lit("agent_first").alias("kind"),
        pl.lit(
            "the conversation opens with an assistant tool call before any user message; trainers need a "
            "user turn first (add the user's request or reject the record)"
        ).alias("detail"),
    )
