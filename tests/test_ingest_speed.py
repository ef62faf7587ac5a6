"""Constants and shortcuts of the import's fast paths that must mean what they replace."""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

import pytest
from spies import record_returns


def test_the_written_out_python_whitespace_set_is_str_isspace() -> None:
    from curator.core.ingest.columnar import _PY_SPACE

    expected = "".join(
        f"\\x{{{ord(c):x}}}" for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()
    )
    assert expected == _PY_SPACE


def _alpaca(i: int) -> bytes:
    import json

    row = {"instruction": f"  do {i} ", "input": "" if i % 2 else f"x{i}", "output": f"done {i}"}
    return json.dumps(row, ensure_ascii=False).encode()


@pytest.mark.parametrize("case", ["whole", "bad_utf8", "crlf_tail", "blank_first"])
def test_columnar_chunks_cut_or_whole_equal_the_per_line_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    """A chunk of only non-blank lines is parsed in place (no copy), others as the slice
    of their lines; a chunk with a line that is not UTF-8 goes line by line. Either way
    the records and quarantine are the per-line converter's."""
    from curator.core.ingest import jsonl
    from curator.core.ingest.options import ImportOptions
    from tests.test_ingest_fastpaths import _records

    monkeypatch.setattr(jsonl, "CHUNK_BYTES", 2048)
    lines = [_alpaca(i) for i in range(200)]
    if case == "bad_utf8":
        lines[57] = lines[57].replace(b"done", b"d\xffne")
    sep = b"\r\n" if case == "crlf_tail" else b"\n"
    body = sep.join(lines) + sep
    if case == "blank_first":
        body = b"\n  \n" + body
    path = tmp_path / "a.jsonl"
    path.write_bytes(body)
    fast = _records(path, "alpaca", ImportOptions(), force=False)
    slow = _records(path, "alpaca", ImportOptions(), force=True)
    assert fast == slow
    assert len(fast[0]) >= 199
    if case == "bad_utf8":
        assert [q.line for q in fast[1]] == [58]


def _openai_line(i: int, rng: random.Random | None) -> str:
    """Line ``i``: regular (``rng`` None) or one of the awkward kinds, drawn by ``rng``."""
    import json

    msgs: list[dict[str, object]] = [
        {"role": "user", "content": f'q {i} \\u00e9 "quoted"'},
        {"role": "assistant", "content": f"a {i}"},
    ]
    row: dict[str, object] = {"messages": msgs, "conversation_id": f"c{i}"}
    kind = rng.randrange(13) if rng is not None else -1
    if kind == 0:
        msgs[1]["name"] = "bot"  # a field the range had not had
    elif kind == 1:
        msgs[1]["weight"] = rng.choice([0, 1, 2, 1.0, True])
    elif kind == 2:
        row["conversation_id"] = rng.choice([5, None, True, 1.5, ["x"], {"k": 1}])
    elif kind == 3:
        row["extra"] = "x"  # a second field beside the messages
    elif kind == 4:
        msgs[0]["content"] = rng.choice([5, None, ["part"], {"t": 1}])
    elif kind == 5:
        row["messages"] = rng.choice([None, [], [None], "text", [5]])
    elif kind == 6:
        return '{"messages": [{"role": "user", "role": "assistant", "content": "dup"}]}'
    elif kind == 7:
        return '{"conversation_id": "x", "conversation_id": "y", "messages": []}'
    elif kind == 8:
        return "{}"
    elif kind == 9:
        msgs[1]["tool_calls"] = [{"id": "t", "type": "function"}]
    elif kind == 10:
        del row["conversation_id"]
    elif kind == 11:
        return '{"messages": [{"role": "user", "content": "x"}]} {"messages": []}'
    elif kind == 12:
        row = {"conversation_id": row["conversation_id"], "messages": msgs}  # key order
    return json.dumps(row, ensure_ascii=rng is not None and rng.random() < 0.5)


def _openai_records(path: Path, force_polars: bool) -> tuple[Any, Any]:
    from curator.core.ingest import jsonl
    from curator.core.ingest.options import ImportOptions
    from curator.core.ingest.pipeline import finalize

    jsonl.FORCE_POLARS = force_polars
    try:
        chunks = list(jsonl.read_jsonl(path, "openai", ImportOptions()))
    finally:
        jsonl.FORCE_POLARS = False
    opts = ImportOptions()
    done = [finalize(c, opts, source="s", source_path="s", identity="x") for c in chunks]
    raw = [c.frame.to_dicts() for c in chunks]
    records = [d.records.to_dicts() for d in done]
    return (raw, records), sorted(q for d in done for q in d.quarantine)


@pytest.mark.parametrize("seed", range(6))
def test_openai_ranges_read_by_arrow_equal_polars_reading_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    """After a range parsed by Polars, the next ones are read by Arrow's JSON reader with
    the schema it found (jsonl._arrow_parse); whatever does not fit goes back to Polars.
    Either way every chunk's frame, records and quarantine are what Polars alone gives."""
    from curator.core.ingest import jsonl

    monkeypatch.setattr(jsonl, "CHUNK_BYTES", 4096)
    rng = random.Random(seed)
    # runs of regular lines (Arrow's) between awkward ones, more of them in some files
    odd = (0.005, 0.02, 0.06)[seed % 3]
    lines = [_openai_line(i, rng if rng.random() < odd else None) for i in range(400)]
    lines[33] = ""
    text = "\r\n".join(lines[:200]) + "\n" + "\n".join(lines[200:]) + "\n"
    path = tmp_path / "chats.jsonl"
    path.write_text(text, encoding="utf-8")
    used = record_returns(monkeypatch, jsonl, "_arrow_parse", lambda out: out is not None)
    fast = _openai_records(path, force_polars=False)
    assert any(used)  # Arrow read some ranges
    assert fast == _openai_records(path, force_polars=True)


@pytest.mark.parametrize("shape", ["sharegpt", "json", "alpaca", "preference"])
def test_columnar_ranges_read_by_arrow_equal_the_per_line_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shape: str
) -> None:
    """Many small chunks: after the first range Polars reads, the next are read by Arrow
    with its schema (columnar.arrow_lines); lines of every edge kind scattered between
    regular ones. Records and quarantine are the per-line converter's."""
    from curator.core.ingest import columnar, jsonl
    from curator.core.ingest.options import ImportOptions
    from tests.test_ingest_fastpaths import LINE_EDGES, TURN_EDGES, _line, _records

    monkeypatch.setattr(jsonl, "CHUNK_BYTES", 4096)
    rng = random.Random(shape)
    edges = LINE_EDGES + TURN_EDGES
    lines = [
        _line(rng, shape, rng.choice(edges) if rng.random() < 0.05 else "") for _ in range(900)
    ]
    path = tmp_path / "x.jsonl"
    path.write_bytes(("\r\n".join(lines[:400]) + "\n" + "\n".join(lines[400:]) + "\n").encode())
    opts = ImportOptions(
        **({"messages_field": "dialog", "role_field": "speaker", "content_field": "text"})
        if shape == "json"
        else {}
    )
    used = record_returns(monkeypatch, columnar, "arrow_lines", lambda out: out is not None)
    fast = _records(path, shape, opts, force=False)
    assert sum(used) > 5  # Arrow read many ranges
    assert fast == _records(path, shape, opts, force=True)
    assert len(fast[0]) > 400
