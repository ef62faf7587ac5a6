"""Token totals reuse the length filter's scores only where they are still right."""

from __future__ import annotations

import polars as pl
from test_export_support import add_records, export, qa

from curator.core import review
from curator.core.tokens import message_token_table


def _scores(ws):
    r = ws.records()
    return message_token_table(r.get_column("messages"), r.get_column("id"))


def test_stale_or_foreign_scores_never_change_the_manifest(workspace, tmp_path):
    ids = add_records(workspace, [qa(i) for i in range(30)])
    review.approve(workspace, ids)
    exact = export(workspace, tmp_path / "a")["tokens"]["train"]

    # Scores written before an edit: the edited record must be recounted.
    workspace.write_result("scores_length", _scores(workspace))
    review.edit_message(workspace, ids[0], 1, "A much longer edited answer, with many more words than before it.")
    edited = export(workspace, tmp_path / "b")["tokens"]["train"]
    assert edited["tokens"] > exact["tokens"]
    workspace.delete_result("scores_length")
    assert export(workspace, tmp_path / "c")["tokens"]["train"] == edited

    # Scores from some other counter (off by one everywhere) are detected and ignored.
    workspace.write_result("scores_length", _scores(workspace).with_columns(pl.col("tokens") + 1))
    assert export(workspace, tmp_path / "d")["tokens"]["train"] == edited
