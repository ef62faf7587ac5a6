"""The import dialog's "Database…" source: a URL and a query (or table).

Returns a ``DatabaseSource`` for the dialog's preview and import, which then
run ``preview_database`` / ``import_database_job`` (the CLI's code). A password
typed here is put in this process's environment under a private variable name
and passed by name (``--password-env``), so it is never stored, logged or shown.
"""

from __future__ import annotations

import os

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from curator.core.errors import CuratorError
from curator.core.ingest.database import DatabaseSource
from curator.gui.widgets.plain import plain_label

PASSWORD_ENV = "CURATOR_GUI_DB_PASSWORD"  # this process only; never written anywhere


class DatabaseSourceDialog(QDialog):
    """Ask for postgresql://USER@HOST/DB or sqlite:///FILE, and a query or a table."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import from a database")
        self.source: DatabaseSource | None = None
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.url = QLineEdit()
        self.url.setPlaceholderText("postgresql://USER@HOST/DB  or  sqlite:///path/to/file.db")
        self.table = QLineEdit()
        self.table.setPlaceholderText("a table, e.g. messages (or write a query below)")
        self.query = QPlainTextEdit()
        self.query.setPlaceholderText(
            "SELECT ticket_id, author_type, body, created_at FROM messages"
        )
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("empty: PGPASSWORD or ~/.pgpass")
        form.addRow("Database URL", self.url)
        form.addRow("Table", self.table)
        form.addRow("Query", self.query)
        form.addRow("Password", self.password)
        lay.addLayout(form)
        self.error = plain_label("", "error")
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(640, 360)

    def accept(self) -> None:
        query = self.query.toPlainText().strip() or None
        table = self.table.text().strip() or None
        try:
            source = DatabaseSource.make(
                self.url.text().strip(),
                query=query,
                table=table,
                password_env=PASSWORD_ENV if self.password.text() else None,
            )
        except CuratorError as exc:
            self.error.setText(str(exc))
            return
        if self.password.text():
            os.environ[PASSWORD_ENV] = self.password.text()
        self.password.clear()
        self.source = source
        super().accept()
