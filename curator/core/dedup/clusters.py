"""From duplicate edges to clusters: components, keepers, stable ids, flags.

Keeper policy, in order: a reviewer's "make keeper" choice (latest wins);
approved or edited over pending, rejected last (it never keeps while another
member is not rejected); the previous run's keeper (so keepers stay put when
later imports join a cluster); most informative (longest assistant text);
earliest (import, line). Cluster ids are kept from the previous run: each old
id goes to the new cluster holding most of its old members; a cluster with no
old id is named after its smallest member id.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from curator.core import records as R
from curator.core.dedup.overrides import BREAK_OUT, KEEPER

EXACT = "exact"
NEAR = "near"
GROUP_PREFIX = "@"  # node names of text groups in the edge graph (record ids are hex)
EDGE_SCHEMA = pl.Schema(
    {"a": pl.String, "b": pl.String, "similarity": pl.Float64, "kind": pl.String}
)


def components(edges: pl.DataFrame) -> pl.DataFrame:
    """Connected components of an id graph: id, comp (only ids that have an edge)."""
    from scipy.sparse import coo_matrix  # type: ignore[import-untyped]  # lazy: heavy import
    from scipy.sparse.csgraph import connected_components  # type: ignore[import-untyped]

    ids = pl.concat([edges.get_column("a"), edges.get_column("b")]).unique().sort()
    if ids.len() == 0:
        return pl.DataFrame(schema={R.ID: pl.String, "comp": pl.Int64})
    index = pl.DataFrame({R.ID: ids}).with_row_index("n")
    e = edges.join(index.rename({R.ID: "a", "n": "ai"}), on="a").join(
        index.rename({R.ID: "b", "n": "bi"}), on="b"
    )
    n = ids.len()
    ai = e.get_column("ai").to_numpy()
    bi = e.get_column("bi").to_numpy()
    graph = coo_matrix((np.ones(len(ai), dtype=np.int8), (ai, bi)), shape=(n, n)).tocsr()
    _, labels = connected_components(graph, directed=False)
    return pl.DataFrame({R.ID: ids, "comp": pl.Series(labels, dtype=pl.Int64)})


def live_edges(edges: pl.DataFrame, threshold: float, overrides: pl.DataFrame) -> pl.DataFrame:
    """Edges that join records at this threshold, without broken-out records.

    The graph has record nodes and text-group nodes (``GROUP_PREFIX``...): a
    record links to the group of records sharing its exact or near-dup text,
    and near pairs link groups. A group with no record left (all broken out)
    bridges nothing.
    """
    broken = overrides.filter(pl.col("action") == BREAK_OUT).get_column("id").implode()
    e = edges.filter(
        ((pl.col("kind") == EXACT) | (pl.col("similarity") >= threshold - 1e-9))
        & ~pl.col("a").is_in(broken)
        & ~pl.col("b").is_in(broken)
    )
    is_group = pl.col("b").str.starts_with(GROUP_PREFIX)
    membership = e.filter(~pl.col("a").str.starts_with(GROUP_PREFIX) & is_group)
    live_groups = membership.get_column("b").unique().implode()
    return e.filter(
        (~pl.col("a").str.starts_with(GROUP_PREFIX) | pl.col("a").is_in(live_groups))
        & (~is_group | pl.col("b").is_in(live_groups))
    )


def _tier() -> pl.Expr:
    return (
        pl.when(pl.col(R.STATUS) == R.REJECTED)
        .then(3)
        .when((pl.col(R.STATUS) == R.APPROVED) | pl.col(R.EDITED))
        .then(0)
        .otherwise(2)
    )


def choose_keepers(
    members: pl.DataFrame, overrides: pl.DataFrame, previous: pl.DataFrame
) -> pl.DataFrame:
    """Per comp: keeper_id. ``members`` holds id, comp, status, edited, assistant_chars, import_id, line."""
    chosen = overrides.filter(pl.col("action") == KEEPER).select(R.ID, pl.col("at").alias("ov_at"))
    prev_keepers = previous.filter(pl.col(R.DUPLICATE_OF).is_null()).select(
        R.ID, pl.lit(True).alias("was_keeper")
    )
    ranked = (
        members.join(chosen, on=R.ID, how="left")
        .join(prev_keepers, on=R.ID, how="left")
        .with_columns(
            pl.col("ov_at").fill_null(float("-inf")),
            pl.col("was_keeper").fill_null(False),
            _tier().alias("tier"),
        )
        .sort(
            ["comp", "ov_at", "tier", "was_keeper", "assistant_chars", R.IMPORT_ID, R.LINE, R.ID],
            descending=[False, True, False, True, True, False, False, False],
        )
    )
    return ranked.group_by("comp", maintain_order=True).agg(pl.col(R.ID).first().alias("keeper_id"))


def assign_cluster_ids(members: pl.DataFrame, previous: pl.DataFrame) -> pl.DataFrame:
    """Per comp: cluster_id, reusing previous ids where their members still are."""
    prev = previous.select(R.ID, pl.col(R.CLUSTER_ID).alias("old"))
    votes = (
        members.select(R.ID, "comp")
        .join(prev, on=R.ID)
        .group_by("comp", "old")
        .len()
        .sort(["len", "old", "comp"], descending=[True, False, False])
    )
    kept = votes.unique("old", keep="first", maintain_order=True).unique(
        "comp", keep="first", maintain_order=True
    )
    fresh = (
        members.group_by("comp")
        .agg(pl.col(R.ID).min().alias("fresh"))
        .join(kept.select("comp", "old"), on="comp", how="left")
    )
    used = kept.get_column("old").implode()
    fresh = fresh.with_columns(
        pl.when(pl.col("old").is_not_null())
        .then(pl.col("old"))
        .when(pl.col("fresh").is_in(used))
        .then(pl.col("fresh") + "~" + pl.col("comp").cast(pl.String))
        .otherwise(pl.col("fresh"))
        .alias(R.CLUSTER_ID)
    )
    return fresh.select("comp", R.CLUSTER_ID)


def assemble(
    nodes: pl.DataFrame,
    edges: pl.DataFrame,
    threshold: float,
    overrides: pl.DataFrame,
    previous: pl.DataFrame,
    sigs: np.ndarray | None,
) -> pl.DataFrame:
    """Cluster rows (CLUSTERS_SCHEMA plus comp) for every record in a cluster of 2 or more.

    ``nodes``: id, status, edited, assistant_chars, import_id, line, exact1/2,
    scope1/2, sig_row (nullable). Similarity to the keeper is 1.0 for exact
    twins or records with the same near-dup text, else the estimated Jaccard
    of the two signatures (null when ``sigs`` is not given).
    """
    comps = components(live_edges(edges, threshold, overrides))
    if comps.height == 0:
        return pl.DataFrame(schema={**R.CLUSTERS_SCHEMA, "comp": pl.Int64})
    members = comps.join(nodes, on=R.ID, how="inner")
    members = members.filter(pl.len().over("comp") >= 2)
    if members.height == 0:
        return pl.DataFrame(schema={**R.CLUSTERS_SCHEMA, "comp": pl.Int64})
    keepers = choose_keepers(members, overrides, previous)
    cids = assign_cluster_ids(members, previous)
    k_cols = ["exact1", "exact2", "scope1", "scope2", "sig_row"]
    kinfo = members.select(
        pl.col(R.ID).alias("keeper_id"), *[pl.col(c).alias(f"k_{c}") for c in k_cols]
    )
    df = members.join(keepers, on="comp").join(cids, on="comp").join(kinfo, on="keeper_id")
    same_exact = (pl.col("exact1") == pl.col("k_exact1")) & (pl.col("exact2") == pl.col("k_exact2"))
    same_scope = (pl.col("scope1") == pl.col("k_scope1")) & (pl.col("scope2") == pl.col("k_scope2"))
    df = df.with_columns(
        same_exact.fill_null(False).alias("is_exact"),
        same_scope.fill_null(False).alias("same_scope"),
    )
    est: pl.Expr | pl.Series = pl.lit(None, pl.Float64)
    if sigs is not None:
        rows = df.select(pl.col("sig_row"), pl.col("k_sig_row"))
        both = rows.select(pl.all_horizontal(pl.all().is_not_null())).to_series().to_numpy()
        vals = np.full(df.height, np.nan)
        if both.any():
            ra = rows.get_column("sig_row").to_numpy()[both].astype(np.int64)
            rb = rows.get_column("k_sig_row").to_numpy()[both].astype(np.int64)
            vals[both] = (sigs[ra] == sigs[rb]).mean(axis=1)
        est = pl.Series(vals).fill_nan(None)
    df = df.with_columns(est.alias("est"))
    is_keeper = pl.col(R.ID) == pl.col("keeper_id")
    df = df.with_columns(
        pl.when(is_keeper | pl.col("is_exact") | pl.col("same_scope"))
        .then(1.0)
        .otherwise(pl.col("est"))
        .alias(R.SIMILARITY),
        pl.when(is_keeper).then(None).otherwise(pl.col("keeper_id")).alias(R.DUPLICATE_OF),
        pl.when(pl.col("is_exact")).then(pl.lit(EXACT)).otherwise(pl.lit(NEAR)).alias("kind"),
    )
    # the keeper row carries the cluster's kind: exact when every member is an exact twin
    all_exact = df.group_by("comp").agg(pl.col("is_exact").all().alias("all_exact"))
    df = df.join(all_exact, on="comp").with_columns(
        pl.when(is_keeper)
        .then(pl.when(pl.col("all_exact")).then(pl.lit(EXACT)).otherwise(pl.lit(NEAR)))
        .otherwise(pl.col("kind"))
        .alias("kind")
    )
    return df.select(*R.CLUSTERS_SCHEMA.names(), "comp").sort(
        R.CLUSTER_ID, R.DUPLICATE_OF, nulls_last=False
    )


def two_decimals(x: pl.Expr) -> pl.Expr:
    """0.9 -> "0.90" for similarities in [0, 1] (vectorised)."""
    v = (x * 100).round().cast(pl.Int64)
    return pl.format("{}.{}", v // 100, (v % 100).cast(pl.String).str.zfill(2))


def flags_for(clusters: pl.DataFrame) -> pl.DataFrame:
    """exact_duplicate / near_duplicate flags (severity block) on every non-keeper."""
    dups = clusters.filter(pl.col(R.DUPLICATE_OF).is_not_null())
    exact = pl.col("kind") == EXACT
    return dups.select(
        R.ID,
        pl.when(exact)
        .then(pl.lit("exact_duplicate"))
        .otherwise(pl.lit("near_duplicate"))
        .alias("name"),
        pl.when(exact)
        .then(
            pl.format(
                "exact duplicate of {} (same text after normalisation)", pl.col(R.DUPLICATE_OF)
            )
        )
        .otherwise(
            pl.format(
                "near-duplicate of {} (Jaccard ≈ {})",
                pl.col(R.DUPLICATE_OF),
                two_decimals(pl.col(R.SIMILARITY)),
            )
        )
        .alias("reason"),
        pl.lit(R.BLOCK).alias("severity"),
    )
