"""Export dialog: pre-flight before writing, problem links, same files as `curator export`, cancel, open."""
# ruff: noqa: F811  (pytest fixtures imported from gui_panels_helpers)

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from gui_helpers import close_window
from gui_panels_helpers import cli, demo_master, demo_ws, idle, panel_window  # noqa: F401
from PySide6.QtGui import QDesktopServices

from curator.core import records as R
from curator.core import review
from curator.core.export.snippets import llamafactory_dataset_info
from curator.core.frame import is_flagged
from curator.core.workspace import Workspace
from curator.gui.export.export_dialog import ExportDialog
from curator.gui.main_window import MainWindow

pytest.importorskip("pytestqt")


def open_dialog(qtbot: Any, w: MainWindow) -> ExportDialog:
    assert w.export_action.isEnabled()
    w.export_action.trigger()
    dlg = w.export_dialog  # type: ignore[attr-defined]
    assert isinstance(dlg, ExportDialog) and dlg.isVisible()
    return dlg


def set_options(qtbot: Any, dlg: ExportDialog, out: Path, fmt: str = "openai", include: str = "passing",
                split: float | None = 0.2, seed: int = 7, skip_invalid: bool = True,
                target: str | None = None) -> None:
    dlg.target.setCurrentIndex(dlg.target.findData(target))
    if target is None:
        dlg.format.setCurrentIndex(dlg.format.findData(fmt))
    dlg.include.setCurrentIndex(dlg.include.findData(include))
    dlg.split_on.setChecked(split is not None)
    if split is not None:
        dlg.split.setValue(split)
    dlg.seed.setValue(seed)
    dlg.skip_invalid.setChecked(skip_invalid)
    dlg.output.setText(str(out))
    wait_preflight(qtbot, dlg)


def wait_preflight(qtbot: Any, dlg: ExportDialog) -> None:
    gen = dlg._gen
    qtbot.waitUntil(lambda: dlg._gen > gen or not dlg._timer.isActive(), timeout=5_000)
    qtbot.waitUntil(lambda: dlg.pre is not None and dlg.pre.options == dlg.options(), timeout=20_000)


def files(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(root.iterdir()) if p.is_file()}


@pytest.mark.parametrize(("fmt", "target"), [("openai", None), ("sharegpt", None), ("sharegpt", "llamafactory")])
def test_export_from_dialog_equals_cli_export(qtbot, tmp_path: Path, demo_ws: Workspace, fmt: str,
                                              target: str | None):
    review.approve(demo_ws, demo_ws.frame().filter(~is_flagged())[R.ID].head(50).to_list())
    w = panel_window(qtbot, tmp_path, demo_ws)
    dlg = open_dialog(qtbot, w)
    gui_out, cli_out = tmp_path / "gui", tmp_path / "cli"
    set_options(qtbot, dlg, gui_out, fmt=fmt, target=target)
    assert dlg.format.currentData() == fmt  # a target picks its format, as --target does
    pre = dlg.pre
    assert pre is not None and pre.ok and dlg.export_button.isEnabled()
    assert f"train: {pre.counts['train']:,} records" in dlg.summary.text()
    assert not gui_out.exists()  # pre-flight writes nothing
    assert dlg.worker is None  # nothing runs until Export is clicked
    dlg.export_button.click()
    qtbot.waitUntil(lambda: dlg.pages.currentIndex() == 2, timeout=60_000)
    how = ["--target", target] if target else ["--format", fmt]
    code, _ = cli("export", "-w", str(demo_ws.path), "-o", str(cli_out), *how, "--include", "passing",
                  "--split", "0.2", "--seed", "7", "--skip-invalid")
    assert code == 0
    g, c = files(gui_out), files(cli_out)
    assert set(g) == set(c)
    assert ("llamafactory_sft.yaml" in g) == (target == "llamafactory")
    data = [n for n in g if n.startswith(("train", "validation"))]
    assert sorted(data) == ["train.jsonl", "validation.jsonl"]
    for name in data:
        assert g[name] == c[name], name  # same records, same lines, same order
    gm, cm = json.loads(g["manifest.json"]), json.loads(c["manifest.json"])
    assert gm["counts"] == cm["counts"] == pre.counts
    assert [f["sha256"] for f in gm["files"]] == [f["sha256"] for f in cm["files"]]
    # the result page shows the manifest: counts, leakage check, files
    assert "Leakage check passed" in dlg.result_label.text()
    assert json.loads(dlg.manifest_box.toPlainText()) == gm
    opened: list[str] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
        dlg.open_folder.click()
    assert opened == [str(gui_out.resolve())]
    dlg.close()
    idle(qtbot, w)
    close_window(w)


def test_preflight_lists_problems_with_links_and_blocks(qtbot, tmp_path: Path, demo_ws: Workspace):
    w = panel_window(qtbot, tmp_path, demo_ws)
    dlg = open_dialog(qtbot, w)
    # multi-turn conversations cannot be Alpaca lines: the demo has many
    set_options(qtbot, dlg, tmp_path / "out", fmt="alpaca", include="passing", skip_invalid=False)
    pre = dlg.pre
    assert pre is not None and pre.invalid_records > 0 and not pre.ok
    assert not dlg.export_button.isEnabled()
    assert dlg.blocking.text().startswith("Cannot export:")
    bad = pre.problems[R.ID].unique(maintain_order=True).to_list()
    assert all(rid in dlg.problems.toPlainText() for rid in bad[:5])
    assert "not_single_turn" in dlg.problems.toPlainText()
    assert dlg.open_problems.isVisibleTo(dlg)
    dlg.open_problems.click()
    assert w.tabs.currentWidget() is w.records
    assert list(w.controller.spec.ids) == bad
    # nothing approved: "approved" selection has nothing to export, and says so
    set_options(qtbot, dlg, tmp_path / "out", include="approved", skip_invalid=True)
    assert dlg.pre.selected == 0 and "nothing to export" in dlg.blocking.text()
    dlg.close()
    idle(qtbot, w)
    close_window(w)


def test_cancelled_export_writes_nothing(qtbot, tmp_path: Path, demo_ws: Workspace):
    w = panel_window(qtbot, tmp_path, demo_ws)
    dlg = open_dialog(qtbot, w)
    out = tmp_path / "out"
    set_options(qtbot, dlg, out)
    worker = dlg.start_export()
    assert worker is not None and dlg.pages.currentIndex() == 1
    worker.progressed.connect(lambda _p: dlg.cancel())
    with qtbot.waitSignal(worker.cancelled, timeout=30_000):
        pass
    qtbot.waitUntil(lambda: dlg.worker is None, timeout=10_000)
    assert dlg.pages.currentIndex() == 0 and "cancelled" in dlg.blocking.text()
    assert not (out / "train.jsonl").exists() and not (out / "manifest.json").exists()
    dlg.close()
    idle(qtbot, w)
    close_window(w)


def test_snippets_follow_the_options(qtbot, tmp_path: Path, demo_ws: Workspace):
    w = panel_window(qtbot, tmp_path, demo_ws)
    dlg = open_dialog(qtbot, w)
    out = tmp_path / "snip"
    set_options(qtbot, dlg, out, fmt="sharegpt", split=0.1)
    info = json.loads(dlg.llama.toPlainText())
    assert set(info) == {"curator_train", "curator_validation"}
    assert info["curator_train"]["file_name"] == "train.jsonl"  # relative to the export folder
    assert info["curator_train"]["columns"]["messages"] == "conversations"
    assert info == llamafactory_dataset_info(dlg.options())
    assert "validation.jsonl" in dlg.axolotl.toPlainText()
    dlg.close()
    idle(qtbot, w)
    close_window(w)
