"""Issue 7's "done when", end to end: fifty keyboard decisions, an edit, an undo,
quit, reopen — every decision is where the reviewer left it."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from conftest import add_conversations
from gui_helpers import close_window, make_window, wait_loaded
from PySide6.QtCore import QSettings, Qt

from curator.core import records as R
from curator.core import review
from curator.core.workspace import Workspace
from curator.gui.main_window import MainWindow
from curator.gui.start.start_page import RecentWorkspaces


def key(qtbot, w, k, mod=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(w.records.table, k, mod)


def test_fifty_keyboard_decisions_an_edit_and_an_undo_survive_quit_and_reopen(
    qtbot, tmp_path: Path, workspace: Workspace
):
    add_conversations(
        workspace,
        [
            [("user", f"Where is order {i}?"), ("assistant", f"Order {i} ships on day {i % 7}.")]
            for i in range(60)
        ],
    )
    w = make_window(qtbot, tmp_path, workspace)
    rt = w.records
    expected: dict[str, str] = {}
    for n in range(50):
        rid = rt.current_id
        assert rid is not None
        if n % 5 == 4:
            key(qtbot, w, Qt.Key.Key_3)  # reject with numbered reason 3
            expected[rid] = R.REJECTED
        else:
            key(qtbot, w, Qt.Key.Key_A)
            expected[rid] = R.APPROVED
    # a mistake: approve the 51st, then undo it
    mistake = rt.current_id
    key(qtbot, w, Qt.Key.Key_A)
    key(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert rt.current_id == mistake  # undo shows the record it touched
    # edit the record we are on
    key(qtbot, w, Qt.Key.Key_E)
    bubble = next(b for b in rt.pane.bubbles if b.editing)
    bubble.text.setPlainText("Fixed answer for this order.")
    qtbot.keyClick(bubble.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    last = rt.current_id
    close_window(w)

    reopened_ws = Workspace.open(workspace.path)
    frame = reopened_ws.frame()
    got = dict(frame.select(R.ID, R.STATUS).iter_rows())
    assert {rid: got[rid] for rid in expected} == expected
    assert got[mistake] == R.PENDING
    assert (
        review.current_messages(reopened_ws, mistake)[1]["content"]
        == "Fixed answer for this order."
    )
    assert frame.filter(pl.col(R.STATUS) != R.PENDING).height == 50

    w2 = make_window(qtbot, tmp_path / "again", reopened_ws)
    assert w2.records.current_id == last  # back on the record the reviewer was on
    assert "Approved  40" in w2.records.filter_bar.queue_buttons["approved"].text()
    assert "Rejected  10" in w2.records.filter_bar.queue_buttons["rejected"].text()
    w2.close_workspace()
    assert not w2.pipeline_action.isEnabled() and not w2.export_action.isEnabled()
    close_window(w2)


def test_many_single_record_patches_give_the_columns_a_full_rewrite_would():
    """The UI thread's one-record patch (spliced slices, rechunked now and then) leaves
    the frame exactly as setting each value from scratch would, nested columns included."""
    from curator.gui.session.patch import MAX_CHUNKS, scatter_rows

    n = 500
    df = pl.DataFrame(
        {
            R.ID: [f"r{i:04d}" for i in range(n)],
            R.STATUS: ["pending"] * n,
            R.REASON: pl.Series([None] * n, dtype=pl.String),
            "turns": pl.Series([[1, 2]] * n, dtype=pl.List(pl.Int64)),
        }
    )
    want_status, want_reason, want_turns = [*df.get_column(R.STATUS)], [None] * n, [[1, 2]] * n
    for k in range(3 * MAX_CHUNKS):
        i = (k * 37) % n
        up = pl.DataFrame(
            {
                R.ID: [f"r{i:04d}"],
                R.STATUS: ["rejected" if k % 2 else "approved"],
                R.REASON: [f"reason {k}"],
                "turns": [[k]],
            }
        )
        df = scatter_rows(df, up, pl.Series([i], dtype=pl.UInt32) if k % 3 else None)
        want_status[i], want_reason[i], want_turns[i] = up.row(0)[1:]
    assert df.get_column(R.STATUS).to_list() == want_status
    assert df.get_column(R.REASON).to_list() == want_reason
    assert df.get_column("turns").to_list() == want_turns
    assert df.height == n and max(df.get_column(c).n_chunks() for c in df.columns) <= MAX_CHUNKS + 1


def test_the_token_counter_is_ready_before_the_window_takes_input_so_opening_never_waits_for_it(
    qtbot, tmp_path: Path, workspace: Workspace
):
    """tiktoken builds its BPE holding the GIL; built in a worker mid-opening it froze the
    UI thread for 0.1-0.4 s, and the first record showed a stale (or no) token count."""
    from curator.core import tokens

    add_conversations(
        workspace, [[("user", "How long is shipping?"), ("assistant", "Three to five days.")]]
    )
    tokens._encoding.cache_clear()
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(recent=RecentWorkspaces(store))
    qtbot.addWidget(w)
    assert tokens.encoding_ready()  # built with the window, before any event is handled
    w.show()
    assert w.open_workspace(workspace.path)
    wait_loaded(qtbot, w)
    rec = w.records.pane.record
    assert rec is not None and rec["tokens"] == tokens.conversation_tokens(rec["messages"])
    close_window(w)
