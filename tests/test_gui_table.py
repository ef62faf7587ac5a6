"""Records table, filters, bulk actions, start page and the platform check."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from conftest import add_conversations
from gui_helpers import close_window, make_window
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from curator.core import records as R
from curator.core.workspace import Workspace
from curator.gui import app as gui_app
from curator.gui.records import bulk
from curator.gui.records.records_model import BLOCK
from curator.gui.session import controller as controller_module
from curator.gui.session import display as D

pytest.importorskip("pytestqt")


@pytest.fixture
def flagged_ws(workspace: Workspace) -> Workspace:
    convs = [[("user", f"Where is order {i}?"), ("assistant", f"Order {i} ships today.")] for i in range(450)]
    convs[7] = [("user", "My email is jo@example.com, refund me"), ("assistant", "Done.")]
    df = add_conversations(workspace, convs)
    ids = df.get_column(R.ID).to_list()
    workspace.write_flags(
        "filters",
        pl.DataFrame({R.ID: [ids[7], ids[9]], "name": ["pii.email", "length.short"],
                      "reason": ["email address in turn 0", "12 tokens < 20"], "severity": ["block", "warn"]}),
    )
    workspace.write_result("clusters", pl.DataFrame(
        {R.ID: [ids[1], ids[2]], R.CLUSTER_ID: ["c1", "c1"], R.DUPLICATE_OF: [None, ids[1]],
         R.SIMILARITY: [None, 0.93], "kind": ["near", "near"]},
        schema=R.CLUSTERS_SCHEMA))
    workspace.write_result("scores_language", pl.DataFrame({R.ID: ids, "language": ["en"] * 449 + ["de"]}))
    workspace.write_result("scores_length", pl.DataFrame({R.ID: ids, "tokens": list(range(450))}))
    workspace.write_result("pii_findings", pl.DataFrame(
        {R.ID: [ids[7]], "turn": [0], "start": [12], "end": [26], "name": ["email"], "text": ["jo@example.com"]}))
    return workspace


def test_model_fetches_blocks_lazily(qtbot, tmp_path: Path, flagged_ws: Workspace):
    w = make_window(qtbot, tmp_path, flagged_ws)
    m = w.records.model
    assert m.rowCount() == 450
    before = m.block_fetches
    assert set(m._blocks) <= {0, 1}  # only the painted block(s) were made Python values
    assert m.data(m.index(449, 2)) == w.controller.view.get_column(R.ID)[449]
    assert m.block_fetches == before + 1
    assert len(m._blocks[449 // BLOCK]) == 450 - 2 * BLOCK
    assert w.records.table.verticalHeader().sectionResizeMode(0).name == "Fixed"
    close_window(w)


def test_flags_language_tokens_duplicates_and_pii_are_shown(qtbot, tmp_path: Path, flagged_ws: Workspace):
    w = make_window(qtbot, tmp_path, flagged_ws)
    rt, c = w.records, w.controller
    assert "Flagged  2" in rt.filter_bar.queue_buttons["flagged"].text()
    assert "Duplicates  1" in rt.filter_bar.queue_buttons["duplicates"].text()
    with qtbot.waitSignal(c.viewChanged):
        rt.filter_bar.queue_buttons["flagged"].click()
    assert c.view.height == 2
    m = rt.model
    assert m.data(m.index(0, 1)) in ("⚑ pii.email", "⊘ pii.email")  # second column: seen at any width
    assert m.data(m.index(0, 7)) == "en" and m.data(m.index(0, 8)) == "7"
    qtbot.waitUntil(lambda: rt.pane.record is not None and rt.pane.record[R.ID] == c.view_id(0))
    texts = [rt.pane.info.itemAt(i).widget().text() for i in range(rt.pane.info.count()) if rt.pane.info.itemAt(i).widget()]
    assert any("pii.email" in t and "email address in turn 0" in t for t in texts)
    doc = rt.pane.bubbles[0].text.document()
    block = doc.firstBlock()
    highlighted = "".join(
        f.fragment().text() for f in _fragments(block) if f.fragment().charFormat().background().style() != Qt.BrushStyle.NoBrush
    )
    assert highlighted == "jo@example.com"
    # duplicate: keeper is one click away
    with qtbot.waitSignal(c.viewChanged):
        rt.filter_bar.queue_buttons["duplicates"].click()
    qtbot.waitUntil(lambda: rt.pane.record is not None and rt.pane.record.get(R.DUPLICATE_OF) is not None)
    keeper = rt.pane.record[R.DUPLICATE_OF]
    rt.pane.keeper_button.click()
    qtbot.waitUntil(lambda: rt.current_id == keeper)
    # language and text filters
    with qtbot.waitSignal(c.viewChanged):
        c.show_records(status="all", language="de")
    assert c.view.height == 1 and rt.filter_bar.language.currentData() == "de"
    with qtbot.waitSignal(c.viewChanged, timeout=3000):
        rt.filter_bar.queue_buttons["all"].click()
    rt.filter_bar.language.setCurrentIndex(0)
    qtbot.waitUntil(lambda: c.view.height == 450)
    with qtbot.waitSignal(c.viewChanged, timeout=3000):
        qtbot.keyClicks(rt.filter_bar.search, "order 44")  # debounced: one view build at the end
    assert set(c.view.get_column(D.FIRST_USER).to_list()) == {
        "Where is order 44?", *[f"Where is order {i}?" for i in range(440, 450)]}
    close_window(w)


def _fragments(block):
    it = block.begin()
    while not it.atEnd():
        yield it
        it += 1


def test_sort_by_tokens_descending(qtbot, tmp_path: Path, flagged_ws: Workspace):
    w = make_window(qtbot, tmp_path, flagged_ws)
    with qtbot.waitSignal(w.controller.viewChanged):
        w.records.table.sortByColumn(8, Qt.SortOrder.DescendingOrder)
    m = w.records.model
    assert [m.data(m.index(r, 8)) for r in range(3)] == ["449", "448", "447"]
    close_window(w)


def test_bulk_approve_of_the_filter_asks_with_the_count(qtbot, tmp_path: Path, flagged_ws: Workspace, monkeypatch):
    asked: list[str] = []
    monkeypatch.setattr(bulk, "confirm", lambda parent, title, text: asked.append(text) or True)
    monkeypatch.setattr(controller_module, "BULK_IN_WORKER", 100)
    w = make_window(qtbot, tmp_path, flagged_ws)
    c = w.controller
    with qtbot.waitSignal(c.frameChanged, timeout=10_000):  # 450 ids > BULK_IN_WORKER: worker + refresh
        w.bulk("approve", selection=False)
    assert asked and "Approve 450 records" in asked[0]
    qtbot.waitUntil(lambda: not c.pool.busy)
    assert flagged_ws.frame().get_column(R.STATUS).unique().to_list() == [R.APPROVED]
    assert c.counts["approved"] == 450 and c.view.height == 0
    assert "No records in Pending" in w.records.empty.text()
    w.records.undo()  # one undo step undoes the whole batch (450 > BULK_IN_WORKER: in a worker)
    qtbot.waitUntil(lambda: not c.pool.busy and not c.restoring, timeout=10_000)
    assert flagged_ws.frame().get_column(R.STATUS).unique().to_list() == [R.PENDING]
    close_window(w)


def test_bulk_reject_of_selection_declined_changes_nothing(qtbot, tmp_path: Path, flagged_ws: Workspace, monkeypatch):
    answers = iter([False, True])
    asked: list[str] = []
    monkeypatch.setattr(bulk, "confirm", lambda parent, title, text: asked.append(text) or next(answers))
    monkeypatch.setattr(bulk, "ask_reason", lambda parent, choices, count: "spam")
    w = make_window(qtbot, tmp_path, flagged_ws)
    rt = w.records
    rt.table.selectRow(0)
    qtbot.keyClick(rt.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(rt.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    chosen = rt.selected_ids()
    assert len(chosen) == 3
    w.bulk("reject", selection=True)
    assert "Reject 3 records" in asked[0]
    assert flagged_ws.frame().filter(pl.col(R.STATUS) == R.REJECTED).height == 0
    with qtbot.waitSignal(w.controller.viewChanged):
        w.bulk("reject", selection=True)
    rej = flagged_ws.frame().filter(pl.col(R.STATUS) == R.REJECTED)
    assert sorted(rej.get_column(R.ID).to_list()) == sorted(chosen)
    assert set(rej.get_column(R.REASON).to_list()) == {"spam"}
    assert "Rejected  3" in rt.filter_bar.queue_buttons["rejected"].text()
    close_window(w)


def test_help_overlay_toggles_with_question_mark(qtbot, tmp_path: Path, small_ws: Workspace):
    w = make_window(qtbot, tmp_path, small_ws)
    assert not w.help.isVisible()
    qtbot.keyClick(w.records.table, Qt.Key.Key_F1)
    assert w.help.isVisible()
    rid = w.records.current_id
    qtbot.keyClick(w.help, Qt.Key.Key_A)  # closes the overlay, approves nothing
    assert not w.help.isVisible()
    assert w.records.current_id == rid and small_ws.frame().get_column(R.STATUS).unique().to_list() == [R.PENDING]
    qtbot.keyClick(w.records.table, Qt.Key.Key_F1)
    qtbot.keyClick(w.help, Qt.Key.Key_Escape)
    assert not w.help.isVisible()
    close_window(w)


def test_start_page_lists_recent_workspaces(qtbot, tmp_path: Path, small_ws: Workspace):
    w = make_window(qtbot, tmp_path)
    assert w.stack.currentWidget() is w.start_page
    assert w.start_page.empty.isVisible()
    assert w.open_workspace(small_ws.path)
    qtbot.waitUntil(lambda: w.controller.loaded)
    w.close_workspace()
    assert w.windowTitle() == "Curator"
    assert w.start_page.list.count() == 1
    item = w.start_page.list.item(0)
    assert item.data(Qt.ItemDataRole.UserRole) == str(small_ws.path)
    labels = [lab.text() for lab in w.start_page.list.itemWidget(item).findChildren(QLabel)]
    assert labels[0] == small_ws.name and labels[1].startswith("10 conversations")
    w.start_page.list.itemActivated.emit(item)
    qtbot.waitUntil(lambda: w.controller.loaded and w.records.pane.record is not None)
    assert w.windowTitle() == f"Curator — {small_ws.name}"
    # the window builds its tabs itself: both actions work once a workspace is open
    assert w.pipeline_action.isEnabled() and w.pipeline_action.toolTip()
    assert w.export_action.isEnabled() and w.export_action.toolTip()
    close_window(w)


def test_empty_workspace_says_how_to_import(qtbot, tmp_path: Path, workspace: Workspace):
    w = make_window(qtbot, tmp_path)
    w.open_workspace(workspace.path)
    qtbot.waitUntil(lambda: w.controller.loaded)
    assert w.records.body.currentIndex() == 1  # the empty-workspace page with its Import button
    assert "no records yet" in w.records.empty.text()
    close_window(w)


def test_platform_check_names_missing_debian_packages(monkeypatch):
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(gui_app, "_ldconfig_libs", lambda: {"libxcb-shape.so.0", "libxcb-icccm.so.4"})
    problem = gui_app.platform_problem()
    assert problem is not None
    assert "apt-get install libxcb-cursor0 libxcb-keysyms1" in problem
    assert "libxcb-shape0" not in problem
    monkeypatch.setattr(gui_app, "_ldconfig_libs", lambda: set(gui_app.XCB_PACKAGES.values()))
    assert gui_app.platform_problem() is None
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setattr(gui_app, "_ldconfig_libs", lambda: set())
    assert gui_app.platform_problem() is None


def test_curator_gui_rejects_a_folder_that_is_not_a_workspace(tmp_path: Path, capsys):
    from curator.cli.main import main

    assert main(["gui", str(tmp_path / "nope")]) == 1
    assert "not a Curator workspace" in capsys.readouterr().err


def test_dropping_files_opens_the_import_dialog(qtbot, tmp_path: Path, small_ws: Workspace):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    src = tmp_path / "more.jsonl"
    src.write_text('{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}\n')
    w = make_window(qtbot, tmp_path, small_ws)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(src))])
    ev = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    w.dropEvent(ev)
    dlg = w.import_dialog
    assert dlg is not None and dlg.sources == [src]
    qtbot.waitUntil(lambda: dlg.last_preview is not None)
    dlg.reject()
    close_window(w)


def test_run_job_shows_progress_and_cancel_stops_the_job(qtbot, tmp_path: Path, small_ws: Workspace):
    from curator.core.jobs import Progress

    steps: list[int] = []

    def endless():
        n = 0
        while True:
            n += 1
            steps.append(n)
            yield Progress("counting", n, None, f"step {n}")

    w = make_window(qtbot, tmp_path, small_ws)
    w.controller.run_job(endless, "Endless job")
    dlg = w.job_dialog
    assert dlg is not None and dlg.isVisible()
    qtbot.waitUntil(lambda: dlg.detail.text().startswith("counting:"), timeout=5000)
    with qtbot.waitSignal(dlg.worker.cancelled, timeout=5000):
        dlg.cancel_button.click()
    qtbot.waitUntil(lambda: not w.controller.pool.busy, timeout=5000)
    assert steps  # it ran, and its thread has ended: the generator was closed at a yield
    close_window(w)


def test_block_columns_match_the_frame_wide_columns(workspace: Workspace):
    """The UI thread's per-block twin gives the same one-liners as the Polars version."""
    from curator.gui.session import frame_state

    convs = [
        [("system", "Be brief."), ("user", "  line one\nline two\r\n" + "x" * 300), ("assistant", "ok\n")],
        [("assistant", "Welcome!")],
        [("user", "")],
        [("user", "Hi 👋 <b>there</b>"), ("assistant", "Hello\tagain")],
    ]
    df = add_conversations(workspace, convs)
    ids = df.get_column(R.ID).to_list()
    workspace.write_flags("filters", pl.DataFrame(
        {R.ID: [ids[0], ids[0], ids[0]], "name": ["pii.email", "length.long", "pii.email"],
         "reason": ["a", "b", "c"], "severity": ["warn", "warn", "warn"]}))
    workspace.write_result("scores_language", pl.DataFrame({R.ID: ids[1:], "language": ["en", "de", "fr"]}))
    loaded = frame_state.load(workspace, D.ViewSpec(queue="all"))
    wide = D.lazy_columns(loaded.frame, loaded.scores)
    rows = [3, 0, 1, 2]
    block = frame_state.block_columns(loaded.frame, loaded.scores, rows)
    for col in D.LAZY_COLUMNS:
        assert block[col] == [wide.get_column(col)[r] for r in rows], col
    assert block[D.FLAG_NAMES][1] == "⚑ pii.email, length.long"  # warnings only: the warning marker
    assert block[D.FIRST_USER][1].startswith("line one line two")


def test_head_preview_is_the_first_page_and_decisions_wait_for_the_full_load(qtbot, tmp_path: Path, flagged_ws: Workspace):
    from curator.gui.session import frame_state

    head = frame_state.load_head(flagged_ws, D.ViewSpec(queue="pending"), n=50)
    assert head is not None and head.frame.height == 50 and head.view.height == 50
    full = frame_state.load(flagged_ws, D.ViewSpec(queue="pending"))
    assert head.view.get_column(R.ID).to_list() == full.view.get_column(R.ID).head(50).to_list()
    assert set(D.LAZY_COLUMNS) <= set(head.view.columns)
    w = make_window(qtbot, tmp_path, flagged_ws)
    c = w.controller
    c.loaded = False  # as while the full frame is still being read
    rid = w.records.current_id
    qtbot.keyClick(w.records.table, Qt.Key.Key_A)
    assert flagged_ws.frame().get_column(R.STATUS).unique().to_list() == [R.PENDING]
    assert w.records.current_id == rid
    c.loaded = True
    close_window(w)


def test_contact_details_are_marked_as_info_not_as_a_warning() -> None:
    from curator.core import records as R
    from curator.gui.session import display as D

    assert D.flag_mark([R.INFO]) == D.INFO_MARK
    assert D.flag_mark([R.INFO, R.WARN]) == D.WARN_MARK
    assert D.flag_mark([R.INFO, R.BLOCK]) == D.BLOCK_MARK
    assert D.flag_mark([]) == ""
    flags = [
        [{"name": "contact.phone", "reason": "r", "severity": R.INFO}],
        [{"name": "contact.phone", "reason": "r", "severity": R.INFO}, {"name": "pii.name", "reason": "r", "severity": R.WARN}],
        [],
    ]
    df = pl.DataFrame({R.FLAGS: flags}, schema={R.FLAGS: R.FLAGS_DTYPE_LIST})
    shown = df.select(D._flag_names(df).alias("f")).get_column("f").to_list()
    assert shown == ["ⓘ contact.phone", "⚑ contact.phone, pii.name", ""]


def test_a_reread_hands_the_table_its_first_blocks_built_in_the_worker(
    qtbot, tmp_path: Path, flagged_ws: Workspace, monkeypatch
):
    """The re-read's worker builds the view's first block and the on-screen record's
    block (messages to first lines): the UI thread paints them without building them,
    and they are exactly what the table would have built itself."""
    from curator.gui.records.records_model import fetch_block

    w = make_window(qtbot, tmp_path, flagged_ws)
    c, m = w.controller, w.records.model
    w.records.select_row(300)
    qtbot.waitUntil(lambda: w.records.current_id == c.view_id(300))
    rid = c.view_id(300)
    seen: dict[str, object] = {}

    def on_view() -> None:  # connected after the model's reset: what it was handed
        if "blocks" not in seen:
            seen.update(blocks={b: list(rows) for b, rows in m._blocks.items()}, view=c.view,
                        row=c.view_row_of(rid), enriched=c.enriched)

    built: list[tuple[object, int]] = []  # (view, block) of every block the UI thread built
    fetch = m._fetch
    monkeypatch.setattr(m, "_fetch", lambda b: built.append((c.view, b)) or fetch(b))
    c.viewChanged.connect(on_view)
    c.refresh()
    qtbot.waitUntil(lambda: "blocks" in seen and not c.pool.busy, timeout=10_000)
    assert seen["enriched"] is False  # the full frame before its text columns: built from messages
    blocks = seen["blocks"]
    assert set(blocks) == {0, 300 // BLOCK}
    assert not [b for v, b in built if v is seen["view"]]  # none built on the UI thread
    view, frame, scores = c.view, c.frame, c.scores
    for b, rows in blocks.items():
        assert rows == fetch_block(view, frame, scores, b)
    assert blocks[1][300 - BLOCK][0][2] == rid  # the id column of the record on screen
    assert seen["row"] == 300
    assert w.records.current_id == rid
    close_window(w)


def test_a_refilter_hands_the_table_its_first_blocks_and_the_records_row(
    qtbot, tmp_path: Path, flagged_ws: Workspace, monkeypatch
):
    """A new filter (or a bulk step's re-filter) is built in a worker, which also finds the
    record on screen in the new view and builds its block and row 0's: the UI thread
    paints them without building them, and they are what the table would have built."""
    from curator.gui.records.records_model import fetch_block

    w = make_window(qtbot, tmp_path, flagged_ws)
    c, m = w.controller, w.records.model
    qtbot.waitUntil(lambda: c.enriched and not c.pool.busy, timeout=10_000)
    w.records.select_row(100)
    qtbot.waitUntil(lambda: w.records.current_id == c.view_id(100))
    rid = c.view_id(100)
    seen: dict[str, object] = {}

    def on_view() -> None:  # connected after the model's reset: what it was handed
        if "blocks" not in seen:
            seen.update(blocks={b: list(rows) for b, rows in m._blocks.items()}, view=c.view)

    built: list[tuple[object, int]] = []  # (view, block) of every block the UI thread built
    fetch = m._fetch
    monkeypatch.setattr(m, "_fetch", lambda b: built.append((c.view, b)) or fetch(b))
    scans: list[str] = []  # ids the UI thread looked for in a view by scanning it
    positions = controller_module.positions
    monkeypatch.setattr(
        controller_module, "positions", lambda df, ids: scans.extend(ids) or positions(df, ids)
    )
    c.viewChanged.connect(on_view)
    c.set_spec(c.spec.with_(queue="all", sort_column=D.TOKENS, descending=True))
    qtbot.waitUntil(lambda: "blocks" in seen and not c.pool.busy, timeout=10_000)
    row = 449 - int(c.frame.filter(pl.col(R.ID) == rid).get_column(D.TOKENS)[0])
    assert c.view_id(row) == rid and row // BLOCK == 1  # sorted by tokens, descending: it moved
    blocks = seen["blocks"]
    assert set(blocks) == {0, 1}
    assert not [b for v, b in built if v is seen["view"]]  # none built on the UI thread
    assert rid not in scans  # its new row came with the view
    for b, rows in blocks.items():
        assert rows == fetch_block(c.view, c.frame, c.scores, b)
    assert w.records.current_id == rid and w.records.current_row() == row
    close_window(w)


def test_the_first_page_shows_the_record_as_the_full_read_will(flagged_ws: Workspace):
    """The head read while a big workspace loads has every record column (a chat
    workspace's absent pair columns as nulls), so the record on screen is the one the
    full read gives and is not painted again when that lands."""
    from curator.core.detail import record_detail
    from curator.gui.session import frame_state

    head = frame_state.load_head(flagged_ws, D.ViewSpec(queue="all"), n=50)
    assert head is not None and head.snapshot is not None
    full = flagged_ws.records()
    assert head.snapshot.schema == full.schema
    rid = head.frame.get_column(R.ID)[7]
    from_head = record_detail(flagged_ws, rid, history=False, at=7, count_tokens=False, snapshot=head.snapshot)
    from_full = record_detail(flagged_ws, rid, history=False, at=7, count_tokens=False, snapshot=full)
    assert from_head == from_full


def test_a_bulk_step_and_its_undo_repaint_the_table_from_blocks_built_in_workers(
    qtbot, tmp_path: Path, flagged_ws: Workspace, monkeypatch
):
    """A bulk step (and its undo) big enough for a worker is patched in one, which also
    builds the patched page's blocks; the re-filter after it hands its own: the table
    repaints the record's page without converting a block on the UI thread, and shows
    what it would have built itself."""
    from curator.gui.records.records_model import fetch_block

    monkeypatch.setattr(controller_module, "BULK_IN_WORKER", 20)
    w = make_window(qtbot, tmp_path, flagged_ws)
    c, m = w.controller, w.records.model
    qtbot.waitUntil(lambda: c.enriched and not c.pool.busy, timeout=10_000)
    w.records.select_row(300)
    qtbot.waitUntil(lambda: w.records.current_id == c.view_id(300))
    rid = c.view_id(300)
    w.records.table.viewport().repaint()  # the scroll's own page, built before the step
    built: list[int] = []
    fetch = m._fetch
    monkeypatch.setattr(m, "_fetch", lambda b: built.append(b) or fetch(b))
    ids = c.view.get_column(R.ID).head(100).to_list()
    c.bulk("approve", ids)
    qtbot.waitUntil(lambda: not c.pool.busy and c.counts[R.APPROVED] == 100, timeout=10_000)
    w.records.table.viewport().repaint()
    assert c.view_id(200) == rid and w.records.current_row() == 200  # 100 left the queue
    assert built == []
    for b, rows in m._blocks.items():
        assert rows == fetch_block(c.view, c.frame, c.scores, b)
    w.records.undo()
    qtbot.waitUntil(lambda: not c.restoring and not c.pool.busy and c.counts[R.APPROVED] == 0, timeout=10_000)
    w.records.table.viewport().repaint()
    assert c.view_id(300) == rid and w.records.current_row() == 300
    assert built == []
    for b, rows in m._blocks.items():
        assert rows == fetch_block(c.view, c.frame, c.scores, b)
    close_window(w)
