"""The Ray engine: the same per-batch functions, run as Ray Data ``map_batches``.

Batches travel as Arrow blocks. Each worker runs the job's own function (the same
MinHash kernel, the same filter ``score()``), and the driver reads the results back
in input order (``preserve_order``), so the concatenation equals the local engine's.
Candidate pairs for near-duplicates come from banding on the workers: one band per
task runs the local banding code on that band (the signatures sit once in the
object store); the driver merges and verifies the pairs exactly as the local job does.

Ray is optional (``pip install -e '.[ray]'``); every Ray failure becomes a
``CuratorError`` that says nothing was published.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import socket
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

import polars as pl
import pyarrow as pa

import curator
from curator.core.engine.base import BATCH_ROWS, Engine, EngineFailure, ReadAhead
from curator.core.errors import CuratorError
from curator.core.jobs import Job, Progress

# Fault tests: this variable names a file; a worker whose step is written in it exits hard.
FAULT_ENV: Final = "CURATOR_FAULT_RAY_WORKER"


def _fault(step: str) -> None:
    path = os.environ.get(FAULT_ENV)
    if path and os.path.exists(path) and Path(path).read_text().strip() == step:
        os._exit(3)


RETRIES: Final = 2  # a task whose worker died runs again twice, then the job fails
_INSTALL_HINT: Final = "pip install -e '.[ray]' (or pip install 'ray[data]')"

PartsFn = Callable[[pl.DataFrame], dict[str, pl.DataFrame]]


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise CuratorError(
            f"--engine ray needs Ray, which is not installed: {_INSTALL_HINT}"
        ) from exc
    return ray


def _code_path() -> str:
    """The folder the driver imports ``curator`` from: workers import the same code."""
    return str(Path(curator.__file__).resolve().parent.parent)


def _pack(frames: dict[str, pl.DataFrame]) -> pa.Table:
    """A worker's outputs as one small Arrow table: name, Arrow IPC bytes."""
    names, blobs = [], []
    for name, df in frames.items():
        buf = io.BytesIO()
        df.write_ipc(buf)
        names.append(name)
        blobs.append(buf.getvalue())
    return pa.table({"name": pa.array(names, pa.string()), "ipc": pa.array(blobs, pa.binary())})


def _unpack(table: pa.Table) -> Iterator[tuple[str, pl.DataFrame]]:
    for name, blob in zip(
        table.column("name").to_pylist(), table.column("ipc").to_pylist(), strict=True
    ):
        yield name, pl.read_ipc(io.BytesIO(blob))


class _Apply:
    """The callable shipped to workers: Arrow batch -> job function -> packed outputs."""

    def __init__(self, fn: PartsFn, step: str) -> None:
        self.fn = fn
        self.step = step

    def __call__(self, batch: pa.Table) -> pa.Table:
        _fault(self.step)
        frame = pl.from_arrow(batch)
        assert isinstance(frame, pl.DataFrame)
        return _pack(self.fn(frame))


class RayEngine(Engine):
    """Joins ``address`` (``auto``: an existing cluster) or starts a local Ray instance."""

    name = "ray"

    def __init__(self, address: str | None = None) -> None:
        ray = _ray()
        self.address = address
        if not ray.is_initialized():
            _check_reachable(address)
            env = {
                "PYTHONPATH": os.pathsep.join(
                    p for p in (_code_path(), os.environ.get("PYTHONPATH")) if p
                )
            }
            if os.environ.get(FAULT_ENV):
                env[FAULT_ENV] = os.environ[FAULT_ENV]
            try:
                ray.init(
                    address=address,
                    include_dashboard=False,
                    log_to_driver=False,
                    configure_logging=False,
                    runtime_env={"env_vars": env},
                )
            except (ConnectionError, RuntimeError, ValueError) as exc:
                where = address or "a local Ray instance"
                raise CuratorError(
                    f"cannot reach the Ray cluster at {where}: {exc}. Start one with "
                    "`ray start --head` and pass --ray-address auto, or leave --ray-address "
                    "out to start a local instance."
                ) from exc
        for name in ("ray", "ray.data", "ray.data._internal"):
            logging.getLogger(name).setLevel(logging.ERROR)  # the job's bar reports progress
        # max_retries travels as a remote arg, which Ray 2.60 calls deprecated; it still works
        warnings.filterwarnings("ignore", message=".*ray_remote_args.*deprecated")
        ctx = ray.data.DataContext.get_current()
        ctx.execution_options.preserve_order = True  # results come back in input order
        ctx.enable_progress_bars = False  # progress goes to the job's own bar
        self._ray = ray

    def describe(self) -> str:
        nodes = [n for n in self._ray.nodes() if n.get("Alive")]
        cpus = int(self._ray.cluster_resources().get("CPU", 0))
        return f"ray ({len(nodes)} node{'s' if len(nodes) != 1 else ''}, {cpus} CPUs)"

    # --- per-batch work ------------------------------------------------------------
    def map_parts(
        self, fn: PartsFn, df: pl.DataFrame, *, step: str, batch_rows: int = BATCH_ROWS
    ) -> Job[dict[str, pl.DataFrame]]:
        """Run ``fn`` on each batch on the cluster; concatenate each output in order."""
        ray = self._ray
        yield Progress(step, 0, df.height, "on Ray")
        if df.height == 0:
            return fn(df)
        blocks = [df.slice(s, batch_rows).to_arrow() for s in range(0, df.height, batch_rows)]
        sizes = [b.num_rows for b in blocks]
        out: dict[str, list[pl.DataFrame]] = {}
        try:
            ds = ray.data.from_arrow(blocks).map_batches(
                _Apply(fn, step),
                batch_format="pyarrow",
                batch_size=None,
                zero_copy_batch=True,
                max_retries=RETRIES,
            )
            done = 0
            for i, batch in enumerate(ds.iter_batches(batch_size=None, batch_format="pyarrow")):
                for name, frame in _unpack(batch):
                    out.setdefault(name, []).append(frame)
                done += sizes[i] if i < len(sizes) else 0
                yield Progress(step, min(done, df.height), df.height, "on Ray")
        except ray.exceptions.RayError as exc:
            raise _failed(step, exc) from exc
        return {name: pl.concat(parts, how="vertical_relaxed") for name, parts in out.items()}

    def map_frame(
        self,
        fn: Callable[[pl.DataFrame], pl.DataFrame],
        df: pl.DataFrame,
        *,
        step: str,
        batch_rows: int = BATCH_ROWS,
    ) -> Job[pl.DataFrame]:
        parts = yield from self.map_parts(_Single(fn), df, step=step, batch_rows=batch_rows)
        return parts["out"] if "out" in parts else fn(df.head(0))

    def map_frame_into(
        self,
        fn: Callable[[pl.DataFrame], pl.DataFrame],
        df: pl.DataFrame,
        sink: Callable[[pl.DataFrame], None],
        *,
        step: str,
        batch_rows: int = BATCH_ROWS,
    ) -> Job[None]:
        """A window of tasks (two per CPU) over batches cut when sent; each result goes to
        ``sink`` in input order and is dropped. The driver holds the input frame and a
        window of batches: the whole output never sits in memory at once (at 1M records
        the Ray Data path held it all and more, 22.8 GB, and was OOM-killed)."""
        ray = self._ray
        starts = list(range(0, df.height, batch_rows))
        yield Progress(step, 0, df.height, "on Ray")
        if not starts:
            return
        window = 2 * max(1, int(ray.cluster_resources().get("CPU", 1)))
        apply = ray.put(_Apply(_Single(fn), step))
        remote = ray.remote(max_retries=RETRIES)(_call)
        running: dict[int, Any] = {}
        nxt = 0
        try:
            for i, start in enumerate(starts):
                while nxt < len(starts) and len(running) < window:
                    running[nxt] = remote.remote(
                        apply, df.slice(starts[nxt], batch_rows).to_arrow()
                    )
                    nxt += 1
                ref = running.pop(i)
                while not ray.wait([ref], timeout=0.5)[0]:
                    yield Progress(step, start, df.height, "on Ray")
                for name, frame in _unpack(ray.get(ref)):
                    if name == "out":
                        sink(frame)
                del ref
                yield Progress(step, min(start + batch_rows, df.height), df.height, "on Ray")
        except ray.exceptions.RayError as exc:
            raise _failed(step, exc) from exc
        finally:
            for left in running.values():  # cancelled or failed: stop what still runs
                ray.cancel(left)

    def map_calls_into(
        self,
        fn: Callable[..., Any],
        shared: Any,
        calls: list[tuple[Any, ...]],
        sink: Callable[[Any], None],
        *,
        step: str,
    ) -> Job[None]:
        """A window of tasks (two per CPU) over ``calls``; ``shared`` is put in the object
        store once; results reach ``sink`` in call order and are dropped."""
        ray = self._ray
        yield Progress(step, 0, len(calls), "on Ray")
        if not calls:
            return
        window = 2 * max(1, int(ray.cluster_resources().get("CPU", 1)))
        shared_ref = ray.put(shared)
        remote = ray.remote(max_retries=RETRIES)(_step_call)
        running: dict[int, Any] = {}
        nxt = 0
        try:
            for i in range(len(calls)):
                while nxt < len(calls) and len(running) < window:
                    running[nxt] = remote.remote(step, fn, shared_ref, *calls[nxt])
                    nxt += 1
                ref = running.pop(i)
                while not ray.wait([ref], timeout=0.5)[0]:
                    yield Progress(step, i, len(calls), "on Ray")
                sink(ray.get(ref))
                del ref
                yield Progress(step, i + 1, len(calls), "on Ray")
        except ray.exceptions.RayError as exc:
            raise _failed(step, exc) from exc
        finally:
            for left in running.values():  # cancelled or failed: stop what still runs
                ray.cancel(left)

    def read_ahead(self, fn: Callable[..., Any], plan: list[tuple[Any, ...]]) -> ReadAhead:
        return _RayReadAhead(self._ray, fn, plan)

    # --- jobs whose workers read the workspace themselves -----------------------------
    def dedup_found(self, ws: Any, settings: Any, full: bool) -> Job[Any]:
        """Near-duplicate stage on the cluster (``engine.ray_dedup``): keys and pairs come back."""
        from curator.core.engine.ray_dedup import dedup_found

        return dedup_found(self, ws, settings, full)

    def remote_records(self, ws: Any) -> Any:
        """The workspace's records read by the workers (``engine.ray_filters``)."""
        from curator.core.engine.ray_filters import RemoteRecords

        return RemoteRecords(self, ws)


class _RayReadAhead(ReadAhead):
    """A window of remote calls (one per CPU) kept running ahead of the caller."""

    def __init__(self, ray: Any, fn: Callable[..., Any], plan: list[tuple[Any, ...]]) -> None:
        super().__init__(fn, plan)
        self.ray = ray
        self.plan = plan
        self.window = max(1, int(ray.cluster_resources().get("CPU", 1)))
        self.remote = ray.remote(max_retries=RETRIES)(_fault_wrapped(fn))
        self.running: dict[int, Any] = {}
        self.next = 0
        self._fill(0)

    def _fill(self, upto: int) -> None:
        while self.next < len(self.plan) and (self.next <= upto or len(self.running) < self.window):
            self.running[self.next] = self.remote.remote(*self.plan[self.next])
            self.next += 1

    def get(self, key: tuple[Any, ...], step: str) -> Job[Any]:
        i = self.keys[key]
        self._fill(i)
        ref = self.running.pop(i)
        try:
            while not self.ray.wait([ref], timeout=0.5)[0]:
                yield Progress(step, 0, None, "reading on Ray")
            value = self.ray.get(ref)
        except self.ray.exceptions.RayTaskError as exc:
            self._fill(i)
            cause = getattr(exc, "cause", None)
            if isinstance(cause, Exception) and not isinstance(cause, self.ray.exceptions.RayError):
                raise cause from None  # the file's own error (damaged, unreadable): as locally
            raise _failed(step, exc) from exc
        except self.ray.exceptions.RayError as exc:
            raise _failed(step, exc) from exc
        self._fill(i)
        return value

    def close(self, unused: Callable[[Any], None], *, wait: bool = True) -> None:
        left, self.running = list(self.running.values()), {}
        self.next = len(self.plan)  # start nothing more
        for ref in left:
            if not wait:
                with contextlib.suppress(Exception):
                    self.ray.cancel(ref, force=True)
                continue
            try:
                value = self.ray.get(ref)
            except Exception:  # a skipped file that failed left nothing to remove
                continue
            unused(value)


def _call(apply: _Apply, batch: pa.Table) -> pa.Table:
    """A task body for ``map_frame_into`` (``ray.remote`` wants a function)."""
    return apply(batch)


def _step_call(step: str, fn: Callable[..., Any], shared: Any, *args: Any) -> Any:
    """A task body for ``map_calls_into``: the fault hook for ``step``, then the call."""
    _fault(step)
    return fn(shared, *args)


def _fault_wrapped(fn: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        _fault("read")
        return fn(*args)

    call.__name__ = getattr(fn, "__name__", "call")
    return call


class _Single:
    def __init__(self, fn: Callable[[pl.DataFrame], pl.DataFrame]) -> None:
        self.fn = fn

    def __call__(self, df: pl.DataFrame) -> dict[str, pl.DataFrame]:
        return {"out": self.fn(df)}


def _check_reachable(address: str | None, timeout: float = 5.0) -> None:
    """Fail fast on a HOST:PORT nobody listens on (ray.init would retry for minutes)."""
    if not address or address == "auto" or address.startswith("local"):
        return
    hostport = address.split("://", 1)[-1].rstrip("/")
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        raise CuratorError(f"--ray-address {address!r} is not HOST:PORT, ray://HOST:PORT or auto")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except OSError as exc:
        raise CuratorError(
            f"cannot reach the Ray cluster at {address} ({exc.strerror or exc}); nothing was "
            "changed. Check the address (`ray status` on the head node prints it), or leave "
            "--ray-address out to start a local Ray instance."
        ) from exc


def _failed(step: str, exc: BaseException) -> EngineFailure:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return EngineFailure(
        f"a Ray worker failed during '{step}' ({type(exc).__name__}: {first[:200]}); "
        "nothing was published. Re-run the command; if it fails again, run with "
        "--engine local or check the cluster's logs (ray status)."
    )
