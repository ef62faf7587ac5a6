"""Compiled MinHash of character n-gram shingles (numba), for short and bridge texts.

The same hashing as the word kernel (SHA-1, fmix32, affine32 permutations)
over the distinct-or-not character n-grams ``text[i:i+n]`` (duplicates do not
change a minimum), so signatures equal ``minhash._signatures_of_frame`` on
``shingles.char_shingle_frame`` and datasketch fed ``char_shingle_set``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, prange  # type: ignore[import-untyped]

from curator.core.dedup._numba_kernels import _digest_hash, _fill_row, _fmix32, _sha1_le32


@njit(cache=True)
def _char_starts(buf: np.ndarray, s: int, e: int) -> np.ndarray:
    """Byte offsets of the code points of buf[s:e] (UTF-8), then e."""
    m = 0
    for p in range(s, e):
        if (buf[p] & 0xC0) != 0x80:
            m += 1
    out = np.empty(m + 1, np.int64)
    k = 0
    for p in range(s, e):
        if (buf[p] & 0xC0) != 0x80:
            out[k] = p
            k += 1
    out[m] = e
    return out


@njit(cache=True, parallel=True)
def char_signatures(
    buf: np.ndarray, offsets: np.ndarray, n: int, a: np.ndarray, b: np.ndarray, out: np.ndarray
) -> None:
    """Fill out[d] with the MinHash of text d's character n-grams (a text shorter than n
    characters is one shingle; an empty text leaves the row as it is)."""
    drop = np.empty(0, np.uint32)
    filt = np.empty(0, np.uint8)  # (not read: nothing is dropped)
    for d in prange(offsets.shape[0] - 1):
        s = offsets[d]
        e = offsets[d + 1]
        if e <= s:
            continue
        cp = _char_starts(buf, s, e)
        m = cp.shape[0] - 1
        w = np.empty(80, np.int64)
        blk = np.empty(64, np.int64)
        count = m - n + 1 if m >= n else 1
        span = n if m >= n else m
        hs = np.empty(count, np.uint32)
        for i in range(count):
            st = cp[i]
            hs[i] = np.uint32(_fmix32(_sha1_le32(buf, st, cp[i + span] - st, w, blk)))
        _fill_row(hs, count, drop, filt, a, b, out[d])


@njit(cache=True, parallel=True)
def char_signatures_openssl(
    buf: np.ndarray,
    offsets: np.ndarray,
    n: int,
    a: np.ndarray,
    b: np.ndarray,
    out: np.ndarray,
    sha1_init: Any,
    sha1_update: Any,
    sha1_final: Any,
) -> None:
    """As ``char_signatures``, hashing with OpenSSL (see ``_numba_kernels.signatures_openssl``)."""
    drop = np.empty(0, np.uint32)
    filt = np.empty(0, np.uint8)  # (not read: nothing is dropped)
    base = buf.ctypes.data
    for d in prange(offsets.shape[0] - 1):
        s = offsets[d]
        e = offsets[d + 1]
        if e <= s:
            continue
        cp = _char_starts(buf, s, e)
        m = cp.shape[0] - 1
        ctx = np.empty(256, np.uint8)
        md = np.empty(20, np.uint8)
        count = m - n + 1 if m >= n else 1
        span = n if m >= n else m
        hs = np.empty(count, np.uint32)
        for i in range(count):
            st = cp[i]
            sha1_init(ctx.ctypes.data)
            sha1_update(ctx.ctypes.data, base + st, cp[i + span] - st)
            sha1_final(md.ctypes.data, ctx.ctypes.data)
            hs[i] = _digest_hash(md)
        _fill_row(hs, count, drop, filt, a, b, out[d])
