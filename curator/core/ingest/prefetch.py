"""Run a reader one chunk ahead in a background thread.

A reader's work (reading the file, finding lines, the guards, Polars parsing)
and the pipeline's work on the previous chunk (roles, repair, ids) then overlap:
Polars and numpy release the GIL, so on two cores the import takes about the
time of the slower of the two instead of their sum. At most ``depth`` chunks
wait in the queue, so memory grows by that many raw chunks, not by the file.

Exceptions raised by the reader are raised again, unchanged, in the consumer.
Closing the consuming generator (a cancelled import, an error further on)
stops the thread and closes the reader, so its files are released.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def prefetch(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """Yield what ``items`` yields, computing the next ones in a worker thread."""
    q: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items:
                if not put(item):
                    break
            else:
                put(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            put(_Failed(exc))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=work, name="curator-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.exc
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join()
