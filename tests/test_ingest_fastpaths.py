"""The import's fast paths give exactly what the slow, obviously-right paths give.

Generated JSON lines with the edge cases the raw-text checks exist for (keys inside
strings, escaped quotes, missing vs null keys, key order, duplicate keys, floats where
integers were seen, odd whitespace, turns with other keys or content before role) are
read by the vectorised reader and by the per-line converter; records and quarantine
must match. The bracket guard and the line reader are checked against direct counts.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from curator.core.ingest import jsonl
from curator.core.ingest.columnar import jsonl_batch
from curator.core.ingest.guards import MAX_DEPTH, pathological_lines
from curator.core.ingest.lines import iter_line_chunks
from curator.core.ingest.options import ImportOptions
from curator.core.ingest.pipeline import finalize

TEXTS = [
    "hi",
    "",
    "  ",
    'say \\"id\\": 3, {\\"from\\": 1}',
    'a \\\\\\" b',
    "\\u00e9\\ud83d\\ude00",
    "brace } and ] and , inside",
    '\\"value\\": \\"x\\"',
]


def _text(rng: random.Random) -> str:
    return '"' + rng.choice(TEXTS) + '"'


def _space(rng: random.Random) -> str:
    return rng.choice(["", " ", "  ", "\t", " \t "])


def _obj(pairs: list[tuple[str, str]], rng: random.Random) -> str:
    s = _space(rng)
    body = f"{s},{s}".join(f'"{k}"{s}:{_space(rng)}{v}' for k, v in pairs)
    return "{" + s + body + s + "}"


LINE_EDGES = ["order", "missing", "duplicate", "float", "nested", "null"]
TURN_EDGES = ["content-first", "no-content", "other-key", "null-content", "null-role", "number"]


def _turns(rng: random.Random, role: str, content: str, speakers: list[str], edge: str) -> str:
    out = []
    for _ in range(rng.randint(0, 3)):
        pairs = [(role, f'"{rng.choice(speakers)}"'), (content, _text(rng))]
        if rng.random() < 0.2:
            if edge == "content-first":
                pairs.reverse()
            elif edge == "no-content":
                pairs = pairs[:1]
            elif edge == "other-key":
                pairs.append(("weight", "1"))
            elif edge == "null-content":
                pairs[1] = (content, "null")
            elif edge == "null-role":
                pairs[0] = (role, "null")
            elif edge == "number":
                pairs[1] = (content, "5")
        out.append(_obj(pairs, rng))
    return "[" + ", ".join(out) + "]"


def _line(rng: random.Random, shape: str, edge: str) -> str:
    if shape == "sharegpt":
        turns = _turns(rng, "from", "value", ["human", "gpt", "system"], edge)
        pairs = [("conversations", turns), ("system", rng.choice([_text(rng), "null"]))]
    elif shape == "json":
        pairs = [("dialog", _turns(rng, "speaker", "text", ["user", "assistant"], edge))]
    elif shape == "alpaca":
        pairs = [("instruction", _text(rng)), ("input", _text(rng)), ("output", _text(rng))]
        pairs.append(("system", rng.choice([_text(rng), "null"])))
    else:  # DPO pairs
        pairs = [("prompt", _text(rng)), ("chosen", _text(rng)), ("rejected", _text(rng))]
    pairs.append(("id", rng.choice(["1", "-20", "3"])))
    pairs.append(("ok", rng.choice(["true", "false"])))
    if rng.random() < 0.1:
        if edge == "order":
            pairs.reverse()
        elif edge == "missing":
            pairs.pop(rng.randrange(len(pairs)))
        elif edge == "duplicate":
            pairs.append(("id", "4"))
        elif edge == "float":
            pairs[-2] = ("id", "1.5")
        elif edge == "nested":
            pairs.append(("extra", '{"id": 1}'))
        elif edge == "null":
            k = rng.randrange(len(pairs))
            pairs[k] = (pairs[k][0], "null")
    return _space(rng) + _obj(pairs, rng) + _space(rng)


def _records(path: Path, fmt: str, opts: ImportOptions, force: bool) -> tuple[Any, Any]:
    jsonl.FORCE_PER_LINE = force
    try:
        chunks = list(jsonl.read_jsonl(path, fmt, opts))
    finally:
        jsonl.FORCE_PER_LINE = False
    done = [finalize(c, opts, source="s", source_path="s", identity="x") for c in chunks]
    records = pl.concat([d.records for d in done]).sort("line")
    return records.to_dicts(), sorted(q for d in done for q in d.quarantine)


@pytest.mark.parametrize("edge", LINE_EDGES + TURN_EDGES)
@pytest.mark.parametrize("shape", ["sharegpt", "json", "alpaca", "preference"])
def test_vectorised_lines_match_the_per_line_converter(
    tmp_path: Path, shape: str, edge: str
) -> None:
    rng = random.Random(shape + edge)
    lines = [_line(rng, shape, edge) for _ in range(600)]
    lines[7] = ""  # a blank line
    path = tmp_path / "x.jsonl"
    path.write_bytes(("\r\n".join(lines[:300]) + "\n" + "\n".join(lines[300:])).encode())
    opts = ImportOptions(
        **({"messages_field": "dialog", "role_field": "speaker", "content_field": "text"})
        if shape == "json"
        else {}
    )
    fmt = "json" if shape == "json" else shape
    fast = _records(path, fmt, opts, force=False)
    slow = _records(path, fmt, opts, force=True)
    assert fast[0] == slow[0]
    assert fast[1] == slow[1]
    assert len(fast[0]) > 150  # many lines are records


@pytest.mark.parametrize("shape", ["sharegpt", "alpaca", "preference"])
def test_regular_lines_of_any_spacing_take_the_polars_path(shape: str) -> None:
    """Guards the comparison above: lines the checks can vouch for are not all sent
    to the per-line converter (compact, spaced, tabbed and content-before-role)."""
    if shape == "sharegpt":
        body = [
            '"conversations": [{"from": "human", "value": "a"}, {"value": "b", "from": "gpt"}]',
            '"conversations":[{"from":"human","value":"say \\"x\\": 1"}]',
            '"conversations" :\t[ ]',
        ]
    elif shape == "alpaca":
        body = ['"instruction": "i", "input": "", "output": "o"'] * 2
        body.append('"instruction":"i","input":"x \\\\","output":"o"')
    else:
        body = ['"prompt": "p", "chosen": "a", "rejected": "b"'] * 2
        body.append('"prompt":"p \\"chosen\\": 1","chosen":"a","rejected":"b"')
    lines = ["{" + b + ', "n": ' + str(i) + "}" for i, b in enumerate(body)]
    batch = jsonl_batch("\n".join(lines).encode(), lines, np.arange(1, 4), shape)
    assert batch is not None
    assert not batch[1].any()


def test_deep_lines_are_found_by_their_bracket_count(tmp_path: Path) -> None:
    deep = '{"messages": ' + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "}"
    wide = json.dumps({"messages": [{"role": "user", "content": "x"}] * (MAX_DEPTH + 5)})
    quoted = json.dumps({"messages": [{"role": "user", "content": "[" * 200}]})
    lines = [wide, deep, "", quoted, deep + "\r", wide]
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(lines))  # the last line has no line break
    found = []
    for chunk in iter_line_chunks(path, 64):
        idx = np.flatnonzero(~chunk.blank)
        found += [chunk.first_line + i for i in pathological_lines(chunk, idx)]
    assert found == [2, 5]


def test_raw_frame_column_by_column_is_the_row_by_row_frame() -> None:
    from curator.core import records as R
    from curator.core.ingest.model import RAW_SCHEMA, raw_frame, raw_message

    rows: list[dict[str, Any]] = [
        {
            R.LINE: 1,
            R.LOCATOR: "index 1",
            R.MESSAGES: [raw_message("user", "é 😀"), raw_message(None, None, weight=1)],
            R.META: '{"a":null}',
        },
        {R.LINE: 2, R.LOCATOR: "index 2", R.MESSAGES: [], R.META: "{}"},
        {
            R.LINE: 3,
            R.LOCATOR: "index 3",
            R.MESSAGES: [raw_message("tool", "", name="n", tool_calls="[]", tool_call_id="t")],
            R.META: None,
        },
    ]
    want = pl.DataFrame(rows, schema=RAW_SCHEMA)
    got = raw_frame(rows)
    assert got.schema == want.schema and got.to_dicts() == want.to_dicts()
    odd = [*rows, {R.LINE: 4, R.LOCATOR: "index 4", R.MESSAGES: None, R.META: "{}"}]
    assert raw_frame(odd).to_dicts() == pl.DataFrame(odd, schema=RAW_SCHEMA).to_dicts()
    assert raw_frame([]).schema == RAW_SCHEMA
