"""Start-up stays light: `curator --help` and the parser import no heavy library or other command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HEAVY = ("polars", "PySide6", "numba", "datasets", "scipy", "datasketch", "sklearn")

_PROBE = """
import contextlib, io, json, sys
argv = json.loads(sys.argv[1])
import curator.cli.main as m
if argv:
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            m.main(argv)
        except SystemExit:
            pass
print(json.dumps(sorted(k for k in sys.modules if k.split(".")[0] in {heavy} or k.startswith("curator.cli.commands."))))
"""


def loaded_after(argv: list[str]) -> set[str]:
    """Modules of interest imported in a fresh interpreter after running ``curator ARGV``."""
    code = _PROBE.replace("{heavy}", repr(set(HEAVY)))
    out = subprocess.run(
        [sys.executable, "-c", code, json.dumps(argv)],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
    ).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def test_importing_the_cli_loads_no_heavy_library() -> None:
    assert loaded_after([]) == set()


def test_top_level_help_imports_no_command_and_no_heavy_library() -> None:
    assert loaded_after(["--help"]) == set()


def test_a_command_imports_only_its_own_module() -> None:
    loaded = loaded_after(["dedup", "--help"])
    commands = {m for m in loaded if m.startswith("curator.cli.commands.")}
    assert commands == {"curator.cli.commands.dedup"}
    # argument parsing of dedup does not pay for the MinHash kernel or the GUI
    assert not loaded & {"numba", "PySide6", "datasketch", "scipy", "datasets"}


def test_unknown_command_is_a_usage_error_without_loading_commands() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "curator", "nosuch"], capture_output=True, text=True, cwd=REPO
    )
    assert proc.returncode == 2
    assert "invalid choice: 'nosuch'" in proc.stderr
