"""Structure: cookbook format errors and conversation-shape problems."""

from __future__ import annotations

from filters_util import only, run_flags

STRUCTURE = only(["structure"])


def test_broken_shapes_are_flagged_with_the_right_name_and_severity(tmp_path) -> None:
    from filters_util import filtered_ws

    convs = [
        [("user", "Where is my parcel?"), ("assistant", "It arrives Tuesday.")],  # clean
        [("system", "You are helpful."), ("assistant", "Hello, how can I help?")],  # no user turn
        [("user", "Hello?"), ("user", "Anyone there?")],  # no assistant
        [("user", "Hi"), ("assistant", "")],  # empty reply
        [("user", "Hi"), ("assistant", "Hello!"), ("user", "Thanks")],  # ends on user
        [("user", "Hi"), ("user", "my order?"), ("assistant", "On its way.")],  # not alternating
        [("user", "Hi"), ("agent", "Hello")],  # role trainers do not accept
    ]
    ws, ids = filtered_ws(tmp_path, convs, STRUCTURE)
    flags = ws.flags()
    got = [
        {(r["name"], r["severity"]) for r in flags.filter(flags["id"] == i).to_dicts()} for i in ids
    ]
    assert got[0] == set()
    assert got[1] == {("structure.no_user_turn", "block")}
    assert ("structure.example_missing_assistant_message", "block") in got[2]
    assert ("structure.not_alternating", "warn") in got[2]
    assert got[3] == {("structure.missing_content", "block")}
    assert got[4] == {("structure.last_not_assistant", "block")}
    assert got[5] == {("structure.not_alternating", "warn")}
    assert ("structure.unrecognized_role", "block") in got[6]


def test_reasons_point_at_the_message(tmp_path) -> None:
    flags = run_flags(
        tmp_path,
        [
            [("user", "Hi"), ("assistant", "  ")],
            [("user", "Hi"), ("user", "my order?"), ("assistant", "On its way.")],
        ],
        STRUCTURE,
    )
    assert flags[0]["structure.missing_content"] == "message 2 (assistant) is empty"
    assert flags[1]["structure.not_alternating"] == "messages 1 and 2 are both from the user"


def test_tool_calls_do_not_break_alternation(tmp_path) -> None:
    import polars as pl
    from conftest import make_records

    from curator.core import records as R
    from curator.core.filters import apply_thresholds, score_job
    from curator.core.jobs import run_job
    from curator.core.workspace import Workspace

    ws = Workspace.open(tmp_path / "t.curator", create=True)
    df = make_records([[("user", "weather in Paris?")]])
    msgs = [
        R.message("user", "weather in Paris?"),
        R.message("assistant", None, tool_calls=[{"id": "c1", "type": "function"}]),
        R.message("tool", '{"temp": 21}', tool_call_id="c1"),
        R.message("assistant", "It is 21 °C in Paris."),
    ]
    df = df.with_columns(pl.Series(R.MESSAGES, [msgs], dtype=R.MESSAGES_DTYPE))
    ws.add_import(
        source="t", path="/t", file_hash="t", fmt="openai", options={}, records=df, quarantine=[]
    )
    run_job(score_job(ws, STRUCTURE))
    apply_thresholds(ws, STRUCTURE)
    assert ws.flags().height == 0


def test_disabling_a_check_removes_its_flags(tmp_path) -> None:
    recipe = STRUCTURE.with_params("structure", check_alternation=False)
    flags = run_flags(
        tmp_path, [[("user", "Hi"), ("user", "order?"), ("assistant", "Shipped.")]], recipe
    )
    assert flags == [{}]
