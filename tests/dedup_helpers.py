"""Conversation builders for the dedup tests: unrelated texts and controlled variants."""

from __future__ import annotations

import random

Conv = list[tuple[str, str]]


def words(rng: random.Random, n: int) -> list[str]:
    return [
        f"{rng.choice('bcdfghklmnprst')}{rng.choice('aeiou')}{rng.randrange(10_000)}"
        for _ in range(n)
    ]


def conv(user: list[str], assistant: list[str]) -> Conv:
    return [("user", " ".join(user)), ("assistant", " ".join(assistant))]


def family(seed: int, n_words: int = 60) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    return words(rng, n_words), words(rng, n_words)


def variant(ws: list[str], changed: int, seed: int) -> list[str]:
    """Replace ``changed`` words at the end with fresh ones (Jaccard falls with each)."""
    rng = random.Random(seed)
    return ws[: len(ws) - changed] + words(rng, changed)
