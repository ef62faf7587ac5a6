"""On sample_data/: every planted filter problem is flagged by name; no clean record is."""

from __future__ import annotations

import json

import polars as pl
import pytest
from conftest import SAMPLE_DATA

from curator.cli.main import main
from curator.core.workspace import Workspace

PLANTED = SAMPLE_DATA / "planted.json"
MINE = ("structure", "length", "language", "repetition", "refusal", "diversity", "pii", "secret")


def _key(source: str, locator: str, meta: str | None) -> tuple[str, str]:
    if source.endswith(".csv"):
        return source, f"ticket {json.loads(meta or '{}').get('ticket_id')}"
    if source.startswith(("call_", "calls_")):
        return f"transcripts/{source}", f"transcripts/{source}"
    return source, locator


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, dict]:
    if not PLANTED.exists():
        pytest.skip("sample_data/planted.json not generated")
    planted = json.loads(PLANTED.read_text())
    ws_path = tmp_path_factory.mktemp("demo") / "demo.curator"
    for name, spec in planted["files"].items():
        src = str(SAMPLE_DATA / name.rstrip("/"))
        assert main(["import", src, "-w", str(ws_path), *spec["import_args"]]) == 0
    assert main(["run", "-w", str(ws_path), "--json"]) == 0
    return Workspace.open(ws_path), planted


def _flags_by_key(ws: Workspace) -> dict[tuple[str, str], dict[str, str]]:
    frame = (
        ws.frame()
        .sort("source", "line")
        .select(
            "source",
            "locator",
            "meta",
            pl.col("flags").list.eval(pl.element().struct.field("name")).alias("names"),
            pl.col("flags").list.eval(pl.element().struct.field("reason")).alias("reasons"),
        )
    )
    out = {}
    calls = frame.group_by("source").len()
    batches = set(calls.filter(pl.col("len") > 1).get_column("source").to_list())
    seen: dict[str, int] = {}
    for row in frame.to_dicts():
        flags = dict(zip(row["names"], row["reasons"], strict=True))
        key = _key(row["source"], row["locator"], row["meta"])
        if row["source"].startswith("calls_") and row["source"] in batches:
            seen[row["source"]] = seen.get(row["source"], 0) + 1  # the batch file's Nth call
            key = (key[0], f"{key[1]}, call {seen[row['source']]}")
        out[key] = {n: r for n, r in flags.items() if n.split(".")[0] in MINE}
    return out


def test_every_planted_problem_is_flagged_by_name(demo, capsys) -> None:
    ws, planted = demo
    got = _flags_by_key(ws)
    quarantined = {
        ("chats_openai.jsonl", f"line {n}")
        for n in planted["files"]["chats_openai.jsonl"]["quarantined_lines"]
    }
    wrong = []
    # planted problems, and the everyday personal data (names, a caller's postcode) of
    # otherwise clean records: each record gets exactly the flags listed for it
    for p in planted["planted"] + planted["personal_data"]:
        key = (p["file"], p["where"])
        if key in quarantined:
            continue
        expected = {e for e in p["expect"] if e.split(".")[0] in MINE}
        names = set(got.get(key, {}))
        if names != expected:
            wrong.append((key, p["kind"], sorted(expected), got.get(key)))
    assert wrong == []


def test_no_clean_record_is_flagged(demo) -> None:
    ws, planted = demo
    planted_keys = {(p["file"], p["where"]) for p in planted["planted"] + planted["personal_data"]}
    flagged_clean = {k: v for k, v in _flags_by_key(ws).items() if k not in planted_keys and v}
    assert flagged_clean == {}


def test_reasons_read_as_sentences(demo) -> None:
    ws, _ = demo
    flags = ws.flags().filter(pl.col("name").str.split(".").list.first().is_in(MINE))
    assert flags.height > 0
    for reason in flags.get_column("reason").to_list():
        assert reason and "null" not in reason and len(reason) < 200, reason
