"""A window that closes while a worker's result is still queued must not receive it.

CI caught this: a record-list enrichment finished just before its window closed; the
queued result then ran against the deleted controller ("Signal source has been
deleted") inside the next test's event loop.
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QApplication

from curator.gui.session.workers import Worker, WorkerPool, call_task


def test_a_result_queued_when_the_pool_shut_down_reaches_no_listener(qtbot: Any) -> None:
    pool = WorkerPool()
    seen: list[str] = []
    w = Worker(call_task(lambda: 42))
    w.succeeded.connect(lambda r: seen.append(f"succeeded {r}"))
    w.done.connect(lambda: seen.append("done"))
    pool.start(w)
    w.wait()  # finished; its result is queued, not yet delivered
    pool.shutdown()
    QApplication.processEvents()
    assert seen == []
    assert not pool.busy


def test_a_result_still_reaches_its_listener_without_a_shutdown(qtbot: Any) -> None:
    pool = WorkerPool()
    seen: list[str] = []
    w = Worker(call_task(lambda: 42))
    w.succeeded.connect(lambda r: seen.append(f"succeeded {r}"))
    w.done.connect(lambda: seen.append("done"))
    pool.start(w)
    qtbot.waitUntil(lambda: seen == ["succeeded 42", "done"], timeout=5_000)
