"""Validation is per line: the fast shape-based path agrees with line-by-line jsonschema."""

from __future__ import annotations

import json
import random
from pathlib import Path

import polars as pl
import pytest
from jsonschema import Draft202012Validator
from test_export_support import M, add_records, export, qa

from curator.core import records as R
from curator.core import review
from curator.core.errors import CuratorError
from curator.core.export import validate_line
from curator.core.export.formats import LINE_BUILDERS
from curator.core.export.schemas import SCHEMA_NAMES
from curator.core.export.validate import check

REPO = Path(__file__).resolve().parent.parent
TOOLS_OK = json.dumps([{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}])
CHOICES = {
    "role": ["system", "user", "assistant", "assistant", "tool", "bot", None],
    "content": [None, "", "  ", "\u3000", "hello", "x\x1c", "Ünïcödé"],
    "name": [None, None, "", "bob", "a b", "x\n", "ok_1"],
    "weight": [None, None, 0, 1, 2],
    "tool_calls": [None, None, None, TOOLS_OK, "not json", "[]", '[{"id": "1"}]'],
    "tool_call_id": [None, None, "", "c1"],
}


TOOL_DEF = {"type": "function", "function": {"name": "track", "parameters": {"type": "object"}}}
METAS = [
    None, "{}", "{}", json.dumps({"tools": [TOOL_DEF]}), json.dumps({"tools": [TOOL_DEF], "parallel_tool_calls": False}),
    json.dumps({"tools": "x y"}), json.dumps({"tools": [{"type": "function"}]}), json.dumps({"parallel_tool_calls": "yes"}),
]


def _random_frame(n: int, seed: int) -> pl.DataFrame:
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        msgs = [{k: rnd.choice(v) for k, v in CHOICES.items()} for _ in range(rnd.randint(0, 5))]
        if rnd.random() < 0.5:  # plenty of plausible conversations too
            msgs = [R.message("user", f"q{i}"), R.message("assistant", f"a{i}", weight=rnd.choice([None, 0, 1]))]
        rows.append({R.ID: f"r{i:05d}", R.MESSAGES: msgs, R.META: rnd.choice(METAS)})
    df = pl.DataFrame(rows, schema={R.ID: pl.String, R.MESSAGES: R.MESSAGES_DTYPE, R.META: pl.String})
    return df.with_row_index("_row")


@pytest.mark.parametrize("fmt", ["openai", "sharegpt"])
def test_shape_path_agrees_with_per_line_validation(fmt):
    df = _random_frame(1000, seed=11)
    fast = check(df, fmt)
    lines = LINE_BUILDERS[fmt](df)
    slow = {
        (rid, kind)
        for rid, line in zip(df.get_column(R.ID), lines.get_column("line"), strict=True)
        for kind, _ in validate_line(json.loads(line), fmt)
    }
    # A ShareGPT turn cannot show that the record had text *and* tool calls; only the record can.
    got = {(r, k) for r, k in fast.select(R.ID, "kind").iter_rows() if k != "unsupported_message"}
    assert got == slow
    assert len({k for _, k in slow}) >= 5  # the random data really exercises many rules


def test_one_schema_violation_among_thousands_is_caught(workspace, tmp_path):
    convs = [qa(i) for i in range(3000)]
    convs[1234] = [M("user", "hi"), M("assistant", "hello", name="Agent Smith")]  # space: not a valid name
    ids = add_records(workspace, convs)
    review.approve(workspace, ids)
    with pytest.raises(CuratorError) as err:
        export(workspace, tmp_path / "out")
    assert "1 record(s) would not be valid" in str(err.value)
    assert f"{ids[1234]}: schema_violation: line.messages[1].name does not match" in str(err.value)


def test_packaged_schema_copy_is_identical_and_valid():
    repo = {p.name: p.read_bytes() for p in (REPO / "schemas").glob("*.schema.json")}
    packaged = {p.name: p.read_bytes() for p in (REPO / "curator" / "data" / "schemas").glob("*.schema.json")}
    assert repo == packaged and sorted(repo) == sorted(f"{n}.schema.json" for n in SCHEMA_NAMES)
    for text in repo.values():
        Draft202012Validator.check_schema(json.loads(text))


def test_validate_line_names_cookbook_errors():
    assert validate_line([1, 2], "openai") == [("data_type", "line must be of type 'object'")]
    kinds = [k for k, _ in validate_line({"messages": [{"role": "user", "content": "hi", "foo": 1}]}, "openai")]
    assert kinds == ["message_unrecognized_key", "example_missing_assistant_message"]
    kinds = [k for k, _ in validate_line({"messages": [{"role": "robot", "content": "x"}, {"role": "assistant", "content": ""}]}, "openai")]
    assert kinds == ["unrecognized_role", "missing_content"]


def test_validate_line_preference_pairs():
    good = {
        "input": {"messages": [{"role": "user", "content": "Hi"}]},
        "preferred_output": [{"role": "assistant", "content": "Hello!"}],
        "non_preferred_output": [{"role": "assistant", "content": "What."}],
    }
    assert validate_line(good, "openai_preference") == []
    bad = {**good, "non_preferred_output": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}]}
    assert validate_line(bad, "openai_preference")
