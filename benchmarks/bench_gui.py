"""GUI at scale (offscreen): time to first paint and the worst UI-thread stall per action on 1M records.

Builds a synthetic workspace once (written straight through ``Workspace.add_import``,
with scores, filter flags and 2-record duplicate clusters) and copies it fresh for
every run, so a run's reviews and its import never leak into the next. Opens it in
the real main window and, while a 5 ms QTimer heartbeat on the UI thread records the
longest gap it went without serving events, does each action the budget names:
opening, scrolling, reviewing by keyboard (approve, reject, edit, next record),
undoing a bulk step, switching to the Readiness, Duplicates and Pipeline tabs (and
back), and importing a file. Prints the worst stall per action beside the 50 ms
budget. ``--why`` samples the UI thread's Python stack during every gap over 30 ms
and prints where the worst ones were spent: the UI thread's own stack and the workers',
its time on a CPU (near none: it was blocked, e.g. a worker held the GIL), its calls over
8 ms from a profile hook (C calls named, e.g. a Qt method) and, for a native stretch, the
Qt event it began after (an application event filter).

Baselines in the same run: the block model against every row as Python objects up
front, and the in-memory patch against re-reading the frame after a review action.

    python benchmarks/bench_gui.py [--records 1000000] [--template /tmp/bench_gui_1m.curator] [--why]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import polars as pl

from curator.core import records as R
from curator.core.workspace import Workspace

WORDS = [
    "order",
    "refund",
    "shipping",
    "account",
    "password",
    "invoice",
    "delivery",
    "router",
    "billing",
    "upgrade",
]


def synthetic_records(n: int, source: str = "synthetic.jsonl") -> pl.DataFrame:
    """n four-message conversations in RECORD_SCHEMA, built column-wise in Polars."""
    per = 4
    long = pl.DataFrame({"k": pl.int_range(0, n * per, eager=True)}).with_columns(
        (pl.col("k") // per).alias("i"), (pl.col("k") % per).alias("t")
    )
    word = pl.lit(pl.Series(WORDS)).get((pl.col("i") * 7 + pl.col("t")) % len(WORDS))
    content = pl.concat_str(
        pl.when(pl.col("t") % 2 == 0)
        .then(pl.lit("Hi, about my "))
        .otherwise(pl.lit("Thanks for asking about your ")),
        word,
        pl.lit(" #"),
        pl.col("i").cast(pl.String),
        pl.when(pl.col("t") % 2 == 0)
        .then(pl.lit(": it has been three days and nothing has changed, can you check?"))
        .otherwise(
            pl.lit(". I have checked it: the fix is on its way and you will get an email today.")
        ),
    )
    msgs = long.select(
        pl.struct(
            pl.when(pl.col("t") % 2 == 0)
            .then(pl.lit("user"))
            .otherwise(pl.lit("assistant"))
            .alias("role"),
            content.alias("content"),
            pl.lit(None, pl.String).alias("name"),
            pl.lit(None, pl.Int8).alias("weight"),
            pl.lit(None, pl.String).alias("tool_calls"),
            pl.lit(None, pl.String).alias("tool_call_id"),
        ).alias(R.MESSAGES)
    ).to_series()
    messages = msgs.reshape((n, per)).cast(R.MESSAGES_DTYPE)
    i = pl.int_range(0, n, eager=True)
    df = (
        pl.DataFrame({"i": i})
        .select(
            pl.concat_str(pl.lit("r"), pl.col("i").cast(pl.String).str.zfill(8)).alias(R.ID),
            pl.lit(source).alias(R.SOURCE),
            pl.lit(f"/data/{source}").alias(R.SOURCE_PATH),
            pl.concat_str(pl.lit("line "), (pl.col("i") + 1).cast(pl.String)).alias(R.LOCATOR),
            (pl.col("i") + 1).cast(pl.Int64).alias(R.LINE),
            pl.lit("{}").alias(R.META),
            pl.lit([], pl.List(pl.String)).alias(R.REPAIRS),
            pl.lit(0, pl.Int64).alias(R.IMPORT_ID),
        )
        .with_columns(messages.alias(R.MESSAGES))
    )
    missing = [
        pl.lit(None, dtype).alias(name)
        for name, dtype in R.RECORD_SCHEMA.items()
        if name not in df.columns
    ]
    return (
        df.with_columns(missing).select(list(R.RECORD_SCHEMA.names())).cast(dict(R.RECORD_SCHEMA))
    )


def build_workspace(path: Path, n: int) -> None:
    """The template workspace at ``path`` (kept between runs; rebuilt if its size differs)."""
    if (path / "curator.db").exists():
        ws = Workspace.open(path)
        if ws.record_count() == n and ws.get_setting("bench_gui.version") == TEMPLATE_VERSION:
            return
        shutil.rmtree(path)
    ws = Workspace.open(path, create=True)
    t = time.perf_counter()
    df = synthetic_records(n)
    ws.add_import(
        source="synthetic.jsonl",
        path="/data/synthetic.jsonl",
        file_hash=f"synthetic-{n}",
        fmt="openai",
        options={},
        records=df,
        quarantine=[],
    )
    ids = df.get_column(R.ID)
    langs = pl.Series(["en", "de", "fr", "es"]).gather(pl.int_range(0, n, eager=True) % 4)
    ws.write_result("scores_language", pl.DataFrame({R.ID: ids, "language": langs}))
    ws.write_result(
        "scores_length",
        pl.DataFrame({R.ID: ids, "tokens": (pl.int_range(0, n, eager=True) % 900) + 40}),
    )
    flagged = ids.gather(pl.int_range(0, n, 97, eager=True))
    ws.write_flags(
        "filters",
        pl.DataFrame(
            {R.ID: flagged, "name": "length.short", "reason": "under 50 tokens", "severity": "warn"}
        ),
    )
    # every 50th record and the next one: a near-duplicate cluster of two (20k clusters at 1M)
    from curator.core.dedup.store import write_clusters

    keepers = pl.int_range(0, n - 1, 50, eager=True)
    members = pl.concat([keepers, keepers + 1]).sort()
    clusters = pl.DataFrame(
        {"m": members, R.ID: ids.gather(members), "k": ids.gather(members - members % 50)}
    ).select(
        R.ID,
        pl.concat_str(pl.lit("c"), (pl.col("m") - pl.col("m") % 50).cast(pl.String)).alias(
            R.CLUSTER_ID
        ),
        pl.when(pl.col("m") % 50 == 0).then(None).otherwise(pl.col("k")).alias(R.DUPLICATE_OF),
        pl.when(pl.col("m") % 50 == 0).then(None).otherwise(pl.lit(0.91)).alias(R.SIMILARITY),
        pl.lit("near").alias("kind"),
    )
    write_clusters(ws, clusters)
    ws.set_setting("bench_gui.version", TEMPLATE_VERSION)
    print(f"built the {n:,}-record template workspace in {time.perf_counter() - t:.1f} s at {path}")


TEMPLATE_VERSION = 2
BUDGET_PAINT = 1.0  # seconds to the first painted page
BUDGET_STALL = 0.050  # seconds the UI thread may go without serving events
SAMPLE_OVER = 0.030  # --why: sample the UI thread's stack during gaps longer than this
LONG_CALL = 0.008  # --why: calls (Python or C) lasting longer than this are recorded


class CallTrace:
    """--why: every call lasting over LONG_CALL on the UI thread and in the GUI's worker
    threads, from a profile hook (``sys.setprofile``), C calls included: a gap with no
    Python frame to sample (a Qt method doing layout, style polish or text layout; a
    worker's C call holding the GIL) is named by the call it was spent in."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, float, str, int, str]] = []  # start, end, thread, depth, name
        self.events: list[tuple[float, str]] = []  # (delivered at, "receiver class, event type")

    def hook(self, thread: str) -> Any:
        stack: list[float] = []
        calls = self.calls
        clock = time.perf_counter

        def hook(frame: Any, event: str, arg: Any) -> None:
            if event == "call" or event == "c_call":
                stack.append(clock())
            elif stack:
                t0 = stack.pop()
                t1 = clock()
                if t1 - t0 > LONG_CALL:
                    code = frame.f_code
                    if event == "return":
                        name = (
                            f"{code.co_qualname} ({_short(code.co_filename)}:{code.co_firstlineno})"
                        )
                    else:
                        name = (
                            f"{getattr(arg, '__qualname__', repr(arg))} [C, called at"
                            f" {_short(code.co_filename)}:{frame.f_lineno}]"
                        )
                    calls.append((t0, t1, thread, len(stack), name))

        return hook

    def install(self, app: Any) -> None:
        """On the UI thread (workers are sampled instead: a hook there slowed them enough
        to distort the gaps), plus an application-wide event filter that notes each Qt
        event as it is delivered: a native stretch is named by the event it began in."""
        from PySide6.QtCore import QObject

        sys.setprofile(self.hook("UI"))
        events = self.events
        clock = time.perf_counter

        class EventNotes(QObject):
            def eventFilter(self, obj: Any, e: Any) -> bool:
                name = obj.objectName()
                events.append(
                    (clock(), f"{type(obj).__name__}{f' {name!r}' if name else ''} {e.type().name}")
                )
                return False

        self._notes = EventNotes()
        app.installEventFilter(self._notes)

    def during(self, start: float, end: float, top: int = 4) -> list[str]:
        """The innermost long calls overlapping [start, end] by over half of LONG_CALL."""
        over = [
            (min(end, t1) - max(start, t0), depth, thread, name, t1 - t0)
            for t0, t1, thread, depth, name in self.calls
            if min(end, t1) - max(start, t0) > LONG_CALL / 2 and not name.startswith(_HARNESS)
        ]
        lines = []
        # the longest stretch of the gap with no event delivered: named by the event before it
        seen = [(t, what) for t, what in self.events if start - 0.5 <= t <= end]
        before = [x for x in seen if x[0] < start]
        prev = before[-1] if before else (start, "(before the gap)")
        best = (0.0, "")
        for t, what in [x for x in seen if x[0] >= start] + [(end, "")]:
            quiet = t - max(prev[0], start)
            if quiet > best[0]:
                best = (quiet, prev[1])
            prev = (t, what)
        if best[0] > LONG_CALL:
            lines.append(
                f"        UI: {best[0] * 1000:.0f} ms with no event delivered, after: {best[1]}"
            )
        for thread in sorted({o[2] for o in over}, key=lambda t: t != "UI"):
            mine = sorted(
                (o for o in over if o[2] == thread), key=lambda o: (-round(o[0] * 250), -o[1])
            )
            for ov, depth, _t, name, dur in mine[:top]:
                lines.append(
                    f"        {thread}: {ov * 1000:.0f} ms of it in {name} ({dur * 1000:.0f} ms, depth {depth})"
                )
        return lines


_HARNESS = (
    "wait_for ",
    "pump ",
    "QCoreApplication.processEvents ",
    "sleep ",
    "StallProbe.",
    "main.",
)


def _short(filename: str) -> str:
    return filename.split("/curator/", 1)[-1] if "/curator/" in filename else Path(filename).name


def _stack(frame: Any, depth: int = 7) -> str:
    """The innermost Curator/benchmark frames of a stack, innermost last."""
    out: list[str] = []
    f = frame
    while f is not None and len(out) < depth:
        name = f.f_code.co_filename
        if "/curator/" in name or "/benchmarks/" in name or "/polars/" in name:
            short = name.split("/curator/", 1)[-1] if "/curator/" in name else Path(name).name
            out.append(f"{short}:{f.f_lineno} {f.f_code.co_name}")
        f = f.f_back
    return " <- ".join(out) or "(in Qt)"


def _schedstat_reader() -> Any:
    """A function giving the calling thread's (seconds on a CPU, seconds waiting for one),
    from /proc (Linux); None elsewhere."""
    try:
        f = open(f"/proc/self/task/{threading.get_native_id()}/schedstat", "rb", buffering=0)  # noqa: SIM115
    except OSError:
        return None

    def read() -> tuple[float, float]:
        f.seek(0)
        run, wait, _ = f.read().split()
        return int(run) / 1e9, int(wait) / 1e9

    return read


class StallProbe:
    """A 5 ms QTimer on the UI thread; the longest gap between ticks is the worst stall.

    On a loaded machine part of a gap is the UI thread waiting for a CPU (the kernel's
    run-queue wait, from /proc/.../schedstat): ``worst_own`` is the worst gap less that
    wait, i.e. the stall this program causes itself (its own work, GIL and lock waits).
    With ``sample``, a watchdog thread records the UI thread's Python stack every few ms
    while a gap is open, so the worst gaps can be attributed (``--why``).
    """

    def __init__(self, sample: bool = False) -> None:
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)
        self.sched = _schedstat_reader()
        self.last = time.perf_counter()
        self.last_wait = 0.0
        self.last_run = 0.0
        self.worst = 0.0
        self.worst_own = 0.0
        self.sample = sample
        self.main = threading.get_ident()
        self._samples: list[tuple[float, str]] = []
        self.gaps: list[tuple[float, float, Counter[str], float, float]] = []
        self.trace: CallTrace | None = None
        if sample:
            self.trace = CallTrace()
            self.trace.install(QApplication.instance())
        self._stop = threading.Event()
        self._running = False  # read by the watchdog thread instead of the QTimer (no Qt call off the UI thread)
        self._watcher: threading.Thread | None = None
        if sample:
            self._watcher = threading.Thread(target=self._watch, daemon=True)
            self._watcher.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            time.sleep(0.003)
            now = time.perf_counter()
            if self._running and now - self.last > 0.015:
                frames = sys._current_frames()
                self._samples.append((now, _stack(frames.get(self.main))))
                for ident, frame in frames.items():
                    if ident != self.main and ident != threading.get_ident():
                        where = _stack(frame)
                        if where != "(in Qt)":
                            self._samples.append((now, "[worker] " + where))

    def _wait(self) -> float:
        return self.sched()[1] if self.sched is not None else 0.0

    def _run(self) -> float:
        return self.sched()[0] if self.sched is not None else 0.0

    def start(self) -> None:
        self.last = time.perf_counter()
        self.last_wait = self._wait()
        self.last_run = self._run()
        self.worst = self.worst_own = 0.0
        self.gaps = []
        self._samples = []
        if self.trace is not None:
            self.trace.calls.clear()
            self.trace.events.clear()
        self._running = True
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        wait = self._wait()
        gap = now - self.last
        own = max(0.0, gap - (wait - self.last_wait))
        self.worst = max(self.worst, gap)
        self.worst_own = max(self.worst_own, own)
        run = self._run() if self.sample else 0.0
        if self.sample and gap > SAMPLE_OVER:
            hits = Counter(s for t, s in self._samples if self.last <= t <= now)
            # on a CPU: the UI thread's own work; the rest of "own" it was blocked (the GIL
            # held by another thread, a lock)
            hits[f"#oncpu {run - self.last_run}"] = 0
            self.gaps.append((gap, own, hits, self.last, now))
        self._samples = [x for x in self._samples if x[0] > now]
        self.last, self.last_wait, self.last_run = now, wait, run

    def stop(self) -> tuple[float, float]:
        """(worst gap, worst gap less CPU queueing) since start()."""
        self.timer.stop()
        self._running = False
        self._tick()
        return self.worst, self.worst_own

    def close(self) -> None:
        """Stop the watchdog thread before Qt deletes the timer (it printed "QTimer already
        deleted" at exit)."""
        self._running = False
        if self.trace is not None:
            sys.setprofile(None)
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join()

    def why(self, top: int = 3) -> list[str]:
        lines = []
        for gap, own, hits, start, end in sorted(self.gaps, key=lambda g: -g[1])[:top]:
            ui = Counter({k: n for k, n in hits.items() if not k.startswith(("[worker]", "#"))})
            wk = Counter({k: n for k, n in hits.items() if k.startswith("[worker]")})
            cpu = next((float(k.split()[1]) for k in hits if k.startswith("#oncpu")), 0.0)
            where = "; ".join(f"{n}x {s}" for s, n in ui.most_common(2)) or "(no sample)"
            lines.append(
                f"      {gap * 1000:.0f} ms ({own * 1000:.0f} ms own, {cpu * 1000:.0f} ms on a CPU): {where}"
            )
            for k, n in wk.most_common(1):
                lines.append(f"        {n}x {k}")
            if self.trace is not None:
                lines.extend(self.trace.during(start, end))
        return lines


def _memory() -> str:
    """This process's resident memory now and at its peak (Linux)."""
    try:
        fields = dict(
            line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines()
        )
    except OSError:
        return "memory not known"
    gb = {k: int(fields[k].split()[0]) / 1e6 for k in ("VmRSS", "VmHWM") if k in fields}
    return f"RSS {gb.get('VmRSS', 0):.2f} GB (peak {gb.get('VmHWM', 0):.2f} GB)"


def pump(app: Any, seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)


def wait_for(app: Any, cond: Any, timeout: float = 120.0) -> None:
    end = time.perf_counter() + timeout
    while not cond():
        if time.perf_counter() > end:
            raise TimeoutError("condition not reached")
        app.processEvents()
        time.sleep(0.001)


def write_import_file(path: Path, n: int) -> None:
    """n small OpenAI-style conversations as JSONL (the file the import action reads)."""
    import json

    with path.open("w") as f:
        for i in range(n):
            f.write(
                json.dumps(
                    {
                        "messages": [
                            {
                                "role": "user",
                                "content": f"New question {i}: where is parcel {i * 31}?",
                            },
                            {
                                "role": "assistant",
                                "content": f"Parcel {i * 31} left the depot this morning.",
                            },
                        ]
                    }
                )
                + "\n"
            )


class Results:
    """Worst stall per action, printed beside the budget as they come."""

    def __init__(self, probe: StallProbe) -> None:
        self.rows: list[tuple[str, float, float, float]] = []
        self.probe = probe

    def add(self, action: str, stall: tuple[float, float]) -> None:
        wall, own = stall
        self.rows.append((action, wall, own, BUDGET_STALL))
        print(
            f"  {action:<52} {wall * 1000:6.0f} ms {'met' if wall < BUDGET_STALL else 'NOT MET':>7}"
            f"   {own * 1000:6.0f} ms {'met' if own < BUDGET_STALL else 'NOT MET':>7}",
            flush=True,
        )
        if self.probe.sample:
            for line in self.probe.why():
                print(line)

    def paint(self, seconds: float) -> None:
        self.rows.append(("first paint", seconds, seconds, BUDGET_PAINT))
        print(
            f"  {'time to first paint (window + first page)':<52} {seconds:6.2f} s  "
            f"{'met' if seconds < BUDGET_PAINT else 'NOT MET':>7}   (budget < {BUDGET_PAINT:g} s)",
            flush=True,
        )

    def header(self) -> None:
        print(
            f"  {'action':<52} {'worst stall':>17}   {'less CPU queueing':>17}   (budget < {BUDGET_STALL * 1000:g} ms)"
        )

    def missed(self, own: bool) -> list[str]:
        return [a for a, wall, mine, b in self.rows if (mine if own else wall) >= b]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument(
        "--template",
        type=Path,
        default=Path("/tmp/bench_gui_1m.curator"),
        help="built once and kept; every run works on a fresh copy",
    )
    ap.add_argument("--actions", type=int, default=15, help="key presses per review action")
    ap.add_argument(
        "--bulk", type=int, default=20_000, help="records in the bulk step that is undone"
    )
    ap.add_argument("--import-records", type=int, default=2_000)
    ap.add_argument(
        "--why",
        action="store_true",
        help="attribute the worst stalls: stack samples of every thread, the UI thread's time on a CPU, its calls over 8 ms (a profile hook, which slows it) and the Qt event each native stretch began after",
    )
    args = ap.parse_args()
    build_workspace(args.template, args.records)
    run_dir = Path(f"{args.template}.run")
    shutil.rmtree(run_dir, ignore_errors=True)
    shutil.copytree(args.template, run_dir)
    ws = Workspace.open(run_dir)
    ws.set_setting("gui.last_record", None)
    ws.set_setting("gui.queue", "pending")
    # approving a planted near-duplicate would ask first (a modal dialog): answered "don't ask"
    ws.set_setting("gui.approve_flags_without_asking", ["near_duplicate"])
    import_file = Path(f"{args.template}.import.jsonl")
    write_import_file(import_file, args.import_records)

    from PySide6.QtCore import QEvent, QObject, QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from curator.gui.main_window import MainWindow
    from curator.gui.session import display as D
    from curator.gui.start.start_page import RecentWorkspaces
    from curator.gui.widgets import theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    theme.apply(app)  # type: ignore[arg-type]
    load = os.getloadavg()
    print(
        f"{args.records:,} records; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores"
    )

    painted: list[float] = []

    class PaintWatch(QObject):
        def eventFilter(self, obj: QObject, e: QEvent) -> bool:
            if (
                e.type() == QEvent.Type.Paint
                and window.records.model.rowCount() > 0
                and not painted
            ):
                painted.append(time.perf_counter())
            return False

    probe = StallProbe(sample=args.why)
    res = Results(probe)
    store = QSettings(str(run_dir / "bench-settings.ini"), QSettings.Format.IniFormat)

    # --- opening: time to first paint, then the stall until loaded and enriched -------------
    t0 = time.perf_counter()
    window = MainWindow(recent=RecentWorkspaces(store))
    window.resize(1400, 900)
    watch = PaintWatch()
    window.records.table.viewport().installEventFilter(watch)
    window.show()
    c = window.controller
    probe.start()
    window.open_workspace(ws.path)
    wait_for(app, lambda: bool(painted) and window.records.pane.record is not None)
    first_paint = painted[0] - t0
    wait_for(app, lambda: c.loaded and c.enriched and not c.pool.busy, timeout=300)
    full = time.perf_counter() - t0
    pump(app, 0.2)
    res.header()
    res.paint(first_paint)
    res.add("opening (open to loaded and enriched)", probe.stop())
    print(
        f"    (frame of {c.frame.height:,} records loaded, counted and enriched in the background in {full:.2f} s)"
    )

    # --- scrolling ------------------------------------------------------------------------------
    table = window.records.table
    bar = table.verticalScrollBar()
    rng = random.Random(0)
    fetches0 = window.records.model.block_fetches
    probe.start()
    for k in range(200):
        if k % 4 == 0:
            bar.setValue(rng.randrange(bar.maximum() + 1))
        else:
            bar.setValue(min(bar.maximum(), bar.value() + 30))
        table.viewport().repaint()
        pump(app, 0.005)
    res.add("scrolling (200 jumps and pages)", probe.stop())
    print(f"    ({window.records.model.block_fetches - fetches0} blocks of 200 rows fetched)")

    # --- reviewing by keyboard: each kind of action on its own ------------------------------------
    window.records.select_row(0)
    pump(app, 0.3)

    def edit() -> None:
        QTest.keyClick(table, Qt.Key.Key_E)
        pane = window.records.pane
        bubble = next(b for b in pane.bubbles if b.editing)
        QTest.keyClicks(bubble.text, " (checked)")
        QTest.keyClick(bubble.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    review_keys: list[tuple[str, Any]] = [
        ("approve (A, then the next record)", lambda: QTest.keyClick(table, Qt.Key.Key_A)),
        (
            "reject with reason 2 (then the next record)",
            lambda: QTest.keyClick(table, Qt.Key.Key_2),
        ),
        ("edit a message (E, type, Ctrl+Enter)", edit),
        ("next record (J)", lambda: QTest.keyClick(table, Qt.Key.Key_J)),
    ]
    latencies: list[float] = []
    for name, press in review_keys:
        worst = (0.0, 0.0)
        for _ in range(args.actions):
            probe.start()
            t = time.perf_counter()
            press()
            latencies.append(time.perf_counter() - t)
            pump(app, 0.06)  # what the action set off afterwards counts too
            wall, own = probe.stop()
            worst = (max(worst[0], wall), max(worst[1], own))
        res.add(f"reviewing: {name}", worst)
    latencies.sort()
    print(
        f"    (key press to handled: median {latencies[len(latencies) // 2] * 1000:.0f} ms,"
        f" max {latencies[-1] * 1000:.0f} ms over {len(latencies)} presses; queues now {c.counts})"
    )

    # --- a bulk step and its undo -------------------------------------------------------------------
    wait_for(app, lambda: not c.pool.busy)
    ids = c.view.get_column(R.ID).head(args.bulk).to_list()
    probe.start()
    c.bulk("approve", ids)
    wait_for(app, lambda: not c.pool.busy, timeout=600)
    pump(app, 0.2)
    res.add(f"bulk approve of {len(ids):,} (runs in a worker)", probe.stop())
    probe.start()
    QTest.keyClick(table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_for(app, lambda: not c.restoring and not c.pool.busy, timeout=600)
    pump(app, 0.2)
    res.add(f"undoing that bulk step (Ctrl+Z, {len(ids):,} records)", probe.stop())

    # --- switching tabs ------------------------------------------------------------------------------
    for visit in ("first", "second"):
        for panel, title in (
            (window.dashboard, "Readiness"),
            (window.duplicates, "Duplicates"),
            (window.pipeline, "Pipeline"),
            (window.records, "Records"),
        ):
            probe.start()
            window.tabs.setCurrentWidget(panel)
            pump(app, 0.1)
            # until shown: no worker left, every Pipeline card built, every Readiness chart up
            wait_for(
                app,
                lambda p=panel: (
                    not c.pool.busy
                    and not getattr(p, "building", False)
                    and not getattr(p, "painting", False)
                ),
                timeout=300,
            )
            pump(app, 0.2)
            res.add(f"switching to {title} ({visit} visit, until shown)", probe.stop())

    # --- importing a file: the dialog's job, then the re-read ------------------------------------------
    from curator.gui.import_.import_dialog import ImportDialog

    before = c.frame.height
    probe.start()
    dlg = ImportDialog(c, [import_file], window)
    dlg.open()
    wait_for(app, lambda: dlg.last_preview is not None and not c.pool.busy)
    dlg.start_import()
    wait_for(app, lambda: dlg.summary is not None, timeout=600)
    wait_for(
        app,
        lambda: c.loaded and c.enriched and not c.pool.busy and c.frame.height > before,
        timeout=600,
    )
    pump(app, 0.3)
    res.add(f"importing {args.import_records:,} records (dialog to re-read)", probe.stop())
    dlg.close()

    # --- the naive approaches, same run ----------------------------------------------------------------
    print("baselines (same run):")
    t = time.perf_counter()
    _ = c.view.select([col for _, col in D.COLUMNS]).rows()
    naive_rows = time.perf_counter() - t
    model = window.records.model
    fetches = []
    blocks = max(1, model.rowCount() // 200)
    for b in rng.sample(range(blocks), min(9, blocks)):
        t = time.perf_counter()
        _ = model._fetch(b)  # one block of 200 rows, as data() does it
        fetches.append(time.perf_counter() - t)
    block_rows = sorted(fetches)[len(fetches) // 2]
    print(
        f"  rows as Python values: a block of 200 (median of 9) {block_rows * 1000:.1f} ms vs all rows up front"
        f" {naive_rows:.2f} s (naive/block = {naive_rows / max(block_rows, 1e-6):,.0f}x)"
    )
    rid = c.view_id(10)
    assert rid is not None
    t = time.perf_counter()
    c.approve([rid])
    patch_time = time.perf_counter() - t
    t = time.perf_counter()
    D.add_display_columns(ws.frame(), ws)
    reread = time.perf_counter() - t
    print(
        f"  after one approve: commit + in-memory patch {patch_time * 1000:.0f} ms vs re-reading the frame"
        f" {reread:.2f} s (naive/patch = {reread / patch_time:.0f}x)"
    )
    probe.close()
    window.close()
    load = os.getloadavg()
    print(f"load average at the end {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; {_memory()}")
    wall, own = res.missed(own=False), res.missed(own=True)
    print("every budget met" if not wall else f"over budget ({len(wall)}): " + ", ".join(wall))
    if wall:
        print(
            "less CPU queueing: "
            + ("every budget met" if not own else f"over budget ({len(own)}): " + ", ".join(own))
        )
    shutil.rmtree(run_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
