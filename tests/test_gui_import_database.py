"""The import dialog's "Database…" source: same preview, mapping and import as files."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from gui_helpers import close_window, make_window

from curator.core.workspace import Workspace
from curator.gui.import_.database_source import DatabaseSourceDialog
from curator.gui.import_.import_dialog import ImportDialog
from tests.helpdesk_seed import seed_sqlite

pytest.importorskip("pytestqt")


def test_database_source_previews_maps_and_imports(
    qtbot: Any, tmp_path: Path, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "helpdesk.db"
    seed_sqlite(db)
    con = sqlite3.connect(db)
    con.execute(
        "INSERT INTO messages VALUES (11, 104, 'supervisor', 'Closing this.', '2026-11-02 09:20:00')"
    )
    con.commit()
    con.close()

    def answer(self: DatabaseSourceDialog) -> bool:  # the user fills the form and presses OK
        self.url.setText(f"sqlite:///{db}")
        self.table.setText("messages")
        self.accept()
        return self.source is not None

    monkeypatch.setattr(DatabaseSourceDialog, "exec", answer)
    w = make_window(qtbot, tmp_path)
    w.open_workspace(workspace.path)
    qtbot.waitUntil(lambda: w.controller.loaded)
    w.import_database()
    dlg: ImportDialog = w.import_dialog
    qtbot.waitUntil(lambda: dlg.last_preview is not None)
    assert dlg.files_label.text() == f"Database: sqlite:///{db} messages"
    assert "unknown speaker" in dlg.error.text() and "supervisor" in dlg.error.text()
    assert not dlg.import_button.isEnabled()
    assert dlg.speakers.text() == "Speakers found: agent, customer, supervisor"
    dlg.role_map.setText("supervisor=assistant")
    dlg.time_column.setEditText("created_at")
    qtbot.waitUntil(lambda: dlg.import_button.isEnabled() and dlg.preview_table.rowCount() > 0)
    assert dlg.preview_table.item(0, 2).text() == "My order #4411 has not arrived yet."
    with qtbot.waitSignal(w.controller.frameChanged, timeout=10_000):
        dlg.import_button.click()
    assert dlg.summary_title.text().startswith("Imported 4 conversations")
    assert w.controller.counts["all"] == 4
    dlg.done_button.click()
    close_window(w)


def test_database_form_says_what_is_missing(qtbot: Any) -> None:
    ask = DatabaseSourceDialog()
    qtbot.addWidget(ask)
    ask.url.setText("sqlite:///x.db")
    ask.accept()
    assert ask.source is None and "--query SQL or --table T" in ask.error.text()
