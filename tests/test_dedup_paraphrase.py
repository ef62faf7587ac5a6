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


# a problem and its rewording (the same worked answer but for a name and a connective),
# and the same story asked the other way round (the steps are shared, the ending is not)
SAVE_Q = (
    "Ofelia joined a saving challenge wherein she has to save twice the amount she saved "
    "from the previous month. In January, she saved $10. How much is she going to save in May?"
)
SAVE_A = (
    "{n} saves $10 x 2 = $20 in February. She will save $20 x 2 = $40 in March. She will "
    "save $40 x 2 = $80 in April. {c}, she will save $80 x 2 = $160 in May."
)
REWORDED = (
    "Brianne saves $10 in January. Each month, she saves twice as much as her previous "
    "month's savings. How much will she save in May?"
)
INVERSE_Q = (
    "Ofelia joined a saving challenge wherein she has to save twice the amount she saved "
    "from the previous month. In May, she saved $160. How much did she save in January?"
)
INVERSE_A = (
    "Ofelia saved $160 / 2 = $80 in April. She saved $80 / 2 = $40 in March. She saved "
    "$40 / 2 = $20 in February. Thus, she saved $20 / 2 = $10 in January."
)


def test_a_reworded_problem_is_a_paraphrase_and_the_inverse_problem_is_not(
    workspace: Workspace,
) -> None:
    add_conversations(
        workspace,
        [
            [("user", SAVE_Q), ("assistant", SAVE_A.format(n="Ofelia", c="Thus"))],
            [("user", REWORDED), ("assistant", SAVE_A.format(n="Brianne", c="Therefore"))],
            [("user", INVERSE_Q), ("assistant", INVERSE_A)],
        ],
    )
    run(workspace, paraphrase=True)
    r = rows(workspace)
    assert r[1][R.CLUSTER_ID] == r[2][R.CLUSTER_ID] is not None
    member = r[1] if r[1][R.DUPLICATE_OF] else r[2]
    assert [f["name"] for f in member[R.FLAGS]] == ["near_duplicate.paraphrase"]
    assert r[3][R.CLUSTER_ID] is None  # the same story asked the other way round


def test_replies_that_share_their_steps_but_end_differently_are_not_the_same_reply() -> None:
    from curator.core.dedup.paraphrase import paraphrase_pairs

    steps = "Each bag holds 40 x 3 = 120 apples."
    convs = [
        [
            ("user", "Pam has 10 bags of apples, 120 apples each. How many apples?"),
            ("assistant", f"{steps} Pam has 120 x 10 = 1200 apples."),
        ],
        [
            ("user", "Pam has 1200 apples in bags of 120. How many bags does she have?"),
            ("assistant", f"{steps} Pam has 1200 / 120 = 10 bags of apples."),
        ],
    ]
    from conftest import make_records

    assert paraphrase_pairs(make_records(convs), DedupSettings(paraphrase=True)).height == 0
    same = [convs[0], [("user", "How many apples are in Pam's 10 bags of 120?"), convs[0][1]]]
    assert paraphrase_pairs(make_records(same), DedupSettings(paraphrase=True)).height == 1
