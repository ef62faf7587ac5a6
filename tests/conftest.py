"""Shared fixtures. Qt runs offscreen: set before anything imports Qt."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from pathlib import Path

import polars as pl
import pytest

from curator.core import records as R
from curator.core.workspace import Workspace

REPO = Path(__file__).resolve().parent.parent
SAMPLE_DATA = REPO / "sample_data"


def make_records(convs: list[list[tuple[str, str]]], source: str = "test.jsonl") -> pl.DataFrame:
    """Build a RECORD_SCHEMA frame from [(role, content), ...] lists, one per line."""
    rows = []
    for i, conv in enumerate(convs, start=1):
        loc = f"line {i}"
        rows.append(
            {
                R.ID: R.record_id(source, loc),
                R.SOURCE: source,
                R.SOURCE_PATH: f"/data/{source}",
                R.LOCATOR: loc,
                R.LINE: i,
                R.MESSAGES: [R.message(role, text) for role, text in conv],
                R.META: "{}",
                R.REPAIRS: [],
                R.IMPORT_ID: 0,
            }
        )
    return pl.DataFrame(rows, schema=R.RECORD_SCHEMA)


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return Workspace.open(tmp_path / "ws.curator", create=True)


def add_conversations(
    ws: Workspace, convs: list[list[tuple[str, str]]], source: str = "test.jsonl"
) -> pl.DataFrame:
    """Put conversations into a workspace without going through a reader."""
    df = make_records(convs, source)
    ws.add_import(
        source=source, path=f"/data/{source}", file_hash=source, fmt="openai",
        options={}, records=df, quarantine=[],
    )
    return df


@pytest.fixture
def small_ws(workspace: Workspace) -> Workspace:
    add_conversations(
        workspace,
        [
            [("user", f"Question number {i} about my order?"), ("assistant", f"Answer {i}: it ships tomorrow.")]
            for i in range(10)
        ],
    )
    return workspace
