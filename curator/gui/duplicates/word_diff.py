"""Word-level diff of two plain texts (no Qt): which words were inserted or deleted.

The duplicate panel shows a cluster member beside its keeper; this gives the
character spans to highlight in each. Words are maximal runs of non-space
characters, compared with difflib's SequenceMatcher (autojunk off, so common
words in long texts are not ignored).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class WordDiff:
    """Spans (start, end) into each text: words only in the keeper (``deleted``)
    and words only in the other text (``inserted``), plus the share of words
    the two have in common, in order."""

    deleted: list[tuple[int, int]]
    inserted: list[tuple[int, int]]
    same_words: int
    ratio: float


def words(text: str) -> list[tuple[str, int, int]]:
    """(word, start, end) for each whitespace-separated word."""
    return [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and s <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def word_diff(keeper: str, other: str) -> WordDiff:
    """Deleted spans in ``keeper`` and inserted spans in ``other``; adjacent
    changed words are merged into one span (including the space between)."""
    a, b = words(keeper), words(other)
    sm = difflib.SequenceMatcher(None, [w for w, _, _ in a], [w for w, _, _ in b], autojunk=False)
    deleted: list[tuple[int, int]] = []
    inserted: list[tuple[int, int]] = []
    same = 0
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            same += i2 - i1
            continue
        if i2 > i1:
            deleted.append((a[i1][1], a[i2 - 1][2]))
        if j2 > j1:
            inserted.append((b[j1][1], b[j2 - 1][2]))
    total = len(a) + len(b)
    return WordDiff(_merge(deleted), _merge(inserted), same, (2 * same / total) if total else 1.0)
