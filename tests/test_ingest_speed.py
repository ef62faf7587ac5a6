"""Constants and shortcuts of the import's fast paths that must mean what they replace."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest


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
