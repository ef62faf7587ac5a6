"""Exact and near clustering on real workspaces, keeper policy, short texts, what-ifs."""

from __future__ import annotations

import polars as pl
from conftest import add_conversations
from dedup_helpers import conv, family, variant

from curator.core import records as R
from curator.core import review
from curator.core.dedup import (
    DedupSettings,
    cluster_members,
    cluster_table,
    count_at_threshold,
    dedup_job,
    load_settings,
    reject_non_keepers,
)
from curator.core.jobs import run_job
from curator.core.workspace import Workspace


def run(ws: Workspace, **kw: object) -> object:
    return run_job(dedup_job(ws, DedupSettings(**kw)))  # type: ignore[arg-type]


def by_line(ws: Workspace) -> dict[int, dict[str, object]]:
    """Frame rows keyed by line, for readable assertions."""
    f = ws.frame()
    return {row[R.LINE]: row for row in f.iter_rows(named=True)}


def test_exact_duplicates_after_case_space_and_punctuation_folding(workspace: Workspace) -> None:
    u, a = family(1)
    text = " ".join(u)
    add_conversations(
        workspace,
        [
            [("user", text), ("assistant", " ".join(a))],
            [("user", "  " + text.upper() + " !!"), ("assistant", " ".join(a))],
            [("user", " ".join(family(2)[0])), ("assistant", " ".join(a))],  # different question
        ],
    )
    summary = run(workspace)
    rows = by_line(workspace)
    assert rows[2][R.DUPLICATE_OF] == rows[1][R.ID]
    assert rows[1][R.DUPLICATE_OF] is None and rows[1][R.CLUSTER_ID] == rows[2][R.CLUSTER_ID]
    assert rows[3][R.CLUSTER_ID] is None
    flags = rows[2][R.FLAGS]
    assert [f["name"] for f in flags] == ["exact_duplicate"]
    assert flags[0]["severity"] == "block" and rows[1][R.ID] in flags[0]["reason"]
    assert rows[1][R.FLAGS] == []
    assert summary.exact_duplicates == 1 and summary.near_duplicates == 0  # type: ignore[attr-defined]


def test_near_duplicates_cluster_with_similarity_and_reason(workspace: Workspace) -> None:
    u, a = family(3, 60)
    add_conversations(
        workspace,
        [
            conv(u, a),
            conv(variant(u, 2, seed=9), a),  # 4 of ~116 shingles changed: J ≈ 0.9
            conv(variant(u, 30, seed=10), variant(a, 30, seed=11)),  # J far below 0.8
            conv(*family(4, 60)),
        ],
    )
    run(workspace)
    rows = by_line(workspace)
    assert rows[2][R.DUPLICATE_OF] == rows[1][R.ID]
    assert 0.8 <= rows[2][R.SIMILARITY] < 1.0
    flag = rows[2][R.FLAGS][0]
    assert flag["name"] == "near_duplicate"
    assert f"near-duplicate of {rows[1][R.ID]} (Jaccard ≈ " in flag["reason"]
    assert rows[3][R.CLUSTER_ID] is None and rows[4][R.CLUSTER_ID] is None
    table = cluster_table(workspace)
    assert table.height == 1 and table.row(0, named=True)["size"] == 2
    assert table.row(0, named=True)["kind"] == "near"
    members = cluster_members(workspace, rows[1][R.CLUSTER_ID])
    assert members.get_column(R.ID).to_list() == [rows[1][R.ID], rows[2][R.ID]]
    assert members.get_column("is_keeper").to_list() == [True, False]


def test_threshold_and_scope_change_what_is_a_duplicate(workspace: Workspace) -> None:
    u, a = family(5, 60)
    # same question, entirely different answer: duplicates only when comparing user turns
    add_conversations(workspace, [conv(u, a), conv(u, family(6, 60)[1])])
    run(workspace, scope="all")
    assert workspace.clusters().height == 0
    run(workspace, scope="user")
    assert workspace.clusters().height == 2
    assert load_settings(workspace).scope == "user"


def test_short_texts_are_not_near_matched(workspace: Workspace) -> None:
    add_conversations(
        workspace,
        [
            [("user", "hi"), ("assistant", "hello there")],
            [("user", "hi"), ("assistant", "hello you")],
            [("user", ""), ("assistant", "")],
            [("user", ""), ("assistant", "")],
        ],
    )
    summary = run(workspace)
    assert workspace.clusters().height == 0
    assert summary.too_short == 4  # type: ignore[attr-defined]


def test_keeper_policy_status_then_length_then_earliest(workspace: Workspace) -> None:
    u, a = family(7, 60)
    longer = [*a, "and", "one", "more", "helpful", "sentence"]
    add_conversations(workspace, [conv(u, a), conv(u, a), conv(u, longer), conv(u, a)])
    ids = workspace.records().get_column(R.ID).to_list()
    run(workspace, scope="user")
    rows = by_line(workspace)
    assert {rows[i][R.DUPLICATE_OF] for i in (1, 2, 4)} == {ids[2]}  # most informative wins

    review.approve(workspace, [ids[3]])  # approved beats longer
    run(workspace, scope="user")
    assert by_line(workspace)[3][R.DUPLICATE_OF] == ids[3]

    review.reject(workspace, [ids[3]], "bad")  # rejected never keeps
    review.edit_message(workspace, ids[1], 1, " ".join(a) + " edited")  # edited beats pending
    run(workspace, scope="user")
    rows = by_line(workspace)
    assert rows[2][R.DUPLICATE_OF] is None
    assert rows[4][R.DUPLICATE_OF] == ids[1]


def test_earliest_wins_among_equals(workspace: Workspace) -> None:
    u, a = family(8)
    add_conversations(workspace, [conv(u, a)] * 3)
    run(workspace)
    rows = by_line(workspace)
    assert rows[1][R.DUPLICATE_OF] is None
    assert rows[2][R.DUPLICATE_OF] == rows[3][R.DUPLICATE_OF] == rows[1][R.ID]


def test_count_at_threshold_from_stored_pairs(workspace: Workspace) -> None:
    convs = []
    for i, changed in enumerate((2, 10, 22)):  # Jaccard about 0.9, 0.75, 0.55
        u, a = family(20 + i, 60)
        convs += [conv(u, a), conv(variant(u, changed, seed=100 + i), a)]
    add_conversations(workspace, convs)
    run(workspace, threshold=0.5)
    sims = sorted(
        workspace.clusters().drop_nulls(R.DUPLICATE_OF).get_column(R.SIMILARITY).to_list(),
        reverse=True,
    )
    assert len(sims) == 3 and sims[0] > sims[1] > sims[2] >= 0.5
    run(workspace, threshold=0.8)
    flagged = workspace.flags().filter(pl.col("name") == "near_duplicate").height
    assert count_at_threshold(workspace, 0.8) == flagged
    assert count_at_threshold(workspace, (sims[0] + sims[1]) / 2) == 1
    assert count_at_threshold(workspace, (sims[1] + sims[2]) / 2) == 2
    assert count_at_threshold(workspace, sims[2]) == 3
    assert count_at_threshold(workspace, 1.0) == 0
    assert workspace.flags().height == flagged  # a what-if writes nothing


def test_reject_non_keepers(workspace: Workspace) -> None:
    u, a = family(30)
    add_conversations(workspace, [conv(u, a)] * 3)
    run(workspace)
    cid = cluster_table(workspace).item(0, R.CLUSTER_ID)
    assert reject_non_keepers(workspace, cid).changed == 2
    f = workspace.frame()
    assert f.filter(pl.col(R.STATUS) == R.REJECTED).get_column(R.DUPLICATE_OF).null_count() == 0
    keeper = f.filter(pl.col(R.DUPLICATE_OF).is_null()).get_column(R.ID)[0]
    assert set(f.filter(pl.col(R.STATUS) == R.REJECTED).get_column(R.REASON)) == {
        f"duplicate of {keeper}"
    }
