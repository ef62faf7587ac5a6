"""assemble ranks only the records that can cluster: the clusters are those of ranking all."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from curator.core import records as R
from curator.core.dedup import clusters as C


def _nodes(rng: np.random.Generator, n: int) -> pl.DataFrame:
    texts = rng.integers(0, n // 2, n)  # some records share a near-dup text
    near_ok = (rng.random(n // 2) < 0.7)[texts]  # a text is near-matched or not
    exact = texts * 2 + rng.integers(0, 2, n)  # twins share their text
    return pl.DataFrame(
        {
            R.ID: [f"r{k:04d}" for k in rng.permutation(n)],
            "exact1": pl.Series(np.where(rng.random(n) < 0.9, exact, -1), dtype=pl.Int64),
            "exact2": pl.Series(np.zeros(n, dtype=np.int64)),
            "sig_row": pl.Series(np.where(near_ok, texts, -1), dtype=pl.Int64),
            "assistant_chars": rng.integers(0, 5, n),
            R.IMPORT_ID: rng.integers(1, 3, n),
            R.LINE: np.arange(n),
            R.STATUS: rng.choice([R.PENDING, R.APPROVED, R.REJECTED], n),
            R.EDITED: rng.random(n) < 0.1,
        }
    ).with_columns(
        pl.col("exact1", "exact2").replace(-1, None).cast(pl.UInt64),
        pl.col("sig_row").replace(-1, None),
    )


def _pairs(rng: np.random.Generator, n: int, m: int) -> pl.DataFrame:
    i, j = rng.integers(0, n, m), rng.integers(0, n, m)
    keep = i < j
    sim = rng.uniform(0.5, 1.0, m)
    return pl.DataFrame({"i": i[keep], "j": j[keep], "similarity": sim[keep]}, schema=C.PAIR_SCHEMA)


def _every_record(df: pl.DataFrame, *_: object) -> tuple[pl.DataFrame, object]:
    """The old path: nothing left out."""
    return df, lambda: df.head(0).select(R.ID, pl.col("sig_row").cast(pl.Int64))


@pytest.mark.parametrize("seed", range(6))
def test_clusters_are_those_of_ranking_every_record(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(seed)
    n = 400
    nodes, pairs = _nodes(rng, n), _pairs(rng, n, 300)
    none = pl.DataFrame(schema={"id": pl.String, "action": pl.String, "at": pl.Float64})
    ids = nodes.get_column(R.ID)
    ov = pl.DataFrame(
        {
            "id": ids.sample(8, seed=seed),
            "action": ["keeper"] * 4 + ["break_out"] * 4,
            "at": [float(k) for k in range(8)],
        }
    )
    # previous clusters: those of denser pairs, and old ids that are other records' ids (a
    # fresh cluster whose smallest member id is an old id still in use is named id~number)
    no_previous = pl.DataFrame(schema=R.CLUSTERS_SCHEMA)
    first = C.assemble(nodes, pl.concat([pairs, _pairs(rng, n, 300)]), 0.8, none, no_previous)
    moved = pl.DataFrame(
        {R.ID: ids.sample(60, seed=seed), R.CLUSTER_ID: ids.sample(60, seed=seed + 1)}
    ).with_columns(
        pl.lit(None, dtype=pl.String).alias(R.DUPLICATE_OF),
        pl.lit(1.0).alias(R.SIMILARITY),
        pl.lit("exact").alias("kind"),
    )
    previous = pl.concat([moved, first.select(list(R.CLUSTERS_SCHEMA.names()))]).unique(
        R.ID, keep="first", maintain_order=True
    )
    got = [C.assemble(nodes, pairs, t, o, previous) for t in (0.7, 0.9) for o in (none, ov)]
    with monkeypatch.context() as m:
        m.setattr(C, "_clustered", _every_record)
        want = [C.assemble(nodes, pairs, t, o, previous) for t in (0.7, 0.9) for o in (none, ov)]
    for g, w in zip(got, want, strict=True):
        assert g.height > 0
        assert g.drop("comp").equals(w.drop("comp"))


def test_a_fresh_cluster_named_after_an_id_in_use_counts_every_record() -> None:
    """a1~8: a1's exact_rep is the 2nd of every record's (a0, a1, b1, c0) after sig_row 5."""
    ids = ["a0", "a1", "a2", "b1", "b2", "c0"]
    nodes = pl.DataFrame(
        {
            R.ID: ids,
            "exact1": pl.Series([None, 1, 1, 2, 2, None], dtype=pl.UInt64),
            "exact2": pl.Series([None, 0, 0, 0, 0, None], dtype=pl.UInt64),
            "sig_row": pl.Series([None, None, None, None, None, 5], dtype=pl.Int64),
            "assistant_chars": [0] * 6,
            R.IMPORT_ID: [1] * 6,
            R.LINE: list(range(6)),
            R.STATUS: [R.PENDING] * 6,
            R.EDITED: [False] * 6,
        }
    )
    previous = pl.DataFrame(
        {
            R.ID: ["b1", "b2"],
            R.CLUSTER_ID: ["a1", "a1"],
            R.DUPLICATE_OF: [None, "b1"],
            R.SIMILARITY: [1.0, 1.0],
            "kind": ["exact", "exact"],
        }
    )
    none = pl.DataFrame(schema={"id": pl.String, "action": pl.String, "at": pl.Float64})
    got = C.assemble(nodes, pl.DataFrame(schema=C.PAIR_SCHEMA), 0.8, none, previous)
    assert dict(got.select(R.ID, R.CLUSTER_ID).iter_rows()) == {
        "a1": "a1~8",
        "a2": "a1~8",
        "b1": "a1",
        "b2": "a1",
    }


def test_the_cluster_table_is_in_one_order_whatever_the_input_order() -> None:
    """Keeper first, then members by id: the same answers are the same bytes on a re-run
    (where the previous clusters change the ranking, not the result)."""
    rng = np.random.default_rng(7)
    n = 40_000
    nodes, pairs = _nodes(rng, n), _pairs(rng, n, 30_000)
    none = pl.DataFrame(schema={"id": pl.String, "action": pl.String, "at": pl.Float64})
    first = C.assemble(nodes, pairs, 0.7, none, pl.DataFrame(schema=R.CLUSTERS_SCHEMA))
    again = C.assemble(
        nodes.sample(fraction=1.0, shuffle=True, seed=1), pairs, 0.7, none,
        first.select(list(R.CLUSTERS_SCHEMA.names())),
    )
    assert first.height > 1000
    assert first.drop("comp").equals(again.drop("comp"))
    by_id = first.sort(R.CLUSTER_ID, R.DUPLICATE_OF, R.ID, nulls_last=False, maintain_order=True)
    assert first.equals(by_id)
