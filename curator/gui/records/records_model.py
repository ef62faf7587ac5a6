"""Table model over the controller's Polars view, fetched lazily in blocks.

No Python object per record up front: ``data()`` converts one block of
``BLOCK`` rows to Python values the first time a cell in it is painted and keeps
the last few blocks. Sorting is delegated to the controller (Polars, in a worker).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import polars as pl
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from curator.core import records as R
from curator.gui.session import display as D
from curator.gui.session.controller import Controller
from curator.gui.session.frame_state import block_columns
from curator.gui.widgets import theme
from curator.gui.widgets.plain import plain_tooltip

BLOCK = 200
CACHED_BLOCKS = 12
SMALL_PATCH = 8  # up to this many ids, a patch finds its rows; more: every block is refetched
_COLS = [c for _, c in D.COLUMNS]
_STATUS_LABEL = {R.PENDING: "○ pending", R.APPROVED: "✓ approved", R.REJECTED: "✕ rejected"}
_RIGHT = {D.TURNS, D.TOKENS}

Index = QModelIndex | QPersistentModelIndex

_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole.value)
_FONT = int(Qt.ItemDataRole.FontRole.value)
_LEFT = int((Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter).value)
_RIGHT_ALIGN = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)


def _text(v: Any) -> str:
    return "—" if v is None or v == "" else str(v)


def _formatter(col: str) -> Any:
    if col == R.STATUS:
        return lambda v: _STATUS_LABEL.get(v, _text(v))
    if col == D.TOKENS:
        return lambda v: "—" if v is None else f"{v:,}"
    if col == R.CLUSTER_ID:
        return lambda v: "—" if v is None else str(v)[:10]
    if col == D.FLAG_NAMES:
        return lambda v: v or ""
    return _text


_FORMAT = [_formatter(c) for c in _COLS]
_ALIGNS = [_RIGHT_ALIGN if c in _RIGHT else _LEFT for c in _COLS]


_STATUS_COLORS: dict[str, QColor] = {}
_MUTED = QColor()
_BAD = QColor()
_FLAGS_AT = _COLS.index(D.FLAG_NAMES)
_FG: list[QColor | None] = []
_FONTS: list[Any] = []


def _init_styles() -> None:
    """QColor/QFont need a QApplication: build them once, when the first model is made."""
    global _MUTED, _BAD
    if _FG:
        return
    _BAD = QColor(theme.BAD)
    _STATUS_COLORS.update({k: QColor(v) for k, v in theme.STATUS_COLORS.items()})
    _MUTED = QColor(theme.MUTED)
    for c in _COLS:
        _FG.append(
            QColor(theme.WARN)
            if c == D.FLAG_NAMES
            else _MUTED
            if c in (R.ID, R.CLUSTER_ID, R.SOURCE)
            else None
        )
        _FONTS.append(theme.mono_font() if c in (R.ID, R.CLUSTER_ID) else None)


def fetch_block(
    view: pl.DataFrame, frame: pl.DataFrame, scores: pl.DataFrame | None, b: int
) -> list[tuple[tuple[str, ...], str]]:
    """Block ``b`` of ``view`` as (display strings, status) per row; the lazy columns
    from ``frame``'s messages and ``scores`` when the view lacks them (Qt-free: a
    re-read's worker builds the first blocks with it, the UI thread the others)."""
    start = b * BLOCK
    # Series slices and to_list() run directly, not through the query engine, so a
    # big query in a worker (which owns Polars' thread pool) cannot delay a paint.
    columns: dict[str, list[Any]] = {
        col: view.get_column(col).slice(start, BLOCK).to_list()
        for col in _COLS
        if col in view.columns
    }
    missing = [col for col in _COLS if col not in columns]
    if missing:
        rows_in_frame = view.get_column(D.ROW).slice(start, BLOCK).to_list()
        if not rows_in_frame:
            return []
        extra = block_columns(frame, scores, rows_in_frame)
        columns.update({col: extra[col] for col in missing})
    # formatted column by column (a map per column, not a generator per row): half the time
    shown = [list(map(f, columns[col])) for f, col in zip(_FORMAT, _COLS, strict=True)]
    return list(zip(zip(*shown, strict=True), columns[_COLS[0]], strict=True))


class RecordsModel(QAbstractTableModel):
    """Rows = the controller's current view; columns = display.COLUMNS."""

    def __init__(self, controller: Controller) -> None:
        super().__init__(controller)
        _init_styles()
        self.controller = controller
        self._blocks: OrderedDict[int, list[tuple[Any, ...]]] = OrderedDict()
        self._rows = 0
        controller.block_builder, controller.block_rows = fetch_block, BLOCK
        controller.viewChanged.connect(self.reset_view)
        controller.recordsPatched.connect(self.on_patched)
        self.block_fetches = 0  # for tests/benchmarks: how many blocks were materialised

    def reset_view(self) -> None:
        self.beginResetModel()
        self._blocks.clear()
        # blocks a worker built for this view (a re-read's first page): used, not rebuilt
        self._blocks.update(self.controller.view_blocks)
        self.controller.view_blocks = {}
        self._rows = self.controller.view.height
        self.endResetModel()

    def on_patched(self, ids: list[str]) -> None:
        view = self.controller.view
        if view.height != self._rows:
            self.reset_view()
            return
        if len(ids) > SMALL_PATCH:  # a bulk step: every cached block may be stale, and
            # finding the rows would be a query on the UI thread; repaint what is shown,
            # from the blocks the patch's worker built for the patched view if it did
            self._blocks.clear()
            self._blocks.update(self.controller.view_blocks)
            self.controller.view_blocks = {}
            if self._rows:
                self.dataChanged.emit(self.index(0, 0), self.index(self._rows - 1, len(_COLS) - 1))
            return
        found = self.controller.view_positions(ids)
        if not found:
            return
        for b in {r // BLOCK for r in found}:
            self._blocks.pop(b, None)
        # One ranged signal: a per-row emit made undoing a big step take minutes.
        top, bottom = min(found), max(found)
        self.dataChanged.emit(self.index(top, 0), self.index(bottom, len(_COLS) - 1))

    # --- Qt model API ---------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_COLS)

    def _row_values(self, row: int) -> tuple[tuple[str, ...], str]:
        b = row // BLOCK
        block = self._blocks.get(b)
        if block is None:
            block = self._fetch(b)
            self.block_fetches += 1
            self._blocks[b] = block
            while len(self._blocks) > CACHED_BLOCKS:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(b)
        return block[row - b * BLOCK]

    def _fetch(self, b: int) -> list[tuple[tuple[str, ...], str]]:
        """One block as (display strings, status) per row; lazy columns computed if missing."""
        c = self.controller
        return fetch_block(c.view, c.frame, c.scores, b)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        # Called thousands of times per repaint: plain int roles, precomputed per block.
        if role == _DISPLAY:
            return self._row_values(index.row())[0][index.column()]
        if role == _FOREGROUND:
            col = index.column()
            if col == 0:
                return _STATUS_COLORS.get(self._row_values(index.row())[1], _MUTED)
            if col == _FLAGS_AT and self._row_values(index.row())[0][col].startswith(D.BLOCK_MARK):
                return _BAD
            return _FG[col]
        if role == _ALIGN:
            return _ALIGNS[index.column()]
        if role == _TOOLTIP:
            text = self._row_values(index.row())[0][index.column()]
            return None if text == "—" else plain_tooltip(text)
        if role == _FONT:
            return _FONTS[index.column()]
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return D.COLUMNS[section][0]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole:
            if _COLS[section] in _RIGHT:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        spec = self.controller.spec.with_(
            sort_column=_COLS[column], descending=order == Qt.SortOrder.DescendingOrder
        )
        self.controller.set_spec(spec)
