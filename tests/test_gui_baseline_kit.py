"""The Readiness tab's "Baseline kit…" button runs the baseline job in a worker."""
# ruff: noqa: F811  (pytest fixtures imported from gui_panels_helpers)

from __future__ import annotations

from pathlib import Path

import pytest
from gui_helpers import close_window
from gui_panels_helpers import demo_master, demo_ws, panel_window  # noqa: F401

pytest.importorskip("pytestqt")


def test_baseline_kit_button_writes_the_kit(qtbot, tmp_path: Path, demo_ws):
    w = panel_window(qtbot, tmp_path, demo_ws, "dashboard")
    d = w.dashboard
    qtbot.waitUntil(lambda: d.computed is not None and d.worker is None, timeout=30_000)
    assert d.kit.button.text() == "Baseline kit…" and d.kit.button.isEnabled()
    out = tmp_path / "kit"
    assert d.kit.start(out, "passing", d.computed.report.to_json()) is not None
    assert not d.kit.button.isEnabled()  # one kit at a time
    qtbot.waitUntil(lambda: d.kit.worker is None, timeout=60_000)
    assert d.kit.message.startswith(f"Baseline kit written to {out}"), d.kit.message
    assert (out / "eval.jsonl").stat().st_size > 0 and (
        out / "retrieval" / "passages.jsonl"
    ).exists()
    assert d.computed.report.verdict in (out / "README.md").read_text(encoding="utf-8")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep", encoding="utf-8")
    d.kit.start(mine, "passing")
    qtbot.waitUntil(lambda: d.kit.worker is None, timeout=60_000)
    assert "not written" in d.kit.message and "notes.txt" in d.kit.message
    close_window(w)
