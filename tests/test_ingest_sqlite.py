"""`curator import sqlite:///FILE` (no server needed), the CLI's usage rules and
how a database URL is shown (never with its password)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from curator.cli.main import main
from curator.core.errors import UsageError
from curator.core.ingest import database
from curator.core.ingest.database import DatabaseSource, redact
from curator.core.workspace import Workspace
from tests.helpdesk_seed import OPTIONS, QUERY, seed_sqlite, write_csv


def cli(capsys: Any, *args: str) -> tuple[int, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out + err


def conversations(ws_path: Path) -> dict[str, list[tuple[str, str]]]:
    ws = Workspace.open(ws_path)
    try:
        return {
            str(json.loads(meta)["ticket_id"]): [(m["role"], m["content"]) for m in msgs]
            for meta, msgs in ws.records().select("meta", "messages").iter_rows()
        }
    finally:
        ws.close()


@pytest.fixture
def helpdesk_db(tmp_path: Path) -> Path:
    path = tmp_path / "helpdesk.db"
    seed_sqlite(path)
    return path


def test_sqlite_query_gives_the_conversations_of_its_csv_export(
    helpdesk_db: Path, tmp_path: Path, capsys: Any
) -> None:
    write_csv(tmp_path / "helpdesk.csv")
    assert (
        cli(
            capsys, "import", str(tmp_path / "helpdesk.csv"), "-w", str(tmp_path / "csv"), *OPTIONS
        )[0]
        == 0
    )
    code, out = cli(
        capsys,
        "import",
        f"sqlite:///{helpdesk_db}",
        "--query",
        QUERY,
        "-w",
        str(tmp_path / "db"),
        *OPTIONS,
    )
    assert code == 0, out
    from_db = conversations(tmp_path / "db")
    assert sorted(from_db) == ["101", "102", "103", "104"]
    assert from_db == conversations(tmp_path / "csv")


def test_sqlite_table_streams_in_batches_and_reimport_adds_only_new(
    helpdesk_db: Path, tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "BATCH", 4)  # 10 rows -> 3 batches, each its own progress step
    ws = tmp_path / "ws"
    args = [
        "import",
        f"sqlite:///{helpdesk_db}",
        "--table",
        "messages",
        "-w",
        str(ws),
        "--json",
        *OPTIONS,
    ]
    code, out = cli(capsys, *args)
    assert code == 0 and json.loads(out)["added"] == 4
    con = sqlite3.connect(helpdesk_db)
    con.execute("INSERT INTO tickets VALUES (105, 'New')")
    con.execute(
        "INSERT INTO messages VALUES (11, 105, 'customer', 'Open on Sunday?', '2026-11-03 08:00:00')"
    )
    con.execute(
        "INSERT INTO messages VALUES (12, 105, 'agent', 'Yes, 10 to 4.', '2026-11-03 08:01:00')"
    )
    con.commit()
    con.close()
    code, out = cli(capsys, *args)
    summary = json.loads(out)
    assert (summary["added"], summary["skipped_existing"]) == (1, 4)
    assert conversations(ws)["105"] == [("user", "Open on Sunday?"), ("assistant", "Yes, 10 to 4.")]


def test_sqlite_progress_is_reported_per_batch(
    helpdesk_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from curator.core.ingest.database_job import import_database_job
    from curator.core.ingest.options import ImportOptions

    monkeypatch.setattr(database, "BATCH", 4)
    ws = Workspace.open(tmp_path / "ws", create=True)
    job = import_database_job(
        ws,
        DatabaseSource.make(f"sqlite:///{helpdesk_db}", table="messages"),
        ImportOptions(role_map={"customer": "user", "agent": "assistant"}),
    )
    rows_seen = []
    try:
        while True:
            p = next(job)
            if p.message.endswith(" rows"):
                rows_seen.append(p.done)
    except StopIteration as stop:
        assert stop.value.added == 4
    assert rows_seen == [4, 8, 10]
    ws.close()


def test_unknown_speaker_is_quarantined_with_its_row(
    helpdesk_db: Path, tmp_path: Path, capsys: Any
) -> None:
    con = sqlite3.connect(helpdesk_db)
    con.execute(
        "INSERT INTO messages VALUES (11, 104, 'supervisor', 'Closing this.', '2026-11-02 09:20:00')"
    )
    con.commit()
    con.close()
    code, out = cli(
        capsys,
        "import",
        f"sqlite:///{helpdesk_db}",
        "--table",
        "messages",
        "-w",
        str(tmp_path / "ws"),
        "--json",
        *OPTIONS,
    )
    summary = json.loads(out)
    assert code == 0 and summary["added"] == 3 and summary["quarantined"] == 1
    [entry] = summary["files"][0]["quarantine"]
    assert entry["locator"] == "ticket_id=104" and "supervisor" in entry["reason"]


def test_sqlite_bad_inputs_are_clear_errors(helpdesk_db: Path, tmp_path: Path, capsys: Any) -> None:
    ws = str(tmp_path / "ws")
    code, out = cli(capsys, "import", f"sqlite:///{tmp_path / 'nope.db'}", "--table", "m", "-w", ws)
    assert code == 1 and "there is no SQLite file" in out
    code, out = cli(
        capsys, "import", f"sqlite:///{helpdesk_db}", "--query", "SELECT x FROM messages", "-w", ws
    )
    assert code == 1 and "no such column: x" in out and "Query: SELECT x FROM messages" in out
    code, out = cli(
        capsys,
        "import",
        f"sqlite:///{helpdesk_db}",
        "--query",
        "SELECT id, id FROM messages",
        "-w",
        ws,
    )
    assert code == 1 and "two columns named 'id'" in out
    code, out = cli(
        capsys,
        "import",
        f"sqlite:///{helpdesk_db}",
        "--query",
        "SELECT * FROM messages WHERE 0",
        "-w",
        ws,
        *OPTIONS,
    )
    assert code == 1 and "the query returned no rows" in out
    assert not Path(ws).exists()


@pytest.mark.parametrize(
    "args, says",
    [
        (["sqlite:///x.db"], "--query SQL or --table T"),
        (["sqlite:///x.db", "--query", "SELECT 1", "--table", "t"], "--query SQL or --table T"),
        (["sqlite:///x.db", "chats.jsonl", "--table", "t"], "imported on its own"),
        (["chats.jsonl", "--table", "t"], "are for a database source"),
        (
            ["postgresql://u@h/db", "--table", "t", "--password-env", "CURATOR_TEST_UNSET_VAR"],
            "is not set",
        ),
    ],
)
def test_database_usage_errors_exit_2(
    args: list[str], says: str, tmp_path: Path, capsys: Any
) -> None:
    code, out = cli(capsys, "import", *args, "-w", str(tmp_path / "ws"))
    assert code == 2 and says in out


def test_passwords_are_stripped_from_what_is_shown() -> None:
    assert redact(
        "postgresql://ann:s3cr%40t@db.example:5432/helpdesk?sslmode=require&password=p2"
    ) == ("postgresql://ann@db.example:5432/helpdesk?sslmode=require")
    src = DatabaseSource.make("postgresql://ann:s3cr%40t@db/helpdesk", table="public.messages")
    assert src.target == "postgresql://ann@db/helpdesk"
    assert src.query == 'SELECT * FROM "public"."messages"'
    assert "s3cr" not in src.scrub(
        "FATAL: password s3cr@t for postgresql://ann:s3cr%40t@db/helpdesk"
    )
    # the id identity ignores the password: the same target with other credentials is the same source
    assert (
        src.identity
        == DatabaseSource.make("postgresql://ann@db/helpdesk", table="public.messages").identity
    )
    with pytest.raises(UsageError):
        DatabaseSource.make("postgresql://ann@db/helpdesk", table="bad..name")
