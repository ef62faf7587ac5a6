"""Background work: core jobs (and plain functions) run in QThreads.

Progress, results and errors come back on the main thread through queued
signals; Cancel sets the job's CancelToken, which closes the generator at its
next ``yield`` so a cancelled job changes nothing.
"""

from __future__ import annotations

import gc
import os
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal

from curator.core.errors import CuratorError
from curator.core.jobs import CancelToken, Job, JobCancelled, Progress, run_job

Task = Callable[[Callable[[Progress], None], CancelToken], Any]


def error_text(exc: BaseException) -> str:
    """What the user sees: CuratorError verbatim, anything else named as a bug."""
    if isinstance(exc, CuratorError):
        return str(exc)
    from curator.core.failures import user_message

    known = user_message(exc)  # disk full, permission, lock, damage: said as such
    if known is not None:
        return known
    return f"Internal error: {type(exc).__name__}: {exc}. This is a bug in Curator."


def unhandled_hook(
    show: Callable[[str], None], on_interrupt: Callable[[], None] | None = None
) -> Callable[..., None]:
    """A ``sys.excepthook`` for the GUI: an exception that escapes a Qt slot on the UI
    thread is shown in the window (``show``, one message at a time) as
    :func:`error_text` words it; its traceback goes to the terminal only with
    ``CURATOR_DEBUG=1``. Ctrl-C in the terminal calls ``on_interrupt`` (quit)."""
    showing: list[bool] = []

    def hook(kind: type[BaseException], exc: BaseException, tb: Any) -> None:
        if os.environ.get("CURATOR_DEBUG"):
            traceback.print_exception(kind, exc, tb)
        if issubclass(kind, KeyboardInterrupt):
            if on_interrupt is not None:
                on_interrupt()
            return
        if showing:
            return
        showing.append(True)
        try:
            show(error_text(exc))
        finally:
            showing.clear()

    return hook


_FROZEN: set[str] = set()


def keep_out_of_gc(moment: str) -> None:
    """Move every object alive now (modules, classes, the window's widgets) out of the
    cyclic garbage collector's reach, once per ``moment`` per process. A full collection
    walked them all with the GIL held, 100+ ms, on whichever thread's allocations set it
    off (a worker's 20k-record undo, an import, a report): the window froze that long.
    Objects made later are collected as before; reference counting frees the rest."""
    if moment not in _FROZEN:
        _FROZEN.add(moment)
        gc.freeze()


BACKGROUND_NICE = 10  # Polars' native threads: this much lower CPU priority than the UI thread
# Polars' thread pool, streaming executor and IO runtime; the allocators' purging threads
_NATIVE_THREADS = ("polars-", "async-executor", "tokio-rt-worker", "jemalloc_bg_thd")
_lowered: set[int] = set()


def lower_native_threads() -> None:
    """Run Polars' native threads at a lower CPU priority than the UI thread (Linux;
    elsewhere this does nothing).

    A worker's big query keeps Polars' pool busy on every core: the UI thread, at the
    same priority, got the CPU only in turns with it (4 ms on, 4 ms off on 2 cores), so
    a 15 ms paint or slot took 30 ms and more while a workspace opened. At a lower
    priority the pool still gets every cycle the UI thread leaves, and gives way when it
    has work. These threads never hold the GIL; the Python workers keep their priority,
    since the UI thread waits for the GIL whenever one of them holds it, and a worker
    starved of CPU by other programs would hold it longer. Polars starts its threads
    lazily, so every worker calls this before and after its task (it reads the
    process's thread names; niceness is per thread on Linux)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        tids = os.listdir("/proc/self/task")
    except OSError:
        return
    for t in tids:
        tid = int(t)
        if tid in _lowered:
            continue
        try:
            with open(f"/proc/self/task/{t}/comm") as f:
                name = f.read()
        except OSError:
            continue  # the thread ended
        if name.startswith(_NATIVE_THREADS):
            _lowered.add(tid)
            _lower(tid)


def _lower(tid: int) -> None:
    try:
        if os.getpriority(os.PRIO_PROCESS, tid) < BACKGROUND_NICE:
            os.setpriority(os.PRIO_PROCESS, tid, BACKGROUND_NICE)
    except OSError:
        pass  # ended meanwhile, or not allowed: it keeps its priority


GIL_SWITCH_S = 0.001  # CPython's default is 0.005


def hand_gil_over_promptly() -> None:
    """Make a thread running Python hand the GIL to a waiting one after 1 ms, not 5 ms.

    The UI thread gives the GIL up many times a turn (a Qt call PySide releases it for,
    a file read, each wait for an event) and, while a worker runs Python (an undo's JSON,
    a delta's rows), waited up to the whole switch interval to get it back each time: a
    paint or a slot of a few ms of work took 20-40 ms. Process-wide; a Python worker
    loses a little throughput, only while another thread wants the GIL."""
    if sys.getswitchinterval() > GIL_SWITCH_S:
        sys.setswitchinterval(GIL_SWITCH_S)


class Worker(QThread):
    """Runs ``task(on_progress, cancel)`` off the UI thread.

    The thread emits private signals that the Worker object (which lives on the UI
    thread) relays as the public ones. Once the pool shut down (the window closed),
    relays that were still queued are dropped: a result that arrives after its
    window is gone reaches no listener of that window.
    """

    progressed = Signal(object)  # Progress
    succeeded = Signal(object)  # the task's result
    failed = Signal(str)
    cancelled = Signal()
    done = Signal()  # after any of the three above

    _progressed_in_thread = Signal(object)
    _ended_in_thread = Signal(str, object)  # "succeeded" | "failed" | "cancelled", payload

    def __init__(self, task: Task, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._task = task
        self.token = CancelToken()
        self._last_emit = 0.0
        self.result: Any = None
        self.error: str | None = None
        self.is_done = False  # set before ``done`` is emitted: late listeners check it
        self.discarded = False  # set by WorkerPool.shutdown: relay nothing more
        queued = Qt.ConnectionType.QueuedConnection
        self._progressed_in_thread.connect(self._relay_progress, queued)
        self._ended_in_thread.connect(self._relay_end, queued)

    def cancel(self) -> None:
        self.token.cancel()

    def _on_progress(self, p: Progress) -> None:
        now = time.monotonic()
        if now - self._last_emit >= 0.05 or (p.total is not None and p.done >= p.total):
            self._last_emit = now
            self._progressed_in_thread.emit(p)

    def _relay_progress(self, p: Progress) -> None:
        if not self.discarded:
            self.progressed.emit(p)

    def _relay_end(self, kind: str, payload: Any) -> None:
        self.is_done = True
        if self.discarded:
            return
        if kind == "succeeded":
            self.succeeded.emit(payload)
        elif kind == "failed":
            self.failed.emit(payload)
        else:
            self.cancelled.emit()
        self.done.emit()

    def run(self) -> None:
        kind, payload = "succeeded", None
        lower_native_threads()
        try:
            self.result = self._task(self._on_progress, self.token)
            payload = self.result
        except JobCancelled:
            kind = "cancelled"
        except Exception as exc:
            self.error = error_text(exc)
            if not isinstance(exc, CuratorError) and os.environ.get("CURATOR_DEBUG"):
                traceback.print_exc()  # only when asked for: no traceback reaches a user
            kind, payload = "failed", self.error
        else:
            if self.token.cancelled:
                kind = "cancelled"
        lower_native_threads()  # any the task made Polars start
        self._ended_in_thread.emit(kind, payload)


def job_task(factory: Callable[[], Job[Any]]) -> Task:
    """A Worker task that builds the job in the worker thread and drives it."""

    def task(on_progress: Callable[[Progress], None], cancel: CancelToken) -> Any:
        return run_job(factory(), on_progress, cancel)

    return task


def call_task(fn: Callable[[], Any]) -> Task:
    """A Worker task for a plain function (no progress, cancel ignored)."""

    def task(on_progress: Callable[[Progress], None], cancel: CancelToken) -> Any:
        return fn()

    return task


class WorkerPool(QObject):
    """Keeps running workers alive and lets the window stop them all on close.

    ``busy`` stays true until each worker's results have been handled on the UI
    thread (its queued ``done`` signal arrived), not merely until its thread ended.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._workers: set[Worker] = set()
        self._pending = 0
        hand_gil_over_promptly()

    def start(self, worker: Worker) -> Worker:
        self._workers.add(worker)
        self._pending += 1
        worker.done.connect(self._handled)
        worker.finished.connect(lambda w=worker: self._forget(w))
        worker.start()
        return worker

    def _handled(self) -> None:
        self._pending = max(0, self._pending - 1)

    def _forget(self, worker: Worker) -> None:
        self._workers.discard(worker)
        worker.deleteLater()

    @property
    def busy(self) -> bool:
        return self._pending > 0 or any(w.isRunning() for w in self._workers)

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        for w in list(self._workers):
            w.cancel()
        for w in list(self._workers):
            w.wait(timeout_ms)
            w.discarded = True  # its queued result would reach a closed window
        self._pending = 0
