"""Exact and MinHash near-duplicate clustering (datasketch LSH), incremental and explainable.

Public API used by the CLI, ``curator run`` and the GUI's duplicate panels.
"""

from curator.core.dedup.actions import (
    break_out,
    count_at_threshold,
    count_paraphrases_at,
    make_keeper,
    reject_non_keepers,
    undo_override,
)
from curator.core.dedup.job import DedupSummary, dedup_job
from curator.core.dedup.settings import DedupSettings, load_settings, save_settings
from curator.core.dedup.store import reapply
from curator.core.dedup.views import cluster_members, cluster_table

__all__ = [
    "DedupSettings",
    "DedupSummary",
    "break_out",
    "cluster_members",
    "cluster_table",
    "count_at_threshold",
    "count_paraphrases_at",
    "dedup_job",
    "load_settings",
    "make_keeper",
    "reapply",
    "reject_non_keepers",
    "save_settings",
    "undo_override",
]
