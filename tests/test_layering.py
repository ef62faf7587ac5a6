"""The core must never import Qt: the CLI and tests run without a display."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent / "curator" / "core"


def test_no_core_module_mentions_qt():
    offenders = [
        str(p.relative_to(CORE))
        for p in CORE.rglob("*.py")
        if any(w in p.read_text(encoding="utf-8") for w in ("PySide6", "PyQt", "shiboken"))
    ]
    assert offenders == []


def test_importing_all_of_core_loads_no_qt():
    code = (
        "import pkgutil, importlib, sys, curator.core as c\n"
        "for m in pkgutil.walk_packages(c.__path__, 'curator.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'PyQt', 'shiboken'))]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
