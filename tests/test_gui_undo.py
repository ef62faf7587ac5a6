"""Undo/redo of a big bulk action: right statuses on screen, few model signals, live window."""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_helpers import close_window, make_window

from curator.core.workspace import Workspace
from curator.gui.session import controller as controller_module

pytest.importorskip("pytestqt")

N = 3000


def _statuses(w) -> set[str]:
    m = w.records.model
    return {m.data(m.index(r, 0)) for r in range(m.rowCount())}


@pytest.mark.parametrize("in_worker", [True, False], ids=["worker", "in-place"])
def test_undo_redo_of_a_bulk_reject(qtbot, tmp_path: Path, workspace: Workspace, monkeypatch, in_worker: bool):
    from conftest import add_conversations

    monkeypatch.setattr(controller_module, "BULK_IN_WORKER", 500 if in_worker else 10 * N)
    add_conversations(workspace, [[("user", f"Question {i}"), ("assistant", f"Answer {i}")] for i in range(N)])
    w = make_window(qtbot, tmp_path, workspace)
    c, m = w.controller, w.records.model
    with qtbot.waitSignal(c.viewChanged, timeout=10_000):
        c.set_spec(c.spec.with_(queue="all"))  # rejected rows stay in view
    qtbot.waitUntil(lambda: not c.pool.busy, timeout=10_000)
    ids = c.view.get_column("id").to_list()
    assert len(ids) == N and _statuses(w) == {"○ pending"}

    c.bulk("reject", ids, "spam")
    qtbot.waitUntil(lambda: not c.pool.busy, timeout=20_000)
    assert _statuses(w) == {"✕ rejected"} and c.counts["rejected"] == N

    changed: list[int] = []
    m.dataChanged.connect(lambda a, b, roles=(): changed.append(b.row() - a.row() + 1))
    messages: list[str] = []
    w.records.message.connect(messages.append)

    w.records.undo()
    assert c.restoring is in_worker  # a big step does not block the window
    qtbot.waitUntil(lambda: not c.pool.busy and not c.restoring, timeout=20_000)
    assert _statuses(w) == {"○ pending"} and c.counts["pending"] == N
    assert workspace.frame().get_column("status").unique().to_list() == ["pending"]
    assert len(changed) <= 1  # one ranged signal (or a model reset), not one per row
    assert messages[-1] == "Undid reject of 3,000 records"  # what was undone, not just "Undone"

    changed.clear()
    w.records.redo()
    qtbot.waitUntil(lambda: not c.pool.busy and not c.restoring, timeout=20_000)
    assert _statuses(w) == {"✕ rejected"} and c.counts["rejected"] == N
    assert workspace.frame().get_column("status").unique().to_list() == ["rejected"]
    assert len(changed) <= 1
    if not in_worker:
        assert changed == [N]  # the one signal spans every patched row
    close_window(w)
