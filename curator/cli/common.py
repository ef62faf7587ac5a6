"""Shared CLI plumbing: opening workspaces, a terminal progress bar, output."""

from __future__ import annotations

import json
import math
import sys
from typing import Any, TypeVar

from curator.core.jobs import Job, Progress, run_job
from curator.core.workspace import Workspace

T = TypeVar("T")


def open_ws(path: str, *, create: bool = False, readonly: bool = False) -> Workspace:
    """Open a workspace; ``readonly`` for commands that only read: a read-only
    connection in one read transaction (a consistent snapshot, no write lock)."""
    ws = Workspace.open(path, create=create, readonly=readonly)
    if readonly:
        ws.db().execute("BEGIN DEFERRED")  # ends with the process
    return ws


class ProgressBar:
    """Job progress on stderr as a tqdm bar: fits the terminal width (and follows it
    when resized), shows the rate and the time left; one bar per step, cleared when
    the step ends. Silent when stderr is not a terminal (pipes, CI, log files) or
    with ``-q``."""

    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._bar: Any = None
        self._step: str | None = None

    def __call__(self, p: Progress) -> None:
        if not self.enabled:
            return
        if p.step != self._step or (self._bar is not None and self._bar.total != p.total):
            self.close()
            from tqdm import tqdm

            self._step = p.step
            self._bar = tqdm(
                total=p.total,
                desc=p.step,
                file=sys.stderr,
                dynamic_ncols=True,
                leave=False,
                unit="",
                unit_scale=True,
                mininterval=0.1,
            )
        bar = self._bar
        if p.message:
            bar.set_postfix_str(p.message[:40], refresh=False)
        if p.done >= bar.n:
            bar.update(p.done - bar.n)
        else:  # a step that restarts its count
            bar.n = p.done
            bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
            self._step = None


def drive(job: Job[T], *, quiet: bool = False) -> T:
    """Run a core job with a terminal progress bar (none with ``quiet``)."""
    bar = ProgressBar(enabled=False if quiet else None)
    try:
        return run_job(job, bar)
    finally:
        bar.close()


def quiet(args: Any) -> bool:
    """``-q/--quiet`` (added to every command by ``cli/main.py``)."""
    return bool(getattr(args, "quiet", False))


def say(args: Any, text: str) -> None:
    """A human-readable result line on stdout, unless ``-q``."""
    if not quiet(args):
        sys.stdout.write(text + "\n")


def _finite(obj: Any) -> Any:
    """NaN and infinities become null: bare NaN is not JSON, and jq and browsers reject it."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj


def print_json(obj: Any) -> None:
    text = json.dumps(_finite(obj), ensure_ascii=False, indent=2, default=str, allow_nan=False)
    sys.stdout.write(text + "\n")


def print_jsonl(obj: Any) -> None:
    sys.stdout.write(
        json.dumps(_finite(obj), ensure_ascii=False, default=str, allow_nan=False) + "\n"
    )


def add_engine_options(p: Any) -> None:
    """``--engine local|ray`` and ``--ray-address`` (DESIGN.md's 2026-12 contract)."""
    p.add_argument(
        "--engine",
        choices=("local", "ray"),
        default="local",
        help="where the per-record work runs: this process (default) or a Ray cluster "
        "(needs pip install -e '.[ray]'); results are identical",
    )
    p.add_argument(
        "--ray-address",
        metavar="ADDR",
        default=None,
        help="with --engine ray: the cluster to join (auto = an existing one started with "
        "`ray start --head`, or ray://HOST:10001); default starts a local Ray instance",
    )


def engine_from(args: Any) -> Any:
    """The engine the command's options ask for (core.engine.Engine)."""
    from curator.core.engine import engine_for

    return engine_for(getattr(args, "engine", "local"), getattr(args, "ray_address", None))
