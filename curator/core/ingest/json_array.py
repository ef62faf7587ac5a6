"""JSON array files (``[{...}, {...}]``), streamed element by element.

The file is decoded incrementally and each element parsed with
``json.JSONDecoder.raw_decode``, so a large array is never loaded whole.
Locators are ``index N``, 1-based (the Nth element), like line numbers;
``jq '.[N-1]'`` shows the same element. Bytes that are not UTF-8 are kept as
surrogates and the element holding them is quarantined. A syntax error ends
the file: everything before it is imported and the rest is quarantined as one
entry, because after a broken element there is no reliable way to resync.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from curator.core import records as R
from curator.core.ingest.convert import converter_for
from curator.core.ingest.guards import (
    LONE_SURROGATE,
    MAX_DEPTH,
    RAW_KEEP,
    has_lone_surrogate,
    nesting_depth,
)
from curator.core.ingest.lines import BOM
from curator.core.ingest.model import (
    RAW_SCHEMA,
    BadRecord,
    QuarantineEntry,
    RawChunk,
    describe_json_type,
    meta_json,
    raw_frame,
)
from curator.core.ingest.options import ImportOptions
from curator.core.ingest.source import Tap, open_source

_READ = 8 << 20
_BATCH = 20_000
_WS = re.compile(r"[ \t\r\n]*")
_SURROGATE = re.compile("[\udc80-\udcff]")


class _Stream:
    """Decoded text of a file, read on demand, with a sliding buffer."""

    def __init__(self, path: Path, tap: Tap | None) -> None:
        self.fh = open_source(path, tap)
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.done = 0
        self.first = True

    def more(self) -> bool:
        if self.eof:
            return False
        block = self.fh.read(_READ)
        self.done += len(block)
        if self.first and block.startswith(BOM):
            block = block[len(BOM) :]
        self.first = False
        if not block:
            self.eof = True
            self.buf = self.buf[self.pos :] + self.decoder.decode(b"", final=True)
        else:
            self.buf = self.buf[self.pos :] + self.decoder.decode(block)
        self.pos = 0
        return True

    def skip_ws(self) -> None:
        while True:
            m = _WS.match(self.buf, self.pos)
            self.pos = m.end() if m else self.pos
            if self.pos < len(self.buf) or not self.more():
                return

    def peek(self) -> str:
        self.skip_ws()
        return self.buf[self.pos] if self.pos < len(self.buf) else ""

    def close(self) -> None:
        self.fh.close()


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class _TooDeep(Exception):
    """An element nested past the guard; ``text`` is the skipped element."""

    def __init__(self, text: str) -> None:
        self.text = text


def _skip_value(stream: _Stream) -> str:
    """Move past one (bracketed) value without parsing it; returns its text."""
    while True:
        depth = 0
        for m in _TOKEN.finditer(stream.buf, stream.pos):
            tok = m.group()
            if tok in "[{":
                depth += 1
            elif tok in "]}":
                depth -= 1
                if depth == 0:
                    text = stream.buf[stream.pos : m.end()]
                    stream.pos = m.end()
                    return text
        if not stream.more():
            raise json.JSONDecodeError("unterminated nested value", stream.buf, stream.pos)


def _element(stream: _Stream, decoder: json.JSONDecoder) -> tuple[Any, str]:
    while True:
        try:
            obj, end = decoder.raw_decode(stream.buf, stream.pos)
        except json.JSONDecodeError:
            if stream.more():
                continue
            raise
        except RecursionError:
            raise _TooDeep(_skip_value(stream)) from None
        text = stream.buf[stream.pos : end]
        stream.pos = end
        return obj, text


def read_json_array(
    path: Path, fmt: str, options: ImportOptions, limit: int | None = None, tap: Tap | None = None
) -> Iterator[RawChunk]:
    total = path.stat().st_size
    convert = converter_for(fmt, options)
    decoder = json.JSONDecoder()
    stream = _Stream(path, tap)
    rows: list[dict[str, Any]] = []
    bad: list[QuarantineEntry] = []
    keys: set[str] = set()
    index = 0
    try:
        if stream.peek() != "[":
            bad.append(
                QuarantineEntry(None, "file", "not a JSON array (it does not start with '[')", None)
            )
            yield RawChunk(pl.DataFrame(schema=RAW_SCHEMA), bad, [], total, total)
            return
        stream.pos += 1
        while limit is None or index < limit:
            ch = stream.peek()
            if ch == "]":
                break
            if index and ch == ",":
                stream.pos += 1
            elif index or ch == "":
                reason = (
                    "the JSON array is not closed with ']'"
                    if ch == ""
                    else f"expected ',' or ']' but found {ch!r}"
                )
                bad.append(
                    QuarantineEntry(
                        index + 1,
                        f"index {index + 1}",
                        f"{reason}; the rest of the file was not read",
                        stream.buf[stream.pos : stream.pos + 500],
                    )
                )
                break
            stream.skip_ws()
            index += 1
            try:
                obj, text = _element(stream, decoder)
                if (
                    text.count("[") + text.count("{") > MAX_DEPTH
                    and nesting_depth(text.encode("utf-8", "surrogateescape")) > MAX_DEPTH
                ):
                    raise _TooDeep(text)
            except _TooDeep as deep:
                depth = nesting_depth(deep.text.encode("utf-8", "surrogateescape"))
                bad.append(
                    QuarantineEntry(
                        index,
                        f"index {index}",
                        f"nested {depth} levels deep (arrays/objects; the limit is {MAX_DEPTH}): "
                        "flatten the record or remove the nested field",
                        deep.text[:RAW_KEEP],
                    )
                )
                continue
            except json.JSONDecodeError as exc:
                bad.append(
                    QuarantineEntry(
                        index,
                        f"index {index}",
                        f"not valid JSON: {exc.msg}; the rest of the file was not read",
                        stream.buf[stream.pos : stream.pos + 500],
                    )
                )
                break
            ascii_only = text.isascii()  # then no escaped bytes, and raw is the text itself
            raw = (
                text
                if ascii_only
                else text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            )
            try:
                if not ascii_only and _SURROGATE.search(text):
                    raise BadRecord("contains bytes that are not UTF-8; re-save the file as UTF-8")
                if "\\u" in text and has_lone_surrogate(text.encode("utf-8", "surrogateescape")):
                    raise BadRecord(LONE_SURROGATE)
                if not isinstance(obj, dict):
                    raise BadRecord(f"the element is {describe_json_type(obj)}, not a JSON object")
                keys.update(obj)
                msgs, extra = convert(obj, options)
            except BadRecord as exc:
                bad.append(QuarantineEntry(index, f"index {index}", str(exc), raw))
                continue
            rows.append(
                {
                    R.LINE: index,
                    R.LOCATOR: f"index {index}",
                    R.MESSAGES: msgs,
                    R.META: meta_json(extra),
                }
            )
            if len(rows) >= _BATCH:
                yield RawChunk(raw_frame(rows), bad, sorted(keys), stream.done, total)
                rows, bad = [], []
    finally:
        stream.close()
    yield RawChunk(raw_frame(rows), bad, sorted(keys), total, total)
