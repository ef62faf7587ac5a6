"""Plain-text tooltips and warnings: record text (and file content) is never interpreted as HTML.

Qt renders a tooltip as rich text when ``Qt.mightBeRichText`` says so (e.g. a message
``Hi <b>team</b>``). Wrapping the escaped text in a paragraph that keeps whitespace makes
Qt always show it literally, line breaks included.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget


def plain_label(text: str, name: str | None = None, wrap: bool = True) -> QLabel:
    """A QLabel that can never interpret its text as HTML."""
    lab = QLabel()
    lab.setTextFormat(Qt.TextFormat.PlainText)
    lab.setText(text)
    lab.setWordWrap(wrap)
    if name:
        lab.setObjectName(name)
    lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return lab


def mnemonic_safe(text: str) -> str:
    """Text for a button, check box, tab or menu: Qt reads one ``&`` as a shortcut marker
    and hides it, so a title like "Repetition & truncation" needs it doubled."""
    return text.replace("&", "&&")


def plain_tooltip(text: str | None) -> str:
    """``text`` as a tooltip that shows literally (empty text stays empty: no tooltip)."""
    if not text:
        return ""
    return "<p style='white-space:pre-wrap'>" + html.escape(text, quote=False) + "</p>"


def plain_warning(parent: QWidget | None, title: str, text: str) -> None:
    """A modal warning whose text (an error naming file content) is never read as HTML."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()
