"""Workspace integrity under damage: an emptied database, damaged parts and pages,
results rebuilt by run, read-only commands that take no write lock."""

from __future__ import annotations

import gc
import json
import os
import shutil
import sqlite3
import threading

import pytest
from faults_helpers import cli, info_json, no_bug_message, snapshot, write_chats

from curator.core.workspace import Workspace


@pytest.fixture
def two_imports(tmp_path, capsys):
    ws = tmp_path / "ws.curator"
    a = write_chats(tmp_path / "a.jsonl", 30, tag="alpha")
    b = write_chats(tmp_path / "b.jsonl", 20, tag="beta")
    for src in (a, b):
        code, _, err = cli(capsys, "import", str(src), "-w", str(ws))
        assert code == 0, err
    return ws, a, b


def test_an_emptied_database_is_refused_and_destroys_nothing(two_imports, tmp_path, capsys):
    ws, _a, _ = two_imports
    parts = snapshot(ws / "records")
    gc.collect()  # the in-process imports' connections close (as when the processes end)
    (ws / "curator.db").write_bytes(b"")  # a 0-byte curator.db (a bad copy, a full disk)
    c = write_chats(tmp_path / "c.jsonl", 5, tag="gamma")
    for args in (
        ("info", "-w", str(ws), "--json"),
        ("run", "-w", str(ws)),
        ("import", str(c), "-w", str(ws)),
    ):
        code, out, err = cli(capsys, *args)
        assert code == 1, (args, out)
        assert "damaged" in err and "0 bytes" in err and "backup" in err
        no_bug_message(err)
    assert snapshot(ws / "records") == parts  # nothing overwritten
    assert (ws / "curator.db").stat().st_size == 0  # and not turned into a new workspace


def test_a_database_without_curator_schema_is_damaged_not_new(two_imports, capsys):
    ws, _, _ = two_imports
    (ws / "curator.db").unlink()
    con = sqlite3.connect(ws / "curator.db")
    con.execute("CREATE TABLE other (x)")
    con.commit()
    con.close()
    code, _, err = cli(capsys, "info", "-w", str(ws))
    assert code == 1 and "not a Curator database" in err
    (ws / "curator.db").unlink()
    code, _, err = cli(capsys, "info", "-w", str(ws))
    assert code == 1 and "curator.db is missing but records/ holds 2 record part(s)" in err


def _checkpoint(db) -> None:
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def test_part_numbers_come_from_the_disk_too(tmp_path, capsys):
    """A database restored from an older backup never makes an import overwrite a part."""
    a = write_chats(tmp_path / "a.jsonl", 30, tag="alpha")
    b = write_chats(tmp_path / "b.jsonl", 20, tag="beta")
    ws = tmp_path / "ws.curator"
    assert cli(capsys, "import", str(a), "-w", str(ws))[0] == 0
    _checkpoint(ws / "curator.db")
    backup = tmp_path / "backup.db"
    shutil.copy(ws / "curator.db", backup)  # a backup with only a's import
    assert cli(capsys, "import", str(b), "-w", str(ws))[0] == 0
    on_disk = snapshot(ws / "records")
    assert sorted(on_disk) == ["import-000001.parquet", "import-000002.parquet"]
    _checkpoint(ws / "curator.db")
    shutil.copy(backup, ws / "curator.db")  # restore the older database
    c = write_chats(tmp_path / "c.jsonl", 7, tag="gamma")
    assert cli(capsys, "import", str(c), "-w", str(ws))[0] == 0
    after = snapshot(ws / "records")
    assert {k: after[k] for k in on_disk} == on_disk  # part 2 was not overwritten
    assert len(after) == 3
    assert info_json(capsys, ws)["records"] == 30 + 7


def _flip(path, at: float) -> None:
    data = bytearray(path.read_bytes())
    i = int(len(data) * at)
    data[i : i + 16] = bytes(b ^ 0xFF for b in data[i : i + 16])
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", ["truncate", "bitflip"])
def test_a_damaged_record_part_is_named_with_its_source_then_repaired(two_imports, capsys, damage):
    ws, a, _b = two_imports
    part = ws / "records" / "import-000001.parquet"
    if damage == "truncate":
        part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])
    else:
        _flip(part, 0.3)
    c = write_chats(ws.parent / "c.jsonl", 3, tag="gamma")
    for cmd, extra in (
        ("info", []),
        ("query", []),
        ("report", []),
        ("run", []),
        ("export", ["-o", str(ws.parent / "out")]),
        ("review", ["--approve", "--where", "passing"]),
        # (import reads only the id column: a flip elsewhere need not stop it)
        *([("import", [str(c)])] if damage == "truncate" else []),
    ):
        code, _, err = cli(capsys, cmd, "-w", str(ws), *extra)
        assert code == 1, cmd
        assert (
            "records/import-000001.parquet" in err and str(a) in err and "curator repair" in err
        ), err
        no_bug_message(err)
    code, out, _ = cli(capsys, "check", "-w", str(ws), "--json")
    problems = json.loads(out)["problems"]
    assert code == 1 and [(p["kind"], p["source"]) for p in problems] == [("damaged_part", str(a))]
    code, out, err = cli(capsys, "repair", "-w", str(ws))  # not a terminal: asks for --yes
    assert code == 1 and "--yes" in err and "move records/import-000001.parquet" in out
    assert part.exists()
    code, out, _ = cli(capsys, "repair", "-w", str(ws), "--yes")
    assert code == 0 and "quarantine" in out
    assert not part.exists() and list((ws / "quarantine").iterdir())
    data = info_json(capsys, ws)  # the rest of the workspace is usable
    assert data["records"] == 20
    assert cli(capsys, "check", "-w", str(ws))[0] == 0
    code, _, err = cli(capsys, "import", str(a), "-w", str(ws))  # re-import brings them back
    assert code == 0, err
    assert info_json(capsys, ws)["records"] == 50


@pytest.mark.parametrize("damage", ["truncate", "bitflip", "delete"])
def test_damaged_results_are_named_and_rebuilt_by_run(two_imports, capsys, damage):
    ws, _, _ = two_imports
    assert cli(capsys, "run", "-w", str(ws))[0] == 0
    before = info_json(capsys, ws)
    for f in sorted((ws / "results").glob("*.parquet")):
        if damage == "delete":
            f.unlink()
        elif damage == "truncate":
            f.write_bytes(f.read_bytes()[:40])
        else:
            _flip(f, 0.5)
    if damage != "delete":
        code, _, err = cli(capsys, "info", "-w", str(ws))
        assert code == 1 and "results" in err and "curator run" in err
        no_bug_message(err)
    code, _out, err = cli(capsys, "run", "-w", str(ws))
    assert code == 0, err
    assert info_json(capsys, ws) == before


def test_damaged_database_pages_say_damaged_not_bug(tmp_path, capsys):
    ws_path = tmp_path / "ws.curator"
    src = write_chats(tmp_path / "a.jsonl", 300)
    assert cli(capsys, "import", str(src), "-w", str(ws_path))[0] == 0
    ws = Workspace.open(ws_path)
    from curator.core import review

    ids = ws.record_ids().to_list()
    for i in range(0, 300, 3):
        review.reject(ws, ids[i : i + 3], "reason " + "x" * 300)
    ws.close()
    db = ws_path / "curator.db"
    page = 4096
    data = bytearray(db.read_bytes())
    for p in range(2, len(data) // page):  # every page but the schema's
        data[p * page + 8 : p * page + 200] = os.urandom(192)
    db.write_bytes(bytes(data))
    for cmd in ("info", "query", "report", "show"):
        extra = [ids[0]] if cmd == "show" else []
        code, _, err = cli(capsys, cmd, "-w", str(ws_path), *extra)
        assert code == 1, cmd
        assert "damaged" in err, err
        no_bug_message(err)
    code, out, _ = cli(capsys, "check", "-w", str(ws_path), "--json")
    assert code == 1 and "damaged_database" in {p["kind"] for p in json.loads(out)["problems"]}


def test_read_only_commands_take_no_write_lock(two_imports, capsys):
    """info/query/report/show answer while another process holds the write lock."""
    ws, _, _ = two_imports
    holder = sqlite3.connect(ws / "curator.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # what a long bulk review holds
    holder.execute("UPDATE meta SET value=value WHERE key='schema_version'")
    try:
        rid = Workspace.open(ws, readonly=True).record_ids()[0]
        results = {}

        def run() -> None:
            for cmd, extra in (("info", []), ("query", []), ("report", []), ("show", [rid])):
                results[cmd] = cli(capsys, cmd, "-w", str(ws), *extra)[0]

        t = threading.Thread(target=run)
        t.start()
        t.join(timeout=20)  # a write lock would make them wait 30 s and fail
        assert not t.is_alive() and results == {"info": 0, "query": 0, "report": 0, "show": 0}
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_read_only_commands_work_on_read_only_media(two_imports, capsys, monkeypatch):
    """On read-only media SQLite cannot create its -shm file; the open falls back to an
    immutable read (injected here as the OperationalError SQLite raises there)."""
    ws, _, _ = two_imports
    real = sqlite3.connect

    def ro_media(database, *a, **kw):
        if "mode=ro" in str(database) and "immutable=1" not in str(database):
            raise sqlite3.OperationalError("unable to open database file")
        if "mode=ro" not in str(database):
            raise sqlite3.OperationalError("attempt to write a readonly database")
        return real(database, *a, **kw)

    gc.collect()  # close the connections the in-process imports left open
    _checkpoint(ws / "curator.db")
    before = snapshot(ws)
    monkeypatch.setattr(sqlite3, "connect", ro_media)
    for cmd in ("info", "query", "report", "check"):
        code, _, err = cli(capsys, cmd, "-w", str(ws))
        assert code == 0, (cmd, err)
    code, _, err = cli(capsys, "run", "-w", str(ws))
    assert code == 1 and "read-only" in err
    no_bug_message(err)
    monkeypatch.undo()
    assert snapshot(ws) == before


def test_opening_a_workspace_twice_keeps_the_locks_another_process_relies_on(two_imports):
    """The GUI holds a workspace open while it opens it again (or a test fixture does).
    Opening must not read curator.db through a plain file handle: closing it drops the
    process's SQLite locks, and a CLI process that then exits takes itself for the last
    user and deletes the WAL and -shm files under the GUI ("disk I/O error")."""
    import subprocess
    import sys

    from faults_helpers import REPO

    from curator.core import records as R

    ws_path, _, _ = two_imports
    first = Workspace.open(ws_path)
    ids = first.record_ids().to_list()[:2]
    version = first.state_version()
    Workspace.open(ws_path)  # the second open, with the first one's connection live
    script = (
        "import sys\n"
        "from curator.core import review\n"
        "from curator.core.workspace import Workspace\n"
        "review.reject(Workspace.open(sys.argv[1]), sys.argv[2:], 'wrong answer')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(ws_path), *ids], cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert (ws_path / "curator.db-shm").exists() and (ws_path / "curator.db-wal").exists()
    seen: list[object] = []

    def read() -> None:  # a new thread: a new connection, as the GUI's workers open
        try:
            seen.append(first.state_version())
        except sqlite3.Error as exc:
            seen.append(exc)

    t = threading.Thread(target=read)
    t.start()
    t.join()
    assert seen == [version + 1]
    frame = first.frame()
    assert frame.filter(frame[R.ID].is_in(ids))[R.STATUS].to_list() == [R.REJECTED] * 2


def test_read_only_media_sees_what_is_still_in_the_wal(two_imports, tmp_path, capsys, monkeypatch):
    """A workspace copied to read-only media while its WAL still held committed reviews
    (not yet checkpointed into curator.db): the read-only open must show them, not the
    older database file alone (which an ``immutable=1`` read gives)."""
    from curator.core import records as R
    from curator.core import review

    ws, _, _ = two_imports
    gc.collect()
    _checkpoint(ws / "curator.db")
    holder = sqlite3.connect(ws / "curator.db")  # keeps the WAL from being checkpointed
    holder.execute("SELECT 1 FROM meta").fetchall()
    w = Workspace.open(ws)
    ids = w.record_ids().to_list()
    review.approve(w, ids[:5], reviewer="ann")
    review.reject(w, ids[5:7], "wrong answer", reviewer="ann")
    media = tmp_path / "media.curator"
    shutil.copytree(ws, media, ignore=shutil.ignore_patterns("*-shm"))
    holder.close()
    del w
    gc.collect()
    assert (media / "curator.db-wal").stat().st_size > 0
    real = sqlite3.connect

    def ro_media(database, *a, **kw):  # what SQLite says on read-only media
        if str(media) in str(database) and "immutable=1" not in str(database):
            raise sqlite3.OperationalError("unable to open database file")
        return real(database, *a, **kw)

    before = snapshot(media)
    monkeypatch.setattr(sqlite3, "connect", ro_media)
    data = info_json(capsys, media)
    assert data["by_status"] == {"pending": 43, "approved": 5, "rejected": 2}
    code, out, err = cli(capsys, "query", "-w", str(media), "--status", "rejected", "--json")
    assert code == 0, err
    monkeypatch.undo()
    assert snapshot(media) == before  # nothing written to the media
    assert R.REJECTED in out or "wrong answer" in out
