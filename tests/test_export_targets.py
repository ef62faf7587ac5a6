"""`--target` profiles, the fixes every format gets, relative snippets and the dataset card."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from export_edge_cases import SYSTEM, add_edge_cases
from test_export_support import export, read_jsonl

from curator.cli.main import main
from curator.core import review
from curator.core.errors import CuratorError, UsageError
from curator.core.export import ExportOptions
from curator.core.export.fixes import OPENING_NOTE
from curator.core.export.targets import TARGETS, resolve_format


@pytest.fixture
def edge_ws(workspace):
    ids = add_edge_cases(workspace)
    review.approve(workspace, list(ids.values()))
    return workspace, ids


def test_target_picks_the_format_and_an_explicit_format_wins():
    assert [resolve_format(t, None) for t in TARGETS] == ["openai", "trl", "sharegpt", "openai"]
    assert resolve_format("llamafactory", "openai") == "openai"
    assert resolve_format(None, None) == "openai"
    with pytest.raises(UsageError, match="use one of openai, trl, llamafactory, axolotl"):
        ExportOptions(output_dir="x", target="vertex")


@pytest.mark.parametrize("fmt", ["openai", "sharegpt", "trl", "hf", "parquet"])
def test_agent_first_opening_moves_to_the_system_prompt_in_every_format(edge_ws, tmp_path, fmt):
    ws, ids = edge_ws
    manifest = export(ws, tmp_path / fmt, format=fmt, skip_invalid=True)
    # nothing dropped; ShareGPT refuses parallel tool results by name (one observation turn each)
    refused = {r["id"] for r in manifest["invalid"]["records"]}
    assert refused == ({ids["parallel_tool_calls"]} if fmt == "sharegpt" else set())
    assert manifest["counts"]["train"] == len(ids) - len(refused)
    assert manifest["fixes"]["agent_first_moved_to_system"] == 2
    readme = (tmp_path / fmt / "README.md").read_text()
    assert "2 conversations opened with the assistant" in readme


def test_agent_first_fix_keeps_the_text_and_the_existing_system_prompt(edge_ws, tmp_path):
    ws, _ids = edge_ws
    export(ws, tmp_path / "o", format="openai")
    lines = read_jsonl(tmp_path / "o" / "train.jsonl")
    first = next(ln for ln in lines if "roaming" in json.dumps(ln))["messages"]
    assert first[0] == {
        "role": "system",
        "content": f"{OPENING_NOTE}\nHello, thanks for calling Northwind Mobile, how can I help?",
    }
    assert [m["role"] for m in first] == ["system", "user", "assistant"]
    with_sys = next(ln for ln in lines if "charger" in json.dumps(ln))["messages"]
    assert (
        with_sys[0]["content"] == f"{SYSTEM}\n\n{OPENING_NOTE}\nHi! I'm the Brightside assistant."
    )
    assert [m["role"] for m in with_sys] == ["system", "user", "assistant"]


def test_opening_tool_call_is_refused_with_a_reason(workspace, tmp_path):
    from test_export_support import TOOL_CALLS, M, add_records

    ids = add_records(
        workspace,
        [
            [
                M("assistant", None, tool_calls=TOOL_CALLS),
                M("tool", "ok", tool_call_id="call_1"),
                M("assistant", "Done."),
            ]
        ],
    )
    review.approve(workspace, ids)
    with pytest.raises(
        CuratorError,
        match=rf"{ids[0]}: agent_first: the conversation opens with an assistant tool call",
    ):
        export(workspace, tmp_path / "out")


def test_openai_tool_call_turn_has_content_null(edge_ws, tmp_path):
    ws, _ = edge_ws
    export(ws, tmp_path / "o")
    calls = [
        m
        for ln in read_jsonl(tmp_path / "o" / "train.jsonl")
        for m in ln["messages"]
        if "tool_calls" in m
    ]
    assert calls and all(m["content"] is None for m in calls)
    assert all(isinstance(c["function"]["arguments"], str) for m in calls for c in m["tool_calls"])


def test_trl_format_parses_tool_call_arguments(edge_ws, tmp_path):
    ws, _ = edge_ws
    export(ws, tmp_path / "t", target="trl")
    calls = [
        c
        for ln in read_jsonl(tmp_path / "t" / "train.jsonl")
        for m in ln["messages"]
        for c in m.get("tool_calls", [])
    ]
    args = [(c["function"]["name"], c["function"]["arguments"]) for c in calls]
    assert sorted(args, key=str) == sorted(
        [
            ("get_order_status", {"order_id": "BH-381650"}),
            ("get_order_status", {"order_id": "BH-2"}),
            ("get_weather", {"city": "Leeds", "days": 2}),
        ],
        key=str,
    )


def test_trailing_weight0_is_cut_only_for_trainers_without_a_mask(edge_ws, tmp_path):
    ws, _ids = edge_ws
    lf = export(ws, tmp_path / "lf", target="llamafactory", skip_invalid=True)
    assert (
        lf["fixes"]["untrained_tail_cut_records"] == 1
        and lf["fixes"]["untrained_tail_cut_messages"] == 2
    )
    conv = next(
        ln["conversations"]
        for ln in read_jsonl(tmp_path / "lf" / "train.jsonl")
        if "Ireland" in json.dumps(ln)
    )
    assert [t["from"] for t in conv] == [
        "human",
        "gpt",
    ]  # "And to Iceland?" + the weight-0 reply cut
    assert any(
        "1 weight-0 assistant messages in 1 records" in n and "LLaMA-Factory will train them" in n
        for n in lf["trainer_notes"]
    )
    ax = export(ws, tmp_path / "ax", target="axolotl")
    assert ax["fixes"]["untrained_tail_cut_records"] == 0 and ax["trainer_notes"] == [
        n for n in ax["trainer_notes"] if "weight-0" not in n
    ]
    assert "message_field_training: weight" in (tmp_path / "ax" / "axolotl.yaml").read_text()


def test_snippets_use_relative_paths_and_declare_only_present_columns(edge_ws, tmp_path):
    ws, _ = edge_ws
    out = tmp_path / "lf"
    export(ws, out, target="llamafactory", split=0.3, skip_invalid=True)
    info = json.loads((out / "dataset_info.json").read_text())
    assert {e["file_name"] for e in info.values()} == {"train.jsonl", "validation.jsonl"}
    for split in (
        "train",
        "validation",
    ):  # tools declared exactly where a row of that file has them
        has = any("tools" in ln for ln in read_jsonl(out / f"{split}.jsonl"))
        assert ("tools" in info[f"curator_{split}"]["columns"]) == has
    assert "dataset_dir: ." in (out / "llamafactory_sft.yaml").read_text()
    ax = yaml.safe_load((out / "axolotl.yaml").read_text())
    assert [d["path"] for d in ax["datasets"] + ax["test_datasets"]] == [
        "train.jsonl",
        "validation.jsonl",
    ]
    snippet_text = "".join(
        p.read_text()
        for p in out.iterdir()
        if p.suffix in (".json", ".yaml") and p.name != "manifest.json"
    )
    assert str(tmp_path) not in snippet_text
    # without tool definitions no tools column is declared (LLaMA-Factory would fail every row)
    plain = tmp_path / "plain"
    review.reject(ws, [edge_ws[1]["tool_call"], edge_ws[1]["parallel_tool_calls"]], reason="test")
    export(ws, plain, format="sharegpt")
    assert json.loads((plain / "dataset_info.json").read_text())["curator_train"]["columns"] == {
        "messages": "conversations"
    }


def test_openai_export_with_tool_calls_names_why_llamafactory_gets_no_entry(edge_ws, tmp_path):
    ws, _ = edge_ws
    manifest = export(ws, tmp_path / "o")
    assert not (tmp_path / "o" / "dataset_info.json").exists()
    assert "llamafactory" not in manifest["snippets"]
    assert any(
        n.startswith("No dataset_info.json (LLaMA-Factory): 2 record(s) have tool calls")
        for n in manifest["trainer_notes"]
    )


@pytest.mark.parametrize("fmt", ["openai", "sharegpt", "hf", "parquet", "trl"])
def test_card_header_lets_datasets_pick_the_splits_after_a_move(edge_ws, tmp_path, fmt):
    import datasets

    ws, _ids = edge_ws
    out = tmp_path / "out"
    manifest = export(ws, out, format=fmt, split=0.3, skip_invalid=True)
    text = (out / "README.md").read_text()
    header = yaml.safe_load(text.split("---\n")[1])
    from huggingface_hub import DatasetCard

    card = DatasetCard(text)  # the Hub's own parser reads the header
    assert card.data.to_dict()["configs"] == header["configs"] and "## Splits" in card.text
    assert header["size_categories"] == ["n<1K"] and header["task_categories"] == [
        "text-generation"
    ]
    assert [f["split"] for f in header["configs"][0]["data_files"]] == ["train", "validation"]
    moved = tmp_path / "elsewhere" / "copy"
    shutil.copytree(out, moved)
    shutil.rmtree(out)
    ds = datasets.load_dataset(str(moved), cache_dir=str(tmp_path / "cache"))
    assert {k: v.num_rows for k, v in ds.items()} == manifest["counts"]
    str(ds["train"].features)  # printing works (plain list/string types)
    assert "large" not in str(ds["train"].data.schema)


def test_cli_target_export_writes_its_config(edge_ws, tmp_path, capsys):
    ws, _ = edge_ws
    out = tmp_path / "cli"
    assert (
        main(
            [
                "export",
                "-w",
                str(ws.path),
                "-o",
                str(out),
                "--target",
                "llamafactory",
                "--skip-invalid",
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "as sharegpt" in text and "llamafactory_sft.yaml (llamafactory_train)" in text
    assert "opening moved to the system prompt" in text
    assert (
        main(
            [
                "export",
                "-w",
                str(ws.path),
                "-o",
                str(tmp_path / "f"),
                "--target",
                "llamafactory",
                "--format",
                "openai",
            ]
        )
        == 0
    )
    assert "as openai" in capsys.readouterr().out
