"""`curator dedup`, and what `curator info` / `curator query` then show."""

from __future__ import annotations

import json

import pytest
from conftest import add_conversations
from dedup_helpers import conv, family, variant

from curator.cli.main import main
from curator.core.workspace import Workspace


@pytest.fixture
def dup_ws(workspace: Workspace) -> Workspace:
    u, a = family(70)
    add_conversations(
        workspace,
        [
            conv(u, a),
            conv(u, a),
            conv(variant(u, 2, seed=3), a),
            conv(*family(71)),
            conv(*family(72)),
        ],
    )
    return workspace


def test_cli_dedup_prints_counts(dup_ws: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dedup", "-w", str(dup_ws.path)]) == 0
    out = capsys.readouterr().out
    assert "Clusters    1 (0 exact, 1 near)" in out
    assert "Duplicates  2 flagged (1 exact_duplicate, 1 near_duplicate)" in out
    assert "Time" in out


def test_cli_dedup_json_info_and_query(
    dup_ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = str(dup_ws.path)
    assert main(["dedup", "-w", ws, "--json", "--threshold", "0.7", "--scope", "user"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["duplicates"] == 2 and summary["clusters"] == 1
    assert summary["settings"]["threshold"] == 0.7 and summary["settings"]["scope"] == "user"

    assert main(["info", "-w", ws, "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["duplicates"] == 2
    assert info["by_flag"] == {"exact_duplicate": 1, "near_duplicate": 1}

    assert main(["query", "-w", ws, "--flag", "near_duplicate", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 1
    assert rows[0]["duplicate_of"] and rows[0]["cluster_id"]
    assert rows[0]["flags"][0]["reason"].startswith(f"near-duplicate of {rows[0]['duplicate_of']}")

    # flags left unset keep the stored settings
    assert main(["dedup", "-w", ws, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["settings"]["scope"] == "user"


def test_cli_dedup_rejects_bad_threshold(
    dup_ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dedup", "-w", str(dup_ws.path), "--threshold", "1.5"]) == 2
    assert "--threshold" in capsys.readouterr().err
