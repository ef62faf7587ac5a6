"""A read-only table model over a Polars frame (cells fetched on demand, as plain text)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from curator.gui.widgets.plain import plain_tooltip

Index = QModelIndex | QPersistentModelIndex


class FrameModel(QAbstractTableModel):
    """Shows ``columns`` (header, column name, formatter) of a frame."""

    def __init__(self, columns: list[tuple[str, str, Callable[[Any], str] | None]]) -> None:
        super().__init__()
        self.columns = columns
        self.df = pl.DataFrame()

    def set_frame(self, df: pl.DataFrame) -> None:
        self.beginResetModel()
        self.df = df
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.df.height

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        _, col, fmt = self.columns[index.column()]
        value = self.df.get_column(col)[index.row()] if col in self.df.columns else None
        text = fmt(value) if fmt is not None else "" if value is None else str(value)
        return plain_tooltip(text) if role == Qt.ItemDataRole.ToolTipRole else text

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section][0]
        return None

    def value(self, row: int, col: str) -> Any:
        if 0 <= row < self.df.height and col in self.df.columns:
            return self.df.get_column(col)[row]
        return None
