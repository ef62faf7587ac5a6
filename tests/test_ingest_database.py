"""`curator import postgresql://...` against a real PostgreSQL server (tests/pg_server.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from curator.cli.main import main
from curator.core.ingest import database
from curator.core.ingest.database import DatabaseSource
from curator.core.ingest.database_job import import_database_job, preview_database
from curator.core.ingest.options import ImportOptions
from curator.core.workspace import Workspace
from tests.helpdesk_seed import MESSAGES, OPTIONS, QUERY, seed_postgres, write_csv
from tests.pg_server import PASSWORD, PgServer, pg_server  # noqa: F401  (the fixture)

ROLES = {"customer": "user", "agent": "assistant"}


@pytest.fixture
def helpdesk(pg_server: PgServer) -> PgServer:  # noqa: F811
    with pg_server.connect() as con:
        seed_postgres(con)
    return pg_server


def cli(capsys: Any, *args: str) -> tuple[int, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out + err


def conversations(ws_path: Path) -> dict[str, list[tuple[str, str]]]:
    ws = Workspace.open(ws_path)
    try:
        out = {}
        for meta, msgs in ws.records().select("meta", "messages").iter_rows():
            out[str(json.loads(meta)["ticket_id"])] = [(m["role"], m["content"]) for m in msgs]
        return out
    finally:
        ws.close()


def assert_no_password(ws_path: Path, *texts: str) -> None:
    for text in texts:
        assert PASSWORD not in text
    for f in ws_path.rglob("*"):
        if f.is_file():
            assert PASSWORD.encode() not in f.read_bytes(), f"password stored in {f}"


def test_query_import_groups_tickets_in_time_order(
    helpdesk: PgServer, tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    ws = tmp_path / "ws"
    code, out = cli(capsys, "import", helpdesk.url(), "--query", QUERY, "-w", str(ws), *OPTIONS)
    assert code == 0, out
    convs = conversations(ws)
    assert sorted(convs) == ["101", "102", "103", "104"]
    # message 10 was written last but happened first: it opens ticket 103
    # (and is merged with the next customer message, as a CSV log's would be)
    assert convs["103"][0] == (
        "user",
        "Hello, I need help with my account.\nI can't log in, the reset link says it expired.",
    )
    assert [r for r, _ in convs["101"]] == ["user", "assistant", "user"]
    assert_no_password(ws, out)


def test_same_conversations_as_the_csv_export_of_the_same_rows(
    helpdesk: PgServer, tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    csv_file = tmp_path / "helpdesk.csv"
    write_csv(csv_file)
    assert cli(capsys, "import", str(csv_file), "-w", str(tmp_path / "from_csv"), *OPTIONS)[0] == 0
    code, out = cli(
        capsys,
        "import",
        helpdesk.url(),
        "--query",
        QUERY,
        "-w",
        str(tmp_path / "from_pg"),
        *OPTIONS,
    )
    assert code == 0, out
    from_csv, from_pg = conversations(tmp_path / "from_csv"), conversations(tmp_path / "from_pg")
    assert from_pg == from_csv
    text = "\n".join(c for msgs in from_pg.values() for _, c in msgs)
    assert all(body in text for _, _, _, body, _ in MESSAGES)  # every row is in a conversation


def test_reimport_adds_only_new_conversations(
    helpdesk: PgServer, tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    ws = tmp_path / "ws"
    args = ["import", helpdesk.url(), "--table", "messages", "-w", str(ws), "--json", *OPTIONS]
    code, out = cli(capsys, *args)
    assert code == 0 and json.loads(out)["added"] == 4
    with helpdesk.connect() as con:
        con.execute("INSERT INTO tickets VALUES (105, 'New one')")
        con.execute(
            "INSERT INTO messages VALUES (11, 105, 'customer', 'Is the shop open on Sunday?', '2026-11-03 08:00')"
        )
        con.execute(
            "INSERT INTO messages VALUES (12, 105, 'agent', 'Yes, 10:00 to 16:00.', '2026-11-03 08:01')"
        )
    code, out = cli(capsys, *args)
    summary = json.loads(out)
    assert code == 0 and (summary["added"], summary["skipped_existing"]) == (1, 4)
    assert sorted(conversations(ws)) == ["101", "102", "103", "104", "105"]


def test_password_from_env_var_or_url_is_never_stored_or_shown(
    helpdesk: PgServer, tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("HELPDESK_PW", PASSWORD)
    ws = tmp_path / "ws"
    code, out = cli(
        capsys,
        "import",
        helpdesk.url(),
        "--table",
        "messages",
        "--password-env",
        "HELPDESK_PW",
        "-w",
        str(ws),
        "--json",
        *OPTIONS,
    )
    assert code == 0, out
    assert json.loads(out)["added"] == 4
    code, out2 = cli(
        capsys, "import", helpdesk.url(password=PASSWORD), "--query", QUERY, "-w", str(ws), *OPTIONS
    )
    assert code == 0, out2
    assert "curator@" in out2  # the target is shown, without the password
    code, info = cli(capsys, "info", "-w", str(ws), "--json")
    assert_no_password(ws, out, out2, info)


def test_wrong_password_is_a_clear_error_without_the_password(
    helpdesk: PgServer, tmp_path: Path, capsys: Any
) -> None:
    wrong = "wrong-" + PASSWORD[::-1]
    code, out = cli(
        capsys,
        "import",
        helpdesk.url(password=wrong),
        "--table",
        "messages",
        "-w",
        str(tmp_path / "ws"),
        *OPTIONS,
    )
    assert code == 1
    assert "cannot connect" in out and "password authentication failed" in out
    assert wrong not in out and PASSWORD not in out
    assert not (tmp_path / "ws").exists()  # nothing was created


def test_wrong_query_names_the_query_and_imports_nothing(
    helpdesk: PgServer, tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    bad = "SELECT ticket_id, body FROM messagez"
    code, out = cli(
        capsys, "import", helpdesk.url(), "--query", bad, "-w", str(tmp_path / "ws"), *OPTIONS
    )
    assert code == 1
    assert "the query failed" in out and 'relation "messagez" does not exist' in out and bad in out


def test_missing_column_names_the_column_and_the_query(
    helpdesk: PgServer, tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    query = "SELECT ticket_id, author_type, created_at FROM messages"
    code, out = cli(
        capsys, "import", helpdesk.url(), "--query", query, "-w", str(tmp_path / "ws"), *OPTIONS
    )
    assert code == 1
    assert "there is no column 'body' (--text-column)" in out and query in out


def test_connection_dropped_mid_stream_publishes_nothing(
    helpdesk: PgServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server ends the session between two batches: a clear error naming the
    query and the last row read; the workspace gets no records."""
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    monkeypatch.setattr(database, "BATCH", 3)
    ws = Workspace.open(tmp_path / "ws", create=True)
    source = DatabaseSource.make(helpdesk.url(), query=QUERY)
    options = ImportOptions(role_map=ROLES, time_column="created_at")
    job = import_database_job(ws, source, options)
    seen = []
    try:
        while True:
            progress = next(job)
            seen.append(progress.done)
            if progress.done == 3:  # the first batch is in: the server drops us
                with helpdesk.connect() as con:
                    con.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = 'curator import'"
                    )
    except StopIteration as stop:
        summary = stop.value
    [result] = summary.files
    assert result.error is not None
    assert "the connection was lost after row 3" in result.error and QUERY in result.error
    assert ws.records().height == 0
    ws.close()


def test_preview_shows_the_first_conversations(
    helpdesk: PgServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    source = DatabaseSource.make(helpdesk.url(), table="messages")
    shown = preview_database(
        source, ImportOptions(role_map=ROLES, time_column="created_at"), limit=2
    )
    assert shown.error is None
    assert shown.records.height == 2
    assert shown.columns == ["id", "ticket_id", "author_type", "body", "created_at"]
    assert shown.speakers == ["agent", "customer"]
