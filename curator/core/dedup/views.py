"""Read-only views of dedup results for the GUI's duplicate panel and the CLI."""

from __future__ import annotations

import polars as pl

from curator.core import records as R
from curator.core.workspace import Workspace

CLUSTER_TABLE_SCHEMA = pl.Schema(
    {
        R.CLUSTER_ID: pl.String,
        "size": pl.UInt32,
        "keeper_id": pl.String,
        "kind": pl.String,
        "min_similarity": pl.Float64,
        "max_similarity": pl.Float64,
    }
)


def cluster_table(ws: Workspace) -> pl.DataFrame:
    """One row per cluster: id, size, keeper, kind, similarity range of its duplicates
    (to the keeper; near and exact members, or the paraphrases when it has no other)."""
    cl = ws.clusters()
    if cl.height == 0:
        return pl.DataFrame(schema=CLUSTER_TABLE_SCHEMA)
    dup = pl.col(R.DUPLICATE_OF).is_not_null()
    # the range over MinHash members (Jaccard to the keeper); a cluster of paraphrases
    # only shows its prompt cosines, under kind "paraphrase"
    minhash = dup & (pl.col("kind") != "paraphrase")
    ranged = pl.when(minhash.any()).then(minhash).otherwise(dup)
    out = cl.group_by(R.CLUSTER_ID).agg(
        pl.len().cast(pl.UInt32).alias("size"),
        pl.col(R.ID).filter(~dup).first().alias("keeper_id"),
        pl.col("kind").filter(~dup).first().alias("kind"),
        pl.col(R.SIMILARITY).filter(ranged).min().alias("min_similarity"),
        pl.col(R.SIMILARITY).filter(ranged).max().alias("max_similarity"),
    )
    return (
        out.sort(["size", R.CLUSTER_ID], descending=[True, False])
        .select(list(CLUSTER_TABLE_SCHEMA.names()))
        .cast(CLUSTER_TABLE_SCHEMA)
    )


def cluster_members(ws: Workspace, cluster_id: str) -> pl.DataFrame:
    """Members of one cluster, keeper first: id, is_keeper, duplicate_of, similarity,
    kind, status, source, locator."""
    cl = ws.clusters().filter(pl.col(R.CLUSTER_ID) == cluster_id)
    recs = ws.records().select(R.ID, R.SOURCE, R.LOCATOR)
    state = ws.state().select(R.ID, R.STATUS)
    df = (
        cl.join(recs, on=R.ID, how="left")
        .join(state, on=R.ID, how="left")
        .with_columns(
            pl.col(R.DUPLICATE_OF).is_null().alias("is_keeper"),
            pl.col(R.STATUS).fill_null(R.PENDING),
        )
    )
    return df.sort(["is_keeper", R.SIMILARITY, R.ID], descending=[True, True, False]).select(
        R.ID, "is_keeper", R.DUPLICATE_OF, R.SIMILARITY, "kind", R.STATUS, R.SOURCE, R.LOCATOR
    )
