"""The start page: recent workspaces (kept in QSettings), New, Open, Open demo."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from curator.core.workspace import DB_NAME
from curator.core.workspace_peek import record_count
from curator.gui.widgets import theme
from curator.gui.widgets.plain import plain_label, plain_tooltip

MAX_RECENT = 10


def settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "Curator", "curator")


class RecentWorkspaces:
    """Most-recent-first list of workspace folders that still exist."""

    KEY = "recent_workspaces"

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store or settings()

    def paths(self) -> list[Path]:
        raw = self.store.value(self.KEY, [])
        if isinstance(raw, str):
            items = [raw]
        elif isinstance(raw, list | tuple):
            items = [str(x) for x in raw]
        else:
            items = []
        return [Path(p) for p in items if (Path(p) / DB_NAME).exists()]

    def add(self, path: Path) -> None:
        p = str(Path(path).resolve())
        items = [p] + [str(x) for x in self.paths() if str(x) != p]
        self.store.setValue(self.KEY, items[:MAX_RECENT])
        self.store.sync()


class StartPage(QWidget):
    openRequested = Signal(Path)
    newRequested = Signal()
    browseRequested = Signal()
    demoRequested = Signal()

    def __init__(self, recent: RecentWorkspaces, demo_available: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.recent = recent
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addStretch(1)
        col = QVBoxLayout()
        col.addStretch(1)
        title = plain_label("Curator", "title")
        title.setStyleSheet("font-size: 28px; font-weight: 700;")
        col.addWidget(title)
        col.addWidget(plain_label(
            "Turn conversation logs into a clean, validated fine-tuning set — and find out honestly "
            "whether it is ready.", "muted"))
        col.addSpacing(18)
        card = QFrame()
        card.setObjectName("card")
        card.setMinimumWidth(720)
        row = QHBoxLayout(card)
        row.setContentsMargins(20, 20, 20, 20)
        row.setSpacing(24)
        actions = QVBoxLayout()
        actions.setSpacing(8)
        start = plain_label("Start", "h2")
        actions.addWidget(start)
        self.new_button = QPushButton("New workspace…")
        self.new_button.setObjectName("primary")
        self.open_button = QPushButton("Open workspace…")
        self.demo_button = QPushButton("Open demo")
        if not demo_available:
            self.demo_button.setEnabled(False)
            self.demo_button.setToolTip("The demo builder (curator.core.demo) is not part of this installation.")
        else:
            self.demo_button.setToolTip("Build a small workspace from the bundled sample data and open it")
        for b, sig in ((self.new_button, self.newRequested), (self.open_button, self.browseRequested),
                       (self.demo_button, self.demoRequested)):
            b.setMinimumWidth(190)
            b.setMinimumHeight(34)
            b.clicked.connect(sig)
            actions.addWidget(b)
        actions.addSpacing(10)
        actions.addWidget(plain_label("Or drop conversation files\nanywhere on this window.", "muted"))
        actions.addStretch(1)
        row.addLayout(actions)
        right = QVBoxLayout()
        right.setSpacing(8)
        right.addWidget(plain_label("Recent workspaces", "h2"))
        self.list = QListWidget()
        self.list.setMinimumHeight(260)
        self.list.setStyleSheet(
            f"QListWidget {{ border: 1px solid {theme.BORDER}; border-radius: 6px; }}"
            f"QListWidget::item {{ border-bottom: 1px solid {theme.BORDER}; }}"
            f"QListWidget::item:selected {{ background: {theme.ACCENT_SOFT}; }}"
        )
        self.list.itemActivated.connect(self._activated)
        right.addWidget(self.list, 1)
        self.empty = plain_label("No recent workspaces yet. Create one, open one, or try the demo.", "muted")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        right.addWidget(self.empty, 1)
        row.addLayout(right, 1)
        col.addWidget(card)
        col.addStretch(2)
        outer.addLayout(col, 3)
        outer.addStretch(1)
        self.reload()

    def reload(self) -> None:
        self.list.clear()
        for p in self.recent.paths():
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, str(p))
            item.setToolTip(plain_tooltip(str(p)))
            row = QWidget()
            lay = QVBoxLayout(row)
            lay.setContentsMargins(10, 7, 10, 7)
            lay.setSpacing(1)
            name = plain_label(p.name, wrap=False)
            name.setStyleSheet("font-weight: 600;")
            count = record_count(p)
            what = f"{count:,} conversations · " if count is not None else ""
            lay.addWidget(name)
            lay.addWidget(plain_label(f"{what}{p.parent}", "muted", wrap=False))
            for lab in row.findChildren(QLabel):
                lab.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            item.setSizeHint(row.sizeHint())
            self.list.addItem(item)
            self.list.setItemWidget(item, row)
        has = self.list.count() > 0
        self.list.setVisible(has)
        self.empty.setVisible(not has)
        if has:
            self.list.setCurrentRow(0)

    def _activated(self, item: QListWidgetItem) -> None:
        self.openRequested.emit(Path(item.data(Qt.ItemDataRole.UserRole)))
