"""The Pipeline tab: the workspace's recipe as step cards, live counts, Run.

Moving a threshold recounts from stored scores only (``count_flagged``,
``count_at_threshold``) in a worker, debounced, newest result shown; nothing
is re-scored. "Apply thresholds" re-flags cheaply; "Run" executes
``pipeline_job`` in a worker with per-step progress and Cancel.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from curator.core.dedup import load_settings
from curator.core.dedup.settings import SCOPES
from curator.core.engine import on_engine
from curator.core.filters import (
    FILTERS,
    Recipe,
    RecipeError,
)
from curator.core.filters.length import target_limits
from curator.core.filters.recipe import DEDUP_STEPS, Step, step_defaults
from curator.core.filters.recipe import PARAPHRASE_KEYS as PARAPHRASE_FIELDS
from curator.core.jobs import Progress
from curator.core.pipeline import pipeline_job
from curator.core.pipeline_tuning import FAMILIES, apply_recipe, count_step, unscored
from curator.core.workspace import Workspace
from curator.gui.pipeline.engine_row import EngineRow
from curator.gui.pipeline.step_card import StepCard
from curator.gui.session.controller import Controller
from curator.gui.session.workers import Worker, call_task
from curator.gui.widgets.plain import plain_label, plain_tooltip, plain_warning

COUNT_DELAY_MS = 150
DEDUP_PROGRESS = {
    "dedup",
    "reading",
    "normalising",
    "shared text",
    "signatures",
    "candidates",
    "LSH bands",
    "verifying",
    "paraphrases",
    "clustering",
    "writing",
}
TITLES = {
    "exact_dedup": "Exact duplicates",
    "near_dedup": "Near duplicates (MinHash)",
    "paraphrase_dedup": "Paraphrases (same reply, reworded prompt)",
}
DESCRIPTIONS = {
    "exact_dedup": "The same conversation after normalising; one keeper per group, the rest flagged.",
    "near_dedup": "Conversations whose shingles overlap at least the threshold (exact Jaccard to the "
    "keeper; character 4-grams when the shorter text is under 50 words), compared "
    "without the shared preamble (text most records share).",
    "paraphrase_dedup": "Off unless switched on. The same or a similar reply, ending the same way, to a "
    "reworded prompt: threshold is the prompts' TF-IDF cosine. Offline, no model.",
    "structure": "Missing user or assistant turns, roles out of order, not ending with the assistant.",
    "length": "Examples over the target model's token limit (offline estimate) and empty-looking replies.",
    "language": "Records in another language than expected, or mixing languages.",
    "repetition": "Looping, degenerate or cut-off replies (Gopher measures; cut-off needs strong evidence).",
    "refusal": 'Replies that decline or deflect the request ("As an AI language model, I cannot ...").',
    "diversity": "Canned replies: the same reply given to many different prompts.",
    "pii": "Personal data (names, e-mail, phone, address, card, IBAN, ...), business contact details (counted apart) and secrets (API keys, passwords).",
}
CHOICES: dict[str, dict[str, list[str]]] = {
    "near_dedup": {"scope": list(SCOPES)},
    "language": {"engine": ["auto", "langdetect", "langdetect-rs"]},
}
NEAR_KEYS = ("threshold", "ngram", "num_perm", "scope", "min_tokens")
EXACT_KEYS = ("lowercase", "fold_punctuation", "fold_digits")
PARAPHRASE_KEYS = ("threshold",)


class PipelinePanel(QWidget):
    built = Signal()  # every step card of the workspace's recipe is on the page

    def __init__(self, controller: Controller) -> None:
        super().__init__()
        self.c = controller
        self._cards: dict[str, StepCard] = {}
        self._pending: Workspace | None = None  # opened while hidden: cards built on first use
        # Cards still to build, one per event-loop turn (a dozen built in one slot stalled
        # the window 200 ms on the first visit), with the dedup settings they read. A card
        # is made in one turn and put on the page in the next (both in one turn were 60 ms
        # for the biggest card on 1M records): ``_made`` holds it in between.
        self._queue: list[Step] = []
        self._made: tuple[Step, StepCard] | None = None
        self._dedup: Any = None
        self._build_timer = QTimer(self)
        self._build_timer.setSingleShot(True)
        self._build_timer.setInterval(0)
        self._build_timer.timeout.connect(self._build_next)
        self.worker: Worker | None = None
        self._gen: dict[str, int] = {}
        self._dirty: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(COUNT_DELAY_MS)
        self._timer.timeout.connect(self._recount)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        head = QHBoxLayout()
        head.addWidget(plain_label("Pipeline", "title", wrap=False))
        head.addStretch(1)
        self.unsaved = plain_label("", "muted", wrap=False)
        head.addWidget(self.unsaved)
        self.save_button = QPushButton("Save recipe")
        self.save_button.clicked.connect(self.save)
        self.apply_button = QPushButton("Apply thresholds")
        self.apply_button.setToolTip(
            "Re-flag from the stored scores with these thresholds (no re-scoring)"
        )
        self.apply_button.clicked.connect(self.apply)
        self.run_button = QPushButton("Run pipeline")
        self.run_button.setObjectName("primary")
        self.run_button.setToolTip(
            "Dedup and score new or changed records, then flag (curator run)"
        )
        self.run_button.clicked.connect(self.run)
        for b in (self.save_button, self.apply_button, self.run_button):
            head.addWidget(b)
        lay.addLayout(head)
        self.engine_row = EngineRow()  # this computer or a Ray cluster (--engine)
        lay.addWidget(self.engine_row)
        lay.addWidget(
            plain_label(
                "Each step can be switched off and tuned. Counts update as you move a threshold, from the "
                "scores already computed. Parameters marked * change what is scored and take effect on Run.",
                "muted",
            )
        )
        prog = QHBoxLayout()
        self.bar = QProgressBar()
        self.step_label = plain_label("", "muted", wrap=False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        prog.addWidget(self.step_label)
        prog.addWidget(self.bar, 1)
        prog.addWidget(self.cancel_button)
        self.progress_row = QWidget()
        self.progress_row.setLayout(prog)
        self.progress_row.hide()
        lay.addWidget(self.progress_row)
        self.summary = plain_label("", "muted")
        lay.addWidget(self.summary)
        self.unscored_label = plain_label("", "error")  # new records the counts don't cover yet
        self.unscored_label.hide()
        lay.addWidget(self.unscored_label)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.inner = QWidget()
        self.cards_layout = QVBoxLayout(self.inner)
        self.cards_layout.setContentsMargins(0, 0, 8, 0)
        self.cards_layout.setSpacing(10)
        self.scroll_area.setWidget(self.inner)
        lay.addWidget(self.scroll_area, 1)
        controller.workspaceOpened.connect(self.load)
        controller.frameReloaded.connect(self.recount_all)

    # --- building the cards ---------------------------------------------------------
    @property
    def cards(self) -> dict[str, StepCard]:
        """The step cards (all built now if a workspace was opened while the tab was
        hidden or the page is still building them)."""
        if self._pending is not None:
            self._build(self._pending)
        while self._queue or self._made is not None:
            self._build_next()
        return self._cards

    @property
    def building(self) -> bool:
        """Whether step cards are still being added to the page."""
        return self._pending is not None or bool(self._queue) or self._made is not None

    def load(self, ws: Workspace | None = None) -> None:
        """A workspace was opened: build its cards now if shown, else when first needed
        (two dozen editors built on open stalled the first page of a big workspace)."""
        ws = ws or self.c.ws
        if ws is None:
            return
        self._pending = ws
        self._queue = []  # cards of the previous workspace still to build: not any more
        self._drop_made()
        self._build_timer.stop()
        self.engine_row.load(ws)  # now, not with the cards: building them must not reset it
        if self.isVisible():
            self._build(ws)

    def _build(self, ws: Workspace) -> None:
        self._pending = None
        try:
            recipe = Recipe.from_workspace(ws)
        except RecipeError as exc:
            recipe = Recipe.default()
            self.summary.setText(f"{exc} Showing the default recipe.")
        names = [s.name for s in recipe.steps]
        for n in (*DEDUP_STEPS, *FILTERS):
            if n not in names:
                recipe.steps.append(Step(n, enabled=False))
        while self.cards_layout.count():
            item = self.cards_layout.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()  # type: ignore[union-attr]
        self._cards = {}
        self._dedup = recipe.dedup_settings(ws) or load_settings(ws)
        self.cards_layout.addStretch(1)  # cards go in above it
        self.unsaved.setText("")
        last = ws.last_run("run")
        if last and not self.summary.text():
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(float(last["at"])))
            self.summary.setText(f"Last run {when}: {self._describe(last['summary'])}")
        self._drop_made()
        self._queue = list(recipe.steps)
        self._build_next()  # the first card made now, on the page and the rest in later turns

    def _drop_made(self) -> None:
        if self._made is not None:
            self._made[1].deleteLater()
            self._made = None

    def _build_next(self) -> None:
        """Make the next step card, or put the one made in the last turn on the page;
        the last one starts the counts."""
        self._build_timer.stop()
        if self._made is None:
            if not self._queue:
                return
            step = self._queue.pop(0)
            self._made = (step, self._card(step, self._dedup))  # on the page next turn
            self._build_timer.start()
            return
        step, card = self._made
        self._made = None
        self._cards[step.name] = card
        self.cards_layout.insertWidget(self.cards_layout.count() - 1, card)
        card.show()  # now, not in a queued call: "built" means every card is on the page
        if self._queue:
            self._build_timer.start()
            return
        self.recount_all()
        self.built.emit()

    def _card(self, step: Step, dedup: Any) -> StepCard:
        name = step.name
        defaults = step_defaults(name) or {}
        score_params: set[str] = set()
        if name in DEDUP_STEPS:
            keys = {"near_dedup": NEAR_KEYS, "paraphrase_dedup": PARAPHRASE_KEYS}.get(
                name, EXACT_KEYS
            )
            field = (
                (lambda k: PARAPHRASE_FIELDS.get(k, k))
                if name == "paraphrase_dedup"
                else (lambda k: k)
            )
            params = {
                k: (defaults[k], step.params.get(k, getattr(dedup, field(k))))
                for k in keys
                if k in defaults
            }
            if name == "paraphrase_dedup":
                score_params = set()
            elif name == "near_dedup":
                score_params = {"ngram", "num_perm", "scope", "min_tokens"}
            else:
                score_params = set(keys)
            title = TITLES[name]
        else:
            cls = FILTERS[name]
            params = {k: (d, step.params.get(k, d)) for k, d in defaults.items()}
            score_params = {
                f.name for f in dataclasses.fields(cls.Params) if f.metadata.get("score")
            }
            title = cls.title
        choices = dict(CHOICES.get(name, {}))
        if name == "length":
            choices["target"] = list(target_limits())
        card = StepCard(
            name,
            title,
            DESCRIPTIONS.get(name, ""),
            step.enabled,
            params,
            choices,
            score_params,
            FAMILIES.get(name, name),
        )
        card.changed.connect(lambda n=name: self._changed(n))
        card.showRequested.connect(lambda fam: self.c.show_records(flag=fam))
        return card

    # --- the recipe --------------------------------------------------------------------
    def recipe(self) -> Recipe:
        """The recipe as the cards show it (filters: only non-default parameters)."""
        steps = []
        for name, card in self.cards.items():
            vals = card.values()
            if name not in DEDUP_STEPS:
                defaults = step_defaults(name) or {}
                vals = {k: v for k, v in vals.items() if defaults.get(k) != v}
            steps.append(Step(name, card.enabled, vals))
        return Recipe(steps)

    def _changed(self, name: str) -> None:
        self.unsaved.setText("Unsaved changes")
        self._dirty.add(name)
        self.cards[name].set_count(None, None, "…")
        self._timer.start()

    def save(self) -> None:
        if self.c.ws is None:
            return
        try:
            self.recipe().save_to(self.c.ws)
        except RecipeError as exc:
            plain_warning(self, "Pipeline", str(exc))
            return
        self.unsaved.setText("Saved")

    # --- live counts ---------------------------------------------------------------------
    def recount_all(self) -> None:
        """Recount every card now if the tab is shown, else when it is next shown."""
        if self._queue or self._made is not None:
            return  # still building: the last card recounts them all
        self._dirty |= set(self._cards)
        if self.isVisible():
            self._recount()
        ws = self.c.ws
        if ws is not None:
            w = Worker(call_task(lambda: unscored(ws)))
            w.succeeded.connect(self._show_unscored)
            self.c.pool.start(w)

    def _show_unscored(self, n: int) -> None:
        self.unscored_label.setText(
            f"{n:,} record{'s' if n != 1 else ''} not scored yet by every enabled step (new imports, or a "
            "step added since the last run): the counts below leave them out. Run pipeline to score them."
            if n
            else ""
        )
        self.unscored_label.setVisible(bool(n))

    def showEvent(self, e: QShowEvent) -> None:
        super().showEvent(e)
        if self._pending is not None:
            self._build(self._pending)
        if self._dirty:
            self._timer.start(0)

    def _recount(self) -> None:
        ws = self.c.ws
        if ws is None:
            return
        todo, self._dirty = self._dirty, set()
        for name in todo:
            card = self._cards.get(name)
            if card is None:
                continue
            if not card.enabled:
                card.set_count(None, None)
                continue
            self._gen[name] = self._gen.get(name, 0) + 1
            gen, values = self._gen[name], card.values()
            w = Worker(call_task(functools.partial(count_step, ws, name, values)))
            w.succeeded.connect(functools.partial(self._counted, name, gen))
            w.failed.connect(functools.partial(self._count_failed, name, gen))
            self.c.pool.start(w)

    def _count_failed(self, name: str, gen: int, text: str) -> None:
        card = self.cards.get(name)
        if card is not None and gen == self._gen.get(name):
            card.set_count(None, None, "count failed")
            card.setToolTip(plain_tooltip(text))

    def _counted(self, name: str, gen: int, res: tuple[int | None, int, str]) -> None:
        card = self.cards.get(name)
        if card is None or gen != self._gen.get(name):
            return
        would, now, note = res
        card.set_count(would, now, note)
        if note and would is not None:
            card.set_status(note)
        elif would is not None:
            card.set_status("")

    # --- apply and run -----------------------------------------------------------------------
    def _busy(self, on: bool) -> None:
        for b in (self.save_button, self.apply_button, self.run_button):
            b.setEnabled(not on)
        self.engine_row.setEnabled(not on)
        self.progress_row.setVisible(on)
        self.cancel_button.setEnabled(on)

    def apply(self) -> Worker | None:
        ws = self.c.ws
        if ws is None or self.worker is not None:
            return None
        recipe = self.recipe()
        self._busy(True)
        self.bar.setRange(0, 0)
        self.step_label.setText("Applying thresholds…")
        w = Worker(call_task(lambda: apply_recipe(ws, recipe)))
        w.succeeded.connect(
            lambda flags: self.summary.setText(
                f"Thresholds applied: {sum(flags.values()):,} filter flags on "
                f"{len(flags)} flag names; scores were not recomputed."
            )
        )
        return self._start(w)

    def run(self) -> Worker | None:
        ws = self.c.ws
        if ws is None or self.worker is not None:
            return None
        recipe = self.recipe()
        try:
            recipe.save_to(ws)
        except RecipeError as exc:
            plain_warning(self, "Pipeline", str(exc))
            return None
        self.unsaved.setText("Saved")
        self.engine_row.save(ws)
        engine, address = self.engine_row.choice()
        for card in self.cards.values():
            card.set_status("waiting" if card.enabled else "")
        self._busy(True)
        self.bar.setRange(0, 0)
        self.step_label.setText("Starting…")
        w = self.c.job_worker(
            lambda: on_engine(engine, address, lambda eng: pipeline_job(ws, recipe, eng))
        )
        w.progressed.connect(self._progress)
        w.succeeded.connect(
            lambda out: self.summary.setText("Run finished: " + self._describe(out))
        )
        w.cancelled.connect(
            lambda: self.summary.setText(
                "Run cancelled: steps not yet finished keep their previous results."
            )
        )
        return self._start(w)

    def _start(self, w: Worker) -> Worker:
        self.worker = w
        w.failed.connect(lambda text: plain_warning(self, "Pipeline", text))
        w.done.connect(self._finished)
        return self.c.pool.start(w)

    def _finished(self) -> None:
        self.worker = None
        self._busy(False)
        for card in self.cards.values():
            if card.status.text() in ("waiting", "running…"):
                card.set_status("")
        self.c.refresh()

    def cancel(self) -> None:
        if self.worker is not None:
            self.cancel_button.setEnabled(False)
            self.step_label.setText("Cancelling…")
            self.worker.cancel()

    def _progress(self, p: Progress) -> None:
        if p.fraction is not None:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(p.fraction * 1000))
        else:
            self.bar.setRange(0, 0)
        total = f" {p.done:,} / {p.total:,}" if p.total else ""
        self.step_label.setText(f"{p.step}{total}" + (f" — {p.message}" if p.message else ""))
        current = (
            [n for n in DEDUP_STEPS if self.cards[n].enabled]
            if p.step in DEDUP_PROGRESS
            else ([p.step] if p.step in self.cards else [])
        )
        if not current and p.step not in ("reading records", "flags"):
            return
        order = list(self.cards)
        first = min((order.index(n) for n in current), default=len(order))
        for i, (n, card) in enumerate(self.cards.items()):
            if not card.enabled:
                continue
            if n in current:
                card.set_status("running…")
            elif i < first and card.status.text() in ("waiting", "running…"):
                card.set_status("done")

    @staticmethod
    def _describe(out: dict[str, Any]) -> str:
        flags = out.get("flags") or {}
        parts = [f"{sum(flags.values()):,} filter flags ({len(flags)} kinds)"]
        for s in out.get("steps", []):
            if s.get("step") == "dedup" and "exact_duplicates" in s:
                parts.append(
                    f"{s['exact_duplicates']:,} exact and {s.get('near_duplicates', 0):,} near duplicates"
                    f" in {s.get('clusters', 0):,} clusters"
                )
        if out.get("records") is not None:
            parts.append(f"{out['records']:,} records")
        if out.get("seconds") is not None:
            parts.append(f"{out['seconds']} s")
        return " · ".join(parts)
