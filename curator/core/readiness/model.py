"""The report's building blocks: a check result and the inputs every check reads."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

from curator.core.readiness.settings import Thresholds
from curator.core.readiness.targets import Target
from curator.core.record_query import RecordQuery
from curator.core.selection import Include
from curator.core.workspace import Workspace

Level = Literal["ok", "warn", "block", "info", "n/a"]  # n/a: computed over zero records
LEVEL_ORDER: dict[str, int] = {"block": 0, "warn": 1, "info": 2, "ok": 3, "n/a": 4}
NOT_MEASURED = "not measured yet: run `curator run` first"


@dataclass
class Check:
    """One rubric line: what was measured, how it was judged, and what to do."""

    id: str
    title: str
    level: Level
    value: Any
    threshold: str
    message: str
    why: str
    next_step: str
    source: str
    query: RecordQuery | None = None  # the records behind the number
    measured: bool = True
    details: dict[str, Any] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)  # up to 5 record ids behind it

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "level": self.level,
            "value": self.value,
            "threshold": self.threshold,
            "message": self.message,
            "why": self.why,
            "next_step": self.next_step,
            "source": self.source,
            "query": str(self.query) if self.query is not None else None,
            "measured": self.measured,
            "details": self.details,
            "examples": self.examples,
        }


@dataclass
class Context:
    """What the checks read. ``good`` holds the exportable rows (N_good) with
    token columns, role-problem columns, flag-family columns and score columns;
    ``text`` is ``good`` or a seeded sample of it for text-heavy measures (measured by
    a worker thread while the checks that do not read it run)."""

    ws: Workspace
    include: Include
    target: Target
    th: Thresholds
    frame: pl.DataFrame
    selected: pl.DataFrame
    good: pl.DataFrame
    # the text sample, or the worker's future of (sample, sampled) while it is measured
    text_source: pl.DataFrame | Future[tuple[pl.DataFrame, bool]]
    sampled: bool
    scores: dict[str, pl.DataFrame | None]
    clusters: pl.DataFrame
    families_seen: set[str]  # flag families present anywhere in the workspace
    approved: int = 0  # records a person approved (any flags)
    waiting: int = 0  # pending records that pass the filters: would be good once approved
    overrides: dict[str, Any] = field(default_factory=dict)  # approved past a blocking flag (override_summary)
    ids_behind: dict[str, pl.Series] = field(default_factory=dict)
    # one row per flag: _row, id, name, severity (inputs.flag_rows); of ``frame`` and of ``good``
    flags: pl.DataFrame | None = None
    good_flags: pl.DataFrame | None = None
    all_flags: pl.DataFrame | None = None  # ws.flags(), read once: every flag of the workspace
    # inputs read from the database in a worker thread while the frame is measured
    # (``single``: decided_one_at_a_time; ``progress``: review_progress rows)
    prefetched: dict[str, Future[Any]] = field(default_factory=dict)

    @property
    def text(self) -> pl.DataFrame:
        """``good`` or a seeded sample of it, with the text columns (inputs.text_rows);
        waits for the worker measuring it the first time it is read."""
        if isinstance(self.text_source, Future):
            self.text_source = self.text_source.result()[0]
        return self.text_source

    def fetched(self, name: str, compute: Callable[[], Any]) -> Any:
        """A prefetched input, or ``compute()`` when it was not prefetched."""
        fut = self.prefetched.get(name)
        return fut.result() if fut is not None else compute()

    @property
    def n_good(self) -> int:
        return self.good.height

    @property
    def preview(self) -> bool:
        """The report counts passing records that nobody approved yet."""
        return self.include == "passing" and self.waiting > 0

    def population(self) -> str:
        """What the report is computed on, in the words it leads with."""
        passing = f"{self.waiting:,} passing"
        if self.include == "passing":
            if not self.waiting:
                return f"{self.approved:,} approved, 0 passing: computed on the approved records."
            return (f"Preview: {self.approved:,} approved, {passing}; computed on {plural(self.n_good, 'record')} "
                    f"as if the passing ones were approved.{self.override_note()}")
        if not self.n_good:
            more = (" Preview the passing ones with `curator report --include passing`, or review them."
                    if self.waiting else "")
            return f"{self.approved:,} approved, {passing}: nothing to compute on yet.{more}"
        return f"{self.approved:,} approved ({self.n_good:,} good), {passing} and waiting for review.{self.override_note()}"

    def override_note(self) -> str:
        """" 2 approved despite a blocking flag (secret.aws_key: 1, ...): exported as overrides." or ""."""
        n = int(self.overrides.get("records") or 0)
        if not n:
            return ""
        by = ", ".join(f"{k}: {v:,}" for k, v in list(self.overrides.get("by_flag", {}).items())[:4])
        return f" {plural(n, 'record was', 'records were')} approved despite a blocking flag ({by}): exported as overrides."

    def query(self, *args: str) -> RecordQuery:
        """The records behind a number (printed as the `curator query` command listing them)."""
        return RecordQuery.from_args(str(self.ws.path), *args)

    def measured(self, score: str, family: str) -> bool:
        """A filter has run when its scores exist or its flags appear anywhere."""
        return self.scores.get(score) is not None or family in self.families_seen

    def remember(self, check_id: str, ids: pl.Series) -> list[str]:
        """Keep every id behind a check (for the GUI) and return the first five."""
        self.ids_behind[check_id] = ids
        return [str(x) for x in ids.head(5).to_list()]


def pct(x: float) -> str:
    """0.0412 -> '4.1%' (one decimal under 10%, none above)."""
    v = 100 * x
    if v == 0:
        return "0%"
    if v < 0.1:
        return "<0.1%"
    return f"{v:.1f}%" if v < 10 else f"{v:.0f}%"


def plural(n: int, one: str, many: str | None = None, *, bare: bool = False) -> str:
    """``plural(1, "record")`` -> "1 record", ``plural(3, "record")`` -> "3 records";
    ``bare`` drops the number ("was"/"were")."""
    word = one if n == 1 else (many or f"{one}s")
    return word if bare else f"{n:,} {word}"


def share(n: int, total: int) -> float:
    return n / total if total else 0.0
