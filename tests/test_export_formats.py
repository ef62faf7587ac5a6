"""Each export format writes what a trainer expects, with weights, names and tool calls kept."""

from __future__ import annotations

import json

import polars as pl
import pytest
import yaml
from test_export_support import TOOL_CALLS, M, add_records, export, openai_view, qa, read_jsonl

from curator.core import review
from curator.core.errors import CuratorError

RICH = [
    M("system", "You are a support agent."),
    M("user", "Where is order A1?", name="alice"),
    M("assistant", None, tool_calls=TOOL_CALLS),
    M("tool", '{"status": "shipped"}', tool_call_id="call_1"),
    M("assistant", "It shipped yesterday.", weight=1),
    M("user", "Thanks!"),
    M("assistant", "You're welcome.", weight=0),
]


@pytest.fixture
def rich_ws(workspace):
    ids = add_records(workspace, [RICH] + [qa(i) for i in range(9)])
    review.approve(workspace, ids)
    return workspace, ids


def test_openai_lines_carry_every_field_and_no_nulls(rich_ws, tmp_path):
    ws, _ = rich_ws
    manifest = export(ws, tmp_path / "out")
    lines = read_jsonl(tmp_path / "out" / "train.jsonl")
    assert len(lines) == 10 == manifest["counts"]["train"]
    assert lines[0] == {"messages": openai_view(RICH)}
    assert lines[0]["messages"][2] == {"role": "assistant", "content": None, "tool_calls": TOOL_CALLS}
    assert lines[0]["messages"][6]["weight"] == 0
    # the only null is the tool-calling turn's content (absent fields are left out)
    assert (tmp_path / "out" / "train.jsonl").read_text().count("null") == 1
    assert not (tmp_path / "out" / "validation.jsonl").exists()


def test_sharegpt_roles_weights_and_tool_calls(rich_ws, tmp_path):
    ws, _ = rich_ws
    export(ws, tmp_path / "out", format="sharegpt")
    conv = read_jsonl(tmp_path / "out" / "train.jsonl")[0]["conversations"]
    assert [t["from"] for t in conv] == ["system", "human", "function_call", "tool", "gpt", "human", "gpt"]
    assert conv[1]["name"] == "alice"
    assert json.loads(conv[2]["value"]) == {"name": "track", "arguments": {"order": "A1"}}
    assert conv[6] == {"from": "gpt", "value": "You're welcome.", "weight": 0}


def test_sharegpt_refuses_non_alternating_turns(workspace, tmp_path):
    ids = add_records(workspace, [[M("user", "a"), M("user", "b"), M("assistant", "c")], qa(1)])
    review.approve(workspace, ids)
    with pytest.raises(CuratorError, match=rf"{ids[0]}: roles_not_alternating"):
        export(workspace, tmp_path / "out", format="sharegpt")
    export(workspace, tmp_path / "ok", format="openai")  # OpenAI accepts consecutive user turns


def test_alpaca_single_turn_with_system_field(workspace, tmp_path):
    ids = add_records(workspace, [[M("system", "Be brief."), *qa(1)], qa(2)])
    review.approve(workspace, ids)
    export(workspace, tmp_path / "out", format="alpaca")
    data = json.loads((tmp_path / "out" / "train.json").read_text())
    assert data == [
        {"instruction": "Question 1: where is my order?", "input": "", "output": "Answer 1: it ships today.",
         "system": "Be brief."},
        {"instruction": "Question 2: where is my order?", "input": "", "output": "Answer 2: it ships today."},
    ]


def test_alpaca_refuses_multi_turn_instead_of_mangling_it(workspace, tmp_path):
    multi = [*qa(1), M("user", "And the invoice?"), M("assistant", "Attached.")]
    ids = add_records(workspace, [multi, qa(2)])
    review.approve(workspace, ids)
    with pytest.raises(CuratorError) as err:
        export(workspace, tmp_path / "out", format="alpaca")
    assert f"{ids[0]}: not_single_turn: 2 user and 2 assistant messages" in str(err.value)
    assert not (tmp_path / "out" / "train.json").exists()
    manifest = export(workspace, tmp_path / "out", format="alpaca", skip_invalid=True)
    assert manifest["counts"] == {"train": 1}
    assert [r["id"] for r in manifest["invalid"]["records"]] == [ids[0]]
    assert manifest["invalid"]["records"][0]["kind"] == "not_single_turn"


def test_parquet_and_hf_hold_the_same_conversations(rich_ws, tmp_path):
    ws, _ = rich_ws
    export(ws, tmp_path / "pq", format="parquet", split=0.3, seed=2)
    export(ws, tmp_path / "hf", format="hf", split=0.3, seed=2)
    import datasets

    dd = datasets.load_from_disk(str(tmp_path / "hf" / "dataset"))
    assert set(dd) == {"train", "validation"}
    for split in ("train", "validation"):
        pq = pl.read_parquet(tmp_path / "pq" / f"{split}.parquet").get_column("messages").to_list()
        assert dd[split]["messages"] == pq
    everything = pl.concat([pl.read_parquet(tmp_path / "pq" / f"{s}.parquet") for s in ("train", "validation")])
    rich = next(m for m in everything.get_column("messages").to_list() if len(m) == 7)
    assert rich[2]["tool_calls"] == TOOL_CALLS
    assert rich[6]["weight"] == 0 and rich[1]["name"] == "alice"


@pytest.mark.parametrize("fmt", ["openai", "sharegpt", "alpaca", "parquet", "hf"])
def test_snippets_point_at_the_exported_files(workspace, tmp_path, fmt):
    review.approve(workspace, add_records(workspace, [qa(i) for i in range(12)]))
    out = tmp_path / "out"
    export(workspace, out, format=fmt, split=0.25)
    info = json.loads((out / "dataset_info.json").read_text())
    assert set(info) == {"curator_train", "curator_validation"}
    for entry in info.values():
        assert (out / entry["file_name"]).exists()
    config = yaml.safe_load((out / "axolotl.yaml").read_text())
    assert len(config["datasets"]) == 1 and len(config["test_datasets"]) == 1
    train = config["datasets"][0]
    assert (out / train["path"]).exists()
    assert train["type"] == ("alpaca" if fmt == "alpaca" else "chat_template")


def test_alpaca_array_stays_valid_json_across_write_chunks(workspace, tmp_path, monkeypatch):
    from curator.core.export import writers

    monkeypatch.setattr(writers, "CHUNK_ROWS", 3)
    review.approve(workspace, add_records(workspace, [qa(i) for i in range(10)]))
    export(workspace, tmp_path / "out", format="alpaca")
    data = json.loads((tmp_path / "out" / "train.json").read_text())
    assert [d["instruction"] for d in data] == [f"Question {i}: where is my order?" for i in range(10)]


def test_tool_definitions_from_the_source_line_are_exported(workspace, tmp_path):
    import polars as pl

    from curator.core import records as R

    tools = [{"type": "function", "function": {"name": "track", "parameters": {"type": "object"}}}]
    ids = add_records(workspace, [[M("user", "Where is A1?"), M("assistant", None, tool_calls=TOOL_CALLS),
                                   M("tool", "shipped", tool_call_id="call_1"), M("assistant", "It shipped.")]])
    records = workspace.records().with_columns(pl.lit(json.dumps({"tools": tools, "source_ts": 1})).alias(R.META))
    fresh = workspace.path.parent / "tools.curator"
    from curator.core.workspace import Workspace

    ws = Workspace.open(fresh, create=True)
    ws.add_import(source="t.jsonl", path="/t.jsonl", file_hash="t", fmt="openai", options={},
                  records=records, quarantine=[])
    review.approve(ws, ids)
    export(ws, tmp_path / "oa")
    (line,) = read_jsonl(tmp_path / "oa" / "train.jsonl")
    assert line["tools"] == tools and "source_ts" not in line
    export(ws, tmp_path / "sg", format="sharegpt")
    (line,) = read_jsonl(tmp_path / "sg" / "train.jsonl")
    assert json.loads(line["tools"]) == tools
