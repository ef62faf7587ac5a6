"""OpenSSL's low-level SHA-1 (SHA1_Init/Update/Final) as ctypes functions, if available.

Python's own hashlib is built on the same libcrypto; calling it from the
compiled kernel skips the per-shingle Python call and uses the CPU's SHA
instructions. Optional: ``minhash.py`` self-tests it and falls back to the
pure numba SHA-1 when it is missing or disagrees with hashlib.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from typing import Any

_CANDIDATES = ("libcrypto.so.3", "libcrypto.so.1.1", "libcrypto.dylib")


def sha1_functions() -> tuple[Any, Any, Any] | None:
    """(SHA1_Init, SHA1_Update, SHA1_Final) or None when no usable libcrypto is found."""
    names = [*_CANDIDATES, ctypes.util.find_library("crypto")]
    for name in names:
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
            init, update, final = lib.SHA1_Init, lib.SHA1_Update, lib.SHA1_Final
        except (OSError, AttributeError):
            continue
        init.restype = ctypes.c_int
        init.argtypes = [ctypes.c_void_p]
        update.restype = ctypes.c_int
        update.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
        final.restype = ctypes.c_int
        final.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        return init, update, final
    return None
