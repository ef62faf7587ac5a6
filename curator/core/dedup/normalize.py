"""Polars expressions that build the texts dedup compares.

Near-duplicate text: the chosen turns' contents joined by spaces, normalised.
Exact-duplicate text: every message as ``role<US>content`` (normalised), so a
question asked by the user is not "the same" as the assistant saying it.
"""

from __future__ import annotations

import polars as pl

from curator.core import records as R
from curator.core.dedup.settings import DedupSettings

_SCOPE_ROLES = {
    "all": ["user", "assistant", "tool"],
    "user": ["user"],
    "assistant": ["assistant"],
}


def normalise(expr: pl.Expr, s: DedupSettings) -> pl.Expr:
    """Case/punctuation/digit folding per settings; whitespace collapsed to single spaces."""
    if s.lowercase:
        expr = expr.str.to_lowercase()
    if s.fold_punctuation:
        expr = expr.str.replace_all(r"[\p{P}\p{S}]+", " ")
    if s.fold_digits:
        expr = expr.str.replace_all(r"\d+", "0")
    return expr.str.replace_all(r"\s+", " ").str.strip_chars(" ")


def scope_text(s: DedupSettings) -> pl.Expr:
    """Normalised near-duplicate text of each record's ``messages``."""
    roles = _SCOPE_ROLES[s.scope]
    contents = pl.col(R.MESSAGES).list.eval(
        pl.element()
        .filter(pl.element().struct.field("role").is_in(roles))
        .struct.field("content")
        .fill_null("")
    )
    return normalise(contents.list.join(" ").fill_null(""), s)


def exact_text(s: DedupSettings) -> pl.Expr:
    """Normalised whole conversation, role-tagged, for exact matching."""
    per_message = pl.concat_str(
        pl.element().struct.field("role").fill_null(""),
        pl.lit("\x1f"),
        normalise(pl.element().struct.field("content").fill_null(""), s),
    )
    return pl.col(R.MESSAGES).list.eval(per_message).list.join("\x1e").fill_null("")


def word_count(text: pl.Expr) -> pl.Expr:
    """Words in a normalised text (0 for the empty text)."""
    return pl.when(text == "").then(0).otherwise(text.str.count_matches(" ", literal=True) + 1)


def assistant_chars(messages: pl.Expr | None = None) -> pl.Expr:
    """Characters of assistant text: the 'most informative' keeper tie-breaker."""
    msgs = pl.col(R.MESSAGES) if messages is None else messages
    return (
        msgs.list.eval(
            pl.element()
            .filter(pl.element().struct.field("role") == "assistant")
            .struct.field("content")
            .str.len_chars()
        )
        .list.sum()
        .fill_null(0)
        .cast(pl.Int64)
    )


def text_key(text: pl.Expr, name: str) -> list[pl.Expr]:
    """A 128-bit content key as two UInt64 columns ``{name}1``/``{name}2``."""
    return [text.hash(seed=0x5EED).alias(f"{name}1"), text.hash(seed=0xC0FFEE).alias(f"{name}2")]
