"""Filters score both answers of a pair; the rejected side's flags are named as such."""

from __future__ import annotations

import polars as pl
from pref_helpers import pair_workspace

from curator.core import records as R
from curator.core.filters.recipe import Recipe
from curator.core.jobs import run_job
from curator.core.pipeline import pipeline_job

PROMPT = "Could you tell me how to reset the password of my account on the billing portal?"
GOOD = (
    "Open the billing portal, choose Forgot password under the sign-in form, and follow the "
    "link we email you; the link stays valid for one hour."
)


def _flags(ws, rid: str) -> list[dict]:
    return ws.frame().filter(pl.col(R.ID) == rid).get_column(R.FLAGS)[0].to_list()


def test_personal_data_in_the_rejected_answer_flags_the_pair(tmp_path):
    leaky = "Just write to me at margaret.hollis@gmail.com or call me on +44 7700 900123 and I'll do it."
    ws = pair_workspace(tmp_path, [{"prompt": PROMPT, "chosen": GOOD, "rejected": leaky}])
    run_job(pipeline_job(ws, Recipe.from_workspace(ws)))
    (rid,) = ws.record_ids().to_list()
    pii = [f for f in _flags(ws, rid) if f["name"].startswith("pii")]
    assert pii, _flags(ws, rid)
    assert all(f["reason"].startswith("in the rejected answer: ") for f in pii)
    assert ws.read_result("rejected_scores_pii") is not None  # scored into files of its own


def test_a_refusal_as_the_rejected_answer_is_only_a_warning(tmp_path):
    refusal = "I'm sorry, but I can't help with that request."
    ws = pair_workspace(tmp_path, [{"prompt": PROMPT, "chosen": GOOD, "rejected": refusal}])
    run_job(pipeline_job(ws, Recipe.from_workspace(ws)))
    (rid,) = ws.record_ids().to_list()
    rejected_side = [f for f in _flags(ws, rid) if f["reason"].startswith("in the rejected answer")]
    assert any(f["name"].startswith("refusal") for f in rejected_side), _flags(ws, rid)
    assert all(
        f["severity"] == R.WARN
        for f in rejected_side
        if not f["name"].startswith(("pii", "secret"))
    )


def test_dedup_compares_prompt_and_chosen_answer(tmp_path):
    from curator.core.dedup import dedup_job, load_settings

    same_pair = {"prompt": PROMPT, "chosen": GOOD, "rejected": "No idea, sorry."}
    same_but_other_rejected = {"prompt": PROMPT, "chosen": GOOD, "rejected": "Call support."}
    other_chosen = {
        "prompt": PROMPT,
        "chosen": "Ask your administrator to reset it for you.",
        "rejected": "No.",
    }
    ws = pair_workspace(tmp_path, [same_pair, same_but_other_rejected, other_chosen])
    run_job(dedup_job(ws, load_settings(ws)))
    f = ws.frame().sort(R.LINE)
    dup = f.get_column(R.DUPLICATE_OF).to_list()
    ids = f.get_column(R.ID).to_list()
    assert dup[1] == ids[0]  # same prompt + chosen: a duplicate whatever the rejected answer
    assert dup[2] is None  # another chosen answer: its own pair


def test_redact_replaces_personal_data_in_either_answer_and_clears_the_flag(tmp_path):
    from curator.core import review, review_pairs
    from curator.core.filters import redact

    leaky = "Just write to me at margaret.hollis@gmail.com and I'll do it."
    ws = pair_workspace(tmp_path, [{"prompt": PROMPT, "chosen": GOOD, "rejected": leaky}])
    run_job(pipeline_job(ws, Recipe.from_workspace(ws)))
    (rid,) = ws.record_ids().to_list()
    assert redact(ws, rid) >= 1
    pair = review_pairs.current_pair(ws, rid)
    assert "margaret.hollis@gmail.com" not in pair.rejected["content"]
    assert "<EMAIL_1>" in pair.rejected["content"] and pair.chosen["content"] == GOOD
    assert not [f for f in _flags(ws, rid) if f["name"] == "pii.email"]
    review.undo(ws)
    assert "margaret.hollis@gmail.com" in review_pairs.current_pair(ws, rid).rejected["content"]
