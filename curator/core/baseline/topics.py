"""Topic groups over normalised text: TF-IDF vectors and seeded spherical k-means.

Used to stratify the evaluation set and to pick few-shot examples that cover the
data's topics. Words are counted with Polars (no Python loop per record), vectors
are a scipy sparse matrix, k-means runs on a seeded sample and then assigns every
record. Same data + same seed = same topics.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
import polars as pl
import scipy.sparse as sp

VOCAB: Final = 3000  # most document-frequent words kept
FIT_SAMPLE: Final = 20_000  # k-means is fitted on at most this many records
ITERATIONS: Final = 15
MAX_TOPICS: Final = 24
_STOP_WORDS: Final = (
    "a an the and or but if of to in on at for with by from is are was were be been am i you he she it we they "
    "me my your our their this that these those do does did have has had will would can could should may might "
    "not no yes so as than then there here what which who how when where why just also very please thanks thank "
    "hi hello okay ok sure s t ll m re ve d about into up out all any some"
)
_STOP: Final = frozenset(_STOP_WORDS.split())


@dataclass(frozen=True)
class Topics:
    """Per record (input order): ``topic`` index, ``similarity`` to its topic centre;
    per topic: ``labels`` (top words) and ``sizes``."""

    topic: np.ndarray
    similarity: np.ndarray
    labels: list[str]
    sizes: list[int]

    @property
    def k(self) -> int:
        return len(self.labels)


def choose_k(n: int) -> int:
    """Topics for ``n`` records: about sqrt(n/2), from 1 to ``MAX_TOPICS``."""
    return max(1, min(MAX_TOPICS, round(math.sqrt(n / 2)), n))


def tfidf(texts: pl.Series) -> tuple[sp.csr_matrix, list[str]]:
    """L2-normalised TF-IDF rows over the ``VOCAB`` most frequent words (df >= 2)."""
    words = (
        pl.DataFrame({"t": texts.fill_null("").str.to_lowercase()})
        .with_row_index("_d")
        .select("_d", pl.col("t").str.extract_all(r"[^\W\d_]{2,}").alias("w"))
        .explode("w")
        .drop_nulls("w")
        .filter(~pl.col("w").is_in(list(_STOP)))
    )
    n = texts.len()
    df = words.unique(["_d", "w"]).group_by("w").len().filter(pl.col("len") >= 2)
    vocab = df.sort(["len", "w"], descending=[True, False]).head(VOCAB).with_row_index("_j")
    if vocab.height == 0:
        return sp.csr_matrix((n, 1)), [""]
    counts = words.join(vocab, on="w", how="inner").group_by("_d", "_j").len(name="tf")
    idf = np.log((1 + n) / (1 + vocab.get_column("len").to_numpy().astype(float))) + 1.0
    rows = counts.get_column("_d").to_numpy()
    cols = counts.get_column("_j").to_numpy().astype(np.int64)
    vals = (1 + np.log(counts.get_column("tf").to_numpy().astype(float))) * idf[cols]
    x = sp.csr_matrix((vals, (rows, cols)), shape=(n, vocab.height))
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    x = sp.csr_matrix(sp.diags(1.0 / norms) @ x)
    return x, vocab.get_column("w").to_list()


def _farthest_first(x: sp.csr_matrix, k: int, rng: np.random.Generator) -> np.ndarray:
    """k starting centres: a seeded first one, then each the record least like the chosen."""
    chosen = [int(rng.integers(x.shape[0]))]
    best = np.asarray(x @ x[chosen[0]].T.toarray()).ravel()
    for _ in range(1, k):
        nxt = int(np.argmin(best))
        chosen.append(nxt)
        best = np.maximum(best, np.asarray(x @ x[nxt].T.toarray()).ravel())
    return np.asarray(x[chosen].toarray())


def _normalise(c: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(c, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return c / n


def topics(texts: pl.Series, seed: int, k: int | None = None) -> Topics:
    """Topic of every text (spherical k-means on cosine similarity)."""
    n = texts.len()
    x, vocab = tfidf(texts)
    k = min(choose_k(n) if k is None else k, n) or 1
    rng = np.random.default_rng(seed)
    fit_rows = np.sort(rng.choice(n, size=min(n, FIT_SAMPLE), replace=False))
    fit = x[fit_rows]
    centres = _normalise(_farthest_first(fit, k, rng))
    for _ in range(ITERATIONS):
        labels = np.asarray((fit @ centres.T).argmax(axis=1)).ravel()
        new = np.zeros_like(centres)
        for j in range(k):  # k <= MAX_TOPICS: a loop over topics, not records
            members = fit[labels == j]
            new[j] = np.asarray(members.sum(axis=0)).ravel() if members.shape[0] else centres[j]
        new = _normalise(new)
        if np.allclose(new, centres):
            break
        centres = new
    sim = np.asarray(x @ centres.T)
    topic = sim.argmax(axis=1).astype(np.int64)
    similarity = sim[np.arange(n), topic] if n else np.zeros(0)
    sizes = np.bincount(topic, minlength=k)
    names = [
        ", ".join(vocab[i] for i in np.argsort(-centres[j])[:3] if centres[j, i] > 0)
        or "(no words)"
        for j in range(k)
    ]
    order = np.argsort(-sizes, kind="stable")  # topic 0 is the largest
    remap = np.empty(k, np.int64)
    remap[order] = np.arange(k)
    return Topics(
        remap[topic], similarity, [names[j] for j in order], [int(sizes[j]) for j in order]
    )
