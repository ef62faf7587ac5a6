"""Helpers for the filter tests: put conversations in a workspace, run filters, read flags."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from conftest import add_conversations

from curator.core import records as R
from curator.core.filters import Recipe, apply_thresholds, score_job
from curator.core.jobs import run_job
from curator.core.workspace import Workspace

Conv = list[tuple[str, str]]


def filtered_ws(
    tmp_path: Path, convs: list[Conv], recipe: Recipe | None = None
) -> tuple[Workspace, list[str]]:
    """A fresh workspace holding ``convs``, scored and thresholded; returns (ws, ids)."""
    ws = Workspace.open(tmp_path / f"ws{len(list(tmp_path.iterdir()))}.curator", create=True)
    df = add_conversations(ws, convs)
    recipe = recipe or Recipe.default()
    run_job(score_job(ws, recipe))
    apply_thresholds(ws, recipe)
    return ws, df.get_column(R.ID).to_list()


def flags_by_record(ws: Workspace, ids: list[str]) -> list[dict[str, str]]:
    """For each id in order: {flag name: reason}."""
    flags = ws.flags()
    out = []
    for i in ids:
        rows = flags.filter(pl.col(R.ID) == i)
        out.append(
            dict(
                zip(
                    rows.get_column("name").to_list(),
                    rows.get_column("reason").to_list(),
                    strict=True,
                )
            )
        )
    return out


def run_flags(
    tmp_path: Path, convs: list[Conv], recipe: Recipe | None = None
) -> list[dict[str, str]]:
    ws, ids = filtered_ws(tmp_path, convs, recipe)
    return flags_by_record(ws, ids)


def only(names: list[str]) -> Recipe:
    """A recipe running just these filters (no dedup)."""
    r = Recipe.default()
    for s in r.steps:
        s.enabled = s.name in names
    return r
