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
# A file up to this size is read and hashed whole by a thread as soon as the import
# starts (``Tap(path, ahead=True)``): its digest is then known before the first chunk
# needs it for ids, without reading and hashing the file a second time.
AHEAD_BYTES = 512 << 20
_BLOCK = 8 << 20
_AHEAD = 1 << 20  # blocks from this size on are hashed by the tap's thread
_PENDING = 4  # blocks at most waiting for it (memory: a few blocks, not the file)


class Tap:
    """SHA-256 of one file's bytes as its reader consumes them, each byte once, in order.

    Large blocks are copied and hashed by a thread of the tap's own, in the order they
    were read (hashlib releases the GIL), so the reader does not wait for the hash: it
    finds the lines and parses while the previous block is hashed. ``finish`` waits
    for the thread."""

    def __init__(self, path: Path, ahead: bool = False) -> None:
        self.path = path
        self.consumed = 0
        self._hash = hashlib.sha256()
        self._opened = False
        self._queue: queue.Queue[bytes | None] | None = None
        self._thread: threading.Thread | None = None
        # ``ahead``: a thread reads and hashes the whole file now, keeping its blocks
        # for the reader (see :class:`_Ahead`); the reader then never reads the file
        self._ahead = _Ahead(path, self._hash) if ahead else None

    @property
    def reads_ahead(self) -> bool:
        return self._ahead is not None

    def digest(self) -> str:
        """The digest, waiting for the read-ahead thread (``ahead`` taps only): the hash
        of every byte of the file, each of which the reader gets from those blocks."""
        assert self._ahead is not None
        self._ahead.wait()
        return self._hash.hexdigest()[:32]

    def digest_ready(self) -> bool:
        """Whether :meth:`digest` would return (or raise) without waiting."""
        assert self._ahead is not None
        return self._ahead.done()

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
        if self._ahead is not None:
            return io.BufferedReader(_AheadFile(self._ahead), buffer_size=_BLOCK)
        return io.BufferedReader(_TappedFile(open(self.path, "rb"), self), buffer_size=_BLOCK)

    def finish(self) -> str:
        """Hash the bytes the reader did not read (at most a tail) and return the digest."""
        if self._ahead is not None:
            return self.digest()  # every byte was hashed by the read-ahead thread
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


class _Ahead:
    """The bytes of one file, read and hashed in order by a thread of their own.

    The thread reads the file front to back in blocks, feeds each to the digest
    (hashlib and the read release the GIL) and queues it for the reader, which
    takes the blocks in order (:class:`_AheadFile`). So the bytes parsed are
    exactly the bytes hashed, and the digest is known as soon as the file is read,
    long before it is parsed. Memory: the blocks not parsed yet, at most the file
    (hence ``AHEAD_BYTES``); a block is dropped once the reader took it."""

    def __init__(self, path: Path, digest: Any) -> None:
        self.blocks: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.error: BaseException | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(
            target=self._work, args=(path, digest), name="curator-read", daemon=True
        )
        self._thread.start()

    def _work(self, path: Path, digest: Any) -> None:
        try:
            with open(path, "rb") as fh:
                while block := fh.read(_BLOCK):
                    digest.update(block)
                    self.blocks.put(block)
        except BaseException as exc:  # raised again where the bytes or the digest are wanted
            self.error = exc
        finally:
            self.blocks.put(None)
            self._done.set()

    def done(self) -> bool:
        return self._done.is_set()

    def wait(self) -> None:
        self._done.wait()
        if self.error is not None:
            raise self.error


class _AheadFile(io.RawIOBase):
    """A read-only, forward-only file over an :class:`_Ahead`'s blocks."""

    def __init__(self, ahead: _Ahead) -> None:
        self.ahead = ahead
        self.block = memoryview(b"")
        self.eof = False

    def readable(self) -> bool:
        return True

    def _next(self) -> bool:
        """The next block into ``self.block``; False at the end of the file."""
        if self.eof:
            return False
        block = self.ahead.blocks.get()
        if block is None:
            self.eof = True
            if self.ahead.error is not None:
                raise self.ahead.error
            return False
        self.block = memoryview(block)
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        out = memoryview(b).cast("B")
        n = 0
        while n < len(out):
            if not len(self.block) and not self._next():
                break
            take = min(len(self.block), len(out) - n)
            out[n : n + take] = self.block[:take]
            self.block = self.block[take:]
            n += take
        return n

    def readall(self) -> bytes:
        parts = [bytes(self.block)]
        while self._next():
            parts.append(bytes(self.block))
        self.block = memoryview(b"")
        return b"".join(parts)


def open_source(path: Path, tap: Tap | None) -> io.BufferedReader:
    """``path`` opened for reading: through ``tap`` when given, else plainly."""
    return tap.open() if tap is not None else open(path, "rb")


def reads_ahead(path: Path) -> bool:
    """Whether an import's tap of ``path`` reads it ahead whole (a file up to
    ``AHEAD_BYTES``; see :class:`Tap`)."""
    return path.stat().st_size <= AHEAD_BYTES


def streams(path: Path, fmt: str) -> bool:
    """Whether ``fmt``'s reader of ``path`` reads it through a tap (see the module doc)."""
    if path.is_dir() or fmt == "hf":
        return False
    return fmt != "parquet" or path.stat().st_size <= IN_MEMORY_BYTES
