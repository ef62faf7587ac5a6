"""Builders for readiness tests: small workspaces with simulated filter results."""

from __future__ import annotations

import random
from typing import Any

import polars as pl
from conftest import add_conversations

from curator.core import records as R
from curator.core.review import approve
from curator.core.workspace import Workspace

_SYLLABLES = ["ba", "ce", "di", "fo", "gu", "ka", "le", "mi", "no", "pu", "ra", "se", "ti", "vo", "zu", "har", "ben", "cor", "dun", "fel", "gim", "hol", "jus", "kor", "lam"]
_WORDS = [a + b + c for a in _SYLLABLES for b in _SYLLABLES for c in ("", "n", "s", "ta")]
SYSTEM = "You are a helpful support assistant."


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(n))


def clean_conversations(n: int, seed: int = 0, system: bool = True) -> list[list[tuple[str, str]]]:
    """``n`` distinct, well-formed conversations with no volatile facts."""
    rng = random.Random(seed)
    convs = []
    for i in range(n):
        conv = [("system", SYSTEM)] if system else []
        conv += [
            ("user", f"How do I fix the {sentence(rng, 6)} problem number {i}?"),
            ("assistant", f"Open the {sentence(rng, 5)} screen, then choose {sentence(rng, 7)}."),
        ]
        convs.append(conv)
    return convs


def build(ws: Workspace, convs: list[list[tuple[str, str]]], *, approve_all: bool = True,
          scored: bool = True, source: str = "test.jsonl") -> pl.DataFrame:
    """Import ``convs``, approve them, and (``scored``) write empty filter results
    and dedup clusters as if `curator run` had found nothing."""
    df = add_conversations(ws, convs, source=source)
    ids = df.get_column(R.ID)
    if approve_all:
        approve(ws, ids.to_list())
    if scored:
        simulate_filters(ws)
    return df


def simulate_filters(ws: Workspace, **marks: dict[str, Any]) -> None:
    """Score results for every record; ``marks`` sets values for some ids, e.g.
    ``simulate_filters(ws, scores_pii={"id1": {"secret_count": 1}})``."""
    ids = ws.record_ids()
    n = ids.len()
    tables = {
        "scores_refusal": {"refusal": [False] * n, "boilerplate": [False] * n, "macro_share": [0.0] * n},
        "scores_repetition": {"degenerate": [False] * n, "truncated": [False] * n},
        "scores_pii": {"pii_count": [0] * n, "secret_count": [0] * n},
        "scores_language": {"language": ["en"] * n, "language_prob": [0.99] * n, "mixed": [False] * n},
    }
    pos = {rid: i for i, rid in enumerate(ids.to_list())}
    for name, cols in tables.items():
        for rid, values in marks.get(name, {}).items():
            for col, v in values.items():
                cols[col][pos[rid]] = v
        ws.write_result(name, pl.DataFrame({R.ID: ids, **cols}))
    if ws.read_result("clusters") is None:
        ws.write_result("clusters", pl.DataFrame(schema=R.CLUSTERS_SCHEMA))


def flags(ws: Workspace, rows: list[tuple[str, str, str]], producer: str = "filters") -> None:
    """Write flags (id, name, severity) as a filter would."""
    ws.write_flags(producer, pl.DataFrame(
        {R.ID: [r[0] for r in rows], "name": [r[1] for r in rows],
         "reason": [f"{r[1]} found" for r in rows], "severity": [r[2] for r in rows]},
        schema=R.FLAGS_SCHEMA,
    ))


def check(report: Any, check_id: str) -> Any:
    return report.check(check_id)
