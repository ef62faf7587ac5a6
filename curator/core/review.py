"""Review actions: approve, reject, edit, revert, turn weights, undo, redo;
for preference pairs also swap and edit the chosen or the rejected reply.

Every function commits to the workspace journal before it returns, so a caller
that has seen it return can tell the user the action is done: a power cut or
``kill -9`` afterwards loses nothing. Each call is one undo step (a "batch"),
however many records it touched. The imported snapshot is never rewritten.

Every journal entry also says who acted (``reviewer``: the OS user unless a
name is given) and how (``single``: one record decided on its own, or ``bulk``
over ``batch_size`` records). Only single decisions count as human review in
the readiness report (:func:`curator.core.review_actor.decided_one_at_a_time`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import polars as pl

from curator.core import records as R
from curator.core.faults import fault_point
from curator.core.review_actor import SINGLE, Actor, actor, blocking_flags
from curator.core.review_delta import (
    BEFORE_STATUS,
    EDITED_MESSAGES,
    MESSAGES_CHANGED,
    ReviewDelta,
    delta_frame,
)
from curator.core.workspace import Workspace, WorkspaceError

__all__ = [
    "ReviewDelta",
    "ReviewState",
    "approve",
    "current_messages",
    "decide_where",
    "edit",
    "edit_message",
    "history",
    "journal_seq",
    "next_step",
    "original_messages",
    "redo",
    "reject",
    "reset",
    "revert",
    "review_timeline",
    "set_turn_weight",
    "undo",
]

_CHUNK = 20_000  # ids per executemany; bulk actions on 1M ids stay bounded in memory
_UPSERT = (
    "INSERT INTO state (record_id, status, reason, messages, updated_at, rejected)"
    " VALUES (?,?,?,?,?,?) ON CONFLICT(record_id) DO UPDATE SET status=excluded.status,"
    " reason=excluded.reason, messages=excluded.messages, updated_at=excluded.updated_at,"
    " rejected=excluded.rejected"
)


@dataclass(frozen=True)
class ReviewState:
    status: str
    reason: str | None
    messages: str | None  # JSON of edited messages, None = as imported
    rejected: str | None = None  # a pair's edited rejected reply (JSON), None = as imported

    def to_json(self) -> str:
        d = {"status": self.status, "reason": self.reason, "messages": self.messages}
        if self.rejected is not None:  # chat records' journal rows stay as they were
            d["rejected"] = self.rejected
        return json.dumps(d)

    @classmethod
    def from_json(cls, text: str) -> ReviewState:
        d = json.loads(text)
        return cls(d["status"], d["reason"], d["messages"], d.get("rejected"))


PENDING_STATE = ReviewState(R.PENDING, None, None)
_JOURNAL_INSERT = (
    "INSERT INTO journal (batch, record_id, action, before, after, at, reviewer, how, batch_size, overrode)"
    " VALUES (?,?,?,?,?,?,?,?,?,?)"
)


def _current(con: Any, ids: Sequence[str]) -> dict[str, ReviewState]:
    out: dict[str, ReviewState] = {}
    for i in range(0, len(ids), 900):
        chunk = ids[i : i + 900]
        q = f"SELECT record_id, status, reason, messages, rejected FROM state WHERE record_id IN ({','.join('?' * len(chunk))})"
        for rid, status, reason, msgs, rejected in con.execute(q, chunk):
            out[rid] = ReviewState(status, reason, msgs, rejected)
    return out


def _check_known(ws: Workspace, ids: Sequence[str]) -> None:
    known = ws.record_ids()
    if len(ids) <= 8:  # one review action (the GUI's UI thread): direct comparisons, no query
        # engine, so the check never queues behind a worker's query in Polars' thread pool
        absent = [rid for rid in dict.fromkeys(ids) if not (known == rid).any()]
        if absent:
            raise WorkspaceError(
                f"{len(absent)} id(s) not in workspace {ws.name}: {', '.join(absent[:5])}. "
                "List ids with `curator query -w WS`."
            )
        return
    wanted = pl.Series(R.ID, list(ids), dtype=pl.String)
    # Hash the (usually few) wanted ids and scan the known ones: hashing a million
    # known ids on every single review action took over a second.
    present = known.filter(known.is_in(wanted.implode()))
    missing = wanted.filter(~wanted.is_in(present.implode()))
    if missing.len():
        sample = ", ".join(missing.head(5).to_list())
        raise WorkspaceError(
            f"{missing.len()} id(s) not in workspace {ws.name}: {sample}. "
            "List ids with `curator query -w WS`."
        )


@dataclass(frozen=True)
class Guard:
    """Re-checks, inside the write transaction, that each id is still as the caller
    saw it: its status (``expected``), no journal entry after ``since_seq``, or
    still selected by ``reselect``. ``check`` returns (ids to change, ids skipped)."""

    expected: Mapping[str, str] | None = None
    since_seq: int | None = None
    reselect: Callable[[Workspace], list[str]] | None = None

    def check(self, ws: Workspace, con: Any, ids: list[str]) -> tuple[list[str], list[str]]:
        keep = pl.Series(R.ID, ids, dtype=pl.String)
        bad = pl.Series(R.ID, [], dtype=pl.String)
        if self.reselect is not None:
            now = pl.Series(R.ID, self.reselect(ws), dtype=pl.String)
            bad = bad.append(keep.filter(~keep.is_in(now.implode())))
        if self.expected is not None:
            seen = pl.DataFrame(
                {R.ID: list(self.expected), "seen": list(self.expected.values())},
                schema={R.ID: pl.String, "seen": pl.String},
            )
            cur = (
                pl.DataFrame({R.ID: keep})
                .join(ws.state().select(R.ID, R.STATUS), on=R.ID, how="left")
                .with_columns(pl.col(R.STATUS).fill_null(R.PENDING))
                .join(seen, on=R.ID, how="left")
            )
            bad = bad.append(
                cur.filter(
                    pl.col("seen").ne_missing(pl.col(R.STATUS)) & pl.col("seen").is_not_null()
                ).get_column(R.ID)
            )
        if self.since_seq is not None:
            rows = con.execute(
                "SELECT DISTINCT record_id FROM journal WHERE seq > ?", (self.since_seq,)
            )
            touched = pl.Series(R.ID, [r[0] for r in rows], dtype=pl.String)
            bad = bad.append(keep.filter(keep.is_in(touched.implode())))
        if bad.len() == 0:
            return ids, []
        bad = bad.unique(maintain_order=True)
        return keep.filter(~keep.is_in(bad.implode())).to_list(), bad.to_list()


def _stamp(con: Any, action: str, states: pl.DataFrame, batch: int | None) -> ReviewDelta:
    """The delta of a committed-to-be transaction: journal seq and state version now."""
    seq = con.execute("SELECT MAX(seq) FROM journal").fetchone()[0]
    row = con.execute("SELECT value FROM meta WHERE key='state_version'").fetchone()
    version = int(row[0]) if row else 0
    return ReviewDelta(
        action, states, batch if states.height else None, None if seq is None else int(seq), version
    )


def _apply(
    ws: Workspace,
    action: str,
    ids: Sequence[str],
    make_after: Any,
    who: Actor | None = None,
    guard: Guard | None = None,
) -> ReviewDelta:
    """Write new state for ids and journal before/after, as one undoable batch."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return ReviewDelta(action)
    who = who or actor(len(ids))
    _check_known(ws, ids)
    now = time.time()
    with ws.transaction() as con:
        ids, skipped = guard.check(ws, con, ids) if guard is not None else (ids, [])
        # A new action makes the redo stack meaningless: drop it (kept for audit as undone=2).
        con.execute("UPDATE journal SET undone=2 WHERE undone=1")
        batch = int(con.execute("SELECT COALESCE(MAX(batch), 0) + 1 FROM journal").fetchone()[0])
        changes: list[tuple[Any, ...]] = []
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            cur = _current(con, chunk)
            journal_rows = []
            state_rows = []
            for rid in chunk:
                before = cur.get(rid, PENDING_STATE)
                after: ReviewState = make_after(before)
                if after == before:
                    continue
                journal_rows.append(
                    (
                        batch,
                        rid,
                        action,
                        before.to_json(),
                        after.to_json(),
                        now,
                        who.reviewer,
                        who.how,
                        who.batch_size,
                        who.overrides.get(rid),
                    )
                )
                state_rows.append(
                    (rid, after.status, after.reason, after.messages, now, after.rejected)
                )
                changes.append(
                    (
                        rid,
                        before.status,
                        after.status,
                        after.reason,
                        after.messages,
                        after.messages != before.messages or after.rejected != before.rejected,
                    )
                )
            con.executemany(_JOURNAL_INSERT, journal_rows)
            con.executemany(
                _UPSERT,
                state_rows,
            )
        ws.bump_state_version(con)
        return replace(_stamp(con, action, delta_frame(changes), batch), skipped=tuple(skipped))


_BULK = 2_000  # from this many ids, status changes are computed in Polars, not per id


def _apply_status(
    ws: Workspace,
    action: str,
    ids: Sequence[str],
    status: str,
    reason: str | None,
    reviewer: str | None = None,
    bulk: bool | None = None,
    guard: Guard | None = None,
    overrides: dict[str, str] | None = None,
) -> ReviewDelta:
    """A status change for many ids at once: same journal and state rows as
    :func:`_apply`, with before/after computed in Polars instead of per id."""
    who = actor(len(dict.fromkeys(ids)), reviewer, bulk, overrides)
    if len(ids) < _BULK:
        return _apply(
            ws,
            action,
            ids,
            lambda b: ReviewState(status, reason, b.messages, b.rejected),
            who,
            guard,
        )
    wanted = pl.DataFrame({R.ID: list(ids)}, schema={R.ID: pl.String}).unique(maintain_order=True)
    _check_known(ws, wanted.get_column(R.ID).to_list())
    now = time.time()
    with ws.transaction() as con:  # the write lock is held: state cannot change under us
        skipped: list[str] = []
        if guard is not None:
            kept, skipped = guard.check(ws, con, wanted.get_column(R.ID).to_list())
            wanted = pl.DataFrame({R.ID: kept}, schema={R.ID: pl.String})
        con.execute("UPDATE journal SET undone=2 WHERE undone=1")
        batch = int(con.execute("SELECT COALESCE(MAX(batch), 0) + 1 FROM journal").fetchone()[0])
        state = ws.state().select(
            R.ID,
            pl.col(R.STATUS).alias("b_status"),
            pl.col(R.REASON).alias("b_reason"),
            pl.col("edited_messages").alias("messages"),
            pl.col("edited_rejected").alias("rejected"),
        )
        df = (
            wanted.join(state, on=R.ID, how="left", maintain_order="left")
            .with_columns(pl.col("b_status").fill_null(R.PENDING))
            .filter(
                (pl.col("b_status") != status)
                | pl.col("b_reason").ne_missing(pl.lit(reason, pl.String))
            )
        )
        before = pl.struct(
            pl.col("b_status").alias("status"),
            pl.col("b_reason").alias("reason"),
            "messages",
            "rejected",
        ).struct.json_encode()
        after = pl.struct(
            pl.lit(status).alias("status"),
            pl.lit(reason, pl.String).alias("reason"),
            "messages",
            "rejected",
        ).struct.json_encode()
        rows = df.select(
            pl.lit(batch).alias("batch"),
            R.ID,
            pl.lit(action).alias("action"),
            before.alias("before"),
            after.alias("after"),
            pl.lit(now).alias("at"),
            pl.lit(who.reviewer).alias("reviewer"),
            pl.lit(who.how).alias("how"),
            pl.lit(who.batch_size).alias("batch_size"),
            pl.col(R.ID)
            .replace_strict(who.overrides, default=None, return_dtype=pl.String)
            .alias("overrode"),
        ).iter_rows()
        con.executemany(_JOURNAL_INSERT, rows)
        con.executemany(
            _UPSERT,
            df.select(
                R.ID,
                pl.lit(status).alias("status"),
                pl.lit(reason, pl.String).alias("reason"),
                "messages",
                pl.lit(now).alias("at"),
                "rejected",
            ).iter_rows(),
        )
        ws.bump_state_version(con)
        states = df.select(
            R.ID,
            pl.col("b_status").alias(BEFORE_STATUS),
            pl.lit(status).alias(R.STATUS),
            pl.lit(reason, pl.String).alias(R.REASON),
            pl.col("messages").is_not_null().alias(R.EDITED),
            pl.col("messages").alias(EDITED_MESSAGES),
            pl.lit(False).alias(MESSAGES_CHANGED),
        )
        return replace(_stamp(con, action, states, batch), skipped=tuple(skipped))


def approve(
    ws: Workspace,
    ids: Sequence[str],
    *,
    reviewer: str | None = None,
    bulk: bool | None = None,
    expected: Mapping[str, str] | None = None,
    since_seq: int | None = None,
) -> ReviewDelta:
    """Approve records; returns the changed records' new states. ``reviewer``
    defaults to the OS user; ``bulk`` to "more than one id" (see :func:`actor`).

    A caller acting from a view it read earlier passes ``expected`` (id -> the
    status its view showed) and/or ``since_seq`` (the journal sequence number its
    view reflects): records another process changed since are skipped and listed
    in ``delta.skipped``, re-checked inside the write transaction (no lost update).

    Approving a record with a blocking flag is an explicit override: the journal
    entry names the flags (``overrode``) and the record is exported."""
    overrides = blocking_flags(ws, ids)
    return _apply_status(
        ws, "approve", ids, R.APPROVED, None, reviewer, bulk, _guard(expected, since_seq), overrides
    )


def reject(
    ws: Workspace,
    ids: Sequence[str],
    reason: str,
    *,
    reviewer: str | None = None,
    bulk: bool | None = None,
    expected: Mapping[str, str] | None = None,
    since_seq: int | None = None,
) -> ReviewDelta:
    """Reject records with a reason (``expected``/``since_seq`` as in :func:`approve`)."""
    reason = reason.strip()
    if not reason:
        raise WorkspaceError("A rejection needs a reason, e.g. --reject 'off-topic'.")
    return _apply_status(
        ws, "reject", ids, R.REJECTED, reason, reviewer, bulk, _guard(expected, since_seq)
    )


def reset(
    ws: Workspace,
    ids: Sequence[str],
    *,
    reviewer: str | None = None,
    bulk: bool | None = None,
    expected: Mapping[str, str] | None = None,
    since_seq: int | None = None,
) -> ReviewDelta:
    """Return records to pending (keeping any edit)."""
    return _apply_status(
        ws, "reset", ids, R.PENDING, None, reviewer, bulk, _guard(expected, since_seq)
    )


def _guard(expected: Mapping[str, str] | None, since_seq: int | None) -> Guard | None:
    return None if expected is None and since_seq is None else Guard(expected, since_seq)


def journal_seq(ws: Workspace) -> int:
    """The journal's highest sequence number (0 when empty): a view that remembers it
    can tell, cheaply, whether any process recorded a decision since."""
    row = ws.db().execute("SELECT COALESCE(MAX(seq), 0) FROM journal").fetchone()
    return int(row[0])


def decide_where(
    ws: Workspace,
    where: str,
    action: str,
    reason: str | None = None,
    *,
    reviewer: str | None = None,
) -> ReviewDelta:
    """Approve or reject every pending record that is ``passing`` or ``flagged`` now:
    the ids are resolved inside the write transaction, from the state committed at
    that moment, so a decision another process acknowledged a moment earlier is
    never overwritten (``curator review --where``)."""
    from curator.core.frame import is_flagged
    from curator.core.selection import exportable

    def select(ws: Workspace) -> list[str]:
        df = ws.frame().filter(pl.col(R.STATUS) == R.PENDING)
        df = df.filter(exportable("passing") if where == "passing" else is_flagged())
        return df.get_column(R.ID).to_list()

    # Resolve once to size the batch; the guard re-selects under the lock and keeps only
    # ids still selected (pending and passing/flagged) at that moment.
    ids = select(ws)
    fault_point("review-selected")
    guard = Guard(reselect=select)
    if action == "approve":
        return _apply_status(
            ws, "approve", ids, R.APPROVED, None, reviewer, True, guard, blocking_flags(ws, ids)
        )
    if not (reason or "").strip():
        raise WorkspaceError("A rejection needs a reason, e.g. --reject 'off-topic'.")
    return _apply_status(
        ws, "reject", ids, R.REJECTED, (reason or "").strip(), reviewer, True, guard
    )


def original_messages(ws: Workspace, record_id: str) -> list[dict[str, Any]]:
    records = ws.records()
    # a direct comparison and a slice, no query: an edit runs on the GUI's UI thread
    hits = np.flatnonzero((records.get_column(R.ID) == record_id).to_numpy())
    if not hits.size:
        raise WorkspaceError(f"No record {record_id} in workspace {ws.name}.")
    msgs: list[dict[str, Any]] | None = records.get_column(R.MESSAGES).slice(int(hits[0]), 1).to_list()[0]
    return msgs if msgs is not None else []  # a damaged part's null list: nothing to show, no crash


def current_messages(ws: Workspace, record_id: str) -> list[dict[str, Any]]:
    cur = _current(ws.db(), [record_id]).get(record_id)
    if cur is not None and cur.messages is not None:
        return R.messages_from_json(cur.messages)
    return original_messages(ws, record_id)


def edit(
    ws: Workspace,
    record_id: str,
    messages: list[dict[str, Any]],
    action: str = "edit",
    *,
    reviewer: str | None = None,
    bulk: bool | None = None,
) -> ReviewDelta:
    """Replace a record's messages; an edit equal to the original clears the edit."""
    for m in messages:
        if m.get("role") not in R.ROLES:
            raise WorkspaceError(
                f"Unknown role {m.get('role')!r}; use one of {', '.join(R.ROLES)}."
            )
    fields = list(R.MESSAGE_DTYPE.to_schema())
    full = [{k: m.get(k) for k in fields} for m in messages]
    original = original_messages(ws, record_id)
    text: str | None = R.messages_to_json(full)
    if text == R.messages_to_json(original):
        text = None
    return _apply(
        ws,
        action,
        [record_id],
        lambda b: ReviewState(b.status, b.reason, text, b.rejected),
        actor(1, reviewer, bulk),
    )


def edit_message(
    ws: Workspace,
    record_id: str,
    index: int,
    content: str,
    *,
    reviewer: str | None = None,
    bulk: bool | None = None,
) -> ReviewDelta:
    msgs = current_messages(ws, record_id)
    if not 0 <= index < len(msgs):
        raise WorkspaceError(f"Record {record_id} has no message {index}.")
    msgs[index] = {**msgs[index], "content": content}
    return edit(ws, record_id, msgs, reviewer=reviewer, bulk=bulk)


def set_turn_weight(
    ws: Workspace,
    record_id: str,
    index: int,
    train: bool,
    *,
    reviewer: str | None = None,
    bulk: bool | None = None,
) -> ReviewDelta:
    """Toggle "train on this turn" for an assistant message (export ``weight``)."""
    msgs = current_messages(ws, record_id)
    if not 0 <= index < len(msgs) or msgs[index]["role"] != "assistant":
        raise WorkspaceError(f"Message {index} of {record_id} is not an assistant turn.")
    msgs[index] = {**msgs[index], "weight": 1 if train else 0}
    return edit(ws, record_id, msgs, action="weight", reviewer=reviewer, bulk=bulk)


def revert(
    ws: Workspace, record_id: str, *, reviewer: str | None = None, bulk: bool | None = None
) -> ReviewDelta:
    """Drop a record's edit and go back to the imported messages."""
    who = actor(1, reviewer, bulk)
    return _apply(
        ws, "revert", [record_id], lambda b: ReviewState(b.status, b.reason, None, None), who
    )


def _restore(ws: Workspace, undone_from: int, undone_to: int, pick: str) -> ReviewDelta:
    name = "undo" if undone_from == 0 else "redo"
    other = "after" if pick == "before" else "before"
    with ws.transaction() as con:
        if undone_from == 0:
            row = con.execute("SELECT MAX(batch) FROM journal WHERE undone=0").fetchone()
        else:
            row = con.execute("SELECT MIN(batch) FROM journal WHERE undone=1").fetchone()
        batch = row[0]
        if batch is None:
            return ReviewDelta(name)
        rows = con.execute(
            f"SELECT record_id, {pick}, {other}, action FROM journal WHERE batch=? ORDER BY seq",
            (batch,),
        ).fetchall()
        now = time.time()
        # Each distinct state text is parsed once: a bulk step's entries share one or two
        # (20,000 json.loads held the GIL in the GUI's worker), and states are immutable.
        parsed: dict[str, ReviewState] = {}

        def state(text: str) -> ReviewState:
            st = parsed.get(text)
            if st is None:
                st = parsed[text] = ReviewState.from_json(text)
            return st

        # One executemany per statement kind (a big batch was one execute per record).
        # Ids are unique within a batch; were one repeated, the last entry wins as before.
        final: dict[str, ReviewState] = {rid: state(st) for rid, st, _o, _a in rows}
        first: dict[str, ReviewState] = {}
        for rid, _st, cur_json, _a in rows:
            if rid not in first:
                first[rid] = state(cur_json)
        pending = {id(st) for st in parsed.values() if st == PENDING_STATE}
        deletes = [(rid,) for rid, st in final.items() if id(st) in pending]
        upserts = [
            (rid, st.status, st.reason, st.messages, now, st.rejected)
            for rid, st in final.items()
            if id(st) not in pending
        ]
        con.executemany("DELETE FROM state WHERE record_id=?", deletes)
        con.executemany(
            _UPSERT,
            upserts,
        )
        con.execute("UPDATE journal SET undone=? WHERE batch=?", (undone_to, batch))
        ws.bump_state_version(con)
        changes = [
            (
                rid,
                first[rid].status,
                st.status,
                st.reason,
                st.messages,
                st.messages != first[rid].messages or st.rejected != first[rid].rejected,
            )
            for rid, st in final.items()
        ]
        delta = _stamp(con, name, delta_frame(changes), int(batch))
        return ReviewDelta(
            name, delta.states, delta.batch, delta.seq, delta.version, restored=str(rows[0][3])
        )


def undo(ws: Workspace) -> ReviewDelta:
    """Undo the last action; returns the restored states (empty if nothing to undo).

    ``delta.restored`` names the action that was undone ("approve", "edit", ...)."""
    return _restore(ws, 0, 1, "before")


def redo(ws: Workspace) -> ReviewDelta:
    """Redo the most recently undone action."""
    return _restore(ws, 1, 0, "after")


def next_step(ws: Workspace, which: str) -> tuple[str | None, int]:
    """(action, records) of what ``undo`` (which="undo") or ``redo`` would restore next;
    (None, 0) when there is nothing. A cheap count, for "Undo approve (3 records)"."""
    pick = (
        "MAX(batch) FROM journal WHERE undone=0"
        if which == "undo"
        else "MIN(batch) FROM journal WHERE undone=1"
    )
    row = (
        ws.db()
        .execute(f"SELECT MIN(action), COUNT(*) FROM journal WHERE batch=(SELECT {pick})")
        .fetchone()
    )
    return (row[0], int(row[1])) if row and row[1] else (None, 0)


def history(ws: Workspace, record_id: str) -> list[dict[str, Any]]:
    """Every journal entry of one record: what, when, who and how (oldest first)."""
    rows = (
        ws.db()
        .execute(
            "SELECT seq, action, before, after, at, undone, reviewer, how, batch_size, overrode FROM journal"
            " WHERE record_id=? ORDER BY seq",
            (record_id,),
        )
        .fetchall()
    )
    out = []
    for seq, action, before, after, at, undone, reviewer, how, batch_size, overrode in rows:
        b, a = ReviewState.from_json(before), ReviewState.from_json(after)
        out.append(
            {
                "seq": seq,
                "action": action,
                "at": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(at)),
                "status_before": b.status,
                "status_after": a.status,
                "reason": a.reason,
                "undone": bool(undone),
                "reviewer": reviewer or "unknown",
                "how": how or SINGLE,
                "batch_size": int(batch_size or 1),
                "overrode": overrode,  # blocking flags this approval overrode, if any
            }
        )
    return out


def review_timeline(ws: Workspace) -> pl.DataFrame:
    """Every live journal entry (at, action, status_after) for progress charts."""
    rows = (
        ws.db()
        .execute(
            "SELECT at, action, json_extract(after, '$.status') FROM journal WHERE undone=0 ORDER BY seq"
        )
        .fetchall()
    )
    return pl.DataFrame(
        rows, schema={"at": pl.Float64, "action": pl.String, "status": pl.String}, orient="row"
    )
