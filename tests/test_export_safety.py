"""Nothing half-written is ever published; invalid records stop the export or are listed."""

from __future__ import annotations

import errno
import json

import pytest
from test_export_support import M, add_records, export, qa, read_jsonl

from curator.core import review
from curator.core.errors import CuratorError
from curator.core.export import ExportOptions, export_job, writers
from curator.core.jobs import Progress


@pytest.fixture
def ws_with_bad(workspace):
    ids = add_records(workspace, [qa(i) for i in range(20)] + [[M("user", "hello?")], [M("user", "q"), M("assistant", "a", weight=2)]])
    review.approve(workspace, ids)
    return workspace, ids


def _snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_invalid_record_stops_export_listing_ids_and_writes_nothing(ws_with_bad, tmp_path):
    ws, ids = ws_with_bad
    out = tmp_path / "out"
    with pytest.raises(CuratorError) as err:
        export(ws, out)
    msg = str(err.value)
    assert "2 record(s) would not be valid openai lines; nothing was written" in msg
    assert f"{ids[20]}: example_missing_assistant_message" in msg
    assert f"{ids[21]}: schema_violation: line.messages[1].weight is 2" in msg
    assert "--skip-invalid" in msg
    assert not out.exists() or list(out.iterdir()) == []
    assert ws.get_setting("last_export") is None


def test_skip_invalid_leaves_them_out_and_lists_them(ws_with_bad, tmp_path):
    ws, ids = ws_with_bad
    manifest = export(ws, tmp_path / "out", skip_invalid=True)
    assert manifest["counts"] == {"train": 20}
    assert len(read_jsonl(tmp_path / "out" / "train.jsonl")) == 20
    assert manifest["invalid"]["skipped"] == 2
    assert {r["id"] for r in manifest["invalid"]["records"]} == {ids[20], ids[21]}
    assert ws.get_setting("last_export")["skipped_invalid"] == 2


def test_disk_full_mid_write_keeps_the_previous_export(ws_with_bad, tmp_path, monkeypatch):
    ws, _ = ws_with_bad
    out = tmp_path / "out"
    export(ws, out, skip_invalid=True, split=0.3)
    before = _snapshot(out)

    real_write = writers.LineWriter.write

    def failing(self, lines):
        real_write(self, lines.head(3))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writers.LineWriter, "write", failing)
    with pytest.raises(CuratorError, match=r"No space left on device.*previous export there is unchanged"):
        export(ws, out, include="passing", skip_invalid=True)
    assert _snapshot(out) == before
    assert not list(tmp_path.glob(".out.curator-*"))


def test_first_export_failing_mid_write_leaves_no_train_file(ws_with_bad, tmp_path, monkeypatch):
    ws, _ = ws_with_bad
    out = tmp_path / "out"
    monkeypatch.setattr(writers, "CHUNK_ROWS", 5)
    calls = {"n": 0}
    real_open = open

    def flaky_open(path, mode="r", *a, **kw):
        fh = real_open(path, mode, *a, **kw)
        if "w" in mode and str(path).endswith("train.jsonl"):
            real = fh.write

            def write(data):
                calls["n"] += 1
                if calls["n"] > 2:
                    raise OSError(errno.ENOSPC, "No space left on device")
                return real(data)

            fh.write = write
        return fh

    monkeypatch.setattr("builtins.open", flaky_open)
    with pytest.raises(CuratorError):
        export(ws, out, skip_invalid=True)
    assert calls["n"] > 2
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws.curator"]  # no fresh folder left


def test_cancelled_export_publishes_nothing(ws_with_bad, tmp_path, monkeypatch):
    ws, _ = ws_with_bad
    monkeypatch.setattr(writers, "CHUNK_ROWS", 4)
    out = tmp_path / "out"
    job = export_job(ws, ExportOptions(output_dir=out, skip_invalid=True))
    for p in job:
        assert isinstance(p, Progress)
        if p.step == "write" and p.done >= 4:
            job.close()  # what the GUI's cancel button does
            break
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws.curator"]


def test_refuses_to_overwrite_files_curator_did_not_write(ws_with_bad, tmp_path):
    ws, _ = ws_with_bad
    out = tmp_path / "mine"
    out.mkdir()
    (out / "train.jsonl").write_text("my precious data\n")
    with pytest.raises(CuratorError, match=r"not written by Curator.*refusing to overwrite"):
        export(ws, out, skip_invalid=True)
    assert (out / "train.jsonl").read_text() == "my precious data\n"


def test_reexport_without_split_removes_the_old_validation_file(ws_with_bad, tmp_path):
    ws, _ = ws_with_bad
    out = tmp_path / "out"
    export(ws, out, skip_invalid=True, split=0.3)
    assert (out / "validation.jsonl").exists()
    export(ws, out, skip_invalid=True)
    assert not (out / "validation.jsonl").exists()
    assert json.loads((out / "manifest.json").read_text())["counts"] == {"train": 20}


def test_leftover_staging_from_a_crashed_export_is_cleaned_up(ws_with_bad, tmp_path):
    ws, _ = ws_with_bad
    out = tmp_path / "out"
    crashed = out / ".curator-export-999999999-deadbeef"  # no such process
    crashed.mkdir(parents=True)
    (crashed / "train.jsonl").write_text('{"messages": [')
    export(ws, out, skip_invalid=True)
    assert not crashed.exists()
    beside = out.parent / ".out.curator-new-999999999-deadbeef"  # a fresh folder of a dead export
    beside.mkdir()
    export(ws, out, skip_invalid=True)
    assert not beside.exists()
    assert sorted(p.name for p in out.iterdir()) == [
        "README.md", "axolotl.yaml", "dataset_info.json", "manifest.json", "train.jsonl", "trl_sft.yaml"
    ]
