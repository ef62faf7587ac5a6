"""The filter contract: score once into columns, threshold cheaply into flags.

A filter has two halves (Data-Juicer's split). ``score`` computes per-record
statistics, vectorised, once; the result is cached in ``results/scores_NAME``
keyed by id and a hash of the record's messages, so a re-run only scores new or
changed records. ``flag`` turns stored scores into flags (id, name, reason,
severity) and is cheap: a GUI slider calls it on every move.

Parameters live in a frozen dataclass per filter. Fields marked with
``score_param()`` change what ``score`` computes (changing one invalidates the
cache); every other field is a threshold read only by ``flag``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import sys
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import polars as pl

from curator.core import records as R
from curator.core.jobs import Progress

HASH_COL = "msg_hash"
FLAG_COLUMNS = ("id", "name", "reason", "severity")

# Scores a filter produces: result name -> frame keyed by id (one or more rows per id).
Scores = dict[str, pl.DataFrame]
ScoreJob = Generator[Progress, None, Scores]


def score_param(default: Any) -> Any:
    """A parameter that changes what ``score`` computes (part of the cache key)."""
    if isinstance(default, list | dict):
        return field(default_factory=lambda: type(default)(default), metadata={"score": True})
    return field(default=default, metadata={"score": True})


@dataclass(frozen=True)
class FilterContext:
    """Workspace-wide facts a threshold may need (e.g. the majority language)."""

    n_records: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict)


class Filter:
    """Base class: subclasses set ``name``, ``Params``, ``results`` and implement
    ``score`` (a job) and ``flag``."""

    name: ClassVar[str]
    title: ClassVar[str]  # what the GUI shows
    Params: ClassVar[type[Any]]
    results: ClassVar[tuple[str, ...]]  # result files written by score, first = scores_NAME
    version: ClassVar[int] = 1  # bump when the scoring code changes meaning
    code_modules: ClassVar[tuple[str, ...]] = ()  # helper modules whose code scores depend on
    # results that ``score`` returns sorted (not in record order), by these columns: an
    # engine scoring in batches sorts their concatenation the same way
    sorted_by: ClassVar[Mapping[str, tuple[str, ...]]] = {}

    def score(self, df: pl.DataFrame, params: Any) -> ScoreJob:
        """Score records (columns id, messages); yields Progress, returns Scores."""
        raise NotImplementedError

    def finalize(self, scores: Scores, params: Any) -> Scores:
        """Workspace-wide columns computed over all records after caching (cheap)."""
        return scores

    def flag(self, scores: Scores, params: Any, ctx: FilterContext) -> pl.DataFrame:
        """Flags (id, name, reason, severity) from stored scores."""
        raise NotImplementedError

    # --- parameters -------------------------------------------------------------------
    @classmethod
    def params_from(cls, values: Mapping[str, Any] | None) -> Any:
        known = {f.name for f in dataclasses.fields(cls.Params)}
        vals = {k: v for k, v in (values or {}).items() if k in known}
        return cls.Params(**vals)

    @classmethod
    def cache_key(cls, params: Any) -> dict[str, Any]:
        """What the cached scores depend on besides each record's messages."""
        key: dict[str, Any] = {"version": cls.version, "code": _code_digest(cls)}
        for f in dataclasses.fields(params):
            if f.metadata.get("score"):
                key[f.name] = getattr(params, f.name)
        return key


def _code_digest(cls: type[Filter]) -> str:
    """A digest of the scoring code: editing a pattern or rule invalidates cached scores."""
    h = hashlib.blake2b(digest_size=8)
    for name in (cls.__module__, *cls.code_modules):
        module = sys.modules.get(name) or importlib.import_module(name)
        path = getattr(module, "__file__", None)
        if path:
            h.update(Path(path).read_bytes())
    return h.hexdigest()


FILTERS: dict[str, type[Filter]] = {}


def register(cls: type[Filter]) -> type[Filter]:
    """Class decorator: make a filter available to recipes by its name."""
    FILTERS[cls.name] = cls
    return cls


# --- helpers shared by filters ----------------------------------------------------------
def empty_flags() -> pl.DataFrame:
    return pl.DataFrame(schema=R.FLAGS_SCHEMA)


def messages_hash(messages: pl.Series) -> pl.Series:
    """A per-record hash of the messages (cache key; stable within a Polars version)."""
    return messages.hash(seed=1729).alias(HASH_COL)


def explode_messages(df: pl.DataFrame, *, tool_calls: bool = False) -> pl.DataFrame:
    """One row per message: id, turn (0-based), role, content (null -> ""), and
    ``has_tools`` (or, with ``tool_calls``, the tool calls themselves)."""
    calls = pl.col(R.MESSAGES).struct.field("tool_calls")
    return (
        df.select(R.ID, R.MESSAGES)
        .with_columns(pl.int_ranges(pl.col(R.MESSAGES).list.len()).alias("turn"))
        .explode(R.MESSAGES, "turn")
        .drop_nulls(R.MESSAGES)
        .select(
            R.ID,
            pl.col("turn").cast(pl.Int32),
            pl.col(R.MESSAGES).struct.field("role").alias("role"),
            pl.col(R.MESSAGES).struct.field("content").fill_null("").alias("content"),
            calls.alias("tool_calls") if tool_calls else calls.is_not_null().alias("has_tools"),
        )
    )


def make_flags(
    df: pl.DataFrame, name: str | pl.Expr, reason: pl.Expr, severity: str
) -> pl.DataFrame:
    """Flags rows from a frame with an id column: name, reason, severity."""
    name_expr = pl.lit(name) if isinstance(name, str) else name
    return df.select(
        pl.col(R.ID),
        name_expr.cast(pl.String).alias("name"),
        reason.cast(pl.String).alias("reason"),
        pl.lit(severity).alias("severity"),
    )


def quote(expr: pl.Expr, width: int = 40) -> pl.Expr:
    """A short single-line excerpt of a text column for a reason sentence."""
    one_line = expr.str.replace_all(r"\s+", " ").str.strip_chars()
    return (
        pl.when(one_line.str.len_chars() > width)
        .then(one_line.str.slice(0, width - 1) + pl.lit("…"))
        .otherwise(one_line)
    )
