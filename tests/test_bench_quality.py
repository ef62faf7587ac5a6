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
