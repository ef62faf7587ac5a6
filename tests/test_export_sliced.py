"""The line formats are exported part by part (``export.sliced``): same files, same manifest.

The sliced path never builds a frame of messages; the whole-frame path it replaced is
the reference (line formats: the same bytes; Parquet and ``datasets``: the same
tables, read back with pyarrow and ``datasets`` themselves). Both run on
a workspace of several parts holding what the plan's steps act on: reviewer edits,
agent-first openings (moved), an opening tool call (refused), weight-0 tails (cut
for some targets), tool definitions, system prompts, duplicates and rejections.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pref_helpers import GOOD, write_jsonl
from test_export_support import TOOL_CALLS, add_records, qa, write_clusters

from curator.core import records as R
from curator.core import review
from curator.core.errors import CuratorError
from curator.core.export import ExportOptions
from curator.core.export.job import _export_job
from curator.core.export.options import HF_FOLDER
from curator.core.ingest.job import import_job
from curator.core.ingest.options import ImportOptions
from curator.core.jobs import run_job
from curator.core.workspace import Workspace

M = R.message


def _conversations(tag: str, n: int) -> list[list[dict[str, Any]]]:
    convs = []
    for i in range(n):
        kind = i % 6
        if kind == 0:
            convs.append(qa(i, tag))
        elif kind == 1:  # agent-first: the greeting moves to the system prompt
            convs.append(
                [M("assistant", f"Hi, how can I help {tag}{i}?"), *qa(i, tag)]
            )
        elif kind == 2:  # an opening tool call cannot be moved: refused
            convs.append(
                [M("assistant", None, tool_calls=json.dumps(TOOL_CALLS)), *qa(i, tag)]
            )
        elif kind == 3:  # a weight-0 tail after the last trained reply
            convs.append(
                [
                    M("system", "You are a support agent."),
                    *qa(i, tag),
                    M("user", "thanks"),
                    M("assistant", f"You are welcome {i}, goodbye for now and take care.", weight=0),
                ]
            )
        elif kind == 4:  # multi-turn: invalid as Alpaca
            convs.append([*qa(i, tag), *qa(i + 1000, tag)])
        else:  # the same prompt as record 0 of this part: a prompt link for the split
            convs.append(qa(0, tag))
    return convs


@pytest.fixture
def parts(workspace: Workspace) -> Workspace:
    a = add_records(workspace, _conversations("a", 36), source="a.jsonl")
    b = add_records(workspace, _conversations("b", 30), source="b.jsonl")
    c = add_records(workspace, _conversations("c", 6), source="c.jsonl")
    review.edit_message(workspace, a[0], 1, "An edited answer that is longer than the one imported.")
    review.edit_message(workspace, b[7], 0, "Hello, I edited the opening of this one.")
    review.reject(workspace, c, "test")  # a part with nothing selected
    review.reject(workspace, [a[3], b[4]], "test")
    write_clusters(workspace, [(a[6], "k1", None), (b[6], "k1", a[6]), (a[12], "k2", None), (a[18], "k2", None)])
    return workspace


def _export(ws: Workspace, out: Path, sliced: bool, **kw: Any) -> tuple[dict[str, Any], dict[str, bytes]]:
    options = ExportOptions(output_dir=out, include="passing", **kw)
    manifest = run_job(_export_job(ws, options, None, sliced=sliced))
    files = {
        p.name: p.read_bytes()
        for p in sorted(out.iterdir())
        if p.is_file() and p.name not in ("manifest.json", "README.md")
    }
    return manifest, files


def _comparable(manifest: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in manifest.items() if k not in ("created_at", "curator_signature")}


@pytest.mark.parametrize(
    ("fmt", "target", "split"),
    [
        ("openai", None, None),
        ("openai", None, 0.3),
        ("sharegpt", None, 0.3),
        ("trl", None, 0.25),
        ("alpaca", None, 0.3),
        (None, "axolotl", 0.3),
        (None, "llamafactory", None),
        (None, "trl", 0.3),
    ],
)
def test_sliced_export_writes_what_the_whole_frame_path_writes(
    parts: Workspace, tmp_path: Path, fmt: str | None, target: str | None, split: float | None
) -> None:
    kw: dict[str, Any] = {"format": fmt, "target": target, "split": split, "seed": 7, "skip_invalid": True}
    whole, whole_files = _export(parts, tmp_path / "whole", False, **kw)
    sliced, sliced_files = _export(parts, tmp_path / "sliced", True, **kw)
    assert whole_files == sliced_files
    assert _comparable(whole) == _comparable(sliced)
    # the workspace holds what each step acts on, so the comparison covers them
    assert sliced["invalid"]["skipped"] >= 11  # the opening tool calls (and multi-turn for alpaca)
    assert sliced["fixes"]["agent_first_moved_to_system"] > 0
    if target in ("llamafactory", "trl"):
        assert sliced["fixes"]["untrained_tail_cut_records"] > 0
    if split:
        leak = sliced["split"]["leakage"]
        assert leak["prompts_spanning_both"] == 0
        assert leak["grouped"]["records_by_link"]["prompt"] > 0


def test_sliced_export_refuses_invalid_records_with_the_same_message(
    parts: Workspace, tmp_path: Path
) -> None:
    messages = []
    for sliced in (False, True):
        with pytest.raises(CuratorError) as err:
            _export(parts, tmp_path / f"out{sliced}", sliced, format="alpaca")
        messages.append(str(err.value))
        assert not (tmp_path / f"out{sliced}").exists()
    assert messages[0] == messages[1]
    assert "not_single_turn" in messages[1] and "31 record(s)" in messages[1]


def test_sliced_export_never_reads_the_messages_into_one_frame(
    parts: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[list[str] | None] = []
    records = Workspace.records

    def spy(self: Workspace, columns: Any = None) -> Any:
        reads.append(None if columns is None else list(columns))
        return records(self, columns)

    def no_frame(self: Workspace) -> Any:
        raise AssertionError("the sliced export built the whole frame")

    monkeypatch.setattr(Workspace, "records", spy)
    monkeypatch.setattr(Workspace, "frame", no_frame)
    manifest, files = _export(parts, tmp_path / "out", True, split=0.3, skip_invalid=True)
    assert files["train.jsonl"] and files["validation.jsonl"]
    assert manifest["counts"]["train"] + manifest["counts"]["validation"] > 40
    assert reads and all(cols == [R.ID] for cols in reads)


def _tables(out: Path, fmt: str) -> dict[str, Any]:
    """Each split's rows and Arrow schema, read by the library a trainer would use."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        got = {p.stem: pq.read_table(p) for p in sorted(out.glob("*.parquet"))}
        return {k: (t.schema, t.to_pylist()) for k, t in got.items()}
    import datasets

    data = datasets.load_from_disk(str(out / HF_FOLDER))
    return {k: (d.features, d.to_list()) for k, d in data.items()}


@pytest.mark.parametrize("fmt", ["parquet", "hf"])
def test_sliced_tables_hold_what_the_whole_frame_path_writes(
    parts: Workspace, tmp_path: Path, fmt: str
) -> None:
    kw: dict[str, Any] = {"format": fmt, "split": 0.3, "seed": 7, "skip_invalid": True}
    whole, _ = _export(parts, tmp_path / "whole", False, **kw)
    sliced, _ = _export(parts, tmp_path / "sliced", True, **kw)
    assert _comparable(whole) == {
        **_comparable(sliced),
        "files": whole["files"],  # the same rows in other row groups / record batches
    }
    got = _tables(tmp_path / "sliced", fmt)
    assert got == _tables(tmp_path / "whole", fmt)
    assert sum(len(rows) for _, rows in got.values()) == sum(sliced["counts"].values()) > 40
    if fmt == "hf":  # nothing but the dataset folder, manifest and card is published
        assert sorted(p.name for p in (tmp_path / "sliced").iterdir()) == sorted(
            p.name for p in (tmp_path / "whole").iterdir()
        )


@pytest.mark.parametrize("style", ["openai", "trl"])
def test_sliced_preference_pairs_are_the_whole_frame_lines(
    tmp_path: Path, style: str
) -> None:
    ws = Workspace.open(tmp_path / "pairs.curator", create=True)
    for k in range(3):  # three parts; the chats among them are refused as not_a_pair
        objs = [{**o, "tag": f"{k}-{i}"} for i, o in enumerate(GOOD * 4)]
        src = write_jsonl(tmp_path / f"pairs{k}.jsonl", objs)
        chat = write_jsonl(tmp_path / f"chat{k}.jsonl", [{"messages": qa(k, "chat")}])
        run_job(import_job(ws, [src, chat], ImportOptions()))
    kw: dict[str, Any] = {
        "format": "preference",
        "preference_style": style,
        "split": 0.25,
        "seed": 3,
        "skip_invalid": True,
    }
    whole, whole_files = _export(ws, tmp_path / "whole", False, **kw)
    sliced, sliced_files = _export(ws, tmp_path / "sliced", True, **kw)
    assert whole_files == sliced_files
    assert _comparable(whole) == _comparable(sliced)
    assert sliced["invalid"]["skipped"] == 3
    assert sum(sliced["counts"].values()) == 48
