"""The Duplicates tab: clusters by size, a member beside its keeper with a word diff.

Actions go through ``curator.core.dedup`` (make_keeper, break_out,
undo_override, reject_non_keepers), which store the choice durably so it
survives re-runs; they run in a worker, then the table and the records reload.
Record text is put in plain-text documents and highlighted with
QTextCharFormat; it is never interpreted as HTML.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QColor, QShowEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from curator.core import records as R
from curator.core.dedup import (
    break_out,
    cluster_members,
    cluster_table,
    make_keeper,
    reject_non_keepers,
    undo_override,
)
from curator.core.dedup.overrides import overrides
from curator.core.workspace import Workspace
from curator.gui.duplicates.word_diff import word_diff
from curator.gui.session.controller import Controller
from curator.gui.session.workers import Worker, call_task
from curator.gui.widgets import theme
from curator.gui.widgets.frame_model import FrameModel
from curator.gui.widgets.plain import plain_label, plain_warning

DELETED_BG = "#fde2e1"
INSERTED_BG = "#dcf5e3"


def _sim(v: Any) -> str:
    return "" if v is None else f"{float(v):.2f}"


def _two_decimals(x: pl.Expr) -> pl.Expr:
    """0.9 -> "0.90" (vectorised; similarities are in [0, 1])."""
    v = (x * 100).round().cast(pl.Int64)
    return pl.format("{}.{}", v // 100, (v % 100).cast(pl.String).str.zfill(2))


def clusters_with_keepers(ws: Workspace) -> pl.DataFrame:
    """cluster_table plus the keeper's source and locator (for the list)."""
    table = cluster_table(ws)
    recs = ws.records().select(pl.col(R.ID).alias("keeper_id"), R.SOURCE, R.LOCATOR)
    table = table.join(recs, on="keeper_id", how="left", maintain_order="left")
    lo, hi = _two_decimals(pl.col("min_similarity")), _two_decimals(pl.col("max_similarity"))
    return table.with_columns(
        pl.when(pl.col("min_similarity").is_null())
        .then(pl.lit(""))
        .when(lo == hi)
        .then(hi)
        .otherwise(pl.format("{}–{}", lo, hi))
        .alias("similarity"),
        pl.format("{} · {}", pl.col(R.SOURCE), pl.col(R.LOCATOR)).alias("keeper"),
    )


def members_with_choices(ws: Workspace, cluster_id: str) -> pl.DataFrame:
    """cluster_members plus the reviewer's stored dedup choice per member."""
    m = cluster_members(ws, cluster_id)
    ov = overrides(ws)
    if ov.height and R.ID in ov.columns and "action" in ov.columns:
        m = m.join(ov.select(R.ID, pl.col("action").alias("choice")), on=R.ID, how="left")
    else:
        m = m.with_columns(pl.lit(None, pl.String).alias("choice"))
    return m


def cluster_view(ws: Workspace, cluster_id: str, frame: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, str]]:
    """A cluster's members with their choice and role label, and each member's text from
    the loaded ``frame``: all of it off the UI thread (finding a few ids in a 1M-row frame
    queues behind whatever a worker runs in Polars' pool)."""
    m = members_with_choices(ws, cluster_id)
    if m.height:
        m = m.with_columns(
            pl.when(pl.col("is_keeper")).then(pl.lit("★ keeper"))
            .when(pl.col("kind") == "paraphrase").then(pl.lit("paraphrase"))
            .when(pl.col("kind") == "exact").then(pl.lit("exact copy"))
            .otherwise(pl.lit("near")).alias("role"))
    return m, member_texts(frame, m.get_column(R.ID).to_list() if m.height else [])


def member_texts(frame: pl.DataFrame, ids: list[str]) -> dict[str, str]:
    """Each of ``ids``' conversation as plain text, from the loaded frame."""
    if not ids or R.ID not in frame.columns:
        return {}
    sub = frame.filter(pl.col(R.ID).is_in(pl.Series(ids, dtype=pl.String).implode())).select(R.ID, R.MESSAGES)
    return {rid: conversation_text(msgs.to_list() if msgs is not None else None)
            for rid, msgs in zip(sub.get_column(R.ID).to_list(), sub.get_column(R.MESSAGES), strict=True)}


def conversation_text(messages: list[dict[str, Any]] | None) -> str:
    if not messages:
        return ""
    return "\n\n".join(f"{(m.get('role') or '').upper()}:\n{m.get('content') or ''}" for m in messages)


class DuplicatesPanel(QWidget):
    def __init__(self, controller: Controller) -> None:
        super().__init__()
        self.c = controller
        self.cluster_id: str | None = None
        self.members = pl.DataFrame()
        self.texts: dict[str, str] = {}
        self._gen = 0
        self._member_gen = 0
        self._reselect: str | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        head = QHBoxLayout()
        head.addWidget(plain_label("Duplicates", "title", wrap=False))
        head.addStretch(1)
        self.summary = plain_label("", "muted", wrap=False)
        head.addWidget(self.summary)
        lay.addLayout(head)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.model = FrameModel([
            ("Size", "size", None), ("Kind", "kind", None),
            ("Similarity", "similarity", None), ("Keeper", "keeper", None),
        ])
        self.table = self._view(self.model)
        # Size/kind/similarity are short: the keeper's "source · locator" gets the room,
        # and a long source name is cut in the middle so the locator stays readable.
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        for col, width in ((0, 48), (1, 56), (2, 78)):
            self.table.horizontalHeader().resizeSection(col, width)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _p: self._select_cluster(cur.row()))
        split.addWidget(self.table)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(8, 0, 0, 0)
        self.title = plain_label("Select a cluster on the left.", "h2")
        rl.addWidget(self.title)
        self.member_model = FrameModel([
            ("Role", "role", None), ("Similarity", R.SIMILARITY, _sim), ("Status", R.STATUS, None),
            ("Your choice", "choice", lambda v: {"keeper": "made keeper", "break_out": "not a duplicate"}.get(v, v or "")),
            ("Source", R.SOURCE, None), ("Locator", R.LOCATOR, None),
        ])
        self.member_table = self._view(self.member_model)
        self.member_table.setMaximumHeight(170)
        for col, width in enumerate((90, 80, 80, 120, 170)):
            self.member_table.setColumnWidth(col, width)
        self.member_table.selectionModel().currentRowChanged.connect(lambda cur, _p: self._select_member(cur.row()))
        rl.addWidget(self.member_table)
        grid = QGridLayout()
        self.keeper_label = plain_label("Keeper", "h2", wrap=False)
        self.other_label = plain_label("Member", "h2", wrap=False)
        self.keeper_text = self._text()
        self.other_text = self._text()
        grid.addWidget(self.keeper_label, 0, 0)
        grid.addWidget(self.other_label, 0, 1)
        grid.addWidget(self.keeper_text, 1, 0)
        grid.addWidget(self.other_text, 1, 1)
        for lab in (self.keeper_label, self.other_label):  # long labels must not widen one side
            lab.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        rl.addLayout(grid, 1)
        self.legend = plain_label(
            "Red: words only the keeper has. Green: words only this member has.", "muted")
        rl.addWidget(self.legend)
        row = QHBoxLayout()
        self.keeper_button = QPushButton("Make keeper")
        self.keeper_button.setToolTip("Keep this record instead; the choice survives re-runs")
        self.keeper_button.clicked.connect(lambda: self._member_action(make_keeper))
        self.break_button = QPushButton("Not a duplicate")
        self.break_button.setToolTip("Take this record out of the cluster, now and on every re-run")
        self.break_button.clicked.connect(lambda: self._member_action(break_out))
        self.undo_button = QPushButton("Undo my choice")
        self.undo_button.clicked.connect(lambda: self._member_action(undo_override))
        self.open_button = QPushButton("Open in Records")
        self.open_button.clicked.connect(self._open_records)
        self.reject_button = QPushButton("Reject all non-keepers…")
        self.reject_button.setObjectName("reject")
        self.reject_button.clicked.connect(self.reject_non_keepers)
        for b in (self.keeper_button, self.break_button, self.undo_button, self.open_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.reject_button)
        rl.addLayout(row)
        split.addWidget(right)
        split.setSizes([520, 940])
        lay.addWidget(split, 1)
        self._update_buttons()
        self._stale = True
        controller.workspaceOpened.connect(lambda _ws: self.schedule())
        controller.frameReloaded.connect(self.schedule)

    # --- widgets --------------------------------------------------------------------------
    @staticmethod
    def _view(model: FrameModel) -> QTableView:
        v = QTableView()
        v.setModel(model)
        v.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        v.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        v.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        v.verticalHeader().hide()
        v.horizontalHeader().setStretchLastSection(True)
        v.setAlternatingRowColors(True)
        v.setWordWrap(False)
        return v

    @staticmethod
    def _text() -> QPlainTextEdit:
        t = QPlainTextEdit()
        t.setReadOnly(True)
        t.setFont(theme.mono_font())
        return t

    # --- loading ---------------------------------------------------------------------------
    def schedule(self) -> None:
        """Reload now if the tab is shown, else when it is next shown."""
        self._stale = True
        if self.isVisible():
            self.reload()

    def showEvent(self, e: QShowEvent) -> None:
        super().showEvent(e)
        if self._stale:
            self.reload()

    def reload(self) -> Worker | None:
        ws = self.c.ws
        if ws is None:
            return None
        self._stale = False
        self._gen += 1
        gen = self._gen
        w = Worker(call_task(lambda: clusters_with_keepers(ws)))
        w.succeeded.connect(lambda df: self._loaded(gen, df))
        w.failed.connect(lambda text: self.summary.setText(text))
        return self.c.pool.start(w)

    def _loaded(self, gen: int, df: pl.DataFrame) -> None:
        if gen != self._gen:
            return
        want = self._reselect or self.cluster_id
        self._reselect = None
        self.model.set_frame(df)
        for col, width in ((0, 50), (1, 60), (2, 90)):
            self.table.setColumnWidth(col, width)
        n_dup = int(df.get_column("size").sum() or 0) - df.height if df.height else 0
        self.summary.setText(
            f"{df.height:,} clusters · {n_dup:,} records that are not their cluster's keeper · "
            "similarity is to the keeper, compared without the shared preamble"
            if df.height else "No duplicate clusters: run the pipeline (dedup) first, or there are none.")
        row = 0
        if want is not None and df.height:
            hits = (df.get_column(R.CLUSTER_ID) == want).arg_true()
            row = int(hits[0]) if hits.len() else 0
        if df.height:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            self._select_cluster(row)
        else:
            self._show_cluster(None, pl.DataFrame())

    def _select_cluster(self, row: int) -> Worker | None:
        """Load the cluster's members in a worker (a join over every record at 1M)."""
        cid = self.model.value(row, R.CLUSTER_ID)
        ws = self.c.ws
        if cid is None or ws is None:
            return None
        self._member_gen += 1
        gen, cid, frame = self._member_gen, str(cid), self.c.frame
        w = Worker(call_task(lambda: cluster_view(ws, cid, frame)))
        w.succeeded.connect(lambda res: self._show_cluster(cid, *res) if gen == self._member_gen else None)
        w.failed.connect(lambda text: self.title.setText(text))
        return self.c.pool.start(w)

    def _show_cluster(self, cid: str | None, members: pl.DataFrame, texts: dict[str, str] | None = None) -> None:
        """Show a cluster's members (from cluster_view, in a worker) and its texts."""
        self.cluster_id = cid
        self.members = members
        self.member_model.set_frame(members)
        self.texts = texts if texts is not None else self._load_texts(
            members.get_column(R.ID).to_list() if members.height else [])
        if cid is None:
            self.title.setText("No cluster selected.")
            self.keeper_text.setPlainText("")
            self.other_text.setPlainText("")
        else:
            kind = members.get_column("kind")[0] if members.height else ""
            self.title.setText(f"Cluster {cid} — {members.height} records, {kind}")
            row = 1 if members.height > 1 else 0
            self.member_table.selectRow(row)
            self._select_member(row)
        self._update_buttons()

    def _load_texts(self, ids: list[str]) -> dict[str, str]:
        return member_texts(self.c.frame, ids)

    def _select_member(self, row: int) -> None:
        m = self.members
        if not m.height or not 0 <= row < m.height:
            self._update_buttons()
            return
        keepers = [i for i, k in zip(m.get_column(R.ID).to_list(), m.get_column("is_keeper").to_list(), strict=True) if k]
        keeper_id = keepers[0] if keepers else None  # plain Python: a member click never waits for Polars' pool
        rid = str(m.get_column(R.ID)[row])
        if len(self.texts) < m.height:  # the records were still loading when the cluster came in
            self.texts = self._load_texts(m.get_column(R.ID).to_list())
        ktext = self.texts.get(str(keeper_id), "") if keeper_id else ""
        otext = self.texts.get(rid, "")
        self.keeper_text.setPlainText(ktext)
        self.other_text.setPlainText(otext)
        sim = m.get_column(R.SIMILARITY)[row]
        if rid == keeper_id:
            self.other_label.setText("Member: this is the keeper")
        else:
            d = word_diff(ktext, otext)
            self._highlight(self.keeper_text, d.deleted, DELETED_BG)
            self._highlight(self.other_text, d.inserted, INSERTED_BG)
            kind = m.get_column("kind")[row]
            if kind == "paraphrase":
                est = f"paraphrase, prompt cosine {_sim(sim)} to the keeper's, same answer"
            elif kind == "exact":
                est = "exact copy (same text after normalising)"
            else:
                est = f"similarity {_sim(sim)} to the keeper" if sim is not None else "near duplicate"
            self.other_label.setText(f"Member: {est} · {d.ratio:.0%} words shared")
            self.other_label.setToolTip(
                "Similarity: the exact Jaccard of the shingles with the keeper's (character 4-grams "
                "when the shorter text is under 50 words, else word 5-grams), compared without "
                "the shared preamble (text most records share, e.g. a tool description or sign-off); "
                "paraphrases: TF-IDF cosine of the prompts, replies alike and ending the same way. "
                "Words shared: the word-level diff below.")
        self.keeper_label.setText(f"Keeper: {m.get_column(R.SOURCE)[0]} · {m.get_column(R.LOCATOR)[0]}"
                                  if keeper_id else "Keeper")
        self._update_buttons()

    @staticmethod
    def _highlight(edit: QPlainTextEdit, spans: list[tuple[int, int]], colour: str) -> None:
        fmt = QTextCharFormat()
        fmt.setBackground(QColor(colour))
        cur = QTextCursor(edit.document())
        for s, e in spans:
            cur.setPosition(s)
            cur.setPosition(e, QTextCursor.MoveMode.KeepAnchor)
            cur.mergeCharFormat(fmt)

    # --- actions ------------------------------------------------------------------------------
    def selected_member(self) -> str | None:
        row = self.member_table.currentIndex().row()
        v = self.member_model.value(row, R.ID)
        return None if v is None else str(v)

    def _update_buttons(self) -> None:
        rid = self.selected_member()
        row = self.member_table.currentIndex().row()
        is_keeper = bool(self.member_model.value(row, "is_keeper"))
        choice = self.member_model.value(row, "choice")
        has = self.cluster_id is not None
        self.keeper_button.setEnabled(rid is not None and not is_keeper)
        self.break_button.setEnabled(rid is not None)
        self.undo_button.setEnabled(choice is not None)
        self.open_button.setEnabled(has)
        self.reject_button.setEnabled(has and self.members.height > 1)

    def _run(self, fn: Any, reselect: str | None) -> Worker | None:
        ws = self.c.ws
        if ws is None:
            return None
        self._reselect = reselect
        for b in (self.keeper_button, self.break_button, self.undo_button, self.reject_button):
            b.setEnabled(False)
        w = Worker(call_task(lambda: fn(ws)))
        w.failed.connect(lambda text: plain_warning(self, "Duplicates", text))
        w.done.connect(self._after_action)
        return self.c.pool.start(w)

    def _after_action(self) -> None:
        self.reload()
        self.c.refresh()

    def _member_action(self, action: Any) -> Worker | None:
        rid = self.selected_member()
        if rid is None:
            return None
        keep_cluster = self.cluster_id if action is break_out else None
        w = self._run(lambda ws: action(ws, rid), keep_cluster)
        if w is not None and action is not break_out:
            w.succeeded.connect(lambda clusters: self._track(clusters, rid))
        return w

    def _track(self, clusters: Any, rid: str) -> None:
        """Follow the record to its (possibly renamed) cluster after a keeper change."""
        if isinstance(clusters, pl.DataFrame) and clusters.height:
            hit = clusters.filter(pl.col(R.ID) == rid)
            if hit.height and hit.get_column(R.CLUSTER_ID)[0] is not None:
                self._reselect = str(hit.get_column(R.CLUSTER_ID)[0])

    def reject_non_keepers(self, confirm: bool = True) -> Worker | None:
        cid = self.cluster_id
        if cid is None:
            return None
        n = int(self.members.filter(~pl.col("is_keeper")).height) if self.members.height else 0
        if confirm:
            ans = QMessageBox.question(
                self, "Reject duplicates",
                f"Reject {n} record{'s' if n != 1 else ''} of cluster {cid} (everything but the keeper)? "
                "You can undo this with Ctrl+Z in the Records tab.")
            if ans != QMessageBox.StandardButton.Yes:
                return None
        return self._run(lambda ws: reject_non_keepers(ws, cid), cid)

    def _open_records(self) -> None:
        if self.members.height:
            self.c.show_records(ids=self.members.get_column(R.ID).to_list())
