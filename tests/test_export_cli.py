"""`curator export`: what it prints, its exit codes, and a manifest that matches the files."""

from __future__ import annotations

import hashlib
import json

import polars as pl
import pytest
from test_export_support import M, add_records, qa, read_jsonl, write_clusters

from curator.cli.main import main
from curator.core import review
from curator.core.tokens import message_token_table


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def ws(workspace):
    ids = add_records(workspace, [qa(i) for i in range(40)] + [[M("user", "no reply")]])
    review.approve(workspace, ids[:30])
    review.reject(workspace, ids[30:32], "spam")
    write_clusters(workspace, [(ids[0], "k", None), (ids[1], "k", ids[0])])
    return workspace


def test_export_prints_paths_counts_exclusions_and_leakage(ws, capsys, tmp_path):
    out = tmp_path / "out"
    code, stdout, stderr = run_cli(capsys, "export", "-w", str(ws.path), "-o", str(out), "--split", "0.2", "--seed", "3")
    assert code == 0, stderr
    manifest = json.loads((out / "manifest.json").read_text())
    train, val = manifest["counts"]["train"], manifest["counts"]["validation"]
    assert train + val == 29 and val > 0
    assert f"{out / 'train.jsonl'}" in stdout and f"{out / 'validation.jsonl'}" in stdout
    assert f"train      {train:>9,} records" in stdout
    assert "excluded           2 rejected" in stdout
    assert "excluded           1 duplicate of a kept record" in stdout
    assert "excluded           9 not approved" in stdout
    assert "leakage    Nothing is on both sides." in stdout


def test_manifest_numbers_match_the_files(ws, capsys, tmp_path):
    out = tmp_path / "out"
    assert run_cli(capsys, "export", "-w", str(ws.path), "-o", str(out), "--include", "passing",
                   "--split", "0.25", "--skip-invalid")[0] == 0
    manifest = json.loads((out / "manifest.json").read_text())
    total_tokens = 0
    for f in manifest["files"]:
        path = out / f["path"]
        lines = read_jsonl(path)
        assert len(lines) == f["records"] == manifest["counts"][f["split"]]
        assert f["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert f["bytes"] == path.stat().st_size
        convs = [[{"role": m["role"], "content": m["content"], "name": m.get("name")} for m in line["messages"]]
                 for line in lines]
        table = message_token_table(pl.Series(convs), pl.Series([str(i) for i in range(len(convs))]))
        assert manifest["tokens"][f["split"]]["tokens"] == table.get_column("tokens").sum()
        total_tokens += manifest["tokens"][f["split"]]["tokens"]
    assert total_tokens > 0
    assert manifest["invalid"]["skipped"] == 1
    assert manifest["selection"]["excluded"] == {"rejected": 2, "duplicate of a kept record": 1}
    assert manifest["sources"][0]["sha256"] == "hash-src.jsonl"
    assert manifest["schema"]["name"] == "openai_chat"
    assert manifest["split"]["leakage"]["clusters_spanning_both"] == 0
    assert manifest["curator_version"] and manifest["created_at"].endswith("Z")


def test_exit_1_with_invalid_records_and_nothing_written(ws, capsys, tmp_path):
    out = tmp_path / "out"
    code, _stdout, stderr = run_cli(capsys, "export", "-w", str(ws.path), "-o", str(out), "--include", "passing")
    assert code == 1
    assert "example_missing_assistant_message" in stderr and "--skip-invalid" in stderr
    assert "Traceback" not in stderr
    assert not out.exists() or list(out.iterdir()) == []


def test_exit_1_when_nothing_is_approved(workspace, capsys, tmp_path):
    add_records(workspace, [qa(1)])
    code, _, stderr = run_cli(capsys, "export", "-w", str(workspace.path), "-o", str(tmp_path / "o"))
    assert code == 1 and "nothing to export" in stderr


def test_exit_2_on_usage_errors(ws, capsys, tmp_path):
    code, _, stderr = run_cli(capsys, "export", "-w", str(ws.path), "-o", str(tmp_path / "o"), "--split", "1.5")
    assert code == 2 and "between 0 and 1" in stderr
    with pytest.raises(SystemExit) as exited:  # argparse rejects it before run()
        main(["export", "-w", str(ws.path), "-o", str(tmp_path / "o"), "--format", "csv"])
    assert exited.value.code == 2


def test_exit_1_for_a_missing_workspace(capsys, tmp_path):
    code, _, stderr = run_cli(capsys, "export", "-w", str(tmp_path / "nope"), "-o", str(tmp_path / "o"))
    assert code == 1 and "not a Curator workspace" in stderr
