"""The vectorised OpenAI JSONL path: chunking, bisection to bad lines, line numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curator.core import records as R
from curator.core.ingest import ImportOptions, import_job
from curator.core.ingest import job as ingest_job
from curator.core.ingest import jsonl as jsonl_reader
from curator.core.jobs import run_job
from curator.core.workspace import Workspace


def test_many_lines_small_chunks_exact_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonl_reader, "CHUNK_BYTES", 64 << 10)  # ~8 chunks; lines straddle edges
    monkeypatch.setattr(ingest_job, "SPILL_BYTES", 100 << 10)  # spill to staging and read back
    src = tmp_path / "big.jsonl"
    expected_good: list[int] = []
    expected_bad: dict[int, str] = {}
    with open(src, "w", encoding="utf-8", newline="") as fh:
        for line in range(1, 3001):
            if line % 997 == 0:
                fh.write('{"messages": [{"role": "user", "content": "cut off\n')
                expected_bad[line] = "not valid JSON"
            elif line % 401 == 0:
                fh.write("   \t \r\n")  # whitespace-only: not a record, not an error
            elif line % 503 == 0:
                fh.write('{"messages": [{"role": "user", "content": "x", "weight": "yes"}]}\n')
                expected_bad[line] = "weight"
            else:
                msgs = [
                    {"role": "user", "content": f"question {line}"},
                    {"role": "assistant", "content": f"answer {line}", "weight": line % 2},
                ]
                if line % 7 == 0:
                    msgs[0]["name"] = "ann"
                fh.write(json.dumps({"messages": msgs, "n": line}) + ("\r\n" if line % 3 else "\n"))
                expected_good.append(line)
    ws = Workspace.open(tmp_path / "w.curator", create=True)
    summary = run_job(import_job(ws, [src], ImportOptions()))
    recs = ws.records().sort(R.LINE)
    assert recs.get_column(R.LINE).to_list() == expected_good
    # every record carries its own line's content and meta: no off-by-one anywhere
    firsts = [m[0]["content"] for m in recs.get_column(R.MESSAGES).to_list()]
    assert firsts == [f"question {n}" for n in expected_good]
    assert [json.loads(m)["n"] for m in recs.get_column(R.META).to_list()] == expected_good
    weights = [m[1]["weight"] for m in recs.get_column(R.MESSAGES).to_list()]
    assert weights == [n % 2 for n in expected_good]
    names = [m[0]["name"] for m in recs.get_column(R.MESSAGES).to_list()]
    assert names == ["ann" if n % 7 == 0 else None for n in expected_good]
    q = ws.quarantine()
    assert q.get_column("line").to_list() == sorted(expected_bad)
    for line, reason in q.select("line", "reason").iter_rows():
        assert expected_bad[line] in reason
    assert summary.files[0].quarantined == len(expected_bad)
    assert not list(ws.path.glob(".staging-*"))  # the staging folder is gone


def test_last_line_without_newline_and_role_map(tmp_path: Path) -> None:
    src = tmp_path / "c.jsonl"
    src.write_text(
        json.dumps({"messages": [{"role": "Kunde", "content": "Hallo"}, {"role": "agent", "content": "Hi"}]})
        + "\n"
        + json.dumps({"messages": [{"role": "Kunde", "content": "Tschuess"}, {"role": "bot", "content": "Bye"}]})
    )
    ws = Workspace.open(tmp_path / "w", create=True)
    s = run_job(import_job(ws, [src], ImportOptions(role_map={"kunde": "user"})))
    assert s.added == 2 and s.quarantined == 0
    roles = [[m["role"] for m in msgs] for msgs in ws.records().get_column(R.MESSAGES).to_list()]
    assert roles == [["user", "assistant"], ["user", "assistant"]]
    # role renames are not repairs: the text is untouched
    assert ws.records().get_column(R.REPAIRS).to_list() == [[], []]


def test_meta_holds_each_lines_own_extra_fields(tmp_path: Path) -> None:
    src = tmp_path / "m.jsonl"
    msgs = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]
    src.write_text(
        json.dumps({"messages": msgs, "ticket": "T-1", "tags": ["x"], "rating": {"stars": 5}})
        + "\n"
        + json.dumps({"messages": msgs})
        + "\n"
    )
    ws = Workspace.open(tmp_path / "w", create=True)
    run_job(import_job(ws, [src], ImportOptions()))
    metas = [json.loads(m) for m in ws.records().sort(R.LINE).get_column(R.META).to_list()]
    assert metas == [{"ticket": "T-1", "tags": ["x"], "rating": {"stars": 5}}, {}]


@pytest.mark.parametrize("chunk_bytes", [1, 3, 7, 16, 1 << 20])
def test_line_chunks_match_the_file_lines(tmp_path: Path, chunk_bytes: int) -> None:
    from curator.core.ingest.lines import iter_line_chunks

    text = b"\xef\xbb\xbfone\r\n\nthree is a much longer line than the chunk\n  \nfive"
    src = tmp_path / "x.jsonl"
    src.write_bytes(text)
    got: list[tuple[int, bytes, bool]] = []
    for chunk in iter_line_chunks(src, chunk_bytes):
        for i in range(len(chunk.starts)):
            got.append((chunk.first_line + i, chunk.line(i), bool(chunk.blank[i])))
    assert got == [
        (1, b"one", False),
        (2, b"", True),
        (3, b"three is a much longer line than the chunk", False),
        (4, b"  ", True),
        (5, b"five", False),
    ]
