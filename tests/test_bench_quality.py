"""benchmarks/bench_quality.py: how labels are matched to flags (no shared data needed)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "bench_quality", ROOT / "benchmarks" / "bench_quality.py"
)
assert _spec and _spec.loader
bq = importlib.util.module_from_spec(_spec)
sys.modules["bench_quality"] = bq  # dataclasses look their module up
_spec.loader.exec_module(bq)


def _labels(rows: list[tuple[str, str, str, str]]) -> pl.DataFrame:
    cols = ("source", "locator", "flag", "label")
    return pl.DataFrame([dict(zip(cols, r, strict=True)) | {"file": "t"} for r in rows])


def test_a_label_matches_its_flag_or_any_flag_of_its_family() -> None:
    judged = pl.DataFrame(
        {
            "source": ["a.json", "a.json"],
            "locator": ["index 1", "index 2"],
            "name": ["repetition.truncated", "volatility.price"],
        }
    )
    labels = _labels(
        [
            ("a.json", "index 1", "repetition.truncated", "correct"),
            ("a.json", "index 1", "repetition", "correct"),  # family: any repetition.* flag
            ("a.json", "index 1", "repetition.ngrams", "clean"),  # another detail: not fired
            ("a.json", "index 2", "volatility", "correct"),  # a judge's row counts like a flag
            ("a.json", "index 3", "refusal", "miss"),
        ]
    )
    fired = bq.fires(labels, judged).get_column("fired").to_list()
    assert fired == [True, True, False, True, False]


def test_every_label_file_is_well_formed() -> None:
    allowed = bq.POSITIVE | bq.NEGATIVE
    files = sorted((ROOT / "benchmarks" / "labels").glob("labels_*.jsonl"))
    assert files
    for path in files:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            row = json.loads(line)
            assert {"source", "locator", "flag", "label", "why"} <= set(row), f"{path.name}:{n}"
            assert row["label"] in allowed, f"{path.name}:{n}"


def test_dedup_labels_are_scored_as_pairs_under_the_settings_they_name(workspace) -> None:  # type: ignore[no-untyped-def]
    import random

    from conftest import add_conversations
    from dedup_helpers import words

    rng = random.Random(3)
    prompt, reply = " ".join(words(rng, 30)), " ".join(words(rng, 30))
    other = " ".join(words(rng, 30))
    add_conversations(
        workspace,
        [
            [("user", prompt), ("assistant", reply)],
            [("user", prompt), ("assistant", reply + " " + " ".join(words(rng, 2)))],
            [("user", prompt), ("assistant", other)],  # the same prompt, another reply
        ],
    )
    rows = [
        ("test.jsonl", "line 2", "near_duplicate", "correct", "default", "line 1"),
        ("test.jsonl", "line 1", "near_duplicate", "correct", "default", "line 2"),  # either way
        ("test.jsonl", "line 3", "near_duplicate", "clean", "default", "line 1"),
        ("test.jsonl", "line 3", "near_duplicate", "correct", "scope=user", "line 1"),
        ("test.jsonl", "line 3", "near_duplicate", "clean", "scope=user", "line 2"),
    ]
    cols = ("source", "locator", "flag", "label", "settings", "pair")
    labels = pl.DataFrame(
        [dict(zip(cols, r, strict=True)) | {"file": "t", "pair_source": r[0]} for r in rows],
        schema=bq.LABEL_SCHEMA,
    )
    scored, runs = bq.dedup_fires(workspace, labels)
    keys = scored.select(pl.concat_list("locator", "settings", "pair")).to_series().to_list()
    got = {tuple(k): f for k, f in zip(keys, scored["fired"], strict=True)}
    assert got[("line 2", "default", "line 1")] and got[("line 1", "default", "line 2")]
    assert not got[("line 3", "default", "line 1")]
    assert got[("line 3", "scope=user", "line 1")]
    # line 3 and line 2 are both in line 1's cluster under scope=user: one cluster, so a
    # pair label between two members fires too (each is flagged, both as duplicates of 1)
    assert got[("line 3", "scope=user", "line 2")]
    assert set(runs) == {"default", "scope=user"}
    assert workspace.clusters().height == 2  # left at the defaults
