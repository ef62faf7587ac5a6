"""One coherent light palette (Fusion style) and the colours the widgets share."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QFontDatabase, QIcon, QPalette
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
HIGHLIGHT_SEARCH = "#a7f3d0"

STATUS_COLORS = {"pending": MUTED, "approved": OK, "rejected": BAD}

# chat bubbles by role: (background, border, label colour)
BUBBLES = {
    "user": ("#e6efff", "#c3d5fb", "#1d4ed8"),
    "assistant": ("#ffffff", "#d8dde3", "#16803c"),
    "system": ("#f3efff", "#d9cffb", "#6d28d9"),
    "tool": ("#f4f5f7", "#d8dde3", "#667085"),
}


def stylesheet() -> str:
    """resources/style.qss with its @NAME colours filled in, plus the bubble rules."""
    from curator.gui.install import resource

    qss = resource("style.qss").read_text(encoding="utf-8")
    names = {
        k: v
        for k, v in globals().items()
        if k.isupper() and isinstance(v, str) and v.startswith("#")
    }
    for name in sorted(names, key=len, reverse=True):  # ACCENT_SOFT before ACCENT
        qss = qss.replace("@" + name, names[name])
    return qss + "\n" + _bubble_rules()


def _bubble_rules() -> str:
    rules = [
        "QTextEdit#bubbleText { background: transparent; border: none; padding: 0; }",
        "QLabel#roleLabel { font-size: 10px; font-weight: 700; letter-spacing: 1px; }",
        # the review pane's per-record labels: named rules, not a style sheet per widget
        # (one setStyleSheet re-polishes the widget; a dozen per record cost ~20 ms at 1M)
        f"QLabel#flagBlock {{ color: {BAD}; }}",
        f"QLabel#flagWarn {{ color: {WARN}; }}",
        f"QLabel#flagInfo {{ color: {MUTED}; }}",
        f"QLabel#editedNote {{ color: {ACCENT}; font-weight: 600; }}",
    ]
    for role, (bg, border, label) in BUBBLES.items():
        rules.append(
            f'QFrame#bubble[role="{role}"] {{ background: {bg}; border: 1px solid {border}; border-radius: 10px; }}'
        )
        rules.append(f'QLabel#roleLabel[role="{role}"] {{ color: {label}; }}')
    return "\n".join(rules)


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
    app.setStyleSheet(stylesheet())
    app.setWindowIcon(app_icon())  # every window and dialog inherits it


def app_icon() -> QIcon:
    """The app icon from resources/: every PNG size plus the SVG."""
    from curator.gui.install import icon_pngs, icon_svg

    icon = QIcon()
    for png in icon_pngs():
        if png.exists():
            icon.addFile(str(png))
    if icon_svg().exists():
        icon.addFile(str(icon_svg()))
    return icon


_MONO: QFont | None = None


def mono_font() -> QFont:
    global _MONO
    if _MONO is None:
        _MONO = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    return _MONO
