"""Refusals and canned boilerplate."""

from __future__ import annotations

from filters_util import filtered_ws, only, run_flags

REFUSAL = only(["refusal"])


def test_refusal_phrases(tmp_path) -> None:
    flags = run_flags(
        tmp_path,
        [
            [
                ("user", "Write my essay"),
                ("assistant", "As an AI language model, I cannot write essays for you."),
            ],
            [("user", "Hack the wifi"), ("assistant", "I’m sorry, but I can’t help with that.")],
            [
                ("user", "Where is my order?"),
                (
                    "assistant",
                    "I'm sorry, but I can't find an order under that email. Could you check the address?",
                ),
            ],
            [
                ("user", "Cancel it"),
                (
                    "assistant",
                    "I cannot cancel it myself, but the warehouse team can: I have passed it on.",
                ),
            ],
        ],
        REFUSAL,
    )
    assert flags[0]["refusal.refusal"].startswith(
        "assistant refuses in message 2: 'As an AI language model"
    )
    assert "refusal.refusal" in flags[1]
    assert flags[2] == {} and flags[3] == {}


def test_macro_reply_shared_by_many_prompts_is_boilerplate(tmp_path) -> None:
    macro = "Thank you for contacting us! A specialist will get back to you within 2 business days."
    convs = [
        [("user", f"Question {i}: my blender model {i} makes a noise"), ("assistant", macro)]
        for i in range(30)
    ]
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    convs += [
        [
            ("user", f"Where is parcel {i}?"),
            ("assistant", f"Parcel {i} is at the {d} depot and {w} arrives soon."),
        ]
        for i, (d, w) in enumerate(
            (d, w) for d in days for w in ("it", "probably", "surely", "then", "likely")
        )
    ]
    ws, ids = filtered_ws(tmp_path, convs, REFUSAL)
    flags = ws.flags()
    flagged = set(flags.filter(flags["name"] == "refusal.boilerplate")["id"].to_list())
    assert flagged == set(ids[:30])
    reason = flags.filter(flags["name"] == "refusal.boilerplate")["reason"][0]
    assert reason == "a canned reply used for 30 different prompts (50.0% of records)"
    scores = ws.read_result("scores_refusal")
    assert {"refusal", "boilerplate", "macro_share"} <= set(scores.columns)


def test_duplicate_conversations_are_not_boilerplate(tmp_path) -> None:
    conv = [
        ("user", "Where is my order 123?"),
        ("assistant", "It left our warehouse this morning and arrives tomorrow."),
    ]
    flags = run_flags(tmp_path, [conv] * 40, REFUSAL)
    assert all(f == {} for f in flags)  # the same prompt: a duplicate, dedup's business


def test_a_stock_closing_line_after_a_real_answer_is_not_boilerplate(tmp_path) -> None:
    closing = "Is there anything else I can help you with today?"
    items = ["lamp", "kettle", "chair", "desk", "router", "jacket", "heater", "blender"]
    cities = ["Leeds", "York", "Bath", "Derby", "Ely"]
    answers = [f"Your {i} left the {c} depot and arrives soon." for i in items for c in cities]
    convs = [
        [
            ("user", f"Where is parcel {n}?"),
            ("assistant", a),
            ("user", "Thanks"),
            ("assistant", closing),
        ]
        for n, a in enumerate(answers)
    ]
    convs += [[("user", f"Anything new on ticket {i}?"), ("assistant", closing)] for i in range(30)]
    ws, ids = filtered_ws(tmp_path, convs, REFUSAL)
    flags = ws.flags()
    flagged = set(flags.filter(flags["name"] == "refusal.boilerplate")["id"].to_list())
    assert flagged == set(ids[40:])  # only records whose one reply is the macro


def test_boilerplate_column_follows_the_threshold(tmp_path) -> None:
    from curator.core.filters import apply_thresholds

    macro = "Thank you for contacting us! A specialist will get back to you within 2 business days."
    convs = [[("user", f"Question {i} about my blender"), ("assistant", macro)] for i in range(10)]
    ws, _ = filtered_ws(tmp_path, convs, REFUSAL)
    assert ws.read_result("scores_refusal")["boilerplate"].all()  # 10 of 10 records: 100% share
    apply_thresholds(ws, REFUSAL.with_params("refusal", macro_min_records=50, macro_min_share=1.1))
    assert not ws.read_result("scores_refusal")["boilerplate"].any()
    assert ws.flags().height == 0
