"""Vectorised MinHash signatures equal to ``datasketch.MinHash(num_perm, seed)``.

datasketch 2.x (scheme ``affine32``, the default) computes, per shingle ``s``::

    h = fmix32(sha1_hash32(s.encode()))          # first 4 SHA-1 bytes, little-endian
    sig[k] = min over shingles of (a[k] * h + b[k]) mod 2**32

with ``a`` (odd) and ``b`` drawn from ``np.random.RandomState(seed)``. We do the
same for whole batches at once: with numba installed a compiled kernel hashes
each shingle straight from the text bytes on every core; otherwise shingles are
built in Polars, SHA-1 runs once per *distinct* shingle (hashlib), and the
permutation/min is one numpy broadcast per chunk. Both give identical uint32
signatures (tests compare them with datasketch on random texts).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import threading
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import numpy as np
import polars as pl

from curator.core.dedup.shared import without_shared
from curator.core.dedup.shingles import char_shingle_frame, shingle_frame

MAX32 = np.uint32(0xFFFFFFFF)
_CHUNK_CELLS = 16_000_000  # shingles x permutations per numpy broadcast (64 MB of uint32)
_numba: ModuleType | bool | None = None  # None = not tried yet, False = unavailable
_openssl_fns: tuple[Any, ...] | None = None
_KERNEL_LOCK = threading.Lock()
_LOAD_LOCK = threading.Lock()
_NO_DROP = np.empty(0, dtype=np.uint32)


def permutations(num_perm: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) affine32 permutation parameters datasketch draws for ``seed``."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3 32-bit finalizer, element-wise on uint32 (wrapping multiply)."""
    h = h.astype(np.uint32, copy=True)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def sha1_hash32_many(items: list[bytes]) -> np.ndarray:
    """datasketch's sha1_hash32 for many byte strings, as one uint32 array."""
    sha1 = hashlib.sha1
    joined = b"".join([sha1(x).digest()[:4] for x in items])
    return np.frombuffer(joined, dtype="<u4").astype(np.uint32)


def preload() -> None:
    """Load the compiled kernels in a background thread (numba's start-up is ~1 s of
    Python work that can overlap with Polars reading and normalising, which
    release the GIL). ``_kernels()`` waits for it."""
    if _numba is None:
        threading.Thread(target=_kernels, name="curator-minhash-preload", daemon=True).start()


def _kernels() -> ModuleType | None:
    """The numba kernel module, or None when numba is missing or disabled."""
    with _LOAD_LOCK:
        return _load_kernels()


def _load_kernels() -> ModuleType | None:
    global _numba, _openssl_fns
    if _numba is None:
        _numba = False
        if not os.environ.get("CURATOR_NO_NUMBA"):
            with _no_scipy_blas():  # numba's target loads on the first kernel call
                try:
                    from curator.core.dedup import _numba_kernels
                except ImportError:
                    return None
                _numba = _numba_kernels
                if not os.environ.get("CURATOR_NO_OPENSSL"):
                    _openssl_fns = _checked_openssl(_numba_kernels)
    return _numba if isinstance(_numba, ModuleType) else None


@contextlib.contextmanager
def _no_scipy_blas() -> Iterator[None]:
    """Importing numba checks for BLAS by importing scipy.linalg (0.15-0.3 s of a dedup run);
    the kernels use no BLAS, so that import is answered "not found" while numba loads."""
    key = "scipy.linalg.cython_blas"
    if "numba.np.arraymath" in sys.modules or key in sys.modules:
        yield
        return
    sys.modules[key] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        if sys.modules.get(key, 0) is None:
            del sys.modules[key]


def _checked_openssl(kern: ModuleType) -> tuple[Any, ...] | None:
    """OpenSSL SHA-1 functions if the kernel using them matches the numpy path exactly."""
    from curator.core.dedup._openssl import sha1_functions

    fns = sha1_functions()
    if fns is None:
        return None
    probe = ["", "a", "naïve 日本語 text with several words to shingle", "x " * 40 + "y" * 200]
    a, b = permutations(16, 1)
    want = _numpy_signatures(pl.Series("text", probe), 3, a, b)
    buf, offsets = encode(probe)
    got = np.full((len(probe), 16), MAX32, dtype=np.uint32)
    with _KERNEL_LOCK:
        kern.signatures_openssl(buf, offsets, 3, a, b, got, _NO_DROP, *fns)
    return fns if np.array_equal(want, got) else None


def backend() -> str:
    """The signature backend in use: numba+openssl, numba, or numpy."""
    if _kernels() is None:
        return "numpy"
    return "numba+openssl" if _openssl_fns is not None else "numba"


def encode(texts: pl.Series | list[str]) -> tuple[np.ndarray, np.ndarray]:
    """UTF-8 bytes of all texts in one buffer, with int64 start offsets (n + 1); null = ""."""
    series = texts if isinstance(texts, pl.Series) else pl.Series("text", texts, pl.String)
    series = series.fill_null("")
    offsets = np.zeros(series.len() + 1, dtype=np.int64)
    np.cumsum(series.str.len_bytes().to_numpy(), out=offsets[1:])
    joined = series.str.join("").cast(pl.Binary).item() if series.len() else b""
    buf = np.frombuffer(joined, dtype=np.uint8)
    return buf, offsets


def signatures(
    texts: pl.Series | list[str],
    *,
    ngram: int = 5,
    num_perm: int = 128,
    seed: int = 1,
    use: str = "auto",
    drop: np.ndarray | None = None,
) -> np.ndarray:
    """MinHash signatures (n x num_perm, uint32) of normalised texts' word shingles.

    ``use`` is "auto" (fastest available), "numba" (pure numba SHA-1) or
    "numpy". An empty text gets the empty MinHash (all 0xFFFFFFFF), as
    datasketch does. Shingles whose hash is in ``drop`` (shared text) are left
    out, unless a text has no other shingle.
    """
    drop = _NO_DROP if drop is None else np.unique(drop.astype(np.uint32))
    series = texts if isinstance(texts, pl.Series) else pl.Series("text", texts, pl.String)
    a, b = permutations(num_perm, seed)
    kern = _kernels() if use in ("auto", "numba") else None
    if use == "numba" and kern is None:
        raise RuntimeError("numba is not installed")
    if kern is not None:
        out = np.full((series.len(), num_perm), MAX32, dtype=np.uint32)
        buf, offsets = encode(series)
        with _KERNEL_LOCK:  # numba's default thread pool must not be entered concurrently
            if _openssl_fns is not None and use == "auto":
                kern.signatures_openssl(buf, offsets, ngram, a, b, out, drop, *_openssl_fns)
            else:
                kern.signatures(buf, offsets, ngram, a, b, out, drop)
        return out
    return _numpy_signatures(series, ngram, a, b, drop)


def _numpy_signatures(
    series: pl.Series, ngram: int, a: np.ndarray, b: np.ndarray, drop: np.ndarray = _NO_DROP
) -> np.ndarray:
    frame = shingle_frame(series, ngram)
    return _signatures_of_frame(frame, series.len(), a, b, use="numpy", drop=drop)


def _signatures_of_frame(
    pairs: pl.DataFrame,
    n: int,
    a: np.ndarray,
    b: np.ndarray,
    use: str = "auto",
    drop: np.ndarray = _NO_DROP,
) -> np.ndarray:
    """Signatures from distinct (doc, shingle) rows: SHA-1 once per distinct shingle."""
    out = np.full((n, a.shape[0]), MAX32, dtype=np.uint32)
    if pairs.height == 0:
        return out
    distinct = pairs.select(pl.col("shingle").unique())
    hv = fmix32(sha1_hash32_many([s.encode("utf-8") for s in distinct.get_column("shingle")]))
    distinct = distinct.with_columns(pl.Series("h", hv, pl.UInt32))
    hashed = pairs.join(distinct, on="shingle").select("doc", "h")
    if drop.shape[0]:
        shared = pl.col("h").is_in(pl.Series(drop, dtype=pl.UInt32).implode())
        hashed = hashed.filter(~shared | shared.all().over("doc")).select("doc", "h")
    hashed = hashed.sort("doc")
    docs = hashed.get_column("doc").to_numpy()
    hs = hashed.get_column("h").to_numpy()
    kern = _kernels() if use == "auto" else None
    if kern is not None:
        cuts = np.flatnonzero(np.r_[True, docs[1:] != docs[:-1]])
        starts = np.append(cuts, len(docs)).astype(np.int64)
        with _KERNEL_LOCK:
            kern.minhash_of_hashes(docs[cuts].astype(np.int64), starts, hs, a, b, out)
        return out
    _minhash_numpy(docs, hs, a, b, out)
    return out


def _minhash_numpy(
    docs: np.ndarray, hs: np.ndarray, a: np.ndarray, b: np.ndarray, out: np.ndarray
) -> None:
    """out[doc] = min over the doc's hashes of (a * h + b) mod 2**32, in chunks (docs sorted)."""
    step = max(1, _CHUNK_CELLS // a.shape[0])
    b_col = b[:, None]
    start = 0
    while start < len(hs):
        stop = min(len(hs), start + step)
        # extend to a document boundary so each doc's shingles are in one chunk
        if stop < len(hs):
            stop = int(np.searchsorted(docs, docs[stop - 1], side="right"))
        chunk_docs = docs[start:stop]
        cuts = np.flatnonzero(np.r_[True, chunk_docs[1:] != chunk_docs[:-1]])
        perm = np.multiply.outer(a, hs[start:stop])
        perm += b_col
        mins = np.minimum.reduceat(perm, cuts, axis=1)
        out[chunk_docs[cuts]] = mins.T
        start = stop


def char_signatures(
    texts: pl.Series, *, char_ngram: int = 3, num_perm: int = 128, seed: int = 1, use: str = "auto"
) -> np.ndarray:
    """MinHash signatures of character n-gram shingles (``shingles.char_shingle_set``).

    With numba (``use`` "auto": OpenSSL SHA-1 when it passed its self-test;
    "numba": pure numba), the compiled kernel in ``_numba_chars``; else Polars
    shingles and the numpy MinHash (identical signatures).
    """
    a, b = permutations(num_perm, seed)
    if use in ("auto", "numba") and _kernels() is not None and texts.len():
        from curator.core.dedup import _numba_chars

        out = np.full((texts.len(), num_perm), MAX32, dtype=np.uint32)
        buf, offsets = encode(texts)
        with _KERNEL_LOCK:
            if _openssl_fns is not None and use == "auto":
                _numba_chars.char_signatures_openssl(
                    buf, offsets, char_ngram, a, b, out, *_openssl_fns
                )
            else:
                _numba_chars.char_signatures(buf, offsets, char_ngram, a, b, out)
        return out
    return _signatures_of_frame(char_shingle_frame(texts, char_ngram), texts.len(), a, b, use)


def compared_signatures(
    texts: pl.Series,
    *,
    ngram: int,
    short_words: int,
    char_ngram: int,
    num_perm: int = 128,
    seed: int = 1,
    use: str = "auto",
    drop: np.ndarray | None = None,
    passages: list[str] | None = None,
    as_char: np.ndarray | None = None,
    words: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(signatures, is_short) of scope texts, compared without their shared text.

    A text of ``short_words`` words or more: word n-grams without the shared
    shingles ``drop``. A shorter one, or one marked in ``as_char`` (a bridge
    text's second signature, ``spaces.py``): character n-grams of the text
    without the shared ``passages`` (see ``shingles.compared_shingle_set``). ``words``:
    the texts' word counts when the caller has them (else counted here).
    """
    nonempty = (texts != "").fill_null(False).to_numpy()
    if words is None:
        words = texts.str.count_matches(" ").fill_null(0).to_numpy() + 1
    short = nonempty & (np.asarray(words) < short_words)
    if as_char is not None:
        short = short | (np.asarray(as_char, dtype=bool) & nonempty)
    out = np.empty((texts.len(), num_perm), dtype=np.uint32)
    long_idx = np.flatnonzero(~short)
    short_idx = np.flatnonzero(short)
    if len(long_idx):
        out[long_idx] = signatures(
            texts.gather(long_idx), ngram=ngram, num_perm=num_perm, seed=seed, use=use, drop=drop
        )
    if len(short_idx):
        out[short_idx] = char_signatures(
            without_shared(texts.gather(short_idx), passages or []),
            char_ngram=char_ngram,
            num_perm=num_perm,
            seed=seed,
            use="numpy" if use == "numpy" else "auto",
        )
    return out, short


def shingle_hashes(shingles: list[str]) -> np.ndarray:
    """The uint32 hash the kernels give each shingle string (for drop sets)."""
    return fmix32(sha1_hash32_many([x.encode("utf-8") for x in shingles]))


def jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> np.ndarray:
    """Estimated Jaccard per row pair: share of equal signature slots."""
    return np.asarray((sig_a == sig_b).mean(axis=1), dtype=np.float64)
