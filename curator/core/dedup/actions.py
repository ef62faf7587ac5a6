"""Reviewer actions on clusters and instant what-ifs; each applies immediately.

A choice is stored first (durably, with its time), then clusters and flags are
rewritten from the stored pairs; no signature is recomputed.
"""

from __future__ import annotations

import polars as pl

from curator.core import records as R
from curator.core import review
from curator.core.dedup.clusters import NEAR, PARAPHRASE
from curator.core.dedup.overrides import BREAK_OUT, KEEPER, remove_override, set_override
from curator.core.dedup.store import read_graph, reapply, reassemble
from curator.core.workspace import Workspace, WorkspaceError


def _check_record(ws: Workspace, record_id: str) -> None:
    if not ws.record_ids().is_in([record_id]).any():
        raise WorkspaceError(f"No record {record_id} in workspace {ws.name}.")
    if read_graph(ws) is None:
        raise WorkspaceError("Run dedup first (`curator dedup -w WS`), then choose keepers.")


def make_keeper(ws: Workspace, record_id: str) -> pl.DataFrame | None:
    """Make this record its cluster's keeper (survives re-runs); returns the new clusters."""
    _check_record(ws, record_id)
    set_override(ws, record_id, KEEPER)
    return reapply(ws)


def break_out(ws: Workspace, record_id: str) -> pl.DataFrame | None:
    """Record "not a duplicate": take it out of its cluster, now and on every re-run."""
    _check_record(ws, record_id)
    set_override(ws, record_id, BREAK_OUT)
    return reapply(ws)


def undo_override(ws: Workspace, record_id: str) -> pl.DataFrame | None:
    """Forget the keeper / break-out choice made for this record."""
    if not remove_override(ws, record_id):
        raise WorkspaceError(f"No dedup choice was made for record {record_id}.")
    return reapply(ws)


def reject_non_keepers(ws: Workspace, cluster_id: str) -> review.ReviewDelta:
    """Reject every non-keeper of a cluster, with the keeper as the reason (one undo step)."""
    cl = ws.clusters().filter(pl.col(R.CLUSTER_ID) == cluster_id)
    if cl.height == 0:
        raise WorkspaceError(f"No duplicate cluster {cluster_id} in workspace {ws.name}.")
    keeper = cl.filter(pl.col(R.DUPLICATE_OF).is_null()).get_column(R.ID)
    dups = cl.filter(pl.col(R.DUPLICATE_OF).is_not_null()).get_column(R.ID).to_list()
    reason = f"duplicate of {keeper[0]}" if keeper.len() else "duplicate"
    return review.reject(ws, dups, reason, bulk=True)


def count_at_threshold(ws: Workspace, threshold: float) -> int:
    """Records that WOULD be flagged near_duplicate at ``threshold`` (no rewrite).

    Uses the stored verified pairs (kept down to an estimated Jaccard of 0.5).
    At thresholds below the last run's, LSH found fewer of the weaker pairs,
    so the count there is a lower bound; at or above it, it is what a re-run
    would flag.
    """
    clusters = reassemble(ws, threshold)
    if clusters is None:
        return 0
    return clusters.filter(pl.col(R.DUPLICATE_OF).is_not_null() & (pl.col("kind") == NEAR)).height


def count_paraphrases_at(ws: Workspace, threshold: float) -> int:
    """Records that WOULD be flagged near_duplicate.paraphrase at this prompt-cosine threshold.

    From the stored verified pairs (kept down to ``paraphrase.FLOOR``); 0 until
    a run with the paraphrase method on has stored them.
    """
    clusters = reassemble(ws, paraphrase_threshold=threshold)
    if clusters is None:
        return 0
    dup = pl.col(R.DUPLICATE_OF).is_not_null()
    return clusters.filter(dup & (pl.col("kind") == PARAPHRASE)).height
