"""resources/: the app icon, the freedesktop launcher, AppStream metainfo, the style sheet."""

from __future__ import annotations

import configparser
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from curator import DIST_NAME
from curator.cli.main import main
from curator.gui import install

REPO = Path(__file__).resolve().parent.parent


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", head[16:24])


def test_resources_live_at_the_top_level_and_ship_inside_the_package():
    assert (REPO / "resources" / "style.qss").is_file()
    assert install.RESOURCES.resolve() == (REPO / "resources").resolve()  # curator/resources -> resources
    pyproject = (REPO / "pyproject.toml").read_text()
    assert '"resources/**/*"' in pyproject  # installed as package data


def test_the_icon_comes_as_svg_and_every_png_size():
    assert ET.parse(install.icon_svg()).getroot().tag.endswith("svg")
    for size, png in zip(install.ICON_SIZES, install.icon_pngs(), strict=True):
        assert _png_size(png) == (size, size)


def test_desktop_entry_and_metainfo_use_the_distribution_name():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(install.resource(f"{DIST_NAME}.desktop"))
    d = entry["Desktop Entry"]
    assert d["Type"] == "Application" and d["Icon"] == DIST_NAME and d["Exec"].startswith("curator gui")
    root = ET.parse(install.resource(f"{DIST_NAME}.metainfo.xml")).getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == DIST_NAME
    assert root.findtext("launchable") == f"{DIST_NAME}.desktop"
    assert root.findtext("project_license") == "Apache-2.0"


def test_install_desktop_entry_respects_xdg_data_home(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    assert main(["gui", "--install-desktop-entry"]) == 0
    share = tmp_path / "share"
    launcher = share / "applications" / f"{DIST_NAME}.desktop"
    text = launcher.read_text()
    assert "Icon=conversation-curator" in text and "TryExec" not in text
    exec_line = next(ln for ln in text.splitlines() if ln.startswith("Exec="))
    assert exec_line.endswith(" gui %f") and "curator" in exec_line
    assert _png_size(share / "icons" / "hicolor" / "48x48" / "apps" / f"{DIST_NAME}.png") == (48, 48)
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / f"{DIST_NAME}.svg").is_file()
    assert (share / "metainfo" / f"{DIST_NAME}.metainfo.xml").is_file()
    assert str(launcher) in capsys.readouterr().out


def test_without_xdg_data_home_it_goes_to_local_share(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert install.data_home() == tmp_path / ".local" / "share"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/dir")  # not absolute: ignored, as XDG says
    assert install.data_home() == tmp_path / ".local" / "share"


def test_the_style_sheet_has_every_colour_filled_in():
    pytest.importorskip("PySide6")
    from curator.gui.widgets import theme

    qss = theme.stylesheet()
    assert "@" not in qss and theme.ACCENT_SOFT in qss and "QPushButton#primary" in qss


def test_window_and_dialogs_carry_the_icon(qtbot, tmp_path):
    from gui_helpers import close_window, make_window
    from PySide6.QtWidgets import QMessageBox

    w = make_window(qtbot, tmp_path)
    assert not w.windowIcon().isNull()
    sizes = {s.width() for s in w.windowIcon().availableSizes()}
    assert {16, 32, 48, 256} <= sizes
    box = QMessageBox(w)
    assert not box.windowIcon().isNull()
    close_window(w)
