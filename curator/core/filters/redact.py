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

from curator.core import records as R
from curator.core import review
from curator.core.filters.pii import PLACEHOLDERS, kept_findings, scan_messages
from curator.core.filters.recipe import Recipe
from curator.core.workspace import Workspace


def findings_of(messages: list[dict[str, Any]]) -> pl.DataFrame:
    """One conversation's findings (FINDINGS_SCHEMA), classified in its context."""
    rows = [
        {
            R.ID: "r",
            "turn": i,
            "role": m.get("role") or "",
            "content": m.get("content") or "",
            "tool_calls": m.get("tool_calls") if isinstance(m.get("tool_calls"), str) else None,
        }
        for i, m in enumerate(messages)
    ]
    schema = {
        R.ID: pl.String,
        "turn": pl.Int32,
        "role": pl.String,
        "content": pl.String,
        "tool_calls": pl.String,
    }
    return scan_messages(pl.DataFrame(rows, schema=schema))


def redact_messages(
    messages: list[dict[str, Any]], skip: Iterable[str] = ()
) -> tuple[list[dict[str, Any]], int]:
    """Messages with personal data and secrets replaced; returns (new messages, replacements).

    Contact details (``contact.*``: a business's published number) stay: they are
    task data, not personal data. ``skip``: finding values to leave alone (the
    recipe's allow lists)."""
    allowed = set(skip)
    found = findings_of(messages).filter(~pl.col("name").str.starts_with("contact."))
    numbering: dict[tuple[str, str], str] = {}
    per_kind: dict[str, int] = {}
    by_part: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for f in found.sort("turn", "start").to_dicts():
        by_part.setdefault((f["turn"], f["field"]), []).append(f)
    out: list[dict[str, Any]] = []
    count = 0
    for i, m in enumerate(messages):
        new = dict(m)
        for part in ("content", "tool_calls"):
            text = m.get(part)
            spans = by_part.get((i, part))
            if not isinstance(text, str) or not spans:
                continue
            pieces: list[str] = []
            pos = 0
            for f in spans:
                if f["text"] in allowed or f["start"] < pos:
                    continue
                stem = f["tag"] or PLACEHOLDERS.get(f["name"], "PII")
                tag = numbering.get((stem, f["text"]))
                if tag is None:
                    per_kind[stem] = per_kind.get(stem, 0) + 1
                    tag = f"<{stem}_{per_kind[stem]}>"
                    numbering[(stem, f["text"])] = tag
                pieces.append(text[pos : f["start"]])
                pieces.append(tag)
                pos = f["end"]
                count += 1
            pieces.append(text[pos:])
            new[part] = "".join(pieces)
        out.append(new)
    return out, count


def _skipped_values(ws: Workspace, messages: list[dict[str, Any]]) -> set[str]:
    """Values the recipe's pii step says are fine (ignore / allowlist / allow_domains)."""
    params = Recipe.from_workspace(ws).filter_params("pii")
    found = findings_of(messages)
    if found.height == 0:
        return set()
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
    from curator.core import review_pairs

    if review_pairs.is_pair(ws, record_id):  # both answers, numbered as one conversation
        pair = review_pairs.current_pair(ws, record_id)
        messages = [*pair.prompt, pair.chosen, pair.rejected]
    else:
        messages = review.current_messages(ws, record_id)
    new, count = redact_messages(messages, _skipped_values(ws, messages))
    if count == 0:
        return 0
    if review_pairs.is_pair(ws, record_id):
        redacted = review_pairs.Pair(new[:-2], new[-2], new[-1])
        review_pairs.set_pair(ws, record_id, redacted, "redact", reviewer, bulk)
    else:
        review.edit(ws, record_id, new, action="redact", reviewer=reviewer, bulk=bulk)
    if rescore_after:
        from curator.core.filters.job import rescore

        rescore(ws, [record_id])
    return count
