"""Readiness dashboard: same verdict/counts/check levels as `curator report --json`, live, clickable."""
# ruff: noqa: F811  (pytest fixtures imported from gui_panels_helpers)

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from gui_helpers import close_window
from gui_panels_helpers import cli_json, demo_master, demo_ws, idle, panel_window  # noqa: F401
from PySide6.QtCharts import QAbstractBarSeries, QChartView

from curator.core import records as R
from curator.core import review
from curator.core.frame import is_flagged
from curator.core.workspace import Workspace
from curator.gui.main_window import MainWindow
from curator.gui.readiness.dashboard import VERDICT_STYLE, DashboardPanel
from curator.gui.readiness.wording import for_gui

pytest.importorskip("pytestqt")


def approve_some(ws: Workspace, n: int, rejected: int = 0) -> list[str]:
    f = ws.frame()
    ids = f.filter(~is_flagged())[R.ID].head(n).to_list()
    review.approve(ws, ids)
    if rejected:
        review.reject(ws, f.filter(is_flagged())[R.ID].head(rejected).to_list(), "flagged")
    return ids


def shown(qtbot: Any, w: MainWindow) -> DashboardPanel:
    d = w.dashboard
    w.tabs.setCurrentWidget(d)
    qtbot.waitUntil(lambda: d.computed is not None and d.worker is None, timeout=30_000)
    return d


def assert_matches_cli(d: DashboardPanel, ws: Workspace, *extra: str) -> dict[str, Any]:
    cli = cli_json("report", "-w", str(ws.path), "--json", *extra)
    assert d.computed is not None
    gui = d.computed.report.to_json()
    assert gui["verdict"] == cli["verdict"]
    assert gui["counts"] == cli["counts"]
    assert {c["id"]: c["level"] for c in gui["checks"]} == {c["id"]: c["level"] for c in cli["checks"]}
    assert gui["target"]["name"] == cli["target"]["name"]
    # and the screen says the same thing
    assert d.verdict.text() == VERDICT_STYLE[cli["verdict"]][0]
    assert d.verdict_message.text() == for_gui(cli["verdict_message"])  # same words, GUI terms
    assert d.good_card[1].text() == f"{cli['counts']['good']:,}"
    assert d.tokens_card[1].text() == f"~{cli['stats']['tokens']['total']:,}"
    levels = [d.checks.topLevelItem(i).text(0).split()[-1] for i in range(d.checks.topLevelItemCount())]
    assert levels == [c["level"] for c in cli["checks"]]
    return cli


def bar_series(view: Any) -> QAbstractBarSeries:
    assert isinstance(view, QChartView)
    series = [s for s in view.chart().series() if isinstance(s, QAbstractBarSeries)]
    return series[0]


def test_dashboard_equals_cli_report(qtbot, tmp_path: Path, demo_ws: Workspace):
    approve_some(demo_ws, 120, rejected=5)
    w = panel_window(qtbot, tmp_path, demo_ws)
    d = shown(qtbot, w)
    cli = assert_matches_cli(d, demo_ws)
    assert cli["counts"]["good"] > 0 and cli["verdict"] == "limited_data"
    assert "✓ 100" in d.good_card[2].text() and "✗ 1,000" in d.good_card[2].text()
    epochs = d.computed.report.target.estimate_epochs(cli["counts"]["good"])
    assert d.epochs_card[1].text() == str(epochs)
    assert d.train_card[1].text() == f"~{epochs * cli['stats']['tokens']['total']:,}"
    # other selection and target: both faces agree again
    d.include.setCurrentIndex(d.include.findData("passing"))
    d.target.setCurrentIndex(d.target.findData("open-source"))
    qtbot.waitUntil(lambda: d.computed.report.include == "passing"
                    and d.computed.report.target.name.startswith("open-source") and d.worker is None,
                    timeout=30_000)
    assert_matches_cli(d, demo_ws, "--include", "passing", "--target", "open-source")
    idle(qtbot, w)
    close_window(w)


def test_dashboard_follows_reviews(qtbot, tmp_path: Path, demo_ws: Workspace):
    approve_some(demo_ws, 5)
    w = panel_window(qtbot, tmp_path, demo_ws)
    d = shown(qtbot, w)
    assert d.computed.report.counts["good"] == 5
    assert d.verdict.text() == "Not ready"
    more = demo_ws.frame().filter(~is_flagged() & (pl.col(R.STATUS) == R.PENDING))[R.ID].head(20).to_list()
    old = d.computed
    w.controller.approve(more)  # what the Records tab does on "A"
    assert d.computed is old  # the last report stays up while the new one is computed
    qtbot.waitUntil(lambda: d.computed is not old and d.worker is None, timeout=30_000)
    assert d.computed.report.counts["good"] == 25
    assert_matches_cli(d, demo_ws)
    idle(qtbot, w)
    close_window(w)


def test_clicks_open_the_records_behind_a_number(qtbot, tmp_path: Path, demo_ws: Workspace):
    approved = approve_some(demo_ws, 60, rejected=3)
    w = panel_window(qtbot, tmp_path, demo_ws)
    d = shown(qtbot, w)
    c = w.controller
    # status bar "approved" -> the approved queue
    status = bar_series(d.grid.itemAtPosition(0, 0).widget())
    status.barSets()[0].clicked.emit(1)
    assert w.tabs.currentWidget() is w.records and c.spec.queue == R.APPROVED
    w.tabs.setCurrentWidget(d)
    # a flag bar -> that flag
    flags_chart = bar_series(d.grid.itemAtPosition(1, 1).widget())
    top_flag = next(iter(d.computed.report.stats["by_flag"]))
    for s in flags_chart.barSets():
        s.clicked.emit(0)
    assert c.spec.flag == top_flag and c.spec.queue == "all"
    # a histogram bin -> exactly the good examples whose token count falls in it
    hist = d.computed.report.stats["tokens"]["histogram"]
    i = max(range(len(hist["counts"])), key=lambda k: hist["counts"][k])
    assert d.open_bin(i)
    assert len(c.spec.ids) == hist["counts"][i] and set(c.spec.ids) <= set(approved)
    # a check with record ids behind it, and one with only a query
    rep = d.computed.report
    with_ids = next(ch.id for ch in rep.checks if rep.record_ids(ch.id).len())
    item = next(d.checks.topLevelItem(k) for k in range(d.checks.topLevelItemCount())
                if d.checks.topLevelItem(k).data(1, 256) == with_ids)
    d.checks.itemClicked.emit(item, 1)
    assert list(c.spec.ids) == rep.record_ids(with_ids).to_list()
    assert d.open_check("exact_dups") and c.spec.flag == "exact_duplicate"
    idle(qtbot, w)
    close_window(w)


def test_empty_states_say_what_is_missing(qtbot, tmp_path: Path, small_ws: Workspace):
    w = panel_window(qtbot, tmp_path, small_ws)
    d = shown(qtbot, w)
    assert d.verdict.text() == "Not ready"
    texts = []
    for k in range(d.grid.count()):
        wid = d.grid.itemAt(k).widget()
        if hasattr(wid, "text"):
            texts.append(wid.text())
    assert any("No good examples yet" in t for t in texts)
    assert any("run the pipeline" in t for t in texts)
    assert_matches_cli(d, small_ws)
    idle(qtbot, w)
    close_window(w)
