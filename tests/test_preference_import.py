"""Preference pairs are imported as pairs (not quarantined), in every common shape."""

from __future__ import annotations

import json

import polars as pl
import pytest
from pref_helpers import GOOD, MESSAGE_PAIR, OPENAI_PAIR, pair_workspace, write_jsonl

from curator.core import records as R
from curator.core.ingest.detect import detect_format
from curator.core.ingest.job import import_job
from curator.core.ingest.options import ImportOptions
from curator.core.jobs import run_job
from curator.core.workspace import SCHEMA_VERSION, Workspace


def _pairs(ws: Workspace) -> list[tuple[list[tuple[str, str]], str]]:
    out = []
    for msgs, rej in ws.frame().sort(R.LINE).select(R.MESSAGES, R.REJECTED_ANSWER).iter_rows():
        out.append(([(m["role"], m["content"]) for m in msgs], rej["content"]))
    return out


def test_every_shape_becomes_prompt_plus_chosen_and_a_rejected_reply(tmp_path):
    ws = pair_workspace(tmp_path)
    assert ws.quarantine().height == 0
    assert _pairs(ws) == [
        ([("user", "What is 2+2?"), ("assistant", "4")], "5"),
        ([("user", "Capital of France?"), ("assistant", "Paris.")], "Lyon."),
        ([("system", "Be brief."), ("user", "Hi"), ("assistant", "Hello!")], "Go away."),
        ([("user", "Sky colour?"), ("assistant", "Blue.")], "Green."),  # implicit prompt
    ]
    # extra fields are kept in meta like for chat records, the rejected reply is not
    metas = ws.frame().sort(R.LINE).get_column(R.META).to_list()
    assert json.loads(metas[2]) == {"source_id": 7}
    assert all("__curator" not in m for m in metas)


def test_detected_from_keys_and_named_by_format(tmp_path):
    src = write_jsonl(tmp_path / "a.jsonl", [OPENAI_PAIR])
    assert detect_format(src) == "preference"
    src2 = write_jsonl(tmp_path / "b.jsonl", [MESSAGE_PAIR])
    assert detect_format(src2) == "preference"
    ws = Workspace.open(tmp_path / "w.curator", create=True)
    run_job(import_job(ws, [src], ImportOptions(format="preference")))
    assert ws.frame().filter(R.is_pair()).height == 1


@pytest.mark.parametrize(
    ("obj", "reason"),
    [
        ({"prompt": "x", "chosen": "", "rejected": "y"}, "'chosen' is empty"),
        ({"chosen": "a", "rejected": "b"}, "share no leading turns"),
        (
            {"prompt": "x", "chosen": [{"role": "user", "content": "a"}], "rejected": "b"},
            "must be an assistant message",
        ),
        (
            {
                "prompt": "x",
                "chosen": [
                    {"role": "assistant", "content": "a"},
                    {"role": "assistant", "content": "b"},
                ],
                "rejected": "c",
            },
            "has 2 messages",
        ),
        (
            {
                "prompt": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}],
                "chosen": "b",
                "rejected": "c",
            },
            "prompt ends with an assistant turn",
        ),
        ({"prompt": 3, "chosen": "b", "rejected": "c"}, "'prompt' is a number"),
    ],
)
def test_bad_pairs_are_quarantined_with_line_and_reason(tmp_path, obj, reason):
    ws = pair_workspace(tmp_path, [OPENAI_PAIR, obj])
    q = ws.quarantine()
    assert q.height == 1
    assert q["line"][0] == 2 and reason in q["reason"][0]
    assert ws.frame().height == 1


def test_chat_parts_are_unchanged_and_mix_with_pairs(tmp_path, workspace):
    chat = tmp_path / "chat.jsonl"
    chat.write_text(
        json.dumps(
            {
                "messages": [
                    {"role": "user", "content": "hi"},
                    {"role": "assistant", "content": "hello"},
                ]
            }
        )
        + "\n"
    )
    run_job(import_job(workspace, [chat], ImportOptions()))
    part = next((workspace.path / "records").glob("*.parquet"))
    assert R.REJECTED_ANSWER not in pl.read_parquet_schema(part)  # old layout for chat parts
    run_job(import_job(workspace, [write_jsonl(tmp_path / "p.jsonl", GOOD)], ImportOptions()))
    f = workspace.frame()
    assert f.height == 5
    assert f.filter(R.is_pair()).height == 4
    assert f.filter(~R.is_pair()).get_column(R.SOURCE).to_list() == ["chat.jsonl"]


def test_parquet_with_preference_columns(tmp_path):
    src = tmp_path / "dpo.parquet"
    pl.DataFrame({"prompt": ["Why?"], "chosen": ["Because."], "rejected": ["No."]}).write_parquet(
        src
    )
    ws = Workspace.open(tmp_path / "w.curator", create=True)
    run_job(import_job(ws, [src], ImportOptions()))
    assert _pairs(ws) == [([("user", "Why?"), ("assistant", "Because.")], "No.")]


def test_old_workspace_opens_and_migrates(tmp_path):
    import sqlite3

    ws = Workspace.open(tmp_path / "old.curator", create=True)
    ws.close()
    con = sqlite3.connect(tmp_path / "old.curator" / "curator.db")
    con.execute("DROP TABLE state")
    con.execute(
        "CREATE TABLE state (record_id TEXT PRIMARY KEY, status TEXT NOT NULL, reason TEXT,"
        " messages TEXT, updated_at REAL NOT NULL)"
    )
    con.execute("INSERT INTO state VALUES ('x', 'approved', NULL, NULL, 1.0)")
    con.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    con.commit()
    con.close()
    again = Workspace.open(tmp_path / "old.curator")
    assert again.state().get_column("status").to_list() == ["approved"]
    version = again.db().execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    assert int(version[0]) == SCHEMA_VERSION


def test_ultrafeedback_style_prompt_plus_whole_conversations(tmp_path):
    def conv(answer):
        return [
            {"role": "user", "content": "Name a prime."},
            {"role": "assistant", "content": answer},
        ]

    row = {
        "prompt": "Name a prime.",
        "chosen": conv("7"),
        "rejected": conv("8"),
        "score_chosen": 9.0,
        "messages": conv("7"),
    }
    other = {**row, "prompt": "A different wording"}
    ws = pair_workspace(tmp_path, [row, other])
    assert _pairs(ws) == [([("user", "Name a prime."), ("assistant", "7")], "8")]
    assert json.loads(ws.frame().get_column(R.META)[0])["score_chosen"] == 9.0
    q = ws.quarantine()  # ambiguous: which is the prompt? never guessed
    assert q["line"].to_list() == [2] and "shared turns are not the 'prompt'" in q["reason"][0]
