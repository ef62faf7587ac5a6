"""The export record part by record part: no frame of messages.

The process that runs the export holds one light row per record (id, review state,
flags, cluster; then the link-key hashes and a few facts per selected record), never
the messages. The engine reads each slice (one Parquet row group of a record part,
reviewer edits applied: ``engine.parts``) twice:

1. **plan**: the selected records are fixed, validated and keyed (``fixes.apply``,
   ``validate.check`` or ``preference.check``, ``fixes.refused``, ``groups.link_keys``,
   ``targets.fact_columns``); only problems, hashes and facts come back;
2. **write**: after the split is assigned from the hashes, the valid records are fixed
   again and turned into what the format writes (``formats.LINE_BUILDERS`` or
   ``preference.lines`` lines; for Parquet and ``datasets``, ``formats.messages_table``
   as a plain Arrow table), with token counts where the length scores cannot be reused;
   each slice's share is written as it arrives.

Every function applied to a slice is the one the whole-frame path applies to the whole
selection, and each is row-local, so the data, problems and manifest are the same: on
the Ray engine the workers do both passes and the driver stays at light rows; on the
local engine memory holds a slice at a time instead of the selection's messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import polars as pl

from curator.core import records as R
from curator.core.engine import Engine
from curator.core.engine.parts import RecordSlice, read_slice, record_slices
from curator.core.export import fixes
from curator.core.export import formats as F
from curator.core.export import preference as P
from curator.core.export.arrow import plain_arrow
from curator.core.export.groups import CONTENT, PROMPT, REPLY, link_keys
from curator.core.export.targets import fact_columns
from curator.core.export.validate import check, empty_problems
from curator.core.frame import build_frame
from curator.core.jobs import Job
from curator.core.tokens import message_token_table
from curator.core.workspace import Workspace

# Every format is written from the slices: lines, or (TABLE_FORMATS) Arrow tables.
LINE_FORMATS: Final = ("openai", "sharegpt", "alpaca", "trl", "preference")
TABLE_FORMATS: Final = ("parquet", "hf")
SLICED_FORMATS: Final = (*LINE_FORMATS, *TABLE_FORMATS)
FACTS: Final = ("calls", "system", "tools", "w0")
TOKENS: Final = ("tokens", "assistant_tokens")


@dataclass(frozen=True)
class Shared:
    """What every slice task reads: the review state and the export's settings."""

    state: pl.DataFrame
    fmt: str
    cut_untrained: bool
    style: P.Style = "openai"  # preference pairs' line shape

    @property
    def columns(self) -> list[str]:
        pair = [R.REJECTED_ANSWER] if self.fmt == "preference" else []
        return [R.ID, R.MESSAGES, R.META, *pair]


def table_schema() -> Any:
    """The Arrow schema of every Parquet / ``datasets`` table (``slice_table``'s)."""
    empty = pl.DataFrame(schema={R.MESSAGES: R.RECORD_SCHEMA[R.MESSAGES]})
    return plain_arrow(F.messages_table(empty).to_arrow()).schema


def slice_table(df: pl.DataFrame) -> Any:
    """``df``'s messages as the plain Arrow table Parquet and ``datasets`` exports hold."""
    return plain_arrow(F.messages_table(df).to_arrow())


def light_frame(ws: Workspace) -> pl.DataFrame:
    """``Workspace.frame()`` without the record columns: id, review state, flags, clusters."""
    return build_frame(ws.records([R.ID]), ws.state(), ws.flags(), ws.clusters())


def _selected(
    sl: RecordSlice, shared: Shared, pos: np.ndarray, rows: np.ndarray
) -> tuple[pl.DataFrame, fixes.FixReport]:
    """Records ``pos`` of the slice, numbered ``rows`` (their ``_row`` in the selection),
    with the export's fixes applied (none to preference pairs, whose prompt and answers
    ``preference.check`` judges as they are), and what the fixes changed."""
    df = read_slice(sl, shared.state, shared.columns)[pos]
    df = df.select(pl.Series(F.ROW, rows, pl.UInt32), pl.all())
    if shared.fmt == "preference":
        return df, fixes.FixReport()
    return fixes.apply(df, cut_untrained=shared.cut_untrained)


def plan_slice(
    shared: Shared, sl: RecordSlice, pos: np.ndarray, rows: np.ndarray
) -> dict[str, pl.DataFrame]:
    """Pass 1 on one slice: keys (id, _row, link hashes, facts), problems, refusals, fixes."""
    fixed, report = _selected(sl, shared, pos, rows)
    msgs = F.explode_messages(fixed)
    keyed = link_keys(fixed.select(F.ROW, R.ID, R.MESSAGES)).select(
        F.ROW, R.ID, CONTENT, PROMPT, REPLY
    )
    facts = fact_columns(fixed, msgs)
    if shared.fmt == "preference":
        problems, refused = P.check(fixed, shared.style), empty_problems()
    else:
        problems = check(fixed, shared.fmt, msgs) if fixed.height else empty_problems()
        refused = fixes.refused(fixed, msgs)
    return {
        "keys": keyed.join(facts, on=F.ROW, how="left", maintain_order="left"),
        "problems": problems,
        "refused": refused,
        "fixes": pl.DataFrame(
            {
                "moved": [report.agent_first_moved],
                "cut_records": [report.untrained_cut_records],
                "cut_turns": [report.untrained_cut_turns],
            }
        ),
    }


def lines_slice(
    shared: Shared,
    sl: RecordSlice,
    pos: np.ndarray,
    rows: np.ndarray,
    sides: np.ndarray,
    count: np.ndarray,
) -> dict[str, Any]:
    """Pass 2 on one slice: what each side writes, in ``_row`` order (its lines, or for
    the table formats its Arrow table), and the token counts of the records ``count``
    marks."""
    fixed, _ = _selected(sl, shared, pos, rows)
    side = pl.Series("side", sides)
    names = side.unique(maintain_order=True).to_list()
    out: dict[str, Any]
    if shared.fmt in TABLE_FORMATS:
        out = {name: slice_table(fixed.filter(side == name)) for name in names}
    else:
        built = (
            P.lines(fixed, shared.style)
            if shared.fmt == "preference"
            else F.LINE_BUILDERS[shared.fmt](fixed)
        )
        lines = built.get_column(F.LINE)
        out = {name: lines.filter(side == name) for name in names}
    todo = fixed.filter(pl.Series(count))
    out["_tokens"] = count_tokens(todo)
    return out


def tokens_slice(
    shared: Shared, sl: RecordSlice, pos: np.ndarray, rows: np.ndarray
) -> pl.DataFrame:
    """Token counts of records ``pos`` (a pass of its own when the length scores failed
    their check after the lines were written)."""
    return count_tokens(_selected(sl, shared, pos, rows)[0])


def count_tokens(df: pl.DataFrame) -> pl.DataFrame:
    """id, tokens, assistant_tokens of each row of ``df`` (id, messages)."""
    if df.height == 0:
        return pl.DataFrame(schema={R.ID: pl.String, "tokens": pl.Int64, "assistant_tokens": pl.Int64})
    counted = message_token_table(df.get_column(R.MESSAGES), df.get_column(R.ID))
    return counted.select(R.ID, *TOKENS).cast({c: pl.Int64 for c in TOKENS})


@dataclass
class SlicePlan:
    """The selection laid over the slices: per slice, its selected positions and rows."""

    slices: list[RecordSlice]
    pos: list[np.ndarray]  # per slice: positions of its selected records
    rows: list[np.ndarray]  # per slice: their _row (index in the selection)

    @classmethod
    def of(cls, ws: Workspace, keep: np.ndarray) -> SlicePlan:
        slices = record_slices(ws)
        pos, rows = [], []
        before = 0
        for sl in slices:
            p = np.flatnonzero(keep[sl.start : sl.start + sl.rows])
            pos.append(p)
            rows.append(np.arange(before, before + p.size, dtype=np.uint32))
            before += p.size
        return cls(slices, pos, rows)

    def calls(self, *per_slice: Callable[[int], tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """One call per slice with selected records: (slice, pos, rows, *extras(k))."""
        out = []
        for k, sl in enumerate(self.slices):
            if self.pos[k].size:
                extra = tuple(x for f in per_slice for x in f(k))
                out.append((sl, self.pos[k], self.rows[k], *extra))
        return out


def plan_pass(
    engine: Engine, shared: Shared, plan: SlicePlan, sel: pl.DataFrame
) -> Job[tuple[pl.DataFrame, pl.DataFrame, fixes.FixReport]]:
    """Pass 1 over every slice: ``sel`` with the link keys and facts, the problems
    (validation's, then the refusals, as the whole-frame path orders them) and the fixes."""
    got: dict[str, list[pl.DataFrame]] = {"keys": [], "problems": [], "refused": [], "fixes": []}

    def sink(out: dict[str, pl.DataFrame]) -> None:
        for name, frame in out.items():
            got[name].append(frame)

    yield from engine.map_calls_into(plan_slice, shared, plan.calls(), sink, step="validate")
    keys = (
        pl.concat(got["keys"])
        if got["keys"]
        else pl.DataFrame(
            schema={
                F.ROW: pl.UInt32,
                R.ID: pl.String,
                CONTENT: pl.UInt64,
                PROMPT: pl.UInt64,
                REPLY: pl.UInt64,
                "calls": pl.Boolean,
                "system": pl.Boolean,
                "tools": pl.Boolean,
                "w0": pl.Int64,
            }
        )
    )
    if not keys.get_column(R.ID).equals(sel.get_column(R.ID)):
        raise RuntimeError("the record parts changed while the export read them")  # pragma: no cover
    problems = pl.concat([*got["problems"], *got["refused"]]) if got["problems"] else empty_problems()
    fx = pl.concat(got["fixes"]) if got["fixes"] else None
    report = (
        fixes.FixReport(
            int(fx.get_column("moved").sum()),
            int(fx.get_column("cut_records").sum()),
            int(fx.get_column("cut_turns").sum()),
        )
        if fx is not None
        else fixes.FixReport()
    )
    joined = sel.hstack(keys.drop(F.ROW, R.ID))
    return joined, problems, report
