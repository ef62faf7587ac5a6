"""OpenAI preference JSONL: the vectorised path gives exactly what the per-line converter gives.

Awkward pairs (an empty prompt, a prompt ending with the assistant, answers that are
not one non-blank assistant message, text answers, content parts, weights, names,
tools in the input, extra fields of every type, missing and duplicate keys, key
order, unicode and escapes, lone surrogates, deep nesting, bad JSON) are read by
``regular.openai_pairs`` (through ``columnar.jsonl_batch``) and with
``jsonl.FORCE_PER_LINE``; records (with the rejected answer), quarantine and keys
must match.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from curator.core import records as R
from curator.core.ingest import jsonl, regular
from curator.core.ingest.columnar import jsonl_batch
from curator.core.ingest.options import ImportOptions
from curator.core.ingest.pipeline import finalize

TEXTS = ["hi", "", "  ", 'say "x": 1, {"role": 2}', "a \\ b", "é😀 中文", "] } , [", "t\tn\n"]


def _m(rng: random.Random, role: str) -> dict[str, Any]:
    m: dict[str, Any] = {"role": role, "content": rng.choice(TEXTS[:1] + TEXTS[3:])}
    if rng.random() < 0.2:
        m["weight"] = rng.choice([0, 1])
    if rng.random() < 0.1:
        m["name"] = "ann"
    return m


def _pair(rng: random.Random, edges: float) -> str:
    prompt = [_m(rng, rng.choice(["system", "user"])) for _ in range(rng.randint(0, 2))]
    prompt.append(_m(rng, "user"))
    obj: dict[str, Any] = {
        "input": {"messages": prompt},
        "preferred_output": [_m(rng, "assistant")],
        "non_preferred_output": [_m(rng, "assistant")],
        "id": rng.randrange(100),
    }
    if rng.random() >= edges:
        return json.dumps(obj, ensure_ascii=rng.random() < 0.3)
    side = rng.choice(["preferred_output", "non_preferred_output"])
    kind = rng.randrange(22)
    if kind == 0:
        obj["input"]["messages"] = []
    elif kind == 1:
        obj["input"]["messages"].append(_m(rng, "assistant"))
    elif kind == 2:
        obj[side][0]["role"] = rng.choice(["user", None, 3])
    elif kind == 3:
        del obj[side][0]["role"]
    elif kind == 4:
        obj[side] = obj[side] * rng.choice([0, 2])
    elif kind == 5:
        obj[side] = rng.choice(["text answer", "", None, 5, {}])
    elif kind == 6:
        obj[side][0]["content"] = rng.choice(["", "  \n", None, 4, [{"type": "text", "text": "p"}]])
    elif kind == 7:
        obj[side][0]["weight"] = rng.choice([2, 1.0, True, None])
    elif kind == 8:
        obj[side][0]["name"] = rng.choice([1, None, "bob"])
    elif kind == 9:
        obj["input"]["tools"] = [{"type": "function"}]
    elif kind == 10:
        obj["id"] = rng.choice([1.5, None, "s", True, 10**20, {"a": 1}, [1]])
    elif kind == 11:
        del obj["id"]
    elif kind == 12:
        obj = dict(reversed(list(obj.items())))
    elif kind == 13:
        return json.dumps(obj)[:-1] + ', "id": 7}'
    elif kind == 14:
        return json.dumps(obj).replace('"content": ', '"content": "dup", "content": ', 1)
    elif kind == 15:
        return json.dumps(obj)[:-1] + ', "lone": "\\udc00"}'
    elif kind == 16:
        obj["deep"] = json.loads("[" * 70 + "]" * 70)
    elif kind == 17:
        return json.dumps(obj)[:-3]
    elif kind == 18:
        return rng.choice(["[1]", "3", "null", '"x"'])
    elif kind == 19:
        obj["input"]["messages"][0]["role"] = None
    elif kind == 20:
        obj[side][0]["tool_calls"] = [{"id": "c"}]
    elif kind == 21:
        obj["prompt"] = "p"  # the OpenAI shape still wins
    return json.dumps(obj)


def _read(path: Path, force: bool) -> tuple[Any, Any, Any]:
    opts = ImportOptions()
    jsonl.FORCE_PER_LINE = force
    try:
        chunks = list(jsonl.read_jsonl(path, "preference", opts))
    finally:
        jsonl.FORCE_PER_LINE = False
    done = [finalize(c, opts, source="s", source_path="s", identity="x") for c in chunks]
    records = pl.concat([d.records for d in done]).sort("line")
    return records.to_dicts(), sorted(q for d in done for q in d.quarantine), chunks[-1].columns


@pytest.mark.parametrize("edges", [0.03, 0.3])
@pytest.mark.parametrize("seed", range(3))
def test_awkward_openai_pairs_match_the_per_line_converter(
    tmp_path: Path, seed: int, edges: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    lines = [_pair(rng, edges) for _ in range(1500)]
    path = tmp_path / "p.jsonl"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass") + b"\n")
    monkeypatch.setattr(regular, "_MIN_SPLIT", 8)  # bad JSON lines: small ranges go per line
    per_line = jsonl._python_lines
    alone: list[int] = []

    def counted(chunk: Any, idx: Any, *rest: Any) -> Any:
        alone.extend(idx.tolist())
        return per_line(chunk, idx, *rest)

    monkeypatch.setattr(jsonl, "_python_lines", counted)
    fast = _read(path, force=False)
    if edges < 0.1:  # most lines took the vectorised path
        assert len(alone) < 0.7 * len(lines)
    slow = _read(path, force=True)
    assert fast[1] == slow[1]
    assert fast[0] == slow[0]
    assert fast[2] == slow[2]
    assert len(fast[0]) > 500
    assert all(r[R.REJECTED_ANSWER]["role"] == "assistant" for r in fast[0])


def test_regular_openai_pairs_take_the_polars_path() -> None:
    """Guards the comparison above: regular pairs are not all sent line by line."""
    lines = [
        '{"input": {"messages": [{"role": "user", "content": "q"}]}, '
        '"preferred_output": [{"role": "assistant", "content": "a", "weight": 1}], '
        '"non_preferred_output": [{"role": "assistant", "content": "b"}], "id": 1}',
        '{"input":{"messages":[{"role":"system","content":"s"},{"content":"q \\"x\\"","role":"user"}]},'
        '"preferred_output":[{"role":"assistant","name":"n","content":"a"}],'
        '"non_preferred_output":[{"role":"assistant","content":"b"}],"id":null}',
    ]
    batch = jsonl_batch("\n".join(lines).encode(), lines, np.arange(1, 3), "preference")
    assert batch is not None
    assert not batch[1].any()
    assert batch[0].height == 2
