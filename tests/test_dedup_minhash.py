"""Our vectorised MinHash must equal datasketch's, slot for slot."""

from __future__ import annotations

import random

import numpy as np
import pytest
from datasketch import MinHash

from curator.core.dedup import minhash as M
from curator.core.dedup.lsh import candidate_probability, lsh_params
from curator.core.dedup.shingles import shingle_set

VOCAB = ["a", "bb", "héllo", "日本語", "naïve", "x" * 70, "ok", "é" * 40] + [
    f"w{i}" for i in range(60)
]


def random_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = [" ".join(rng.choice(VOCAB) for _ in range(rng.randint(0, 60))) for _ in range(n)]
    return [*out, "", "one", "one two", "a " * 3 + "b"]


def datasketch_sigs(texts: list[str], ngram: int, num_perm: int) -> np.ndarray:
    rows = []
    for t in texts:
        m = MinHash(num_perm=num_perm, seed=1)
        for sh in shingle_set(t, ngram):
            m.update(sh.encode("utf-8"))
        rows.append(m.hashvalues)
    return np.array(rows, dtype=np.uint32)


def test_permutations_match_datasketch() -> None:
    a, b = M.permutations(128, seed=1)
    ref = MinHash(num_perm=128, seed=1).permutations
    assert np.array_equal(a, ref[0]) and np.array_equal(b, ref[1])


@pytest.mark.parametrize("ngram,num_perm", [(5, 128), (3, 64), (1, 32)])
def test_numpy_signatures_equal_datasketch(ngram: int, num_perm: int) -> None:
    texts = random_texts(150, seed=ngram)
    ours = M.signatures(texts, ngram=ngram, num_perm=num_perm, use="numpy")
    assert ours.dtype == np.uint32
    assert np.array_equal(ours, datasketch_sigs(texts, ngram, num_perm))


def test_numba_signatures_equal_datasketch() -> None:
    if M._kernels() is None:
        pytest.skip("numba not installed (or CURATOR_NO_NUMBA set): the numpy path is tested above")
    texts = random_texts(200, seed=7)
    want = datasketch_sigs(texts, 5, 128)
    assert np.array_equal(M.signatures(texts, ngram=5, num_perm=128, use="numba"), want)
    # "auto" hashes with OpenSSL's SHA-1 from the kernel when libcrypto is usable
    assert np.array_equal(M.signatures(texts, ngram=5, num_perm=128, use="auto"), want)


def test_empty_text_is_the_empty_minhash() -> None:
    sig = M.signatures(["", "some words here"], ngram=2, num_perm=16)
    assert (sig[0] == np.uint32(0xFFFFFFFF)).all()
    assert not (sig[1] == np.uint32(0xFFFFFFFF)).all()


def test_sha1_hash32_many_matches_datasketch_hashfunc() -> None:
    from datasketch.hashfunc import sha1_hash32

    items = [b"", b"abc", "日本".encode(), b"x" * 200]
    assert M.sha1_hash32_many(items).tolist() == [sha1_hash32(x) for x in items]


def test_lsh_params_find_pairs_at_threshold() -> None:
    for t in (0.7, 0.8, 0.9):
        bands, rows = lsh_params(t, 128)
        assert bands * rows <= 128
        assert candidate_probability(t, bands, rows) >= 0.995
        # and they reject clearly dissimilar pairs most of the time
        assert candidate_probability(t - 0.4, bands, rows) < 0.25


def test_numpy_banding_gives_the_buckets_of_datasketch_lsh() -> None:
    from curator.core.dedup.lsh import FULL_BUCKET, band_pairs, bucket_pairs, build_index
    from curator.core.jobs import run_job

    rng = np.random.default_rng(3)
    base = rng.integers(0, 2**32, size=(300, 128), dtype=np.uint64).astype(np.uint32)
    sigs = base.copy()
    # near copies: rows 0..99 copy row k+100 with some slots changed
    for k in range(100):
        sigs[k] = sigs[k + 100]
        slots = rng.choice(128, size=int(rng.integers(5, 60)), replace=False)
        sigs[k, slots] = rng.integers(0, 2**32, size=len(slots), dtype=np.uint64)
    sigs[200 : 200 + FULL_BUCKET + 10] = sigs[299]  # one bucket too big to list every pair
    bands, rows = lsh_params(0.8, 128)
    want = run_job(build_index(sigs, 0.8, 1, bands, rows))
    expected = bucket_pairs(want)
    got = band_pairs(sigs, bands, rows)
    assert len(expected) > 100
    assert np.array_equal(got, expected)


def test_kernel_drop_set_equals_the_numpy_path_when_the_prefilter_collides() -> None:
    """The compiled kernels pre-check the dropped (shared) hashes by their low 16 bits: a
    kept shingle sharing those bits with a dropped one must still be kept."""
    if M._kernels() is None:
        pytest.skip("numba not installed (or CURATOR_NO_NUMBA set)")
    texts = random_texts(200, seed=11)
    kept = M.shingle_hashes(sorted({sh for t in texts for sh in shingle_set(t, 3)}))
    real = kept[::7]  # some shingles really dropped
    rng = np.random.default_rng(0)
    # decoys: never a shingle's hash, but equal to kept ones in the low 16 bits
    decoys = (kept[1::7] ^ (rng.integers(1, 1 << 16, kept[1::7].shape[0]) << 16)).astype(np.uint32)
    decoys = decoys[~np.isin(decoys, kept)]
    drop = np.concatenate([real, decoys])
    want = M.signatures(texts, ngram=3, num_perm=64, use="numpy", drop=drop)
    assert not np.array_equal(want, M.signatures(texts, ngram=3, num_perm=64, use="numpy"))
    for use in ("numba", "auto"):
        assert np.array_equal(M.signatures(texts, ngram=3, num_perm=64, use=use, drop=drop), want)
