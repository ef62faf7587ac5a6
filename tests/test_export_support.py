"""Helpers shared by the export tests (no tests here)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from curator.core import records as R
from curator.core.export import ExportOptions, export_job
from curator.core.jobs import run_job
from curator.core.workspace import Workspace

M = R.message
TOOL_CALLS = [{"id": "call_1", "type": "function", "function": {"name": "track", "arguments": '{"order": "A1"}'}}]


def add_records(ws: Workspace, convs: list[list[dict[str, Any]]], source: str = "src.jsonl") -> list[str]:
    """Add conversations given as lists of R.message dicts; returns their ids in order."""
    rows = []
    for i, conv in enumerate(convs, start=1):
        loc = f"line {i}"
        rows.append(
            {
                R.ID: R.record_id(source, loc), R.SOURCE: source, R.SOURCE_PATH: f"/data/{source}",
                R.LOCATOR: loc, R.LINE: i, R.MESSAGES: conv, R.META: "{}", R.REPAIRS: [], R.IMPORT_ID: 0,
            }
        )
    df = pl.DataFrame(rows, schema=R.RECORD_SCHEMA)
    ws.add_import(source=source, path=f"/data/{source}", file_hash=f"hash-{source}", fmt="openai",
                  options={}, records=df, quarantine=[])
    return df.get_column(R.ID).to_list()


def qa(i: int, extra: str = "") -> list[dict[str, Any]]:
    return [M("user", f"Question {i}{extra}: where is my order?"), M("assistant", f"Answer {i}{extra}: it ships today.")]


def export(ws: Workspace, out: Path, **kw: Any) -> dict[str, Any]:
    return run_job(export_job(ws, ExportOptions(output_dir=out, **kw)))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write_clusters(ws: Workspace, rows: list[tuple[str, str, str | None]]) -> None:
    """rows: (id, cluster_id, duplicate_of)."""
    df = pl.DataFrame(
        [{R.ID: i, R.CLUSTER_ID: c, R.DUPLICATE_OF: d, R.SIMILARITY: 1.0, "kind": "near"} for i, c, d in rows],
        schema=R.CLUSTERS_SCHEMA,
    )
    ws.write_result("clusters", df)


def openai_view(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Workspace messages as the OpenAI line should carry them (nulls dropped, tool_calls decoded)."""
    out = []
    for m in messages:
        d = {k: v for k, v in m.items() if v is not None}
        if "tool_calls" in d:
            d["tool_calls"] = json.loads(d["tool_calls"])
            d.setdefault("content", None)  # the API's form: "content": null beside tool_calls
        out.append(d)
    return out
