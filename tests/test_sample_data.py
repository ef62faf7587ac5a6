"""sample_data/: the files exist, have the promised shapes, and match planted.json and the README."""

from __future__ import annotations

import csv
import filecmp
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SAMPLE_DATA

MANIFEST: dict[str, Any] = json.loads((SAMPLE_DATA / "planted.json").read_text(encoding="utf-8"))
SPEAKER_LINE = re.compile(
    r"^(\[\d\d:\d\d:\d\d\] |\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] |\d{4}-\d\d-\d\d \d\d:\d\d:\d\d )?(Agent|Customer): \S"
)


def luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return total % 10 == 0


def planted(kind_prefix: str, file: str | None = None) -> list[dict[str, Any]]:
    return [
        p for p in MANIFEST["planted"]
        if p["kind"].startswith(kind_prefix) and (file is None or p["file"] == file)
    ]


def jsonl_lines() -> list[str]:
    return (SAMPLE_DATA / "chats_openai.jsonl").read_text(encoding="utf-8").splitlines()


def csv_rows() -> list[dict[str, str]]:
    with (SAMPLE_DATA / "helpdesk_export.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_file_exists_and_the_set_is_small() -> None:
    for name in ("chats_openai.jsonl", "helpdesk_export.csv", "sharegpt.json", "alpaca.json",
                 "README.md", "planted.json", "generate.py"):
        assert (SAMPLE_DATA / name).is_file(), name
    total = sum(p.stat().st_size for p in SAMPLE_DATA.rglob("*") if p.is_file())
    assert total < 3_000_000


def test_openai_jsonl_broken_lines_are_exactly_the_listed_ones() -> None:
    lines = jsonl_lines()
    assert len(lines) == MANIFEST["files"]["chats_openai.jsonl"]["lines"]
    not_chat = []
    with_tools = with_name = with_weight = 0
    for n, line in enumerate(lines, start=1):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            not_chat.append(n)
            continue
        msgs = obj.get("messages") if isinstance(obj, dict) else None
        if not isinstance(msgs, list) or not all(isinstance(m.get("content"), str | None) for m in msgs):
            not_chat.append(n)
            continue
        with_tools += any("tool_calls" in m for m in msgs)
        with_name += any("name" in m for m in msgs)
        with_weight += any("weight" in m for m in msgs)
    broken = sorted(p["line"] for p in planted("broken.", "chats_openai.jsonl"))
    assert not_chat == broken and len(broken) == 5
    assert MANIFEST["files"]["chats_openai.jsonl"]["quarantined_lines"] == broken
    assert with_tools == 1 and with_name >= 3 and with_weight >= 3


def test_helpdesk_csv_shape() -> None:
    rows = csv_rows()
    assert list(rows[0]) == ["ticket_id", "timestamp", "channel", "author_type", "author_name", "message"]
    assert {r["author_type"] for r in rows} == {"customer", "agent", "bot", "system"}
    tickets: dict[str, list[str]] = {}
    for r in rows:
        tickets.setdefault(r["ticket_id"], []).append(r["timestamp"])
    assert len(tickets) == MANIFEST["files"]["helpdesk_export.csv"]["records"] >= 250
    out_of_order = sorted(t for t, stamps in tickets.items() if stamps != sorted(stamps))
    assert out_of_order == sorted(MANIFEST["files"]["helpdesk_export.csv"]["tickets_out_of_time_order"])
    assert len(out_of_order) >= 10
    assert sum("\n" in r["message"] for r in rows) >= 20  # quoted multi-line cells


def test_transcripts_shape() -> None:
    files = sorted((SAMPLE_DATA / "transcripts").glob("*.txt"))
    assert len(files) == MANIFEST["files"]["transcripts/"]["files"] == 20
    styles = set()
    calls = 0
    for f in files:
        text = f.read_text(encoding="utf-8")
        blocks = text.split("\n---\n")
        calls += len(blocks)
        for block in blocks:
            lines = [ln for ln in block.splitlines() if ln.strip()]
            assert SPEAKER_LINE.match(lines[0]), (f.name, lines[0])
            for ln in lines:
                m = SPEAKER_LINE.match(ln)
                styles.add(m.group(1)[:2] if m and m.group(1) else ("plain" if m else "continuation"))
    assert calls == MANIFEST["files"]["transcripts/"]["records"] == 23
    assert styles >= {"[0", "[2", "20", "plain", "continuation"}  # elapsed, bracketed and bare date-times


def test_sharegpt_and_alpaca_shape() -> None:
    share = json.loads((SAMPLE_DATA / "sharegpt.json").read_text(encoding="utf-8"))
    assert len(share) == MANIFEST["files"]["sharegpt.json"]["records"] >= 90
    assert {t["from"] for c in share for t in c["conversations"]} == {"human", "gpt", "system"}
    alpaca = json.loads((SAMPLE_DATA / "alpaca.json").read_text(encoding="utf-8"))
    assert len(alpaca) == MANIFEST["files"]["alpaca.json"]["records"] >= 90
    assert all(set(r) == {"instruction", "input", "output"} for r in alpaca)


def _text_at(p: dict[str, Any]) -> str:
    """The raw text of the planted record, found by its listed location."""
    if p["file"] == "chats_openai.jsonl":
        return jsonl_lines()[p["line"] - 1]
    if p["file"] == "helpdesk_export.csv":
        msgs = [r["message"] for r in csv_rows() if r["ticket_id"] == p["ticket"]]
        assert msgs, p
        return "\n".join(msgs)
    if p["file"].startswith("transcripts/"):
        blocks = (SAMPLE_DATA / p["file"]).read_text(encoding="utf-8").split("\n---\n")
        return blocks[p["call"] - 1]
    array = json.loads((SAMPLE_DATA / p["file"]).read_text(encoding="utf-8"))
    return json.dumps(array[p["index"] - 1], ensure_ascii=False)


@pytest.mark.parametrize(
    ("kind", "needle"),
    [
        ("pii.card", None), ("pii.iban", None), ("pii.ssn", "078-05-1120"),
        ("secret.aws", "AKIA"), ("secret.github", "ghp_"), ("secret.jwt", "eyJ"),
        ("secret.private_key", "-----BEGIN RSA PRIVATE KEY-----"), ("secret.slack", "xoxb-"),
        ("lookalike.isbn", "978-0-306-40615-7"), ("lookalike.version", "2.14.1"),
    ],
)
def test_planted_values_are_where_the_manifest_says(kind: str, needle: str | None) -> None:
    rows = planted(kind)
    assert rows, kind
    for p in rows:
        text = _text_at(p)
        if kind == "pii.card":
            cards = re.findall(r"\b(?:\d[ -]?){13,19}\b", text)
            assert any(luhn_ok(c) for c in cards), (p["where"], cards)
        elif kind == "pii.iban":
            assert re.search(r"\b(GB82 WEST|DE89 3704)", text), p["where"]
        else:
            assert needle in text, (p["where"], needle)


def test_lookalike_numbers_fail_luhn() -> None:
    for p in planted("lookalike."):
        for number in re.findall(r"\b(?:\d[ -]?){13,19}\b", _text_at(p)):
            assert not luhn_ok(number), (p["where"], number)


def test_exact_duplicates_and_near_duplicate_groups_point_at_real_records() -> None:
    for p in planted("exact_duplicate"):
        assert p["duplicate_of"] and p["duplicate_of"] != p["where"]
    groups: dict[str, list[dict[str, Any]]] = {}
    for p in planted("near_duplicate"):
        groups.setdefault(p["group"], []).append(p)
    assert len(groups) >= 4
    for members in groups.values():
        keepers = [m for m in members if "near_duplicate" not in m["expect"]]
        assert len(keepers) == 1
        assert all(m["duplicate_of"] == keepers[0]["where"] for m in members if m is not keepers[0])


def test_readme_lists_every_planted_item_and_the_counts() -> None:
    readme = (SAMPLE_DATA / "README.md").read_text(encoding="utf-8")
    for p in MANIFEST["planted"]:
        if not p["kind"].startswith("broken"):
            assert f"| {p['where'].removeprefix('transcripts/')} | {p['kind']} |" in readme, p
    for name, f in MANIFEST["files"].items():
        assert f["import"].replace("-w WS", "-w demo.curator") in readme, name
    totals = MANIFEST["totals"]
    assert f"**{totals['records']}**" in readme and f"**{totals['quarantined']}**" in readme
    for flag, n in MANIFEST["expected_flags"].items():
        assert f"| `{flag}` | {n} |" in readme


def test_generator_is_deterministic(tmp_path: Path) -> None:
    out = tmp_path / "regen"
    subprocess.run(
        [sys.executable, str(SAMPLE_DATA / "generate.py"), "--out", str(out)],
        check=True, capture_output=True, text=True, timeout=300,
    )
    names = ["chats_openai.jsonl", "helpdesk_export.csv", "sharegpt.json", "alpaca.json", "planted.json", "README.md"]
    _match, mismatch, errors = filecmp.cmpfiles(SAMPLE_DATA, out, names, shallow=False)
    assert mismatch == [] and errors == [], "committed sample_data differs from `python sample_data/generate.py`"
    calls = sorted(p.name for p in (SAMPLE_DATA / "transcripts").glob("*.txt"))
    assert calls == sorted(p.name for p in (out / "transcripts").glob("*.txt"))
    for name in calls:
        assert filecmp.cmp(SAMPLE_DATA / "transcripts" / name, out / "transcripts" / name, shallow=False)
