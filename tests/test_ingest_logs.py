"""CSV/TSV message logs, text transcripts, Parquet and HF dataset folders."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from curator.core import records as R
from curator.core.ingest import ImportOptions, detect_format, list_sources, preview


def texts(df: pl.DataFrame) -> list[list[tuple[str, str]]]:
    return [[(m["role"], m["content"]) for m in msgs] for msgs in df.get_column(R.MESSAGES).to_list()]


CSV = (
    "ticket_id,author,body,created_at,channel\n"
    "T2,customer,Second ticket,2024-03-01 10:05:00,web\n"  # row 2
    "T1,agent,\"Sure, let me check.\nOne moment.\",2024-03-01 09:01:00,mail\n"  # row 3 (two lines)
    "T1,customer,My card was charged twice,2024-03-01 09:00:00,mail\n"  # row 4
    "T2,support,Answer two,2024-03-01 10:06:00,web\n"  # row 5
    "T3,Bob,Who am I?,2024-03-01 11:00:00,web\n"  # row 6
)


def test_csv_groups_orders_by_time_and_maps_aliases(tmp_path: Path) -> None:
    src = tmp_path / "helpdesk.csv"
    src.write_text(CSV)
    assert detect_format(src) == "csv"
    p = preview(src, ImportOptions())
    assert p.columns == ["ticket_id", "author", "body", "created_at", "channel"]
    assert set(p.speakers) == {"customer", "agent", "support", "Bob"}
    assert texts(p.records) == [
        [("user", "Second ticket"), ("assistant", "Answer two")],
        [("user", "My card was charged twice"), ("assistant", "Sure, let me check.\nOne moment.")],
    ]
    assert p.records.get_column(R.LOCATOR).to_list() == ["rows 2-5", "rows 3-4"]
    assert p.records.get_column(R.LINE).to_list() == [2, 3]
    meta = json.loads(p.records.get_column(R.META)[1])
    assert meta["ticket_id"] == "T1" and meta["created_at"] == ["2024-03-01 09:00:00", "2024-03-01 09:01:00"]
    [q] = p.quarantine
    assert q.locator == "row 6" and "unknown speaker 'Bob'" in q.reason
    assert q.raw is not None and "Who am I?" in q.raw  # the reviewer can see what was held back
    assert p.error is not None and "--role-map" in p.error
    mapped = preview(src, ImportOptions(role_map=ImportOptions.parse_role_map("Bob=user")))
    assert mapped.records.height == 3 and mapped.quarantine == []


def test_csv_missing_mapped_column_names_it_and_lists_columns(tmp_path: Path) -> None:
    src = tmp_path / "h.csv"
    src.write_text(CSV)
    p = preview(src, ImportOptions(text_column="message"))
    assert p.error is not None
    assert "'message'" in p.error and "--text-column" in p.error and "'body'" in p.error
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b,c\n1,2,3\n")
    p2 = preview(odd, ImportOptions())
    assert p2.error is not None and "--conversation-column" in p2.error


def test_tsv_with_explicit_columns_crlf_and_bom(tmp_path: Path) -> None:
    src = tmp_path / "chat.tsv"
    src.write_bytes(
        b"\xef\xbb\xbfconv\twho\tsaid\r\n"
        b"c1\tCaller\tHello there\r\nc1\tRep\tHi, how can I help?\r\n"
        b"\tRep\torphan row\r\n"
    )
    opts = ImportOptions(
        conversation_column="conv", speaker_column="who", text_column="said",
        role_map={"caller": "user", "Rep": "assistant"},
    )
    p = preview(src, opts)
    assert texts(p.records) == [[("user", "Hello there"), ("assistant", "Hi, how can I help?")]]
    assert [(q.locator, q.reason) for q in p.quarantine] == [("row 4", "empty conversation column 'conv'")]


def test_csv_undecodable_row_is_quarantined_alone(tmp_path: Path) -> None:
    src = tmp_path / "enc.csv"
    src.write_bytes(
        b"conversation_id,speaker,text\n"
        b"a,user,fine\na,assistant,also fine\nb,user,caf\xe9 latin-1\nb,assistant,ok\n"
    )
    p = preview(src, ImportOptions())
    assert texts(p.records)[0] == [("user", "fine"), ("assistant", "also fine")]
    assert [(q.locator, q.reason.split(";")[0]) for q in p.quarantine] == [
        ("row 4", "contains bytes that are not UTF-8")
    ]


TRANSCRIPT = """Call 42 - billing
[00:00:01] Agent: Thanks for calling Acme, this is Dana.
[00:00:04] Customer: Hi, I was charged twice
for the same order.
[00:00:09] Agent: I'm sorry about that, let me look.
---
2024-03-02 14:00:00 Caller: Is the store open Sunday?
2024-03-02 14:00:05 Bot: Yes, from 10 to 4.
"""


def test_transcript_separators_timestamps_continuations(tmp_path: Path) -> None:
    src = tmp_path / "calls.txt"
    src.write_text(TRANSCRIPT)
    assert detect_format(src) == "transcript"
    p = preview(src, ImportOptions())
    assert texts(p.records) == [
        [
            ("assistant", "Thanks for calling Acme, this is Dana."),
            ("user", "Hi, I was charged twice\nfor the same order."),
            ("assistant", "I'm sorry about that, let me look."),
        ],
        [("user", "Is the store open Sunday?"), ("assistant", "Yes, from 10 to 4.")],
    ]
    assert p.records.get_column(R.LOCATOR).to_list() == ["lines 1-5", "lines 7-8"]
    meta = json.loads(p.records.get_column(R.META)[0])
    assert meta["header"] == "Call 42 - billing" and meta["times"][0] == "00:00:01"


def test_transcript_blank_lines_split_only_real_conversations(tmp_path: Path) -> None:
    two = tmp_path / "two.txt"
    two.write_text("User: a\nAssistant: b\n\nUser: c\nAssistant: d\n")
    assert len(preview(two, ImportOptions()).records) == 2
    spaced = tmp_path / "spaced.txt"
    spaced.write_text("User: a\n\nAssistant: b\n\nUser: c\n")
    p = preview(spaced, ImportOptions())
    assert texts(p.records) == [[("user", "a"), ("assistant", "b"), ("user", "c")]]


def test_transcript_unknown_speaker_and_bad_bytes(tmp_path: Path) -> None:
    src = tmp_path / "t.txt"
    src.write_bytes(b"Dana: hello\nUser: hi\n---\nUser: caf\xe9\nAgent: ok\n")
    p = preview(src, ImportOptions())
    reasons = {q.locator: q.reason for q in p.quarantine}
    assert "unknown speaker 'Dana'" in reasons["lines 1-2"]
    assert reasons["lines 4-5"].startswith("line 4 is not valid UTF-8")
    ok = preview(src, ImportOptions(role_map={"dana": "assistant"}))
    assert texts(ok.records) == [[("assistant", "hello"), ("user", "hi")]]


def test_parquet_and_folder_listing(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    pl.DataFrame(
        {
            "conversations": [[{"from": "human", "value": "q"}, {"from": "gpt", "value": "a"}]],
            "lang": ["en"],
        }
    ).write_parquet(folder / "b.parquet")
    (folder / "a.txt").write_text("User: x\nAssistant: y\n")
    (folder / ".hidden.jsonl").write_text("{}\n")
    assert [p.name for p in list_sources([folder])] == ["a.txt", "b.parquet"]
    p = preview(folder / "b.parquet", ImportOptions())
    assert p.format == "parquet"
    assert texts(p.records) == [[("user", "q"), ("assistant", "a")]]
    assert p.records.get_column(R.LOCATOR).to_list() == ["row 1"]
    assert json.loads(p.records.get_column(R.META)[0]) == {"lang": "en"}


def test_hf_dataset_folder(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    ds = datasets.Dataset.from_dict(
        {"instruction": ["Add 2+2", "Name a color"], "input": ["", ""], "output": ["4", "blue"]}
    )
    target = tmp_path / "alpaca_hf"
    ds.save_to_disk(str(target))
    assert detect_format(target) == "hf"
    assert list_sources([target]) == [target]
    p = preview(target, ImportOptions())
    assert texts(p.records) == [
        [("user", "Add 2+2"), ("assistant", "4")],
        [("user", "Name a color"), ("assistant", "blue")],
    ]


def test_transcript_starting_with_a_bracketed_time_is_not_json(tmp_path: Path) -> None:
    src = tmp_path / "call_0001.txt"
    src.write_text("[00:00:10] Agent: Hello, how can I help?\n    I am here.\n[00:00:20] Customer: My bill.\n")
    assert detect_format(src) == "transcript"
    p = preview(src, ImportOptions())
    assert texts(p.records) == [
        [("assistant", "Hello, how can I help?\n    I am here."), ("user", "My bill.")]
    ]


@pytest.mark.parametrize(
    "prefix",
    ["", "[00:01:02] ", "10:00 ", "10:00:05 - ", "2024-03-01 10:00:00 ", "03/01/2024 10:00 AM ",
     "2024-03-01T10:00:00Z ", "[2024-03-01 10:00] "],
)
def test_transcript_time_prefixes(tmp_path: Path, prefix: str) -> None:
    src = tmp_path / "t.txt"
    src.write_text(f"{prefix}Customer: Hi: is it open?\n{prefix}Agent: Yes.\n")
    p = preview(src, ImportOptions())
    assert texts(p.records) == [[("user", "Hi: is it open?"), ("assistant", "Yes.")]], p.quarantine


def test_hf_dataset_dict_imports_every_split(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    from curator.core.ingest import import_job
    from curator.core.jobs import run_job
    from curator.core.workspace import Workspace

    def split(*pairs: tuple[str, str]) -> object:
        return datasets.Dataset.from_dict(
            {"instruction": [q for q, _ in pairs], "input": ["" for _ in pairs], "output": [a for _, a in pairs]}
        )

    dd = datasets.DatasetDict(
        {"train": split(("Add 2+2", "4"), ("Name a color", "blue")), "validation": split(("Capital of France?", "Paris"))}
    )
    target = tmp_path / "exported_hf"
    dd.save_to_disk(str(target))
    assert detect_format(target) == "hf"
    ws = Workspace.open(tmp_path / "ws.curator", create=True)
    summary = run_job(import_job(ws, [target], ImportOptions()))
    assert summary.added == 3
    df = ws.records().sort(R.LINE)
    assert df.get_column(R.LOCATOR).to_list() == ["train/row 1", "train/row 2", "validation/row 1"]
    assert texts(df)[2] == [("user", "Capital of France?"), ("assistant", "Paris")]
    again = Workspace.open(tmp_path / "ws2.curator", create=True)
    run_job(import_job(again, [target], ImportOptions()))
    assert again.records().get_column(R.ID).sort().to_list() == df.get_column(R.ID).sort().to_list()


def test_csv_cells_past_the_header_are_named_in_repairs_not_lost(tmp_path: Path) -> None:
    src = tmp_path / "ragged.csv"
    src.write_text(
        "conversation_id,speaker,text\n"
        "c1,user,Hi,there\n"  # row 2: the unquoted comma split the text
        "c1,agent,Hello,\n"  # row 3: a trailing empty cell loses nothing
        "c2,user,Q\n"
        "c2,agent,A,x,y,\"z, w\"\n"  # row 5
        "c3,user,long\n"
        "c3,agent,row," + ",".join(f"e{i}" for i in range(12)) + "\n"  # row 7: more than we read
    )
    p = preview(src, ImportOptions())
    assert texts(p.records) == [
        [("user", "Hi"), ("assistant", "Hello")],
        [("user", "Q"), ("assistant", "A")],
        [("user", "long"), ("assistant", "row")],
    ]
    repairs = p.records.get_column(R.REPAIRS).to_list()
    assert repairs[0] == ["row 2: dropped 1 cell(s) past the 3 header columns: 'there'"]
    assert repairs[1] == ["row 5: dropped 3 cell(s) past the 3 header columns: 'x', 'y', 'z, w'"]
    assert repairs[2][0].startswith("row 7: dropped 8 or more cell(s) past the 3 header columns: 'e0'")
    assert p.columns == ["conversation_id", "speaker", "text"]
