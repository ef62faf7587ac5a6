"""QApplication setup and a platform check that names missing system packages."""

from __future__ import annotations

import ctypes.util
import os
import subprocess
import sys
from pathlib import Path

# Debian package -> a library it provides (Qt's xcb platform plugin needs them all)
XCB_PACKAGES: dict[str, str] = {
    "libxcb-cursor0": "libxcb-cursor.so.0",
    "libxcb-icccm4": "libxcb-icccm.so.4",
    "libxcb-keysyms1": "libxcb-keysyms.so.1",
    "libxcb-image0": "libxcb-image.so.0",
    "libxcb-render-util0": "libxcb-render-util.so.0",
    "libxkbcommon-x11-0": "libxkbcommon-x11.so.0",
    "libxcb-xinerama0": "libxcb-xinerama.so.0",
    "libxcb-shape0": "libxcb-shape.so.0",
}


def _ldconfig_libs() -> set[str] | None:
    try:
        out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {line.split()[0] for line in out.splitlines() if line.startswith("\t")}


def missing_xcb_packages() -> list[str]:
    """Debian packages whose libraries the xcb platform plugin cannot find."""
    known = _ldconfig_libs()
    missing = []
    for pkg, lib in XCB_PACKAGES.items():
        if known is not None:
            if lib not in known:
                missing.append(pkg)
        elif ctypes.util.find_library(lib.split(".so")[0].removeprefix("lib")) is None:
            missing.append(pkg)
    return missing


def platform_problem() -> str | None:
    """Why Qt could not open a window here, in words a user can act on (or None)."""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform not in ("", "xcb") or sys.platform != "linux":
        return None
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        return (
            "No display: DISPLAY is not set. Run Curator in a desktop session, "
            "or start a virtual one (e.g. `Xvfb :99 & DISPLAY=:99 curator gui`)."
        )
    if os.environ.get("WAYLAND_DISPLAY") and not os.environ.get("DISPLAY"):
        return None
    missing = missing_xcb_packages()
    if missing:
        return (
            "Qt cannot open a window: system libraries for its X11 (xcb) platform are missing. "
            f"Install them with: sudo apt-get install {' '.join(missing)}"
        )
    return None


def run_app(workspace: Path | None = None) -> int:
    """Start the desktop app, optionally on a workspace; returns the exit code."""
    problem = platform_problem()
    if problem:
        sys.stderr.write(f"curator: error: {problem}\n")
        return 1
    from PySide6.QtWidgets import QApplication

    from curator.gui.main_window import MainWindow
    from curator.gui.widgets import theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Curator")
    app.setOrganizationName("Curator")
    from curator import DIST_NAME

    app.setDesktopFileName(DIST_NAME)  # the window belongs to the installed launcher
    theme.apply(app)  # type: ignore[arg-type]
    window = MainWindow()
    from curator.gui.session.workers import unhandled_hook
    from curator.gui.widgets.plain import plain_warning

    # a failure on the UI thread: a message in the window, a traceback only with CURATOR_DEBUG=1
    sys.excepthook = unhandled_hook(lambda text: plain_warning(window, "Curator", text), app.quit)
    window.show()
    if workspace is not None and not window.open_workspace(Path(workspace)):
        return 1
    return int(app.exec())
