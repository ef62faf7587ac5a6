"""No lost update: a bulk review never overwrites a decision another process
acknowledged after the bulk action's view was read."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from conftest import add_conversations
from faults_helpers import REPO

from curator.core import records as R
from curator.core import review
from curator.core.workspace import Workspace


def _statuses(ws: Workspace) -> dict[str, str]:
    return dict(ws.frame().select(R.ID, R.STATUS).iter_rows())


def _convs(n: int) -> list[list[tuple[str, str]]]:
    return [
        [("user", f"question {i} about my order"), ("assistant", f"answer {i}: it ships today")]
        for i in range(n)
    ]


def test_cli_where_passing_keeps_a_rejection_made_while_it_waited(tmp_path):
    """Two real processes: the bulk approve has chosen its ids (all pending) and is held
    at a barrier; another process rejects four of them and is acknowledged; then the
    bulk approve goes on. The four stay rejected and the approve says it left them."""
    ws = Workspace.open(tmp_path / "ws.curator", create=True)
    add_conversations(ws, _convs(40))
    ids = ws.record_ids().to_list()
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    bulk = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "curator",
            "review",
            "-w",
            str(ws.path),
            "--approve",
            "--where",
            "passing",
            "--json",
        ],
        cwd=REPO,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "CURATOR_PAUSE_AT": f"review-selected:{barrier}"},
    )
    try:
        deadline = time.monotonic() + 60
        while not (barrier / "review-selected.reached").exists():
            assert bulk.poll() is None and time.monotonic() < deadline, bulk.communicate()
            time.sleep(0.01)
        other = Workspace.open(ws.path)  # another process's connection
        assert review.reject(other, ids[:4], "wrong answer").changed == 4  # acknowledged
        other.close()
    finally:
        (barrier / "review-selected.go").touch()
        out, err = bulk.communicate(timeout=60)
    assert bulk.returncode == 0, err
    import json

    result = json.loads(out)
    assert sorted(result["skipped"]) == sorted(ids[:4])
    assert result["changed"] == 36
    now = _statuses(Workspace.open(ws.path))
    assert [now[i] for i in ids[:4]] == [R.REJECTED] * 4
    assert all(now[i] == R.APPROVED for i in ids[4:])


@pytest.mark.parametrize("n", [30, 2_500])  # the per-id path and the Polars bulk path
def test_a_stale_view_skips_and_reports_records_changed_since(workspace, n):
    add_conversations(workspace, _convs(n))
    view = workspace.frame().select(R.ID, R.STATUS)  # what a window shows
    seen_seq = review.journal_seq(workspace)
    ids = view.get_column(R.ID).to_list()
    other = Workspace.open(workspace.path)
    review.reject(other, ids[:3], "off-topic")
    review.approve(other, ids[3:4])
    assert review.journal_seq(workspace) > seen_seq  # the view can tell it is stale
    delta = review.approve(workspace, ids, bulk=True, expected=dict(view.iter_rows()))
    assert sorted(delta.skipped) == sorted(ids[:4])
    assert delta.changed == n - 4
    now = _statuses(workspace)
    assert [now[i] for i in ids[:3]] == [R.REJECTED] * 3
    seen_seq = review.journal_seq(workspace)  # a view read now
    review.reset(other, ids[5:6])  # another process changes one record after it
    delta = review.reject(workspace, ids[4:], "bulk", bulk=True, since_seq=seen_seq)
    assert delta.skipped == (ids[5],)  # changed after the view's seq: left alone
    assert _statuses(workspace)[ids[5]] == R.PENDING and delta.changed == n - 5


def test_gui_bulk_approve_from_a_stale_view_keeps_the_other_process_rejection(
    qtbot, tmp_path, small_ws
):
    pytest.importorskip("pytestqt")
    from gui_helpers import close_window, make_window

    w = make_window(qtbot, tmp_path, small_ws)
    c = w.controller
    ids = c.view.get_column(R.ID).to_list()
    other = Workspace.open(small_ws.path)
    review.reject(other, ids[:2], "duplicate answer")  # while the window shows them pending
    assert not c.is_current()
    delta = c.bulk("approve", ids)
    qtbot.waitUntil(lambda: not c.pool.busy, timeout=10_000)
    assert sorted(delta.skipped) == sorted(ids[:2])
    now = _statuses(small_ws)
    assert [now[i] for i in ids[:2]] == [R.REJECTED, R.REJECTED]
    assert all(now[i] == R.APPROVED for i in ids[2:])
    qtbot.waitUntil(
        lambda: "another Curator process" in w.statusBar().currentMessage(), timeout=5_000
    )
    qtbot.waitUntil(
        lambda: c.shown_statuses(ids[:2]) == {i: R.REJECTED for i in ids[:2]}, timeout=10_000
    )
    close_window(w)


def test_gui_bulk_refreshes_first_when_another_process_reviewed_since_the_view_loaded(
    qtbot, tmp_path, small_ws, monkeypatch
):
    """A second real process rejects two pending records after the window loaded its
    view; "approve everything in Pending" then re-reads the view before it asks, so the
    confirmation counts what is pending now and says why, and the rejections stay."""
    pytest.importorskip("pytestqt")
    from gui_helpers import close_window, make_window

    from curator.gui.records import bulk

    asked: list[str] = []
    monkeypatch.setattr(bulk, "confirm", lambda parent, title, text: asked.append(text) or True)
    w = make_window(qtbot, tmp_path, small_ws)
    c = w.controller
    ids = c.view.get_column(R.ID).to_list()
    assert len(ids) == 10 and c.is_current()
    script = (
        "import sys\n"
        "from curator.core import review\n"
        "from curator.core.workspace import Workspace\n"
        "ws = Workspace.open(sys.argv[1])\n"
        "assert review.reject(ws, sys.argv[2:], 'wrong answer').changed == 2\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(small_ws.path), *ids[:2]],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert not c.is_current()
    w.bulk("approve", selection=False)
    qtbot.waitUntil(lambda: not c.pool.busy, timeout=10_000)
    assert asked and bulk.CHANGED_ELSEWHERE in asked[0] and "Approve 8 records" in asked[0]
    now = _statuses(small_ws)
    assert [now[i] for i in ids[:2]] == [R.REJECTED, R.REJECTED]
    assert all(now[i] == R.APPROVED for i in ids[2:])
    assert c.is_current() and c.counts["approved"] == 8 and c.counts["rejected"] == 2
    close_window(w)
