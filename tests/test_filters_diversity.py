"""Canned replies (diversity.canned_reply): one reply reused across different prompts."""

from __future__ import annotations

from filters_util import filtered_ws, only, run_flags

from curator.core.filters import Recipe

DIV = only(["diversity"])
MACRO = "Thank you for contacting us! A specialist will get back to you within 2 business days."
TOPICS = [
    "my blender makes a grinding noise",
    "the parcel never arrived at my flat",
    "I was charged twice for one order",
    "how do I change my delivery address",
    "the lamp arrived with a cracked shade",
    "can I return a sofa after thirty days",
    "my discount code is rejected at checkout",
    "the kettle switches itself off early",
    "I need an invoice for my company",
    "your courier left the box in the rain",
]


def _canned(ws) -> set[str]:
    flags = ws.flags()
    return set(flags.filter(flags["name"] == "diversity.canned_reply")["id"].to_list())


def test_macro_reply_shared_by_many_different_prompts_is_canned(tmp_path) -> None:
    convs = [[("user", t), ("assistant", MACRO)] for t in TOPICS * 3]
    convs = [[("user", f"{c[0][1]} (ticket {i})"), c[1]] for i, c in enumerate(convs)]
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
    ws, ids = filtered_ws(tmp_path, convs, DIV)
    assert _canned(ws) == set(ids[:30])
    flags = ws.flags()
    reason = flags.filter(flags["name"] == "diversity.canned_reply")["reason"][0]
    assert reason == (
        "the same reply is given to 30 different prompts (50.0% of records): a canned reply"
    )
    assert set(flags["severity"].to_list()) == {"warn"}
    assert {"canned", "canned_count", "canned_share"} <= set(
        ws.read_result("scores_diversity").columns
    )


def test_numbers_and_names_are_not_folded(tmp_path) -> None:
    convs = [
        [
            ("user", f"What is the square root of {n * n}?"),
            ("assistant", f"The square root of {n * n} is {n}."),
        ]
        for n in range(3, 40)
    ]
    convs += [
        [
            ("user", f"Who painted picture {i}?"),
            ("assistant", f"Picture {i} was painted by {name} in Paris."),
        ]
        for i, name in enumerate(["Monet", "Manet", "Degas", "Renoir", "Cassatt", "Morisot"] * 5)
    ]
    ws, _ = filtered_ws(tmp_path, convs, DIV)
    assert _canned(ws) == set()


def test_the_same_answer_to_reworded_versions_of_one_question_is_not_canned(tmp_path) -> None:
    answer = "The Eiffel Tower is 330 metres tall, including its antennas at the top."
    reworded = [
        "How tall is the Eiffel Tower?",
        "What is the height of the Eiffel Tower?",
        "Eiffel Tower height?",
        "how tall is the eiffel tower in metres",
        "Tell me how tall the Eiffel Tower is.",
        "What's the Eiffel Tower's height?",
    ]
    flags = run_flags(tmp_path, [[("user", q), ("assistant", answer)] for q in reworded], DIV)
    assert all(f == {} for f in flags)


def test_duplicate_conversations_are_not_canned(tmp_path) -> None:
    conv = [
        ("user", "Where is my order 123?"),
        ("assistant", "It left our warehouse this morning and arrives tomorrow."),
    ]
    flags = run_flags(tmp_path, [conv] * 40, DIV)
    assert all(f == {} for f in flags)  # the same prompt: a duplicate, dedup's business


def test_a_stock_closing_line_after_a_real_answer_is_not_canned(tmp_path) -> None:
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
    convs += [
        [("user", t + f" (ticket {i})"), ("assistant", closing)] for i, t in enumerate(TOPICS * 3)
    ]
    ws, ids = filtered_ws(tmp_path, convs, DIV)
    assert _canned(ws) == set(ids[40:])  # only records whose one reply is the macro


def test_canned_column_follows_the_threshold(tmp_path) -> None:
    from curator.core.filters import apply_thresholds

    convs = [[("user", t), ("assistant", MACRO)] for t in TOPICS]
    ws, _ = filtered_ws(tmp_path, convs, DIV)
    assert ws.read_result("scores_diversity")["canned"].all()  # 10 of 10 records: 100% share
    apply_thresholds(ws, DIV.with_params("diversity", min_prompts=50, min_share=1.1))
    assert not ws.read_result("scores_diversity")["canned"].any()
    assert ws.flags().height == 0


def test_a_recipe_from_before_the_split_keeps_its_macro_settings() -> None:
    old = Recipe.loads(
        '[[step]]\nname = "refusal"\nmacro_min_records = 40\n\n[[step]]\nname = "pii"\n'
    )
    assert [s.name for s in old.steps] == ["refusal", "diversity", "pii"]
    assert old.step("refusal").params == {}
    assert old.step("diversity").params == {"min_prompts": 40}
    mine = Recipe.loads('[[step]]\nname = "refusal"\n')  # written now: nothing added
    assert [s.name for s in mine.steps] == ["refusal"]
