"""GUI at scale (offscreen): time to first paint and worst UI-thread stall on 1M records.

Builds (or reuses) a synthetic workspace written straight through
``Workspace.add_import``, opens it in the real main window, then scrolls and
reviews by keyboard while a 5 ms QTimer heartbeat records the longest gap the
UI thread went without serving events. Compares, in the same run, the block
model against the naive approach (every row as Python objects up front) and
the in-memory patch against re-reading the frame after a review action.

    python benchmarks/bench_gui.py [--records 1000000] [--workspace /tmp/bench_gui.curator]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import polars as pl

from curator.core import records as R
from curator.core.workspace import Workspace

WORDS = ["order", "refund", "shipping", "account", "password", "invoice", "delivery", "router", "billing", "upgrade"]


def synthetic_records(n: int, source: str = "synthetic.jsonl") -> pl.DataFrame:
    """n four-message conversations in RECORD_SCHEMA, built column-wise in Polars."""
    per = 4
    long = pl.DataFrame({"k": pl.int_range(0, n * per, eager=True)}).with_columns(
        (pl.col("k") // per).alias("i"), (pl.col("k") % per).alias("t")
    )
    word = pl.lit(pl.Series(WORDS)).get((pl.col("i") * 7 + pl.col("t")) % len(WORDS))
    content = pl.concat_str(
        pl.when(pl.col("t") % 2 == 0).then(pl.lit("Hi, about my ")).otherwise(pl.lit("Thanks for asking about your ")),
        word, pl.lit(" #"), pl.col("i").cast(pl.String),
        pl.when(pl.col("t") % 2 == 0)
        .then(pl.lit(": it has been three days and nothing has changed, can you check?"))
        .otherwise(pl.lit(". I have checked it: the fix is on its way and you will get an email today.")),
    )
    msgs = long.select(
        pl.struct(
            pl.when(pl.col("t") % 2 == 0).then(pl.lit("user")).otherwise(pl.lit("assistant")).alias("role"),
            content.alias("content"),
            pl.lit(None, pl.String).alias("name"),
            pl.lit(None, pl.Int8).alias("weight"),
            pl.lit(None, pl.String).alias("tool_calls"),
            pl.lit(None, pl.String).alias("tool_call_id"),
        ).alias(R.MESSAGES)
    ).to_series()
    messages = msgs.reshape((n, per)).cast(R.MESSAGES_DTYPE)
    i = pl.int_range(0, n, eager=True)
    df = pl.DataFrame({"i": i}).select(
        pl.concat_str(pl.lit("r"), pl.col("i").cast(pl.String).str.zfill(8)).alias(R.ID),
        pl.lit(source).alias(R.SOURCE),
        pl.lit(f"/data/{source}").alias(R.SOURCE_PATH),
        pl.concat_str(pl.lit("line "), (pl.col("i") + 1).cast(pl.String)).alias(R.LOCATOR),
        (pl.col("i") + 1).cast(pl.Int64).alias(R.LINE),
        pl.lit("{}").alias(R.META),
        pl.lit([], pl.List(pl.String)).alias(R.REPAIRS),
        pl.lit(0, pl.Int64).alias(R.IMPORT_ID),
    ).with_columns(messages.alias(R.MESSAGES))
    return df.select(list(R.RECORD_SCHEMA.names())).cast(dict(R.RECORD_SCHEMA))


def build_workspace(path: Path, n: int) -> Workspace:
    if (path / "curator.db").exists():
        ws = Workspace.open(path)
        if ws.record_count() == n:
            return ws
        shutil.rmtree(path)
    ws = Workspace.open(path, create=True)
    t = time.perf_counter()
    df = synthetic_records(n)
    ws.add_import(source="synthetic.jsonl", path="/data/synthetic.jsonl", file_hash=f"synthetic-{n}",
                  fmt="openai", options={}, records=df, quarantine=[])
    ids = df.get_column(R.ID)
    langs = pl.Series(["en", "de", "fr", "es"]).gather(pl.int_range(0, n, eager=True) % 4)
    ws.write_result("scores_language", pl.DataFrame({R.ID: ids, "language": langs}))
    ws.write_result("scores_length", pl.DataFrame({R.ID: ids, "tokens": (pl.int_range(0, n, eager=True) % 900) + 40}))
    flagged = ids.gather(pl.int_range(0, n, 97, eager=True))
    ws.write_flags("filters", pl.DataFrame({R.ID: flagged, "name": "length.short", "reason": "under 50 tokens", "severity": "warn"}))
    print(f"built {n:,}-record workspace in {time.perf_counter() - t:.1f} s at {path}")
    return ws


class Heartbeat:
    """A 5 ms timer; the longest gap between ticks is the worst UI-thread stall."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.worst = 0.0

    def start(self) -> None:
        self.last = time.perf_counter()
        self.worst = 0.0
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def stop(self) -> float:
        self.timer.stop()
        self._tick()
        return self.worst


def pump(app, seconds: float) -> None:  # type: ignore[no-untyped-def]
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)


def wait_for(app, cond, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    end = time.perf_counter() + timeout
    while not cond():
        if time.perf_counter() > end:
            raise TimeoutError("condition not reached")
        app.processEvents()
        time.sleep(0.001)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--workspace", type=Path, default=Path("/tmp/bench_gui.curator"))
    ap.add_argument("--actions", type=int, default=50)
    args = ap.parse_args()
    ws = build_workspace(args.workspace, args.records)
    ws.set_setting("gui.last_record", None)
    ws.set_setting("gui.queue", "pending")
    from PySide6.QtCore import QEvent, QObject, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from curator.gui.main_window import MainWindow
    from curator.gui.session import display as D
    from curator.gui.widgets import theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    theme.apply(app)  # type: ignore[arg-type]

    painted: list[float] = []

    class PaintWatch(QObject):
        def eventFilter(self, obj: QObject, e: QEvent) -> bool:
            if e.type() == QEvent.Type.Paint and window.records.model.rowCount() > 0 and not painted:
                painted.append(time.perf_counter())
            return False

    # --- time to first paint -------------------------------------------------------
    t0 = time.perf_counter()
    window = MainWindow()
    watch = PaintWatch()
    window.records.table.viewport().installEventFilter(watch)
    window.show()
    hb = Heartbeat()
    hb.start()
    window.open_workspace(ws.path)
    wait_for(app, lambda: bool(painted) and window.records.pane.record is not None)
    first_paint = painted[0] - t0
    open_stall = hb.stop()
    c = window.controller
    print(f"time to first paint (window + first page of {args.records:,} records): {first_paint:.2f} s  (budget 2 s)")
    hb.start()
    wait_for(app, lambda: c.loaded and c.enriched and not c.pool.busy, timeout=300)
    full = time.perf_counter() - t0
    open_stall = max(open_stall, hb.stop())
    print(f"full frame loaded, counted and enriched in the background: {full:.2f} s ({c.frame.height:,} records)")
    print(f"worst UI-thread stall while opening (first paint to fully loaded): {open_stall * 1000:.0f} ms")

    # --- scrolling ---------------------------------------------------------------------
    table = window.records.table
    bar = table.verticalScrollBar()
    rng = random.Random(0)
    hb.start()
    fetches0 = window.records.model.block_fetches
    for k in range(200):
        if k % 4 == 0:
            bar.setValue(rng.randrange(bar.maximum() + 1))
        else:
            bar.setValue(min(bar.maximum(), bar.value() + 30))
        table.viewport().repaint()
        pump(app, 0.005)
    scroll_stall = hb.stop()
    print(f"worst UI-thread stall while scrolling (200 jumps/pages): {scroll_stall * 1000:.0f} ms,"
          f" {window.records.model.block_fetches - fetches0} blocks of 200 rows fetched")

    # --- reviewing by keyboard ------------------------------------------------------------
    window.records.select_row(0)
    pump(app, 0.2)
    keys = [Qt.Key.Key_A, Qt.Key.Key_J, Qt.Key.Key_2, Qt.Key.Key_Space, Qt.Key.Key_K]
    hb.start()
    per_action: list[float] = []
    for k in range(args.actions):
        t = time.perf_counter()
        QTest.keyClick(table, keys[k % len(keys)])
        per_action.append(time.perf_counter() - t)
        pump(app, 0.01)
    t = time.perf_counter()
    QTest.keyClick(table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    per_action.append(time.perf_counter() - t)
    pump(app, 0.05)
    review_stall = hb.stop()
    per_action.sort()
    print(f"worst UI-thread stall while reviewing ({args.actions} keys + undo): {review_stall * 1000:.0f} ms;"
          f" per action median {per_action[len(per_action) // 2] * 1000:.0f} ms, max {per_action[-1] * 1000:.0f} ms")
    print(f"queues after review: {c.counts}")

    # --- the naive approaches, same run -------------------------------------------------------
    t = time.perf_counter()
    _ = c.view.select([col for _, col in D.COLUMNS]).rows()
    naive_rows = time.perf_counter() - t
    model = window.records.model
    wait_for(app, lambda: not c.pool.busy)
    fetches = []
    for b in rng.sample(range(max(1, model.rowCount() // 200)), 9):
        t = time.perf_counter()
        _ = model._fetch(b)  # one block of 200 rows, as data() does it
        fetches.append(time.perf_counter() - t)
    block_rows = sorted(fetches)[len(fetches) // 2]
    print(f"rows as Python values: a block of 200 (median of 9) {block_rows * 1000:.1f} ms vs all rows up front"
          f" {naive_rows:.2f} s (naive/block = {naive_rows / max(block_rows, 1e-6):,.0f}x)")
    rid = c.view_id(10)
    assert rid is not None
    t = time.perf_counter()
    c.approve([rid])
    patch_time = time.perf_counter() - t
    t = time.perf_counter()
    D.add_display_columns(ws.frame(), ws)
    reread = time.perf_counter() - t
    print(f"after one approve: commit + in-memory patch {patch_time * 1000:.0f} ms vs re-reading the frame"
          f" {reread:.2f} s (naive/patch = {reread / patch_time:.0f}x)")
    window.close()
    ok = first_paint < 2.0 and max(scroll_stall, review_stall) < 0.1
    print("within budget" if ok else "OVER BUDGET")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
