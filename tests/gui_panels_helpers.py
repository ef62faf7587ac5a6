"""Shared pieces for the part-2 panel tests: a demo workspace built once, a window with the panels."""

from __future__ import annotations

import io
import json
import shutil
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from gui_helpers import make_window, wait_loaded

from curator.cli.main import main as cli_main
from curator.core import demo
from curator.core.jobs import run_job
from curator.core.workspace import Workspace
from curator.gui.main_window import MainWindow

_BUILT: dict[str, Path] = {}


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace (sample_data imported, dedup + filters run), built once per
    test run (each test module imports this fixture, so the build is memoised here)."""
    if "demo" not in _BUILT:
        path = tmp_path_factory.mktemp("demo") / "demo.curator"
        run_job(demo.build_demo(path))
        _BUILT["demo"] = path
    return _BUILT["demo"]


@pytest.fixture
def demo_ws(demo_master: Path, tmp_path: Path) -> Workspace:
    """A private copy of the demo workspace for one test."""
    dst = tmp_path / "demo.curator"
    shutil.copytree(demo_master, dst)
    return Workspace.open(dst)


def panel_window(qtbot: Any, tmp_path: Path, ws: Workspace, tab: str | None = None) -> MainWindow:
    """A MainWindow with the part-2 panels installed, on ``ws``, loaded; ``tab``
    ("pipeline", "duplicates", "dashboard") is brought to the front (panels
    refresh lazily, when shown)."""
    w = make_window(qtbot, tmp_path)
    assert w.open_workspace(ws.path)
    wait_loaded(qtbot, w)
    if tab is not None:
        w.tabs.setCurrentWidget(getattr(w, tab))
    return w


def idle(qtbot: Any, w: MainWindow, timeout: int = 20_000) -> None:
    qtbot.waitUntil(lambda: not w.controller.pool.busy, timeout=timeout)


def cli(*argv: str) -> tuple[int, str]:
    """Run the `curator` CLI in-process; (exit code, stdout)."""
    buf = io.StringIO()
    with redirect_stdout(buf):
        code = cli_main(list(argv))
    return code, buf.getvalue()


def cli_json(*argv: str) -> Any:
    code, out = cli(*argv)
    assert code == 0, out
    return json.loads(out)
