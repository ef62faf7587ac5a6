"""Real trainers load Curator's exports as meant (marker ``consumers``; not in the default run).

Each trainer runs in its own venv (``.ci/consumers.sh`` builds them from PyPI; their pins
differ) through a checker script in this folder; this test exports the generated edge
cases and the bundled sample data, moves the folder elsewhere, runs the checker there and
compares what the trainer read and trains on with the exported records. A cell a trainer
cannot read as meant must be a named, counted refusal in the manifest instead.

Run: ``bash .ci/consumers.sh`` (build venvs + run), or with venvs built:
``CURATOR_CONSUMER_VENVS=.ci/consumer-venvs pytest -m consumers tests/consumers``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from export_edge_cases import add_edge_cases
from test_export_support import export

from curator.cli.main import main
from curator.core import review

pytestmark = pytest.mark.consumers
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
VENVS = Path(os.environ.get("CURATOR_CONSUMER_VENVS", REPO / ".ci" / "consumer-venvs"))
REQUIRED = os.environ.get("CURATOR_CONSUMERS_REQUIRED") == "1"
CHATS = ("openai", "hf", "parquet", "trl")


def _python(venv: str) -> Path:
    py = VENVS / venv / "bin" / "python"
    if not py.exists():
        if REQUIRED:
            pytest.fail(f"consumer venv {py} is missing; build it with bash .ci/consumers.sh")
        pytest.skip(f"consumer venv {py} not built (bash .ci/consumers.sh builds it)")
    return py


def _run_many(venv: str, checker: str, cells: list[tuple[Path, Path]]) -> list[dict[str, Any]]:
    """Run one checker process over several export folders (the trainer is imported once)."""
    env = {
        **os.environ,
        "HF_DATASETS_OFFLINE": "1",
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": str(HERE),
        "TOKENIZERS_PARALLELISM": "false",
    }
    args = [str(x) for folder, work in cells for x in (folder, work)]
    proc = subprocess.run(
        [str(_python(venv)), str(HERE / checker), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if proc.returncode:
        pytest.fail(f"{checker} failed:\n{proc.stderr[-4000:]}")
    return [json.loads((work / "result.json").read_text()) for _, work in cells]


def _moved(out: Path, tmp: Path) -> Path:
    """The export folder copied to another place and the original removed."""
    dest = tmp / "training-machine" / out.name
    shutil.copytree(out, dest)
    shutil.rmtree(out)
    return dest


def _rows(folder: Path, fmt: str, split: str) -> list[dict[str, Any]]:
    """The exported rows of a split, as plain Python (read without the trainers)."""
    if fmt == "hf":
        import datasets

        return list(datasets.load_from_disk(str(folder / "dataset" / split)))
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return pq.read_table(folder / f"{split}.parquet").to_pylist()
    if fmt == "alpaca":
        return json.loads((folder / f"{split}.json").read_text())
    return [json.loads(x) for x in (folder / f"{split}.jsonl").read_text().splitlines()]


def _messages(row: dict[str, Any], fmt: str) -> list[dict[str, Any]]:
    """role/content/weight per message, ShareGPT and Alpaca mapped back to roles."""
    if fmt == "alpaca":
        out = [{"role": "system", "content": row["system"]}] if row.get("system") else []
        return [
            *out,
            {"role": "user", "content": row["instruction"]},
            {"role": "assistant", "content": row["output"]},
        ]
    if fmt == "sharegpt":
        back = {
            "human": "user",
            "gpt": "assistant",
            "function_call": "function",
            "tool": "tool",
            "system": "system",
        }
        return [
            {"role": back[t["from"]], "content": t["value"], "weight": t.get("weight")}
            for t in row["conversations"]
        ]
    return [
        {k: m.get(k) for k in ("role", "content", "weight", "tool_calls")} for m in row["messages"]
    ]


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two approved workspaces: generated edge cases, and the whole sample_data."""
    from curator.core.workspace import Workspace

    root = tmp_path_factory.mktemp("ws")
    edge = Workspace.open(root / "edge.curator", create=True)
    review.approve(edge, list(add_edge_cases(edge).values()))
    data, ws = REPO / "sample_data", str(root / "sample.curator")
    for name in ("chats_openai.jsonl", "sharegpt.json", "alpaca.json", "transcripts"):
        assert main(["import", str(data / name), "-w", ws, "-q"]) == 0
    assert (
        main(
            [
                "import",
                str(data / "helpdesk_export.csv"),
                "-w",
                ws,
                "-q",
                "--conversation-column",
                "ticket_id",
                "--speaker-column",
                "author_type",
                "--text-column",
                "message",
                "--time-column",
                "timestamp",
            ]
        )
        == 0
    )
    sample = Workspace.open(ws)
    review.approve(sample, sample.records().get_column("id").to_list())
    return {"edge": edge, "sample": sample}


def _export(ws: Any, tmp: Path, fmt: str, target: str | None = None) -> tuple[Path, dict[str, Any]]:
    out = tmp / f"export-{fmt}-{target}"
    manifest = export(ws, out, format=fmt, target=target, split=0.25, skip_invalid=True)
    refused = manifest["invalid"]["records"]
    # a refusal is named and counted: every left-out record has a kind and a reason
    assert manifest["invalid"]["skipped"] == len({r["id"] for r in refused})
    assert all(r["kind"] and r["detail"] for r in refused)
    return _moved(out, tmp), manifest


def _trained_contents(msgs: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Assistant texts that should carry a loss, and those with weight 0."""
    a = [m for m in msgs if m["role"] == "assistant" and m.get("content")]
    return [m["content"] for m in a if m.get("weight") != 0], [
        m["content"] for m in a if m.get("weight") == 0
    ]


LF_CELLS = [
    (w, f, t)
    for w in ("edge", "sample")
    for f, t in (("sharegpt", "llamafactory"), ("sharegpt", None), ("alpaca", None))
]
LF_NO_TOOLS = [("edge-no-tools", f, None) for f in ("openai", "hf", "parquet")]
TRL_CELLS = [("edge", "trl", "trl"), ("sample", "trl", "trl"), ("edge-no-tools", "hf", None)]
AXOLOTL_CELLS = [
    (w, f, t)
    for w in ("edge", "sample")
    for f, t in (
        ("openai", "axolotl"),
        ("sharegpt", None),
        ("alpaca", None),
        ("parquet", None),
        ("hf", None),
        ("trl", None),
    )
]
REFUSALS = [("sample", f, None) for f in ("openai", "hf", "parquet", "trl", "sharegpt", "alpaca")]


@pytest.fixture(scope="module")
def cells(sources, tmp_path_factory) -> dict[tuple[str, str, str | None], dict[str, Any]]:
    """Every export of the matrix (moved after writing), and what each trainer read from it."""
    tmp = tmp_path_factory.mktemp("cells")
    out: dict[tuple[str, str, str | None], dict[str, Any]] = {}
    edge = sources["edge"]
    recs = edge.records()
    calls = [
        i
        for i, m in zip(
            recs.get_column("id").to_list(), recs.get_column("messages").to_list(), strict=True
        )
        if any(x["tool_calls"] for x in m)
    ]
    for key in dict.fromkeys(LF_CELLS + TRL_CELLS + AXOLOTL_CELLS + REFUSALS + LF_NO_TOOLS):
        which, fmt, target = key
        if which == "edge-no-tools":
            review.reject(edge, calls, reason="tool calls: exported for LLaMA-Factory as ShareGPT")
        try:
            folder, manifest = _export(
                sources[which.split("-")[0]], tmp / "-".join(map(str, key)), fmt, target
            )
        finally:
            if which == "edge-no-tools":
                review.approve(edge, calls)
        out[key] = {
            "folder": folder,
            "manifest": manifest,
            "work": tmp / ("work-" + "-".join(map(str, key))),
        }
    for venv, checker, keys in (
        ("llamafactory", "check_llamafactory.py", LF_CELLS + LF_NO_TOOLS),
        ("trl", "check_trl.py", TRL_CELLS),
        ("axolotl", "check_axolotl.py", AXOLOTL_CELLS),
    ):
        runnable = [
            k for k in keys if venv != "trl" or (out[k]["folder"] / "trl_sft.yaml").exists()
        ]
        results = _run_many(
            venv, checker, [(out[k]["folder"], out[k]["work"] / venv) for k in runnable]
        )
        for k, r in zip(runnable, results, strict=True):
            out[k][venv] = r
    return out


# --- LLaMA-Factory -------------------------------------------------------------------


@pytest.mark.parametrize("key", LF_CELLS + LF_NO_TOOLS, ids=str)
def test_llamafactory_reads_every_record_as_exported(cells, key):
    _, fmt, target = key
    cell = cells[key]
    folder, manifest, got = cell["folder"], cell["manifest"], cell["llamafactory"]
    assert got["sft_rows"] == manifest["counts"]  # get_dataset kept every row
    for split in manifest["counts"]:
        rows = _rows(folder, fmt, split)
        assert len(got["aligned"][split]) == len(rows)
        for row, lf in zip(rows, got["aligned"][split], strict=True):
            msgs = _messages(row, fmt)
            system = next((m["content"] for m in msgs if m["role"] == "system"), "")
            turns = [
                [
                    (
                        "function"
                        if m["role"] == "function"
                        else "observation"
                        if m["role"] == "tool"
                        else m["role"]
                    ),
                    m["content"],
                ]
                for m in msgs
                if m["role"] != "system"
            ]
            assert [lf["turns"][0][0], lf["turns"][0][1] or ""] == [
                "system",
                system,
            ]  # system prompt kept
            assert lf["turns"][1:] == turns  # same turns, same text, roles mapped
    if (
        fmt == "hf"
    ):  # datasets 4.0 (LLaMA-Factory's pin) prints it: plain list/string types, no LargeList
        assert set(got["hf_printed"]) == set(manifest["counts"])
        assert all("Large" not in text for text in got["hf_printed"].values())
    if target == "llamafactory" and key[0] == "edge":
        assert manifest["fixes"]["untrained_tail_cut_records"] == 1
        assert any("LLaMA-Factory will train them" in n for n in manifest["trainer_notes"])


@pytest.mark.parametrize("fmt", ["openai", "hf", "parquet", "trl"])
def test_llamafactory_openai_shapes_with_tool_calls_are_a_named_refusal(cells, fmt):
    cell = cells[("sample", fmt, None)]
    folder, manifest = cell["folder"], cell["manifest"]
    assert not (folder / "dataset_info.json").exists()
    note = [
        n for n in manifest["trainer_notes"] if n.startswith("No dataset_info.json (LLaMA-Factory)")
    ]
    assert note and "1 record(s) have tool calls" in note[0] and "--target llamafactory" in note[0]
    assert f"- {note[0]}" in (folder / "README.md").read_text()


# --- TRL -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", TRL_CELLS, ids=str)
def test_trl_trains_every_record_with_parsed_tool_calls(cells, key):
    _, fmt, _ = key
    cell = cells[key]
    folder, manifest, got = cell["folder"], cell["manifest"], cell["trl"]
    assert {s: v["rows"] for s, v in got.items()} == manifest["counts"]
    for split in manifest["counts"]:
        for row, trained, text in zip(
            _rows(folder, fmt, split), got[split]["trained"], got[split]["text"], strict=True
        ):
            for m in _messages(row, fmt):
                if m["role"] == "system":
                    assert m["content"] in text  # system prompt kept
                if m["role"] == "assistant" and m.get("content"):
                    assert m["content"] in trained  # assistant turns carry the loss
                if m["role"] == "user":
                    assert m["content"] not in trained  # prompts do not
                for call in m.get("tool_calls") or []:
                    args = call["function"]["arguments"]
                    args = args if isinstance(args, dict) else json.loads(args)
                    assert (
                        json.dumps(args, ensure_ascii=False) in trained
                    )  # parsed, not double-encoded
    if key[0] == "edge":
        assert any("TRL" in n and "will train them" in n for n in manifest["trainer_notes"])


@pytest.mark.parametrize("fmt", ["openai", "sharegpt", "alpaca", "parquet", "hf"])
def test_trl_cells_it_cannot_read_as_meant_are_named(cells, fmt):
    cell = cells[("sample", fmt, None)]
    assert not (cell["folder"] / "trl_sft.yaml").exists()
    assert any(
        n.startswith("No trl_sft.yaml (TRL)") and "--target trl" in n
        for n in cell["manifest"]["trainer_notes"]
    )


# --- axolotl ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", AXOLOTL_CELLS, ids=str)
def test_axolotl_masks_weight0_and_keeps_system_prompts(cells, key):
    _, fmt, _ = key
    cell = cells[key]
    folder, manifest, got = cell["folder"], cell["manifest"], cell["axolotl"]
    assert [d["rows"] for d in got["datasets"]] == list(manifest["counts"].values())
    for split, d in zip(manifest["counts"], got["datasets"], strict=True):
        for row, trained, text in zip(
            _rows(folder, fmt, split), d["trained"], d["text"], strict=True
        ):
            msgs = _messages(row, fmt)
            keep, zero = _trained_contents(msgs)
            assert all(c in trained for c in keep)
            assert not any(
                c in trained for c in zero if all(c not in k for k in keep)
            )  # weight 0: masked
            assert all(
                m["content"] in text for m in msgs if m["role"] == "system"
            )  # system prompt kept
