"""The Readiness tab speaks GUI, charts what matters, keeps its shape (issue 14, defect 9)."""
# ruff: noqa: F811  (pytest fixtures imported from gui_panels_helpers)

from __future__ import annotations

from pathlib import Path

import pytest
from gui_helpers import close_window
from gui_panels_helpers import demo_master, demo_ws, panel_window  # noqa: F401
from PySide6.QtWidgets import QScrollArea

from curator.core import records as R
from curator.core import review
from curator.core.frame import is_flagged
from curator.core.readiness.report import build_report
from curator.gui.readiness.dashboard import slot_height
from curator.gui.readiness.wording import for_gui, top_flags

pytest.importorskip("pytestqt")


def test_next_steps_and_messages_name_no_cli_command(demo_ws):
    texts = []
    for include in ("approved", "passing"):
        rep = build_report(demo_ws, include=include)  # type: ignore[arg-type]
        texts += [*rep.next_steps, rep.population, rep.verdict_message]
        texts += [c.message for c in rep.checks] + [c.next_step for c in rep.checks]
    assert any("`curator" in t for t in texts)  # the core speaks CLI...
    leftovers = [for_gui(t) for t in texts if "`curator" in for_gui(t)]
    assert leftovers == []  # ...the tab does not


def test_the_flags_chart_never_leaves_out_secrets_and_pii():
    by_flag = {f"length.f{i}": 100 + i for i in range(20)} | {"secret.aws_key": 2, "pii.email": 1}
    chosen = top_flags(by_flag)
    assert len(chosen) == 12 and {"secret.aws_key", "pii.email"} <= set(chosen)
    assert chosen[0] == "length.f19"  # largest first


def test_charts_keep_their_height_and_drill_downs_are_query_objects(qtbot, tmp_path: Path, demo_ws):
    f = demo_ws.frame()
    review.approve(demo_ws, f.filter(~is_flagged())[R.ID].head(40).to_list())
    w = panel_window(qtbot, tmp_path, demo_ws, "dashboard")
    d = w.dashboard
    qtbot.waitUntil(lambda: d.computed is not None and d.worker is None, timeout=30_000)
    heights = [
        d.grid.itemAtPosition(i // 2, i % 2).widget().height() for i in range(d.grid.count())
    ]
    assert heights == [slot_height(i) for i in range(len(heights))]
    d.recompute()
    qtbot.waitUntil(lambda: d.worker is None, timeout=30_000)
    assert [
        d.grid.itemAtPosition(i // 2, i % 2).widget().height() for i in range(d.grid.count())
    ] == heights
    check = next(c for c in d.computed.report.checks if c.query is not None and c.query.flag)
    assert check.query.filters() == {"flag": check.query.flag}
    d.open_check(check.id)
    assert w.controller.spec.flag == check.query.flag or w.controller.spec.ids is not None
    rows = sum(
        d.checks.visualItemRect(d.checks.topLevelItem(i)).height()
        for i in range(d.checks.topLevelItemCount())
    )
    assert d.checks.height() >= rows  # no row clipped
    close_window(w)


def test_the_dashboard_reads_the_open_frame_not_the_disk(
    qtbot, tmp_path: Path, demo_ws, monkeypatch
):
    w = panel_window(qtbot, tmp_path, demo_ws, "dashboard")
    d = w.dashboard
    qtbot.waitUntil(lambda: d.computed is not None and d.worker is None, timeout=30_000)
    calls: list[int] = []
    real = type(demo_ws).frame
    monkeypatch.setattr(type(demo_ws), "frame", lambda self: calls.append(1) or real(self))
    d.recompute()
    qtbot.waitUntil(lambda: d.worker is None, timeout=30_000)
    assert calls == [] and d.computed is not None
    close_window(w)


def test_a_report_paints_its_charts_across_turns_and_names_itself_when_all_are_up(
    qtbot, tmp_path: Path, demo_ws
):
    """Text and cards land at once, the checks in the next event-loop turn, then the six
    charts one per turn; ``computed`` is the new report only when every chart is up."""
    w = panel_window(qtbot, tmp_path, demo_ws, "dashboard")
    d = w.dashboard
    qtbot.waitUntil(lambda: d.computed is not None and d.worker is None, timeout=30_000)
    old = d.computed
    before = [d.grid.itemAtPosition(i // 2, i % 2).widget() for i in range(6)]
    first_check = d.checks.topLevelItem(0)
    seen: list[tuple[bool, bool, int, bool]] = []
    show = d.show_report

    def watched(computed):  # what the slot that receives the report leaves behind
        show(computed)
        replaced = sum(
            d.grid.itemAtPosition(i // 2, i % 2).widget() is not before[i] for i in range(6)
        )
        seen.append((d.painting, d.computed is old, replaced, d.checks.topLevelItem(0) is first_check))

    d.show_report = watched
    review.approve(demo_ws, demo_ws.frame().filter(~is_flagged())[R.ID].head(7).to_list())
    w.controller.refresh()
    qtbot.waitUntil(lambda: bool(seen) and not d.painting and d.worker is None, timeout=30_000)
    # no chart and the old checks after that slot; the report is not named yet
    assert seen[0] == (True, True, 0, True)
    levels = [d.checks.topLevelItem(i).text(0).split()[-1] for i in range(d.checks.topLevelItemCount())]
    assert d.checks.topLevelItem(0) is not first_check
    assert levels == [c.level for c in d.computed.report.checks]  # the new report's checks
    assert (
        d.computed is not old
        and d.computed.report.counts["approved"] == old.report.counts["approved"] + 7
    )
    after = [d.grid.itemAtPosition(i // 2, i % 2).widget() for i in range(6)]
    assert all(a is not b for a, b in zip(after, before, strict=True))  # every chart rebuilt
    assert [a.height() for a in after] == [slot_height(i) for i in range(6)]
    close_window(w)


def test_the_page_keeps_its_width_while_a_first_report_is_put_up(qtbot, tmp_path: Path, demo_ws):
    """Every chart is placed at the width the page ends with: the scroll bar a long
    report needs does not appear halfway and make every chart lay itself out again."""
    w = make_small_window(qtbot, tmp_path, demo_ws)
    d = w.dashboard
    widths: list[int] = []
    place = d._place

    def watched(i, chart):
        widths.append(d.findChild(QScrollArea).viewport().width())
        place(i, chart)

    d._place = watched
    w.tabs.setCurrentWidget(d)
    qtbot.waitUntil(lambda: d.computed is not None and not d.painting and d.worker is None, timeout=30_000)
    qtbot.wait(50)  # the layout after the last chart
    assert len(widths) == 6
    assert widths == [d.findChild(QScrollArea).viewport().width()] * 6
    close_window(w)


def make_small_window(qtbot, tmp_path: Path, ws):
    w = panel_window(qtbot, tmp_path, ws)
    w.resize(1000, 1000)  # taller than the page before a report, shorter than after
    return w
