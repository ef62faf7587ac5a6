"""What gets exported: approved vs passing, never rejected, never duplicates, edits not originals."""

from __future__ import annotations

import polars as pl
import pytest
from test_export_support import M, add_records, export, qa, read_jsonl, write_clusters

from curator.core import records as R
from curator.core import review
from curator.core.errors import CuratorError
from curator.core.export import ExportOptions, preflight


@pytest.fixture
def mixed(workspace):
    """10 records: 0-3 approved, 4-5 rejected, 6-9 pending; 7 is a duplicate of 6; 8 has a blocking flag."""
    ids = add_records(workspace, [qa(i) for i in range(10)])
    review.approve(workspace, ids[:4])
    review.reject(workspace, ids[4:6], "off topic")
    write_clusters(workspace, [(ids[6], "c1", None), (ids[7], "c1", ids[6])])
    workspace.write_flags(
        "filters",
        pl.DataFrame([{R.ID: ids[8], "name": "secret.aws_key", "reason": "AWS key", "severity": "block"}]),
    )
    return workspace, ids


def _exported_questions(path):
    return [line["messages"][0]["content"] for line in read_jsonl(path)]


def test_approved_exports_only_approved(mixed, tmp_path):
    ws, _ = mixed
    manifest = export(ws, tmp_path / "out")
    assert _exported_questions(tmp_path / "out" / "train.jsonl") == [f"Question {i}: where is my order?" for i in range(4)]
    assert manifest["selection"]["excluded"] == {"rejected": 2, "not approved": 4}


def test_passing_adds_pending_but_never_rejected_duplicates_or_blocked(mixed, tmp_path):
    ws, _ = mixed
    manifest = export(ws, tmp_path / "out", include="passing")
    got = _exported_questions(tmp_path / "out" / "train.jsonl")
    assert got == [f"Question {i}: where is my order?" for i in (0, 1, 2, 3, 6, 9)]
    assert manifest["selection"]["excluded"] == {
        "rejected": 2, "duplicate of a kept record": 1, "blocking flag": 1,
    }
    assert manifest["counts"] == {"train": 6}


def test_edits_and_weights_are_exported_not_the_originals(workspace, tmp_path):
    ids = add_records(workspace, [[M("user", "My card is 4111 1111 1111 1111"), M("assistant", "Thanks"),
                                   M("user", "ok?"), M("assistant", "Done.")]])
    review.edit_message(workspace, ids[0], 0, "My card is [CARD]")
    review.set_turn_weight(workspace, ids[0], 1, False)
    review.approve(workspace, ids)
    export(workspace, tmp_path / "out")
    (line,) = read_jsonl(tmp_path / "out" / "train.jsonl")
    assert line["messages"][0]["content"] == "My card is [CARD]"
    assert "4111" not in (tmp_path / "out" / "train.jsonl").read_text()
    assert line["messages"][1]["weight"] == 0


def test_nothing_selected_is_an_error_that_says_why(mixed, tmp_path):
    ws, ids = mixed
    review.reset(ws, ids[:4])
    with pytest.raises(CuratorError, match=r"nothing to export with --include approved.*--include passing"):
        export(ws, tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_preflight_matches_the_export(mixed, tmp_path):
    ws, _ids = mixed
    options = ExportOptions(output_dir=tmp_path / "out", include="passing", split=0.5, seed=4)
    pf = preflight(ws, options)
    assert pf.ok and pf.selected == 6 and pf.invalid_records == 0
    assert pf.excluded == {"rejected": 2, "duplicate of a kept record": 1, "blocking flag": 1}
    assert not (tmp_path / "out").exists()
    manifest = export(ws, tmp_path / "out", include="passing", split=0.5, seed=4)
    assert pf.counts == manifest["counts"]
    assert pf.tokens == {s: manifest["tokens"][s]["tokens"] for s in ("train", "validation")}


def test_preflight_lists_problems_and_says_why_it_would_fail(workspace, tmp_path):
    ids = add_records(workspace, [qa(1), qa(2), [M("user", "no reply")]])
    review.approve(workspace, ids)
    pf = preflight(workspace, ExportOptions(output_dir=tmp_path / "out"))
    assert pf.problems.select("id", "kind").rows() == [(ids[2], "example_missing_assistant_message")]
    assert not pf.ok and "--skip-invalid" in (pf.blocking_reason or "")
    pf = preflight(workspace, ExportOptions(output_dir=tmp_path / "out", skip_invalid=True))
    assert pf.ok and pf.counts == {"train": 2} and pf.invalid_records == 1


def test_preflight_estimates_tokens_on_large_selections(workspace, tmp_path, monkeypatch):
    from curator.core.export import job

    review.approve(workspace, add_records(workspace, [qa(i, " with a longer tail " * (i % 4)) for i in range(60)]))
    monkeypatch.setattr(job, "_ESTIMATE_SAMPLE", 20)  # pretend 60 records is "large"
    pf = preflight(workspace, ExportOptions(output_dir=tmp_path / "out", split=0.2))
    assert not pf.tokens_exact
    manifest = export(workspace, tmp_path / "out", split=0.2)
    for split in ("train", "validation"):
        exact = manifest["tokens"][split]["tokens"]
        assert abs(pf.tokens[split] - exact) <= 0.25 * exact
