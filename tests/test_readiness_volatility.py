"""Volatility counts facts that change, stated as facts: not booked dates, word-problem
prices, values the user supplied, or replies that defer to a tool call."""

from __future__ import annotations

import polars as pl
import pytest
from readiness_helpers import build, clean_conversations

from curator.core import records as R
from curator.core.readiness import build_report
from curator.core.readiness.volatility import volatility_columns
from curator.core.workspace import Workspace


def kinds(user: str, assistant: str) -> set[str]:
    """The volatility kinds one exchange is counted under."""
    df = pl.DataFrame({"u": [user], "a": [assistant]}).select(
        volatility_columns(pl.col("a"), pl.col("u"))
    )
    return {c[4:] for c, v in df.row(0, named=True).items() if v and c != "vol_calculation"}


@pytest.mark.parametrize(
    ("user", "assistant", "expected"),
    [
        ("How much is the Pro plan?", "The Pro plan costs $29 per month.", {"price"}),
        (
            "Find me a bus to Fresno.",
            "There is a bus that leaves at 7:40 am and costs $24.",
            {"price", "schedule"},
        ),
        (
            "Weather in Napa tomorrow?",
            "It will be 77 degrees with a 9 percent chance of rain.",
            {"weather"},
        ),
        ("Is it available?", "Sorry, the blue model is out of stock.", {"stock"}),
        ("Can I return it?", "Our return policy gives you 30 days.", {"policy"}),
        ("Which release fixes it?", "Version 2.4.1 fixes the crash.", {"version"}),
    ],
)
def test_facts_that_change_are_counted_by_kind(
    user: str, assistant: str, expected: set[str]
) -> None:
    assert kinds(user, assistant) == expected


@pytest.mark.parametrize(
    ("user", "assistant"),
    [
        # a date and time the user books
        (
            "Book a table for 2 on March 9th at 7 pm.",
            "Confirmed: a table for 2 on March 9th at 7 pm.",
        ),
        (
            "I'd like a visit on the 11th.",
            "Please confirm your visit to Cypress Glen on March 11th.",
        ),
        # hypothetical prices in a worked word problem
        (
            "Athena bought 3 sandwiches at $3 each and 2 drinks at $2.50 each. How much did she spend?",
            "Athena spent 3 x $3 = $9 on sandwiches.\nShe spent 2 x $2.50 = $5 on drinks.\n#### 14",
        ),
        (
            "Temperatures were -14, -8 and +1 degrees. What was the average?",
            "The average temperature was -7 degrees.",
        ),
        # a reply that defers to a tool call
        (
            "What is the price of gold today?",
            "The price of gold today is search('gold price today').",
        ),
        # the user's own figure, repeated back
        ("Please send 1,110 bucks to Khadija.", "Confirming: you will transfer $1,110 to Khadija."),
        # the user's own account, not a price list
        ("Check my checking account.", "The balance of your checking account is $5,370.53."),
        ("Check my savings.", "Your savings has $9,520.80 in it."),
        # an alarm the user named "Leave for home", not a departure
        ("Rename it.", "I've modified your alarm name to be Leave for home and is set at 3:30 pm."),
    ],
)
def test_not_counted(user: str, assistant: str) -> None:
    assert kinds(user, assistant) == set()


def test_a_tool_call_hides_only_its_own_sentence() -> None:
    said = "The price of gold today is search('gold price'). Shipping costs $5."
    assert kinds("Gold price and shipping?", said) == {"price"}


def test_report_lists_the_kinds_found_with_one_example_each(workspace: Workspace) -> None:
    convs = clean_conversations(10)
    convs[0][-1] = ("assistant", "The Pro plan costs $29 per month.")
    convs[1][-1] = ("assistant", "The ferry departs at 6:15 pm.")
    convs[2][-1] = ("assistant", "Athena spent 3 x $3 = $9.")
    df = build(workspace, convs)
    ids = df.get_column(R.ID).to_list()
    c = build_report(workspace).check("volatility")
    assert c.level == "warn" and c.value == pytest.approx(0.2)
    assert "current prices 10%, schedules 10%" in c.message
    assert "Not counted: 1 worked calculation (hypothetical numbers)." in c.message
    assert c.details["example_by_kind"] == {"price": ids[0], "schedule": ids[1]}


def test_no_good_examples_is_not_applicable(workspace: Workspace) -> None:
    build(workspace, clean_conversations(5), approve_all=False)
    c = build_report(workspace).check("volatility")
    assert c.level == "n/a" and c.value is None
