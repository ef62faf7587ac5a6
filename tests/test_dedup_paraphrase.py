"""The opt-in paraphrase method: the same reply to a reworded prompt, its own flag and threshold."""

from __future__ import annotations

import polars as pl
from conftest import add_conversations

from curator.core import records as R
from curator.core.dedup import DedupSettings, count_paraphrases_at, dedup_job
from curator.core.dedup.paraphrase import MAX_GROUP, candidate_pairs, prompt_and_reply
from curator.core.jobs import run_job
from curator.core.workspace import Workspace

BOIL = "Water boils at 100 degrees Celsius at sea level, which is 373.15 kelvin."
HELP = "Please contact our support team and they will help you with this request."
CONVS = [
    [("user", "What is the boiling point of water in Kelvin?"), ("assistant", BOIL)],
    [("user", "At what temperature does water boil, in kelvin?"), ("assistant", BOIL)],
    [("user", "How do I cancel an order I placed yesterday?"), ("assistant", HELP)],
    [("user", "Why does my invoice show the wrong company address?"), ("assistant", HELP)],
    [("user", "What is the capital of Australia?"), ("assistant", "Canberra is the capital city.")],
]


def run(ws: Workspace, **kw: object) -> object:
    return run_job(dedup_job(ws, DedupSettings(**kw)))  # type: ignore[arg-type]


def rows(ws: Workspace) -> dict[int, dict[str, object]]:
    return {r[R.LINE]: r for r in ws.frame().iter_rows(named=True)}


def test_reworded_prompt_with_the_same_reply_is_a_paraphrase(workspace: Workspace) -> None:
    add_conversations(workspace, CONVS)
    assert run(workspace).paraphrase_duplicates == 0  # type: ignore[attr-defined]
    assert workspace.clusters().height == 0  # off by default; MinHash alone does not see it
    summary = run(workspace, paraphrase=True)
    r = rows(workspace)
    assert r[2][R.DUPLICATE_OF] == r[1][R.ID]
    flag = r[2][R.FLAGS][0]
    assert flag["name"] == "near_duplicate.paraphrase"
    assert f"paraphrase of {r[1][R.ID]}" in flag["reason"]
    assert 0.4 <= r[2][R.SIMILARITY] < 1.0  # prompt cosine to the keeper
    # one canned reply to two different questions is not a paraphrase
    assert r[3][R.CLUSTER_ID] is None and r[4][R.CLUSTER_ID] is None
    assert summary.paraphrase_duplicates == 1  # type: ignore[attr-defined]
    assert summary.near_duplicates == 0  # type: ignore[attr-defined]


def test_paraphrase_threshold_has_its_own_live_count(workspace: Workspace) -> None:
    add_conversations(workspace, CONVS)
    run(workspace, paraphrase=True)
    sim = rows(workspace)[2][R.SIMILARITY]
    assert count_paraphrases_at(workspace, sim) == 1
    assert count_paraphrases_at(workspace, min(1.0, sim + 0.05)) == 0
    flags = workspace.flags()
    assert (
        flags.filter(pl.col("name") == "near_duplicate.paraphrase").height == 1
    )  # nothing written
    run(workspace, paraphrase=True, paraphrase_threshold=min(1.0, sim + 0.05))
    assert workspace.clusters().height == 0


def test_a_reply_shared_by_many_records_stays_bounded() -> None:
    convs = [
        [("user", f"question number {i} about something"), ("assistant", HELP)] for i in range(300)
    ]
    from conftest import make_records

    texts = prompt_and_reply(make_records(convs), DedupSettings())
    pairs = candidate_pairs(texts, DedupSettings())
    assert pairs.height == MAX_GROUP * (MAX_GROUP - 1) // 2
