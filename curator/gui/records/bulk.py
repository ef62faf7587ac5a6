"""Bulk approve/reject of the selection or of everything in the current filter.

Every bulk action states its count in a confirmation first; batches above
``controller.BULK_IN_WORKER`` ids run in a worker and refresh the frame after.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from curator.core import records as R
from curator.gui.records.reject_dialog import RejectDialog, reasons
from curator.gui.session.controller import Controller


def confirm(parent: QWidget, title: str, text: str) -> bool:
    """Modal yes/no; tests replace this function to answer it."""
    answer = QMessageBox.question(
        parent, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


def ask_reason(parent: QWidget, choices: list[str], count: int) -> str | None:
    """Modal reason picker; tests replace this function to answer it."""
    dlg = RejectDialog(choices, count, parent)
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return None
    return dlg.reason() or None


def confirmation_text(action: str, count: int, scope: str) -> str:
    noun = "record" if count == 1 else "records"
    return f"{action.capitalize()} {count:,} {noun} ({scope})? This is one undoable step (Ctrl+Z)."


def run_bulk(parent: QWidget, controller: Controller, action: str, ids: list[str], scope: str) -> bool:
    """Ask, then approve or reject ``ids``. Returns whether anything was done."""
    if not ids:
        QMessageBox.information(parent, "Nothing to do", f"No records in {scope}.")
        return False
    reason: str | None = None
    if action == "reject":
        reason = ask_reason(parent, reasons(controller.ws), len(ids))
        if not reason:
            return False
    if not confirm(parent, f"{action.capitalize()} records", confirmation_text(action, len(ids), scope)):
        return False
    controller.bulk(action, ids, reason)
    return True


def ids_in_view(controller: Controller) -> list[str]:
    ids: list[str] = controller.view.get_column(R.ID).to_list()
    return ids
