"""The JSON-array fast path gives exactly what the element-by-element reader gives.

Arrays of awkward elements (wrong types, nulls, missing and duplicate keys, key
order, floats and big integers, nested meta, unicode and escapes, surrogate pairs
and lone surrogates, bytes that are not UTF-8, deep nesting, elements that are not
objects, pretty-printed and compact spacing) are read with blocks small enough that
elements straddle them, by the vectorised reader and by the streaming one
(``json_array.FORCE_SLOW``); records, quarantine (index numbers, reasons, raw text)
and the keys seen must match. So must every way an array can break in the middle.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from curator.core.ingest import json_array
from curator.core.ingest.options import ImportOptions
from curator.core.ingest.pipeline import finalize
from curator.core.ingest.regular import openai_array

TEXTS = [
    "hi",
    "",
    "  ",
    'say "id": 3, {"role": 1}',
    "a \\ b \\\\",
    "é😀 ünïcödé 中文",
    "brace } and ] and , inside [ {",
    "tab\tand\nnewline",
    "\u2028 line sep",
]


def _msg(rng: random.Random, edge: bool) -> Any:
    m: dict[str, Any] = {"role": rng.choice(["user", "assistant", "system"])}
    m["content"] = rng.choice(TEXTS)
    if rng.random() < 0.3:
        m["weight"] = rng.choice([0, 1])
    if rng.random() < 0.1:
        m["name"] = "ann"
    if not edge:
        return m
    kind = rng.randrange(16)
    if kind == 0:
        m["weight"] = rng.choice([2, 1.0, True, "1", None, -1])
    elif kind == 1:
        m["content"] = rng.choice([None, 5, [{"type": "text", "text": "a"}], {"x": 1}, [1]])
    elif kind == 2:
        m["role"] = rng.choice([None, 3, "tool", "Agent"])
    elif kind == 3:
        del m["role"]
    elif kind == 4:
        m = {"content": m["content"], **m}  # content before role
    elif kind == 5:
        m["tool_calls"] = [{"id": "c1", "type": "function"}]
    elif kind == 6:
        m["tool_call_id"] = rng.choice(["c1", None, 7])
    elif kind == 7:
        m["refusal"] = None
    elif kind == 8:
        return rng.choice([None, "text", 3, []])
    elif kind == 9:
        m["name"] = rng.choice([None, 1, "bob"])
    return m


def _element(rng: random.Random, edges: float) -> str:
    edge = rng.random() < edges
    obj: dict[str, Any] = {
        "messages": [_msg(rng, edge and rng.random() < 0.5) for _ in range(rng.randint(1, 4))]
    }
    obj["conversation_id"] = f"c{rng.randrange(10**6)}"
    obj["n"] = rng.randrange(-5, 5)
    if edge:
        kind = rng.randrange(14)
        if kind == 0:
            obj = dict(reversed(list(obj.items())))
        elif kind == 13:
            del obj["n"]  # a missing key: Polars would read it as null
        elif kind == 1:
            obj["n"] = rng.choice([1.5, 10**20, "5", None, True, 1e20])
        elif kind == 2:
            obj["meta"] = {"b": 1, "a": [1, {"x": None}]}
        elif kind == 3:
            del obj["messages"]
        elif kind == 4:
            obj["messages"] = rng.choice([None, "hi", {}, []])
        elif kind == 5:
            return rng.choice(["1", '"text"', "null", "[1, 2]", "true", "{}"])
        elif kind == 6:  # a duplicate key: json.loads keeps the last
            text = json.dumps(obj)
            return text[:-1] + ', "conversation_id": "dup"}'
        elif kind == 7:  # a duplicate key inside a message
            text = json.dumps(obj)
            return text.replace('"role": ', '"role": "x", "role": ', 1)
        elif kind == 8:
            obj["deep"] = json.loads("[" * 70 + "]" * 70)
        elif kind == 9:
            obj["emoji"] = "\ud83d\ude00"  # written as a surrogate pair escape
            return json.dumps(obj, ensure_ascii=True)
        elif kind == 10:  # a lone surrogate escape
            return json.dumps(obj)[:-1] + ', "lone": "\\ud800x"}'
        elif kind == 11:
            return json.dumps(obj, indent=2)  # pretty-printed: newlines between tokens
        elif kind == 12:
            obj["nan"] = float("nan")  # NaN: json.loads reads it, Polars does not
    return json.dumps(obj, ensure_ascii=rng.random() < 0.3)


def _array(elements: list[str], rng: random.Random) -> bytes:
    seps = [",", ", ", ",\n", " ,\t", ",\r\n  "]
    out = "[" + rng.choice(["", "\n", " "])
    for i, e in enumerate(elements):
        out += e if i == 0 else rng.choice(seps) + e
    return (out + rng.choice(["", "\n"]) + "]\n").encode("utf-8", "surrogatepass")


def _read(path: Path, fmt: str, opts: ImportOptions, slow: bool) -> tuple[Any, Any, Any]:
    json_array.FORCE_SLOW = slow
    try:
        chunks = list(json_array.read_json_array(path, fmt, opts))
    finally:
        json_array.FORCE_SLOW = False
    done = [finalize(c, opts, source="s", source_path="s", identity="x") for c in chunks]
    records = pl.concat([d.records for d in done]).sort("line")
    quarantine = sorted((q for d in done for q in d.quarantine), key=lambda q: (q.line or 0, q))
    return records.to_dicts(), quarantine, chunks[-1].columns


def _same(path: Path, fmt: str = "openai", opts: ImportOptions | None = None) -> Any:
    opts = opts or ImportOptions()
    fast = _read(path, fmt, opts, slow=False)
    slow = _read(path, fmt, opts, slow=True)
    assert fast[1] == slow[1]
    assert fast[0] == slow[0]
    assert fast[2] == slow[2]
    return fast


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_array, "_BLOCK", 1 << 15)  # elements straddle the blocks
    monkeypatch.setattr(json_array, "_MIN_SPLIT", 8)


@pytest.mark.parametrize("edges", [0.02, 0.25])
@pytest.mark.parametrize("seed", range(3))
def test_awkward_arrays_match_the_streaming_reader(
    tmp_path: Path, seed: int, edges: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    elements = [_element(rng, edges=edges) for _ in range(1500)]
    path = tmp_path / "a.json"
    path.write_bytes(_array(elements, rng))
    one = json_array._Block.one
    alone: list[int] = []

    def counted(block: Any, i: int) -> None:
        alone.append(i)
        one(block, i)

    monkeypatch.setattr(json_array._Block, "one", counted)
    records, quarantine, _ = _same(path)
    assert len(records) > 700
    assert len(quarantine) > 10
    if edges < 0.1:  # most elements took the vectorised path
        assert len(alone) < 1500 * 0.6


def test_bytes_that_are_not_utf8_match(tmp_path: Path) -> None:
    rng = random.Random(7)
    elements = [_element(rng, edges=0.0) for _ in range(400)]
    data = bytearray(_array(elements, rng))
    for at in (5000, 20000, 40001):  # inside a string: the content of some message
        at = data.index(b'"content": "hi"', at) + 13
        data[at : at + 1] = b"\xff"
    path = tmp_path / "a.json"
    path.write_bytes(bytes(data))
    _, quarantine, _ = _same(path)
    assert sum("not UTF-8" in q.reason for q in quarantine) == 3


BREAKS = {
    "syntax": lambda e: e[:-1],  # a closing brace missing
    "garbage": lambda e: e + " x",
    "missing comma": lambda e: e + ' {"messages": []}',
    "empty": lambda e: "",
    "control": lambda e: e.replace("hi", "h\ti", 1).replace('"c', '"\tc', 1),
    "single quotes": lambda e: e.replace('"conversation_id"', "'conversation_id'"),
    "closing brace": lambda e: e + "}",
    "very deep": lambda e: "[" * 3000 + "]" * 3000,
}


@pytest.mark.parametrize("where", [0, 1, 700, 1199])
@pytest.mark.parametrize("how", sorted(BREAKS))
def test_an_element_that_breaks_the_array_in_the_middle(
    tmp_path: Path, how: str, where: int
) -> None:
    rng = random.Random(how + str(where))
    elements = [_element(rng, edges=0.05) for _ in range(1200)]
    elements[where] = BREAKS[how](elements[where])
    path = tmp_path / "a.json"
    path.write_bytes(_array(elements, rng))
    records, _, _ = _same(path)
    if how not in ("very deep",):
        assert len(records) < 1150 or how == "empty"


@pytest.mark.parametrize(
    "tail", ["", "]", ",", ", ", '{"messages": [', '{"a": "unterminated', "]junk", "}"]
)
def test_the_end_of_the_array(tmp_path: Path, tail: str) -> None:
    rng = random.Random(tail)
    elements = [_element(rng, edges=0.0) for _ in range(300)]
    body = _array(elements, rng).rstrip().removesuffix(b"]")
    path = tmp_path / "a.json"
    path.write_bytes(body + tail.encode())
    _same(path)


@pytest.mark.parametrize(
    "text",
    [
        b"",
        b"   ",
        b"\xef\xbb\xbf[]",
        b"[ ]",
        b"[\n]",
        b"{}",
        b"[1]",
        b"[{}]",
        b"[,]",
        b"[[]]",
        b'\xef\xbb\xbf  [{"messages": [{"role": "user", "content": "a"}]}]',
    ],
)
def test_tiny_and_odd_files(tmp_path: Path, text: bytes) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(text)
    _same(path)


def test_an_element_longer_than_a_block(tmp_path: Path) -> None:
    rng = random.Random(3)
    elements = [_element(rng, edges=0.0) for _ in range(50)]
    big = {"messages": [{"role": "user", "content": "x" * 100_000}], "conversation_id": "big"}
    elements[20] = json.dumps(big)
    path = tmp_path / "a.json"
    path.write_bytes(_array(elements, rng))
    records, _, _ = _same(path)
    assert "index 21" in [r["locator"] for r in records]


@pytest.mark.parametrize("fmt", ["sharegpt", "alpaca", "preference"])
def test_other_shapes_in_an_array(tmp_path: Path, fmt: str) -> None:
    rng = random.Random(fmt)
    out = []
    for i in range(800):
        t = rng.choice(TEXTS)
        if fmt == "sharegpt":
            obj: Any = {
                "conversations": [{"from": "human", "value": t}, {"from": "gpt", "value": "ok"}]
            }
        elif fmt == "alpaca":
            obj = {"instruction": t, "input": rng.choice(["", "x"]), "output": "o"}
        else:
            obj = {
                "input": {"messages": [{"role": "user", "content": t}]},
                "preferred_output": [{"role": "assistant", "content": rng.choice(TEXTS)}],
                "non_preferred_output": [{"role": "assistant", "content": "no"}],
            }
        obj["id"] = i
        if i % 37 == 0:
            obj["id"] = rng.choice([None, "s", 1.5])
        out.append(json.dumps(obj))
    path = tmp_path / "a.json"
    path.write_bytes(_array(out, rng))
    records, _, _ = _same(path, fmt)
    assert len(records) > 400


def test_regular_chats_take_the_polars_path() -> None:
    """Guards the comparisons above: regular elements are not all sent one by one."""
    elements = [
        '{"messages": [{"role": "user", "content": "a", "weight": 0}], "id": 1}',
        '{"messages":[{"role":"assistant","name":"x","content":"say \\"id\\": 1","weight":1}],"id":2}',
        '{ "messages" : [ {"content": "c", "role": "user"} , {"role": "tool", "tool_call_id": "t", "content": "r"} ] , "id" : null }',
    ]
    array = ("[" + ",".join(elements) + "]").encode()
    lines = pl.Series([e + "," for e in elements])
    got = openai_array(array, lambda: lines, np.arange(1, 4))
    assert got is not None
    assert not got[1].any()
    assert got[0].height == 3


def test_blocks_cut_without_the_scan_match(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The quick path guesses each block's last element start: traps for the guess
    (the first key's text inside content, a nested object with that key) must not
    change anything, and regular blocks must take it."""
    rng = random.Random(11)
    elements = []
    for _ in range(1500):  # no surrogate escapes: a block holding one is scanned
        obj = json.loads(_element(rng, edges=0.0))
        elements.append(json.dumps(obj, ensure_ascii=False))
    for i in range(0, 1500, 97):
        trap = {"messages": [{"role": "user", "content": 'x"}, {"messages": 1'}]}
        trap.update(conversation_id="t", n=1)
        elements[i] = json.dumps(trap)
    for i in range(40, 1500, 301):
        nested = {"messages": [{"role": "user", "content": "q"}], "n": 2}
        nested["meta"] = [{"a": 1}, {"messages": [{"role": "user"}]}]
        elements[i] = json.dumps({"conversation_id": "c", **nested})
    path = tmp_path / "a.json"
    path.write_bytes(_array(elements, rng))
    quick = json_array._quick
    taken: list[int] = []

    def counted(*args: Any) -> Any:
        got = quick(*args)
        if got is not None:
            taken.append(got[0].height)
        return got

    monkeypatch.setattr(json_array, "_quick", counted)
    _same(path)
    assert sum(taken) > 300
