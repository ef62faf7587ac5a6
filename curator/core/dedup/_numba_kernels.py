"""Compiled MinHash kernel (numba): shingle, SHA-1, fmix32 and permute in one pass.

Loaded lazily by ``minhash.py`` only when numba is installed; the numpy path
gives identical signatures without it. SHA-1 and fmix32 run on int64 masked
to 32 bits (products wrap; only their low 32 bits are kept); the permutation
step runs on uint32 arrays so the compiler vectorises it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, prange  # type: ignore[import-untyped]

M32 = 0xFFFFFFFF


@njit(cache=True, inline="always")
def _rotl(x: int, n: int) -> int:
    return ((x << n) | (x >> (32 - n))) & M32


@njit(cache=True)
def _sha1_le32(buf: np.ndarray, start: int, length: int, w: np.ndarray, blk: np.ndarray) -> int:
    """First 4 bytes of SHA-1(buf[start:start+length]) read little-endian (datasketch sha1_hash32).

    ``w`` (int64[80]) and ``blk`` (int64[64]) are scratch space owned by the caller.
    """
    h0 = 0x67452301
    h1 = 0xEFCDAB89
    h2 = 0x98BADCFE
    h3 = 0x10325476
    h4 = 0xC3D2E1F0
    total = ((length + 8) // 64 + 1) * 64
    bitlen = length * 8
    for base in range(0, total, 64):
        # the 64-byte block: message bytes, then 0x80, zeros, 64-bit big-endian bit length
        for i in range(64):
            pos = base + i
            if pos < length:
                blk[i] = buf[start + pos]
            else:
                blk[i] = 0
        if base <= length < base + 64:
            blk[length - base] = 0x80
        if base + 64 == total:
            for i in range(8):
                blk[56 + i] = (bitlen >> (8 * (7 - i))) & 0xFF
        for i in range(16):
            w[i] = (
                (blk[4 * i] << 24) | (blk[4 * i + 1] << 16) | (blk[4 * i + 2] << 8) | blk[4 * i + 3]
            )
        for t in range(16, 80):
            x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16]
            w[t] = ((x << 1) | (x >> 31)) & M32
        a, b, c, d, e = h0, h1, h2, h3, h4
        for t in range(20):
            tmp = (_rotl(a, 5) + ((b & c) | ((~b) & d)) + e + 0x5A827999 + w[t]) & M32
            e, d, c, b, a = d, c, _rotl(b, 30), a, tmp
        for t in range(20, 40):
            tmp = (_rotl(a, 5) + (b ^ c ^ d) + e + 0x6ED9EBA1 + w[t]) & M32
            e, d, c, b, a = d, c, _rotl(b, 30), a, tmp
        for t in range(40, 60):
            tmp = (_rotl(a, 5) + ((b & c) | (b & d) | (c & d)) + e + 0x8F1BBCDC + w[t]) & M32
            e, d, c, b, a = d, c, _rotl(b, 30), a, tmp
        for t in range(60, 80):
            tmp = (_rotl(a, 5) + (b ^ c ^ d) + e + 0xCA62C1D6 + w[t]) & M32
            e, d, c, b, a = d, c, _rotl(b, 30), a, tmp
        h0 = (h0 + a) & M32
        h1 = (h1 + b) & M32
        h2 = (h2 + c) & M32
        h3 = (h3 + d) & M32
        h4 = (h4 + e) & M32
    return (
        ((h0 & 0xFF) << 24) | (((h0 >> 8) & 0xFF) << 16) | (((h0 >> 16) & 0xFF) << 8) | (h0 >> 24)
    )


@njit(cache=True, inline="always")
def _fmix32(h: int) -> int:
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & M32
    h ^= h >> 16
    return h


@njit(cache=True, inline="always")
def _digest_hash(md: np.ndarray) -> np.uint32:
    """A shingle's 32-bit hash from its SHA-1 digest (first 4 bytes little-endian, then
    ``_fmix32``): one definition for the word and the character OpenSSL kernels."""
    h32 = (
        np.int64(md[0]) | (np.int64(md[1]) << 8) | (np.int64(md[2]) << 16) | (np.int64(md[3]) << 24)
    )
    return np.uint32(_fmix32(h32))  # type: ignore[arg-type]


@njit(cache=True)
def _word_bounds(buf: np.ndarray, s: int, e: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and end byte offsets of the space-separated words in buf[s:e]."""
    nw = 1
    for p in range(s, e):
        if buf[p] == 32:
            nw += 1
    starts = np.empty(nw, np.int64)
    ends = np.empty(nw, np.int64)
    starts[0] = s
    k = 0
    for p in range(s, e):
        if buf[p] == 32:
            ends[k] = p
            k += 1
            starts[k] = p + 1
    ends[nw - 1] = e
    return starts, ends


_FILTER_BITS = 16


@njit(cache=True)
def _drop_filter(drop: np.ndarray) -> np.ndarray:
    """A membership pre-check for ``drop``: entry ``h & 0xFFFF`` is 1 when some dropped
    hash has those low 16 bits. Nearly every shingle is not dropped and is told so by one
    load from this 64 KB table instead of a binary search (0.2 s of 1.1 s at 50k texts)."""
    filt = np.zeros(1 << _FILTER_BITS, np.uint8)
    for k in range(drop.shape[0]):
        filt[np.int64(drop[k]) & ((1 << _FILTER_BITS) - 1)] = 1
    return filt


@njit(cache=True, inline="always")
def _is_dropped(drop: np.ndarray, filt: np.ndarray, h: Any) -> bool:
    """Whether h is in the sorted array ``drop`` (shared shingles' hashes); ``filt`` is
    ``_drop_filter(drop)``."""
    if drop.shape[0] == 0 or filt[np.int64(h) & ((1 << _FILTER_BITS) - 1)] == 0:
        return False
    k = np.searchsorted(drop, h)
    return k < drop.shape[0] and drop[k] == h


@njit(cache=True)
def _fill_row(
    hs: np.ndarray,
    count: int,
    drop: np.ndarray,
    filt: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    out_row: np.ndarray,
) -> None:
    """out_row = MinHash of hs[:count] without the dropped hashes (all of them if none is
    left); ``filt`` is ``_drop_filter(drop)`` (any array when ``drop`` is empty)."""
    num_perm = a.shape[0]
    row = np.full(num_perm, np.uint32(M32), np.uint32)
    kept = 0
    for i in range(count):
        h32u = hs[i]
        if _is_dropped(drop, filt, h32u):
            continue
        kept += 1
        for q in range(num_perm):  # uint32 wrap-around = mod 2**32; vectorises 8 lanes wide
            row[q] = min(row[q], np.uint32(a[q] * h32u + b[q]))
    if kept == 0:  # nothing but shared text: compare the text whole
        for i in range(count):
            h32u = hs[i]
            for q in range(num_perm):
                row[q] = min(row[q], np.uint32(a[q] * h32u + b[q]))
    for q in range(num_perm):
        out_row[q] = row[q]


@njit(cache=True, parallel=True)
def signatures(
    buf: np.ndarray,
    offsets: np.ndarray,
    ngram: int,
    a: np.ndarray,
    b: np.ndarray,
    out: np.ndarray,
    drop: np.ndarray,
) -> None:
    """Fill out[d] with the affine32 MinHash of text d's word n-gram shingles.

    Texts are normalised (single spaces, no leading/trailing space), so a
    shingle is the byte range from the start of word i to the end of word
    i+ngram-1. A text with fewer than ``ngram`` words is one shingle; an
    empty text leaves the row as it is (the caller fills 0xFFFFFFFF).
    Shingle hashes in ``drop`` (sorted uint32) are left out unless that
    leaves nothing.
    """
    n = offsets.shape[0] - 1
    filt = _drop_filter(drop)
    for d in prange(n):
        s = offsets[d]
        e = offsets[d + 1]
        if e <= s:
            continue
        starts, ends = _word_bounds(buf, s, e)
        nw = starts.shape[0]
        w = np.empty(80, np.int64)
        blk = np.empty(64, np.int64)
        count = nw - ngram + 1 if nw >= ngram else 1
        last = ngram - 1 if nw >= ngram else nw - 1
        hs = np.empty(count, np.uint32)
        for i in range(count):
            st = starts[i]
            hs[i] = np.uint32(_fmix32(_sha1_le32(buf, st, ends[i + last] - st, w, blk)))
        _fill_row(hs, count, drop, filt, a, b, out[d])


@njit(cache=True, parallel=True)
def signatures_openssl(
    buf: np.ndarray,
    offsets: np.ndarray,
    ngram: int,
    a: np.ndarray,
    b: np.ndarray,
    out: np.ndarray,
    drop: np.ndarray,
    sha1_init: Any,  # ctypes functions passed in as arguments keep the kernel cacheable
    sha1_update: Any,
    sha1_final: Any,
) -> None:
    """As ``signatures``, hashing with OpenSSL's SHA1_Init/Update/Final (SHA-NI when present)."""
    n = offsets.shape[0] - 1
    base = buf.ctypes.data
    filt = _drop_filter(drop)
    for d in prange(n):
        s = offsets[d]
        e = offsets[d + 1]
        if e <= s:
            continue
        starts, ends = _word_bounds(buf, s, e)
        nw = starts.shape[0]
        ctx = np.empty(256, np.uint8)
        md = np.empty(20, np.uint8)
        count = nw - ngram + 1 if nw >= ngram else 1
        last = ngram - 1 if nw >= ngram else nw - 1
        hs = np.empty(count, np.uint32)
        for i in range(count):
            st = starts[i]
            sha1_init(ctx.ctypes.data)
            sha1_update(ctx.ctypes.data, base + st, ends[i + last] - st)
            sha1_final(md.ctypes.data, ctx.ctypes.data)
            hs[i] = _digest_hash(md)
        _fill_row(hs, count, drop, filt, a, b, out[d])


@njit(cache=True, parallel=True)
def minhash_of_hashes(
    rows: np.ndarray,
    starts: np.ndarray,
    hs: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    out: np.ndarray,
) -> None:
    """out[rows[k]] = affine32 MinHash of hs[starts[k]:starts[k+1]] (shingle hashes, grouped)."""
    num_perm = a.shape[0]
    for k in prange(rows.shape[0]):
        row = np.full(num_perm, np.uint32(M32), np.uint32)
        for i in range(starts[k], starts[k + 1]):
            h32u = np.uint32(hs[i])
            for q in range(num_perm):
                row[q] = min(row[q], np.uint32(a[q] * h32u + b[q]))
        for q in range(num_perm):
            out[rows[k], q] = row[q]


@njit(cache=True, inline="always")
def _hash64(buf: np.ndarray, start: int, length: int) -> np.uint64:
    """A 64-bit hash of buf[start:start+length], 8 bytes a step (set equality only)."""
    mul = np.uint64(0x9E3779B97F4A7C15)
    h = np.uint64(length) * mul
    p = start
    end = start + length
    while p < end:
        k = np.uint64(0)
        stop = min(p + 8, end)
        for q in range(p, stop):
            k = (k << np.uint64(8)) | np.uint64(buf[q])
        h = (h ^ k) * mul
        h ^= h >> np.uint64(29)
        p = stop
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    return h


@njit(cache=True, parallel=True)
def text_hashes64(buf: np.ndarray, offsets: np.ndarray, out: np.ndarray) -> None:
    """out[d] = ``_hash64`` of text d (for the shared shingles dropped by ``compared_hashes``)."""
    for d in prange(offsets.shape[0] - 1):
        out[d] = _hash64(buf, offsets[d], offsets[d + 1] - offsets[d])


@njit(cache=True, parallel=True)
def compared_hashes(
    buf: np.ndarray,
    offsets: np.ndarray,
    ngram: int,
    drop: np.ndarray,
    starts_out: np.ndarray,
    out: np.ndarray,
    counts: np.ndarray,
) -> None:
    """Sorted distinct 64-bit hashes of each text's word n-gram shingles (as ``signatures``
    cuts them), without those in ``drop`` (sorted uint64) unless none is left:
    out[starts_out[d]:][:counts[d]]. For exact Jaccard: a spurious 64-bit collision
    between two texts' few hundred shingles is too rare to matter."""
    n = offsets.shape[0] - 1
    filt = _drop_filter(drop)
    for d in prange(n):
        s = offsets[d]
        e = offsets[d + 1]
        if e <= s:
            counts[d] = 0
            continue
        starts, ends = _word_bounds(buf, s, e)
        nw = starts.shape[0]
        count = nw - ngram + 1 if nw >= ngram else 1
        last = ngram - 1 if nw >= ngram else nw - 1
        hs = np.empty(count, np.uint64)
        kept = 0
        for i in range(count):
            st = starts[i]
            h = _hash64(buf, st, ends[i + last] - st)
            if not _is_dropped(drop, filt, h):
                hs[kept] = h
                kept += 1
        if kept == 0:  # nothing but shared text: compared whole
            for i in range(count):
                st = starts[i]
                hs[i] = _hash64(buf, st, ends[i + last] - st)
            kept = count
        hs = np.sort(hs[:kept])
        base = starts_out[d]
        m = 0
        for i in range(kept):
            if i == 0 or hs[i] != hs[i - 1]:
                out[base + m] = hs[i]
                m += 1
        counts[d] = m


@njit(cache=True, parallel=True)
def pair_jaccard(
    starts: np.ndarray,
    counts: np.ndarray,
    hs: np.ndarray,
    pa: np.ndarray,
    pb: np.ndarray,
    res: np.ndarray,
) -> None:
    """res[k] = Jaccard of the sorted hash sets of texts pa[k] and pb[k] (merge)."""
    for k in prange(pa.shape[0]):
        i0, n0 = starts[pa[k]], counts[pa[k]]
        j0, n1 = starts[pb[k]], counts[pb[k]]
        x = 0
        y = 0
        inter = 0
        while x < n0 and y < n1:
            u = hs[i0 + x]
            v = hs[j0 + y]
            if u == v:
                inter += 1
                x += 1
                y += 1
            elif u < v:
                x += 1
            else:
                y += 1
        union = n0 + n1 - inter
        res[k] = inter / union if union > 0 else 1.0
