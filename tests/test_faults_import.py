"""Import and run under faults: two imports at once, a file that changes while it
is read, disk full and permission denied at the write, a kill at every publish step."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time

import pytest
from faults_helpers import REPO, cli, cli_process, info_json, no_bug_message, snapshot, write_chats

from curator.core.faults import KILL_EXIT
from curator.core.ingest import job as import_module
from curator.core.workspace import Workspace


def _wait_for(path, proc: subprocess.Popen[str]) -> None:
    """Wait until the other process reaches its barrier (it creates ``path``)."""
    deadline = time.monotonic() + 60
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_two_imports_at_once_one_waits_its_turn_and_no_id_is_published_twice(tmp_path, capsys):
    ws = tmp_path / "ws.curator"
    src = write_chats(tmp_path / "a.jsonl", 400)
    assert (
        cli(capsys, "import", str(write_chats(tmp_path / "seed.jsonl", 3, tag="s")), "-w", str(ws))[
            0
        ]
        == 0
    )
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    first = subprocess.Popen(
        [sys.executable, "-m", "curator", "import", str(src), "-w", str(ws)],
        cwd=REPO,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "CURATOR_PAUSE_AT": f"import-hashed:{barrier}"},
    )
    try:
        _wait_for(barrier / "import-hashed.reached", first)  # it has read what is present
        code, _, err = cli(capsys, "import", str(src), "-w", str(ws))
        assert code == 1
        assert "already running" in err and f"pid {first.pid}" in err and "import" in err
        no_bug_message(err)
    finally:
        (barrier / "import-hashed.go").touch()
        out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    code, out, _ = cli(capsys, "import", str(src), "-w", str(ws))  # now in turn: already imported
    assert code == 0 and "already imported" in out
    w = Workspace.open(ws)
    ids = w.record_ids()
    assert ids.len() == ids.n_unique() == 403
    assert cli(capsys, "run", "-w", str(ws))[0] == 0
    assert info_json(capsys, ws)["records"] == 403


def test_a_file_that_changes_while_it_is_imported_is_refused_and_nothing_recorded(
    tmp_path, capsys, monkeypatch
):
    ws = tmp_path / "ws.curator"
    assert (
        cli(capsys, "import", str(write_chats(tmp_path / "seed.jsonl", 2, tag="s")), "-w", str(ws))[
            0
        ]
        == 0
    )
    src = write_chats(tmp_path / "growing.jsonl", 200)
    full = src.read_bytes()

    def truncate_mid_read(step: str, detail: str = "") -> None:
        if step == "import-hashed":  # hashed whole; now the writer truncates it
            src.write_bytes(full[: len(full) // 3])

    monkeypatch.setattr(import_module, "fault_point", truncate_mid_read)
    code, out, _ = cli(capsys, "import", str(src), "-w", str(ws), "--json")
    summary = json.loads(out)
    assert "changed while it was being imported" in summary["files"][0]["error"]
    assert summary["added"] == 0 and code == 1
    assert [i.source for i in Workspace.open(ws).imports()] == ["seed.jsonl"]  # nothing recorded
    monkeypatch.undo()
    src.write_bytes(full)  # the complete file
    code, out, _err = cli(capsys, "import", str(src), "-w", str(ws), "--json")
    assert code == 0 and json.loads(out)["added"] == 200
    assert info_json(capsys, ws)["records"] == 202


def _rewrite_after_first_chunk(monkeypatch, src, *, keep_stat: bool):
    """Read ``src`` in small chunks; after the first one, rewrite the rest of the file in
    place with other bytes of the same length and set the old mtime back (a writer the
    size and mtime cannot see). Returns (old bytes, the bytes from the first chunk's end)."""
    from curator.core.ingest import jsonl

    old = src.read_bytes()
    state: dict[str, int] = {}
    real = jsonl.iter_line_chunks
    monkeypatch.setattr(jsonl, "CHUNK_BYTES", 2048)

    def chunks(*args, **kwargs):
        for n, chunk in enumerate(real(*args, **kwargs)):
            yield chunk
            if n == 0:
                st = src.stat()
                state["cut"] = chunk.done
                with open(src, "r+b") as fh:
                    fh.seek(chunk.done)
                    fh.write(old[chunk.done :].replace(b"answer", b"ANSWER"))
                os.utime(src, ns=(st.st_atime_ns, st.st_mtime_ns))
                assert src.stat().st_size == st.st_size

    monkeypatch.setattr(jsonl, "iter_line_chunks", chunks)
    if not keep_stat:  # a file system whose time stamps cannot tell (coarse, or none)
        monkeypatch.setattr(import_module, "_identity", lambda path: ())
    return old, state


def test_a_same_size_same_mtime_rewrite_during_the_read_is_refused(tmp_path, capsys, monkeypatch):
    ws = tmp_path / "ws.curator"
    assert (
        cli(capsys, "import", str(write_chats(tmp_path / "seed.jsonl", 2, tag="s")), "-w", str(ws))[
            0
        ]
        == 0
    )
    src = write_chats(tmp_path / "a.jsonl", 200)
    _rewrite_after_first_chunk(monkeypatch, src, keep_stat=True)
    code, out, err = cli(capsys, "import", str(src), "-w", str(ws), "--json")
    no_bug_message(err)
    summary = json.loads(out)
    assert code == 1 and summary["added"] == 0
    assert "changed while it was being imported" in summary["files"][0]["error"]
    assert [i.source for i in Workspace.open(ws).imports()] == ["seed.jsonl"]  # nothing recorded
    monkeypatch.undo()
    code, out, _ = cli(capsys, "import", str(src), "-w", str(ws), "--json")  # the file as it is now
    assert code == 0 and json.loads(out)["added"] == 200


def test_the_hash_recorded_is_the_hash_of_the_bytes_parsed(tmp_path, capsys, monkeypatch):
    """When the file system cannot show the change at all, what is recorded is still
    consistent: the import's hash is that of exactly the bytes its records came from,
    so the file as it is afterwards is not taken as "already imported"."""
    ws = tmp_path / "ws.curator"
    src = write_chats(tmp_path / "a.jsonl", 200)
    old, state = _rewrite_after_first_chunk(monkeypatch, src, keep_stat=False)
    assert cli(capsys, "import", str(src), "-w", str(ws))[0] == 0
    monkeypatch.undo()
    now = src.read_bytes()
    w = Workspace.open(ws)
    [imp] = w.imports()
    replies = [m[1]["content"] for m in w.records().sort("line").get_column("messages").to_list()]
    parsed = "\n".join(replies).encode()
    mixed = old[: state["cut"]] + now[state["cut"] :]
    if b"ANSWER" in parsed:  # the reader saw the rewrite: the mix of both is what it read
        assert imp.file_hash == hashlib.sha256(mixed).hexdigest()[:32]
    else:
        assert imp.file_hash == hashlib.sha256(old).hexdigest()[:32]
    assert imp.file_hash != hashlib.sha256(now).hexdigest()[:32]
    code, out, _ = cli(capsys, "import", str(src), "-w", str(ws), "--json")
    assert code == 0 and json.loads(out)["files"][0]["already_imported"] is False


@pytest.mark.parametrize(
    ("errno_", "words"), [(28, "is full"), (13, "permission denied"), (30, "read-only")]
)
def test_disk_full_or_permission_at_the_write_is_a_clear_error_and_leaves_no_temp(
    tmp_path, capsys, monkeypatch, errno_, words
):
    ws = tmp_path / "ws.curator"
    assert (
        cli(capsys, "import", str(write_chats(tmp_path / "seed.jsonl", 5, tag="s")), "-w", str(ws))[
            0
        ]
        == 0
    )
    before = snapshot(ws / "records")
    monkeypatch.setenv("CURATOR_FAIL_AT", f"write:{errno_}")
    code, _, err = cli(capsys, "import", str(write_chats(tmp_path / "b.jsonl", 50)), "-w", str(ws))
    assert code == 1 and words in err
    no_bug_message(err)
    assert snapshot(ws / "records") == before  # no temp part keeps the disk full
    code, _, err = cli(capsys, "run", "-w", str(ws))
    assert code == 1 and words in err
    no_bug_message(err)
    assert list((ws / "results").iterdir()) == []
    monkeypatch.delenv("CURATOR_FAIL_AT")
    assert cli(capsys, "import", str(tmp_path / "b.jsonl"), "-w", str(ws))[0] == 0
    assert info_json(capsys, ws)["records"] == 55


def test_a_failed_import_into_a_new_workspace_creates_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"\x00\x01\x02binary" * 100)
    ws = tmp_path / "new.curator"
    code, _, _err = cli(capsys, "import", str(bad), "-w", str(ws))
    assert code == 1
    assert not ws.exists()


@pytest.mark.parametrize(
    "step", ["import-hashed", "write", "import-part-published", "import-commit"]
)
def test_kill_at_each_import_step_loses_nothing_acknowledged_and_shows_nothing_half_done(
    tmp_path, capsys, step
):
    ws = tmp_path / "ws.curator"
    assert (
        cli(capsys, "import", str(write_chats(tmp_path / "seed.jsonl", 4, tag="s")), "-w", str(ws))[
            0
        ]
        == 0
    )
    src = write_chats(tmp_path / "a.jsonl", 120)
    proc = cli_process("import", str(src), "-w", str(ws), env={"CURATOR_KILL_AT": step})
    assert proc.returncode == KILL_EXIT, proc.stderr
    assert info_json(capsys, ws)["records"] == 4  # the seed is kept; nothing of a.jsonl shows
    code, out, err = cli(capsys, "import", str(src), "-w", str(ws))  # imports it whole, once
    assert code == 0, err
    w = Workspace.open(ws)
    ids = w.record_ids()
    assert ids.len() == ids.n_unique() == 124
    left = [p.name for d in (ws, ws / "records") for p in d.iterdir() if p.name.startswith(".")]
    assert left == []  # the killed import's temp part / staging folder were cleaned
    code, out, _ = cli(capsys, "check", "-w", str(ws), "--json")
    kinds = {p["kind"] for p in json.loads(out)["problems"]}
    assert kinds <= {"orphan_part"}  # a part published before the kill is reported, not used
    assert cli(capsys, "repair", "-w", str(ws), "--yes")[0] == 0
    assert cli(capsys, "check", "-w", str(ws))[0] == 0
    assert info_json(capsys, ws)["records"] == 124


@pytest.mark.parametrize(
    "target",
    [
        "write",
        "write=flags_filters.parquet",
        "write=clusters.parquet",
        "write=scores_language.parquet",  # filters staged before it, none published
        "publish=scores_pii.parquet",  # some filters' staged scores published, not all
    ],
)
def test_kill_during_run_then_run_again_gives_the_uninterrupted_results(tmp_path, capsys, target):
    ws = tmp_path / "ws.curator"
    src = write_chats(tmp_path / "a.jsonl", 80)
    (tmp_path / "dupes.jsonl").write_text((tmp_path / "a.jsonl").read_text().splitlines()[0] + "\n")
    assert cli(capsys, "import", str(src), str(tmp_path / "dupes.jsonl"), "-w", str(ws))[0] == 0
    reference = tmp_path / "ref.curator"
    assert (
        cli(capsys, "import", str(src), str(tmp_path / "dupes.jsonl"), "-w", str(reference))[0] == 0
    )
    assert cli(capsys, "run", "-w", str(reference))[0] == 0
    proc = cli_process("run", "-w", str(ws), env={"CURATOR_KILL_AT": target})
    assert proc.returncode == KILL_EXIT, proc.stderr
    info_json(capsys, ws)  # whatever finished before the kill reads back
    assert cli(capsys, "run", "-w", str(ws))[0] == 0
    assert [p.name for p in (ws / "results").iterdir() if p.name.startswith(".")] == []
    a, b = info_json(capsys, ws), info_json(capsys, reference)
    a.pop("workspace", None), b.pop("workspace", None)
    assert a == b


def _sources(tmp_path):
    import polars as pl

    chat = {
        "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
    }
    line = json.dumps(chat)
    (tmp_path / "bom.jsonl").write_bytes(b"\xef\xbb\xbf" + (line + "\n").encode() * 3)
    (tmp_path / "array.json").write_text(json.dumps([chat, chat]) + "\n\n   \n")
    (tmp_path / "log.csv").write_text("ticket,author,body\n1,user,hi\n1,assistant,hello\n")
    (tmp_path / "chat.txt").write_text("User: hi\nAssistant: hello\n")
    (tmp_path / "wide.jsonl").write_bytes((line + "\n").encode("utf-16"))
    pl.DataFrame({"messages": [chat["messages"]] * 3}).write_parquet(tmp_path / "t.parquet")
    return sorted(p for p in tmp_path.iterdir() if p.is_file())


def test_one_read_hashes_every_format_as_the_whole_file_hash(tmp_path):
    """The tap's hash of the bytes a reader parsed equals the file's content hash for
    every reader (BOMs, a JSON array's tail, UTF-16, Parquet read into memory), so files
    imported before still count as already imported."""
    from curator.core.ingest.options import ImportOptions
    from curator.core.ingest.pipeline import file_hash, read_raw, resolve_format
    from curator.core.ingest.source import Tap, streams

    for path in _sources(tmp_path):
        options = ImportOptions()
        fmt = resolve_format(path, options)
        assert streams(path, fmt), path
        for ahead in (False, True):  # hashed as parsed / read and hashed ahead by a thread
            tap = Tap(path, ahead=ahead)
            chunks = list(read_raw(path, fmt, options, tap=tap))
            assert sum(c.frame.height for c in chunks) >= 1, path
            assert tap.finish() == file_hash(path), path
            if ahead:
                assert tap.digest() == file_hash(path), path


def _paused(args: list[str], step: str, barrier) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "curator", *args],
        cwd=REPO,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "CURATOR_PAUSE_AT": f"{step}:{barrier}"},
    )


def test_an_import_cannot_publish_parts_in_the_middle_of_a_run(tmp_path, capsys):
    """A run holds the workspace's import/run lock: dedup and the filters read the same
    parts. An import started while the run is between its reads is refused, naming the
    run; after it the import goes in and the next run covers it."""
    ws = tmp_path / "ws.curator"
    assert cli(capsys, "import", str(write_chats(tmp_path / "a.jsonl", 60)), "-w", str(ws))[0] == 0
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    run = _paused(["run", "-w", str(ws)], "write=clusters.parquet", barrier)
    try:
        _wait_for(barrier / "write.reached", run)  # dedup read the records; filters will again
        late = write_chats(tmp_path / "b.jsonl", 30, tag="late")
        code, _, err = cli(capsys, "import", str(late), "-w", str(ws))
        assert code == 1 and "already running" in err and f"pid {run.pid}" in err and "run" in err
        no_bug_message(err)
        code, _, err = cli(capsys, "dedup", "-w", str(ws))
        assert code == 1 and "already running" in err
    finally:
        (barrier / "write.go").touch()
        _, err = run.communicate(timeout=120)
    assert run.returncode == 0, err
    assert info_json(capsys, ws)["records"] == 60
    assert [i.source for i in Workspace.open(ws).imports()] == ["a.jsonl"]
    assert cli(capsys, "import", str(late), "-w", str(ws))[0] == 0  # now in turn
    assert cli(capsys, "run", "-w", str(ws))[0] == 0
    assert info_json(capsys, ws)["records"] == 90


def test_a_run_or_dedup_waits_for_no_import_it_is_refused_while_one_publishes(tmp_path, capsys):
    ws = tmp_path / "ws.curator"
    assert cli(capsys, "import", str(write_chats(tmp_path / "a.jsonl", 20)), "-w", str(ws))[0] == 0
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    src = write_chats(tmp_path / "b.jsonl", 40, tag="b")
    imp = _paused(["import", str(src), "-w", str(ws)], "import-hashed", barrier)
    try:
        _wait_for(barrier / "import-hashed.reached", imp)
        for command in ("run", "dedup"):
            code, _, err = cli(capsys, command, "-w", str(ws))
            assert code == 1 and "already running" in err and f"pid {imp.pid}" in err, command
            no_bug_message(err)
    finally:
        (barrier / "import-hashed.go").touch()
        _, err = imp.communicate(timeout=120)
    assert imp.returncode == 0, err
    assert cli(capsys, "run", "-w", str(ws))[0] == 0
    assert info_json(capsys, ws)["records"] == 60


def test_the_import_run_lock_is_reentrant_in_a_thread_and_exclusive_across_threads(tmp_path):
    import threading

    from curator.core.locks import LockHeld, workspace_lock

    errors: list[str] = []
    with workspace_lock(tmp_path, "a run"), workspace_lock(tmp_path, "duplicate detection"):

        def other() -> None:
            try:
                with workspace_lock(tmp_path, "an import"):
                    errors.append("acquired")
            except LockHeld as exc:
                errors.append(str(exc))

        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert len(errors) == 1 and "already running" in errors[0]
    with workspace_lock(tmp_path, "an import"):  # released by the outer exit
        pass


def test_a_parquet_file_damaged_inside_a_page_is_named_damaged_not_a_read_error(tmp_path, capsys):
    """The footer is intact, a data page is not: the reader fails part-way through the
    file, and the user is told the file is damaged (re-export it), not that it cannot
    be read, and nothing of it is imported."""
    import polars as pl

    good = tmp_path / "good.parquet"
    rows = [
        {
            "messages": [
                {"role": "user", "content": f"question {i} " * 20},
                {"role": "assistant", "content": f"answer {i} " * 30},
            ]
        }
        for i in range(4000)
    ]
    pl.DataFrame(rows).write_parquet(good, row_group_size=500, compression="zstd")
    data = bytearray(good.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 4000] = b"A" * 4000
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(bytes(data))
    ws = tmp_path / "ws.curator"
    code, out, err = cli(capsys, "import", str(bad), "-w", str(ws))
    text = out + err
    assert "bad.parquet" in text and "damaged or not Parquet" in text, text
    assert "Export or copy it again" in text
    no_bug_message(text)
    assert code == 1 and not ws.exists()  # nothing imported: no workspace was created
