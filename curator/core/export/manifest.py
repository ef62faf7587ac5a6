"""Token totals and the manifest.json describing one export."""

from __future__ import annotations

import time
from typing import Any, Final

import polars as pl

from curator import __version__
from curator.core import records as R
from curator.core.export.groups import MIN_REPLY_WORDS
from curator.core.export.options import ExportOptions
from curator.core.export.schemas import schema_path, schema_sha256
from curator.core.tokens import ENCODING, message_token_table
from curator.core.workspace import Workspace

TOKEN_COLUMNS: Final = ("tokens", "assistant_tokens")
_VERIFY_SAMPLE: Final = 200
TOKEN_NOTE: Final = (
    f"estimates: {ENCODING} with the OpenAI cookbook's chat overhead; other tokenizers differ by a few percent"
)


def fresh_candidates(
    ws: Workspace, df: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """The length filter's token counts that may still be valid for rows of ``df`` (a
    record not edited and not touched by review after the scores were written), and the
    sample of them to recount; None when there are none. Reads no messages."""
    scores = ws.read_result("scores_length")
    if scores is None or not {R.ID, *TOKEN_COLUMNS} <= set(scores.columns):
        return None
    written = ws.result_path("scores_length").stat().st_mtime
    fresh = (
        df.filter(~pl.col(R.EDITED) & (pl.col(R.REVIEWED_AT).is_null() | (pl.col(R.REVIEWED_AT) <= written)))
        .select(R.ID)
        .join(scores.select(R.ID, *TOKEN_COLUMNS).unique(R.ID), on=R.ID, how="inner")
        .cast({c: pl.Int64 for c in TOKEN_COLUMNS})
    )
    if fresh.height == 0:
        return None
    return fresh, fresh.sample(min(_VERIFY_SAMPLE, fresh.height), seed=0)


def _fresh_scores(ws: Workspace, df: pl.DataFrame) -> pl.DataFrame | None:
    """Token counts from the length filter's ``scores_length`` where still valid.

    Valid for a record that is not edited and was not touched by review after
    the scores were written; a sample is recounted and any mismatch discards
    the whole result (it may come from another tokenizer or an older Curator).
    """
    got = fresh_candidates(ws, df)
    if got is None:
        return None
    fresh, sample = got
    msgs = df.select(R.ID, R.MESSAGES).join(sample.select(R.ID), on=R.ID, how="semi")
    check = message_token_table(msgs.get_column(R.MESSAGES), msgs.get_column(R.ID))
    joined = sample.join(check.select(R.ID, *TOKEN_COLUMNS), on=R.ID, suffix="_now")
    if any((joined[c] != joined[f"{c}_now"]).any() for c in TOKEN_COLUMNS):
        return None
    return fresh.select(R.ID, *TOKEN_COLUMNS)


def fresh_scores(ws: Workspace, df: pl.DataFrame) -> pl.DataFrame | None:
    """id, tokens, assistant_tokens from still-valid length scores (None if unusable)."""
    return _fresh_scores(ws, df)


def token_table(ws: Workspace, df: pl.DataFrame, known: pl.DataFrame | None = None) -> pl.DataFrame:
    """id, tokens, assistant_tokens for every row of ``df`` (a frame subset);
    ``known`` is a :func:`fresh_scores` result already at hand."""
    known = _fresh_scores(ws, df) if known is None else known
    todo = df if known is None else df.join(known, on=R.ID, how="anti")
    counted = (
        message_token_table(todo.get_column(R.MESSAGES), todo.get_column(R.ID)).select(R.ID, *TOKEN_COLUMNS)
        if todo.height
        else pl.DataFrame(schema={R.ID: pl.String, "tokens": pl.Int64, "assistant_tokens": pl.Int64})
    )
    parts = [counted.cast({c: pl.Int64 for c in TOKEN_COLUMNS})]
    if known is not None:
        parts.append(known)
    return pl.concat(parts)


def token_totals(tokens: pl.DataFrame, split: pl.DataFrame) -> dict[str, dict[str, int]]:
    """split -> {records, tokens, assistant_tokens}; ``split`` has id, split."""
    joined = split.join(tokens, on=R.ID, how="left")
    out: dict[str, dict[str, int]] = {}
    for row in joined.group_by("split").agg(
        pl.len().alias("records"), pl.col("tokens").sum(), pl.col("assistant_tokens").sum()
    ).iter_rows(named=True):
        out[row["split"]] = {k: int(row[k] or 0) for k in ("records", "tokens", "assistant_tokens")}
    return dict(sorted(out.items(), key=lambda kv: kv[0] != "train"))


def sources(ws: Workspace) -> list[dict[str, Any]]:
    """Files the exported records came from (imports that failed whole are not sources)."""
    return [
        {"source": i.source, "path": i.path, "sha256": i.file_hash, "format": i.format, "records": i.records}
        for i in ws.imports()
        if i.format != "failed"
    ]


def build(
    ws: Workspace,
    options: ExportOptions,
    *,
    counts: dict[str, int],
    tokens: dict[str, dict[str, int]],
    files: list[dict[str, Any]],
    selection: dict[str, Any],
    leakage: dict[str, Any],
    skipped: pl.DataFrame,
    clusters_present: bool,
) -> dict[str, Any]:
    info = options.info
    return {
        "curator_version": __version__,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "workspace": str(ws.path),
        "format": options.format,
        "description": info.description,
        "schema": {
            "name": info.schema,
            "file": schema_path(info.schema).name,
            "sha256": schema_sha256(info.schema),
            "draft": "https://json-schema.org/draft/2020-12/schema",
        },
        "selection": {"include": options.include, **selection},
        "split": {
            "fraction": options.split,
            "seed": options.seed,
            "method": (
                "whole groups per side, ordered by a seeded stable hash; a group is linked by a dedup cluster,"
                " identical conversation, normalised user prompt or normalised final reply"
                f" (of >= {MIN_REPLY_WORDS} words); groups larger than the validation share go to train whole"
            ),
            "leakage": {**leakage, "dedup_results_present": clusters_present},
        },
        "counts": counts,
        "tokens": {**tokens, "note": TOKEN_NOTE},
        "files": files,
        "invalid": {
            "skip_invalid": options.skip_invalid,
            "skipped": skipped.get_column(R.ID).n_unique() if skipped.height else 0,
            "records": skipped.to_dicts(),
        },
        "sources": sources(ws),
        "snippets": {"llamafactory": "dataset_info.json", "axolotl": "axolotl.yaml"},
    }
