"""Every journal entry says who decided and how (one record on its own, or bulk over N);
old workspaces are migrated on open; only one-at-a-time decisions count as reviewed."""

from __future__ import annotations

import getpass
import json
import sqlite3
from pathlib import Path

import polars as pl
import pytest
from conftest import add_conversations
from readiness_helpers import build, clean_conversations

from curator.cli.main import main
from curator.core import records as R
from curator.core import review
from curator.core.readiness import build_report
from curator.core.review_actor import decided_one_at_a_time
from curator.core.workspace import SCHEMA_VERSION, Workspace


def _ids(df: pl.DataFrame) -> list[str]:
    return df.get_column(R.ID).to_list()


def _last(ws: Workspace, rid: str) -> dict[str, object]:
    return review.history(ws, rid)[-1]


def test_one_id_is_single_and_names_the_os_user(small_ws: Workspace) -> None:
    rid = small_ws.record_ids()[0]
    review.approve(small_ws, [rid])
    h = _last(small_ws, rid)
    assert (h["reviewer"], h["how"], h["batch_size"]) == (getpass.getuser(), "single", 1)


def test_several_ids_are_bulk_with_their_count(small_ws: Workspace) -> None:
    ids = small_ws.record_ids().to_list()[:3]
    review.reject(small_ws, ids, "off-topic", reviewer="alice")
    for rid in ids:
        h = _last(small_ws, rid)
        assert (h["reviewer"], h["how"], h["batch_size"]) == ("alice", "bulk", 3)


def test_bulk_flag_overrides_the_id_count(small_ws: Workspace) -> None:
    rid = small_ws.record_ids()[0]
    review.approve(small_ws, [rid], bulk=True, reviewer="bob")
    assert _last(small_ws, rid)["how"] == "bulk"
    review.edit_message(small_ws, rid, 1, "Answer: it ships on Monday.", reviewer="bob")
    h = _last(small_ws, rid)
    assert (h["action"], h["how"], h["reviewer"]) == ("edit", "single", "bob")


def test_the_polars_bulk_path_records_who_and_how(
    small_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(review, "_BULK", 2)  # the >= _BULK path, without 2,000 records
    ids = small_ws.record_ids().to_list()
    review.approve(small_ws, ids, reviewer="carol")
    rows = (
        small_ws.db().execute("SELECT DISTINCT reviewer, how, batch_size FROM journal").fetchall()
    )
    assert rows == [("carol", "bulk", len(ids))]


def test_an_edit_alone_after_a_bulk_approval_counts_an_undone_one_does_not(
    small_ws: Workspace,
) -> None:
    ids = small_ws.record_ids().to_list()
    review.approve(small_ws, ids)
    assert decided_one_at_a_time(small_ws).height == 0
    review.edit_message(small_ws, ids[0], 1, "Answer 0: it ships on Monday.")
    review.approve(small_ws, [ids[1]], bulk=False)  # already approved: no entry, stays bulk
    assert decided_one_at_a_time(small_ws).get_column(R.ID).to_list() == [ids[0]]
    review.undo(small_ws)
    assert decided_one_at_a_time(small_ws).height == 0
    review.reset(small_ws, [ids[2]])
    review.approve(small_ws, [ids[2]], reviewer="dana")
    assert decided_one_at_a_time(small_ws).rows() == [(ids[2], "dana")]


def _schema_1_workspace(path: Path, ids: list[str]) -> None:
    """A workspace as Curator wrote it before who/how existed (schema 1)."""
    con = sqlite3.connect(path / "curator.db")
    con.executescript(
        "ALTER TABLE journal DROP COLUMN reviewer; ALTER TABLE journal DROP COLUMN how;"
        " ALTER TABLE journal DROP COLUMN batch_size; ALTER TABLE state DROP COLUMN rejected;"
        " DELETE FROM journal; DELETE FROM state;"
        " UPDATE meta SET value='1' WHERE key='schema_version';"
    )
    state = json.dumps({"status": "approved", "reason": None, "messages": None})
    pending = json.dumps({"status": "pending", "reason": None, "messages": None})
    batches = [(1, ids[0]), (2, ids[1]), (2, ids[2])]
    con.executemany(
        "INSERT INTO journal (batch, record_id, action, before, after, at) VALUES (?, ?, 'approve', ?, ?, 0)",
        [(b, rid, pending, state) for b, rid in batches],
    )
    con.executemany(
        "INSERT INTO state VALUES (?, 'approved', NULL, NULL, 0)", [(r,) for _, r in batches]
    )
    con.commit()
    con.close()


def test_a_schema_1_workspace_is_migrated_on_open(small_ws: Workspace) -> None:
    ids = small_ws.record_ids().to_list()
    small_ws.close()
    _schema_1_workspace(small_ws.path, ids)
    ws = Workspace.open(small_ws.path)
    assert ws.db().execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[
        0
    ] == str(SCHEMA_VERSION)
    first, second = _last(ws, ids[0]), _last(ws, ids[1])
    assert (first["reviewer"], first["how"]) == ("unknown", "single")
    assert (second["how"], second["batch_size"]) == ("bulk", 2)
    assert ws.frame().filter(pl.col(R.STATUS) == R.APPROVED).height == 3  # nothing lost
    review.approve(ws, [ids[3]], reviewer="erin")
    assert _last(ws, ids[3])["reviewer"] == "erin"
    assert Workspace.open(small_ws.path).record_count() == 10  # reopening is a no-op


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_cli_reviewer_and_show_lists_who_did_what(
    small_ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    w = str(small_ws.path)
    rid = small_ws.record_ids()[0]
    code, out = _cli(capsys, "review", "-w", w, "--approve", "--ids", rid, "--reviewer", "alice")
    assert code == 0 and out.strip() == "approved 1 record"
    code, out = _cli(capsys, "show", "-w", w, rid)
    assert code == 0 and "approve by alice (one record): pending -> approved" in out
    code, out = _cli(
        capsys, "review", "-w", w, "--reject", "dup", "--ids", rid, small_ws.record_ids()[1]
    )
    assert "rejected 2 records (recorded as a bulk action" in out
    code, out = _cli(capsys, "show", "-w", w, rid)
    assert f"reject by {getpass.getuser()} (bulk over 2 records)" in out


def test_where_passing_is_bulk_even_for_one_record(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    df = add_conversations(
        workspace, [[("user", "Where is my parcel?"), ("assistant", "It arrives on Monday.")]]
    )
    code, out = _cli(capsys, "review", "-w", str(workspace.path), "--approve", "--where", "passing")
    assert code == 0 and "approved 1 record (recorded as a bulk action" in out
    assert _last(workspace, _ids(df)[0])["how"] == "bulk"


def test_report_says_bulk_approvals_are_not_review(workspace: Workspace) -> None:
    build(workspace, clean_conversations(30))  # approves all 30 in one action
    c = build_report(workspace).check("reviewed")
    assert c.level == "warn" and c.value == 0
    assert "Only 0 of 30 good examples" in c.message and "30 were approved in bulk" in c.message
    assert "reviewed 100%" not in c.message
