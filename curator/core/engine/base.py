"""The engine contract and the local engine (the default; needs no Ray)."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, Final

import polars as pl

from curator.core.errors import CuratorError, UsageError
from curator.core.jobs import Job, Progress

ENGINES: Final = ("local", "ray")
BATCH_ROWS: Final = 20_000  # rows per batch: one progress step, one Ray block
_MAX_THREADS: Final = 4  # the local engine's calls in flight (each holds one record slice)

FrameFn = Callable[[pl.DataFrame], pl.DataFrame]


class EngineFailure(CuratorError):
    """The cluster failed mid-job (a worker died, the cluster went away): nothing published."""


class ReadAhead:
    """Calls started ahead of need; ``get`` returns each result in the caller's order.

    The local engine computes on demand (nothing runs ahead); a cluster engine keeps
    a window of calls running on its workers.
    """

    def __init__(self, fn: Callable[..., Any], plan: list[tuple[Any, ...]]) -> None:
        self.fn = fn
        self.keys = {args: i for i, args in enumerate(plan)}

    def has(self, key: tuple[Any, ...]) -> bool:
        return key in self.keys

    def get(self, key: tuple[Any, ...], step: str) -> Job[Any]:
        yield Progress(step, 0, None)
        return self.fn(*key)

    def close(self, unused: Callable[[Any], None], *, wait: bool = True) -> None:
        """Calls started but never asked for (their files were skipped): ``unused`` gets
        each one's result (to remove what it wrote), or, ``wait`` False (the job was
        cancelled), they are stopped. The local engine starts nothing ahead."""


class Engine:
    """Runs pure per-batch functions; subclasses choose where.

    ``fn`` must depend only on its batch (row-local): the concatenation of its
    outputs, in input order, is then the same whatever the batch boundaries.
    """

    name = "local"

    def map_frame(
        self, fn: FrameFn, df: pl.DataFrame, *, step: str, batch_rows: int = BATCH_ROWS
    ) -> Job[pl.DataFrame]:
        parts: list[pl.DataFrame] = []
        for start in range(0, df.height, batch_rows):
            yield Progress(step, start, df.height)
            parts.append(fn(df.slice(start, batch_rows)))
        yield Progress(step, df.height, df.height)
        return pl.concat(parts) if parts else fn(df.head(0))

    def map_parts(
        self,
        fn: Callable[[pl.DataFrame], dict[str, pl.DataFrame]],
        df: pl.DataFrame,
        *,
        step: str,
        batch_rows: int = BATCH_ROWS,
    ) -> Job[dict[str, pl.DataFrame]]:
        """Like ``map_frame`` for functions returning several named frames."""
        parts: dict[str, list[pl.DataFrame]] = {}
        for start in range(0, max(df.height, 1), batch_rows):
            yield Progress(step, start, df.height)
            for name, frame in fn(df.slice(start, batch_rows)).items():
                parts.setdefault(name, []).append(frame)
        yield Progress(step, df.height, df.height)
        return {name: pl.concat(p, how="vertical_relaxed") for name, p in parts.items()}

    def map_frame_into(
        self,
        fn: FrameFn,
        df: pl.DataFrame,
        sink: Callable[[pl.DataFrame], None],
        *,
        step: str,
        batch_rows: int = BATCH_ROWS,
    ) -> Job[None]:
        """Like ``map_frame``, but each batch's output goes to ``sink`` in input order
        and is dropped: memory holds a few batches, not the whole output (export)."""
        for start in range(0, df.height, batch_rows):
            yield Progress(step, start, df.height)
            sink(fn(df.slice(start, batch_rows)))
        yield Progress(step, df.height, df.height)

    def map_calls_into(
        self,
        fn: Callable[..., Any],
        shared: Any,
        calls: list[tuple[Any, ...]],
        sink: Callable[[Any], None],
        *,
        step: str,
    ) -> Job[None]:
        """``sink(fn(shared, *args))`` for each call, in order. ``shared`` is what every
        call reads (sent once to a cluster); each result is dropped once sunk, so memory
        holds a few results, not all of them (the sliced export's passes over the parts)."""
        # Calls run on a thread per CPU (Polars and pyarrow release the GIL), a window of
        # that many ahead: one slice is one chunk, which Polars would work on alone.
        workers = max(1, min(len(calls), os.cpu_count() or 1, _MAX_THREADS))
        yield Progress(step, 0, len(calls))
        if not calls:
            return
        with ThreadPoolExecutor(workers, thread_name_prefix="curator-engine") as pool:
            running: dict[int, Future[Any]] = {}
            nxt = 0
            try:
                for i in range(len(calls)):
                    while nxt < len(calls) and len(running) < workers:
                        running[nxt] = pool.submit(fn, shared, *calls[nxt])
                        nxt += 1
                    future = running.pop(i)
                    while True:
                        try:
                            result = future.result(timeout=0.5)
                            break
                        except FutureTimeout:
                            yield Progress(step, i, len(calls))
                    sink(result)
                    del result
                    yield Progress(step, i + 1, len(calls))
            finally:
                for left in running.values():  # cancelled or failed: start nothing more
                    left.cancel()

    def read_ahead(self, fn: Callable[..., Any], plan: list[tuple[Any, ...]]) -> ReadAhead:
        """Start ``fn(*args)`` for each planned call (see ReadAhead)."""
        return ReadAhead(fn, plan)

    def describe(self) -> str:
        return "local (this process)"


class LocalEngine(Engine):
    """Everything in this process, batch after batch."""


def engine_for(name: str | None, address: str | None = None) -> Engine:
    """The engine a command asked for (``--engine``, ``--ray-address``)."""
    if name in (None, "local"):
        if address:
            raise UsageError("--ray-address goes with --engine ray")
        return LocalEngine()
    if name == "ray":
        from curator.core.engine.ray_engine import RayEngine

        return RayEngine(address)
    raise UsageError(f"--engine must be one of {', '.join(ENGINES)}, got {name!r}")


def on_engine(
    name: str | None, address: str | None, make_job: Callable[[Engine], Job[Any]]
) -> Job[Any]:
    """``make_job(engine)`` on the engine named, connecting inside the job (the GUI runs
    this in a worker: joining a cluster takes seconds, and its errors are the job's)."""
    if name == "ray":
        yield Progress(
            "engine", 0, None, f"joining Ray at {address}" if address else "starting Ray"
        )
    engine = engine_for(name, address or None)
    return (yield from make_job(engine))
