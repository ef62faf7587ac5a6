"""Where "Run pipeline" computes: this computer, or a Ray cluster (``--engine`` in the CLI).

The choice is kept per workspace (setting ``run_engine``): a workspace processed on
a cluster is usually always processed there.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QWidget

from curator.core.workspace import Workspace
from curator.gui.widgets.plain import plain_label

SETTING = "run_engine"
CHOICES = (("local", "This computer"), ("ray", "Ray cluster"))


class EngineRow(QWidget):
    """A combo (this computer / Ray cluster) and the cluster address."""

    def __init__(self) -> None:
        super().__init__()
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(plain_label("Run on", "muted", wrap=False))
        self.combo = QComboBox()
        for key, label in CHOICES:
            self.combo.addItem(label, key)
        self.combo.setToolTip(
            "This computer: the local engine. Ray cluster: the same jobs on Ray workers "
            "(pip install -e '.[ray]'); results are identical."
        )
        lay.addWidget(self.combo)
        self.address = QLineEdit()
        self.address.setPlaceholderText(
            "address: empty starts a local Ray; auto joins a running cluster"
        )
        self.address.setToolTip("HOST:PORT of the Ray head (ray status prints it), auto, or empty")
        lay.addWidget(self.address, 1)
        lay.addStretch(0)  # with the address hidden, the room goes here, not to the combo
        self.combo.currentIndexChanged.connect(self._shown)
        self._shown()

    def _shown(self) -> None:
        self.address.setVisible(self.engine() == "ray")

    def engine(self) -> str:
        return str(self.combo.currentData())

    def choice(self) -> tuple[str, str | None]:
        """(engine, address or None)."""
        addr = self.address.text().strip() if self.engine() == "ray" else ""
        return self.engine(), addr or None

    def set_choice(self, engine: str, address: str | None) -> None:
        self.combo.setCurrentIndex(max(0, self.combo.findData(engine)))
        self.address.setText(address or "")

    def load(self, ws: Workspace) -> None:
        stored: Any = ws.get_setting(SETTING) or {}
        if isinstance(stored, dict):
            self.set_choice(str(stored.get("engine", "local")), stored.get("address"))

    def save(self, ws: Workspace) -> None:
        engine, address = self.choice()
        ws.set_setting(SETTING, {"engine": engine, "address": address})
