"""Star clustering: every member is within the threshold of its keeper, no chaining.

Plain numpy over node ranks and verified pairs, so any engine that produces
candidate pairs (local LSH, Ray workers) can call it. Nodes are visited in
keeper order (rank 0 first); an unvisited node becomes a centre and takes
every unassigned neighbour. This is the greedy "lexicographically first"
independent set of centres, computed in rounds without a Python loop over
nodes: a node whose rank beats all its still-open neighbours is a centre;
centres and their neighbours close; repeat. Each non-centre then joins its
best-ranked neighbouring centre, which is exactly the centre the sequential
greedy pass would have given it. A member that matches only another member
(A~B~C with A, C apart) is therefore never in A's cluster.
"""

from __future__ import annotations

import numpy as np

_NO_NEIGHBOUR = np.iinfo(np.int64).max


def star_centres(rank: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Boolean mask of centres for nodes ranked ``rank`` (distinct ints) joined by edges a-b."""
    n = rank.shape[0]
    rank = rank.astype(np.int64, copy=False)
    centre = np.zeros(n, dtype=bool)
    open_ = np.ones(n, dtype=bool)
    src = np.concatenate([a, b]).astype(np.int64, copy=False)
    dst = np.concatenate([b, a]).astype(np.int64, copy=False)
    while open_.any():
        live = open_[src] & open_[dst]
        src, dst = src[live], dst[live]
        best = np.full(n, _NO_NEIGHBOUR, dtype=np.int64)
        np.minimum.at(best, src, rank[dst])
        new = open_ & (rank < best)
        centre |= new
        open_ &= ~new
        open_[dst[new[src]]] = False
    return centre


def star_clusters(
    rank: np.ndarray, a: np.ndarray, b: np.ndarray, sim: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """(centre index per node, similarity to it) using only edges with sim >= threshold.

    A centre, or a node with no edge at the threshold, is its own centre with
    similarity 1.0. ``a``/``b`` index nodes; duplicate edges are fine.
    """
    n = rank.shape[0]
    keep = sim >= threshold - 1e-9
    a, b, sim = a[keep], b[keep], sim[keep]
    own = np.arange(n, dtype=np.int64)
    similarity = np.ones(n, dtype=np.float64)
    if a.shape[0] == 0:
        return own, similarity
    is_centre = star_centres(rank, a, b)
    src = np.concatenate([a, b]).astype(np.int64, copy=False)
    dst = np.concatenate([b, a]).astype(np.int64, copy=False)
    s = np.concatenate([sim, sim])
    join = ~is_centre[src] & is_centre[dst]
    src, dst, s = src[join], dst[join], s[join]
    order = np.lexsort((rank[dst], src))  # per member, best-ranked centre first
    src, dst, s = src[order], dst[order], s[order]
    first = np.r_[True, src[1:] != src[:-1]] if src.shape[0] else np.zeros(0, dtype=bool)
    own[src[first]] = dst[first]
    similarity[src[first]] = s[first]
    return own, similarity
