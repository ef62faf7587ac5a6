"""Bulk approve/reject of the selection or of everything in the current filter.

Every bulk action states its count in a confirmation first; batches above
``controller.BULK_IN_WORKER`` ids run in a worker and refresh the frame after.
Before asking, the window checks the journal's sequence number: when another
Curator process reviewed since the view was read, the view is re-read first
(and the ids of "everything in the filter" taken from it), and the confirmation
says so. The change is then applied with the statuses the window shows, so a
record another process decides after that is skipped and reported, never
overwritten (``review.approve(expected=...)``).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEventLoop
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


CHANGED_ELSEWHERE = (
    "Another Curator process changed this workspace since the view was loaded; the view "
    "has been refreshed to show its changes."
)


def refresh_now(controller: Controller) -> bool:
    """Re-read the frame and wait for it (the window stays responsive); False if it failed."""
    loop = QEventLoop()
    ok: list[bool] = []

    def reloaded() -> None:
        ok.append(True)
        loop.quit()

    controller.frameReloaded.connect(reloaded)
    controller.errorOccurred.connect(loop.quit)
    try:
        if controller.refresh() is None:
            return False
        loop.exec()
    finally:
        controller.frameReloaded.disconnect(reloaded)
        controller.errorOccurred.disconnect(loop.quit)
    return bool(ok)


def run_bulk(
    parent: QWidget,
    controller: Controller,
    action: str,
    ids: list[str],
    scope: str,
    ids_now: Callable[[], list[str]] | None = None,
) -> bool:
    """Ask, then approve or reject ``ids``. Returns whether anything was done.

    ``ids_now`` gives the ids again from a refreshed view (for "everything in the
    filter"); without it ``ids`` (a selection) are kept."""
    note = ""
    if not controller.is_current():  # another process reviewed since the view was read
        if not refresh_now(controller):
            return False
        note = CHANGED_ELSEWHERE + "\n\n"
        if ids_now is not None:
            ids = ids_now()
    if not ids:
        QMessageBox.information(parent, "Nothing to do", f"{note}No records in {scope}.")
        return False
    reason: str | None = None
    if action == "reject":
        reason = ask_reason(parent, reasons(controller.ws), len(ids))
        if not reason:
            return False
    if not confirm(parent, f"{action.capitalize()} records", note + confirmation_text(action, len(ids), scope)):
        return False
    controller.bulk(action, ids, reason)
    return True


def ids_in_view(controller: Controller) -> list[str]:
    ids: list[str] = controller.view.get_column(R.ID).to_list()
    return ids
