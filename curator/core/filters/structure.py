"""Structure: the OpenAI cookbook's format errors plus conversation-shape problems.

Cookbook kinds come from :func:`curator.core.cookbook.format_errors` so the
filter, the exporter and the readiness report agree on what an error is.
Added here: no user turn, last turn not from the assistant, roles not
alternating (tool-call turns are skipped when checking alternation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from curator.core import records as R
from curator.core.cookbook import format_errors
from curator.core.filters.base import (
    Filter,
    FilterContext,
    ScoreJob,
    Scores,
    empty_flags,
    explode_messages,
    register,
)
from curator.core.jobs import Progress

# problem kind -> (severity, reason when the detail adds nothing)
PROBLEMS: dict[str, tuple[str, str]] = {
    "missing_messages_list": (R.BLOCK, "the record has no messages"),
    "message_missing_key": (R.BLOCK, "a message has no role"),
    "unrecognized_role": (R.BLOCK, "a message has a role trainers do not accept"),
    "missing_content": (R.BLOCK, "a message is empty"),
    "example_missing_assistant_message": (
        R.BLOCK,
        "there is no assistant reply, so there is nothing to learn from",
    ),
    "no_user_turn": (R.BLOCK, "there is no user message for the assistant to answer"),
    # block: every export format refuses it (nothing after the last reply to learn from)
    "last_not_assistant": (R.BLOCK, "the conversation does not end with an assistant reply"),
    "not_alternating": (R.WARN, "two messages in a row come from the same speaker"),
}

# Cookbook details that read better replaced by the plain sentence above.
_TERSE = ["missing_messages_list", "example_missing_assistant_message"]


@dataclass(frozen=True)
class StructureParams:
    """Which problems to report (all by default)."""

    check_alternation: bool = True
    check_last_turn: bool = True


def _shape_problems(df: pl.DataFrame) -> pl.DataFrame:
    """no_user_turn, last_not_assistant, not_alternating as (id, kind, detail)."""
    msgs = explode_messages(df)
    per = msgs.group_by(R.ID, maintain_order=True).agg(
        (pl.col("role") == "user").any().alias("has_user"),
        (pl.col("role") == "assistant").any().alias("has_assistant"),
        pl.col("role").last().alias("last_role"),
        pl.col("turn").last().alias("last_turn"),
    )
    no_user = per.filter(~pl.col("has_user")).select(
        R.ID,
        pl.lit("no_user_turn").alias("kind"),
        pl.lit("there is no user message for the assistant to answer").alias("detail"),
    )
    last = per.filter(
        pl.col("has_assistant") & pl.col("has_user") & (pl.col("last_role") != "assistant")
    ).select(
        R.ID,
        pl.lit("last_not_assistant").alias("kind"),
        pl.format(
            "the last message ({}, message {}) is not an assistant reply",
            pl.col("last_role"),
            pl.col("last_turn") + 1,
        ).alias("detail"),
    )
    ua = msgs.filter(
        pl.col("role").is_in(["user", "assistant"])
        & ~((pl.col("role") == "assistant") & pl.col("has_tools"))
    ).with_columns(
        pl.col("role").shift(1).over(R.ID).alias("prev_role"),
        pl.col("turn").shift(1).over(R.ID).alias("prev_turn"),
    )
    alternation = (
        ua.filter(pl.col("role") == pl.col("prev_role"))
        .group_by(R.ID, maintain_order=True)
        .agg(pl.all().first(), pl.len().alias("n"))
        .select(
            R.ID,
            pl.lit("not_alternating").alias("kind"),
            pl.format(
                "messages {} and {} are both from the {}",
                pl.col("prev_turn") + 1,
                pl.col("turn") + 1,
                pl.col("role"),
            ).alias("detail"),
        )
    )
    return pl.concat([no_user, last, alternation])


@register
class StructureFilter(Filter):
    name = "structure"
    title = "Structure"
    Params = StructureParams
    results = ("scores_structure",)

    def score(self, df: pl.DataFrame, params: Any) -> ScoreJob:
        yield Progress("structure", 0, df.height)
        cook = format_errors(df).select(R.ID, "kind", pl.col("detail").cast(pl.String))
        problems = pl.concat([cook, _shape_problems(df)])
        per = problems.group_by(R.ID).agg(
            pl.col("kind").alias("problems"), pl.col("detail").alias("details")
        )
        out = (
            df.select(R.ID)
            .join(per, on=R.ID, how="left", maintain_order="left")
            .with_columns(
                pl.col("problems").fill_null(pl.lit([], pl.List(pl.String))),
                pl.col("details").fill_null(pl.lit([], pl.List(pl.String))),
            )
        )
        yield Progress("structure", df.height, df.height)
        return {"scores_structure": out}

    def flag(self, scores: Scores, params: Any, ctx: FilterContext) -> pl.DataFrame:
        s = scores["scores_structure"]
        rows = s.explode("problems", "details").drop_nulls("problems")
        skip = []
        if not params.check_alternation:
            skip.append("not_alternating")
        if not params.check_last_turn:
            skip.append("last_not_assistant")
        rows = rows.filter(~pl.col("problems").is_in(skip))
        if rows.height == 0:
            return empty_flags()
        sev = pl.DataFrame(
            {
                "problems": list(PROBLEMS),
                "severity": [v[0] for v in PROBLEMS.values()],
                "fallback": [v[1] for v in PROBLEMS.values()],
            }
        )
        rows = rows.join(sev, on="problems", how="left")
        return rows.select(
            R.ID,
            pl.format("structure.{}", pl.col("problems")).alias("name"),
            pl.when(pl.col("problems").is_in(_TERSE))
            .then(pl.col("fallback"))
            .when(pl.col("problems") == "unrecognized_role")
            .then(pl.col("details") + pl.lit("; trainers accept system, user, assistant, tool"))
            .otherwise(pl.coalesce("details", "fallback"))
            .alias("reason"),
            pl.col("severity").fill_null(R.BLOCK),
        ).unique([R.ID, "name"], keep="first", maintain_order=True)
