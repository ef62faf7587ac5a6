"""The import dialog: detected format, live preview, mapping errors, quarantine summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gui_helpers import close_window, make_window

from curator.core.workspace import Workspace
from curator.gui.import_.import_dialog import ImportDialog

pytest.importorskip("pytestqt")


def _good(i: int) -> str:
    return json.dumps({"messages": [{"role": "user", "content": f"Hi {i}"}, {"role": "assistant", "content": f"Hello {i}"}]})


def test_broken_file_imports_good_lines_and_shows_quarantined_ones(qtbot, tmp_path: Path, workspace: Workspace):
    src = tmp_path / "chats.jsonl"
    src.write_text("\n".join([_good(1), "{not json at all", _good(3), '{"messages": "oops"}', _good(5)]) + "\n")
    w = make_window(qtbot, tmp_path)
    w.open_workspace(workspace.path)
    qtbot.waitUntil(lambda: w.controller.loaded)
    w.import_files([src])
    dlg: ImportDialog = w.import_dialog
    qtbot.waitUntil(lambda: dlg.last_preview is not None)
    assert dlg.detected.text() == "detected: openai"
    assert dlg.preview_table.rowCount() == 6  # 3 conversations x 2 messages, as they will be imported
    assert dlg.preview_table.item(0, 2).text() == "Hi 1"
    table = [[dlg.preview_table.item(r, c).text() for c in range(3)] for r in range(6)]
    locators = dlg.last_preview.records.get_column("locator").to_list()
    assert [row[0] for row in table] == [locators[0], "", locators[1], "", locators[2], ""]
    assert [row[1:] for row in table[:2]] == [["user", "Hi 1"], ["assistant", "Hello 1"]]
    assert "quarantined" in dlg.preview_quarantine.text()
    with qtbot.waitSignal(w.controller.frameChanged, timeout=10_000):
        dlg.import_button.click()
    assert dlg.pages.currentIndex() == 2
    assert dlg.summary_title.text().startswith("Imported 3 conversations, 2 line(s) quarantined")
    q = dlg.quarantine_table
    assert q.rowCount() == 2
    assert [q.item(r, 1).text() for r in range(2)] == ["2", "4"]
    assert all(q.item(r, 3).text() for r in range(2))  # each with its reason
    assert w.controller.counts["all"] == 3
    assert workspace.quarantine().height == 2
    dlg.done_button.click()
    close_window(w)


def test_csv_mapping_errors_are_clear_and_role_map_updates_preview(qtbot, tmp_path: Path, workspace: Workspace):
    src = tmp_path / "calls.csv"
    src.write_text("conversation_id,speaker,text\n1,Caller,Router broken\n1,Tech,Restart it\n2,Caller,Bill wrong\n2,Tech,Checking\n")
    w = make_window(qtbot, tmp_path)
    w.open_workspace(workspace.path)
    qtbot.waitUntil(lambda: w.controller.loaded)
    w.import_files([src])
    dlg: ImportDialog = w.import_dialog
    qtbot.waitUntil(lambda: dlg.last_preview is not None)
    assert "unknown speaker" in dlg.error.text() and "Tech" in dlg.error.text()
    assert dlg.speakers.text() == "Speakers found: Caller, Tech"
    assert not dlg.import_button.isEnabled()
    assert dlg.preview_table.rowCount() == 0
    first = dlg.last_preview
    qtbot.keyClicks(dlg.role_map, "Tech=assistant")  # live, debounced preview
    qtbot.waitUntil(lambda: dlg.last_preview is not first and dlg.preview_table.rowCount() == 4, timeout=5000)
    assert dlg.error.text() == ""
    assert [dlg.preview_table.item(r, 1).text() for r in range(4)] == ["user", "assistant", "user", "assistant"]
    dlg.text_column.setEditText("body")
    qtbot.waitUntil(lambda: "no column 'body'" in dlg.error.text(), timeout=5000)
    dlg.text_column.setEditText("")
    qtbot.waitUntil(lambda: dlg.import_button.isEnabled(), timeout=5000)
    with qtbot.waitSignal(w.controller.frameChanged, timeout=10_000):
        dlg.import_button.click()
    assert w.controller.counts["all"] == 2
    dlg.done_button.click()
    close_window(w)


def test_an_import_started_before_the_later_pages_were_built_shows_its_progress_and_summary(
    qtbot, tmp_path: Path, workspace: Workspace
):
    """The progress and summary pages are built in the turns after the dialog opens; an
    import started and finished before then (no event-loop turn between) still shows
    them, in order, with the summary of what was imported."""

    src = tmp_path / "chats.jsonl"
    src.write_text("\n".join(_good(i) for i in range(4)) + "\n")
    w = make_window(qtbot, tmp_path)
    w.open_workspace(workspace.path)
    qtbot.waitUntil(lambda: w.controller.loaded and not w.controller.pool.busy)
    dlg = ImportDialog(w.controller, [src], w)
    assert dlg.pages.count() == 1  # only the setup page so far
    dlg.start_import()  # no turn in between: the worker has not run yet
    assert dlg.pages.count() == 3 and dlg.pages.currentIndex() == 1
    assert dlg.pages.currentWidget() is dlg.progress_panel
    qtbot.waitUntil(lambda: dlg.summary is not None, timeout=10_000)
    assert dlg.pages.currentIndex() == 2
    assert dlg.summary_title.text() == "Imported 4 conversations"
    assert dlg.files_table.item(0, 2).text() == "4"
    qtbot.waitUntil(lambda: not w.controller.pool.busy, timeout=10_000)
    dlg2 = ImportDialog(w.controller, [], w)
    summary = dlg.summary
    dlg2._finished(summary)  # a result before any turn: the summary page is built for it
    assert dlg2.pages.currentIndex() == 2 and dlg2.summary_title.text() == "Imported 4 conversations"
    qtbot.waitUntil(lambda: not w.controller.pool.busy, timeout=10_000)
    dlg.close()
    dlg2.close()
    close_window(w)
