"""Review actions on preference pairs: swap the answers, edit the chosen or the rejected one.

A pair is stored as ``messages`` = prompt + chosen reply and ``rejected_answer``
(see ``records.py``). These actions go through ``review``'s journal like every
other edit: one undoable batch each, committed before they return. Approve and
reject are the ordinary ``review.approve`` / ``review.reject``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from curator.core import records as R
from curator.core import review
from curator.core.review_actor import actor
from curator.core.review_delta import ReviewDelta
from curator.core.workspace import Workspace, WorkspaceError

_FIELDS = tuple(R.MESSAGE_DTYPE.to_schema())


@dataclass(frozen=True)
class Pair:
    """A preference pair as the reviewer sees it now (edits applied)."""

    prompt: list[dict[str, Any]]
    chosen: dict[str, Any]
    rejected: dict[str, Any]


def _full(msg: dict[str, Any]) -> dict[str, Any]:
    return {k: msg.get(k) for k in _FIELDS}


def _original_rejected(ws: Workspace, record_id: str) -> dict[str, Any] | None:
    df = ws.records().filter(pl.col(R.ID) == record_id)
    if df.height == 0:
        raise WorkspaceError(f"No record {record_id} in workspace {ws.name}.")
    value: dict[str, Any] | None = df.get_column(R.REJECTED_ANSWER)[0]
    return value


def original_rejected(ws: Workspace, record_id: str) -> dict[str, Any] | None:
    """The rejected reply as imported (None for a conversation)."""
    value = _original_rejected(ws, record_id)
    return None if value is None else _full(value)


def rejected_edited(ws: Workspace, record_id: str) -> bool:
    state = review._current(ws.db(), [record_id]).get(record_id)
    return state is not None and state.rejected is not None


def is_pair(ws: Workspace, record_id: str) -> bool:
    return _original_rejected(ws, record_id) is not None


def current_pair(ws: Workspace, record_id: str) -> Pair:
    """The pair with the reviewer's edits; WorkspaceError for a chat record."""
    original = _original_rejected(ws, record_id)
    if original is None:
        raise WorkspaceError(f"Record {record_id} is a conversation, not a preference pair.")
    state = review._current(ws.db(), [record_id]).get(record_id)
    rejected = (
        R.messages_from_json(f"[{state.rejected}]")[0]
        if state is not None and state.rejected is not None
        else original
    )
    msgs = review.current_messages(ws, record_id)
    if not msgs or msgs[-1].get("role") != "assistant":
        raise WorkspaceError(f"Record {record_id} has lost its chosen reply; revert its edit.")
    return Pair([_full(m) for m in msgs[:-1]], _full(msgs[-1]), _full(rejected))


def set_pair(
    ws: Workspace,
    record_id: str,
    pair: Pair,
    action: str,
    reviewer: str | None = None,
    bulk: bool | None = None,
) -> ReviewDelta:
    """Store ``pair`` as the record's edit (an edit equal to the import clears it)."""
    for m, what in ((pair.chosen, "chosen"), (pair.rejected, "rejected")):
        if not (m.get("content") or "").strip():
            raise WorkspaceError(f"The {what} reply cannot be empty; reject the pair instead.")
    messages = [*pair.prompt, pair.chosen]
    msgs_text: str | None = R.messages_to_json(messages)
    if msgs_text == R.messages_to_json(review.original_messages(ws, record_id)):
        msgs_text = None
    rej_text: str | None = R.message_to_json(pair.rejected)
    original = _original_rejected(ws, record_id)
    if original is not None and rej_text == R.message_to_json(original):
        rej_text = None
    return review._apply(
        ws,
        action,
        [record_id],
        lambda b: review.ReviewState(b.status, b.reason, msgs_text, rej_text),
        actor(1, reviewer, bulk),
    )


def swap(ws: Workspace, record_id: str, *, reviewer: str | None = None) -> ReviewDelta:
    """Make the rejected reply the chosen one and vice versa."""
    p = current_pair(ws, record_id)
    return set_pair(ws, record_id, Pair(p.prompt, p.rejected, p.chosen), "swap", reviewer)


def edit_chosen(
    ws: Workspace, record_id: str, content: str, *, reviewer: str | None = None
) -> ReviewDelta:
    p = current_pair(ws, record_id)
    return set_pair(
        ws,
        record_id,
        Pair(p.prompt, {**p.chosen, "content": content}, p.rejected),
        "edit_chosen",
        reviewer,
    )


def edit_rejected(
    ws: Workspace, record_id: str, content: str, *, reviewer: str | None = None
) -> ReviewDelta:
    p = current_pair(ws, record_id)
    return set_pair(
        ws,
        record_id,
        Pair(p.prompt, p.chosen, {**p.rejected, "content": content}),
        "edit_rejected",
        reviewer,
    )
