"""Vectorised Parquet/JSONL conversion gives exactly the per-row converter's rows and quarantine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from spies import record_returns

from curator.core.ingest.options import ImportOptions
from curator.core.ingest.tabular import read_tabular


def _both(path: Path, options: ImportOptions | None = None) -> tuple[Any, Any]:
    opts = options or ImportOptions()
    out = []
    for force in (False, True):
        chunks = list(read_tabular(path, "parquet", opts, force_rows=force))
        frame = pl.concat([c.frame for c in chunks])
        out.append((frame, [q for c in chunks for q in c.quarantine]))
    return out[0], out[1]


def _check(path: Path, options: ImportOptions | None = None) -> pl.DataFrame:
    (fast, fast_bad), (slow, slow_bad) = _both(path, options)
    assert fast.to_dicts() == slow.to_dicts()
    assert fast_bad == slow_bad
    return fast


def test_alpaca_edge_cases(tmp_path: Path) -> None:
    path = tmp_path / "a.parquet"
    pl.DataFrame(
        {
            "instruction": ["Say hi", "Sum", None, "", "Tab"],
            "input": [None, "1 2", "x", "   ", "\x1f"],
            "output": ["hi", "3", None, "", "ok"],
            "system": ["Be nice", None, "  ", "sys", "\u3000"],
            "source": ["web", None, 'a"b\n', "é", "x"],
            "n": [1, 2, None, 4, 5],
            "ok": [True, False, None, True, True],
        }
    ).write_parquet(path)
    frame = _check(path)
    first = frame.row(0, named=True)
    assert [m["role"] for m in first["messages"]] == ["system", "user", "assistant"]
    assert frame.row(1, named=True)["messages"][0]["content"] == "Sum\n\n1 2"
    # a blank system stays in meta
    assert '"system":"  "' in frame.row(2, named=True)["meta"]


def test_sharegpt_edge_cases(tmp_path: Path) -> None:
    path = tmp_path / "s.parquet"
    conv = [
        [
            {"from": "human", "value": "hi", "weight": None},
            {"from": "gpt", "value": "hello", "weight": 1},
        ],
        [],
        None,  # quarantined: not a list
        [
            {"from": "system", "value": "s", "weight": None},
            {"from": "robot", "value": "", "weight": 0},
        ],
        [{"from": "human", "value": "x", "weight": 2}],  # bad weight: quarantined
        [None, {"from": "human", "value": "y", "weight": None}],  # null turn: quarantined
        [{"from": None, "value": None, "weight": None}],
    ]
    pl.DataFrame(
        {
            "conversations": conv,
            "system": ["sys", None, None, "", "x", "y", None],
            "id": list(range(7)),
        }
    ).write_parquet(path)
    frame = _check(path)
    assert frame.height == 4
    _, (_, bad) = _both(path)
    assert [q.locator for q in bad] == ["row 3", "row 5", "row 6"]


def test_openai_and_prompt_completion_and_mapped(tmp_path: Path) -> None:
    path = tmp_path / "o.parquet"
    msgs = [
        [
            {"role": "user", "content": "q", "name": "bob"},
            {"role": "assistant", "content": "a", "name": None},
        ],
        [{"role": "tool", "content": None, "name": None}],
    ]
    pl.DataFrame({"messages": msgs, "tag": ["x", None]}).write_parquet(path)
    _check(path)
    pc = tmp_path / "pc.parquet"
    pl.DataFrame(
        {"prompt": ["p", None, ""], "completion": ["c", "d", None], "k": [1, 2, 3]}
    ).write_parquet(pc)
    assert _check(pc).height == 3
    mapped = tmp_path / "m.parquet"
    turns = [[{"speaker": "agent", "text": "hi"}], [{"speaker": "customer", "text": "yo"}]]
    pl.DataFrame({"dialog": turns, "extra": ["a", "b"]}).write_parquet(mapped)
    opts = ImportOptions(messages_field="dialog", role_field="speaker", content_field="text")
    assert _check(mapped, opts).height == 2


def test_batches_and_fallback_rows_keep_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from curator.core.ingest import tabular

    monkeypatch.setattr(tabular, "_BATCH", 1_000)
    n = 2_500
    path = tmp_path / "big.parquet"
    prompts = [None if i % 97 == 0 else f"p{i}" for i in range(n)]
    pl.DataFrame({"instruction": prompts, "output": ["o"] * n, "when": [1.5] * n}).write_parquet(
        path
    )
    _check(path)  # a float column: the whole batch takes the per-row path
    conv = [None if i % 499 == 0 else [{"from": "human", "value": str(i)}] for i in range(n)]
    sg = tmp_path / "sg.parquet"
    pl.DataFrame({"conversations": conv}).write_parquet(sg)
    frame = _check(sg)
    assert frame.height == n - len(range(0, n, 499))
    assert frame.get_column("line").is_sorted()


def test_clean_batches_take_the_vectorised_path(tmp_path: Path) -> None:
    """Guards the tests above: they compare two different paths, not one with itself."""
    from curator.core.ingest.columnar import convert_batch

    frames = {
        "alpaca": pl.DataFrame(
            {"instruction": ["a"], "input": [None], "output": ["b"], "system": ["s"]}
        ),
        "sharegpt": pl.DataFrame(
            {"conversations": [[{"from": "human", "value": "x", "weight": 1}]]}
        ),
        "openai": pl.DataFrame({"messages": [[{"role": "user", "content": "x"}]], "t": [1]}),
        "prompt-completion": pl.DataFrame({"prompt": ["p"], "completion": ["c"]}),
    }
    for shape, frame in frames.items():
        batch = convert_batch(frame, shape, ImportOptions(), 1, 0, "")
        assert batch is not None and batch[0].height == 1, shape
    float_meta = pl.DataFrame({"prompt": ["p"], "completion": ["c"], "score": [0.5]})
    assert convert_batch(float_meta, "prompt-completion", ImportOptions(), 1, 0, "") is None


def _jsonl_both(path: Path, fmt: str) -> tuple[Any, Any]:
    from curator.core.ingest import jsonl

    out = []
    for force in (False, True):
        jsonl.FORCE_PER_LINE = force
        try:
            chunks = list(jsonl.read_jsonl(path, fmt, ImportOptions()))
        finally:
            jsonl.FORCE_PER_LINE = False
        frame = pl.concat([c.frame for c in chunks])
        out.append((frame, [q for c in chunks for q in c.quarantine], [c.columns for c in chunks]))
    return out[0], out[1]


SHAREGPT_LINES = [
    '{"conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "yo"}], "id": 1}',
    '{"id": 2, "conversations": [{"from": "human", "value": "order swapped"}]}',  # meta key order
    '{"conversations": [{"from": "human", "value": "no id"}]}',  # a key missing
    '{"conversations": [{"from": "human", "value": "null id"}], "id": null}',
    '{"conversations": [{"value": "no from"}], "id": 5}',  # quarantined: no 'from'
    '{"conversations": [{"from": "robot", "value": 7}], "id": 6}',  # quarantined: number
    '{"conversations": null, "id": 7}',  # quarantined: not a list
    '{"conversations": [], "id": 8, "system": "  "}',
    '{"conversations": [{"from": "system", "value": ""}], "id": 9, "system": "Be brief"}',
    '{"conversations": [null], "id": 10}',  # quarantined: null turn
    '{"conversations": [{"from": "human", "value": "say \\"id\\": 3, {\\"from\\": 1}"}], "id": 11}',
    '{"conversations": [{"from": "human", "value": "\\ud83d\\ude00 \\u00e9"}], "id": 12}',
    '{"conversations": [{"from": "human", "value": "x"}], "id": 13, "id": 14}',  # duplicate key
    "",
    '{"conversations": [{"from": "human", "value": "after a blank"}], "id": 15, "flag": true}',
]


def test_sharegpt_jsonl_vectorised_matches_per_line(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text("\n".join(SHAREGPT_LINES) + "\n", encoding="utf-8")
    (fast, fast_bad, fast_cols), (slow, slow_bad, slow_cols) = _jsonl_both(path, "sharegpt")
    assert fast.to_dicts() == slow.to_dicts()
    assert fast_bad == slow_bad and fast_cols == slow_cols
    assert [q.locator for q in fast_bad] == ["line 5", "line 6", "line 7", "line 10"]
    by_line = {r["line"]: r for r in fast.to_dicts()}
    assert by_line[2]["meta"] == '{"id":2}'
    assert by_line[3]["meta"] == "{}"
    assert by_line[4]["meta"] == '{"id":null}'
    assert by_line[8]["meta"] == '{"id":8,"system":"  "}'
    assert [m["role"] for m in by_line[9]["messages"]] == ["system", "system"]


def test_sharegpt_jsonl_clean_lines_are_vectorised(tmp_path: Path) -> None:
    """Guards the test above: regular lines really take the Polars path."""
    from curator.core.ingest.columnar import jsonl_batch

    lines = [SHAREGPT_LINES[i][:-1] + ', "system": "s"}' for i in (0, 10, 11)]
    lines.append(SHAREGPT_LINES[8])
    numbers = np.arange(1, 5)
    batch = jsonl_batch("\n".join(lines).encode(), lines, numbers, "sharegpt")
    assert batch is not None and batch[0].height == 4


def test_alpaca_and_prompt_completion_jsonl_match_per_line(tmp_path: Path) -> None:
    alpaca = [
        {"instruction": "Add", "input": "1 2", "output": "3", "system": "math", "src": "a"},
        {"instruction": "Hi", "input": "", "output": "hello", "system": None, "src": "b"},
        {"instruction": "Hi", "output": "no input", "system": "", "src": "c"},
        {"instruction": None, "input": "\u3000", "output": None, "system": "s", "src": "d"},
        {"instruction": "x", "input": 5, "output": "bad input", "system": "s", "src": "e"},
        {"input": "x", "output": "no instruction", "system": "s", "src": "f"},
        {"instruction": "n", "input": "", "output": "o", "system": "s", "src": "g", "n": 3},
    ]
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in alpaca) + "\n")
    (fast, fast_bad, fast_cols), (slow, slow_bad, slow_cols) = _jsonl_both(path, "alpaca")
    assert fast.to_dicts() == slow.to_dicts()
    assert fast_bad == slow_bad and fast_cols == slow_cols
    assert [q.locator for q in fast_bad] == ["line 5", "line 6"]
    pc = [{"prompt": "p", "completion": "c", "k": 1}, {"prompt": None, "completion": "c", "k": 2}]
    pc.append({"prompt": ["list"], "completion": "c", "k": 3})
    path = tmp_path / "pc.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in pc) + "\n")
    (fast, fast_bad, _), (slow, slow_bad, _) = _jsonl_both(path, "prompt-completion")
    assert fast.to_dicts() == slow.to_dicts() and fast_bad == slow_bad


ARROW_ALPACA_LINES = [  # one JSON type per column: Arrow's explicit-schema read takes them all
    '{"instruction": "Add", "input": "1 2", "output": "3", "system": "math", "src": "a"}',
    '{"output": "keys reordered", "src": "b", "instruction": "Hi", "system": "s", "input": ""}',
    '{"instruction": "two meta keys", "input": "", "output": "o", "system": " ", "src": "c"}',
    '{"src": "d", "system": "", "output": "two meta keys, reordered", "input": "", "instruction": "i"}',
    '{"instruction": "no system", "input": "", "output": "o", "src": "e"}',
    '{"instruction": "null system", "input": "", "output": "o", "system": null, "src": "f"}',
    '{"input": "", "output": "no instruction", "system": "s", "src": "g"}',
    '{"instruction": null, "input": null, "output": null, "system": "s", "src": "h"}',
    '{"instr\\u0075ction": "escaped key", "input": "", "output": "o", "system": "s", "src": "i"}',
    '{ "instruction" :"spaces" ,"input":"", "output":"o","system":"s","src":"j" }',
    '{"instruction": "no src", "input": "", "output": "o", "system": "s"}',
    '{"instruction": "\\u00e9 \\ud83d\\ude00", "input": "\\u3000", "output": "o", "system": "s", "src": "k"}',
]


def test_alpaca_and_dpo_lines_arrow_reads_match_per_line(tmp_path: Path, monkeypatch) -> None:
    """Lines Arrow reads with an explicit schema skip the whole-line pattern when no value
    is null and the meta has one key at most (columnar._proven_rows): still the per-line
    records, whatever the key order, spacing or escapes; every range here is Arrow's."""
    from curator.core.ingest import columnar, jsonl
    from curator.core.ingest.pipeline import finalize

    seen = record_returns(monkeypatch, columnar, "arrow_lines", lambda df: df is not None)
    path = tmp_path / "a.jsonl"
    lines = [*ARROW_ALPACA_LINES, *ARROW_ALPACA_LINES[:3]]  # the head sees every column
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (fast, fast_bad, fast_cols), (slow, slow_bad, slow_cols) = _jsonl_both(path, "alpaca")
    assert seen and all(seen)
    assert fast.to_dicts() == slow.to_dicts()
    assert fast_bad == slow_bad and fast_cols == slow_cols
    assert [q.locator for q in fast_bad] == ["line 7"]
    by_line = {r["line"]: r for r in fast.to_dicts()}
    assert by_line[3]["meta"] == '{"system":" ","src":"c"}'
    assert by_line[4]["meta"] == '{"src":"d","system":""}'
    assert by_line[5]["meta"] == '{"src":"e"}' and by_line[6]["meta"] == '{"system":null,"src":"f"}'
    pairs = [
        '{"prompt": "p", "chosen": "c", "rejected": "r", "id": "1"}',
        '{"id": "2", "rejected": "r", "chosen": "c", "prompt": "reordered"}',
        '{"prompt": "p", "chosen": "c", "rejected": "r"}',
        '{"prompt": "p", "chosen": "c", "rejected": "r", "id": null}',
        '{"prompt": "p", "chosen": " ", "rejected": "r", "id": "5"}',
        '{"chosen": "c", "rejected": "r", "id": "6"}',
        '{"prompt": "same", "chosen": "same", "rejected": "same", "id": "7"}',
    ]
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(pairs) + "\n", encoding="utf-8")
    seen.clear()
    out = []
    for force in (False, True):  # compared as records: a vectorised pair's reply is a column
        monkeypatch.setattr(jsonl, "FORCE_PER_LINE", force)
        chunks = list(jsonl.read_jsonl(path, "preference", ImportOptions()))
        done = [
            finalize(c, ImportOptions(), source="p", source_path="p", identity="x") for c in chunks
        ]
        out.append(
            (
                pl.concat([d.records for d in done]).to_dicts(),
                [q for d in done for q in d.quarantine],
            )
        )
    assert seen and all(seen)
    (fast, fast_bad), (slow, slow_bad) = out
    assert fast == slow and fast_bad == slow_bad
    assert [q.locator for q in fast_bad] == ["line 5", "line 6"]


ARROW_SHAREGPT_LINES = [  # every range Arrow's: the head sees every key, one JSON type each
    '{"conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "yo"}], "system": "s", "id": "1"}',
    '{"id": "2", "system": "s", "conversations": [{"value": "reordered", "from": "human"}]}',
    '{"conversations": [{"from": "human"}], "system": "s", "id": "3"}',  # no content
    '{"conversations": [{"from": "human", "value": null}], "system": "s", "id": "4"}',
    '{"conversations": [{"value": "no role"}], "system": "s", "id": "5"}',
    '{"conversations": [{"from": null, "value": "null role"}], "system": "s", "id": "6"}',
    '{"conversations": [null], "system": "s", "id": "7"}',
    '{"conversations": [], "system": "s", "id": "8"}',
    '{"conversations": [{"from": "human", "value": "two meta keys"}], "system": " ", "id": "9"}',
    '{"id": "10", "system": "", "conversations": [{"from": "human", "value": "two, reordered"}]}',
    '{"conversations": [{"from": "human", "value": "no id"}], "system": "s"}',
    '{"conversations": [{"from": "human", "value": "null system"}], "system": null, "id": "12"}',
    '{"conversations": null, "system": "s", "id": "13"}',
    '{ "conversations":[ {"from":"gpt" ,"value":"spaces"} ] ,"system":"s","id":"14" }',
    '{"conversations": [{"fr\\u006fm": "human", "value": "escaped key"}], "system": "s", "id": "15"}',
]


def test_sharegpt_lines_arrow_reads_match_per_line(tmp_path: Path, monkeypatch) -> None:
    """ShareGPT lines Arrow reads skip the whole-line pattern when no value is null, each
    turn is an object with a role and the meta has one key at most (``_proven_rows``
    with a turns column): still the per-line records and quarantine, and the clean lines
    really are the proven ones."""
    from curator.core.ingest import columnar

    seen = record_returns(monkeypatch, columnar, "arrow_lines", lambda df: df is not None)
    proven = record_returns(monkeypatch, columnar, "_proven_rows")
    path = tmp_path / "s.jsonl"
    lines = [*ARROW_SHAREGPT_LINES, *ARROW_SHAREGPT_LINES[:2]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (fast, fast_bad, fast_cols), (slow, slow_bad, slow_cols) = _jsonl_both(path, "sharegpt")
    assert seen and all(seen)
    assert fast.to_dicts() == slow.to_dicts()
    assert fast_bad == slow_bad and fast_cols == slow_cols
    assert proven and proven[0] is not None
    assert np.flatnonzero(proven[0]).tolist() == [0, 1, 2, 3, 7, 13, 14, 15, 16]
    by_line = {r["line"]: r for r in fast.to_dicts()}
    assert by_line[9]["meta"] == '{"system":" ","id":"9"}'
    assert by_line[10]["meta"] == '{"id":"10","system":""}'


MAPPED_LINES = [
    '{"dialog": [{"speaker": "user", "text": "hi"}, {"speaker": "assistant", "text": "yo"}], "id": 1}',
    '{"id": 2, "dialog": [{"speaker": "user", "text": "order swapped"}]}',  # meta key order
    '{"dialog": [{"speaker": "user", "text": "null id"}], "id": null}',
    '{"dialogue": [{"speaker": "user", "text": "wrong field"}], "id": 4}',  # quarantined
    '{"dialog": [{"text": "no speaker"}], "id": 5}',  # quarantined: no 'speaker'
    '{"dialog": [{"speaker": "user", "text": 7}], "id": 6}',  # quarantined: number
    '{"dialog": null, "id": 7}',  # quarantined: not a list
    '{"dialog": [{"speaker": 3, "text": "x"}], "id": 8}',  # quarantined: speaker a number
    '{"dialog": [{"speaker": "user", "text": "say \\"speaker\\": 3"}], "id": 9}',
    '{"dialog": [{"speaker": "user", "text": "x"}], "id": 10, "id": 11}',  # duplicate key
    "",
    '{"dialog": [{"speaker": "user", "text": "after a blank"}], "id": 12, "flag": true}',
]


def test_mapped_jsonl_vectorised_matches_per_line(tmp_path: Path) -> None:
    from curator.core.ingest import jsonl
    from curator.core.ingest.columnar import jsonl_batch

    path = tmp_path / "m.jsonl"
    path.write_text("\n".join(MAPPED_LINES) + "\n", encoding="utf-8")
    opts = ImportOptions(messages_field="dialog", role_field="speaker", content_field="text")
    out = []
    for force in (False, True):
        jsonl.FORCE_PER_LINE = force
        try:
            chunks = list(jsonl.read_jsonl(path, "json", opts))
        finally:
            jsonl.FORCE_PER_LINE = False
        frame = pl.concat([c.frame for c in chunks])
        out.append((frame.to_dicts(), [q for c in chunks for q in c.quarantine]))
    (fast, fast_bad), (slow, slow_bad) = out
    assert fast == slow and fast_bad == slow_bad
    assert [q.locator for q in fast_bad] == ["line 4", "line 5", "line 6", "line 7", "line 8"]
    assert "no 'dialog' field" in fast_bad[0].reason
    # guards the comparison: clean mapped lines really take the Polars path
    clean = [MAPPED_LINES[i] for i in (0, 8)]
    batch = jsonl_batch("\n".join(clean).encode(), clean, np.arange(1, 3), "json", opts)
    assert batch is not None and batch[0].height == 2


DPO_LINES = [
    '{"prompt": "2+2?", "chosen": "4", "rejected": "5", "id": 1}',
    '{"id": 2, "prompt": "Capital?", "chosen": "Paris.", "rejected": "Lyon."}',  # key order
    '{"prompt": null, "chosen": "a", "rejected": "b", "id": 3}',  # quarantined: null prompt
    '{"prompt": "p", "chosen": "  ", "rejected": "b", "id": 4}',  # quarantined: blank chosen
    '{"prompt": "p", "chosen": "a", "rejected": "\\u3000", "id": 5}',  # blank rejected
    '{"prompt": "", "chosen": "same", "rejected": "same", "id": null}',
    '{"prompt": "p", "chosen": "a", "id": 7}',  # no rejected: not a pair
    '{"prompt": "say \\"chosen\\": 1", "chosen": "a", "rejected": "b", "id": 8, "id": 9}',
    "",
    '{"prompt": "after a blank", "chosen": "\\ud83d\\ude00", "rejected": "b", "flag": true}',
]


def test_dpo_text_pairs_vectorised_match_per_line(tmp_path: Path) -> None:
    from curator.core.ingest import jsonl
    from curator.core.ingest.columnar import REJECTED, jsonl_batch
    from curator.core.ingest.pipeline import finalize

    path = tmp_path / "pairs.jsonl"
    path.write_text("\n".join(DPO_LINES) + "\n", encoding="utf-8")
    opts = ImportOptions()
    out = []
    for force in (False, True):
        jsonl.FORCE_PER_LINE = force
        try:
            chunks = list(jsonl.read_jsonl(path, "preference", opts))
        finally:
            jsonl.FORCE_PER_LINE = False
        done = [finalize(c, opts, source="p", source_path="p", identity="x") for c in chunks]
        records = pl.concat([d.records for d in done])
        out.append((records.to_dicts(), sorted(q for d in done for q in d.quarantine)))
    (fast, fast_bad), (slow, slow_bad) = out
    assert fast == slow and fast_bad == slow_bad
    assert [q.locator for q in fast_bad] == ["line 3", "line 4", "line 5", "line 7"]
    assert fast[0]["rejected_answer"]["content"] == "5"
    # guards the comparison: clean pairs really take the Polars path
    clean = [DPO_LINES[i] for i in (0, 5)]
    batch = jsonl_batch("\n".join(clean).encode(), clean, np.arange(1, 3), "preference")
    assert batch is not None and batch[0].height == 2 and REJECTED in batch[0].columns
