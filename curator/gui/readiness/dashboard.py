"""The Readiness tab: verdict banner, cards, charts and checks from ``build_report``.

The report is recomputed in a worker, debounced, when the records change
(the last report stays on screen meanwhile). Every bar and check opens the
records behind it in the Records tab through ``controller.show_records``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from curator.core import records as R
from curator.core.errors import CuratorError
from curator.core.readiness import Report, build_report, load_targets
from curator.core.readiness.settings import load_thresholds
from curator.core.selection import exportable
from curator.gui.readiness import charts
from curator.gui.readiness.baseline_kit import BaselineKit
from curator.gui.readiness.wording import for_gui, report_frame, shared_frame, top_flags
from curator.gui.session.controller import Controller
from curator.gui.session.workers import Worker, call_task
from curator.gui.widgets import theme
from curator.gui.widgets.plain import plain_label, plain_tooltip

RECOMPUTE_DELAY_MS = 500
MILESTONES = (10, 50, 100, 1000)
VERDICT_STYLE = {  # verdict -> (title, background, border/text colour)
    "ready": ("Ready", "#e7f6ec", theme.OK),
    "limited_data": ("Limited data", "#fff4e0", theme.WARN),
    "not_ready": ("Not ready", "#fdecea", theme.BAD),
}
LEVEL_STYLE = {
    "ok": ("✓ ok", theme.OK),
    "warn": ("! warn", theme.WARN),
    "block": ("✕ block", theme.BAD),
    "info": ("i info", theme.MUTED),
    "n/a": ("– n/a", theme.MUTED),
}
STATUS_ORDER = (R.PENDING, R.APPROVED, R.REJECTED)


@dataclass
class Computed:
    report: Report
    tokens: pl.DataFrame  # id, tokens of the good examples (histogram click-through)


def compute(
    ws: Any, include: str, target: str | None, frame: pl.DataFrame | None = None
) -> Computed:
    """The report plus the good examples' token counts, off the UI thread. ``frame``:
    the open workspace's frame (the controller's, kept current by review deltas)."""
    frame = ws.frame() if frame is None else frame
    report = build_report(ws, include=include, target=target, frame=frame)  # type: ignore[arg-type]
    good = frame.filter(exportable(include)).select(R.ID)  # type: ignore[arg-type]
    lengths = ws.read_result("scores_length")
    if lengths is not None and "tokens" in lengths.columns:
        good = good.join(lengths.select(R.ID, "tokens").unique(R.ID), on=R.ID, how="left")
    else:
        good = good.with_columns(pl.lit(None, pl.Int64).alias("tokens"))
    return Computed(report, good)


def slot_height(i: int) -> int:
    """Chart slot i's height: the languages and flags row is taller. Qt Charts elides a
    category label to "…" when its bar's share of the height is below the text's: at
    400 px every one of 15 flag labels was "…"; 520 px keeps 16 bars readable."""
    return 520 if i in (2, 3) else 280


def card(title: str, value: str, detail: str) -> tuple[QFrame, QLabel, QLabel]:
    f = QFrame()
    f.setObjectName("card")
    lay = QVBoxLayout(f)
    lay.setContentsMargins(14, 10, 14, 10)
    lay.addWidget(plain_label(title, "muted", wrap=False))
    v = plain_label(value, "title", wrap=False)
    lay.addWidget(v)
    d = plain_label(detail, "muted")
    lay.addWidget(d)
    lay.addStretch(1)
    return f, v, d


class DashboardPanel(QWidget):
    def __init__(self, controller: Controller) -> None:
        super().__init__()
        self.c = controller
        self.computed: Computed | None = None
        self.worker: Worker | None = None
        self._again = False
        self._stale = True
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RECOMPUTE_DELAY_MS)
        self._timer.timeout.connect(self.recompute)
        # A report lands as text and cards in one turn, its checks in the next, then one
        # chart per turn (six charts built in one slot stalled the first visit 120 ms on
        # 1M records; the checks' wrapped rows and the banner's restyle together 25-50 ms);
        # ``computed`` names the new report once its last chart is up.
        self._steps: list[Callable[[], None]] = []
        self._painting: Computed | None = None
        self._chart_timer = QTimer(self)
        self._chart_timer.setSingleShot(True)
        self._chart_timer.setInterval(0)
        self._chart_timer.timeout.connect(self._next_chart)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        # The page is taller than any window once a report is up; a scroll bar that came
        # only then narrowed the page, and every chart laid itself out again in one
        # native slot (50-65 ms at 1M, the last of the first visit's stalls).
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.scroll = scroll
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        lay = QVBoxLayout(body)
        lay.setContentsMargins(16, 12, 16, 16)
        lay.setSpacing(12)
        head = QHBoxLayout()
        head.addWidget(plain_label("Readiness", "title", wrap=False))
        head.addStretch(1)
        self.updated = plain_label("", "muted", wrap=False)
        head.addWidget(self.updated)
        head.addWidget(plain_label("Count", "muted", wrap=False))
        self.include = QComboBox()
        self.include.addItem("approved records", "approved")
        self.include.addItem("approved + passing pending", "passing")
        self.include.currentIndexChanged.connect(lambda _i: self.recompute())
        head.addWidget(self.include)
        head.addWidget(plain_label("Target", "muted", wrap=False))
        self.target = QComboBox()
        for name, t in load_targets().items():
            self.target.addItem(t.label, name)
        self.target.currentIndexChanged.connect(lambda _i: self.recompute())
        head.addWidget(self.target)
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.recompute)
        head.addWidget(refresh)
        self.kit = (
            BaselineKit(  # "Baseline kit…": the prompt/RAG baseline job, on the Count chosen here
                controller,
                self,
                lambda: str(self.include.currentData()),
                lambda: self.computed.report.to_json() if self.computed else None,
            )
        )
        head.addWidget(self.kit.button)
        lay.addLayout(head)
        self.banner = QFrame()
        bl = QVBoxLayout(self.banner)
        bl.setContentsMargins(16, 12, 16, 12)
        self.population = plain_label(
            "", None
        )  # what the report is computed on (preview, 0 approved)
        self.verdict = plain_label("Computing the readiness report…", "title")
        self.verdict_message = plain_label("", None)
        self.next_steps = plain_label("", None)
        for w in (self.population, self.verdict, self.verdict_message, self.next_steps):
            bl.addWidget(w)
        lay.addWidget(self.banner)
        cards = QHBoxLayout()
        self.good_card = card("Good examples", "–", "")
        self.tokens_card = card("Tokens in good examples", "–", "")
        self.epochs_card = card("Estimated epochs", "–", "")
        self.train_card = card("Training tokens (estimate)", "–", "")
        for c in (self.good_card, self.tokens_card, self.epochs_card, self.train_card):
            cards.addWidget(c[0], 1)
        lay.addLayout(cards)
        self.grid = QGridLayout()
        self.grid.setSpacing(10)
        self.grid.setColumnStretch(0, 1)
        self.grid.setColumnStretch(1, 1)
        lay.addLayout(self.grid)
        lay.addWidget(plain_label("Checks (click one to open the records behind it)", "h2"))
        self.checks = QTreeWidget()
        self.checks.setColumnCount(5)
        self.checks.setHeaderLabels(["Level", "Check", "Value", "Threshold", "Message"])
        self.checks.setRootIsDecorated(False)
        self.checks.setWordWrap(True)
        self.checks.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.checks.itemClicked.connect(lambda item, _col: self.open_check(item.data(1, 256)))
        hdr = self.checks.header()
        for i, width in enumerate((80, 200, 110, 260)):
            self.checks.setColumnWidth(i, width)
        hdr.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.checks.setUniformRowHeights(False)
        self.checks.setTextElideMode(Qt.TextElideMode.ElideNone)
        hdr.sectionResized.connect(lambda *_a: self._fit_checks())
        self.checks.setMinimumHeight(430)
        lay.addWidget(self.checks)
        controller.frameChanged.connect(self.schedule)
        controller.workspaceOpened.connect(self._opened)

    # --- when to recompute ----------------------------------------------------------------
    def _opened(self, ws: Any) -> None:
        try:
            name: str | None = load_thresholds(ws).target
        except CuratorError:
            name = None
        i = self.target.findData(name) if name else -1
        if i >= 0:
            self.target.blockSignals(True)
            self.target.setCurrentIndex(i)
            self.target.blockSignals(False)
        self.computed = None
        self._painting, self._steps = None, []  # the previous workspace's charts: dropped
        self._chart_timer.stop()
        self._stale = True

    def schedule(self) -> None:
        """Records changed: recompute soon if visible, else when next shown."""
        self._stale = True
        if self.isVisible():
            self._timer.start()

    def showEvent(self, e: QShowEvent) -> None:
        super().showEvent(e)
        if self._stale:
            self._timer.start(0)

    def recompute(self) -> Worker | None:
        ws = self.c.ws
        if ws is None:
            return None
        if self.worker is not None:
            self._again = True
            return self.worker
        self._stale = False
        self.updated.setText("Updating…")
        include, target = self.include.currentData(), self.target.currentData()
        frame = shared_frame(self.c)
        w = Worker(call_task(lambda: compute(ws, include, target, report_frame(frame))))
        w.succeeded.connect(self.show_report)
        w.failed.connect(lambda text: self.updated.setText(f"Report failed: {text}"))
        w.done.connect(self._done)
        self.worker = w
        return self.c.pool.start(w)

    def _done(self) -> None:
        self.worker = None
        if self._again:
            self._again = False
            self.recompute()

    # --- showing ---------------------------------------------------------------------------
    def show_report(self, computed: Computed) -> None:
        """Show a report: its text and cards now, its checks in the next event-loop turn
        and each chart in one turn after that."""
        self._painting = computed
        rep = computed.report
        data = rep.to_json()
        title, bg, fg = VERDICT_STYLE.get(rep.verdict, ("?", theme.SURFACE, theme.TEXT))
        self.banner.setStyleSheet(
            f"QFrame {{ background: {bg}; border: 1px solid {fg}; border-radius: 8px; }}"
            " QLabel { border: none; background: transparent; }"
        )
        self.verdict.setText(title)
        self.verdict.setStyleSheet(f"color: {fg}; font-size: 22px; font-weight: 700;")
        self.population.setText(for_gui(rep.population))
        self.verdict_message.setText(for_gui(rep.verdict_message))
        steps = [for_gui(s) for s in rep.next_steps]
        self.next_steps.setText(
            "Next steps:\n" + "\n".join(f"• {s}" for s in steps) if steps else ""
        )
        self._cards(rep, data)
        self._steps = [lambda: self._checks(rep)] + [
            lambda i=i, make=make: self._place(i, make())  # type: ignore[misc]
            for i, make in self._charts(rep, data["stats"])
        ]
        self._chart_timer.start()

    @property
    def painting(self) -> bool:
        """Whether a report's checks or charts are still being put up."""
        return self._painting is not None

    def _next_chart(self) -> None:
        """The next step of the report being painted (its checks, then a chart)."""
        self._chart_timer.stop()
        if self._steps:
            self._steps.pop(0)()
        if self._steps:
            self._chart_timer.start()
            return
        if self._painting is not None:
            self.computed, self._painting = self._painting, None
            self.updated.setText(f"Updated {time.strftime('%H:%M:%S')}")

    def _cards(self, rep: Report, data: dict[str, Any]) -> None:
        n = rep.counts["good"]
        marks = "   ".join(("✓ " if n >= m else "✗ ") + f"{m:,}" for m in MILESTONES)
        self.good_card[1].setText(f"{n:,}")
        self.good_card[2].setText(
            f"{marks}\n{rep.target.label} needs at least {rep.target.min_examples:,}."
        )
        tok = data["stats"]["tokens"]
        total = int(tok["total"])
        ex = tok["example"]
        self.tokens_card[1].setText(f"~{total:,}")
        self.tokens_card[2].setText(
            f"median {ex['median']:,.0f} · p90 {ex['p90']:,.0f} · max {ex['max']:,.0f} per example\n"
            f"limit {rep.target.max_tokens:,}; estimates (cl100k_base)."
        )
        epochs = rep.target.estimate_epochs(n)
        self.epochs_card[1].setText("–" if epochs is None else str(epochs))
        self.epochs_card[2].setText(
            f"{rep.target.label}: default {rep.target.default_epochs}, "
            f"{'cookbook rule' if rep.target.epochs_rule == 'cookbook' else 'fixed'}."
        )
        self.train_card[1].setText("–" if epochs is None else f"~{epochs * total:,}")
        self.train_card[2].setText(
            "epochs × tokens per epoch; an estimate, billing counts may differ."
        )

    def _place(self, i: int, w: QWidget) -> None:
        old = self.grid.itemAtPosition(i // 2, i % 2)
        ow = old.widget() if old is not None else None
        if ow is not None:
            self.grid.removeWidget(ow)
            ow.deleteLater()
        w.setFixedHeight(slot_height(i))  # the same every visit, whatever the data (or none)
        self.grid.addWidget(w, i // 2, i % 2)

    def _charts(self, rep: Report, st: dict[str, Any]) -> list[tuple[int, Callable[[], QWidget]]]:
        """(grid slot, chart builder) of each chart, in reading order."""
        by_status = st["by_status"]
        statuses = [s for s in STATUS_ORDER if s in by_status]
        out: list[tuple[int, Callable[[], QWidget]]] = []
        out.append(
            (
                0,
                lambda: charts.bar_chart(
                    "Review status (all records)",
                    statuses,
                    [by_status[s] for s in statuses],
                    colors=[theme.STATUS_COLORS.get(s, theme.ACCENT) for s in statuses],
                    on_click=lambda i: self.c.show_records(status=statuses[i]),
                ),
            )
        )
        h = st["tokens"]["histogram"]
        out.append(
            (
                1,
                lambda: charts.histogram_chart(
                    "Tokens per good example",
                    h["edges"],
                    h["counts"],
                    h["limit"],
                    on_click=self._open_bin_click,
                ),
            )
        )
        langs = (st.get("languages") or {}).get("counts", {})
        lang_names = list(langs)[:10]
        out.append(
            (
                2,
                lambda: charts.bar_chart(
                    "Languages (good examples)"
                    if rep.counts["good"]
                    else "Languages (all records)",
                    lang_names,
                    [langs[k] for k in lang_names],
                    horizontal=True,
                    on_click=lambda i: (
                        self.c.show_records(language=lang_names[i])
                        if lang_names[i] != "unknown"
                        else None
                    ),
                    empty_text="Not measured yet: run the pipeline (language filter).",
                ),
            )
        )
        flags = st["by_flag"]
        flag_names = top_flags(flags)
        out.append(
            (
                3,
                lambda: charts.bar_chart(
                    (
                        f"Flags (all records; {len(flag_names)} of {len(flags)}, secrets and PII always shown)"
                        if len(flags) > len(flag_names)
                        else "Flags (all records)"
                    )
                    if flags
                    else "Flags",
                    flag_names,
                    [flags[k] for k in flag_names],
                    horizontal=True,
                    colors=[
                        theme.BAD if k.startswith(("secret", "exact")) else theme.WARN
                        for k in flag_names
                    ],
                    on_click=lambda i: self.c.show_records(flag=flag_names[i]),
                    empty_text="No flags: run the pipeline, or nothing was found.",
                ),
            )
        )
        d = st["duplicates"]
        total = rep.counts["total"]
        dup_vals = [max(0, total - d["exact"] - d["near"]), d["exact"], d["near"]]
        dup_flags = [None, "exact_duplicate", "near_duplicate"]
        out.append(
            (
                4,
                lambda: charts.pie_chart(
                    f"Duplicate share (all records; {d['clusters']:,} clusters)",
                    ["unique or keeper", "exact dup", "near dup"],
                    dup_vals,
                    [theme.ACCENT_SOFT, theme.BAD, theme.WARN],
                    on_click=lambda i: (
                        self.c.show_records(flag=dup_flags[i]) if dup_flags[i] else None
                    ),
                ),
            )
        )
        prog = st["review_progress"]
        out.append(
            (
                5,
                lambda: charts.progress_chart(
                    "Review progress (cumulative, per day)",
                    [p["day"] for p in prog],
                    [p["cumulative_approved"] for p in prog],
                    [p["cumulative_rejected"] for p in prog],
                    on_click=lambda k: self.c.show_records(
                        status=R.APPROVED if k == 0 else R.REJECTED
                    ),
                ),
            )
        )
        return out

    def _checks(self, rep: Report) -> None:
        self.checks.clear()
        for c in rep.checks:
            text, colour = LEVEL_STYLE.get(c.level, (c.level, theme.TEXT))
            value = (
                c.value
                if not isinstance(c.value, dict)
                else ", ".join(f"{k} {v}" for k, v in c.value.items() if v is not None) or "–"
            )
            if isinstance(value, float):
                value = f"{value:.1%}" if 0 < value < 1 else f"{value:g}"
            elif isinstance(value, int) and not isinstance(value, bool):
                value = f"{value:,}"
            item = QTreeWidgetItem(
                [
                    text,
                    c.title,
                    "–" if value is None else str(value),
                    c.threshold,
                    for_gui(c.message),
                ]
            )
            item.setForeground(0, QBrush(QColor(colour)))
            item.setData(1, 256, c.id)
            n = rep.record_ids(c.id).len()
            opens = n or (c.query is not None and bool(c.query.filters()))
            item.setToolTip(
                1,
                plain_tooltip(
                    f"{c.why}\n\nNext: {for_gui(c.next_step)}\n\nSource: {c.source}"
                    + (
                        f"\n\nClick to open {n:,} record(s)."
                        if n
                        else "\n\nClick to open the records."
                        if opens
                        else ""
                    )
                ),
            )
            for col in (2, 3, 4):  # the full text, wherever a column is too narrow for it
                item.setToolTip(col, plain_tooltip(item.text(col)))
            self.checks.addTopLevelItem(item)
        self._fit_checks()

    def _fit_checks(self) -> None:
        """Rows as tall as their wrapped message; the table as tall as its rows (no clipping)."""
        t = self.checks
        t.doItemsLayout()
        rows = sum(
            t.visualItemRect(t.topLevelItem(i)).height() for i in range(t.topLevelItemCount())
        )
        t.setFixedHeight(max(rows, t.sizeHintForRow(0)) + t.header().height() + 8)

    # --- click-through ----------------------------------------------------------------------
    def open_check(self, check_id: str | None) -> bool:
        shown = self._painting or self.computed  # the report the checks and charts show
        if shown is None or not check_id:
            return False
        rep = shown.report
        ids = rep.record_ids(check_id)
        if ids.len():
            self.c.show_records(ids=ids.to_list())
            return True
        query = rep.check(check_id).query
        if query is not None and query.filters():
            self.c.show_records(**query.filters())
            return True
        return False

    def _open_bin_click(self, i: int) -> None:
        self.open_bin(i)

    def open_bin(self, i: int) -> bool:
        shown = self._painting or self.computed
        if shown is None:
            return False
        h = shown.report.stats["tokens"]["histogram"]
        edges = h["edges"]
        if i + 1 >= len(edges):
            return False
        tok = pl.col("tokens").clip(lower_bound=1)
        last = i + 2 == len(edges)
        cond = (tok >= edges[i]) & ((tok <= edges[i + 1]) if last else (tok < edges[i + 1]))
        ids = shown.tokens.filter(cond).get_column(R.ID).to_list()
        self.c.show_records(ids=ids)
        return True
