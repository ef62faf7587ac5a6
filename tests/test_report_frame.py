"""The review state and record columns the readiness report reads, read faster than
``Workspace.state()`` / ``records()`` but with the same content; frames whose columns
are chunked alike."""

from __future__ import annotations

import polars as pl

from curator.core import records as R
from curator.core.review import approve, edit, reject
from curator.core.workspace import Workspace
from tests.conftest import add_conversations


def _sorted(df: pl.DataFrame) -> pl.DataFrame:
    return df.sort(R.ID)


def _convs(n: int) -> list[list[tuple[str, str]]]:
    return [[("user", f"question {i}"), ("assistant", f"answer {i}")] for i in range(n)]


def test_review_state_is_the_state_without_reason_and_time(workspace: Workspace) -> None:
    assert workspace.review_state().height == 0
    df = add_conversations(workspace, _convs(40))
    ids = df.get_column(R.ID).to_list()
    approve(workspace, ids[:10])
    reject(workspace, ids[10:15], "off topic")
    edit(workspace, ids[3], [R.message("user", "new q"), R.message("assistant", "new a")])
    fresh = Workspace.open(workspace.path, readonly=True)  # no cached state
    got = fresh.review_state()
    want = workspace.state().select(R.ID, R.STATUS, "edited_messages", "edited_rejected")
    assert got.columns == want.columns
    assert _sorted(got).equals(_sorted(want))
    assert got.filter(pl.col("edited_messages").is_not_null()).get_column(R.ID).to_list() == [
        ids[3]
    ]


def test_review_state_with_an_id_holding_a_newline(workspace: Workspace) -> None:
    """Ids are joined by newlines in SQL; one that holds a newline falls back to row reads."""
    df = add_conversations(workspace, _convs(5))
    ids = df.get_column(R.ID).to_list()
    approve(workspace, ids[:2])
    with workspace.transaction() as con:
        con.execute(
            "INSERT INTO state (record_id, status, updated_at) VALUES ('odd\nid', 'rejected', 1.0)"
        )
        Workspace.bump_state_version(con)
    got = Workspace.open(workspace.path, readonly=True).review_state()
    assert sorted(got.get_column(R.ID).to_list()) == sorted([*ids[:2], "odd\nid"])
    assert dict(got.select(R.ID, R.STATUS).iter_rows())["odd\nid"] == "rejected"


def test_records_columns_and_frame_chunks(workspace: Workspace) -> None:
    add_conversations(workspace, _convs(30), source="a.jsonl")
    add_conversations(workspace, _convs(20), source="b.jsonl")
    fresh = Workspace.open(workspace.path, readonly=True)
    part = fresh.records(columns=[R.ID, R.MESSAGES])
    assert part.columns == [R.ID, R.MESSAGES]
    assert part.equals(workspace.records().select(R.ID, R.MESSAGES))
    frame = fresh.frame()
    lengths = frame.get_column(R.ID).chunk_lengths()
    assert len(lengths) == 2  # one chunk per part ...
    assert all(c.chunk_lengths() == lengths for c in frame.get_columns())  # ... in every column
    assert frame.rechunk().equals(frame)


def test_curator_run_caches_the_report_facts_of_each_part(workspace: Workspace) -> None:
    from curator.core.filters.job import score_job
    from curator.core.jobs import run_job

    add_conversations(workspace, _convs(30), source="a.jsonl")
    add_conversations(workspace, _convs(20), source="b.jsonl")
    run_job(score_job(workspace))
    caches = sorted(p.name for p in (workspace.path / "results").glob("facts_*.parquet"))
    assert [c.split("_v")[0] for c in caches] == ["facts_import-000001", "facts_import-000002"]
