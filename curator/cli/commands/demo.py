"""`curator demo [-w WS] [--no-gui] [--fresh]`: build the demo workspace from sample_data/ and open it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from curator.cli.commands import info as info_command
from curator.cli.common import drive, quiet
from curator.core.demo import DEFAULT_DEMO_PATH, DemoResult, build_demo


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("-w", "--workspace", metavar="WS", help="where to build it (default: ~/.curator/demo.curator)")
    p.add_argument("--no-gui", action="store_true", help="build and print the summary only")
    p.add_argument("--fresh", action="store_true", help="rebuild it from scratch")


def _report_build(result: DemoResult) -> None:
    if not result.created:
        print(f"Reusing the demo workspace at {result.path} (rebuild it with --fresh)")
        return
    print(f"Built the demo workspace at {result.path} from {result.sample_data}")
    for name, counts in result.imported.items():
        print(f"  {name:<22} {counts['added']:>5,} records, {counts['quarantined']:,} quarantined")
    if result.pipeline_skipped:
        print(f"Dedup and filters were not run: {result.pipeline_skipped}")
    elif result.pipeline is not None:
        print("Ran dedup and the quality filters (see the flags below).")
    print()


def _open_gui(path: Path) -> int:
    """Open the GUI on the demo; when it cannot start, say why and still succeed."""
    try:
        from curator.gui.app import platform_problem, run_app
    except ImportError as exc:
        print(f"\nNot opening the desktop app: it is not available here ({exc}).")
        print(f"The demo workspace is ready; explore it with `curator query -w {path}`.")
        return 0
    problem = platform_problem()
    if problem:
        print(f"\nNot opening the desktop app: {problem}")
        print(f"The demo workspace is ready; open it later with `curator gui {path}`.")
        return 0
    try:
        code = run_app(path)
    except Exception as exc:
        print(f"\nThe desktop app could not start ({type(exc).__name__}: {exc}).")
        print(f"The demo workspace is ready; open it later with `curator gui {path}`.")
        return 0
    if code:
        sys.stderr.write(f"The desktop app exited with code {code}; the demo workspace is at {path}.\n")
    return 0


def run(args: argparse.Namespace) -> int:
    path = Path(args.workspace).expanduser() if args.workspace else DEFAULT_DEMO_PATH
    result = drive(build_demo(path, fresh=args.fresh), quiet=quiet(args))
    _report_build(result)
    info_command.run(argparse.Namespace(workspace=str(result.path), json=False, quarantine=False))
    if args.no_gui:
        return 0
    return _open_gui(result.path)
