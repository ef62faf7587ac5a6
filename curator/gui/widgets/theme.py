"""One coherent light palette (Fusion style) and the colours the widgets share."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import QApplication

BG = "#f4f5f7"
SURFACE = "#ffffff"
BORDER = "#d8dde3"
TEXT = "#1f2328"
MUTED = "#667085"
ACCENT = "#2563eb"
ACCENT_SOFT = "#dbe7ff"
OK = "#16803c"
BAD = "#c62828"
WARN = "#a15c00"
HIGHLIGHT_PII = "#ffe08a"

STATUS_COLORS = {"pending": MUTED, "approved": OK, "rejected": BAD}

# chat bubbles by role: (background, border, label colour)
BUBBLES = {
    "user": ("#e6efff", "#c3d5fb", "#1d4ed8"),
    "assistant": ("#ffffff", "#d8dde3", "#16803c"),
    "system": ("#f3efff", "#d9cffb", "#6d28d9"),
    "tool": ("#f4f5f7", "#d8dde3", "#667085"),
}

STYLESHEET = f"""
QMainWindow, QDialog {{ background: {BG}; }}
QWidget {{ color: {TEXT}; }}
QTableView {{ background: {SURFACE}; border: 1px solid {BORDER}; gridline-color: {BORDER};
  selection-background-color: {ACCENT_SOFT}; selection-color: {TEXT}; }}
QHeaderView::section {{ background: {BG}; border: none; border-bottom: 1px solid {BORDER};
  border-right: 1px solid {BORDER}; padding: 4px 6px; font-weight: 600; color: {MUTED}; }}
QPushButton {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 5px; padding: 5px 12px; }}
QPushButton:hover {{ border-color: {ACCENT}; }}
QPushButton:disabled {{ color: #a0a7b1; }}
QPushButton#primary {{ background: {ACCENT}; color: white; border-color: {ACCENT}; font-weight: 600; }}
QPushButton#approve {{ background: {OK}; color: white; border-color: {OK}; font-weight: 600; }}
QPushButton#reject {{ background: {SURFACE}; color: {BAD}; border-color: {BAD}; font-weight: 600; }}
QPushButton#primary:disabled, QPushButton#approve:disabled {{ background: #b9c6dd; border-color: #b9c6dd; }}
QPushButton#reject:disabled {{ color: #d9a3a3; border-color: #e5c4c4; }}
QPushButton#link {{ border: none; background: transparent; color: {ACCENT}; padding: 0 2px; text-align: left; }}
QPushButton#link:hover {{ text-decoration: underline; }}
QPushButton#queue {{ border-radius: 13px; padding: 4px 12px; }}
QPushButton#queue:checked {{ background: {ACCENT}; color: white; border-color: {ACCENT}; }}
QLineEdit, QComboBox, QPlainTextEdit, QSpinBox {{ background: {SURFACE}; border: 1px solid {BORDER};
  border-radius: 5px; padding: 4px 6px; }}
QLineEdit:focus, QComboBox:focus, QPlainTextEdit:focus {{ border-color: {ACCENT}; }}
QTabWidget::pane {{ border: none; }}
QTabBar::tab {{ padding: 6px 16px; border: none; color: {MUTED}; }}
QTabBar::tab:selected {{ color: {TEXT}; border-bottom: 2px solid {ACCENT}; font-weight: 600; }}
QScrollArea {{ border: none; background: transparent; }}
QLabel#muted {{ color: {MUTED}; }}
QLabel#title {{ font-size: 20px; font-weight: 600; }}
QLabel#h2 {{ font-size: 14px; font-weight: 600; }}
QLabel#error {{ color: {BAD}; }}
QFrame#card {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 8px; }}
QProgressBar {{ border: 1px solid {BORDER}; border-radius: 4px; background: {SURFACE}; height: 14px;
  text-align: center; }}
QProgressBar::chunk {{ background: {ACCENT}; border-radius: 3px; }}
QStatusBar {{ color: {MUTED}; }}
"""


def _bubble_rules() -> str:
    rules = [
        "QTextEdit#bubbleText { background: transparent; border: none; padding: 0; }",
        "QLabel#roleLabel { font-size: 10px; font-weight: 700; letter-spacing: 1px; }",
    ]
    for role, (bg, border, label) in BUBBLES.items():
        rules.append(f'QFrame#bubble[role="{role}"] {{ background: {bg}; border: 1px solid {border}; border-radius: 10px; }}')
        rules.append(f'QLabel#roleLabel[role="{role}"] {{ color: {label}; }}')
    return "\n".join(rules)


STYLESHEET += _bubble_rules()


def apply(app: QApplication) -> None:
    """Fusion style with the light palette, whatever the desktop's theme."""
    app.setStyle("Fusion")
    pal = QPalette()
    pal.setColor(QPalette.ColorRole.Window, QColor(BG))
    pal.setColor(QPalette.ColorRole.WindowText, QColor(TEXT))
    pal.setColor(QPalette.ColorRole.Base, QColor(SURFACE))
    pal.setColor(QPalette.ColorRole.AlternateBase, QColor("#f8f9fb"))
    pal.setColor(QPalette.ColorRole.Text, QColor(TEXT))
    pal.setColor(QPalette.ColorRole.Button, QColor(SURFACE))
    pal.setColor(QPalette.ColorRole.ButtonText, QColor(TEXT))
    pal.setColor(QPalette.ColorRole.Highlight, QColor(ACCENT_SOFT))
    pal.setColor(QPalette.ColorRole.HighlightedText, QColor(TEXT))
    pal.setColor(QPalette.ColorRole.ToolTipBase, QColor(SURFACE))
    pal.setColor(QPalette.ColorRole.ToolTipText, QColor(TEXT))
    pal.setColor(QPalette.ColorRole.PlaceholderText, QColor(MUTED))
    pal.setColor(QPalette.ColorRole.Link, QColor(ACCENT))
    app.setPalette(pal)
    app.setStyleSheet(STYLESHEET)


_MONO: QFont | None = None


def mono_font() -> QFont:
    global _MONO
    if _MONO is None:
        _MONO = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    return _MONO
