"""Shared CLI plumbing: opening workspaces, a terminal progress bar, output."""

from __future__ import annotations

import json
import sys
import time
from typing import Any, TypeVar

from curator.core.jobs import Job, Progress, run_job
from curator.core.workspace import Workspace

T = TypeVar("T")


def open_ws(path: str, *, create: bool = False) -> Workspace:
    return Workspace.open(path, create=create)


class ProgressBar:
    """A one-line bar on stderr, redrawn at most 10 times a second; silent when not a TTY."""

    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._last = 0.0
        self._drawn = False

    def __call__(self, p: Progress) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and not (p.total and p.done >= p.total):
            return
        self._last = now
        width = 30
        if p.fraction is not None:
            filled = int(width * p.fraction)
            bar = "#" * filled + "-" * (width - filled)
            text = f"\r{p.step:<18} [{bar}] {p.done:>9,}/{p.total:,} {p.message[:30]}"
        else:
            text = f"\r{p.step:<18} {p.done:>9,} {p.message[:40]}"
        sys.stderr.write(text[:110].ljust(110))
        sys.stderr.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            sys.stderr.write("\r" + " " * 110 + "\r")
            sys.stderr.flush()
            self._drawn = False


def drive(job: Job[T], *, quiet: bool = False) -> T:
    """Run a core job with a terminal progress bar."""
    bar = ProgressBar(enabled=False if quiet else None)
    try:
        return run_job(job, bar)
    finally:
        bar.close()


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


def print_jsonl(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
