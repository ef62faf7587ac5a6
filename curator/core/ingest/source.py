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
from pathlib import Path
from typing import BinaryIO

IN_MEMORY_BYTES = 1 << 30  # Parquet up to this size is read into memory once, through the tap
_BLOCK = 8 << 20


class Tap:
    """SHA-256 of one file's bytes as its reader consumes them, each byte once, in order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.consumed = 0
        self._hash = hashlib.sha256()
        self._opened = False

    def update(self, data: bytes | memoryview) -> None:
        self._hash.update(data)
        self.consumed += len(data)

    def open(self) -> io.BufferedReader:
        if self._opened:  # a second open would hash bytes twice or out of order
            raise RuntimeError(f"{self.path}: a tapped source is read once, front to back")
        self._opened = True
        return io.BufferedReader(_TappedFile(open(self.path, "rb"), self), buffer_size=_BLOCK)

    def finish(self) -> str:
        """Hash the bytes the reader did not read (at most a tail) and return the digest."""
        with open(self.path, "rb") as fh:
            fh.seek(self.consumed)
            while block := fh.read(_BLOCK):
                self.update(block)
        return self._hash.hexdigest()[:32]


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
