"""Polars' native threads give way to the UI thread (Linux); the UI thread and the
Python workers (which hold the GIL the UI thread waits for) keep their priority."""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

import polars as pl
import pytest

pytest.importorskip("pytestqt")

from curator.gui.session.workers import BACKGROUND_NICE, Worker, WorkerPool, call_task

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")


def _nice(tid: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, tid)


def _polars_threads() -> list[int]:
    out = []
    for t in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{t}/comm") as f:
                if f.read().startswith(("polars-", "async-executor")):
                    out.append(int(t))
        except OSError:
            pass
    return out


def test_polars_threads_run_below_the_ui_thread_and_python_workers(qtbot: Any) -> None:
    ui = threading.get_native_id()
    before = _nice(ui)
    pool = WorkerPool()

    def task() -> tuple[int, int]:
        big = pl.DataFrame({"a": range(200_000)}).lazy().select(pl.col("a").sum()).collect()
        return _nice(threading.get_native_id()), int(big.item())

    w = Worker(call_task(task))
    got: list[Any] = []
    w.succeeded.connect(got.append)
    pool.start(w)
    qtbot.waitUntil(lambda: bool(got) and not pool.busy, timeout=10_000)
    assert got[0] == (before, sum(range(200_000)))  # the worker itself keeps its priority
    assert _nice(ui) == before  # and so does the UI thread
    threads = _polars_threads()
    assert threads and all(_nice(t) >= BACKGROUND_NICE for t in threads)
    assert sys.getswitchinterval() <= 0.001  # a Python worker hands the GIL back within 1 ms
