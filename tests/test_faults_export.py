"""Export publishing under faults: somebody else's folder is never replaced, and a
kill at any publish step leaves the old export or the new one, never a mix."""

from __future__ import annotations

import hashlib
import json
import os

import pytest
from faults_helpers import cli, cli_process, no_bug_message, snapshot, write_chats

from curator.core.export import writers
from curator.core.faults import KILL_EXIT


@pytest.fixture
def approved_ws(tmp_path, capsys):
    ws = tmp_path / "ws.curator"
    src = write_chats(tmp_path / "a.jsonl", 60)
    assert cli(capsys, "import", str(src), "-w", str(ws))[0] == 0
    assert cli(capsys, "review", "-w", str(ws), "--approve", "--where", "passing")[0] == 0
    return ws


def _is_complete_export(out) -> dict:
    """The folder is one export: a signed manifest whose files all match their hashes."""
    manifest = writers.read_curator_manifest(out)
    assert manifest is not None
    for f in manifest["files"]:
        path = out / f["path"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == f["sha256"]
    assert sorted(p.name for p in out.iterdir()) == sorted(manifest["published"])
    return manifest


def test_a_folder_with_somebody_elses_manifest_is_not_replaced(approved_ws, tmp_path, capsys):
    out = tmp_path / "theirs"
    (out / "dataset").mkdir(parents=True)
    (out / "dataset" / "data.arrow").write_bytes(b"their data")
    (out / "train.json").write_text("[]")
    (out / "manifest.json").write_text(
        json.dumps({"name": "their dataset", "files": ["train.json"]})
    )
    before = snapshot(out)
    code, _, err = cli(capsys, "export", "-w", str(approved_ws), "-o", str(out))
    assert code == 1 and "not written by Curator" in err and "dataset" in err
    assert snapshot(out) == before


def test_a_forged_or_edited_curator_manifest_is_not_trusted(approved_ws, tmp_path, capsys):
    out = tmp_path / "out"
    assert cli(capsys, "export", "-w", str(approved_ws), "-o", str(out))[0] == 0
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["published"].append("notes.txt")  # claims a file Curator did not write
    (out / "manifest.json").write_text(json.dumps(manifest))
    (out / "notes.txt").write_text("mine")
    code, _, err = cli(capsys, "export", "-w", str(approved_ws), "-o", str(out))
    assert code == 1 and "not written by Curator" in err
    assert (out / "notes.txt").read_text() == "mine"


def test_files_added_to_a_curator_export_are_kept(approved_ws, tmp_path, capsys):
    out = tmp_path / "out"
    assert cli(capsys, "export", "-w", str(approved_ws), "-o", str(out))[0] == 0
    (out / "my_notes.md").write_text("notes")
    code, _, err = cli(capsys, "export", "-w", str(approved_ws), "-o", str(out))
    assert code == 1 and "my_notes.md" in err
    assert (out / "my_notes.md").read_text() == "notes"


@pytest.mark.parametrize(
    "step", ["export-write", "export-staged", "export-swapped", "export-published"]
)
def test_kill_at_each_publish_step_leaves_old_or_new_never_a_mix(
    approved_ws, tmp_path, capsys, step
):
    out = tmp_path / "out"
    assert (
        cli(
            capsys,
            "export",
            "-w",
            str(approved_ws),
            "-o",
            str(out),
            "--split",
            "0.2",
            "--seed",
            "1",
        )[0]
        == 0
    )
    old = snapshot(out)
    # the new export differs in every file: another split and seed
    proc = cli_process(
        "export",
        "-w",
        str(approved_ws),
        "-o",
        str(out),
        "--split",
        "0.5",
        "--seed",
        "7",
        env={"CURATOR_KILL_AT": step},
    )
    assert proc.returncode == KILL_EXIT, proc.stderr
    manifest = _is_complete_export(out)
    now = snapshot(out)
    if step in ("export-swapped", "export-published"):
        assert manifest["split"]["seed"] == 7 and now != old
    else:
        assert now == old
    train = {json.dumps(json.loads(x)) for x in (out / "train.jsonl").read_text().splitlines()}
    val = {json.dumps(json.loads(x)) for x in (out / "validation.jsonl").read_text().splitlines()}
    assert not train & val  # never one export's train beside another's validation
    code, _, err = cli(capsys, "export", "-w", str(approved_ws), "-o", str(out), "--seed", "3")
    assert code == 0, err  # the folder is still taken as Curator's
    _is_complete_export(out)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_without_an_atomic_swap_a_crash_between_renames_is_undone(
    approved_ws, tmp_path, capsys, monkeypatch
):
    """Where renameat2 is missing the old export is moved aside first; a crash then
    leaves no target, and the next export (or recover) puts the old one back."""
    out = tmp_path / "out"
    assert cli(capsys, "export", "-w", str(approved_ws), "-o", str(out))[0] == 0
    old = snapshot(out)

    class Crash(BaseException):
        pass

    def crash_at(step: str, detail: str = "") -> None:
        if step == "export-moved-old":
            raise Crash

    monkeypatch.setattr(writers, "_exchange", lambda a, b: False)
    monkeypatch.setattr(writers, "fault_point", crash_at)
    with pytest.raises(Crash):
        cli(capsys, "export", "-w", str(approved_ws), "-o", str(out), "--seed", "5")
    assert not out.exists()
    writers.recover(out)
    assert snapshot(out) == old


def test_disk_full_while_writing_the_export_keeps_the_old_one(
    approved_ws, tmp_path, capsys, monkeypatch
):
    out = tmp_path / "out"
    assert cli(capsys, "export", "-w", str(approved_ws), "-o", str(out))[0] == 0
    old = snapshot(out)
    monkeypatch.setenv("CURATOR_FAIL_AT", "export-staged:28")
    code, _, err = cli(capsys, "export", "-w", str(approved_ws), "-o", str(out), "--seed", "5")
    assert code == 1 and "No space left on device" in err
    no_bug_message(err)
    assert snapshot(out) == old
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_ctrl_c_during_the_publish_step_finishes_it_and_says_so(
    approved_ws, tmp_path, capsys, monkeypatch
):
    """A Ctrl-C in the export's last second used to surface as "nothing half-written was
    published" although the new export was already in place; now the publish and its
    record finish first and the message says the export is complete."""
    import signal

    out = tmp_path / "out"
    real = writers.fault_point

    def interrupt_at(step: str, detail: str = "") -> None:
        if step == "export-published":  # the new export is in place
            os.kill(os.getpid(), signal.SIGINT)
        real(step, detail)

    monkeypatch.setattr(writers, "fault_point", interrupt_at)
    code, _, err = cli(capsys, "export", "-w", str(approved_ws), "-o", str(out))
    assert code == 0, err
    assert "it was finished first and is complete" in err and "nothing half-written" not in err
    _is_complete_export(out)
    from curator.core.workspace import Workspace

    assert Workspace.open(approved_ws).get_setting("last_export")["output_dir"] == str(
        out.resolve()
    )
