"""Structure repair and validation, vectorised over exploded messages.

Only three changes are made, each listed in the record's ``repairs`` in plain
words: whitespace trimmed, empty turns dropped, consecutive turns of the same
speaker merged (joined with a newline). Messages carrying tool calls are never
merged. Everything else (wording, order, roles) is left as imported.
"""

from __future__ import annotations

import polars as pl

from curator.core import records as R
from curator.core.ingest.roles import role_lookup

_REC = "_rec"
_POS = "_pos"

_HAS_TOOL = pl.col("tool_calls").is_not_null() | pl.col("tool_call_id").is_not_null()


def explode_messages(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per message: _rec (row of ``frame``), _pos (1-based), message fields."""
    base = frame.select(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias(_REC), pl.col(R.MESSAGES)
    ).filter(pl.col(R.MESSAGES).list.len() > 0)
    return (
        base.with_columns(
            pl.int_ranges(1, pl.col(R.MESSAGES).list.len() + 1, dtype=pl.Int32).alias(_POS)
        )
        .explode(R.MESSAGES, _POS)
        .unnest(R.MESSAGES)
    )


def _roles(msgs: pl.DataFrame, role_map: dict[str, str]) -> pl.Series:
    """Each message's canonical role (null: unknown), by its label trimmed and lower-cased.

    Worked out once per distinct label (a file has a handful) and mapped back, instead
    of trimming and lower-casing every message's label."""
    raw = msgs.get_column("role")
    labels = raw.unique().drop_nulls()
    canonical = labels.str.strip_chars().str.to_lowercase().replace_strict(
        role_lookup(role_map), default=None, return_dtype=pl.String
    )
    if (labels == canonical).fill_null(False).all():  # every label is its role already
        return raw
    mapping = dict(zip(labels.to_list(), canonical.to_list(), strict=True))
    return raw.replace_strict(mapping, default=None, return_dtype=pl.String)


def validate(frame: pl.DataFrame, msgs: pl.DataFrame, role_map: dict[str, str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Map roles and find records that cannot be imported.

    Returns (messages with canonical ``role`` and ``raw_role``, problems: _rec, reason).
    """
    msgs = msgs.with_columns(pl.col("role").alias("raw_role"), _roles(msgs, role_map).alias("role"))
    pos = pl.col(_POS).cast(pl.String)
    reason = (
        pl.when(pl.col("raw_role").is_null())
        .then(pl.lit("message ") + pos + pl.lit(" has no role"))
        .when(pl.col("role").is_null())
        .then(
            pl.lit("unknown speaker '")
            + pl.col("raw_role")
            + pl.lit("' in message ")
            + pos
            + pl.lit("; say which role it is with --role-map '")
            + pl.col("raw_role")
            + pl.lit("=user' or '")
            + pl.col("raw_role")
            + pl.lit("=assistant'")
        )
        .when(pl.col("weight").is_not_null() & ~pl.col("weight").is_in([0, 1]))
        .then(
            pl.lit("message ")
            + pos
            + pl.lit(" has weight ")
            + pl.col("weight").cast(pl.String)
            + pl.lit("; weight must be 0 or 1")
        )
        .otherwise(None)
    )
    # the reasons are built for the messages that have one (usually none), not for all
    odd = (
        pl.col("raw_role").is_null()
        | pl.col("role").is_null()
        | (pl.col("weight").is_not_null() & ~pl.col("weight").is_in([0, 1]))
    )
    bad_msgs = (
        msgs.filter(odd)
        .select(_REC, reason.alias("reason"))
        .drop_nulls("reason")
        .group_by(_REC, maintain_order=True)
        .agg(pl.col("reason").first())
    )
    no_msgs = (
        frame.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias(_REC), pl.col(R.MESSAGES))
        .filter(pl.col(R.MESSAGES).is_null() | (pl.col(R.MESSAGES).list.len() == 0))
        .select(
            _REC,
            pl.when(pl.col(R.MESSAGES).is_null())
            .then(pl.lit("no messages: the conversation field is missing or null"))
            .otherwise(pl.lit("no messages: the conversation is empty"))
            .alias("reason"),
        )
    )
    problems = pl.concat([no_msgs, bad_msgs]).unique(_REC, keep="first", maintain_order=True)
    return msgs, problems


def needs_repair(msgs: pl.DataFrame) -> pl.Series:
    """Records (``_rec``) whose messages repair would change, or whose roles were renamed.

    The rest keep their imported message list untouched, which spares the
    regrouping below for the (usually large) majority of clean records.
    """
    content = pl.col("content")
    # whitespace at either end (this also catches whitespace-only content): trimming
    # (Unicode White_Space, as ``repair`` trims) makes it shorter. A third of the time
    # of testing the first and last character with ``\s`` (the same set; the strip
    # leaves the text where it is, and only its length is read)
    untrimmed = (content.str.strip_chars().str.len_bytes() != content.str.len_bytes()).fill_null(
        False
    )
    empty = (content.is_null() | (content.str.len_bytes() == 0)) & pl.col("tool_calls").is_null()
    same_as_prev = (
        (pl.col(_REC) == pl.col(_REC).shift(1))
        & (pl.col("role") == pl.col("role").shift(1))
        & pl.col("name").eq_missing(pl.col("name").shift(1))
        & pl.col("weight").eq_missing(pl.col("weight").shift(1))
        & ~_HAS_TOOL
        & ~_HAS_TOOL.shift(1).fill_null(True)
    ).fill_null(False)
    dirty = untrimmed | empty | same_as_prev | pl.col("raw_role").ne_missing(pl.col("role"))
    return msgs.filter(dirty).get_column(_REC).unique()


def repair(msgs: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Trim, drop empty, merge same-speaker runs.

    ``msgs`` is validated exploded messages (canonical roles). Returns
    (per-record messages: _rec, messages; per-record repairs: _rec, repairs).
    A record whose every message was dropped has no row in the first frame.
    """
    pos = pl.col(_POS).cast(pl.String)
    label = pl.lit(" (") + pl.col("role") + pl.lit(")")
    m = msgs.with_columns(pl.col("content").str.strip_chars().alias("_trim"))
    m = m.with_columns(
        (pl.col("_trim").is_null() | (pl.col("_trim") == "")).alias("_empty"),
    )
    trim_notes = m.filter(
        pl.col("content").is_not_null() & (pl.col("content") != pl.col("_trim")) & ~pl.col("_empty")
    ).select(_REC, _POS, (pl.lit("trimmed whitespace around message ") + pos + label).alias("note"))
    dropped = m.filter(pl.col("_empty") & pl.col("tool_calls").is_null())
    drop_notes = dropped.select(
        _REC, _POS, (pl.lit("dropped empty message ") + pos + label).alias("note")
    )
    kept = m.filter(~(pl.col("_empty") & pl.col("tool_calls").is_null())).with_columns(
        pl.col("_trim").alias("content")
    )
    prev = [pl.col(c).shift(1) for c in ("role", "name", "weight")]
    new_group = (
        (pl.col(_REC) != pl.col(_REC).shift(1)).fill_null(True)
        | (pl.col("role") != prev[0]).fill_null(True)
        | pl.col("name").ne_missing(prev[1])
        | pl.col("weight").ne_missing(prev[2])
        | _HAS_TOOL
        | _HAS_TOOL.shift(1).fill_null(True)
    )
    kept = kept.with_columns(new_group.cum_sum().alias("_grp"))
    groups = kept.group_by("_grp", maintain_order=True).agg(
        pl.col(_REC).first(),
        pl.col("role").first(),
        pl.col("content").str.join("\n"),
        pl.col("name").first(),
        pl.col("weight").first(),
        pl.col("tool_calls").first(),
        pl.col("tool_call_id").first(),
        pl.col(_POS).first().alias("_first"),
        pl.col(_POS).last().alias("_last"),
        pl.len().alias("_n"),
    )
    merge_notes = groups.filter(pl.col("_n") > 1).select(
        _REC,
        pl.col("_first").alias(_POS),
        (
            pl.lit("merged messages ")
            + pl.col("_first").cast(pl.String)
            + pl.lit("-")
            + pl.col("_last").cast(pl.String)
            + pl.lit(" (")
            + pl.col("role")
            + pl.lit(" spoke ")
            + pl.col("_n").cast(pl.String)
            + pl.lit(" times in a row)")
        ).alias("note"),
    )
    out = groups.group_by(_REC, maintain_order=True).agg(
        pl.struct(
            "role",
            "content",
            "name",
            pl.col("weight").cast(pl.Int8),
            "tool_calls",
            "tool_call_id",
        ).alias(R.MESSAGES)
    )
    notes = (
        pl.concat([trim_notes, drop_notes, merge_notes])
        .sort(_REC, _POS, maintain_order=True)
        .group_by(_REC, maintain_order=True)
        .agg(pl.col("note").alias(R.REPAIRS))
    )
    return out, notes
