"""The window's model of an open workspace: frame, view, counts, review actions.

A QObject around a core ``Workspace``. It keeps the display frame (one row per
record, precomputed one-line columns) and the current filtered/sorted view as
Polars frames; re-reads and re-filters run in workers. A single review action
commits through ``curator.core.review`` and then patches the affected rows in
memory (Polars ``scatter``) instead of re-reading a million rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import polars as pl
from PySide6.QtCore import QObject, QTimer, Signal

from curator.core import records as R
from curator.core import review
from curator.core.jobs import Job
from curator.core.workspace import Workspace
from curator.gui.session import display as D
from curator.gui.session.frame_state import (
    LOADED_EDITED,
    Loaded,
    block_columns,
    load,
    load_head,
    positions,
    scatter,
    take_rows,
)
from curator.gui.session.workers import Worker, WorkerPool, call_task, job_task

BULK_IN_WORKER = 500  # bulk actions on more ids than this run off the UI thread
REMEMBER_DELAY_MS = 400  # the current record is written at most this often while moving


class Controller(QObject):
    """Owns the open workspace; the panels listen to its signals."""

    workspaceOpened = Signal(object)  # Workspace
    frameChanged = Signal()  # after any refresh or in-memory patch
    frameReloaded = Signal()  # after a full re-read only (filter choices may have changed)
    viewChanged = Signal()  # the filtered/sorted view was replaced
    recordsPatched = Signal(list)  # ids whose review state changed in place
    countsChanged = Signal(dict)
    specChanged = Signal(object)  # ViewSpec, whenever the filter or sort changes
    loadingChanged = Signal(bool)
    errorOccurred = Signal(str)
    showRecordsRequested = Signal()
    jobRequested = Signal(object, str, object)  # job factory, title, on_success

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ws: Workspace | None = None
        self.frame: pl.DataFrame = pl.DataFrame()
        self.view: pl.DataFrame = pl.DataFrame(schema={c: pl.String for c in D.VIEW_COLUMNS})
        self.counts: dict[str, int] = {q: 0 for q, _ in D.QUEUES}
        self.choices: dict[str, list[str]] = {"flag": [], "language": [], "source": []}
        self.pii: pl.DataFrame | None = None
        self.scores: pl.DataFrame | None = None
        self.text_overrides: dict[str, dict[str, Any]] = {}  # edited this session: new one-liners
        self.enriched = False  # whether the frame holds display.LAZY_COLUMNS yet
        self.previewing = False  # showing only the head of the workspace while it loads
        self._current: tuple[str, int | None, int | None] | None = None
        self.spec = D.ViewSpec()
        self.pool = WorkerPool(self)
        self.loaded = False
        self._load_gen = 0
        self._view_gen = 0
        self._last_record: str | None = None
        self._remember_timer = QTimer(self)
        self._remember_timer.setSingleShot(True)
        self._remember_timer.setInterval(REMEMBER_DELAY_MS)
        self._remember_timer.timeout.connect(self._flush_last_record)
        self._restoring: Worker | None = None  # a big undo/redo running in a worker

    # --- opening and refreshing --------------------------------------------------
    def open_workspace(self, ws: Workspace) -> None:
        if self.ws is not None:
            self._flush_last_record()
        self._last_record = None
        self.ws = ws
        self.loaded = False
        self.previewing = False
        saved = ws.get_setting("gui.queue", "pending")
        self.spec = D.ViewSpec(queue=saved if saved in dict(D.QUEUES) else "pending")
        self.workspaceOpened.emit(ws)
        # The head first, then the full read: run together, the small query would queue
        # behind the big one in Polars' thread pool.
        self._load_gen += 1
        gen = self._load_gen
        spec = self.spec
        self.loadingChanged.emit(True)
        head = Worker(call_task(lambda: load_head(ws, spec)))
        head.succeeded.connect(lambda res: self._previewed(gen, res))
        head.done.connect(lambda: self.refresh() if gen == self._load_gen else None)
        self.pool.start(head)

    def _previewed(self, gen: int, res: Loaded | None) -> None:
        """Show the head of a big workspace while the full frame is still loading."""
        if res is None or gen != self._load_gen or self.loaded:
            return
        self.frame, self.pii, self.scores = res.frame, res.pii, None
        self.enriched = True
        self.previewing = True
        self._set_view(res.view)

    def refresh(self) -> Worker | None:
        """Re-read the workspace frame in a worker, then re-apply the filter."""
        ws = self.ws
        if ws is None:
            return None
        self._load_gen += 1
        gen = self._load_gen
        self._view_gen += 1
        spec = self.spec
        self.loadingChanged.emit(True)
        worker = Worker(call_task(lambda: load(ws, spec)))
        worker.succeeded.connect(lambda res: self._loaded(gen, res))
        worker.failed.connect(self._failed)
        return self.pool.start(worker)

    def _failed(self, text: str) -> None:
        self.loadingChanged.emit(False)
        self.errorOccurred.emit(text)

    def _loaded(self, gen: int, res: Loaded) -> None:
        if gen != self._load_gen:
            return
        self.frame, self.counts, self.choices, self.pii = res.frame, res.counts, res.choices, res.pii
        self.scores = res.scores
        self.previewing = False
        self.text_overrides.clear()
        self.enriched = False
        self.loaded = True
        self._set_view(res.view)
        self.countsChanged.emit(self.counts)
        self.loadingChanged.emit(False)
        self.frameReloaded.emit()
        self.frameChanged.emit()
        self._enrich(gen)

    def _enrich(self, gen: int) -> None:
        """Compute the one-line text and score columns for the whole frame in a worker."""
        frame, scores = self.frame.select(R.ID, R.MESSAGES, R.FLAGS), self.scores
        worker = Worker(call_task(lambda: D.lazy_columns(frame, scores)))
        worker.succeeded.connect(lambda extra: self._enriched(gen, extra))
        worker.failed.connect(self._failed)
        self.pool.start(worker)

    def _enriched(self, gen: int, extra: pl.DataFrame) -> None:
        if gen != self._load_gen:
            return
        self.frame = self.frame.hstack(extra.select([c for c in extra.columns if c not in self.frame.columns]))
        self.enriched = True
        if self.text_overrides:
            pos = positions(self.frame, list(self.text_overrides))
            gathered = self.frame.get_column(R.ID).gather(pos).to_list()
            cols = {c: [self.text_overrides[i][c] for i in gathered] for c in (D.FIRST_USER, D.PREVIEW)}
            self.frame = scatter(self.frame, pos, cols)
        missing = [c for c in D.LAZY_COLUMNS if c not in self.view.columns]
        if missing:
            self.set_spec(self.spec)  # re-slice the view with the new columns (same rows)

    def set_spec(self, spec: D.ViewSpec) -> Worker | None:
        """Filter/sort the frame in a worker; the newest request wins."""
        self.spec = spec
        self.specChanged.emit(spec)
        if self.ws is not None and spec.queue != self.ws.get_setting("gui.queue"):
            self.ws.set_setting("gui.queue", spec.queue)
        if not self.loaded:
            return None
        self._view_gen += 1
        gen = self._view_gen
        frame, scores = self.frame, self.scores
        self.loadingChanged.emit(True)
        worker = Worker(call_task(lambda: D.build_view(frame, spec, scores)))
        worker.succeeded.connect(lambda v: self._view_built(gen, v))
        worker.failed.connect(self._failed)
        return self.pool.start(worker)

    def _view_built(self, gen: int, view: pl.DataFrame) -> None:
        if gen != self._view_gen:
            return
        self._set_view(view)
        self.loadingChanged.emit(False)

    def _set_view(self, view: pl.DataFrame) -> None:
        self.view = view
        self.viewChanged.emit()

    def show_records(
        self,
        status: str | None = None,
        flag: str | None = None,
        language: str | None = None,
        source: str | None = None,
        search: str | None = None,
        ids: Sequence[str] | None = None,
    ) -> None:
        """Switch to the Records tab filtered like this (dashboard click-through)."""
        queue = status or "all"
        spec = D.ViewSpec(
            queue=queue, flag=flag, language=language, source=source, search=search,
            ids=tuple(ids) if ids is not None else None,
        )
        self.showRecordsRequested.emit()
        self.set_spec(spec)

    def run_job(
        self, job_factory: Callable[[], Job[Any]], title: str,
        on_success: Callable[[Any], None] | None = None,
    ) -> None:
        """Run a core job with a progress dialog and Cancel; refresh afterwards."""
        self.jobRequested.emit(job_factory, title, on_success)

    def start_job(self, job_factory: Callable[[], Job[Any]]) -> Worker:
        """The worker behind run_job (the window shows its progress)."""
        return self.pool.start(Worker(job_task(job_factory)))

    # --- one record ------------------------------------------------------------
    def record(self, row: int) -> dict[str, Any]:
        """Everything the review pane shows for frame row ``row`` (current state)."""
        assert self.ws is not None
        rec = {c: self.frame.get_column(c).slice(row, 1).to_list()[0] for c in self.frame.columns if c != R.MESSAGES}
        rid = rec[R.ID]
        state = self.ws.db().execute(
            "SELECT status, reason, messages FROM state WHERE record_id=?", (rid,)
        ).fetchone()
        if rec[LOADED_EDITED]:
            original = review.original_messages(self.ws, rid)
        else:  # the frame's messages are the imported ones
            original = self.frame.get_column(R.MESSAGES)[row].to_list()
        rec["original"] = original
        rec["messages"] = R.messages_from_json(state[2]) if state and state[2] else original
        rec[R.STATUS] = state[0] if state else R.PENDING
        rec[R.REASON] = state[1] if state else None
        rec[R.EDITED] = bool(state and state[2])
        if D.LANGUAGE not in rec and self.scores is not None:
            for col in (D.LANGUAGE, D.TOKENS):
                if col in self.scores.columns:
                    rec[col] = take_rows(self.scores.get_column(col), [row])[0]
        pii = self.pii
        rec["pii"] = pii.filter(pl.col(R.ID) == rid).to_dicts() if pii is not None and pii.height else []
        return rec

    def view_id(self, view_row: int) -> str | None:
        if 0 <= view_row < self.view.height:
            return str(self.view.get_column(R.ID)[view_row])
        return None

    def frame_row(self, view_row: int) -> int | None:
        if 0 <= view_row < self.view.height:
            return int(self.view.get_column(D.ROW)[view_row])
        return None

    def view_row_of(self, rid: str) -> int | None:
        if not self.view.height:
            return None
        hits = (self.view.get_column(R.ID) == rid).arg_true()
        return int(hits[0]) if hits.len() else None

    # --- review actions (commit, then patch in memory) ------------------------
    def _ws(self) -> Workspace:
        assert self.ws is not None, "no workspace open"
        return self.ws

    def approve(self, ids: Sequence[str]) -> None:
        review.approve(self._ws(), ids)
        self.patch(ids)

    def reject(self, ids: Sequence[str], reason: str) -> None:
        review.reject(self._ws(), ids, reason)
        self.patch(ids)

    def reset(self, ids: Sequence[str]) -> None:
        review.reset(self._ws(), ids)
        self.patch(ids)

    def edit_message(self, rid: str, index: int, content: str) -> None:
        review.edit_message(self._ws(), rid, index, content)
        self.patch([rid], texts=True)

    def set_turn_weight(self, rid: str, index: int, train: bool) -> None:
        review.set_turn_weight(self._ws(), rid, index, train)
        self.patch([rid])

    def revert(self, rid: str) -> None:
        review.revert(self._ws(), rid)
        self.patch([rid], texts=True)

    def redact(self, rid: str) -> int:
        """Replace the record's PII and secrets with placeholders (an undoable edit).

        Returns the number of replacements; the record's flags are re-scored in the
        core, so the frame is reloaded in a worker afterwards to show them."""
        from curator.core.filters import redact

        n = redact(self._ws(), rid)
        if n:
            self.patch([rid], texts=True)
            self.refresh()
        return n

    def undo(self) -> list[str] | Worker:
        """Undo the last step: the ids it touched, or the worker undoing a big step."""
        return self._restore("undo")

    def redo(self) -> list[str] | Worker:
        """Redo the last undone step: the ids it touched, or the worker redoing a big step."""
        return self._restore("redo")

    @property
    def restoring(self) -> bool:
        """Whether a big undo/redo is still running in a worker."""
        return self._restoring is not None

    def restore_size(self, which: str) -> int:
        """How many records the next undo ("undo") or redo ("redo") touches (a cheap count)."""
        pick = "MAX(batch) FROM journal WHERE undone=0" if which == "undo" else "MIN(batch) FROM journal WHERE undone=1"
        row = self._ws().db().execute(f"SELECT COUNT(*) FROM journal WHERE batch=(SELECT {pick})").fetchone()
        return int(row[0])

    def _restore(self, which: str) -> list[str] | Worker:
        """A step of up to BULK_IN_WORKER records commits and patches here; a bigger one
        runs in a worker and then re-reads the frame, like a bulk action (the window stays live)."""
        ws = self._ws()
        fn = review.undo if which == "undo" else review.redo
        if self._restoring is not None:
            return self._restoring
        if self.restore_size(which) <= BULK_IN_WORKER:
            ids = fn(ws).ids
            self.patch(ids, texts=True)
            return ids
        self.loadingChanged.emit(True)
        worker = Worker(call_task(lambda: fn(ws)))
        self._restoring = worker
        worker.succeeded.connect(lambda _ids: self.refresh())
        worker.failed.connect(self._failed)
        worker.done.connect(lambda: setattr(self, "_restoring", None))
        return self.pool.start(worker)

    def bulk(self, action: str, ids: Sequence[str], reason: str | None = None) -> Worker | None:
        """Approve/reject many ids; big batches run in a worker, then refresh."""
        ws = self._ws()
        ids = list(ids)

        def apply() -> int:
            if action == "approve":
                return review.approve(ws, ids, bulk=True)
            return review.reject(ws, ids, reason or "", bulk=True)

        if len(ids) <= BULK_IN_WORKER:
            apply()
            self.patch(ids)
            return self.set_spec(self.spec)  # re-filter: bulk-reviewed rows leave their queue
        self.loadingChanged.emit(True)
        worker = Worker(call_task(apply))
        worker.succeeded.connect(lambda _n: self.refresh())
        worker.failed.connect(self._failed)
        return self.pool.start(worker)

    def set_current(self, rid: str | None, view_row: int | None) -> None:
        """The record on screen: a single-record patch then finds its rows without a scan."""
        frow = self.frame_row(view_row) if view_row is not None else None
        self._current = (rid, frow, view_row) if rid is not None and frow is not None else None

    def _hinted(self, df: pl.DataFrame, ids: Sequence[str], which: int) -> pl.Series | None:
        cur = self._current
        if cur is None or cur[0] != ids[0]:
            return None
        row = cur[1] if which == 1 else cur[2]
        ok = row is not None and row < df.height and df.get_column(R.ID).slice(row, 1).to_list() == [ids[0]]
        return pl.Series([row], dtype=pl.UInt32) if ok else None

    def patch(self, ids: Sequence[str], texts: bool = False) -> None:
        """Copy the journal's current state for ``ids`` into the in-memory frames."""
        if not ids or not self.loaded:
            return
        ws = self._ws()
        ids = list(dict.fromkeys(ids))
        states: dict[str, tuple[str, str | None, str | None]] = {}
        for i in range(0, len(ids), 900):
            chunk = ids[i : i + 900]
            q = ",".join("?" * len(chunk))
            for rid, st, reason, msgs in ws.db().execute(
                f"SELECT record_id, status, reason, messages FROM state WHERE record_id IN ({q})", chunk
            ):
                states[rid] = (st, reason, msgs)
        fpos = self._hinted(self.frame, ids, 1) if len(ids) == 1 else None
        if fpos is None:
            fpos = positions(self.frame, ids)
        frame_ids = self.frame.get_column(R.ID).gather(fpos).to_list()
        old = self.frame.get_column(R.STATUS).gather(fpos).to_list()
        new = [states.get(r, (R.PENDING, None, None)) for r in frame_ids]
        for o, n in zip(old, new, strict=True):
            self.counts[o] -= 1
            self.counts[n[0]] += 1
        updates: dict[str, list[Any]] = {
            R.STATUS: [n[0] for n in new],
            R.REASON: [n[1] for n in new],
            R.EDITED: [n[2] is not None for n in new],
        }
        if texts:
            text_cols = self._texts(ws, frame_ids, [n[2] for n in new])
            updates.update(text_cols)
            for k, rid in enumerate(frame_ids):
                self.text_overrides[rid] = {c: v[k] for c, v in text_cols.items()}
        self.frame = scatter(self.frame, fpos, updates)
        vpos = self._hinted(self.view, ids, 2) if len(ids) == 1 else None
        if vpos is None:
            vpos = positions(self.view, ids)
        if vpos.len():
            view_ids = self.view.get_column(R.ID).gather(vpos).to_list()
            by_id = {r: k for k, r in enumerate(frame_ids)}
            vupd = {
                c: [vals[by_id[r]] for r in view_ids] for c, vals in updates.items() if c in self.view.columns
            }
            self.view = scatter(self.view, vpos, vupd)
        self.recordsPatched.emit(ids)
        self.countsChanged.emit(self.counts)
        self.frameChanged.emit()

    @staticmethod
    def _texts(ws: Workspace, ids: list[str], edited: list[str | None]) -> dict[str, list[Any]]:
        unedited = [r for r, e in zip(ids, edited, strict=True) if not e]
        originals: dict[str, Any] = {}
        if unedited:  # one filter for all, not one scan of the records per id
            df = ws.records().filter(pl.col(R.ID).is_in(pl.Series(unedited, dtype=pl.String).implode()))
            originals = dict(zip(df.get_column(R.ID).to_list(), df.get_column(R.MESSAGES).to_list(), strict=True))
        msgs = [
            R.messages_from_json(e) if e else originals[r] if r in originals else review.original_messages(ws, r)
            for r, e in zip(ids, edited, strict=True)
        ]
        df = pl.DataFrame({R.MESSAGES: msgs}, schema={R.MESSAGES: R.MESSAGES_DTYPE})
        out = df.select(
            pl.col(R.MESSAGES).list.len().cast(pl.Int32).alias(D.TURNS),
            D._first_content("user").alias(D.FIRST_USER),
            D._first_content("assistant").alias(D.PREVIEW),
        )
        return {c: out.get_column(c).to_list() for c in out.columns}

    def remember(self, rid: str | None, now: bool = False) -> None:
        """Persist the record the user is on (debounced), so reopening returns to it."""
        if not self.loaded:  # the first page of a loading workspace is not a choice
            return
        if rid:
            self._last_record = rid
        if now:
            self._flush_last_record()
        else:
            self._remember_timer.start()

    def _flush_last_record(self) -> None:
        self._remember_timer.stop()
        rid, ws = self._last_record, self.ws
        if ws is not None and rid and ws.get_setting("gui.last_record") != rid:
            ws.set_setting("gui.last_record", rid)

    def block_columns(self, frame_rows: list[int]) -> dict[str, list[Any]]:
        """display.LAZY_COLUMNS for a block of frame rows (before the enrichment lands)."""
        return block_columns(self.frame, self.scores, frame_rows)

    def shutdown(self) -> None:
        self._flush_last_record()
        self.pool.shutdown()
