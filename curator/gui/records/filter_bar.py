"""Queue buttons with live counts, flag/language/source pickers, debounced search."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from curator.gui.session import display as D
from curator.gui.session.controller import Controller

SEARCH_DEBOUNCE_MS = 300
_ANY = ""


class FilterBar(QWidget):
    """Edits the controller's ViewSpec; mirrors it when it changes elsewhere."""

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._syncing = False
        # Two rows (queues; pickers + search) so the window fits a 1024-px screen.
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(6)
        lay = QHBoxLayout()
        lay.setSpacing(6)
        rows.addLayout(lay)
        pick = QHBoxLayout()
        pick.setSpacing(6)
        rows.addLayout(pick)
        self.queue_buttons: dict[str, QPushButton] = {}
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        for key, label in D.QUEUES:
            b = QPushButton(label)
            b.setObjectName("queue")
            b.setCheckable(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setProperty("label", label)
            b.clicked.connect(lambda _=False, k=key: self._queue_clicked(k))
            self._group.addButton(b)
            self.queue_buttons[key] = b
            lay.addWidget(b)
        self.ids_chip = QPushButton("")
        self.ids_chip.setObjectName("queue")
        self.ids_chip.setToolTip("Showing only chosen records; click to show the whole queue again")
        self.ids_chip.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.ids_chip.clicked.connect(lambda: controller.set_spec(controller.spec.with_(ids=None)))
        self.ids_chip.hide()
        lay.addWidget(self.ids_chip)
        lay.addStretch(1)
        self.flag = self._combo("Any flag", "flag")
        self.language = self._combo("Any language", "language")
        self.source = self._combo("Any source", "source")
        for c in (self.flag, self.language, self.source):
            pick.addWidget(c)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search text   ( / )")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(160)
        pick.addWidget(self.search, 1)
        self.hits = QLabel("")
        self.hits.setObjectName("muted")
        self.hits.setTextFormat(Qt.TextFormat.PlainText)
        pick.addWidget(self.hits)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self._apply_search)
        controller.countsChanged.connect(self.set_counts)
        controller.workspaceOpened.connect(lambda _ws: self.set_counts({}))
        controller.frameReloaded.connect(self._refresh_choices)
        controller.specChanged.connect(self.sync)
        controller.viewChanged.connect(self._show_hits)
        self.set_counts(controller.counts)
        self.sync(controller.spec)

    def _combo(self, placeholder: str, key: str) -> QComboBox:
        c = QComboBox()
        c.setFixedWidth(170)
        c.view().setMinimumWidth(280)  # long flag names fit in the open list
        c.addItem(placeholder, _ANY)
        c.setProperty("placeholder", placeholder)
        c.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        c.currentIndexChanged.connect(lambda _i, k=key, cb=c: self._combo_changed(k, cb))
        return c

    def set_counts(self, counts: dict[str, int]) -> None:
        loaded = self.controller.loaded
        widest = f"{max(counts.get('all', 0), 99_999):,}"  # every chip fits the biggest count
        for key, b in self.queue_buttons.items():
            b.setText(f"{b.property('label')}  {counts.get(key, 0):,}" if loaded else f"{b.property('label')}  …")
            # A fixed width per chip: the chips and pickers no longer shift as counts change.
            b.setFixedWidth(b.fontMetrics().horizontalAdvance(f"{b.property('label')}  {widest}") + 28)

    def _refresh_choices(self) -> None:
        self._syncing = True
        try:
            for key, combo in (("flag", self.flag), ("language", self.language), ("source", self.source)):
                current = combo.currentData()
                values = self.controller.choices.get(key, [])
                combo.clear()
                combo.addItem(combo.property("placeholder"), _ANY)
                for v in values:
                    combo.addItem(v, v)
                combo.setEnabled(bool(values))
                combo.setToolTip("" if values else f"No values yet: {combo.property('placeholder').lower()}")
                combo.setCurrentIndex(max(0, combo.findData(current)))
        finally:
            self._syncing = False

    def sync(self, spec: D.ViewSpec) -> None:
        """Show ``spec`` without re-applying it."""
        self._syncing = True
        try:
            if spec.queue in self.queue_buttons:
                self.queue_buttons[spec.queue].setChecked(True)
            if spec.ids is not None:
                n = len(spec.ids)
                self.ids_chip.setText(f"{n} chosen record{'s' if n != 1 else ''}  ✕")
            self.ids_chip.setVisible(spec.ids is not None)
            for combo, value in ((self.flag, spec.flag), (self.language, spec.language), (self.source, spec.source)):
                i = combo.findData(value or _ANY)
                if i < 0 and value:
                    combo.addItem(value, value)
                    i = combo.count() - 1
                combo.setCurrentIndex(max(0, i))
            if (spec.search or "") != self.search.text():
                self.search.setText(spec.search or "")
                self._debounce.stop()
        finally:
            self._syncing = False

    def _show_hits(self) -> None:
        """How many records the search found (in the current queue and filters)."""
        c = self.controller
        if c.spec.search:
            n = c.view.height
            self.hits.setText(f"{n:,} match{'es' if n != 1 else ''}" if n else "no match")
        else:
            self.hits.setText("")

    def _queue_clicked(self, key: str) -> None:
        self.controller.set_spec(self.controller.spec.with_(queue=key, ids=None))

    def _combo_changed(self, key: str, combo: QComboBox) -> None:
        if self._syncing:
            return
        value = combo.currentData() or None
        self.controller.set_spec(self.controller.spec.with_(**{key: value}))

    def _apply_search(self) -> None:
        self._debounce.stop()
        text = self.search.text().strip() or None
        if text != self.controller.spec.search:
            self.controller.set_spec(self.controller.spec.with_(search=text))

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()
