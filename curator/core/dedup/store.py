"""Dedup's result files in the workspace, and re-assembling clusters from them.

    results/dedup_signatures.parquet  k1, k2 (text key), sig (uint32 x num_perm), fp
                                      -- signature cache by normalised-text key
    results/dedup_shared.parquet      kind, text, texts, fp -- shared shingles and
                                      passages left out before comparing (shared.py)
    results/dedup_nodes.parquet       per record: keys, sig_row, keeper tie-breakers
    results/dedup_pairs.parquet       i, j (sig rows), similarity: verified near
                                      pairs down to PAIR_FLOOR
    results/dedup_paraphrases.parquet a, b (record ids), similarity (prompt cosine),
                                      reply: verified paraphrase pairs (paraphrase.py)
    results/clusters.parquet          CLUSTERS_SCHEMA (read by Workspace.frame)
    results/flags_dedup.parquet       exact_duplicate / near_duplicate flags

Overrides and status changes are applied by re-assembling from these files,
without recomputing signatures.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from curator.core import records as R
from curator.core.dedup.clusters import PAIR_SCHEMA, assemble, flags_for
from curator.core.dedup.overrides import overrides
from curator.core.dedup.settings import load_settings
from curator.core.workspace import Workspace

SIGNATURES = "dedup_signatures"
SHARED = "dedup_shared"
PARAPHRASES = "dedup_paraphrases"
NODES = "dedup_nodes"
PAIRS = "dedup_pairs"
CLUSTERS = "clusters"
FLAGS_PRODUCER = "dedup"
PAIR_FLOOR = 0.5  # verified near pairs are stored down to this estimated Jaccard

NODE_SCHEMA = pl.Schema(
    {
        R.ID: pl.String,
        "exact1": pl.UInt64,
        "exact2": pl.UInt64,
        "scope1": pl.UInt64,
        "scope2": pl.UInt64,
        "sig_row": pl.Int64,
        "assistant_chars": pl.Int64,
        R.IMPORT_ID: pl.Int64,
        R.LINE: pl.Int64,
    }
)


def review_columns(ws: Workspace) -> pl.DataFrame:
    """id, status, edited for records a reviewer touched (others are pending, unedited)."""
    st = ws.state()
    return st.select(R.ID, R.STATUS, pl.col("edited_messages").is_not_null().alias(R.EDITED))


def read_signatures(ws: Workspace) -> tuple[pl.DataFrame | None, np.ndarray | None]:
    df = ws.read_result(SIGNATURES)
    if df is None or df.height == 0:
        return df, None
    return df, np.ascontiguousarray(df.get_column("sig").to_numpy(), dtype=np.uint32)


def read_shared(ws: Workspace, text_fp: str) -> pl.DataFrame | None:
    """The stored shared text (kind, text, texts) if it was found with these text settings."""
    df = ws.read_result(SHARED)
    if df is None or "kind" not in df.columns:
        return None
    if df.height == 0 or df.get_column("fp")[0] != text_fp:
        return None
    return df.filter(pl.col("kind").is_not_null()).select("kind", "text", "texts")


def read_graph(ws: Workspace) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    nodes = ws.read_result(NODES)
    pairs = ws.read_result(PAIRS)
    if nodes is None or pairs is None or "i" not in pairs.columns:
        return None  # never run, or written by an older version: run dedup again
    return nodes, pairs.select(PAIR_SCHEMA.names()).cast(PAIR_SCHEMA)


def write_clusters(ws: Workspace, clusters: pl.DataFrame) -> None:
    ws.write_result(
        CLUSTERS, clusters.select(list(R.CLUSTERS_SCHEMA.names())).cast(R.CLUSTERS_SCHEMA)
    )
    ws.write_flags(FLAGS_PRODUCER, flags_for(clusters))


def reassemble(
    ws: Workspace, threshold: float | None = None, paraphrase_threshold: float | None = None
) -> pl.DataFrame | None:
    """Clusters from the stored graph with current overrides and review state (not written)."""
    graph = read_graph(ws)
    if graph is None:
        return None
    nodes, pairs = graph
    s = load_settings(ws)
    t = s.threshold if threshold is None else threshold
    pt = s.paraphrase_threshold if paraphrase_threshold is None else paraphrase_threshold
    para = ws.read_result(PARAPHRASES) if s.paraphrase else None
    return assemble(
        nodes, pairs, t, overrides(ws), ws.clusters(), para, pt, review=review_columns(ws)
    )


def reapply(ws: Workspace) -> pl.DataFrame | None:
    """Rewrite clusters and flags from stored results (after an override or review change)."""
    clusters = reassemble(ws)
    if clusters is not None:
        write_clusters(ws, clusters)
    return clusters
