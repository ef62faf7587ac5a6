"""The import job and `curator import`: publishing, idempotence, summary, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curator.cli.main import main
from curator.core import records as R
from curator.core.ingest import ImportOptions, import_job
from curator.core.jobs import Progress, run_job
from curator.core.workspace import Workspace


def jsonl(path: Path, n: int, bad_at: tuple[int, ...] = ()) -> Path:
    lines = []
    for i in range(1, n + 1):
        if i in bad_at:
            lines.append("{oops")
        else:
            lines.append(json.dumps({"messages": [{"role": "user", "content": f"q{i}"},
                                                  {"role": "assistant", "content": f"a{i}"}]}))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_import_publishes_records_quarantine_and_is_idempotent(workspace: Workspace, tmp_path: Path) -> None:
    src = jsonl(tmp_path / "chats.jsonl", 5, bad_at=(2, 4))
    progress: list[Progress] = []
    summary = run_job(import_job(workspace, [src], ImportOptions()), progress.append)
    [f] = summary.files
    assert (f.format, f.added, f.quarantined, f.skipped_existing, f.error) == ("openai", 3, 2, 0, None)
    assert progress and progress[-1].step == "import"
    recs = workspace.records()
    assert recs.get_column(R.LOCATOR).to_list() == ["line 1", "line 3", "line 5"]
    assert recs.get_column(R.SOURCE).unique().to_list() == ["chats.jsonl"]
    q = workspace.quarantine()
    assert q.select("line", "locator").rows() == [(2, "line 2"), (4, "line 4")]
    assert q.get_column("raw").to_list() == ["{oops", "{oops"]
    assert all(r.startswith("not valid JSON") for r in q.get_column("reason"))

    again = run_job(import_job(workspace, [src], ImportOptions()))
    assert again.added == 0 and again.files[0].already_imported
    assert again.files[0].skipped_existing == 3
    assert workspace.records().height == 3 and workspace.quarantine().height == 2

    # the same content under another name is the same source: nothing new
    copy = tmp_path / "copy.jsonl"
    copy.write_bytes(src.read_bytes())
    assert run_job(import_job(workspace, [copy], ImportOptions())).added == 0
    assert workspace.records().height == 3


def test_ids_are_stable_across_workspaces(tmp_path: Path) -> None:
    src = jsonl(tmp_path / "c.jsonl", 3)
    ids = []
    for name in ("a", "b"):
        ws = Workspace.open(tmp_path / f"{name}.curator", create=True)
        run_job(import_job(ws, [src], ImportOptions()))
        ids.append(ws.records().get_column(R.ID).to_list())
    assert ids[0] == ids[1] and len(set(ids[0])) == 3


def test_one_unreadable_file_does_not_stop_the_others(workspace: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    jsonl(folder / "good.jsonl", 2)
    (folder / "empty.jsonl").write_bytes(b"")
    summary = run_job(import_job(workspace, [folder], ImportOptions()))
    by_name = {f.source: f for f in summary.files}
    assert by_name["good.jsonl"].added == 2
    assert by_name["empty.jsonl"].error is not None and "empty" in by_name["empty.jsonl"].error
    assert summary.failed == 1 and summary.changed


def test_cli_import_reports_quarantine_and_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = jsonl(tmp_path / "chats.jsonl", 30, bad_at=tuple(range(2, 26)))
    ws = tmp_path / "w.curator"
    assert main(["import", str(src), "-w", str(ws)]) == 0
    out = capsys.readouterr().out
    assert "chats.jsonl" in out and "openai" in out
    assert "chats.jsonl:2: not valid JSON" in out
    assert "chats.jsonl:11:" in out and "chats.jsonl:12:" not in out  # first 10 shown
    assert "and 14 more" in out and "--quarantine" in out

    assert main(["import", str(src), "-w", str(ws), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["added"] == 0 and data["files"][0]["already_imported"] is True


def test_cli_json_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = jsonl(tmp_path / "c.jsonl", 4, bad_at=(3,))
    assert main(["import", str(src), "-w", str(tmp_path / "w"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["added"], data["quarantined"], data["failed"]) == (3, 1, 0)
    [f] = data["files"]
    assert f["quarantine"][0]["line"] == 3 and f["quarantine"][0]["locator"] == "line 3"


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = str(tmp_path / "w.curator")
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    assert main(["import", str(empty), "-w", ws]) == 1
    assert "empty" in capsys.readouterr().out
    assert main(["import", str(tmp_path / "missing.jsonl"), "-w", ws]) == 1
    assert "no such file" in capsys.readouterr().err
    src = jsonl(tmp_path / "c.jsonl", 1)
    assert main(["import", str(src), "-w", ws, "--role-map", "oops"]) == 2
    assert "SPEAKER=ROLE" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["import", str(src), "-w", ws, "--format", "yaml"])
    assert exc.value.code == 2


def test_cli_csv_missing_column_fails_with_the_column_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "log.csv"
    src.write_text("conversation_id,speaker,text\nc1,user,hi\nc1,agent,hello\n")
    ws = str(tmp_path / "w.curator")
    assert main(["import", str(src), "-w", ws, "--time-column", "sent"]) == 1
    out = capsys.readouterr().out
    assert "'sent'" in out and "--time-column" in out and "'conversation_id'" in out
    assert main(["import", str(src), "-w", ws]) == 0
    assert Workspace.open(ws).records().height == 1


def test_a_failed_file_is_kept_in_quarantine_retried_and_superseded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws_path = str(tmp_path / "w.curator")
    src = tmp_path / "later.jsonl"
    src.write_bytes(b"")
    Workspace.open(ws_path, create=True).close()  # (into a new one, a failed import creates nothing)
    assert main(["import", str(src), "-w", ws_path]) == 1  # every file failed
    out = capsys.readouterr().out
    assert "FAILED" in out and "later.jsonl: whole file: the file is empty" in out

    def quarantine() -> list[tuple[object, ...]]:
        q = Workspace.open(ws_path).quarantine()
        return list(q.select("source", "line", "locator", "reason").iter_rows())

    assert quarantine() == [("later.jsonl", None, "whole file", "the file is empty; there is nothing to import")]
    assert main(["info", "-w", ws_path, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["quarantined"] == 1

    # a re-run tries again (not "already imported") and does not pile up entries
    assert main(["import", str(src), "-w", ws_path, "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["failed"] == 1 and data["quarantined"] == 1 and not data["files"][0]["already_imported"]
    assert len(quarantine()) == 1

    # the file gets content: it imports, and its failure entry is gone
    jsonl(src, 2)
    assert main(["import", str(src), "-w", ws_path, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["added"], data["quarantined"], data["failed"]) == (2, 0, 0)
    assert quarantine() == []
    assert [i.format for i in Workspace.open(ws_path).imports()] == ["openai"]


def test_failed_files_count_in_the_summary_next_to_good_ones(workspace: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    jsonl(folder / "good.jsonl", 2)
    (folder / "blob.bin.txt").write_bytes(b"\x00\x01\x02binary\x00" * 10)
    (folder / "log.csv").write_text("a,b,c\n1,2,3\n")  # no conversation/speaker/text columns
    summary = run_job(import_job(workspace, [folder], ImportOptions()))
    assert summary.added == 2 and summary.failed == 2 and summary.quarantined == 2
    q = workspace.quarantine()
    assert q.get_column("locator").to_list() == ["whole file", "whole file"]
    reasons = dict(zip(q.get_column("source").to_list(), q.get_column("reason").to_list(), strict=True))
    assert "binary" in reasons["blob.bin.txt"] and "--conversation-column" in reasons["log.csv"]


def test_same_content_imported_with_better_options_supersedes_the_failure(
    workspace: Workspace, tmp_path: Path
) -> None:
    src = tmp_path / "log.csv"
    src.write_text("conversation_id,speaker,text\nc1,user,hi\nc1,agent,hello\n")
    bad = run_job(import_job(workspace, [src], ImportOptions(time_column="sent")))
    assert bad.failed == 1 and workspace.quarantine().height == 1
    good = run_job(import_job(workspace, [src], ImportOptions()))
    assert good.added == 1 and good.failed == 0
    assert workspace.quarantine().height == 0
    # and the failure's options do not make the file count as "already imported"
    again = run_job(import_job(workspace, [src], ImportOptions(time_column="sent")))
    assert again.failed == 1 and not again.files[0].already_imported
    assert workspace.quarantine().height == 1


def test_batched_record_ids_are_the_stable_ids() -> None:
    from curator.core import records as R

    locators = ["line 1", "index 20", "validation/row 3", "rows 4-9", "línea 5", ""]
    assert R.record_ids("abc123", locators) == [R.record_id("abc123", x) for x in locators]
    assert len(set(R.record_ids("abc123", locators))) == len(locators)
