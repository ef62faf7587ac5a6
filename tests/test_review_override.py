"""Approving a record that has a blocking flag is an explicit override: journalled,
exported, listed in the manifest and the report. An approval made before the flag
appeared overrides nothing."""

from __future__ import annotations

from conftest import add_conversations
from readiness_helpers import flags
from test_export_support import export, read_jsonl

from curator.core import records as R
from curator.core import review
from curator.core.readiness import build_report
from curator.core.selection import exportable
from curator.core.workspace import Workspace


def _ws(workspace: Workspace) -> list[str]:
    df = add_conversations(
        workspace,
        [
            [
                ("user", f"Question {i} about my order?"),
                ("assistant", f"Answer {i}: it ships on Monday."),
            ]
            for i in range(12)
        ],
    )
    ids = df.get_column(R.ID).to_list()
    flags(workspace, [(ids[0], "repetition.truncated", "block")])
    return ids


def _exported(ws: Workspace) -> set[str]:
    return set(ws.frame().filter(exportable("approved")).get_column(R.ID).to_list())


def test_approving_past_a_blocking_flag_is_journalled_and_exported(
    workspace: Workspace, tmp_path
) -> None:
    ids = _ws(workspace)
    review.approve(workspace, ids[1:])  # bulk, none blocked
    review.approve(workspace, [ids[0]], reviewer="alice")
    h = review.history(workspace, ids[0])[-1]
    assert (h["action"], h["reviewer"], h["overrode"]) == (
        "approve",
        "alice",
        "repetition.truncated",
    )
    assert ids[0] in _exported(workspace)
    frame_flags = workspace.frame().filter(workspace.frame()[R.ID] == ids[0]).get_column(R.FLAGS)[0]
    assert [f["severity"] for f in frame_flags] == [R.OVERRIDDEN]
    manifest = export(workspace, tmp_path / "out")
    assert manifest["selection"]["overrides"] == {
        "records": 1,
        "by_flag": {"repetition.truncated": 1},
        "ids": [ids[0]],
    }
    assert len(read_jsonl(tmp_path / "out" / "train.jsonl")) == 12
    r = build_report(workspace)
    assert r.overrides["records"] == 1
    assert (
        "1 record was approved despite a blocking flag (repetition.truncated: 1): exported as overrides."
        in r.population
    )


def test_an_approval_before_the_flag_overrides_nothing(workspace: Workspace) -> None:
    df = add_conversations(workspace, [[("user", "Where is it?"), ("assistant", "On its way.")]])
    rid = df.get_column(R.ID)[0]
    review.approve(workspace, [rid])
    flags(workspace, [(rid, "secret.aws_key", "block")])  # a later run finds a key
    assert rid not in _exported(workspace)
    assert review.history(workspace, rid)[-1]["overrode"] is None


def test_reset_or_undo_ends_the_override(workspace: Workspace) -> None:
    ids = _ws(workspace)
    review.approve(workspace, [ids[0]])
    assert ids[0] in _exported(workspace)
    review.undo(workspace)
    assert ids[0] not in _exported(workspace)
    review.redo(workspace)
    assert ids[0] in _exported(workspace)
    review.reset(workspace, [ids[0]])
    review.approve(workspace, ids[:3])  # bulk approval past the flag is an override too, journalled
    assert review.history(workspace, ids[0])[-1]["overrode"] == "repetition.truncated"
    assert ids[0] in _exported(workspace)
