"""Which shingles a pair is compared by: characters when its shorter text is short.

A text of fewer than ``short_words`` words is shingled into character
n-grams, a longer one into word n-grams. A *pair* is compared in the space of
its shorter text: two texts of 45 and 53 words are both compared by character
n-grams. (Comparing a character set with a word set would give Jaccard 0, so a
one-word edit that crosses the length boundary would never be found.)

So that such pairs reach LSH, *bridge* texts (``short_words`` up to
``BRIDGE * short_words`` words) get a character signature as well as their word
signature; those extra rows are banded together with the rest and only their
pairs with short texts are kept. A short text and one of ``BRIDGE`` times its
length or more share at most about 1/``BRIDGE`` of their character n-grams, below
the pair floor (0.5), so longer partners are not needed.
"""

from __future__ import annotations

import numpy as np

BRIDGE = 2
# the key of a bridge text's character signature in the signature cache: its text key
# with this mixed into the second half (never equal to a real text key in practice)
BRIDGE_KEY = 0x9E3779B97F4A7C15


def bridge_rows(words: np.ndarray, short_words: int) -> np.ndarray:
    """Indices of texts that need a character signature besides their word signature."""
    w = np.asarray(words)
    if not (w < short_words).any():
        return np.empty(0, dtype=np.int64)
    return np.flatnonzero((w >= short_words) & (w < BRIDGE * short_words)).astype(np.int64)


def bridged_candidates(cand: np.ndarray, short: np.ndarray, bridge: np.ndarray) -> np.ndarray:
    """Mask of the candidate pairs over ``n + len(bridge)`` stacked rows worth verifying.

    Rows ``0..n-1`` are the texts' own signatures (``short`` marks the
    character-shingled ones); row ``n + k`` is the character signature of text
    ``bridge[k]``. Kept: pairs of own rows (as before), and a bridge row with a
    short text's row (compared by characters). Dropped: two bridge rows (both
    texts are long: compared by words) and a bridge row with a word row.
    """
    n = short.shape[0]
    a, b = cand[:, 0], cand[:, 1]
    extra_a, extra_b = a >= n, b >= n
    is_char = np.concatenate([short.astype(bool), np.ones(bridge.shape[0], dtype=bool)])
    return (~extra_a & ~extra_b) | ((extra_a ^ extra_b) & is_char[a] & is_char[b])


def text_pairs(cand: np.ndarray, n: int, bridge: np.ndarray) -> np.ndarray:
    """Stacked-row pairs -> distinct text pairs (i < j), in the same form ``band_pairs`` gives."""
    if cand.shape[0] == 0 or bridge.shape[0] == 0:
        return cand
    text_of = np.concatenate([np.arange(n, dtype=np.int64), bridge.astype(np.int64)])
    pairs = np.sort(text_of[cand], axis=1)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return np.unique(pairs, axis=0) if pairs.shape[0] else pairs.reshape(0, 2)


def char_pair(words: np.ndarray, pairs: np.ndarray, short_words: int) -> np.ndarray:
    """Per pair (text indices): compared by character n-grams (its shorter text is short)."""
    w = np.asarray(words)
    return np.minimum(w[pairs[:, 0]], w[pairs[:, 1]]) < short_words
