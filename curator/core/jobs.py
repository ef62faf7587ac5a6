"""Long work as generators that yield Progress and return a result.

One code path for both faces: the CLI iterates a job and draws a terminal bar;
the GUI iterates it in a worker thread and stops it by closing the generator,
which raises GeneratorExit at the job's current ``yield``. Jobs therefore write
their results only at the end (atomically), so a cancelled job changes nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, TypeVar

R = TypeVar("R")


@dataclass(frozen=True)
class Progress:
    step: str  # short name of the current step, e.g. "near-duplicates"
    done: int
    total: int | None = None  # None when the amount of work is unknown
    message: str = ""

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


Job = Generator[Progress, None, R]


class JobCancelled(Exception):
    """Raised by run_job when the cancel token fired before the job finished."""


class CancelToken:
    """Thread-safe flag the GUI sets and the driver checks between yields."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


def run_job(
    job: Job[R],
    on_progress: Callable[[Progress], None] | None = None,
    cancel: CancelToken | None = None,
) -> R:
    """Drive a job to completion; close it (and raise JobCancelled) on cancel."""
    try:
        while True:
            if cancel is not None and cancel.cancelled:
                job.close()
                raise JobCancelled
            progress = next(job)
            if on_progress is not None:
                on_progress(progress)
    except StopIteration as stop:
        result: R = stop.value
        return result


class DeferredInterrupt:
    """Hold Ctrl-C (SIGINT) back across a step that must finish once begun, such as
    publishing an export and recording it; ``stop()`` restores the handler and says
    whether an interrupt came meanwhile. Outside the main thread it does nothing."""

    def __init__(self) -> None:
        self.pending = False
        self._old: Any = None
        self._active = False

    def start(self) -> None:
        import signal
        import threading

        if threading.current_thread() is not threading.main_thread():
            return

        def note(_sig: int, _frame: Any) -> None:
            self.pending = True

        self._old = signal.signal(signal.SIGINT, note)
        self._active = True

    def stop(self) -> bool:
        if self._active:
            import signal

            signal.signal(signal.SIGINT, self._old)
            self._active = False
        return self.pending
