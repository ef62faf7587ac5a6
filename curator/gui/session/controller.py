"""The window's model of an open workspace: frame, view, counts, review actions.

A QObject around a core ``Workspace``. It keeps the display frame (one row per
record, precomputed one-line columns) and the current filtered/sorted view as
Polars frames; re-reads and re-filters run in workers. Every review action
commits through ``curator.core.review``, which returns a ``ReviewDelta`` (the changed
records' new states); the controller patches its frames and counts from that delta
only (``session/patch.py``), never from SQL of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import polars as pl
import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal

from curator.core import records as R
from curator.core import review
from curator.core.detail import record_detail
from curator.core.jobs import Job
from curator.core.review_actor import default_reviewer
from curator.core.review_delta import ReviewDelta
from curator.core.workspace import Workspace
from curator.gui.session import display as D
from curator.gui.session.frame_state import (
    BlockBuilder,
    Loaded,
    block_columns,
    first_blocks,
    load,
    load_head,
    positions,
    prefetch,
    take_rows,
)
from curator.gui.session.patch import patch_counts, patched_frames, scatter_rows
from curator.gui.session.workers import Worker, WorkerPool, call_task, job_task, keep_out_of_gc

BULK_IN_WORKER = 500  # bulk actions on more ids than this run off the UI thread
REMEMBER_DELAY_MS = 400  # the current record is written at most this often while moving


def shown_statuses(frame: pl.DataFrame, ids: Sequence[str]) -> dict[str, str]:
    """id -> the review status ``frame`` shows for it."""
    if not ids or R.STATUS not in frame.columns:
        return {}
    if len(ids) <= 8:  # a few (the UI thread): direct comparisons, no query engine
        rows = positions(frame, ids).to_list()
        return dict(
            zip(
                take_rows(frame.get_column(R.ID), rows),
                take_rows(frame.get_column(R.STATUS), rows),
                strict=True,
            )
        )
    rows_df = frame.select(R.ID, R.STATUS).filter(
        pl.col(R.ID).is_in(pl.Series(list(ids), dtype=pl.String).implode())
    )
    return dict(rows_df.iter_rows())


class Controller(QObject):
    """Owns the open workspace; the panels listen to its signals."""

    workspaceOpened = Signal(object)  # Workspace
    frameChanged = Signal()  # after any refresh or in-memory patch
    frameReloaded = Signal()  # after a full re-read only (filter choices may have changed)
    viewChanged = Signal()  # the filtered/sorted view was replaced
    # ids whose review state changed in place: ``object``, handed over as the Python list
    # (``Signal(list)`` converted 20,000 ids to Qt strings and back: 400 ms after a bulk undo)
    recordsPatched = Signal(object)
    deltaApplied = Signal(object)  # the ReviewDelta just patched in
    externalChange = Signal()  # another process changed review state; a reload follows
    reviewerChanged = Signal(str)
    countsChanged = Signal(object)  # dict, handed over as is
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
        self.snapshot: pl.DataFrame | None = None  # ws.records() (or its head) as loaded
        self.reviewer = default_reviewer()  # recorded with every action (the window sets it)
        self.version: int | None = None  # workspace state version the frame reflects
        self._texts_since_enrich: set[str] = set()  # ids whose text changed while enriching
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
        self._remember_timer.timeout.connect(lambda: self._flush_last_record(wait=False))
        self._restoring: Worker | None = None  # a big undo/redo running in a worker
        # The table model's block builder (set by it): a re-read's worker builds the first
        # blocks of the new view with it, handed over in ``view_blocks`` with the view.
        self.block_builder: BlockBuilder | None = None
        self.block_rows = 200
        self.view_blocks: dict[int, Any] = {}
        self._rows_of: tuple[pl.DataFrame, dict[str, int | None]] | None = None

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
        build, block_rows = self.block_builder, self.block_rows
        self.loadingChanged.emit(True)

        def head_task() -> Loaded | None:
            res = load_head(ws, spec)  # its first block built here too: the first paint builds none
            return prefetch(res, build, [], block_rows) if res is not None else None

        head = Worker(call_task(head_task))
        head.succeeded.connect(lambda res: self._previewed(gen, res))
        head.done.connect(lambda: self.refresh() if gen == self._load_gen else None)
        self.pool.start(head)

    def _previewed(self, gen: int, res: Loaded | None) -> None:
        """Show the head of a big workspace while the full frame is still loading."""
        if res is None or gen != self._load_gen or self.loaded:
            return
        self.frame, self.pii, self.scores, self.snapshot = res.frame, res.pii, None, res.snapshot
        self.enriched = True
        self.previewing = True
        self._set_view(res.view, res.blocks)

    def refresh(self) -> Worker | None:
        """Re-read the workspace frame in a worker, then re-apply the filter."""
        ws = self.ws
        if ws is None:
            return None
        self._load_gen += 1
        gen = self._load_gen
        self._view_gen += 1
        spec = self.spec
        build, block_rows = self.block_builder, self.block_rows
        current = self._current[0] if self._current is not None else None

        def task() -> Loaded:
            res = load(ws, spec)
            last = ws.get_setting("gui.last_record")  # where the Records tab goes on open
            return prefetch(
                res, build, [current, last if isinstance(last, str) else None], block_rows
            )

        self.loadingChanged.emit(True)
        worker = Worker(call_task(task))
        worker.succeeded.connect(lambda res: self._loaded(gen, res))
        worker.failed.connect(self._failed)
        return self.pool.start(worker)

    def _failed(self, text: str) -> None:
        self.loadingChanged.emit(False)
        self.errorOccurred.emit(text)

    def _loaded(self, gen: int, res: Loaded) -> None:
        if gen != self._load_gen:
            return
        self.frame, self.counts, self.choices, self.pii = (
            res.frame,
            res.counts,
            res.choices,
            res.pii,
        )
        self.scores, self.snapshot = res.scores, res.snapshot
        self.version = res.version
        self.previewing = False
        self._texts_since_enrich.clear()
        self.enriched = False
        self.loaded = True
        self._set_view(res.view, res.blocks, res.rows_of)
        self.countsChanged.emit(self.counts)
        self.loadingChanged.emit(False)
        self.frameReloaded.emit()
        self.frameChanged.emit()
        self._enrich(gen)

    def _enrich(self, gen: int) -> None:
        """Compute the one-line text and score columns for the whole frame in a worker."""
        # the narrow select too in the worker: on the UI thread it queued for Polars' pool
        frame, scores = self.frame, self.scores
        worker = Worker(
            call_task(lambda: D.lazy_columns(frame.select(R.ID, R.MESSAGES, R.FLAGS), scores))
        )
        worker.succeeded.connect(lambda extra: self._enriched(gen, extra))
        worker.failed.connect(self._failed)
        self.pool.start(worker)

    def _enriched(self, gen: int, extra: pl.DataFrame) -> None:
        if gen != self._load_gen:
            return
        self.frame = self.frame.hstack(
            extra.select([c for c in extra.columns if c not in self.frame.columns])
        )
        self.enriched = True
        if self._texts_since_enrich:  # edited while the worker ran: its text is older
            ids = sorted(self._texts_since_enrich)
            self._texts_since_enrich.clear()
            rows = self.frame.filter(pl.col(R.ID).is_in(pl.Series(ids, dtype=pl.String).implode()))
            fresh = rows.select(R.ID).hstack(
                D.lazy_columns(rows, None).select(D.FIRST_USER, D.PREVIEW)
            )
            self.frame = scatter_rows(self.frame, fresh)
            self.view = scatter_rows(self.view, fresh)
        keep_out_of_gc("opened")  # what opening imported and built, too
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
        build, block_rows = self.block_builder, self.block_rows
        current = self._current[0] if self._current is not None else None

        def task() -> tuple[pl.DataFrame, dict[int, Any], dict[str, int | None]]:
            view = D.build_view(frame, spec, scores)
            if build is None:
                return view, {}, {}
            # the record on screen's new row and the page's blocks, found here: on the UI
            # thread a scan of 1M ids and a block's conversion after every bulk step or undo
            return (view, *first_blocks(view, frame, scores, build, [current], block_rows))

        self.loadingChanged.emit(True)
        worker = Worker(call_task(task))
        worker.succeeded.connect(lambda built: self._view_built(gen, *built))
        worker.failed.connect(self._failed)
        return self.pool.start(worker)

    def _view_built(
        self,
        gen: int,
        view: pl.DataFrame,
        blocks: dict[int, Any] | None = None,
        rows_of: dict[str, int | None] | None = None,
    ) -> None:
        if gen != self._view_gen or not shiboken6.isValid(self):
            return  # a newer view is coming, or the window closed while this one was built
        self._set_view(view, blocks, rows_of)
        self.loadingChanged.emit(False)

    def _set_view(
        self,
        view: pl.DataFrame,
        blocks: dict[int, Any] | None = None,
        rows_of: dict[str, int | None] | None = None,
    ) -> None:
        """``blocks``/``rows_of``: table blocks and record rows a worker built for ``view``."""
        self.view = view
        self.view_blocks = blocks or {}
        self._rows_of = (view, rows_of) if rows_of else None
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
            queue=queue,
            flag=flag,
            language=language,
            source=source,
            search=search,
            ids=tuple(ids) if ids is not None else None,
        )
        self.showRecordsRequested.emit()
        self.set_spec(spec)

    def run_job(
        self,
        job_factory: Callable[[], Job[Any]],
        title: str,
        on_success: Callable[[Any], None] | None = None,
    ) -> None:
        """Run a core job with a progress dialog and Cancel; refresh afterwards."""
        self.jobRequested.emit(job_factory, title, on_success)

    def job_worker(self, job_factory: Callable[[], Job[Any]]) -> Worker:
        """A worker for a core job, not started yet: connect its signals, then
        ``pool.start`` it (a fast job could otherwise finish before anyone listens)."""
        return Worker(job_task(job_factory))

    # --- one record ------------------------------------------------------------
    def record(self, row: int) -> dict[str, Any]:
        """Everything the review pane shows for frame row ``row``: the core's record
        detail, with the flags and cluster columns of the in-memory frame."""
        ws = self._ws()
        cols = [
            c
            for c in (
                R.ID,
                R.FLAGS,
                R.CLUSTER_ID,
                R.DUPLICATE_OF,
                R.SIMILARITY,
                D.LANGUAGE,
                D.TOKENS,
            )
            if c in self.frame.columns
        ]
        known = {c: self.frame.get_column(c).slice(row, 1).to_list()[0] for c in cols}
        for col in (D.LANGUAGE, D.TOKENS):
            if self.scores is not None and col in self.scores.columns and row < self.scores.height:
                known[col] = self.scores.get_column(col).slice(row, 1).to_list()[0]
        # Frame row = snapshot position: the detail needs no scan; tokens are counted once
        # the BPE is loaded (warmed in a worker on open), the scored count until then.
        return record_detail(
            ws,
            str(known[R.ID]),
            row=known,
            pii=self.pii,
            history=False,
            at=row,
            count_tokens=False,
            snapshot=self.snapshot,
        )

    def view_id(self, view_row: int) -> str | None:
        if 0 <= view_row < self.view.height:
            return str(self.view.get_column(R.ID)[view_row])
        return None

    def frame_row(self, view_row: int) -> int | None:
        if 0 <= view_row < self.view.height:
            return int(self.view.get_column(D.ROW)[view_row])
        return None

    def view_positions(self, ids: Sequence[str]) -> list[int]:
        """View rows of ``ids``; the record on screen from its known row (no scan)."""
        if len(ids) == 1:
            hint = self._hinted(self.view, ids, 2)
            if hint is not None:
                return [int(hint[0])]
        return positions(self.view, ids).to_list() if self.view.height else []

    def view_row_of(self, rid: str) -> int | None:
        if not self.view.height:
            return None
        known = self._rows_of
        if known is not None and known[0] is self.view and rid in known[1]:
            return known[1][rid]  # found by the worker that built this view
        hits = positions(self.view, [rid])
        return int(hits[0]) if hits.len() else None

    # --- review actions (commit, then patch from the delta) --------------------------
    def _ws(self) -> Workspace:
        assert self.ws is not None, "no workspace open"
        return self.ws

    def set_reviewer(self, name: str) -> None:
        """The name written with every action from now on (blank: the OS user)."""
        self.reviewer = name.strip() or default_reviewer()
        self.reviewerChanged.emit(self.reviewer)

    def approve(self, ids: Sequence[str], *, bulk: bool | None = None) -> ReviewDelta:
        return self.apply_delta(review.approve(self._ws(), ids, reviewer=self.reviewer, bulk=bulk))

    def reject(self, ids: Sequence[str], reason: str, *, bulk: bool | None = None) -> ReviewDelta:
        return self.apply_delta(
            review.reject(self._ws(), ids, reason, reviewer=self.reviewer, bulk=bulk)
        )

    def reset(self, ids: Sequence[str], *, bulk: bool | None = None) -> ReviewDelta:
        return self.apply_delta(review.reset(self._ws(), ids, reviewer=self.reviewer, bulk=bulk))

    def edit_message(self, rid: str, index: int, content: str) -> ReviewDelta:
        return self.apply_delta(
            review.edit_message(self._ws(), rid, index, content, reviewer=self.reviewer)
        )

    def swap_pair(self, rid: str) -> ReviewDelta:
        """Preference pair: the rejected answer becomes the chosen one (undoable)."""
        from curator.core import review_pairs

        return self.apply_delta(review_pairs.swap(self._ws(), rid, reviewer=self.reviewer))

    def edit_pair(self, rid: str, side: str, content: str) -> ReviewDelta:
        """Preference pair: replace the chosen or the rejected answer's text."""
        from curator.core import review_pairs

        fn = review_pairs.edit_chosen if side == "chosen" else review_pairs.edit_rejected
        return self.apply_delta(fn(self._ws(), rid, content, reviewer=self.reviewer))

    def set_turn_weight(self, rid: str, index: int, train: bool) -> ReviewDelta:
        return self.apply_delta(
            review.set_turn_weight(self._ws(), rid, index, train, reviewer=self.reviewer)
        )

    def revert(self, rid: str) -> ReviewDelta:
        return self.apply_delta(review.revert(self._ws(), rid, reviewer=self.reviewer))

    def redact(self, rid: str) -> int:
        """Replace the record's PII and secrets with placeholders (an undoable edit).

        Returns the number of replacements. The core re-scores the record, so its
        flags change too: the frame is re-read in a worker afterwards."""
        from curator.core.filters import redact

        n = redact(self._ws(), rid, reviewer=self.reviewer)
        if n:
            self.refresh()
        return n

    def undo(self, size: int | None = None) -> ReviewDelta | Worker:
        """Undo the last step: its delta, or the worker undoing a big step
        (``size``: its record count, when the caller just read it with :meth:`next_step`)."""
        return self._restore("undo", size)

    def redo(self, size: int | None = None) -> ReviewDelta | Worker:
        """Redo the last undone step: its delta, or the worker redoing a big step."""
        return self._restore("redo", size)

    @property
    def restoring(self) -> bool:
        """Whether a big undo/redo is still running in a worker."""
        return self._restoring is not None

    def restore_size(self, which: str) -> int:
        """How many records the next undo ("undo") or redo ("redo") touches (a cheap count)."""
        return review.next_step(self._ws(), which)[1]

    def next_step(self, which: str) -> tuple[str | None, int]:
        """(action, records) the next undo/redo restores."""
        return review.next_step(self._ws(), which)

    def _restore(self, which: str, size: int | None = None) -> ReviewDelta | Worker:
        """A step of up to BULK_IN_WORKER records commits and patches here; a bigger one
        runs in a worker and is patched in when it lands (the window stays live)."""
        ws = self._ws()
        fn = review.undo if which == "undo" else review.redo
        if self._restoring is not None:
            return self._restoring
        if (self.restore_size(which) if size is None else size) <= BULK_IN_WORKER:
            return self.apply_delta(fn(ws))
        self.loadingChanged.emit(True)
        worker = Worker(call_task(lambda: fn(ws)))
        self._restoring = worker
        worker.succeeded.connect(self._big_delta)
        worker.failed.connect(self._failed)
        worker.done.connect(lambda: setattr(self, "_restoring", None))
        return self.pool.start(worker)

    def bulk(
        self, action: str, ids: Sequence[str], reason: str | None = None
    ) -> Worker | ReviewDelta:
        """Approve/reject many ids as one bulk step; big batches run in a worker."""
        ws, who = self._ws(), self.reviewer
        ids = list(ids)
        # What this window shows for them: a record another process decided since the
        # frame was read is left alone (and reported) instead of overwritten. Read from
        # the frame as it is now (frames are replaced, never changed in place), in the
        # worker for a big batch: a filter of 1M rows here stalled the window 250 ms.
        frame = self.frame
        if not self.is_current():
            self.refresh()  # another process changed something: re-read for what comes next

        def apply() -> ReviewDelta:
            expected = shown_statuses(frame, ids)
            if action == "approve":
                return review.approve(ws, ids, reviewer=who, bulk=True, expected=expected)
            return review.reject(ws, ids, reason or "", reviewer=who, bulk=True, expected=expected)

        if len(ids) <= BULK_IN_WORKER:
            delta = self.apply_delta(apply())
            self.set_spec(self.spec)  # re-filter: bulk-reviewed rows leave their queue
            return delta
        self.loadingChanged.emit(True)
        worker = Worker(call_task(apply))
        worker.succeeded.connect(self._big_delta)
        worker.failed.connect(self._failed)
        return self.pool.start(worker)

    def shown_statuses(self, ids: Sequence[str]) -> dict[str, str]:
        """id -> the review status the in-memory frame shows for it."""
        return shown_statuses(self.frame, ids)

    def _big_delta(self, delta: ReviewDelta) -> None:
        """A bulk step landed: its rows are patched in a worker (at 1M a join and a copy
        of every changed column), then swapped in if nothing else patched meanwhile."""
        if not delta or not self.loaded:
            self.loadingChanged.emit(False)
            return
        ws, frame, view, snapshot = self._ws(), self.frame, self.view, self.snapshot
        counts, scores, build, block_rows = (
            self.counts,
            self.scores,
            self.block_builder,
            self.block_rows,
        )
        shown = self._current[2] if self._current is not None else None

        def task() -> tuple[Any, dict[str, int], list[str], dict[int, Any]]:
            # the counts, the id list and the blocks on screen too: on the UI thread a
            # group_by, 20,000 ids to Python objects and a block's conversion each
            patched = patched_frames(ws, frame, view, delta, snapshot=snapshot)
            blocks: dict[int, Any] = {}
            if build is not None and patched[1].height:
                wanted = {0} | ({shown // block_rows} if shown is not None else set())
                blocks = {b: build(patched[1], patched[0], scores, b) for b in sorted(wanted)}
            return patched, patch_counts(counts, delta), delta.ids, blocks

        worker = Worker(call_task(task))

        def landed(done: tuple[Any, dict[str, int], list[str], dict[int, Any]]) -> None:
            self.loadingChanged.emit(False)
            if self.frame is frame and self.view is view and self.counts is counts:
                patched, counts_after, ids, blocks = done
                self.view_blocks = blocks  # the table takes them when it is told of the patch
                self.apply_delta(delta, patched, counts=counts_after, ids=ids)
                self.view_blocks = {}
            else:  # something else patched meanwhile: from the frames as they are now
                self.apply_delta(delta)
            self.set_spec(self.spec)

        worker.succeeded.connect(landed)
        worker.failed.connect(self._failed)
        self.pool.start(worker)

    def is_current(self) -> bool:
        """Whether the frame still reflects the workspace (no other process changed it)."""
        return self.ws is None or self.version is None or self.ws.state_version() == self.version

    def set_current(self, rid: str | None, view_row: int | None) -> None:
        """The record on screen: a single-record patch then finds its rows without a scan."""
        frow = self.frame_row(view_row) if view_row is not None else None
        self._current = (rid, frow, view_row) if rid is not None and frow is not None else None

    def _hinted(self, df: pl.DataFrame, ids: Sequence[str], which: int) -> pl.Series | None:
        cur = self._current
        if cur is None or cur[0] != ids[0]:
            return None
        row = cur[1] if which == 1 else cur[2]
        ok = (
            row is not None
            and row < df.height
            and df.get_column(R.ID).slice(row, 1).to_list() == [ids[0]]
        )
        return pl.Series([row], dtype=pl.UInt32) if ok else None

    def apply_delta(
        self,
        delta: ReviewDelta,
        patched: tuple[pl.DataFrame, pl.DataFrame, list[str]] | None = None,
        *,
        counts: dict[str, int] | None = None,
        ids: list[str] | None = None,
    ) -> ReviewDelta:
        """Patch the frame, the view and the counts from a core review delta
        (``patched``, ``counts``, ``ids``: the frames and counts a worker already patched
        from the current ones, and the delta's ids)."""
        if not delta or not self.loaded:
            return delta
        ws = self._ws()
        stale = (
            self.version is not None
            and delta.version is not None
            and delta.version != self.version + 1
        )
        stale = stale or bool(delta.skipped)  # records another process decided: re-read
        if delta.version is not None:
            self.version = delta.version
        if ids is None:
            ids = delta.ids
        if patched is None:
            fpos = self._hinted(self.frame, ids, 1) if len(ids) == 1 else None
            vpos = self._hinted(self.view, ids, 2) if len(ids) == 1 else None
            patched = patched_frames(ws, self.frame, self.view, delta, fpos, vpos, self.snapshot)
        self.frame, self.view, text_ids = patched
        if text_ids and not self.enriched:
            self._texts_since_enrich.update(text_ids)
        self.counts = counts if counts is not None else patch_counts(self.counts, delta)
        self.recordsPatched.emit(ids)
        self.countsChanged.emit(self.counts)
        self.deltaApplied.emit(delta)
        self.frameChanged.emit()
        if stale:  # someone else wrote in between: the rest of the frame is older
            self.externalChange.emit()
            self.refresh()
        return delta

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

    def _flush_last_record(self, wait: bool = True) -> None:
        """Write the remembered record; from the debounce timer in a worker (a bulk step
        or a job may hold the write lock for seconds), on close or switch right here."""
        self._remember_timer.stop()
        rid, ws = self._last_record, self.ws
        if ws is None or not rid or ws.get_setting("gui.last_record") == rid:
            return
        if wait:
            ws.set_setting("gui.last_record", rid)
        else:
            self.pool.start(Worker(call_task(lambda: ws.set_setting("gui.last_record", rid))))

    def block_columns(self, frame_rows: list[int]) -> dict[str, list[Any]]:
        """display.LAZY_COLUMNS for a block of frame rows (before the enrichment lands)."""
        return block_columns(self.frame, self.scores, frame_rows)

    def shutdown(self) -> None:
        self._flush_last_record()
        self.pool.shutdown()
