"""Length: over the target's token limit, and almost-empty replies."""

from __future__ import annotations

from filters_util import filtered_ws, only, run_flags

from curator.core.filters.length import GENERIC_LIMIT, resolve_limit

LENGTH = only(["length"])


def test_over_limit_and_short_reply(tmp_path) -> None:
    long_text = "word " * 66_000  # over the default target's (gpt-4o-mini) 65,536
    flags = run_flags(
        tmp_path,
        [
            [("user", "Summarise this: " + long_text), ("assistant", "It is a list of words.")],
            [("user", "Is the store open on Sunday?"), ("assistant", "Yes.")],  # short but good
            [("user", "Can I return it?"), ("assistant", "k")],
            [("user", "Print the config"), ("assistant", '{"a": 1}')],  # JSON is fine
        ],
        LENGTH,
    )
    assert flags[0].keys() == {"length.over_limit"}
    assert "65,536" in flags[0]["length.over_limit"]
    assert flags[1] == {}
    assert flags[2] == {"length.short_reply": "assistant reply in message 2 is almost empty ('k')"}
    assert flags[3] == {}


def test_scores_have_token_columns(tmp_path) -> None:
    ws, _ = filtered_ws(
        tmp_path, [[("user", "Hello there"), ("assistant", "Hi! How can I help?")]], LENGTH
    )
    row = ws.read_result("scores_length").to_dicts()[0]
    for col in (
        "tokens",
        "assistant_tokens",
        "max_message_tokens",
        "n_messages",
        "shortest_reply_chars",
    ):
        assert col in row
    assert row["n_messages"] == 2 and row["tokens"] > row["assistant_tokens"] > 0


def test_target_limits_come_from_the_targets_file() -> None:
    _, limit = resolve_limit("generic", 0)
    assert limit == GENERIC_LIMIT
    assert resolve_limit("anything", 500) == ("the recipe's 500-token", 500)
    try:
        from curator.core.readiness.targets import load_targets
    except ImportError:
        return
    name, target = next(iter(load_targets().items()))
    assert resolve_limit(name, 0)[1] == target.max_tokens


def test_recipe_limit_changes_flags(tmp_path) -> None:
    recipe = LENGTH.with_params("length", max_tokens=20)
    flags = run_flags(
        tmp_path, [[("user", "one two three " * 10), ("assistant", "ok then, fine")]], recipe
    )
    assert "length.over_limit" in flags[0]
