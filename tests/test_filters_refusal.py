"""Refusals: declining or deflecting replies (canned replies: test_filters_diversity)."""

from __future__ import annotations

from filters_util import only, run_flags

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


def test_a_task_failure_is_not_a_refusal(tmp_path) -> None:
    flags = run_flags(
        tmp_path,
        [
            [
                ("user", "Yes, you can proceed."),
                (
                    "assistant",
                    "Unfortunately, I can't do that. Do you want me to see if there's a table "
                    "for 2 available at Lalla Grill today at 6:30 pm?",
                ),
            ],
            [
                ("user", "Book it please."),
                ("assistant", "Sorry, I was unable to book the appointment with Dr. Patel."),
            ],
            [
                ("user", "What do you think of cats?"),
                ("assistant", "I don't have personal opinions."),
            ],
        ],
        REFUSAL,
    )
    assert flags[0] == {} and flags[1] == {}
    assert "refusal.refusal" in flags[2]  # deflecting is refusing


def test_a_reply_reused_for_many_prompts_is_not_a_refusal(tmp_path) -> None:
    persona = "I am Orbit, a helpful assistant made by the Example Lab team to answer questions."
    prompts = ["Who are you?", "What is your name?", "Who built you?", "Introduce yourself."]
    flags = run_flags(tmp_path, [[("user", p), ("assistant", persona)] for p in prompts], REFUSAL)
    assert all(f == {} for f in flags)
