"""Small self-written preference files for the preference tests (no shared data)."""

from __future__ import annotations

import json
from pathlib import Path

from curator.core.ingest.job import import_job
from curator.core.ingest.options import ImportOptions
from curator.core.jobs import run_job
from curator.core.workspace import Workspace

OPENAI_PAIR = {
    "input": {"messages": [{"role": "user", "content": "What is 2+2?"}]},
    "preferred_output": [{"role": "assistant", "content": "4"}],
    "non_preferred_output": [{"role": "assistant", "content": "5"}],
}
STRING_PAIR = {"prompt": "Capital of France?", "chosen": "Paris.", "rejected": "Lyon."}
MESSAGE_PAIR = {
    "prompt": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
    "chosen": [{"role": "assistant", "content": "Hello!"}],
    "rejected": [{"role": "assistant", "content": "Go away."}],
    "source_id": 7,
}
IMPLICIT_PAIR = {
    "chosen": [
        {"role": "user", "content": "Sky colour?"},
        {"role": "assistant", "content": "Blue."},
    ],
    "rejected": [
        {"role": "user", "content": "Sky colour?"},
        {"role": "assistant", "content": "Green."},
    ],
}
GOOD = [OPENAI_PAIR, STRING_PAIR, MESSAGE_PAIR, IMPLICIT_PAIR]


def write_jsonl(path: Path, objs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(o) + "\n" for o in objs), encoding="utf-8")
    return path


def pair_workspace(tmp_path: Path, objs: list[dict] | None = None) -> Workspace:
    src = write_jsonl(tmp_path / "pairs.jsonl", GOOD if objs is None else objs)
    ws = Workspace.open(tmp_path / "pairs.curator", create=True)
    run_job(import_job(ws, [src], ImportOptions()))
    return ws
