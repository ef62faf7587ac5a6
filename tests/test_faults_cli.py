"""The smaller failures: JSON that is JSON, values that do not alias, a part whose
bytes changed, residue of killed processes, Parquet that is damaged."""

from __future__ import annotations

import json
import math
import shutil

import polars as pl
import pytest
import yaml
from faults_helpers import cli, info_json, no_bug_message, write_chats

from curator.core import records as R
from curator.core.workspace import Workspace


@pytest.fixture
def ws_path(tmp_path, capsys):
    ws = tmp_path / "ws.curator"
    assert cli(capsys, "import", str(write_chats(tmp_path / "a.jsonl", 20)), "-w", str(ws))[0] == 0
    return ws


def test_show_json_never_prints_bare_nan(ws_path, capsys):
    rid = Workspace.open(ws_path).record_ids()[0]
    w = Workspace.open(ws_path)
    w.write_result(
        "clusters",
        pl.DataFrame(
            {
                "id": [rid],
                "cluster_id": ["c1"],
                "duplicate_of": [None],
                "similarity": [math.nan],
                "kind": ["near"],
            },
            schema=R.CLUSTERS_SCHEMA,
        ),
    )
    code, out, _ = cli(capsys, "show", "-w", str(ws_path), rid, "--json")
    assert code == 0 and "NaN" not in out
    assert json.loads(out)["similarity"] is None


@pytest.mark.parametrize("seed", ["-1", str(2**64), str(2**64 + 1)])
def test_seeds_outside_64_bits_are_refused_not_aliased(ws_path, tmp_path, capsys, seed):
    with pytest.raises(SystemExit) as exit_:
        cli(
            capsys,
            "export",
            "-w",
            str(ws_path),
            "-o",
            str(tmp_path / "out"),
            "--seed",
            seed,
            "--include",
            "passing",
        )
    assert exit_.value.code == 2
    assert "--seed must be from 0 to 2^64-1" in capsys.readouterr().err


def test_query_limit_must_be_positive(ws_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli(capsys, "query", "-w", str(ws_path), "--limit", "-5")
    assert exit_.value.code == 2 and "must be 1 or more" in capsys.readouterr().err


def test_a_part_whose_bytes_changed_but_still_parses_is_found_by_check(ws_path, tmp_path, capsys):
    other = tmp_path / "other.curator"
    assert (
        cli(
            capsys, "import", str(write_chats(tmp_path / "b.jsonl", 20, tag="b")), "-w", str(other)
        )[0]
        == 0
    )
    part = ws_path / "records" / "import-000001.parquet"
    shutil.copy(other / "records" / "import-000001.parquet", part)  # valid Parquet, other bytes
    code, out, _ = cli(capsys, "check", "-w", str(ws_path), "--json")
    problems = json.loads(out)["problems"]
    assert (
        code == 1
        and problems[0]["kind"] == "damaged_part"
        and "sha256 differs" in problems[0]["detail"]
    )


def test_residue_of_a_killed_run_or_import_is_cleaned_and_check_reports_it(ws_path, capsys):
    dead = 999_999_999  # no such process
    (ws_path / f".staging-{dead}-abc").mkdir()
    (ws_path / "records" / f".import-000009.parquet.{dead}.1.tmp").write_bytes(b"x" * 1000)
    (ws_path / "results" / f".flags_filters.parquet.{dead}.1.tmp").write_bytes(b"x")
    code, out, _ = cli(capsys, "check", "-w", str(ws_path), "--json")
    assert code == 1 and {p["kind"] for p in json.loads(out)["problems"]} == {"residue"}
    assert cli(capsys, "run", "-w", str(ws_path))[0] == 0
    assert cli(capsys, "check", "-w", str(ws_path))[0] == 0


def test_a_damaged_parquet_source_says_cannot_read_it_as_parquet(tmp_path, capsys):
    df = pl.DataFrame(
        {
            "messages": [
                [
                    {"role": "user", "content": f"q {i} " * 30},
                    {"role": "assistant", "content": f"a {i} " * 30},
                ]
                for i in range(2000)
            ]
        }
    )
    src = tmp_path / "chats.parquet"
    df.write_parquet(src)
    data = bytearray(src.read_bytes())
    i = int(len(data) * 0.97)
    data[i : i + 64] = bytes(b ^ 0xFF for b in data[i : i + 64])
    src.write_bytes(bytes(data))
    ws = tmp_path / "ws.curator"
    cli(capsys, "import", str(write_chats(tmp_path / "seed.jsonl", 2)), "-w", str(ws))
    code, out, err = cli(capsys, "import", str(src), "-w", str(ws))
    assert code == 1 and "cannot read it as Parquet" in out
    no_bug_message(out + err)


def test_a_newline_in_the_output_folder_cannot_inject_axolotl_keys(ws_path, tmp_path, capsys):
    assert cli(capsys, "review", "-w", str(ws_path), "--approve", "--where", "passing")[0] == 0
    out = tmp_path / "evil\nbase_model: pwned"
    assert cli(capsys, "export", "-w", str(ws_path), "-o", str(out))[0] == 0
    assert set(yaml.safe_load((out / "axolotl.yaml").read_text())) == {"datasets"}


def test_info_on_a_workspace_with_an_unfinished_import_row(ws_path, capsys):
    """A kill between the import's first and second commit leaves a row without
    finished_at: it is invisible, not half an import."""
    w = Workspace.open(ws_path)
    with w.transaction() as con:
        con.execute(
            "INSERT INTO imports (source, path, file_hash, format, options, started_at)"
            " VALUES ('x.jsonl', '/x.jsonl', 'h', 'openai', '{}', 'now')"
        )
    assert info_json(capsys, ws_path)["records"] == 20
