"""Two phases: thresholds re-flag from stored scores; scores are cached by message hash."""

from __future__ import annotations

import polars as pl
import pytest
from filters_util import filtered_ws

from curator.core import records as R
from curator.core import review
from curator.core.filters import (
    FILTERS,
    Recipe,
    apply_thresholds,
    count_flagged,
    redact,
    rescore,
    score_job,
)
from curator.core.jobs import CancelToken, JobCancelled, run_job

CONVS = [
    [("user", "Where is my order?"), ("assistant", "It ships tomorrow morning.")],
    [("user", "Can I pay by card?"), ("assistant", "Yes, we take all major cards.")],
    [("user", "Help"), ("assistant", "please hold " * 600)],
    [("system", "Be nice."), ("assistant", "Hello! How can I help you today?")],
    [
        ("user", "My mail is ann@mailbox.net, call 415-555-2671"),
        ("assistant", "Thanks ann@mailbox.net, noted."),
    ],
]


def _forbid_scoring(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(self, df, params):  # pragma: no cover - must never run
        raise AssertionError(f"{self.name} recomputed scores")

    for cls in FILTERS.values():
        monkeypatch.setattr(cls, "score", boom)


def test_threshold_change_reflags_without_rescoring(tmp_path, monkeypatch) -> None:
    ws, _ = filtered_ws(tmp_path, CONVS)
    before = {p.name: p.stat().st_mtime_ns for p in (ws.path / "results").glob("scores_*.parquet")}
    assert "length.short_reply" not in set(ws.flags()["name"])
    _forbid_scoring(monkeypatch)

    strict = Recipe.default().with_params("length", min_reply_chars=25)
    assert count_flagged(ws, "length", {"min_reply_chars": 25}, flag="length.short_reply") == 4
    counts = apply_thresholds(ws, strict)
    assert counts["length.short_reply"] == 4
    assert (
        count_flagged(
            ws, "repetition", {"degenerate_min_repeats": 10_000}, flag="repetition.degenerate"
        )
        == 0
    )
    assert (
        count_flagged(
            ws, "repetition", {"degenerate_min_repeats": 10_000}, flag="repetition.ngrams"
        )
        == 1
    )
    assert count_flagged(ws, "repetition") == 1
    after = {p.name: p.stat().st_mtime_ns for p in (ws.path / "results").glob("scores_*.parquet")}
    assert after == before  # no score file was rewritten


def test_rerun_scores_only_changed_records(tmp_path) -> None:
    ws, ids = filtered_ws(tmp_path, CONVS)
    review.edit_message(ws, ids[0], 1, "It ships on Friday.")
    summary = run_job(score_job(ws, Recipe.default()))
    assert all(v == {"scored": 1, "reused": len(CONVS) - 1} for v in summary.values()), summary
    summary = run_job(score_job(ws, Recipe.default()))
    assert all(v["scored"] == 0 for v in summary.values())


def test_changing_a_score_parameter_rescores_everything(tmp_path) -> None:
    ws, _ = filtered_ws(tmp_path, CONVS)
    recipe = Recipe.default().with_params("language", prefix_chars=200)
    summary = run_job(score_job(ws, recipe))
    assert summary["language"]["scored"] == len(CONVS)
    assert summary["length"]["scored"] == 0


def test_scores_follow_reviewer_edits(tmp_path) -> None:
    ws, ids = filtered_ws(tmp_path, CONVS)
    review.edit_message(ws, ids[2], 1, "Sure, let me check that for you.")
    rescore(ws, [ids[2]])
    names = set(ws.flags().filter(pl.col(R.ID) == ids[2])["name"])
    assert "repetition.degenerate" not in names


def test_redaction_is_an_undoable_edit(tmp_path) -> None:
    ws, ids = filtered_ws(tmp_path, CONVS)
    rid = ids[4]
    assert {"pii.email", "pii.phone"} <= set(ws.flags().filter(pl.col(R.ID) == rid)["name"])
    assert redact(ws, rid) == 3
    msgs = review.current_messages(ws, rid)
    assert msgs[0]["content"] == "My mail is <EMAIL_1>, call <PHONE_1>"
    assert msgs[1]["content"] == "Thanks <EMAIL_1>, noted."
    assert review.original_messages(ws, rid)[0]["content"].startswith("My mail is ann@mailbox.net")
    assert not set(ws.flags().filter(pl.col(R.ID) == rid)["name"]) & {"pii.email", "pii.phone"}
    assert review.history(ws, rid)[-1]["action"] == "redact"
    review.undo(ws)
    assert review.current_messages(ws, rid)[0]["content"].startswith("My mail is ann@mailbox.net")
    rescore(ws, [rid])
    assert "pii.email" in set(ws.flags().filter(pl.col(R.ID) == rid)["name"])


def test_cancelled_scoring_writes_nothing(tmp_path) -> None:
    from conftest import add_conversations

    from curator.core.workspace import Workspace

    ws = Workspace.open(tmp_path / "c.curator", create=True)
    add_conversations(ws, CONVS)
    token = CancelToken()

    def cancel_at_language(p) -> None:
        if p.step == "language":
            token.cancel()

    with pytest.raises(JobCancelled):
        run_job(score_job(ws, Recipe.default()), cancel_at_language, token)
    assert list((ws.path / "results").glob("scores_*")) == []
    assert list((ws.path / "results").iterdir()) == []  # the staging folder went too


def _result_files(ws) -> dict[str, tuple[int, int, bytes]]:
    """name -> (inode, mtime, bytes) of every results file: a rename changes the inode."""
    out = {}
    for p in sorted((ws.path / "results").iterdir()):
        st = p.stat()
        out[p.name] = (st.st_ino, st.st_mtime_ns, p.read_bytes())
    return out


def test_a_rescoring_cancelled_after_some_filters_were_staged_publishes_none_of_them(
    tmp_path,
) -> None:
    """Filters are staged one by one; cancelled at a later filter, the earlier ones'
    staged files are not published: the previous scores and cache keys stay."""
    from curator.core.filters.job import CACHE_KEY_SETTING

    ws, _ = filtered_ws(tmp_path, CONVS)
    before = _result_files(ws)
    ws.set_setting(CACHE_KEY_SETTING, {})  # every filter scores again
    token = CancelToken()
    staged: list[str] = []

    def cancel_at_pii(p) -> None:
        staged[:] = [q.name for q in (ws.path / "results").glob(".staging-*/*.parquet")]
        if p.step == "pii":
            token.cancel()

    with pytest.raises(JobCancelled):
        run_job(score_job(ws, Recipe.default()), cancel_at_pii, token)
    assert "scores_structure.parquet" in staged  # written, then not published
    assert _result_files(ws) == before
    assert ws.get_setting(CACHE_KEY_SETTING) == {}


def test_disabled_filter_leaves_no_flags(tmp_path) -> None:
    ws, _ = filtered_ws(tmp_path, CONVS)
    recipe = Recipe.default()
    recipe.step("pii").enabled = False  # type: ignore[union-attr]
    apply_thresholds(ws, recipe)
    assert not ws.flags()["name"].str.starts_with("pii.").any()
