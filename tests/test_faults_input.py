"""Pathological input: one bad line is quarantined and the rest imported; nothing
blocks or costs minutes; a bad recipe is refused before it is saved."""

from __future__ import annotations

import json
import os

import polars as pl
import pytest
from faults_helpers import cli, cli_process, info_json, no_bug_message, write_chats

from curator.core.ingest.guards import MAX_DEPTH, MAX_RECORD_BYTES, RAW_KEEP
from curator.core.workspace import Workspace

GOOD = {
    "messages": [
        {"role": "user", "content": "where is my parcel"},
        {"role": "assistant", "content": "it ships today"},
    ]
}


def _line(user: str) -> str:
    return json.dumps(
        {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": "fine"}]}
    )


def _deep(levels: int) -> str:
    return (
        '{"messages":[{"role":"user","content":"x"},{"role":"assistant","content":"y"}],"meta":'
        + "[" * levels
        + "]" * levels
        + "}"
    )


LOW = (
    '{"messages":[{"role":"user","content":"bad \\udc00 low"},{"role":"assistant","content":"ok"}]}'
)
HIGH = '{"messages":[{"role":"user","content":"bad \\ud800 high"},{"role":"assistant","content":"ok"}]}'
PAIR = '{"messages":[{"role":"user","content":"emoji \\ud83d\\ude00 pair"},{"role":"assistant","content":"ok"}]}'
ESCAPED = '{"messages":[{"role":"user","content":"literal \\\\ud800 text"},{"role":"assistant","content":"ok"}]}'


def _quarantine(ws) -> dict[int, str]:
    q = Workspace.open(ws).quarantine()
    return dict(zip(q.get_column("line").to_list(), q.get_column("reason").to_list(), strict=True))


@pytest.mark.parametrize("shape", ["jsonl", "json_array"])
def test_deep_nesting_and_lone_surrogates_quarantine_their_line_only(tmp_path, capsys, shape):
    lines = [
        _line("first question"),
        _deep(5000),
        LOW,
        HIGH,
        PAIR,
        ESCAPED,
        _deep(500),
        _line("last question"),
    ]
    src = tmp_path / ("in.jsonl" if shape == "jsonl" else "in.json")
    text = "\n".join(lines) + "\n" if shape == "jsonl" else "[\n" + ",\n".join(lines) + "\n]\n"
    src.write_text(text)
    ws = tmp_path / "ws.curator"
    code, _, err = cli(capsys, "import", str(src), "-w", str(ws))
    assert code == 0, err
    q = _quarantine(ws)
    assert sorted(q) == [2, 3, 4, 7]
    assert "nested 5001 levels deep" in q[2] and f"limit is {MAX_DEPTH}" in q[2]
    assert "lone UTF-16 surrogate" in q[3] and "lone UTF-16 surrogate" in q[4]
    assert "nested 501 levels deep" in q[7]
    assert info_json(capsys, ws)["records"] == 4  # first, pair, escaped backslash, last
    assert cli(capsys, "review", "-w", str(ws), "--approve", "--where", "passing")[0] == 0
    assert cli(capsys, "export", "-w", str(ws), "-o", str(tmp_path / "out"))[0] == 0
    exported = (tmp_path / "out" / "train.jsonl").read_text()
    assert "\\u0000" not in exported and "\x00" not in exported
    assert "\U0001f600" in exported or "\\ud83d\\ude00" in exported


def test_sharegpt_lone_surrogate_is_quarantined_not_a_bug(tmp_path, capsys):
    share = json.dumps(
        {"conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "hello"}]}
    )
    bad = '{"conversations":[{"from":"human","value":"x \\udc00"},{"from":"gpt","value":"y"}]}'
    src = tmp_path / "share.jsonl"
    src.write_text("\n".join([share, bad]) + "\n")
    code, _, err = cli(capsys, "import", str(src), "-w", str(tmp_path / "ws.curator"))
    assert code == 0, err
    assert list(_quarantine(tmp_path / "ws.curator")) == [2]


def test_a_huge_record_is_quarantined_by_the_size_guard(tmp_path, capsys):
    big = _line("z" * (MAX_RECORD_BYTES + 10))
    src = tmp_path / "big.jsonl"
    src.write_text("\n".join([_line("small one"), big, _line("small two")]) + "\n")
    ws = tmp_path / "ws.curator"
    code, _, err = cli(capsys, "import", str(src), "-w", str(ws))
    assert code == 0, err
    q = Workspace.open(ws).quarantine()
    assert q.get_column("line").to_list() == [2]
    assert "MiB limit per record" in q.get_column("reason")[0]
    assert len(q.get_column("raw")[0]) <= RAW_KEEP
    assert info_json(capsys, ws)["records"] == 2
    assert cli(capsys, "run", "-w", str(ws))[0] == 0  # scores only the two small ones


def test_a_fifo_is_skipped_and_listed_never_read(tmp_path, capsys):
    folder = tmp_path / "src"
    (folder / "sub").mkdir(parents=True)
    write_chats(folder / "a.jsonl", 3)
    os.mkfifo(folder / "pipe.jsonl")
    (folder / "broken.jsonl").symlink_to(tmp_path / "missing")
    os.mkfifo(tmp_path / "lonely.fifo")
    ws = tmp_path / "ws.curator"
    # a new process with a timeout: reading a FIFO would block forever
    proc = cli_process("import", str(folder), "-w", str(ws), "--json", timeout=60)
    assert proc.returncode == 0, proc.stderr
    skipped = {f["source"]: f["skipped"] for f in json.loads(proc.stdout)["files"] if f["not_data"]}
    assert set(skipped) == {"pipe.jsonl", "broken.jsonl", "sub"}
    assert (
        "named pipe" in skipped["pipe.jsonl"] and "broken symbolic link" in skipped["broken.jsonl"]
    )
    assert "folder inside the folder" in skipped["sub"]
    proc = cli_process("import", str(tmp_path / "lonely.fifo"), "-w", str(ws), timeout=60)
    assert proc.returncode == 1 and "named pipe" in proc.stderr
    no_bug_message(proc.stderr)


def test_an_unbalanced_csv_quote_quarantines_from_its_line_and_imports_the_rows_before(
    tmp_path, capsys
):
    src = tmp_path / "log.csv"
    src.write_text(
        "ticket,author,body\n"
        '1,customer,"say ""hi"" please"\n'
        "1,agent,hello\n"
        '2,customer,"a cell over\ntwo lines"\n'
        "2,agent,fine\n"
        '3,agent,"hello there\n'  # line 7: the quote is never closed
        "4,customer,more\n"
    )
    ws = tmp_path / "ws.curator"
    cli(capsys, "import", str(write_chats(tmp_path / "seed.jsonl", 2)), "-w", str(ws))
    code, out, err = cli(
        capsys,
        "import",
        str(src),
        "-w",
        str(ws),
        "--json",
        "--conversation-column",
        "ticket",
        "--speaker-column",
        "author",
        "--text-column",
        "body",
    )
    no_bug_message(err)
    summary = json.loads(out)
    assert code == 0 and summary["added"] == 2  # tickets 1 and 2, before the bad line
    [entry] = summary["files"][0]["quarantine"]
    assert entry["line"] == 7 and entry["locator"] == "lines 7-8"
    assert "a quoted field opens on line 7 and is never closed" in entry["reason"]
    assert entry["raw"].startswith('3,agent,"hello there')
    texts = Workspace.open(ws).records().filter(pl.col("source") == "log.csv")
    assert sorted(m[0]["content"] for m in texts.get_column("messages").to_list()) == [
        "a cell over\ntwo lines",
        'say "hi" please',
    ]
    code, out, _ = cli(
        capsys,
        "import",
        str(src),
        "-w",
        str(ws),
        "--conversation-column",
        "ticket",
        "--speaker-column",
        "author",
        "--text-column",
        "body",
    )
    assert code == 0 and "already imported" in out


def test_a_bad_recipe_is_refused_with_its_file_and_line_before_it_is_saved(tmp_path, capsys):
    ws = tmp_path / "ws.curator"
    assert cli(capsys, "import", str(write_chats(tmp_path / "a.jsonl", 20)), "-w", str(ws))[0] == 0
    before = Workspace.open(ws).get_setting("recipe")
    recipe = tmp_path / "strict.toml"
    recipe.write_text('# strict\n[[step]]\nname = "near_dedup"\nenabled = true\nthreshold = 1.5\n')
    code, _, err = cli(capsys, "run", "-w", str(ws), "--recipe", str(recipe))
    assert code == 1
    assert f"{recipe}, line 5: near_dedup.threshold must be in (0, 1], got 1.5" in err
    assert "--threshold" not in err
    assert Workspace.open(ws).get_setting("recipe") == before  # nothing saved
    assert cli(capsys, "run", "-w", str(ws))[0] == 0  # later runs are unaffected
