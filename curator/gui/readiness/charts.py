"""Small Qt Charts builders for the dashboard: clickable bars, a histogram with a
limit line, a pie, a progress line. Each returns a QChartView, or a plain
"nothing to show" label when there is no data, so an empty chart never
pretends to be a measurement."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date, datetime, time

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QDateTimeAxis,
    QHorizontalStackedBarSeries,
    QLineSeries,
    QPieSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QDateTime, QMargins, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QLabel, QWidget

from curator.gui.widgets import theme

Click = Callable[[int], None]
PALETTE = [theme.ACCENT, "#0e9f6e", "#d97706", "#7c3aed", "#db2777", "#0891b2", "#65a30d", "#9ca3af"]


def empty(text: str) -> QLabel:
    lab = QLabel(text)
    lab.setTextFormat(Qt.TextFormat.PlainText)
    lab.setAlignment(Qt.AlignmentFlag.AlignCenter)
    lab.setWordWrap(True)
    lab.setStyleSheet(f"color: {theme.MUTED}; background: {theme.SURFACE}; border: 1px solid {theme.BORDER};"
                      " border-radius: 8px; padding: 12px;")
    lab.setMinimumHeight(200)
    return lab


def _chart(title: str) -> QChart:
    ch = QChart()
    ch.setTitle(title)
    f = QFont()
    f.setPointSize(10)
    f.setBold(True)
    ch.setTitleFont(f)
    ch.setTitleBrush(QBrush(QColor(theme.TEXT)))
    ch.setBackgroundBrush(QBrush(QColor(theme.SURFACE)))
    ch.setBackgroundRoundness(0)
    ch.setMargins(QMargins(4, 4, 4, 4))
    ch.legend().hide()
    ch.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    return ch


def _view(ch: QChart) -> QChartView:
    v = QChartView(ch)
    v.setRenderHint(QPainter.RenderHint.Antialiasing)
    v.setMinimumHeight(230)
    v.setStyleSheet(f"background: {theme.SURFACE}; border: 1px solid {theme.BORDER}; border-radius: 8px;")
    return v


def _label_font() -> QFont:
    f = QFont()
    f.setPointSize(8)
    return f


def _value_axis(maximum: float) -> QValueAxis:
    ax = QValueAxis()
    ax.setLabelFormat("%d")
    top = max(1.0, float(maximum))
    step = 10 ** max(0, int(math.log10(top)))
    ax.setRange(0, math.ceil(top * 1.1 / step) * step if top > 5 else top + 1)
    # whole-number ticks: with a top of 1 or 2, five ticks printed "0, 0, 1, 1, 2"
    ax.setTickCount(5 if top > 5 else int(top) + 2)
    ax.setLabelsFont(_label_font())
    ax.setGridLineColor(QColor(theme.BORDER))
    return ax


def bar_chart(
    title: str, labels: Sequence[str], values: Sequence[int], *, horizontal: bool = False,
    colors: Sequence[str] | None = None, on_click: Click | None = None, empty_text: str = "No data yet.",
) -> QWidget:
    """One bar per label (coloured per bar when ``colors`` is given); a click calls on_click(index)."""
    if not labels or not any(values):
        return empty(f"{title}\n\n{empty_text}")
    ch = _chart(title)
    series = QHorizontalStackedBarSeries() if horizontal else QStackedBarSeries()
    # one set per colour, each holding its bars' values (0 elsewhere): per-bar colours
    palette = list(colors) if colors else [theme.ACCENT]
    order: list[str] = []
    for i in range(len(values)):
        c = palette[i % len(palette)]
        if c not in order:
            order.append(c)
    for c in order:
        s = QBarSet(c)
        s.setColor(QColor(c))
        s.setBorderColor(QColor(c))
        s.append([float(v) if palette[i % len(palette)] == c else 0.0 for i, v in enumerate(values)])
        if on_click is not None:
            s.clicked.connect(on_click)
        series.append(s)
    # a bar keeps about the same thickness however few there are (one bar used to fill the panel)
    series.setBarWidth(min(0.7, 0.16 * len(values)))
    ch.addSeries(series)
    cats = QBarCategoryAxis()
    cats.append([f"{lab}  {v:,}" for lab, v in zip(labels, values, strict=True)])
    cats.setLabelsFont(_label_font())
    vals = _value_axis(max(values))
    if horizontal:
        cats.setReverse(True)
        ch.addAxis(cats, Qt.AlignmentFlag.AlignLeft)
        ch.addAxis(vals, Qt.AlignmentFlag.AlignBottom)
    else:
        ch.addAxis(cats, Qt.AlignmentFlag.AlignBottom)
        ch.addAxis(vals, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(cats)
    series.attachAxis(vals)
    return _view(ch)


def _short(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.0f}M" if n % 1_000_000 == 0 or n >= 10_000_000 else f"{n / 1_000_000:.1f}M"
    if n >= 1000:
        return f"{n / 1000:.0f}k" if n >= 10_000 else f"{n / 1000:.1f}k".replace(".0k", "k")
    return str(n)


def histogram_chart(
    title: str, edges: Sequence[int], counts: Sequence[int], limit: int | None, on_click: Click | None = None,
) -> QWidget:
    """Log-spaced token bins; bins past ``limit`` in red and a red line at the limit."""
    if not counts or not any(counts):
        return empty(f"{title}\n\nNo good examples yet: approve records (or include passing ones).")
    # show the bins that hold data; reach out to the limit only when it is near the data
    first = min(i for i, c in enumerate(counts) if c)
    last = max(i for i, c in enumerate(counts) if c)
    lim_bin = next((i for i in range(len(counts)) if limit is not None and edges[i + 1] > limit), None)
    if lim_bin is not None and lim_bin - last <= 3:
        last = max(last, lim_bin)
    elif limit is not None:
        title = f"{title}: all far below the {limit:,}-token limit"
    first = max(0, first - 1)
    n = last + 1
    ch = _chart(title)
    under, over = QBarSet("within the limit"), QBarSet("over the limit")
    under.setColor(QColor(theme.ACCENT))
    over.setColor(QColor(theme.BAD))
    for i in range(first, n):
        beyond = limit is not None and edges[i] >= limit
        under.append(0.0 if beyond else float(counts[i]))
        over.append(float(counts[i]) if beyond else 0.0)
    series = QStackedBarSeries()
    for s in (under, over):
        if on_click is not None:
            s.clicked.connect(lambda i, f=first: on_click(i + f))
        series.append(s)
    series.setBarWidth(0.9)
    ch.addSeries(series)
    cats = QBarCategoryAxis()
    cats.append([f"{_short(edges[i])}–{_short(edges[i + 1])}" for i in range(first, n)])
    cats.setLabelsFont(_label_font())
    if n - first > 8:
        cats.setLabelsAngle(-45)
    vals = _value_axis(max(counts))
    ch.addAxis(cats, Qt.AlignmentFlag.AlignBottom)
    ch.addAxis(vals, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(cats)
    series.attachAxis(vals)
    if limit is not None and lim_bin is not None and lim_bin < n:
        lo, hi = max(1, edges[lim_bin]), max(2, edges[lim_bin + 1])
        frac = (math.log(limit) - math.log(lo)) / max(1e-9, math.log(hi) - math.log(lo))
        x = lim_bin - first - 0.5 + min(1.0, max(0.0, frac))
        line = QLineSeries()
        line.setName(f"limit {limit:,}")
        line.setPen(QPen(QColor(theme.BAD), 2, Qt.PenStyle.DashLine))
        line.append(x, 0)
        line.append(x, vals.max())
        xs = QValueAxis()
        xs.setRange(-0.5, n - first - 0.5)
        xs.setVisible(False)
        ch.addSeries(line)
        ch.addAxis(xs, Qt.AlignmentFlag.AlignTop)
        line.attachAxis(xs)
        line.attachAxis(vals)
    return _view(ch)


def pie_chart(title: str, labels: Sequence[str], values: Sequence[int], colors: Sequence[str],
              on_click: Click | None = None, empty_text: str = "No data yet.") -> QWidget:
    if not any(values):
        return empty(f"{title}\n\n{empty_text}")
    ch = _chart(title)
    series = QPieSeries()
    total = sum(values)
    for i, (lab, v) in enumerate(zip(labels, values, strict=True)):
        if not v:
            continue
        sl = series.append(f"{lab}: {v:,} ({100 * v / total:.0f}%)", float(v))
        sl.setColor(QColor(colors[i % len(colors)]))
        sl.setBorderColor(QColor(theme.SURFACE))
        if on_click is not None:
            sl.clicked.connect(lambda i=i: on_click(i))
    series.setPieSize(0.75)
    ch.addSeries(series)
    ch.legend().show()
    ch.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
    ch.legend().setFont(_label_font())
    return _view(ch)


def progress_chart(title: str, days: Sequence[str], approved: Sequence[int], rejected: Sequence[int],
                   on_click: Click | None = None) -> QWidget:
    """Cumulative approved / rejected per day."""
    if not days:
        return empty(f"{title}\n\nNo review decisions yet.")
    ch = _chart(title)
    ch.legend().show()
    ch.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    xs = QDateTimeAxis()
    xs.setFormat("MMM d")
    xs.setLabelsFont(_label_font())
    ms = [QDateTime(datetime.combine(date.fromisoformat(d), time(12))).toMSecsSinceEpoch() for d in days]
    pad = 86_400_000
    xs.setRange(QDateTime.fromMSecsSinceEpoch(ms[0] - pad), QDateTime.fromMSecsSinceEpoch(ms[-1] + pad))
    xs.setTickCount(min(6, len(days) + 2))
    ys = _value_axis(max([*approved, *rejected, 1]))
    ch.addAxis(xs, Qt.AlignmentFlag.AlignBottom)
    ch.addAxis(ys, Qt.AlignmentFlag.AlignLeft)
    for name, vals, colour in (("approved", approved, theme.OK), ("rejected", rejected, theme.BAD)):
        s = QLineSeries()
        s.setName(name)
        s.setPen(QPen(QColor(colour), 2))
        s.setPointsVisible(True)
        for x, y in zip(ms, vals, strict=True):
            s.append(float(x), float(y))
        ch.addSeries(s)
        s.attachAxis(xs)
        s.attachAxis(ys)
        if on_click is not None:
            s.clicked.connect(lambda _p, k=0 if name == "approved" else 1: on_click(k))
    return _view(ch)
