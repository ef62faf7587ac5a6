"""Approving a record with a blocking flag: say what the flag found, ask once."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QMessageBox, QWidget

NO_ASK_SETTING = "gui.approve_flags_without_asking"  # flag names the reviewer waved through


class ApproveFlaggedDialog(QMessageBox):
    """"Approve anyway?" listing the blocking flags and their reasons, with
    "Don't ask again for this flag". Text is plain (flag reasons quote record text)."""

    def __init__(self, rid: str, flags: list[dict[str, Any]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Approve a flagged record?")
        self.setIcon(QMessageBox.Icon.Warning)
        self.setTextFormat(Qt.TextFormat.PlainText)
        n = len(flags)
        head = (
            f"Record {rid} has {'a blocking flag' if n == 1 else f'{n} blocking flags'}: "
            "it stays out of every export unless you approve it."
        )
        lines = [f"• {f['name']}: {f.get('reason') or 'no detail'}" for f in flags]
        # All in the plain-text main text: informative text would be read as rich text.
        self.setText(head + "\n\n" + "\n".join(lines) + "\n\nApprove it anyway?")
        self.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        self.setDefaultButton(QMessageBox.StandardButton.No)
        self.button(QMessageBox.StandardButton.Yes).setText("Approve anyway")
        self.button(QMessageBox.StandardButton.No).setText("Keep pending")
        self.dont_ask = QCheckBox("Don't ask again for this flag" if n == 1 else "Don't ask again for these flags")
        self.setCheckBox(self.dont_ask)
