"""Length: examples over the target model's token limit, and too-short replies.

Token counts are offline estimates (:mod:`curator.core.tokens`, cookbook
overhead). Limits come from the readiness targets data file when that module
is present; otherwise the cookbook's generic 16,385. A one-word reply can be a
good answer ("Yes."), so "too short" defaults to fewer than 2 letters/digits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from curator.core import records as R
from curator.core.filters.base import (
    Filter,
    FilterContext,
    ScoreJob,
    Scores,
    empty_flags,
    explode_messages,
    make_flags,
    quote,
    register,
)
from curator.core.jobs import Progress
from curator.core.tokens import message_token_table

GENERIC_TARGET = "generic"
GENERIC_LIMIT = 16_385  # OpenAI cookbook: examples longer than this are truncated


def _limit_of(value: Any) -> int | None:
    if isinstance(value, int | float):
        return int(value)
    for key in ("max_tokens", "limit", "token_limit", "max_example_tokens", "context"):
        v = value.get(key) if isinstance(value, Mapping) else getattr(value, key, None)
        if isinstance(v, int | float):
            return int(v)
    return None


def target_limits() -> dict[str, int]:
    """Target name -> token limit, from the readiness data file if available."""
    out = {GENERIC_TARGET: GENERIC_LIMIT}
    try:
        from curator.core.readiness.targets import load_targets  # type: ignore[import-not-found]
    except ImportError:
        return out
    try:
        targets = load_targets()
    except Exception:
        return out
    items: Any
    if isinstance(targets, Mapping):
        items = targets.items()
    else:
        items = [
            (getattr(t, "name", None) or (t.get("name") if isinstance(t, Mapping) else None), t)
            for t in targets
        ]
    for name, value in items:
        limit = _limit_of(value)
        if name and limit:
            out[str(name)] = limit
    return out


def resolve_limit(target: str, max_tokens: int) -> tuple[str, int]:
    """(label, limit): an explicit max_tokens wins over the named target."""
    if max_tokens > 0:
        return f"the recipe's {max_tokens:,}-token", max_tokens
    limits = target_limits()
    if target in limits:
        return f"{target}'s", limits[target]
    return f"{GENERIC_TARGET} (unknown target {target!r})", GENERIC_LIMIT


def default_target() -> str:
    """The readiness report's default target, so flags and report judge one limit."""
    try:
        from curator.core.readiness.targets import default_target_name

        return str(default_target_name())
    except Exception:
        return GENERIC_TARGET


@dataclass(frozen=True)
class LengthParams:
    target: str = field(default_factory=default_target)
    max_tokens: int = 0  # 0: use the target's limit
    min_reply_chars: int = 2  # letters/digits in the shortest assistant reply


@register
class LengthFilter(Filter):
    name = "length"
    title = "Length"
    Params = LengthParams
    results = ("scores_length",)

    def score(self, df: pl.DataFrame, params: Any) -> ScoreJob:
        yield Progress("length", 0, df.height, "counting tokens")
        tokens = message_token_table(df.get_column(R.MESSAGES), df.get_column(R.ID))
        msgs = explode_messages(df).filter(
            (pl.col("role") == "assistant") & ~(pl.col("has_tools") & (pl.col("content") == ""))
        )
        replies = (
            msgs.with_columns(pl.col("content").str.count_matches(r"[\p{L}\p{N}]").alias("chars"))
            .sort(R.ID, "chars", "turn")
            .group_by(R.ID)
            .agg(
                pl.col("chars").first().alias("shortest_reply_chars"),
                pl.col("turn").first().alias("shortest_reply_turn"),
                quote(pl.col("content").first(), 30).alias("shortest_reply_text"),
            )
        )
        out = tokens.join(replies, on=R.ID, how="left", maintain_order="left")
        yield Progress("length", df.height, df.height)
        return {"scores_length": out}

    def flag(self, scores: Scores, params: Any, ctx: FilterContext) -> pl.DataFrame:
        s = scores["scores_length"]
        label, limit = resolve_limit(params.target, params.max_tokens)
        over = s.filter(pl.col("tokens") > limit)
        over_flags = make_flags(
            over,
            "length.over_limit",
            pl.format(
                "example is about {} tokens, over {} limit of {}; it would be truncated or rejected",
                pl.col("tokens").map_elements(lambda n: f"{n:,}", return_dtype=pl.String),
                pl.lit(label),
                pl.lit(f"{limit:,}"),
            ),
            R.BLOCK,
        )
        short = s.filter(pl.col("shortest_reply_chars") < params.min_reply_chars)
        short_flags = make_flags(
            short,
            "length.short_reply",
            pl.format(
                "assistant reply in message {} is almost empty ('{}')",
                pl.col("shortest_reply_turn") + 1,
                pl.col("shortest_reply_text"),
            ),
            R.WARN,
        )
        flags = pl.concat([over_flags, short_flags])
        return flags if flags.height else empty_flags()
