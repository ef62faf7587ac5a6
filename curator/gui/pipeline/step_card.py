"""One pipeline step as a card: enable toggle, parameter editors, live flag count.

Editors are chosen from each parameter's default type (bool -> check box,
int -> spin box, fraction -> slider + spin box, list -> comma-separated
line, known choices -> combo box), so every parameter the core accepts can
be set here without a hand-written form per filter.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from curator.gui.widgets.plain import mnemonic_safe, plain_label

LABELS: dict[str, str] = {
    "threshold": "Similarity threshold",
    "ngram": "Words per shingle",
    "num_perm": "MinHash permutations",
    "scope": "Text compared",
    "min_tokens": "Min words for near-dup",
    "lowercase": "Ignore case",
    "fold_punctuation": "Ignore punctuation",
    "fold_digits": "Ignore digits",
    "target": "Target model",
    "max_tokens": "Max tokens (0 = target's limit)",
    "min_reply_chars": "Shortest reply (letters)",
    "expected": "Expected languages",
    "min_prob": "Min. detection confidence",
    "engine": "Detector",
    "check_alternation": "Roles must alternate",
    "check_last_turn": "Must end with the assistant",
    "min_prompts": "Same reply to N different prompts",
    "min_share": "or to this share of records",
    "ignore": "Flags to ignore",
    "allowlist": "Allowed values",
    "allow_domains": "Allowed e-mail domains",
}
HINTS: dict[str, str] = {
    "expected": "Comma-separated ISO codes, e.g. en, de. Empty: the workspace's majority language.",
    "ignore": "Comma-separated flag names, e.g. pii.ip",
    "allowlist": "Comma-separated exact values that are fine",
    "allow_domains": "Comma-separated domains, e.g. example.com",
}


# Lowest value a fraction box accepts where 0 is meaningless (similarity must be in (0, 1]).
MINIMUMS = {"threshold": 0.01}


def label_for(key: str) -> str:
    return LABELS.get(key, key.replace("_", " ").capitalize())


class ParamEditor(QWidget):
    """An editor for one parameter value; emits ``changed``."""

    changed = Signal()

    def __init__(self, key: str, default: Any, value: Any, choices: list[str] | None = None) -> None:
        super().__init__()
        self.key, self.default = key, default
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.slider: QSlider | None = None
        self.widget: QWidget
        if choices is not None:
            box = QComboBox()
            names = list(choices) if value in choices else [str(value), *choices]
            box.addItems(names)
            box.setCurrentText(str(value))
            box.currentTextChanged.connect(lambda _t: self.changed.emit())
            box.setMinimumWidth(180)
            self.widget = box
        elif isinstance(default, bool):
            cb = QCheckBox()
            cb.setChecked(bool(value))
            cb.toggled.connect(lambda _b: self.changed.emit())
            self.widget = cb
        elif isinstance(default, int):
            # a 0-decimal QDoubleSpinBox: whole numbers, styled like the fraction boxes
            sp = QDoubleSpinBox()
            sp.setDecimals(0)
            sp.setRange(0, 100_000_000)
            sp.setGroupSeparatorShown(True)
            sp.setKeyboardTracking(False)
            sp.setValue(int(value))
            sp.setFixedWidth(110)
            sp.valueChanged.connect(lambda _v: self.changed.emit())
            self.widget = sp
        elif isinstance(default, float):
            ds = QDoubleSpinBox()
            fraction = 0.0 <= default <= 1.0
            ds.setDecimals(2)
            ds.setSingleStep(0.01)
            low = MINIMUMS.get(key, 0.0)
            ds.setRange(low, 1.0 if fraction else 1e9)
            # Typed digits commit on Enter / focus out, not per key: "0.7" on the way to
            # "0.75" used to round-trip through the slider and rewrite the text mid-typing.
            ds.setKeyboardTracking(False)
            ds.setValue(float(value))
            if fraction:
                sl = QSlider(Qt.Orientation.Horizontal)
                sl.setRange(round(low * 100), 100)
                sl.setValue(round(float(value) * 100))
                sl.setMinimumWidth(160)
                sl.valueChanged.connect(lambda v: ds.setValue(v / 100) if round(ds.value() * 100) != v else None)
                ds.valueChanged.connect(lambda v: sl.setValue(round(v * 100)))
                lay.addWidget(sl, 1)
                self.slider = sl
            ds.valueChanged.connect(lambda _v: self.changed.emit())
            ds.setFixedWidth(80)
            self.widget = ds
        else:  # lists and free strings
            le = QLineEdit(", ".join(value) if isinstance(value, list) else str(value))
            le.setPlaceholderText(HINTS.get(key, ""))
            le.setMinimumWidth(320)
            le.editingFinished.connect(self.changed.emit)
            le.textChanged.connect(lambda _t: self.changed.emit())
            self.widget = le
        lay.addWidget(self.widget)
        lay.addStretch(1)
        if key in HINTS:
            self.setToolTip(HINTS[key])

    def value(self) -> Any:
        w = self.widget
        if isinstance(w, QComboBox):
            return w.currentText()
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, QDoubleSpinBox):
            return int(w.value()) if w.decimals() == 0 else round(float(w.value()), 4)
        assert isinstance(w, QLineEdit)
        if isinstance(self.default, list):
            return [p.strip() for p in w.text().split(",") if p.strip()]
        return w.text()

    def set_value(self, value: Any) -> None:
        w = self.widget
        if isinstance(w, QComboBox):
            w.setCurrentText(str(value))
        elif isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QDoubleSpinBox):
            w.setValue(float(value))
        elif isinstance(w, QLineEdit):
            w.setText(", ".join(value) if isinstance(value, list) else str(value))


class StepCard(QFrame):
    """A recipe step: toggle, parameters, "would flag N" and run status."""

    changed = Signal()  # any editor or the toggle moved
    showRequested = Signal(str)  # flag family to open in the records table

    def __init__(
        self, name: str, title: str, description: str, enabled: bool,
        params: dict[str, tuple[Any, Any]], choices: dict[str, list[str]],
        score_params: set[str], family: str,
    ) -> None:
        super().__init__()
        self.setObjectName("card")
        self.name, self.family = name, family
        lay = QVBoxLayout(self)
        lay.setContentsMargins(14, 10, 14, 12)
        head = QHBoxLayout()
        self.toggle = QCheckBox(mnemonic_safe(title))  # "PII & secrets", not "PII _secrets"
        self.toggle.setStyleSheet("font-weight: 600; font-size: 14px;")
        self.toggle.setChecked(enabled)
        self.toggle.toggled.connect(self._toggled)
        head.addWidget(self.toggle)
        head.addStretch(1)
        self.status = plain_label("", "muted", wrap=False)
        head.addWidget(self.status)
        self.count = QPushButton("")
        self.count.setObjectName("link")
        self.count.setToolTip("Open the records this step flags now")
        self.count.clicked.connect(lambda: self.showRequested.emit(self.family))
        head.addWidget(self.count)
        lay.addLayout(head)
        desc = plain_label(description, "muted")
        lay.addWidget(desc)
        self.body = QWidget()
        grid = QGridLayout(self.body)
        grid.setContentsMargins(0, 4, 0, 0)
        grid.setHorizontalSpacing(12)
        self.editors: dict[str, ParamEditor] = {}
        cols = 2 if len(params) > 4 else 1
        for i, (key, (default, value)) in enumerate(params.items()):
            ed = ParamEditor(key, default, value, choices.get(key))
            ed.changed.connect(self.changed.emit)
            text = label_for(key) + (" *" if key in score_params else "")
            lab = QLabel(text)
            lab.setTextFormat(Qt.TextFormat.PlainText)
            if key in score_params:
                lab.setToolTip("Changes what is scored: takes effect on Run (re-scores this filter).")
            r, c = divmod(i, cols)
            grid.addWidget(lab, r, c * 2)
            grid.addWidget(ed, r, c * 2 + 1)
            self.editors[key] = ed
        for c in range(cols):
            grid.setColumnStretch(c * 2 + 1, 1)
            grid.setColumnMinimumWidth(c * 2, 170)
        lay.addWidget(self.body)
        self.body.setEnabled(enabled)

    def _toggled(self, on: bool) -> None:
        self.body.setEnabled(on)
        self.changed.emit()

    @property
    def enabled(self) -> bool:
        return self.toggle.isChecked()

    def values(self) -> dict[str, Any]:
        return {k: e.value() for k, e in self.editors.items()}

    def set_count(self, would: int | None, now: int | None, note: str = "") -> None:
        if not self.enabled:
            self.count.setText("off")
        elif would is None:
            self.count.setText(note or "…")
        else:
            now_txt = f" (now {now:,})" if now is not None and now != would else ""
            self.count.setText(f"would flag {would:,}{now_txt}")
        self.count.setEnabled(self.enabled and would is not None)

    def set_status(self, text: str) -> None:
        self.status.setText(text)
