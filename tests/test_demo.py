"""`curator demo` and curator.core.demo: the demo workspace holds what sample_data/README.md promises."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from curator.cli.main import main
from curator.core import demo
from curator.core.errors import CuratorError
from curator.core.jobs import run_job
from curator.core.query import info
from curator.core.workspace import Workspace
from tests.conftest import SAMPLE_DATA

MANIFEST: dict[str, Any] = json.loads((SAMPLE_DATA / "planted.json").read_text(encoding="utf-8"))
SOURCE_OF = {"chats_openai.jsonl": "chats_openai.jsonl", "helpdesk_export.csv": "helpdesk_export.csv",
             "transcripts": "transcripts/", "sharegpt.json": "sharegpt.json", "alpaca.json": "alpaca.json"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> demo.DemoResult:
    path = tmp_path_factory.mktemp("demo") / "demo.curator"
    return run_job(demo.build_demo(path))


@pytest.fixture(scope="module")
def frame(built: demo.DemoResult) -> pl.DataFrame:
    return Workspace.open(built.path).frame()


def test_import_counts_match_the_readme(built: demo.DemoResult) -> None:
    assert built.created
    for name, counts in built.imported.items():
        promised = MANIFEST["files"][SOURCE_OF[name]]
        assert counts == {"added": promised["records"], "quarantined": promised["quarantined"]}, name
    data = info(Workspace.open(built.path))
    assert data["records"] == MANIFEST["totals"]["records"]
    assert data["quarantined"] == MANIFEST["totals"]["quarantined"]


def test_quarantine_lists_the_broken_lines_with_reasons(built: demo.DemoResult) -> None:
    q = Workspace.open(built.path).quarantine()
    assert sorted(q.get_column("line").to_list()) == MANIFEST["files"]["chats_openai.jsonl"]["quarantined_lines"]
    assert q.get_column("reason").str.len_chars().min() > 10  # every line says why


def _locate(df: pl.DataFrame, p: dict[str, Any]) -> dict[str, Any]:
    f = p["file"]
    if f == "chats_openai.jsonl":
        rows = df.filter(pl.col("source") == f, pl.col("locator") == f"line {p['line']}")
    elif f == "helpdesk_export.csv":
        rows = df.filter(pl.col("source") == f, pl.col("meta").str.json_path_match("$.ticket_id") == p["ticket"])
    elif f.startswith("transcripts/"):
        rows = df.filter(pl.col("source") == Path(f).name).sort("line").slice(p["call"] - 1, 1)
    else:
        rows = df.filter(pl.col("source") == f, pl.col("line") == p["index"])
    assert rows.height == 1, p
    return rows.row(0, named=True)


def _matches(name: str, expected: str) -> bool:
    return name == expected or name.startswith(expected + ".")


def test_every_planted_problem_is_flagged_and_nothing_clean_is(built: demo.DemoResult, frame: pl.DataFrame) -> None:
    assert built.pipeline is not None, f"the demo did not run the pipeline: {built.pipeline_skipped}"
    problems = []
    planted_ids = set()
    for p in MANIFEST["planted"] + MANIFEST["personal_data"]:
        if p["kind"].startswith("broken"):
            continue
        rec = _locate(frame, p)
        planted_ids.add(rec["id"])
        names = [f["name"] for f in rec["flags"]]
        missing = [e for e in p["expect"] if not any(_matches(n, e) for n in names)]
        extra = [n for n in names if not any(_matches(n, e) for e in p["expect"])]
        if missing or extra:
            problems.append(f"{p['file']} {p['where']} ({p['kind']}): missing {missing}, unexpected {extra}")
    clean_flagged = frame.filter(~pl.col("id").is_in(list(planted_ids)), pl.col("flags").list.len() > 0)
    for r in clean_flagged.iter_rows(named=True):
        problems.append(f"clean record {r['source']} {r['locator']} flagged {[f['name'] for f in r['flags']]}")
    assert problems == []


def test_duplicates_point_at_the_promised_keeper(built: demo.DemoResult, frame: pl.DataFrame) -> None:
    assert built.pipeline is not None, f"the demo did not run the pipeline: {built.pipeline_skipped}"
    ids_by_where = {}
    for p in MANIFEST["planted"]:
        if p["kind"] in ("exact_duplicate", "near_duplicate"):
            ids_by_where[(p["file"], p["where"])] = _locate(frame, p)
    for p in MANIFEST["planted"]:
        if p["kind"] in ("exact_duplicate", "near_duplicate") and p.get("duplicate_of"):
            rec = ids_by_where[(p["file"], p["where"])]
            keeper = ids_by_where.get((p["file"], p["duplicate_of"]))
            if keeper is None:  # an exact copy's original is a clean record, not planted
                keeper = _locate(frame, {**p, **_where_key(p["file"], p["duplicate_of"])})
            assert rec["duplicate_of"] == keeper["id"], p


def _where_key(file: str, where: str) -> dict[str, Any]:
    kind, _, value = where.partition(" ")
    if file == "helpdesk_export.csv":
        return {"ticket": value}
    return {"line": int(value)} if kind == "line" else {"index": int(value)}


def test_expected_flag_counts(built: demo.DemoResult) -> None:
    assert built.pipeline is not None, f"the demo did not run the pipeline: {built.pipeline_skipped}"
    by_flag = info(Workspace.open(built.path))["by_flag"]
    assert by_flag == MANIFEST["expected_flags"]


def test_existing_demo_is_reused(built: demo.DemoResult) -> None:
    again = run_job(demo.build_demo(built.path))
    assert not again.created and again.imported == {}


def test_fresh_replaces_the_demo_and_its_review_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from curator.core import review

    monkeypatch.setattr(demo, "DEMO_SOURCES", (demo.DemoSource("alpaca.json"),))
    monkeypatch.setattr(demo, "_pipeline_factory", lambda: (None, "not needed here"))
    target = tmp_path / "demo.curator"
    run_job(demo.build_demo(target))
    ws = Workspace.open(target)
    review.approve(ws, [ws.records().get_column("id")[0]])
    assert info(ws)["by_status"]["approved"] == 1
    ws.close()
    result = run_job(demo.build_demo(target, fresh=True))
    assert result.created and result.pipeline_skipped == "not needed here"
    data = info(Workspace.open(target))
    assert data["by_status"]["approved"] == 0
    assert data["records"] == MANIFEST["files"]["alpaca.json"]["records"]
    assert [p.name for p in tmp_path.iterdir()] == ["demo.curator"]  # no staging folder left


def test_cancelled_build_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "demo.curator"
    job = demo.build_demo(target)
    for _ in range(3):
        next(job)
    job.close()  # what run_job does on cancel
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_fresh_refuses_to_delete_a_folder_that_is_not_a_workspace(tmp_path: Path) -> None:
    target = tmp_path / "precious"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    with pytest.raises(CuratorError, match="not a Curator workspace"):
        run_job(demo.build_demo(target, fresh=True))
    assert (target / "notes.txt").read_text() == "keep me"


def test_missing_sample_data_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(demo.SAMPLE_DATA_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(CuratorError, match=r"nowhere does not exist.*pip install -e \."):
        run_job(demo.build_demo(tmp_path / "demo.curator"))
    assert not (tmp_path / "demo.curator").exists()


def test_cli_demo_no_gui_prints_the_summary(built: demo.DemoResult, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--no-gui", "-w", str(built.path)]) == 0
    out = capsys.readouterr().out
    assert "Reusing the demo workspace" in out
    assert f"Records     {MANIFEST['totals']['records']:,}" in out
    assert f"Quarantined {MANIFEST['totals']['quarantined']:,}" in out
    assert "helpdesk_export.csv" in out


def test_cli_demo_without_a_display_still_succeeds(
    built: demo.DemoResult, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import curator.gui.app as app

    monkeypatch.setattr(app, "platform_problem", lambda: "No display: DISPLAY is not set.")
    monkeypatch.setattr(app, "run_app", lambda path: pytest.fail("must not start the GUI"))
    assert main(["demo", "-w", str(built.path)]) == 0
    out = capsys.readouterr().out
    assert "Not opening the desktop app: No display" in out
    assert f"curator gui {built.path}" in out


def test_cli_demo_opens_the_gui_on_the_demo(
    built: demo.DemoResult, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import curator.gui.app as app

    opened: list[Path] = []
    monkeypatch.setattr(app, "platform_problem", lambda: None)
    monkeypatch.setattr(app, "run_app", lambda path: opened.append(path) or 0)
    assert main(["demo", "-w", str(built.path)]) == 0
    assert opened == [built.path]


def test_planted_structure_is_repaired_and_recorded(frame: pl.DataFrame) -> None:
    for p in MANIFEST["planted"]:
        if p.get("repairs"):
            rec = _locate(frame, p)
            roles = [m["role"] for m in rec["messages"]]
            assert rec["repairs"], p
            assert all(a != b for a, b in itertools.pairwise(roles)), (p, roles)
            assert all(m["content"] and m["content"].strip() for m in rec["messages"] if not m["tool_calls"]), p


def test_name_weight_and_tool_calls_survive_import(frame: pl.DataFrame) -> None:
    for p in planted_kind("name_weight"):
        msgs = _locate(frame, p)["messages"]
        assert msgs[1]["name"] and [m["weight"] for m in msgs[2:5:2]] == [0, 1]
    (tool,) = planted_kind("tool_calls")
    msgs = _locate(frame, tool)["messages"]
    call = json.loads(msgs[2]["tool_calls"])[0]
    assert call["function"]["name"] == "get_order_status"
    assert msgs[3]["role"] == "tool" and msgs[3]["tool_call_id"] == call["id"]


def planted_kind(kind: str) -> list[dict[str, Any]]:
    return [p for p in MANIFEST["planted"] if p["kind"] == kind]


def test_demo_imports_each_file_exactly_as_the_readme_says() -> None:
    from curator.cli.commands.import_ import options_from_args
    from curator.cli.main import build_parser
    from curator.core.ingest import ImportOptions

    assert {SOURCE_OF[s.name] for s in demo.DEMO_SOURCES} == set(MANIFEST["files"])
    for src in demo.DEMO_SOURCES:
        spec = MANIFEST["files"][SOURCE_OF[src.name]]
        args = build_parser().parse_args(["import", src.name, "-w", "WS", *spec["import_args"]])
        assert options_from_args(args) == ImportOptions(**src.options), src.name
