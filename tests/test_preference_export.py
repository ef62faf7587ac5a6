"""Preference pairs out: OpenAI preference and TRL lines, validated, and back in unchanged."""

from __future__ import annotations

import json

import polars as pl
import pytest
from pref_helpers import STRING_PAIR, pair_workspace

from curator.core import records as R
from curator.core import review, review_pairs
from curator.core.errors import CuratorError
from curator.core.export.job import export_job, preflight
from curator.core.export.options import ExportOptions
from curator.core.export.validate import validate_line
from curator.core.ingest.job import import_job
from curator.core.ingest.options import ImportOptions
from curator.core.jobs import run_job
from curator.core.workspace import Workspace

SCHEMA = {"openai": "openai_preference", "trl": "trl_preference"}


def _export(ws: Workspace, out, style: str, **kw) -> list[dict]:
    opts = ExportOptions(out, format="preference", include="passing", preference_style=style, **kw)
    manifest = run_job(export_job(ws, opts))
    assert manifest["schema"]["name"] == SCHEMA[style]
    return [json.loads(x) for x in (out / "train.jsonl").read_text().splitlines()]


def _answers(obj: dict, style: str) -> tuple[str, str]:
    if style == "openai":
        return obj["preferred_output"][0]["content"], obj["non_preferred_output"][0]["content"]
    return obj["chosen"][0]["content"], obj["rejected"][0]["content"]


@pytest.mark.parametrize("style", ["openai", "trl"])
def test_both_formats_are_valid_lines_with_the_right_answers(tmp_path, style):
    ws = pair_workspace(tmp_path)
    lines = _export(ws, tmp_path / "out", style)
    assert len(lines) == 4
    assert all(validate_line(obj, SCHEMA[style]) == [] for obj in lines)
    assert sorted(_answers(o, style) for o in lines) == sorted(
        [("4", "5"), ("Paris.", "Lyon."), ("Hello!", "Go away."), ("Blue.", "Green.")]
    )
    system_first = next(o for o in lines if _answers(o, style)[0] == "Hello!")
    prompt = system_first["input"]["messages"] if style == "openai" else system_first["prompt"]
    assert prompt == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]


@pytest.mark.parametrize("style", ["openai", "trl"])
def test_round_trip_export_then_import_gives_the_same_pairs(tmp_path, style):
    ws = pair_workspace(tmp_path)
    rid = ws.frame().sort(R.LINE).get_column(R.ID)[1]
    review_pairs.swap(ws, rid)  # reviewer's decision travels
    _export(ws, tmp_path / "out", style)
    back = Workspace.open(tmp_path / "back.curator", create=True)
    run_job(import_job(back, [tmp_path / "out" / "train.jsonl"], ImportOptions()))
    assert back.quarantine().height == 0

    def pairs(w: Workspace) -> set:
        rows = w.frame().select(R.MESSAGES, R.REJECTED_ANSWER).iter_rows()
        return {
            (tuple((m["role"], m["content"]) for m in msgs), rej["content"]) for msgs, rej in rows
        }

    assert pairs(back) == pairs(ws)
    assert ((("user", "Capital of France?"), ("assistant", "Lyon.")), "Paris.") in pairs(back)


def test_a_conversation_in_the_selection_is_refused_by_name(tmp_path):
    ws = pair_workspace(tmp_path)
    chat = tmp_path / "chat.jsonl"
    chat.write_text(
        json.dumps(
            {
                "messages": [
                    {"role": "user", "content": "hi"},
                    {"role": "assistant", "content": "hello"},
                ]
            }
        )
        + "\n"
    )
    run_job(import_job(ws, [chat], ImportOptions()))
    opts = ExportOptions(tmp_path / "out", format="preference", include="passing")
    pf = preflight(ws, opts)
    assert pf.invalid_records == 1
    assert pf.problems.get_column("kind").to_list() == ["not_a_pair"]
    with pytest.raises(CuratorError, match="not_a_pair"):
        run_job(export_job(ws, opts))
    assert not (tmp_path / "out" / "train.jsonl").exists()
    lines = _export(ws, tmp_path / "out", "openai", skip_invalid=True)
    assert len(lines) == 4


def test_identical_answers_and_tool_prompts_are_refused(tmp_path):
    same = {"prompt": "Q?", "chosen": "A.", "rejected": "A."}
    tool = {
        "prompt": [
            {"role": "user", "content": "weather?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "w", "arguments": "{}"}}
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "sunny"},
        ],
        "chosen": "Sunny.",
        "rejected": "No idea.",
    }
    ws = pair_workspace(tmp_path, [STRING_PAIR, same, tool])
    assert ws.quarantine().height == 0
    kinds = {
        style: sorted(
            preflight(
                ws,
                ExportOptions(
                    tmp_path / style, format="preference", include="passing", preference_style=style
                ),
            )
            .problems.get_column("kind")
            .to_list()
        )
        for style in ("openai", "trl")
    }
    assert kinds["openai"] == ["identical_answers"]  # OpenAI keeps tool calls in the prompt
    assert {"identical_answers", "unsupported_message"} <= set(kinds["trl"])  # + schema detail
    lines = _export(ws, tmp_path / "o", "openai", skip_invalid=True)
    with_tools = next(o for o in lines if len(o["input"]["messages"]) == 3)
    assert validate_line(with_tools, "openai_preference") == []
    assert with_tools["input"]["messages"][1]["tool_calls"][0]["id"] == "c1"


def test_edited_answers_and_approval_are_exported(tmp_path):
    ws = pair_workspace(tmp_path)
    rid = ws.frame().sort(R.LINE).get_column(R.ID)[0]
    review_pairs.edit_rejected(ws, rid, "22")
    review.approve(ws, [rid])
    opts = ExportOptions(tmp_path / "out", format="preference", preference_style="trl")
    run_job(export_job(ws, opts))
    (line,) = (tmp_path / "out" / "train.jsonl").read_text().splitlines()
    assert _answers(json.loads(line), "trl") == ("4", "22")


def test_pairs_split_and_validate_like_chat(tmp_path):
    objs = [
        {"prompt": f"Question {i}?", "chosen": f"Good {i}.", "rejected": f"Bad {i}."}
        for i in range(40)
    ]
    ws = pair_workspace(tmp_path, objs)
    opts = ExportOptions(
        tmp_path / "out", format="preference", include="passing", split=0.25, seed=3
    )
    run_job(export_job(ws, opts))
    n = {
        s: len((tmp_path / "out" / f"{s}.jsonl").read_text().splitlines())
        for s in ("train", "validation")
    }
    assert n["train"] + n["validation"] == 40 and n["validation"] > 0


def test_unknown_preference_style_is_a_usage_error(tmp_path):
    from curator.core.errors import UsageError

    with pytest.raises(UsageError, match="openai or trl"):
        ExportOptions(tmp_path, format="preference", preference_style="axolotl")


def test_parquet_of_pairs_imports(tmp_path):
    pl.DataFrame(
        {
            "prompt": [[{"role": "user", "content": "Hi"}]],
            "chosen": [[{"role": "assistant", "content": "Hello"}]],
            "rejected": [[{"role": "assistant", "content": "Bye"}]],
        }
    ).write_parquet(tmp_path / "p.parquet")
    ws = Workspace.open(tmp_path / "w.curator", create=True)
    run_job(import_job(ws, [tmp_path / "p.parquet"], ImportOptions()))
    assert ws.frame().get_column(R.REJECTED_ANSWER).struct.field("content").to_list() == ["Bye"]
