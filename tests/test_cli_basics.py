"""The stable CLI contract for info/query/show/review (DESIGN.md)."""

from __future__ import annotations

import json

import pytest

from curator.cli.main import main
from curator.core import review
from curator.core.workspace import Workspace


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_info_json_has_the_contract_keys(small_ws, capsys):
    review.approve(small_ws, small_ws.record_ids().to_list()[:2])
    code, out, _ = run_cli(capsys, "info", "-w", str(small_ws.path), "--json")
    assert code == 0
    data = json.loads(out)
    for key in ("records", "quarantined", "sources", "by_status", "by_flag", "duplicates"):
        assert key in data
    assert data["records"] == 10
    assert data["by_status"] == {"pending": 8, "approved": 2, "rejected": 0}
    assert data["sources"] == {"test.jsonl": 10}


def test_query_json_lines_and_filters(small_ws, capsys):
    ids = small_ws.record_ids().to_list()
    review.reject(small_ws, ids[:1], "bad")
    small_ws.write_flags(
        "filters",
        __import__("polars").DataFrame(
            {"id": [ids[2]], "name": ["pii.email"], "reason": ["email in message 1"], "severity": ["warn"]}
        ),
    )
    code, out, _ = run_cli(capsys, "query", "-w", str(small_ws.path), "--status", "rejected", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["id"] for r in rows] == [ids[0]]
    assert set(rows[0]) == {"id", "source", "locator", "status", "flags", "cluster_id", "duplicate_of"}
    assert rows[0]["locator"] == "line 1"
    _, out, _ = run_cli(capsys, "query", "-w", str(small_ws.path), "--flag", "pii", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == [ids[2]]
    assert rows[0]["flags"] == [{"name": "pii.email", "reason": "email in message 1"}]
    _, out, _ = run_cli(capsys, "query", "-w", str(small_ws.path), "--search", "QUESTION NUMBER 7", "--json")
    assert len(out.splitlines()) == 1


def test_show_json_has_edit_and_original(small_ws, capsys):
    rid = small_ws.record_ids()[0]
    review.edit_message(small_ws, rid, 1, "Fixed answer.")
    code, out, _ = run_cli(capsys, "show", "-w", str(small_ws.path), rid, "--json")
    d = json.loads(out)
    assert code == 0
    assert d["messages"][1]["content"] == "Fixed answer."
    assert d["original_messages"][1]["content"].startswith("Answer 0")
    assert d["history"][0]["action"] == "edit"


def test_review_cli_approves_and_rejects(small_ws, capsys):
    ids = small_ws.record_ids().to_list()
    code, out, _ = run_cli(capsys, "review", "-w", str(small_ws.path), "--approve", "--ids", *ids[:3])
    assert code == 0 and "approved 3" in out
    code, out, _ = run_cli(capsys, "review", "-w", str(small_ws.path), "--reject", "dup", "--ids", ids[3])
    assert code == 0
    st = Workspace.open(small_ws.path).frame()
    assert st.filter(st["status"] == "approved").height == 3


def test_errors_are_one_line_with_exit_codes(tmp_path, capsys):
    code, _, err = run_cli(capsys, "info", "-w", str(tmp_path / "missing"))
    assert code == 1
    assert "not a Curator workspace" in err and "Traceback" not in err
    with pytest.raises(SystemExit) as exc:
        main(["query"])
    assert exc.value.code == 2


def test_review_unknown_id_fails_and_changes_nothing(small_ws, capsys):
    code, _, err = run_cli(capsys, "review", "-w", str(small_ws.path), "--approve", "--ids", "nope")
    assert code == 1 and "not in workspace" in err
    assert Workspace.open(small_ws.path).frame()["status"].unique().to_list() == ["pending"]


def test_query_with_a_mistyped_flag_names_the_flags_that_exist(small_ws, capsys):
    import polars as pl

    ids = small_ws.record_ids().to_list()
    small_ws.write_flags(
        "filters",
        pl.DataFrame({"id": [ids[0]], "name": ["pii.email"], "reason": ["x"], "severity": ["warn"]}),
    )
    code, out, err = run_cli(capsys, "query", "-w", str(small_ws.path), "--flag", "pi")
    assert code == 0 and "0 record(s)" in out
    assert "no record has a flag named 'pi'" in err and "pii" in err


def test_review_redact_replaces_pii_and_keeps_the_original(workspace, capsys):
    from conftest import add_conversations

    from curator.core.filters import Recipe
    from curator.core.jobs import run_job
    from curator.core.pipeline import pipeline_job

    add_conversations(
        workspace,
        [
            [("user", "Please email me at jane.doe@mailbox.co.uk about order 1234."), ("assistant", "Sure, Jane, I will.")],
            [("user", "How do I reset my password?"), ("assistant", "Use the link on the sign-in page.")],
        ],
    )
    run_job(pipeline_job(workspace, Recipe.default()))
    code, out, _ = run_cli(capsys, "review", "-w", str(workspace.path), "--redact", "--where", "flagged")
    assert code == 0 and "in 1 record(s)" in out
    code, out, _ = run_cli(capsys, "query", "-w", str(workspace.path), "--search", "<EMAIL_1>", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 1 and not any(f["name"].startswith("pii") for f in rows[0]["flags"])
    code, out, _ = run_cli(capsys, "show", "-w", str(workspace.path), rows[0]["id"], "--json")
    shown = json.loads(out)
    assert "jane.doe@mailbox.co.uk" in shown["original_messages"][0]["content"]
    assert "jane.doe@mailbox.co.uk" not in shown["messages"][0]["content"]
