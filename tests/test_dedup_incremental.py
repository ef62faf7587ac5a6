"""Reviewer choices survive re-runs; later imports keep ids and keepers; cancel writes nothing."""

from __future__ import annotations

import polars as pl
import pytest
from conftest import add_conversations
from dedup_helpers import conv, family, variant

from curator.core import records as R
from curator.core import review
from curator.core.dedup import (
    DedupSettings,
    break_out,
    dedup_job,
    make_keeper,
    undo_override,
)
from curator.core.jobs import CancelToken, JobCancelled, run_job
from curator.core.workspace import Workspace, WorkspaceError


def run(ws: Workspace, **kw: object):  # type: ignore[no-untyped-def]
    return run_job(dedup_job(ws, DedupSettings(**kw)))  # type: ignore[arg-type]


def keeper_of(ws: Workspace, rid: str) -> str | None:
    row = ws.clusters().filter(pl.col(R.ID) == rid)
    if row.height == 0:
        return None
    dup = row.item(0, R.DUPLICATE_OF)
    return rid if dup is None else dup


def three_copies(ws: Workspace) -> list[str]:
    u, a = family(40)
    add_conversations(
        ws, [conv(u, a), conv(u, a), conv(variant(u, 2, seed=1), a), conv(*family(41))]
    )
    return ws.records().get_column(R.ID).to_list()


def test_make_keeper_applies_now_and_survives_reruns(workspace: Workspace) -> None:
    ids = three_copies(workspace)
    run(workspace)
    assert keeper_of(workspace, ids[1]) == ids[0]
    make_keeper(workspace, ids[2])
    # applied immediately: clusters and flags rewritten, no re-run
    assert keeper_of(workspace, ids[0]) == ids[2]
    flagged = set(workspace.flags().get_column(R.ID))
    assert flagged == {ids[0], ids[1]}
    assert workspace.frame().filter(pl.col(R.ID) == ids[0]).item(0, R.DUPLICATE_OF) == ids[2]
    run(workspace)
    assert keeper_of(workspace, ids[1]) == ids[2]
    undo_override(workspace, ids[2])
    assert keeper_of(workspace, ids[1]) in (ids[0], ids[2])
    # with the choice gone, the previous keeper stays (stability), policy would not move it
    run(workspace)
    assert keeper_of(workspace, ids[1]) == keeper_of(workspace, ids[0])


def test_break_out_survives_reruns_and_can_be_undone(workspace: Workspace) -> None:
    ids = three_copies(workspace)
    run(workspace)
    break_out(workspace, ids[2])
    assert keeper_of(workspace, ids[2]) is None
    assert ids[2] not in set(workspace.flags().get_column(R.ID))
    run(workspace)
    assert keeper_of(workspace, ids[2]) is None
    assert keeper_of(workspace, ids[1]) == ids[0]
    # breaking out the keeper leaves the others clustered under a new keeper
    break_out(workspace, ids[0])
    assert keeper_of(workspace, ids[0]) is None and keeper_of(workspace, ids[1]) is None
    undo_override(workspace, ids[2])
    assert keeper_of(workspace, ids[2]) == keeper_of(workspace, ids[1]) == ids[1]
    with pytest.raises(WorkspaceError):
        undo_override(workspace, ids[3])


def test_override_needs_a_run_and_a_known_record(workspace: Workspace) -> None:
    ids = three_copies(workspace)
    with pytest.raises(WorkspaceError, match="Run dedup first"):
        make_keeper(workspace, ids[0])
    run(workspace)
    with pytest.raises(WorkspaceError, match="No record"):
        break_out(workspace, "nope")


def test_later_import_joins_existing_cluster_without_moving_ids_or_keepers(
    workspace: Workspace,
) -> None:
    u, a = family(50)
    u2, a2 = family(51)
    add_conversations(workspace, [conv(u, a), conv(u, a), conv(u2, a2)], source="first.jsonl")
    first = run(workspace)
    ids = workspace.records().get_column(R.ID).to_list()
    review.approve(workspace, [ids[2]])  # approved records are matched too
    before = workspace.clusters()
    cid = before.item(0, R.CLUSTER_ID)

    longer = [*a, "with", "a", "much", "longer", "and", "more", "informative", "answer"]
    add_conversations(
        workspace, [conv(u, longer), conv(u2, a2), conv(*family(52))], source="second.jsonl"
    )
    second = run(workspace)
    new_ids = workspace.records().get_column(R.ID).to_list()[3:]
    after = workspace.clusters()
    # the first cluster keeps its id and its keeper although a longer copy arrived
    assert set(after.filter(pl.col(R.CLUSTER_ID) == cid).get_column(R.ID)) == {
        ids[0],
        ids[1],
        new_ids[0],
    }
    assert keeper_of(workspace, new_ids[0]) == ids[0]
    # the new copy of an approved record is its duplicate
    assert keeper_of(workspace, new_ids[1]) == ids[2]
    # only the new texts were hashed
    assert first.signatures_computed == 2
    assert second.signatures_computed == 2 and second.signatures_cached == 2


def test_editing_a_record_rehashes_it(workspace: Workspace) -> None:
    u, a = family(60)
    add_conversations(workspace, [conv(u, a), conv(u, a)])
    run(workspace)
    ids = workspace.records().get_column(R.ID).to_list()
    review.edit_message(workspace, ids[1], 0, " ".join(family(61)[0]))
    s = run(workspace)
    assert s.signatures_computed == 1
    assert workspace.clusters().height == 0


@pytest.mark.parametrize("step", ["signatures", "clustering"])
def test_cancelled_run_writes_nothing(workspace: Workspace, step: str) -> None:
    three_copies(workspace)
    token = CancelToken()

    def cancel_at(p: object) -> None:
        if getattr(p, "step", "") == step:
            token.cancel()

    with pytest.raises(JobCancelled):
        run_job(dedup_job(workspace, DedupSettings()), cancel_at, token)
    assert workspace.clusters().height == 0
    assert workspace.flags().height == 0
    assert workspace.read_result("dedup_signatures") is None
    # the signature cache staged before clustering went with its staging folder
    assert list((workspace.path / "results").iterdir()) == []
