"""Day-one defects of the desktop app (issue 14), each pinned by a test a user would notice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gui_helpers import close_window, make_window, wait_loaded
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from curator.core import demo
from curator.core.jobs import Progress
from curator.core.workspace import Workspace
from curator.gui.pipeline.step_card import ParamEditor, StepCard
from curator.gui.session.workers import Worker, call_task
from curator.gui.widgets.job_dialog import JobDialog

pytest.importorskip("pytestqt")


def test_a_job_that_finished_before_its_dialog_showed_closes_the_dialog(qtbot, tmp_path: Path):
    w = make_window(qtbot, tmp_path)
    worker = Worker(call_task(lambda: 42))
    worker.start()
    worker.wait()  # done before the dialog exists: its signal reached nobody
    qtbot.waitUntil(lambda: worker.is_done, timeout=5_000)
    dlg = JobDialog("Building the demo workspace", worker, w)
    dlg.open()
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=5_000)
    close_window(w)


def test_closing_a_dialog_whose_job_ended_closes_it(qtbot, tmp_path: Path):
    w = make_window(qtbot, tmp_path)
    worker = Worker(call_task(lambda: None))
    dlg = JobDialog("t", worker, w)
    worker.start()
    worker.wait()
    worker.is_done = False  # as if the done signal were lost: Esc must still close it
    dlg.open()
    dlg.reject()
    assert not dlg.isVisible()
    close_window(w)


def test_open_demo_twenty_times_in_a_row_never_hangs(qtbot, tmp_path: Path, small_ws: Workspace, monkeypatch):
    """The demo already built: the job reuses it in a millisecond, before the dialog listens."""
    def reuse(path: Path | None = None, *, fresh: bool = False):
        yield Progress("demo", 1, 1, "reusing the existing demo workspace")
        return demo.DemoResult(small_ws.path, created=False, sample_data=tmp_path)

    monkeypatch.setattr(demo, "build_demo", reuse)
    w = make_window(qtbot, tmp_path)
    for i in range(20):
        assert w.stack.currentWidget() is w.start_page, i
        w.start_page.demo_button.click()
        qtbot.waitUntil(lambda: w.controller.ws is not None, timeout=10_000)
        wait_loaded(qtbot, w)
        qtbot.waitUntil(lambda: w.job_dialog is not None and not w.job_dialog.isVisible(), timeout=5_000)
        assert QApplication.activeModalWidget() is None, f"a modal dialog is left open after try {i + 1}"
        w.close_workspace()
    close_window(w)


def _type_into(qtbot, box, text: str) -> None:
    box.setFocus()
    box.selectAll()
    qtbot.keyClick(box, Qt.Key.Key_Backspace)
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def test_a_typed_similarity_threshold_sticks(qtbot):
    ed = ParamEditor("threshold", 0.8, 0.8)
    qtbot.addWidget(ed)
    ed.show()
    _type_into(qtbot, ed.widget, "0.75")
    assert ed.value() == 0.75 and ed.slider is not None and ed.slider.value() == 75
    _type_into(qtbot, ed.widget, "0.9")
    assert ed.value() == 0.9
    _type_into(qtbot, ed.widget, "0")  # a similarity of 0 is meaningless: never taken
    assert ed.value() >= 0.01


def test_a_typed_whole_number_sticks(qtbot):
    ed = ParamEditor("min_prompts", 50, 50)
    qtbot.addWidget(ed)
    ed.show()
    _type_into(qtbot, ed.widget, "1234")
    assert ed.value() == 1234


def test_an_ampersand_in_a_step_title_is_shown(qtbot):
    card = StepCard("repetition", "Repetition & truncation", "", True, {}, {}, set(), "repetition")
    qtbot.addWidget(card)
    assert card.toggle.text().replace("&&", "&") == "Repetition & truncation"
    assert "&&" in card.toggle.text()  # escaped: Qt would take a single & as a shortcut marker


def test_the_window_fits_a_1024_pixel_screen_on_every_tab(qtbot, tmp_path: Path, small_ws: Workspace):
    w = make_window(qtbot, tmp_path, small_ws)
    for i in range(w.tabs.count()):
        w.tabs.setCurrentIndex(i)
        qtbot.wait(10)
        assert w.minimumSizeHint().width() <= 1024, w.tabs.tabText(i)
        w.resize(1024, 700)
        qtbot.waitUntil(lambda: w.width() == 1024, timeout=2_000)
    close_window(w)


def test_after_an_import_the_app_says_what_is_new_and_unscored_and_offers_run(
    qtbot, tmp_path: Path, small_ws: Workspace, monkeypatch
):
    from curator.core.filters import Recipe
    from curator.core.jobs import run_job
    from curator.core.pipeline import pipeline_job

    run_job(pipeline_job(small_ws, Recipe.from_workspace(small_ws)))  # everything scored
    w = make_window(qtbot, tmp_path, small_ws)
    src = tmp_path / "more.jsonl"
    lines = [
        json.dumps({"messages": [{"role": "user", "content": f"New question {i}?"},
                                 {"role": "assistant", "content": f"New answer {i}."}]})
        for i in range(7)
    ]
    src.write_text("\n".join(lines) + "\n")
    w.import_files([src])
    dlg = w.import_dialog
    qtbot.waitUntil(lambda: dlg.import_button.isEnabled(), timeout=10_000)
    dlg.import_button.click()
    qtbot.waitUntil(lambda: dlg.unscored_label.isVisible(), timeout=20_000)
    assert "7 new records; 7 not scored yet" in dlg.unscored_label.text()
    assert dlg.run_button.isVisible()
    w.pipeline.recount_all()
    qtbot.waitUntil(lambda: "7 records not scored yet" in w.pipeline.unscored_label.text(), timeout=10_000)
    dlg.run_button.click()
    assert w.tabs.currentWidget() is w.pipeline and w.pipeline.worker is not None
    qtbot.waitUntil(lambda: w.pipeline.worker is None and not w.controller.pool.busy, timeout=60_000)
    from curator.core.pipeline_tuning import unscored

    assert unscored(small_ws) == 0
    qtbot.waitUntil(lambda: not w.pipeline.unscored_label.isVisible(), timeout=10_000)
    close_window(w)


def test_search_highlights_the_text_and_says_how_many_matched(qtbot, tmp_path: Path, small_ws: Workspace):
    from PySide6.QtGui import QColor

    from curator.gui.widgets import theme

    w = make_window(qtbot, tmp_path, small_ws)
    rt, c = w.records, w.controller
    with qtbot.waitSignal(c.viewChanged, timeout=5_000):
        rt.filter_bar.search.setText("number 3")
        rt.filter_bar._apply_search()
    assert c.view.height == 1 and rt.filter_bar.hits.text() == "1 match"
    qtbot.waitUntil(lambda: rt.pane.record is not None and "number 3" in rt.pane.record["messages"][0]["content"])
    bubble = rt.pane.bubbles[0]
    assert bubble.search_hits
    start = bubble.search_hits[0][0]
    cur = bubble.text.textCursor()
    cur.setPosition(start + 1)
    assert cur.charFormat().background().color() == QColor(theme.HIGHLIGHT_SEARCH)
    close_window(w)


def test_open_recent_about_and_remembered_window_state(qtbot, tmp_path: Path, small_ws: Workspace):
    w = make_window(qtbot, tmp_path, small_ws)
    w._fill_recent()
    assert any(small_ws.path.name in a.text() for a in w.recent_menu.actions())
    box = w.about()
    assert "Licence: Apache-2.0" in box.text() and "0.1.0" in box.text()
    box.close()
    w.resize(1100, 700)
    w.records.table.horizontalHeader().resizeSection(2, 222)
    close_window(w)
    again = make_window(qtbot, tmp_path)
    assert again.recent.store.value("window/geometry") is not None  # (offscreen: an 800-px screen)
    assert again.records.table.horizontalHeader().sectionSize(2) == 222
    close_window(again)
