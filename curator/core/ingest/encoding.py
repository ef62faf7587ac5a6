"""UTF-16/UTF-32 text (as Windows tools often save it), read as UTF-8.

Readers work on UTF-8 bytes. A file that starts with a UTF-16 or UTF-32 byte
order mark is transcoded, streaming, into a UTF-8 copy with the same name in
a temporary folder, and the reader reads that copy: line numbers stay those of
the original, and errors still name the original file.
"""

from __future__ import annotations

import codecs
import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from curator.core.ingest.source import Tap, open_source

_BOMS = (  # UTF-32 first: its little-endian mark begins with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CHARS = 4 << 20  # characters transcoded per step


def wide_encoding(head: bytes) -> str | None:
    """"utf-16" or "utf-32" when ``head`` starts with that byte order mark, else None."""
    return next((enc for bom, enc in _BOMS if head.startswith(bom)), None)


def file_encoding(path: Path) -> str | None:
    """The wide encoding of a file (see ``wide_encoding``); None for folders and UTF-8."""
    if path.is_dir():
        return None
    with open(path, "rb") as fh:
        return wide_encoding(fh.read(4))


def decode_head(head: bytes, encoding: str) -> bytes:
    """The UTF-8 bytes of a wide-encoded head (a character cut at the end is dropped)."""
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    return decoder.decode(head, final=False).encode("utf-8")


@contextmanager
def as_utf8(path: Path, tap: Tap | None = None) -> Iterator[Path]:
    """``path`` itself when it is not wide-encoded, else a UTF-8 copy of it.

    Bytes that do not decode become U+FFFD, which the readers report as not UTF-8.
    The original is read once, through ``tap`` when given; the private copy is
    what the reader then parses.
    """
    encoding = file_encoding(path)
    if encoding is None:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="curator-utf8-") as tmp:
        copy = Path(tmp) / path.name
        with io.TextIOWrapper(
            open_source(path, tap), encoding=encoding, errors="replace", newline=""
        ) as src, open(copy, "w", encoding="utf-8", newline="") as dst:
            while block := src.read(_CHARS):
                dst.write(block)
        yield copy
