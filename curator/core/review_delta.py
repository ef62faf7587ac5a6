"""What one review action changed: the typed delta every review call returns.

A face (GUI, CLI) that has the delta knows the new review state of every record the
action changed without reading the database again: the GUI patches its in-memory
frame from it, the CLI prints ``delta.changed``. Records the action touched but did
not change (approving an approved record) are not in it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from curator.core import records as R

BEFORE_STATUS = "before_status"
EDITED_MESSAGES = "edited_messages"  # JSON of the reviewer's messages, null = as imported
MESSAGES_CHANGED = "messages_changed"  # the action changed the record's effective messages

DELTA_SCHEMA: dict[str, Any] = {
    R.ID: pl.String,
    BEFORE_STATUS: pl.String,
    R.STATUS: pl.String,
    R.REASON: pl.String,
    R.EDITED: pl.Boolean,
    EDITED_MESSAGES: pl.String,
    MESSAGES_CHANGED: pl.Boolean,
}


@dataclass(frozen=True)
class RecordChange:
    """One changed record's state after the action."""

    id: str
    before_status: str
    status: str
    reason: str | None
    edited: bool
    edited_messages: str | None
    messages_changed: bool

    def messages(self) -> list[dict[str, Any]] | None:
        """The reviewer's messages, or None when the record is as imported."""
        return R.messages_from_json(self.edited_messages) if self.edited_messages else None


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=DELTA_SCHEMA)


@dataclass(frozen=True)
class ReviewDelta:
    """The records one review call changed, with their new states.

    ``batch`` is the journal batch (the undo step), ``seq`` the highest journal
    sequence number and ``version`` the workspace state version after the call
    committed (undo and redo write no journal row: ``version`` still moves): a face that last saw ``version`` knows nobody else changed anything
    if ``Workspace.state_version()`` still equals it.
    """

    action: str
    states: pl.DataFrame = field(default_factory=_empty)  # DELTA_SCHEMA, one row per changed record
    batch: int | None = None
    seq: int | None = None
    version: int | None = None
    restored: str | None = None  # undo/redo: the action of the step undone or redone
    # ids left alone because another process changed them since the caller's view was read
    skipped: tuple[str, ...] = ()

    @property
    def changed(self) -> int:
        """How many records changed."""
        return self.states.height

    def __len__(self) -> int:
        return self.states.height

    @property
    def ids(self) -> list[str]:
        ids: list[str] = self.states.get_column(R.ID).to_list()
        return ids

    @property
    def texts_changed(self) -> bool:
        """Whether any record's effective messages changed (edit, revert, redact, undo of one)."""
        return bool(self.states.get_column(MESSAGES_CHANGED).any())

    def status_moves(self) -> dict[tuple[str, str], int]:
        """(before, after) status -> how many records moved so; for patching counts."""
        if self.states.height <= _FEW:  # one review action: no query engine (see delta_frame)
            pairs = zip(
                self.states.get_column(BEFORE_STATUS).to_list(),
                self.states.get_column(R.STATUS).to_list(),
                strict=True,
            )
            return dict(Counter(pairs))
        df = self.states.group_by(BEFORE_STATUS, R.STATUS).len()
        return {(b, a): int(n) for b, a, n in df.iter_rows()}

    def __iter__(self) -> Iterator[RecordChange]:
        for row in self.states.iter_rows(named=True):
            yield RecordChange(**row)

    def get(self, record_id: str) -> RecordChange | None:
        hit = self.states.filter(pl.col(R.ID) == record_id)
        return RecordChange(**hit.row(0, named=True)) if hit.height else None


_FEW = 64  # deltas up to this many rows are built and read with direct Series calls


def delta_frame(rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    """Rows of (id, before_status, status, reason, edited_messages, messages_changed).

    Built column by column without a query: a single review action runs on the GUI's
    UI thread, where a Polars query would queue behind a worker's in the thread pool."""
    names = (R.ID, BEFORE_STATUS, R.STATUS, R.REASON, EDITED_MESSAGES, MESSAGES_CHANGED)
    # one comprehension per column (``zip(*rows)`` held the GIL 50 ms for a 20k-record undo)
    data = {name: [r[k] for r in rows] for k, name in enumerate(names)}
    data[R.EDITED] = [m is not None for m in data[EDITED_MESSAGES]]
    return pl.DataFrame(
        {name: pl.Series(name, data[name], dtype=DELTA_SCHEMA[name]) for name in DELTA_SCHEMA}
    )
