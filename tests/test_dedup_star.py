"""No chaining: every member is within the threshold of its keeper; exact is exact."""

from __future__ import annotations

import numpy as np
import polars as pl
from conftest import add_conversations
from dedup_helpers import conv, words

from curator.core import records as R
from curator.core import review
from curator.core.dedup import DedupSettings, cluster_members, cluster_table, dedup_job
from curator.core.dedup.star import star_clusters
from curator.core.jobs import run_job
from curator.core.workspace import Workspace


def run(ws: Workspace, **kw: object) -> object:
    return run_job(dedup_job(ws, DedupSettings(**kw)))  # type: ignore[arg-type]


def by_line(ws: Workspace) -> dict[int, dict[str, object]]:
    return {row[R.LINE]: row for row in ws.frame().iter_rows(named=True)}


def changed(ws: list[str], at: int, n: int, seed: int) -> list[str]:
    import random

    return ws[:at] + words(random.Random(seed), n) + ws[at + n :]


def chain() -> list[list[tuple[str, str]]]:
    """A, B, C, D: each an edit of the one before in a new place; neighbours ~0.87, two apart ~0.76."""
    import random

    rng = random.Random(42)
    user, reply = words(rng, 120), words(rng, 60)
    b = changed(user, 30, 8, seed=1)
    c = changed(b, 90, 8, seed=2)
    d = changed(c, 5, 8, seed=3)
    return [conv(user, reply), conv(b, reply), conv(c, reply), conv(d, reply)]


def test_star_clusters_do_not_chain() -> None:
    # 0-1 and 1-2 similar, 0-2 not: 2 is not pulled into 0's cluster
    own, sim = star_clusters(
        np.array([0, 1, 2]), np.array([0, 1]), np.array([1, 2]), np.array([0.9, 0.9]), 0.8
    )
    assert own.tolist() == [0, 0, 2] and sim.tolist() == [1.0, 0.9, 1.0]
    # when the middle record is the keeper, both ends are its duplicates
    own, _ = star_clusters(
        np.array([1, 0, 2]), np.array([0, 1]), np.array([1, 2]), np.array([0.9, 0.9]), 0.8
    )
    assert own.tolist() == [1, 1, 1]


def test_member_that_matches_only_another_member_is_not_pulled_in(workspace: Workspace) -> None:
    add_conversations(workspace, chain())
    run(workspace, threshold=0.8)
    rows = by_line(workspace)
    # B is a near-duplicate of A and of C: it keeps; D is like C only, so it is not pulled in
    assert rows[1][R.DUPLICATE_OF] == rows[3][R.DUPLICATE_OF] == rows[2][R.ID]
    assert rows[4][R.CLUSTER_ID] is None
    for row in workspace.clusters().drop_nulls(R.DUPLICATE_OF).iter_rows(named=True):
        assert row[R.SIMILARITY] >= 0.8

    # the reviewer keeps A: B joins A; C is not like A, so it keeps its own cluster with D
    review.approve(workspace, [rows[1][R.ID]])
    run(workspace, threshold=0.8)
    rows = by_line(workspace)
    assert rows[2][R.DUPLICATE_OF] == rows[1][R.ID]
    assert rows[3][R.CLUSTER_ID] != rows[1][R.CLUSTER_ID]
    assert rows[4][R.DUPLICATE_OF] == rows[3][R.ID]
    members = cluster_members(workspace, rows[1][R.CLUSTER_ID])
    assert members.get_column(R.SIMILARITY).min() >= 0.8  # type: ignore[operator]
    table = cluster_table(workspace)
    assert table.get_column("min_similarity").min() >= 0.8  # type: ignore[operator]


def test_exact_duplicates_do_not_depend_on_the_near_threshold(workspace: Workspace) -> None:
    a, b, _, _ = chain()
    add_conversations(workspace, [b, a, a])  # line 2 and 3 are exact twins, line 1 near them
    review.approve(workspace, [workspace.records().get_column(R.ID)[0]])  # B keeps
    counts = {}
    for t in (0.8, 0.99):
        summary = run(workspace, threshold=t)
        counts[t] = summary.exact_duplicates  # type: ignore[attr-defined]
        rows = by_line(workspace)
        assert [f["name"] for f in rows[3][R.FLAGS]] == ["exact_duplicate"]
        assert rows[2][R.ID] in rows[3][R.FLAGS][0]["reason"]
    assert counts[0.8] == counts[0.99] == 1
    run(workspace, threshold=0.8)
    rows = by_line(workspace)
    # line 2 is a near-duplicate of the keeper; its twin is an exact duplicate of it
    assert rows[2][R.DUPLICATE_OF] == rows[1][R.ID]
    assert [f["name"] for f in rows[2][R.FLAGS]] == ["near_duplicate"]
    assert f"keeps {rows[1][R.ID]}" in rows[3][R.FLAGS][0]["reason"]
    assert rows[3][R.SIMILARITY] == rows[2][R.SIMILARITY] < 1.0  # similarity to the keeper
    flags = workspace.flags()
    assert flags.filter(pl.col("name") == "exact_duplicate").height == 1
