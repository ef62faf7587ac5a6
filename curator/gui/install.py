"""Desktop integration without Qt: where resources/ lives and `curator gui --install-desktop-entry`.

The launcher (.desktop), the icons (hicolor PNG sizes + scalable SVG) and the AppStream
metainfo go under ``$XDG_DATA_HOME`` (default ``~/.local/share``), where desktop menus
look for a user's applications. All ids are ``curator.DIST_NAME``.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

import curator
from curator import DIST_NAME

RESOURCES = Path(curator.__file__).resolve().parent / "resources"  # packaged copy of resources/
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def resource(*parts: str) -> Path:
    """A file shipped in resources/ (the style sheet, the icons, the desktop entry)."""
    return RESOURCES.joinpath(*parts)


def icon_svg() -> Path:
    return resource("icons", f"{DIST_NAME}.svg")


def icon_pngs() -> list[Path]:
    return [resource("icons", "hicolor", f"{s}x{s}", "apps", f"{DIST_NAME}.png") for s in ICON_SIZES]


def data_home() -> Path:
    """$XDG_DATA_HOME, or ~/.local/share when unset or not absolute (the XDG rule)."""
    env = os.environ.get("XDG_DATA_HOME", "")
    return Path(env) if env and Path(env).is_absolute() else Path.home() / ".local" / "share"


def launch_command() -> str:
    """How the menu starts this installation: the `curator` next to this Python, else -m."""
    exe = Path(sys.executable).parent / "curator"
    if exe.exists():
        return shlex.quote(str(exe)) + " gui %f"
    found = shutil.which("curator")
    if found:
        return shlex.quote(found) + " gui %f"
    return shlex.quote(sys.executable) + " -m curator gui %f"


def install_desktop_entry(home: Path | None = None) -> list[Path]:
    """Install launcher, icons and metainfo for the current user; returns the files written."""
    root = home or data_home()
    written: list[Path] = []

    def put(src: Path, dst: Path, text: str | None = None) -> None:
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = dst.with_name(dst.name + ".tmp")
        if text is None:
            shutil.copyfile(src, tmp)
        else:
            tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, dst)
        written.append(dst)

    entry = resource(f"{DIST_NAME}.desktop").read_text(encoding="utf-8")
    lines = [f"Exec={launch_command()}" if ln.startswith("Exec=") else ln for ln in entry.splitlines()]
    lines = [ln for ln in lines if not ln.startswith("TryExec=")]
    put(resource(f"{DIST_NAME}.desktop"), root / "applications" / f"{DIST_NAME}.desktop", "\n".join(lines) + "\n")
    for size, png in zip(ICON_SIZES, icon_pngs(), strict=True):
        put(png, root / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{DIST_NAME}.png")
    put(icon_svg(), root / "icons" / "hicolor" / "scalable" / "apps" / f"{DIST_NAME}.svg")
    put(resource(f"{DIST_NAME}.metainfo.xml"), root / "metainfo" / f"{DIST_NAME}.metainfo.xml")
    return written
