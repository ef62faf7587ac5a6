"""The generator's bookkeeping: conversations to write, what is planted in them, and where."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any

Turn = tuple[str, str]


@dataclass(frozen=True)
class Plant:
    kind: str  # what was planted, e.g. "pii.card", "exact_duplicate", "lookalike.isbn"
    expect: tuple[str, ...]  # flags a later stage must raise; () = must raise none
    note: str = ""


@dataclass(eq=False)
class Item:
    """One conversation (or one deliberately broken line) in a sample file."""

    turns: list[Turn] = field(default_factory=list)
    plants: list[Plant] = field(default_factory=list)
    raw: str | None = None  # a broken JSONL line, written verbatim
    record: dict[str, Any] | None = None  # a hand-built JSON object (tool calls, name/weight)
    duplicate_of: Item | None = None  # for planted exact copies
    group: str | None = None  # near-duplicate group id
    where: str = ""  # filled in when the file is laid out: "line 12", "ticket 100245", ...
    key: dict[str, Any] = field(default_factory=dict)  # machine-readable location
    # records whose imported form is expected to differ (merged / dropped turns)
    repairs: list[str] = field(default_factory=list)
    # the texts as the writer laid them out, when it adds to them (CSV greetings, signatures)
    written: list[Turn] | None = None

    def plant(self, kind: str, *expect: str, note: str = "") -> Item:
        self.plants.append(Plant(kind, tuple(expect), note))
        return self

    @property
    def assistant_chars(self) -> int:
        return sum(len(t) for r, t in self.turns if r == "assistant")


def place_after_originals(items: list[Item], rng: random.Random) -> list[Item]:
    """Shuffle, then move every planted copy to a random spot after its original."""
    seq = list(items)
    rng.shuffle(seq)
    copies = [it for it in seq if it.duplicate_of is not None]
    for c in copies:
        seq.remove(c)
    for c in copies:
        assert c.duplicate_of is not None
        lo = seq.index(c.duplicate_of) + 1
        seq.insert(rng.randint(lo, len(seq)), c)
    return seq


WORD = re.compile(r"\w+")


def shingles(turns: list[Turn], n: int = 5) -> frozenset[str]:
    """Word 5-gram shingles over every turn, lower-cased (what MinHash dedup sees).

    Joined into strings rather than tuples: a str caches its hash, a tuple does not."""
    words = WORD.findall(" ".join(t for _, t in turns).lower())
    if len(words) < n:
        return frozenset({" ".join(words)})
    return frozenset(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))


def jaccard(a: frozenset[Any], b: frozenset[Any]) -> float:
    if not a and not b:
        return 1.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)
