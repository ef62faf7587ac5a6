"""Redaction: replace PII and secrets with placeholders, as an undoable edit.

Placeholders are consistent within one conversation: the same email address
becomes ``<EMAIL_1>`` wherever it appears, a second one ``<EMAIL_2>``. The
edit goes through :func:`curator.core.review.edit` with action "redact", so
the imported original is kept, the journal records it, and undo restores it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl

from curator.core import review
from curator.core.filters.pii import PLACEHOLDERS, kept_findings, scan_text
from curator.core.filters.recipe import Recipe
from curator.core.workspace import Workspace


def redact_messages(
    messages: list[dict[str, Any]], skip: Iterable[str] = ()
) -> tuple[list[dict[str, Any]], int]:
    """Messages with findings replaced; returns (new messages, replacements).

    ``skip``: finding values to leave alone (the recipe's allow lists)."""
    allowed = set(skip)
    numbering: dict[tuple[str, str], str] = {}
    per_kind: dict[str, int] = {}
    out: list[dict[str, Any]] = []
    count = 0
    for m in messages:
        content = m.get("content")
        if not content:
            out.append(dict(m))
            continue
        pieces: list[str] = []
        pos = 0
        for start, end, name, value, _masked in scan_text(content):
            if value in allowed:
                continue
            stem = PLACEHOLDERS[name]
            tag = numbering.get((stem, value))
            if tag is None:
                per_kind[stem] = per_kind.get(stem, 0) + 1
                tag = f"<{stem}_{per_kind[stem]}>"
                numbering[(stem, value)] = tag
            pieces.append(content[pos:start])
            pieces.append(tag)
            pos = end
            count += 1
        pieces.append(content[pos:])
        out.append({**m, "content": "".join(pieces)})
    return out, count


def _skipped_values(ws: Workspace, messages: list[dict[str, Any]]) -> set[str]:
    """Values the recipe's pii step says are fine (ignore / allowlist / allow_domains)."""
    params = Recipe.from_workspace(ws).filter_params("pii")
    rows = [
        (i, *f) for i, m in enumerate(messages) if m.get("content") for f in scan_text(m["content"])
    ]
    if not rows:
        return set()
    found = pl.DataFrame(
        rows,
        schema={
            "turn": pl.Int64,
            "start": pl.Int64,
            "end": pl.Int64,
            "name": pl.String,
            "text": pl.String,
            "masked": pl.String,
        },
        orient="row",
    )
    kept = set(kept_findings(found, params).get_column("text").to_list())
    return set(found.get_column("text").to_list()) - kept


def redact(
    ws: Workspace,
    record_id: str,
    *,
    rescore_after: bool = True,
    reviewer: str | None = None,
    bulk: bool | None = None,
) -> int:
    """Redact one record's PII and secrets as an edit; returns replacements made.
    ``reviewer``/``bulk`` go to the journal (see :func:`curator.core.review.edit`)."""
    messages = review.current_messages(ws, record_id)
    new, count = redact_messages(messages, _skipped_values(ws, messages))
    if count == 0:
        return 0
    review.edit(ws, record_id, new, action="redact", reviewer=reviewer, bulk=bulk)
    if rescore_after:
        from curator.core.filters.job import rescore

        rescore(ws, [record_id])
    return count
