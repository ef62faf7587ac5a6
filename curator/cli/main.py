"""Entry point: parse arguments, dispatch to one module per command, map errors to exit codes.

Exit codes (DESIGN.md): 0 success, 1 the command failed and changed nothing,
2 usage error. No traceback reaches the user; set CURATOR_DEBUG=1 to see one.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sqlite3
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from curator import __version__
from curator.core.errors import CuratorError, UsageError
from curator.core.failures import explain

# command name -> module under curator.cli.commands (each has configure() and run())
COMMANDS: dict[str, str] = {
    "gui": "gui",
    "demo": "demo",
    "import": "import_",
    "run": "run",
    "dedup": "dedup",
    "info": "info",
    "query": "query",
    "show": "show",
    "review": "review",
    "report": "report",
    "export": "export",
    "baseline": "baseline",
    "check": "check",
    "repair": "repair",
}

HELP = {
    "gui": "open the desktop app (optionally on a workspace)",
    "demo": "build a demo workspace from the bundled sample data and open it",
    "import": "import logs, transcripts or chat datasets into a workspace",
    "run": "run dedup and the quality filters with the workspace's recipe",
    "dedup": "find exact and near-duplicate conversations",
    "info": "summarise a workspace",
    "query": "list records by status, flag or text",
    "show": "show one record in full",
    "review": "approve or reject records",
    "report": "readiness report: is this data ready for fine-tuning?",
    "export": "write a validated fine-tuning dataset",
    "baseline": "write a prompt/RAG baseline kit to compare a fine-tune against",
    "check": "check a workspace for damaged or left-over files (changes nothing)",
    "repair": "quarantine damaged parts that `check` found, after saying what it will do",
}


TOP_EXAMPLES = """examples:
  curator import chats.jsonl -w support.curator
  curator run -w support.curator
  curator review -w support.curator --approve --where passing
  curator export -w support.curator -o out/ --split 0.1
  curator gui support.curator

`curator CMD --help` shows a command's options and examples."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"curator: error: {message}\n")
        raise SystemExit(2)


class _CommandParser(_Parser):
    """A subcommand's parser that imports its module only when that command is parsed.

    ``curator --help`` lists the commands from ``HELP`` without importing any of
    them; ``curator dedup ...`` imports only ``curator.cli.commands.dedup``.
    """

    def __init__(self, *args: Any, module: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._module = module
        self._loaded = not module

    def load(self) -> None:
        """Import the command module and add its arguments (once)."""
        if self._loaded:
            return
        self._loaded = True
        try:
            mod = importlib.import_module(f"curator.cli.commands.{self._module}")
        except Exception as exc:
            self.set_defaults(_run=_broken(self.prog.split()[-1], exc))
            self.add_argument("rest", nargs=argparse.REMAINDER)
            return
        mod.configure(self)
        from curator.cli.examples import configure_common

        configure_common(self, self.prog.split()[-1], mod)  # -q/--quiet, example epilog
        self.set_defaults(_run=mod.run)

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:  # type: ignore[override]
        self.load()
        return super().parse_known_args(args, namespace)


def build_parser() -> argparse.ArgumentParser:
    """The full ``curator`` parser; command modules load when their command is parsed."""
    parser = _Parser(
        prog="curator",
        description="Curate conversation data into a validated fine-tuning set.",
        epilog=TOP_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"curator {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_CommandParser)
    for name, module in COMMANDS.items():
        sub.add_parser(name, help=HELP[name], description=HELP[name], module=module)
    return parser


def _broken(name: str, exc: Exception) -> Callable[[argparse.Namespace], int]:
    def run(_args: argparse.Namespace) -> int:
        raise CuratorError(
            f"the '{name}' command could not load ({type(exc).__name__}: {exc}). "
            "Reinstall Curator with `pip install -e .`; if it persists, report it."
        )

    return run


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from curator.gui.app import platform_problem  # no Qt import: reads the environment

        problem = platform_problem()
        if problem:  # an SSH box, CI: the commands work, the app cannot open
            parser.print_help()
            sys.stderr.write(f"\ncurator: the desktop app cannot start here. {problem}\n")
            return 0
        args = parser.parse_args(["gui"])
    try:
        code = args._run(args)
        return int(code or 0)
    except UsageError as exc:
        sys.stderr.write(f"curator: error: {exc}\n")
        return 2
    except CuratorError as exc:
        sys.stderr.write(f"curator: error: {exc}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("curator: interrupted; nothing half-written was published.\n")
        return 1
    except BrokenPipeError:
        # The reader went away (`curator export -o - | head`): stop quietly. Point stdout
        # at /dev/null so the interpreter's final flush does not complain again.
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 0
    except (OSError, sqlite3.Error) as exc:  # disk full, permission, lock, damage: say which
        ws = getattr(args, "workspace", None)
        sys.stderr.write(f"curator: error: {explain(exc, Path(ws) if ws else None)}\n")
        if os.environ.get("CURATOR_DEBUG"):
            traceback.print_exc()
        return 1
    except Exception as exc:
        if os.environ.get("CURATOR_DEBUG"):
            traceback.print_exc()
        sys.stderr.write(
            f"curator: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in Curator. Re-run with CURATOR_DEBUG=1 for details and report it.\n"
        )
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
