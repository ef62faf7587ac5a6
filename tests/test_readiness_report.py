"""The report's contract: JSON keys, N_good, targets, CLI table, JSON and HTML output."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree

import polars as pl
import pytest
from readiness_helpers import build, clean_conversations, flags

from curator.cli.main import main
from curator.core import records as R
from curator.core.errors import UsageError
from curator.core.readiness import build_report, load_targets
from curator.core.readiness.checks import CHECK_IDS
from curator.core.readiness.targets import resolve_target
from curator.core.review import approve, reject
from curator.core.selection import exportable
from curator.core.workspace import Workspace

READINESS_IDS = ["format", "volume", "epochs", "length", "roles", "exact_dups", "near_dups", "split",
                 "quality", "pii", "diversity", "refusals", "consistency", "volatility", "reviewed", "cost"]


def test_json_follows_the_design_contract(workspace: Workspace) -> None:
    build(workspace, clean_conversations(12))
    data = build_report(workspace).to_json()
    assert data["verdict"] in ("ready", "limited_data", "not_ready")
    assert set(data["counts"]) == {"total", "approved", "rejected", "pending", "good"}
    assert [c["id"] for c in data["checks"]] == READINESS_IDS == list(CHECK_IDS)
    for c in data["checks"]:
        assert {"id", "level", "value", "threshold", "message", "title", "why", "next_step", "source", "query"} <= set(c)
        assert c["level"] in ("ok", "warn", "block", "info")
        assert c["message"] and c["why"] and c["next_step"] and c["source"]
    assert {"verdict_message", "next_steps", "target", "stats"} <= set(data)
    tokens = data["stats"]["tokens"]["example"]
    assert set(tokens) == {"min", "p10", "median", "p90", "p99", "max"}
    json.dumps(data)


def test_n_good_matches_the_export_selection(workspace: Workspace) -> None:
    df = build(workspace, clean_conversations(30), approve_all=False)
    ids = df.get_column(R.ID).to_list()
    approve(workspace, ids[:20])
    reject(workspace, ids[20:23], "off topic")
    workspace.write_result("clusters", pl.DataFrame(
        {R.ID: ids[:2], R.CLUSTER_ID: ["c", "c"], R.DUPLICATE_OF: [None, ids[0]],
         R.SIMILARITY: [1.0, 0.9], "kind": ["near", "near"]}, schema=R.CLUSTERS_SCHEMA))
    flags(workspace, [(ids[5], "secret.private_key", "block"), (ids[25], "pii.email", "block")])
    frame = workspace.frame()
    for include in ("approved", "passing"):
        r = build_report(workspace, include=include)  # type: ignore[arg-type]
        assert r.counts["good"] == frame.filter(exportable(include)).height  # type: ignore[arg-type]
    assert build_report(workspace, include="approved").counts["good"] == 18
    assert build_report(workspace, include="passing").counts["good"] == 24


def test_targets_data_file() -> None:
    targets = load_targets()
    assert {"gpt-4o-mini", "gpt-4.1", "gpt-3.5-turbo", "vertex-gemini-2.5", "bedrock-claude-3-haiku", "open-source"} <= set(targets)
    assert targets["gpt-3.5-turbo"].max_tokens == 16385
    assert targets["vertex-gemini-2.5"].max_tokens == 131072
    for t in targets.values():
        assert t.max_tokens > 0 and t.min_examples > 0 and t.default_epochs > 0 and t.source
    assert resolve_target("open-source:4096").max_tokens == 4096
    with pytest.raises(UsageError, match="Valid targets: gpt-4o-mini"):
        resolve_target("gpt-9")
    with pytest.raises(UsageError):
        resolve_target("gpt-4o-mini:4096")


def test_open_source_cutoff_comes_from_settings(workspace: Workspace) -> None:
    build(workspace, clean_conversations(12))
    workspace.set_setting("readiness", {"open_source_cutoff": 8192})
    assert build_report(workspace, target="open-source").target.max_tokens == 8192


def test_stats_for_the_dashboard(workspace: Workspace) -> None:
    df = build(workspace, clean_conversations(40))
    flags(workspace, [(df.get_column(R.ID)[0], "pii.email", "warn")])
    s = build_report(workspace).stats
    assert s["by_status"] == {"pending": 0, "approved": 40, "rejected": 0}
    assert s["by_flag"] == {"pii.email": 1}
    assert sum(s["tokens"]["histogram"]["counts"]) == 40
    assert s["messages_per_example"]["counts"] == {"3": 40}
    assert s["languages"]["counts"] == {"en": 40}
    assert s["review_progress"][-1]["cumulative_approved"] == 40
    assert set(s["diversity"]) >= {"distinct_2", "compression_ratio", "largest_cluster_share"}


def test_every_flagged_number_has_a_way_to_the_records(workspace: Workspace) -> None:
    convs = clean_conversations(20)
    convs[2] = [("user", "a?"), ("user", "b?"), ("assistant", "c.")]
    build(workspace, convs)
    r = build_report(workspace)
    for c in r.checks:
        if c.level in ("warn", "block") and c.measured and c.id not in ("volume", "epochs", "split", "reviewed", "diversity"):
            assert c.query or c.examples, c.id
    assert r.record_ids("roles").len() == r.check("roles").value


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_table_puts_the_verdict_on_top(workspace: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    build(workspace, clean_conversations(5))
    code, out, _ = run_cli(["report", "-w", str(workspace.path)], capsys)
    assert code == 0
    assert out.splitlines()[0] == "Readiness: NOT READY"
    assert "Next steps" in out and "BLOCK" in out


def test_cli_json_and_include(workspace: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    build(workspace, clean_conversations(15), approve_all=False)
    code, out, _ = run_cli(["report", "-w", str(workspace.path), "--json", "--include", "passing"], capsys)
    data = json.loads(out)
    assert code == 0 and data["counts"]["good"] == 15 and data["include"] == "passing"
    _, out, _ = run_cli(["report", "-w", str(workspace.path), "--json"], capsys)
    assert json.loads(out)["counts"]["good"] == 0


def test_cli_unknown_target_is_a_usage_error(workspace: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    build(workspace, clean_conversations(3))
    code, _, err = run_cli(["report", "-w", str(workspace.path), "--target", "gpt-9"], capsys)
    assert code == 2
    assert "gpt-4o-mini" in err and "bedrock-claude-3-haiku" in err


def test_html_is_self_contained_and_escapes_record_text(
    workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    convs = clean_conversations(20)
    evil = "<script>alert('x')</script> where is <b>my</b> order"
    convs[0] = [("system", "s"), ("user", evil), ("assistant", "It ships today.")]
    convs[1] = [("system", "s"), ("user", evil), ("assistant", "It shipped yesterday.")]
    df = build(workspace, convs)
    flags(workspace, [(df.get_column(R.ID)[3], "pii.<img src=x>", "warn")])
    out_file = tmp_path / "report.html"
    code, _, _ = run_cli(["report", "-w", str(workspace.path), "--html", str(out_file)], capsys)
    assert code == 0
    html = out_file.read_text("utf-8")
    assert "<svg" in html and "<style>" in html
    assert "<script" not in html.lower()
    assert "http://" not in html and "https://" not in html
    assert "&lt;script&gt;" in html  # the conflicting prompt is shown, escaped
    assert "<img" not in html and "&lt;img src=x&gt;" in html
    charts = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(charts) >= 5
    for svg in charts:
        ElementTree.fromstring(svg)  # well-formed inline SVG


def test_bad_threshold_settings_are_explained(workspace: Workspace) -> None:
    from curator.core.errors import CuratorError

    build(workspace, clean_conversations(3))
    workspace.set_setting("readiness", {"volume_okay": 5})
    with pytest.raises(CuratorError, match="unknown key 'volume_okay'"):
        build_report(workspace)
    workspace.set_setting("readiness", {"volume_ok": "many"})
    with pytest.raises(CuratorError, match="volume_ok"):
        build_report(workspace)
