"""Conflicts are answers to the same prompt that disagree in substance; reworded
answers that agree are not conflicts."""

from __future__ import annotations

import polars as pl
import pytest
from readiness_helpers import build, clean_conversations

from curator.core import records as R
from curator.core.readiness import build_report
from curator.core.readiness.conflicts import conflicts
from curator.core.workspace import Workspace


def _found(pairs: list[tuple[str, str]]) -> pl.DataFrame:
    text = pl.DataFrame(
        {
            R.ID: [f"r{i}" for i in range(len(pairs))],
            "user_text": [u for u, _ in pairs],
            "assistant_text": [a for _, a in pairs],
        }
    )
    return conflicts(text)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("No, I'm a language model trained by Example AI.", "No, I am trained by Example AI."),
        ("The square root of 81 is 9.", "It is 9, because 9 x 9 = 81."),
        ("Paris is the capital of France.", "The capital of France is Paris."),
        ("Yes, you can return it.", "Yes. Returns are accepted."),
    ],
)
def test_agreeing_paraphrases_are_not_conflicts(a: str, b: str) -> None:
    assert _found([("Question?", a), ("question", b)]).height == 0


@pytest.mark.parametrize(
    ("a", "b", "reason"),
    [
        ("The square root of 81 is 9.", "The square root of 81 is 8.", "numbers"),
        ("Yes, the store is open on Sundays.", "No, the store is closed on Sundays.", "yes_no"),
        ("It was written by Orwell.", "It was written by Huxley.", "names"),
        ("It ships today.", "It shipped last week.", "names"),
    ],
)
def test_answers_that_disagree_in_substance_are_conflicts(a: str, b: str, reason: str) -> None:
    found = _found([("Question?", a), ("question", b), ("Other?", "Answer 1.")])
    assert found.get_column(R.ID).sort().to_list() == ["r0", "r1"]
    assert found.get_column(reason).any()


def test_report_counts_conflicts_and_names_agreeing_rewordings(workspace: Workspace) -> None:
    convs = clean_conversations(20)
    convs[0] = [
        ("system", "s"),
        ("user", "Who made you?"),
        ("assistant", "No one but Example AI made me."),
    ]
    convs[1] = [
        ("system", "s"),
        ("user", "who made you"),
        ("assistant", "I was made by Example AI."),
    ]
    convs[2] = [
        ("system", "s"),
        ("user", "How many days to return?"),
        ("assistant", "You have 30 days."),
    ]
    convs[3] = [
        ("system", "s"),
        ("user", "how many days to return"),
        ("assistant", "You have 14 days."),
    ]
    build(workspace, convs)
    c = build_report(workspace).check("consistency")
    assert c.level == "warn" and c.value == 1
    assert c.message.startswith(
        "1 user prompt gets answers that disagree in 2 examples (1 prompt with different numbers)"
    )
    assert "1 prompt has reworded answers that agree (not counted)." in c.message
