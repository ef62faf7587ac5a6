"""Display columns and queue filters for the records table, computed in Polars.

Qt-free on purpose: the controller runs these in a worker thread, and tests can
check them without a display. One call per frame refresh; filters and sorts
work on the precomputed columns and return a narrow "view" frame the table
model slices block by block.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import polars as pl

from curator.core import records as R
from curator.core.frame import is_flagged
from curator.core.query import flag_matches, text_matches
from curator.core.query import queue_counts as core_queue_counts
from curator.core.workspace import Workspace

ROW = "_row"  # position in the full frame
STATUS_DTYPE = pl.Enum(list(R.STATUSES))
TURNS = "turns"
FIRST_USER = "first_user"
PREVIEW = "preview"
LANGUAGE = "language"
TOKENS = "tokens"
FLAG_NAMES = "flag_names"
IS_FLAGGED = "_flagged"
IS_DUPLICATE = "_duplicate"

# (header, column) in table order
COLUMNS: tuple[tuple[str, str], ...] = (
    ("Status", R.STATUS),
    ("Flags", FLAG_NAMES),  # second: visible at any width; ⊘ = blocking, ⚑ = warning, ⓘ = info
    ("ID", R.ID),
    ("Source", R.SOURCE),
    ("Turns", TURNS),
    ("First user message", FIRST_USER),
    ("Assistant preview", PREVIEW),
    ("Lang", LANGUAGE),
    ("Tokens", TOKENS),
    ("Cluster", R.CLUSTER_ID),
)
VIEW_COLUMNS = [ROW] + [c for _, c in COLUMNS]

QUEUES: tuple[tuple[str, str], ...] = (
    ("pending", "Pending"),
    ("flagged", "Flagged"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("duplicates", "Duplicates"),
    ("all", "All"),
)

_PREVIEW_CHARS = 160


def first_content(role: str) -> pl.Expr:
    content = (
        pl.col(R.MESSAGES)
        .list.eval(pl.element().filter(pl.element().struct.field("role") == role).struct.field("content"))
        .list.first()
    )
    one_line = (
        content.str.slice(0, _PREVIEW_CHARS)
        .str.replace_all("\n", " ", literal=True)
        .str.replace_all("\r", " ", literal=True)
    )
    return one_line.str.strip_chars()


BLOCK_MARK = "⊘ "  # the record carries a blocking flag (kept out of exports unless approved)
WARN_MARK = "⚑ "  # warning flags only
INFO_MARK = "ⓘ "  # only facts that are not problems (contact.*: a business's number)


def flag_mark(severities: list[str]) -> str:
    """The marker in front of a row's flag names."""
    if not severities:
        return ""
    if R.BLOCK in severities:
        return BLOCK_MARK
    return INFO_MARK if all(s == R.INFO for s in severities) else WARN_MARK


def _flag_names(df: pl.DataFrame) -> pl.Expr:
    if df.height == 0 or df.get_column(R.FLAGS).list.len().sum() == 0:
        return pl.lit("")
    names = pl.col(R.FLAGS).list.eval(pl.element().struct.field("name"))
    blocked = pl.col(R.FLAGS).list.eval(pl.element().struct.field("severity") == R.BLOCK).list.any()
    info_only = pl.col(R.FLAGS).list.eval(pl.element().struct.field("severity") == R.INFO).list.all()
    mark = (
        pl.when(blocked).then(pl.lit(BLOCK_MARK))
        .when(pl.col(R.FLAGS).list.len() == 0).then(pl.lit(""))
        .when(info_only).then(pl.lit(INFO_MARK))
        .otherwise(pl.lit(WARN_MARK))
    )
    return pl.concat_str([mark, names.list.unique(maintain_order=True).list.join(", ")])


# Columns computed after the first page is on screen (or per block until then).
LAZY_COLUMNS = (FIRST_USER, PREVIEW, LANGUAGE, TOKENS, FLAG_NAMES)


def base_columns(df: pl.DataFrame) -> pl.DataFrame:
    """The cheap columns the queues need: row position, turns, flagged, duplicate."""
    return df.with_row_index(ROW).with_columns(
        pl.col(R.STATUS).cast(STATUS_DTYPE),  # a cheap column to copy when one row changes
        pl.col(R.MESSAGES).list.len().cast(pl.Int32).alias(TURNS),
        is_flagged().alias(IS_FLAGGED),
        pl.col(R.DUPLICATE_OF).is_not_null().alias(IS_DUPLICATE),
    )


def read_scores(ws: Workspace | None) -> pl.DataFrame | None:
    """id, language, tokens from the filter results, when they exist."""
    if ws is None:
        return None
    parts: list[pl.DataFrame] = []
    for name, col, dtype in (("scores_language", LANGUAGE, pl.String), ("scores_length", TOKENS, pl.Int64)):
        df = ws.read_result(name)
        if df is not None and {R.ID, col} <= set(df.columns):
            parts.append(df.select(R.ID, pl.col(col).cast(dtype)))
    if not parts:
        return None
    out = parts[0]
    for part in parts[1:]:
        if part.height == out.height and part.get_column(R.ID).equals(out.get_column(R.ID)):
            out = out.hstack(part.drop(R.ID))  # same rows in the same order: no join needed
        else:
            out = out.unique(R.ID, keep="first").join(
                part.unique(R.ID, keep="first"), on=R.ID, how="full", coalesce=True
            )
    return out


def lazy_columns(rows: pl.DataFrame, scores: pl.DataFrame | None) -> pl.DataFrame:
    """LAZY_COLUMNS for ``rows`` (frame rows with id, messages, flags), in row order."""
    out = rows.select(
        R.ID,
        first_content("user").alias(FIRST_USER),
        first_content("assistant").alias(PREVIEW),
        _flag_names(rows).alias(FLAG_NAMES),
    )
    sc = scores if scores is not None else pl.DataFrame(schema={R.ID: pl.String})
    if sc.height == rows.height and sc.get_column(R.ID).equals(rows.get_column(R.ID)):
        out = out.hstack(sc.drop(R.ID))  # already in row order (the controller aligns them)
    else:
        if rows.height < 5_000 and sc.height > 50_000:
            sc = sc.filter(pl.col(R.ID).is_in(rows.get_column(R.ID).implode()))
        out = out.join(sc.unique(R.ID, keep="first"), on=R.ID, how="left", maintain_order="left")
    for col, dtype in ((LANGUAGE, pl.String), (TOKENS, pl.Int64)):
        if col not in out.columns:
            out = out.with_columns(pl.lit(None, dtype).alias(col))
    return out.select(LAZY_COLUMNS)


def add_display_columns(df: pl.DataFrame, ws: Workspace | None = None) -> pl.DataFrame:
    """Every display column at once (tests, benchmarks' naive baseline)."""
    base = base_columns(df)
    return base.hstack(lazy_columns(base, read_scores(ws)))


def queue_counts(df: pl.DataFrame) -> dict[str, int]:
    """Records per queue: the core's one definition (``curator info`` shares it)."""
    return core_queue_counts(df)


@dataclass(frozen=True)
class ViewSpec:
    """What the table shows: a queue plus optional filters, and a sort."""

    queue: str = "pending"
    flag: str | None = None
    language: str | None = None
    source: str | None = None
    search: str | None = None
    ids: tuple[str, ...] | None = None
    sort_column: str | None = None
    descending: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def with_(self, **kw: Any) -> ViewSpec:
        return replace(self, **kw)

    def describe(self) -> str:
        label = dict(QUEUES).get(self.queue, self.queue)
        parts = [label]
        if self.flag:
            parts.append(f"flag {self.flag}")
        if self.language:
            parts.append(f"language {self.language}")
        if self.source:
            parts.append(f"source {self.source}")
        if self.search:
            parts.append(f"text “{self.search}”")
        if self.ids is not None:
            parts.append(f"{len(self.ids)} chosen ids")
        return ", ".join(parts)


def queue_expr(queue: str) -> pl.Expr | None:
    if queue in R.STATUSES:
        return pl.col(R.STATUS) == queue
    if queue == "flagged":
        return pl.col(IS_FLAGGED)
    if queue == "duplicates":
        return pl.col(IS_DUPLICATE)
    return None


def build_view(df: pl.DataFrame, spec: ViewSpec, scores: pl.DataFrame | None = None) -> pl.DataFrame:
    """Filter and sort the frame in Polars; returns the narrow view (ROW + table columns).

    Lazy columns the frame does not have yet are left out, unless the spec
    filters or sorts on one: then they are computed here (in the worker).
    """
    needed = {c for c in (LANGUAGE if spec.language else None, spec.sort_column) if c in LAZY_COLUMNS}
    if needed - set(df.columns):
        df = df.hstack(lazy_columns(df, scores).select([c for c in LAZY_COLUMNS if c not in df.columns]))
    conds: list[pl.Expr] = []
    q = queue_expr(spec.queue)
    if q is not None and not (df.height and df.select(q.all()).item()):  # e.g. all still pending
        conds.append(q)
    if spec.flag:
        conds.append(flag_matches(spec.flag))
    if spec.language:
        conds.append(pl.col(LANGUAGE) == spec.language)
    if spec.source:
        conds.append(pl.col(R.SOURCE) == spec.source)
    if spec.ids is not None:
        conds.append(pl.col(R.ID).is_in(pl.Series(list(spec.ids), dtype=pl.String).implode()))
    out = df
    if conds:
        out = out.filter(pl.all_horizontal(conds))
    if spec.search:
        out = out.filter(text_matches(spec.search))
    out = out.select([c for c in VIEW_COLUMNS if c in out.columns])
    if spec.sort_column and spec.sort_column in out.columns:
        out = out.sort(spec.sort_column, descending=spec.descending, nulls_last=True, maintain_order=True)
    return out


def filter_choices(df: pl.DataFrame, scores: pl.DataFrame | None) -> dict[str, list[str]]:
    """Values offered by the filter bar's drop-downs."""
    flagged = df.filter(pl.col(IS_FLAGGED))
    flags = (
        flagged.select(pl.col(R.FLAGS).list.eval(pl.element().struct.field("name")).explode().drop_nulls().unique())
        .to_series()
        .to_list()
        if flagged.height
        else []
    )
    families = sorted({f.split(".")[0] for f in flags} | set(flags))
    langs = (
        scores.get_column(LANGUAGE).drop_nulls().unique().sort().to_list()
        if scores is not None and LANGUAGE in scores.columns
        else []
    )
    sources = df.get_column(R.SOURCE).drop_nulls().unique().sort().to_list()
    return {"flag": families, "language": langs, "source": sources}
