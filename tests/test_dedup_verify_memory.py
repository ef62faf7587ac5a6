"""Verifying candidate pairs holds memory linear in the texts, not in the pairs.

Texts that share a large common piece (a template, a pasted policy, half of every
message) are all candidates of one another, so the pairs grow much faster than the
texts. Verification used to join every pair to its texts' shingles at once (pairs x
shingles rows): about 2 GB for the 80,000 pairs of 400 short texts below, 12 GB for a
100,000-conversation run of benchmarks/bench_ray.py's corpus.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from dedup_helpers import words

from curator.core.dedup import verify
from curator.core.dedup.shingles import compared_pair_sets

REPO = Path(__file__).resolve().parent.parent

PROBE = """
import random, sys
from pathlib import Path
import numpy as np, polars as pl
from curator.core.dedup import verify
if sys.argv[1] == "join":
    verify._kernels = lambda: None  # the path without numba
def hwm():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
rng = random.Random(3)
vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9)))
         for _ in range(3000)]
common = " ".join(rng.choice(vocab) for _ in range(36))
texts = [common + " " + " ".join(rng.choice(vocab) for _ in range(8)) for _ in range(400)]
i, j = np.triu_indices(len(texts), 1)
pairs = np.column_stack([i, j]).astype(np.int64)
kw = dict(ngram=5, short_words=50, char_ngram=4, shared=[], passages=[])
verify.exact_jaccard(pl.Series(texts[:3]), pairs[:2], **kw)  # imports, kernels, thread pool
before = hwm()
got = verify.exact_jaccard(pl.Series(texts), pairs, **kw)
print(len(pairs), hwm() - before, float(got.min()))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc (Linux)")
@pytest.mark.parametrize("path", ["kernel", "join"])
def test_verifying_all_pairs_of_texts_sharing_a_large_piece_stays_small(path: str) -> None:
    if path == "kernel" and verify._kernels() is None:
        pytest.skip("numba not installed: only the join path exists")
    out = subprocess.run(
        [sys.executable, "-c", PROBE, path],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": ""},
    ).stdout.split()
    pairs, grew, lowest = int(out[0]), int(out[1]), float(out[2])
    assert pairs == 79_800
    assert lowest > 0.5  # they are alike: every pair is a real candidate
    # 400 texts of ~300 characters: their hash sets are kilobytes; the old join held
    # pairs x shingles rows (about 2 GB here)
    assert grew < 600 * 2**20, f"verification grew the peak RSS by {grew / 2**20:.0f} MB"


@pytest.mark.parametrize("kernel", [True, False])
def test_exact_jaccard_in_chunks_equals_the_reference_sets(
    kernel: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if kernel and verify._kernels() is None:
        pytest.skip("numba not installed")
    if not kernel:
        monkeypatch.setattr(verify, "_kernels", lambda: None)
    monkeypatch.setattr(verify, "_JOIN_ROWS", 150)  # many join chunks
    monkeypatch.setattr(verify, "_TEXT_BATCH", 7)  # many hashing batches
    rng = random.Random(12)
    common = words(rng, 30)
    texts = [" ".join(common[: 20 + k % 10] + words(rng, 3 + k % 5)) for k in range(30)]
    texts += [" ".join(common + words(rng, 40)) for _ in range(5)]  # word-shingled
    texts.append("")  # no shingles at all
    i, j = np.triu_indices(len(texts), 1)
    pairs = np.column_stack([i, j]).astype(np.int64)
    got = verify.exact_jaccard(
        pl.Series(texts), pairs, ngram=5, short_words=50, char_ngram=4, shared=[], passages=[]
    )
    for (a, b), g in zip(pairs.tolist(), got, strict=True):
        sa, sb = compared_pair_sets(texts[a], texts[b], 5, 50, 4, frozenset())
        want = len(sa & sb) / len(sa | sb) if sa | sb else 1.0
        assert abs(g - want) < 1e-12, (a, b, g, want)
