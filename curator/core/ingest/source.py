"""An import hashes the bytes its reader parses: one pass, no separate hash read.

A :class:`Tap` is handed to the reader of one source file. The reader opens
the file through it (:func:`open_source`) and reads it front to back; every
byte it gets is fed to SHA-256 in file order, so the digest recorded with the
import is the hash of exactly the bytes the records came from, even when the
file is rewritten while it is read. ``finish`` hashes what the reader left
unread (after a JSON array's closing ``]``) and returns the digest, the same
value :func:`curator.core.ingest.pipeline.file_hash` gives for an unchanged file.

Readers that cannot stream through a tap (a Hugging Face dataset folder, which
``datasets`` memory-maps, and Parquet files above ``IN_MEMORY_BYTES``) are not
tapped: the import hashes them before and after reading instead and refuses
the file when the two differ (:func:`streams` says which).
"""

from __future__ import annotations

import hashlib
import io
import queue
import threading
import weakref
from pathlib import Path
from typing import Any, BinaryIO

IN_MEMORY_BYTES = 1 << 30  # Parquet up to this size is read into memory once, through the tap
_BLOCK = 8 << 20
_AHEAD = 1 << 20  # blocks from this size on are hashed by the tap's thread
_PENDING = 4  # blocks at most waiting for it (memory: a few blocks, not the file)


class Tap:
    """SHA-256 of one file's bytes as its reader consumes them, each byte once, in order.

    Large blocks are copied and hashed by a thread of the tap's own, in the order they
    were read (hashlib releases the GIL), so the reader does not wait for the hash: it
    finds the lines and parses while the previous block is hashed. ``finish`` waits
    for the thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.consumed = 0
        self._hash = hashlib.sha256()
        self._opened = False
        self._queue: queue.Queue[bytes | None] | None = None
        self._thread: threading.Thread | None = None

    def update(self, data: bytes | memoryview) -> None:
        self.consumed += len(data)
        if len(data) < _AHEAD and self._queue is None:
            self._hash.update(data)
            return
        if self._queue is None:
            self._queue = queue.Queue(maxsize=_PENDING)
            self._thread = threading.Thread(
                target=_hash_blocks, args=(self._queue, self._hash), name="curator-hash", daemon=True
            )
            self._thread.start()
            # a tap dropped unfinished (a cancelled import) stops its thread
            weakref.finalize(self, self._queue.put, None)
        # a copy: the reader reuses its buffer for the next block
        self._queue.put(data if isinstance(data, bytes) else bytes(data))

    def _drain(self) -> None:
        if self._queue is not None and self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._queue = self._thread = None

    def open(self) -> io.BufferedReader:
        if self._opened:  # a second open would hash bytes twice or out of order
            raise RuntimeError(f"{self.path}: a tapped source is read once, front to back")
        self._opened = True
        return io.BufferedReader(_TappedFile(open(self.path, "rb"), self), buffer_size=_BLOCK)

    def finish(self) -> str:
        """Hash the bytes the reader did not read (at most a tail) and return the digest."""
        self._drain()
        with open(self.path, "rb") as fh:
            fh.seek(self.consumed)
            while block := fh.read(_BLOCK):
                self.update(block)
        return self._hash.hexdigest()[:32]


def _hash_blocks(blocks: queue.Queue[bytes | None], digest: Any) -> None:
    while (block := blocks.get()) is not None:
        digest.update(block)


class _TappedFile(io.RawIOBase):
    """A read-only, forward-only file whose every byte read goes through the tap."""

    def __init__(self, fh: BinaryIO, tap: Tap) -> None:
        self.fh = fh
        self.tap = tap

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        n = self.fh.readinto(b)  # type: ignore[attr-defined]
        if n:
            self.tap.update(memoryview(b)[:n])
        return int(n or 0)

    def readall(self) -> bytes:
        data = self.fh.read()
        self.tap.update(data)
        return data

    def close(self) -> None:
        self.fh.close()
        super().close()


def open_source(path: Path, tap: Tap | None) -> io.BufferedReader:
    """``path`` opened for reading: through ``tap`` when given, else plainly."""
    return tap.open() if tap is not None else open(path, "rb")


def streams(path: Path, fmt: str) -> bool:
    """Whether ``fmt``'s reader of ``path`` reads it through a tap (see the module doc)."""
    if path.is_dir() or fmt == "hf":
        return False
    return fmt != "parquet" or path.stat().st_size <= IN_MEMORY_BYTES
