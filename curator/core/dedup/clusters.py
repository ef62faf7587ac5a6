"""From verified pairs to clusters: keeper order, exact twins, star clusters, ids, flags.

Keeper policy, in order: a reviewer's "make keeper" choice (latest wins);
approved or edited over pending, rejected last (it never keeps while another
member is not rejected); the previous run's keeper (so keepers stay put when
later imports join a cluster); the most connected (near-duplicate of the most
other texts, so one star covers them); most informative (longest assistant
text); earliest (import, line). Cluster ids are kept from the previous run: each old
id goes to the new cluster holding most of its old members; a cluster with no
old id is named after its smallest member id.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from curator.core import records as R
from curator.core.dedup.overrides import BREAK_OUT, KEEPER
from curator.core.dedup.star import star_clusters

EXACT = "exact"
NEAR = "near"
PARAPHRASE = "paraphrase"
PAIR_SCHEMA = pl.Schema({"i": pl.Int64, "j": pl.Int64, "similarity": pl.Float64})


def _tier() -> pl.Expr:
    return (
        pl.when(pl.col(R.STATUS) == R.REJECTED)
        .then(3)
        .when((pl.col(R.STATUS) == R.APPROVED) | pl.col(R.EDITED))
        .then(0)
        .otherwise(2)
    )


def keeper_rank(nodes: pl.DataFrame, overrides: pl.DataFrame, previous: pl.DataFrame) -> pl.Series:
    """Each record's place in keeper order (0 = first choice), a total order.

    ``nodes`` holds id, status, edited, assistant_chars, import_id, line and
    optionally degree (near-duplicate neighbours of its text at the threshold).
    """
    chosen = overrides.filter(pl.col("action") == KEEPER).select(R.ID, pl.col("at").alias("ov_at"))
    prev_keepers = previous.filter(pl.col(R.DUPLICATE_OF).is_null()).select(
        R.ID, pl.lit(True).alias("was_keeper")
    )
    ranked = (
        nodes.select(
            R.ID,
            R.STATUS,
            R.EDITED,
            "assistant_chars",
            R.IMPORT_ID,
            R.LINE,
            (pl.col("degree") if "degree" in nodes.columns else pl.lit(0)).alias("degree"),
        )
        .with_row_index("_pos")
        .join(chosen, on=R.ID, how="left")
        .join(prev_keepers, on=R.ID, how="left")
        .with_columns(
            pl.col("ov_at").fill_null(float("-inf")),
            pl.col("was_keeper").fill_null(False),
            _tier().alias("tier"),
        )
        .sort(
            ["ov_at", "tier", "was_keeper", "degree", "assistant_chars", R.IMPORT_ID, R.LINE, R.ID],
            descending=[True, False, True, True, True, False, False, False],
        )
        .with_row_index("rank")
        .sort("_pos")
    )
    return ranked.get_column("rank").cast(pl.Int64)


def assign_cluster_ids(
    members: pl.DataFrame,
    previous: pl.DataFrame,
    numbers: Callable[[pl.Series], pl.Series] | None = None,
) -> pl.DataFrame:
    """Per comp: cluster_id, reusing previous ids where their members still are.

    A fresh cluster whose smallest member id is an id still in use is named
    ``id~comp``; ``numbers`` maps comps to the numbers named there (when the
    comps were numbered over only the clustered records: ``_clustered``)."""
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
    clash = pl.col("old").is_null() & pl.col("fresh").is_in(used)
    fresh = fresh.with_columns(pl.col("comp").alias("number"))
    if numbers is not None and fresh.select(clash.any()).item():
        fresh = fresh.with_columns(
            pl.when(clash)
            .then(numbers(fresh.get_column("comp")))
            .otherwise(pl.col("comp"))
            .alias("number")
        )
    fresh = fresh.with_columns(
        pl.when(pl.col("old").is_not_null())
        .then(pl.col("old"))
        .when(clash)
        .then(pl.col("fresh") + "~" + pl.col("number").cast(pl.String))
        .otherwise(pl.col("fresh"))
        .alias(R.CLUSTER_ID)
    )
    return fresh.select("comp", R.CLUSTER_ID)


def assemble(
    nodes: pl.DataFrame,
    pairs: pl.DataFrame,
    threshold: float,
    overrides: pl.DataFrame,
    previous: pl.DataFrame,
    paraphrases: pl.DataFrame | None = None,
    paraphrase_threshold: float = 1.0,
    review: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Cluster rows (CLUSTERS_SCHEMA plus comp, exact_of) for records in clusters of 2+.

    ``nodes``: id, status, edited, assistant_chars, import_id, line, exact1/2
    (null when not exact-matched), sig_row (the record's near-dup text, null
    when not near-matched). ``pairs``: i, j (sig rows), similarity. ``review``
    (id, status, edited of touched records), when given, is joined onto the
    nodes that can cluster (``with_review``) instead of the nodes holding it.

    Three layers, each a record's relation to one chosen record:
    exact twins (same normalised conversation) are ``exact_duplicate`` of the
    first in keeper order, whatever the near threshold; records with the same
    near-dup text are one node; nodes are star-clustered (``star.py``) so each
    member is within ``threshold`` of its keeper. ``similarity`` is always the
    similarity to the cluster's keeper; ``duplicate_of`` is the keeper.
    ``paraphrases`` (a, b record ids, similarity), when given, then attach
    records that are in no cluster (``attach_paraphrases``).
    """
    empty = pl.DataFrame(schema={**R.CLUSTERS_SCHEMA, "comp": pl.Int64, "exact_of": pl.String})
    broken = overrides.filter(pl.col("action") == BREAK_OUT).get_column("id")
    df = nodes.filter(~pl.col(R.ID).is_in(broken.implode())) if broken.len() else nodes
    if df.height < 2:
        return empty
    # without paraphrases only records with a twin, a shared text or a near pair can be
    # in a cluster of 2+: the rest are left out here and counted back in ``numbers``
    rest: Callable[[], pl.DataFrame] | None = None
    if paraphrases is None or paraphrases.height == 0:
        df, rest = _clustered(df, pairs, threshold)
        if df.height < 2:
            return empty
    if review is not None:
        df = with_review(df, review)
    # the text with the most near-duplicates keeps first (after reviewer choices and
    # status): one star then covers them all instead of leaving some on their own
    df = (
        df.with_columns(pl.col("sig_row").cast(pl.Int64))
        .join(_degrees(pairs, threshold), on="sig_row", how="left")
        .with_columns(pl.col("degree").fill_null(0))
    )
    df = df.with_columns(keeper_rank(df, overrides, previous).alias("rank")).sort("rank")
    has_exact = pl.col("exact1").is_not_null()
    exact_rep = pl.when(has_exact).then(pl.col(R.ID).first().over("exact1", "exact2"))
    df = df.with_columns(exact_rep.otherwise(pl.col(R.ID)).alias("exact_rep"))
    df = df.with_columns((pl.col("exact_rep") != pl.col(R.ID)).alias("is_twin"))

    # near layer: one node per near-dup text, ranked by its best record
    heads = df.filter(~pl.col("is_twin") & pl.col("sig_row").is_not_null())
    groups = heads.group_by("sig_row", maintain_order=True).agg(
        pl.col(R.ID).first().alias("head"), pl.col("rank").first().alias("grank")
    )
    g_rows = groups.get_column("sig_row").to_numpy()
    centre_row, centre_sim = _near_centres(groups, pairs, threshold)
    centres = pl.DataFrame(
        {
            "sig_row": pl.Series(g_rows, dtype=pl.Int64),
            "centre_row": pl.Series(centre_row, dtype=pl.Int64),
            "sim": centre_sim,
        }
    ).join(
        groups.select(pl.col("sig_row").alias("centre_row"), pl.col("head").alias("near_keeper")),
        on="centre_row",
    )
    df = df.join(centres, on="sig_row", how="left")
    near = pl.col("near_keeper").is_not_null()
    x_comp = pl.col("exact_rep").rank("dense").cast(pl.Int64) + int(g_rows.max(initial=0)) + 1
    numbers = None if rest is None else _numbers(df, rest, int(g_rows.max(initial=0)))
    df = df.with_columns(
        pl.when(near).then(pl.col("near_keeper")).otherwise(pl.col("exact_rep")).alias("keeper_id"),
        pl.when(near).then(pl.col("centre_row")).otherwise(x_comp).alias("comp"),
        pl.when(near).then(pl.col("sim")).otherwise(1.0).alias(R.SIMILARITY),
        pl.lit(False).alias("para"),
    )
    if paraphrases is not None and paraphrases.height:
        df = attach_paraphrases(df, paraphrases, paraphrase_threshold)
    df = df.filter(pl.len().over("comp") >= 2)
    if df.height == 0:
        return empty
    cids = assign_cluster_ids(df.select(R.ID, "comp"), previous, numbers)
    is_keeper = pl.col(R.ID) == pl.col("keeper_id")
    df = df.join(cids, on="comp").with_columns(
        pl.when(is_keeper).then(None).otherwise(pl.col("keeper_id")).alias(R.DUPLICATE_OF),
        pl.when(is_keeper).then(1.0).otherwise(pl.col(R.SIMILARITY)).alias(R.SIMILARITY),
        pl.when(pl.col("is_twin")).then(pl.col("exact_rep")).alias("exact_of"),
    )
    # a member's kind: exact twin, paraphrase or near; the keeper row carries the cluster's
    all_exact = (pl.col("is_twin") | is_keeper).all().over("comp")
    all_para = (pl.col("para") | is_keeper).all().over("comp")
    df = df.with_columns(
        pl.when(pl.col("is_twin") | (is_keeper & all_exact))
        .then(pl.lit(EXACT))
        .when(pl.col("para") | (is_keeper & all_para))
        .then(pl.lit(PARAPHRASE))
        .otherwise(pl.lit(NEAR))
        .alias("kind")
    )
    # a total order (the keeper first, then its members by id): Polars' sort is not
    # stable, so ties on (cluster, keeper) came out in any order, and a re-run with the
    # same answers wrote different bytes
    return df.select(*R.CLUSTERS_SCHEMA.names(), "comp", "exact_of").sort(
        R.CLUSTER_ID, R.DUPLICATE_OF, R.ID, nulls_last=False
    )


def with_review(nodes: pl.DataFrame, review: pl.DataFrame) -> pl.DataFrame:
    """nodes with status and edited (pending and unedited where ``review`` has no row)."""
    return nodes.join(review, on=R.ID, how="left").with_columns(
        pl.col(R.STATUS).fill_null(R.PENDING), pl.col(R.EDITED).fill_null(False)
    )


def _clustered(
    df: pl.DataFrame, pairs: pl.DataFrame, threshold: float
) -> tuple[pl.DataFrame, Callable[[], pl.DataFrame]]:
    """(records that can be in a cluster of 2+, the others' id and sig_row when asked).

    Without paraphrases a record clusters only with an exact twin, a record of
    the same near-dup text or through a near pair at the threshold; the others
    each end alone. Keeper order is a total order, so ranking only the first
    gives them the same order among themselves and the same clusters."""
    linked = _degrees(pairs, threshold).get_column("sig_row").implode()
    # exact1 alone (a few more records than twins, none missed) spares a two-key window
    exact = pl.col("exact1").is_not_null() & pl.col("exact1").is_duplicated()
    row = pl.col("sig_row")
    near = row.is_not_null() & (row.is_duplicated() | row.cast(pl.Int64).is_in(linked))
    mask = df.select((exact | near).alias("m")).to_series()
    return df.filter(mask), lambda: df.filter(~mask).select(R.ID, pl.col("sig_row").cast(pl.Int64))


def _numbers(
    df: pl.DataFrame, left_out: Callable[[], pl.DataFrame], g_max: int
) -> Callable[[pl.Series], pl.Series]:
    """comp -> the number it has when every record is ranked (``assemble`` without
    ``_clustered``): a near-dup text's comp is its sig_row; an exact-only comp is the
    dense rank of its exact_rep among all records' after the highest head sig_row.
    Only called for the rare fresh cluster named ``id~number``."""
    local = pl.col("exact_rep").rank("dense").cast(pl.Int64) + g_max + 1
    reps = df.select(local.alias("comp"), "exact_rep").unique("comp")

    def numbers(comps: pl.Series) -> pl.Series:
        rest = left_out()
        rest_max = rest.get_column("sig_row").max()
        top = max(g_max, 0 if rest_max is None else int(rest_max))  # type: ignore[arg-type]
        # every record that is no twin is its own exact_rep: the distinct exact_reps
        ids = pl.concat(
            [rest.get_column(R.ID), df.filter(~pl.col("is_twin")).get_column(R.ID)]
        ).sort()
        looked = pl.DataFrame({"comp": comps}).join(reps, on="comp", how="left")
        rank = ids.search_sorted(looked.get_column("exact_rep").fill_null(""), side="right")
        return (
            looked.with_columns(rank.cast(pl.Int64).alias("rank"))
            .select(
                pl.when(pl.col("comp") > g_max)
                .then(pl.col("rank") + top + 1)
                .otherwise(pl.col("comp"))
            )
            .to_series()
        )

    return numbers


def attach_paraphrases(df: pl.DataFrame, pairs: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """Records in no cluster join a keeper, or a star of their own, through paraphrase pairs.

    ``df``: one row per live record (id, rank, comp, keeper_id, similarity,
    para). A cluster's members never move and two clusters never merge: a
    free record joins the best-ranked keeper it paraphrases, else free records
    are star-clustered among themselves; ``similarity`` is the prompt cosine.
    """
    df = df.with_columns(pl.len().over("comp").alias("_size"))
    free = df.filter(pl.col("_size") == 1).select(R.ID, "rank")
    keepers = df.filter((pl.col("_size") >= 2) & (pl.col(R.ID) == pl.col("keeper_id")))
    p = pairs.filter(pl.col("similarity") >= threshold - 1e-9).select("a", "b", "similarity")
    both = pl.concat([p, p.select(pl.col("b").alias("a"), pl.col("a").alias("b"), "similarity")])
    joined = (
        both.join(free.rename({R.ID: "a"}), on="a")
        .join(keepers.select(pl.col(R.ID).alias("b"), pl.col("rank").alias("kr"), "comp"), on="b")
        .sort("a", "kr")
        .unique("a", keep="first")
        .select(
            pl.col("a").alias(R.ID),
            pl.col("b").alias("p_keeper"),
            "comp",
            pl.col("similarity").alias("p_sim"),
        )
    )
    rest = free.join(joined.select(R.ID), on=R.ID, how="anti").sort("rank").with_row_index("k")
    e = (
        both.filter(pl.col("a") < pl.col("b"))
        .join(rest.select(pl.col(R.ID).alias("a"), pl.col("k").alias("ka")), on="a")
        .join(rest.select(pl.col(R.ID).alias("b"), pl.col("k").alias("kb")), on="b")
    )
    own, sim = star_clusters(
        rest.get_column("rank").to_numpy(),
        e.get_column("ka").to_numpy().astype(np.int64),
        e.get_column("kb").to_numpy().astype(np.int64),
        e.get_column("similarity").to_numpy(),
        threshold,
    )
    ids = rest.get_column(R.ID)
    base = int(df.get_column("comp").max() or 0) + 1  # type: ignore[arg-type]
    stars = pl.DataFrame(
        {
            R.ID: ids,
            "p_keeper": ids.gather(own),
            "comp": pl.Series(base + own, dtype=pl.Int64),
            "p_sim": sim,
        }
    ).filter(pl.len().over("comp") >= 2)
    attached = pl.concat([joined.cast({"comp": pl.Int64}), stars]).with_columns(
        (pl.col(R.ID) != pl.col("p_keeper")).alias("p_para")
    )
    return (
        df.join(attached, on=R.ID, how="left")
        .with_columns(
            pl.coalesce("comp_right", "comp").alias("comp"),
            pl.coalesce("p_keeper", "keeper_id").alias("keeper_id"),
            pl.when(pl.col("p_para"))
            .then(pl.col("p_sim"))
            .otherwise(pl.col(R.SIMILARITY))
            .alias(R.SIMILARITY),
            pl.col("p_para").fill_null(False).alias("para"),
        )
        .drop("comp_right", "p_keeper", "p_sim", "p_para", "_size")
    )


def _degrees(pairs: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """sig_row, degree: how many other texts each text is a near-duplicate of at the threshold."""
    p = pairs.filter(pl.col("similarity") >= threshold - 1e-9)
    ends = pl.concat(
        [p.select(pl.col("i").alias("sig_row")), p.select(pl.col("j").alias("sig_row"))]
    )
    return ends.group_by("sig_row").len("degree").cast({"sig_row": pl.Int64, "degree": pl.Int64})


def _near_centres(
    groups: pl.DataFrame, pairs: pl.DataFrame, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per near-dup text (``groups`` row): the sig_row of its star centre and similarity to it."""
    g_rows = groups.get_column("sig_row").to_numpy().astype(np.int64)
    index = pl.DataFrame({"row": g_rows}).with_row_index("k")
    p = (
        pairs.filter(pl.col("similarity") >= threshold - 1e-9)
        .join(index.rename({"row": "i", "k": "ki"}), on="i")
        .join(index.rename({"row": "j", "k": "kj"}), on="j")
    )
    own, sim = star_clusters(
        groups.get_column("grank").to_numpy(),
        p.get_column("ki").to_numpy().astype(np.int64),
        p.get_column("kj").to_numpy().astype(np.int64),
        p.get_column("similarity").to_numpy(),
        threshold,
    )
    return g_rows[own], sim


def two_decimals(x: pl.Expr) -> pl.Expr:
    """0.9 -> "0.90" for similarities in [0, 1] (vectorised)."""
    v = (x * 100).round().cast(pl.Int64)
    return pl.format("{}.{}", v // 100, (v % 100).cast(pl.String).str.zfill(2))


def flags_for(clusters: pl.DataFrame) -> pl.DataFrame:
    """exact_duplicate / near_duplicate flags (severity block) on every non-keeper.

    An exact twin names the record it copies (and the keeper when that is
    another record); a near-duplicate names its keeper and its similarity to it.
    """
    dups = clusters.filter(pl.col(R.DUPLICATE_OF).is_not_null())
    twin = pl.col("exact_of") if "exact_of" in dups.columns else pl.col(R.DUPLICATE_OF)
    twin = pl.coalesce(twin, pl.col(R.DUPLICATE_OF))
    exact = pl.col("kind") == EXACT
    para = pl.col("kind") == PARAPHRASE
    exact_reason = pl.format("exact duplicate of {} (same text after normalisation)", twin)
    kept = pl.format("; the cluster keeps {}", pl.col(R.DUPLICATE_OF))
    return dups.select(
        R.ID,
        pl.when(exact)
        .then(pl.lit("exact_duplicate"))
        .when(para)
        .then(pl.lit("near_duplicate.paraphrase"))
        .otherwise(pl.lit("near_duplicate"))
        .alias("name"),
        pl.when(exact & (twin != pl.col(R.DUPLICATE_OF)))
        .then(pl.concat_str(exact_reason, kept))
        .when(exact)
        .then(exact_reason)
        .when(para)
        .then(
            pl.format(
                "paraphrase of {}: the same reply to a reworded prompt (prompt TF-IDF cosine ≈ {})",
                pl.col(R.DUPLICATE_OF),
                two_decimals(pl.col(R.SIMILARITY)),
            )
        )
        .otherwise(
            pl.format(
                "near-duplicate of {} (Jaccard ≈ {} to the keeper)",
                pl.col(R.DUPLICATE_OF),
                two_decimals(pl.col(R.SIMILARITY)),
            )
        )
        .alias("reason"),
        pl.lit(R.BLOCK).alias("severity"),
    )
