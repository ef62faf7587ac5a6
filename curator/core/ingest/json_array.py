"""JSON array files (``[{...}, {...}]``), read in blocks, never loaded whole.

Fast path (:func:`_fast`): the file is read 16 MB at a time; the elements' boundaries
are found with numpy (``_scan``: strings by quote parity, depth over the few
structural bytes); runs of elements are parsed by Polars and converted with Polars
expressions (``regular.openai_array`` for OpenAI chats, ``columnar.jsonl_batch`` on
the elements as JSON lines for the other shapes) where raw-text checks prove them
regular. Every other element takes the checks of the streaming reader one by one.

Streaming reader (:func:`_elements`, also for ``preview``): the file is decoded
incrementally and each element parsed with ``json.JSONDecoder.raw_decode``.
Locators are ``index N``, 1-based (the Nth element), like line numbers;
``jq '.[N-1]'`` shows the same element. Bytes that are not UTF-8 are kept as
surrogates and the element holding them is quarantined. A syntax error ends
the file: everything before it is imported and the rest is quarantined as one
entry, because after a broken element there is no reliable way to resync. (The
fast path hands over to the streaming reader at the first element that is not
one valid JSON value, so this holds on both paths.)
"""
from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import numpy as np
import polars as pl
import pyarrow as pa

from curator.core import records as R
from curator.core.ingest.columnar import jsonl_batch
from curator.core.ingest.convert import Converted, converter_for
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
    arrow_series,
    describe_json_type,
    meta_json,
    raw_frame,
)
from curator.core.ingest.options import ImportOptions
from curator.core.ingest.regular import openai_array, openai_whole
from curator.core.ingest.source import Tap, open_source

Converter = Callable[[dict[str, Any], ImportOptions], Converted]

_READ = 8 << 20
_BATCH = 20_000
_WS = re.compile(r"[ \t\r\n]*")
_SURROGATE = re.compile("[\udc80-\udcff]")


class _Stream:
    """Decoded text of a file, read on demand, with a sliding buffer."""

    def __init__(self, fh: BinaryIO, head: bytes = b"", done: int = 0) -> None:
        """Read ``fh``; ``head``: bytes already read from it, after a BOM (``done``
        bytes of the file consumed so far, ``head`` included)."""
        self.fh = fh
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
        self.buf = self.decoder.decode(head)
        self.pos = 0
        self.eof = False
        self.done = done
        self.first = done == 0

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


FORCE_SLOW = False  # tests: every element through the element-by-element parser
_BLOCK = 16 << 20  # bytes scanned for element boundaries at a time
_MIN_SPLIT = 512  # below this many elements a failing range is parsed element by element
_JSON_WS = b" \t\r\n"
_SURROGATE_ESC = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE_START = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE_PAIR = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}")


def read_json_array(
    path: Path, fmt: str, options: ImportOptions, limit: int | None = None, tap: Tap | None = None
) -> Iterator[RawChunk]:
    """The elements of a JSON array file as raw chunks (see the module doc).

    Runs of elements that Polars can parse and ``regular``/``columnar`` can prove
    regular are converted vectorised (:func:`_fast`); every other element takes the
    element-by-element path (:func:`_elements`) with the same checks and reasons, and
    from the first element that is not valid JSON on, the rest of the file does too."""
    total = path.stat().st_size
    fh = open_source(path, tap)
    try:
        if FORCE_SLOW or limit is not None:
            yield from _elements(_Stream(fh), fmt, options, limit, total, 0, set(), False)
        else:
            yield from _fast(fh, fmt, options, total)
    finally:
        fh.close()


def _deep(index: int, text: str) -> QuarantineEntry:
    depth = nesting_depth(text.encode("utf-8", "surrogateescape"))
    return QuarantineEntry(
        index,
        f"index {index}",
        f"nested {depth} levels deep (arrays/objects; the limit is {MAX_DEPTH}): "
        "flatten the record or remove the nested field",
        text[:RAW_KEEP],
    )


def _take(
    index: int,
    obj: Any,
    text: str,
    convert: Converter,
    options: ImportOptions,
    keys: set[str],
) -> dict[str, Any] | QuarantineEntry:
    """One parsed element -> its raw row, or its quarantine entry."""
    ascii_only = text.isascii()  # then no escaped bytes, and raw is the text itself
    raw = text if ascii_only else text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
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
        return QuarantineEntry(index, f"index {index}", str(exc), raw)
    return {R.LINE: index, R.LOCATOR: f"index {index}", R.MESSAGES: msgs, R.META: meta_json(extra)}


def _elements(
    stream: _Stream,
    fmt: str,
    options: ImportOptions,
    limit: int | None,
    total: int,
    index: int,
    keys: set[str],
    started: bool,
) -> Iterator[RawChunk]:
    """The element-by-element reader. ``started``: the stream is inside the array, at
    the separator before element ``index + 1`` (after the ``[`` when ``index`` is 0)."""
    convert = converter_for(fmt, options)
    decoder = json.JSONDecoder()
    rows: list[dict[str, Any]] = []
    bad: list[QuarantineEntry] = []
    if not started:
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
            bad.append(_deep(index, deep.text))
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
        got = _take(index, obj, text, convert, options, keys)
        if isinstance(got, QuarantineEntry):
            bad.append(got)
            continue
        rows.append(got)
        if len(rows) >= _BATCH:
            yield RawChunk(raw_frame(rows), bad, sorted(keys), stream.done, total)
            rows, bad = [], []
    yield RawChunk(raw_frame(rows), bad, sorted(keys), total, total)


class _Scan(NamedTuple):
    """Element boundaries of a buffer that starts at a separator (``[`` or ``,``):
    element i is ``buf[seps[i] + 1 : seps[i + 1]]``; bytes after ``seps[-1]`` are the
    unfinished rest. ``odd[i]``: element i needs the element-by-element path."""

    seps: np.ndarray
    closed: bool  # seps[-1] is the array's closing ']'
    broken: bool  # the array ends in something else: the last element onwards goes slow
    odd: np.ndarray


def _classes() -> bytes:
    table = bytearray(256)
    for c in range(32):
        table[c] = 6  # control bytes
    table[ord('"')], table[ord("\\")], table[ord(",")] = 1, 2, 5
    for c in b"[{":
        table[c] = 3
    for c in b"]}":
        table[c] = 4
    return bytes(table)


_CLASS = _classes()  # byte -> 0 (plain), 1 quote, 2 backslash, 3 open, 4 close, 5 comma, 6 control


def _scan(buf: bytes | bytearray) -> _Scan:
    """Top-level separators of ``buf`` found with numpy (strings by quote parity): the
    bytes are classed in one pass and only the few that are not plain are looked at."""
    arr = np.frombuffer(buf, dtype=np.uint8)
    pos = np.flatnonzero(np.frombuffer(buf.translate(_CLASS), dtype=np.uint8) != 0)
    pos = pos[pos > 0]  # byte 0 is the separator the buffer starts at
    kind = np.frombuffer(arr[pos].tobytes().translate(_CLASS), dtype=np.uint8)
    quote = kind == 1
    slashes = pos[kind == 2]
    if len(slashes):  # a quote after an odd number of backslashes is escaped
        after = np.flatnonzero(quote)
        maybe = after[np.isin(pos[after] - 1, slashes)]
        for j in maybe.tolist():
            q = int(pos[j])
            k = q - 1
            while k >= 0 and buf[k] == 92:
                k -= 1
            if (q - 1 - k) % 2:
                quote[j] = False
    inside = (np.cumsum(quote) - quote) & 1 == 1  # after an odd number of quotes
    structural = (kind >= 3) & (kind <= 5) & ~inside
    marks = pos[structural]
    mkind = kind[structural]
    delta = (mkind == 3).astype(np.int64) - (mkind == 4)
    depth = 1 + np.cumsum(delta)
    ends = np.flatnonzero(depth == 0)
    closed = broken = False
    if len(ends):
        stop = int(ends[0])
        closed = bool(arr[marks[stop]] == ord("]"))
        broken = not closed
        seps = marks[:stop][(mkind[:stop] == 5) & (depth[:stop] == 1)]
        if closed:
            seps = np.concatenate([seps, marks[stop : stop + 1]])
    else:
        seps = marks[(mkind == 5) & (depth == 1)]
    seps = np.concatenate([np.zeros(1, dtype=np.int64), seps.astype(np.int64)])
    n = len(seps) - 1
    odd = np.zeros(n, dtype=bool)
    if n == 0:
        return _Scan(seps, closed, broken, odd)

    def owner(at: np.ndarray) -> np.ndarray:
        i = np.searchsorted(seps, at, side="right") - 1
        return i[(i >= 0) & (i < n)]

    # control bytes: in a string not JSON; outside one only the whitespace is
    ctrl = kind == 6
    if ctrl.any():
        at = pos[ctrl]
        bad = inside[ctrl] | ~np.isin(arr[at], (9, 10, 13))
        odd[owner(at[bad])] = True
    # nesting past the guard (structure only: what ``nesting_depth`` measures)
    opens = marks[mkind == 3]
    if len(opens) > MAX_DEPTH:
        count = np.bincount(owner(opens), minlength=n)
        odd[count > MAX_DEPTH] = True
    # surrogate escapes: the element's own check decides if one is alone
    if len(slashes):
        escapes = slashes[slashes + 1 < len(arr)]
        escapes = escapes[arr[escapes + 1] == ord("u")]
        for i in np.unique(owner(escapes)).tolist():
            elem = bytes(buf[int(seps[i]) + 1 : int(seps[i + 1])])
            if _SURROGATE_ESC.search(_SURROGATE_PAIR.sub(b"", elem)):
                odd[i] = True
    return _Scan(seps, closed, broken, odd)


class _Handover(Exception):
    """Element ``k`` (of the block) is not one valid JSON value: the streaming reader
    takes over at its separator."""

    def __init__(self, k: int) -> None:
        self.k = k


class _Block:
    """Convert the whole elements of one scanned buffer, in order."""

    def __init__(
        self,
        buf: bytes | bytearray,
        scan: _Scan,
        first: int,
        fmt: str,
        options: ImportOptions,
        convert: Converter,
        keys: set[str],
    ) -> None:
        self.buf, self.scan, self.first = buf, scan, first  # first: elements before the buffer
        self.fmt, self.options, self.convert, self.keys = fmt, options, convert, keys
        self.decoder = json.JSONDecoder()
        self.frames: list[pl.DataFrame] = []
        self.rows: list[dict[str, Any]] = []
        self.bad: list[QuarantineEntry] = []
        self._lines: bytes | None = None
        self.text: str | None = None

    @property
    def lines(self) -> bytes:
        """The elements as JSON lines: each separator a line break, other line breaks
        (whitespace between tokens: a string cannot hold one) spaces; element i is
        ``lines[seps[i] - seps[0] + 1 : seps[i + 1] - seps[0] + 1]``."""
        if self._lines is None:
            seps, buf = self.scan.seps, self.buf
            lo, hi = int(seps[0]), int(seps[-1])
            nd = np.frombuffer(buf, dtype=np.uint8)[lo : hi + 1].copy()
            if buf.find(b"\n", lo, hi) >= 0 or buf.find(b"\r", lo, hi) >= 0:
                nd[(nd == 10) | (nd == 13)] = 32
            nd[seps - lo] = 10
            self._lines = nd.tobytes()
        return self._lines

    def element(self, i: int) -> bytes | bytearray:
        return self.buf[int(self.scan.seps[i]) + 1 : int(self.scan.seps[i + 1])]

    def run(self) -> int | None:
        """Convert every element; the element to hand over at, or None."""
        odd = self.scan.odd.copy()
        n = len(odd)
        seps = self.scan.seps
        try:  # the text of every element, kept for the vectorised checks
            self.text = str(memoryview(self.buf)[int(seps[0]) + 1 : int(seps[-1])], "utf-8")
        except UnicodeDecodeError:  # the elements that are not UTF-8 go one by one
            for i in range(n):
                if not odd[i]:
                    try:
                        self.element(i).decode("utf-8")
                    except UnicodeDecodeError:
                        odd[i] = True
        try:
            start = 0
            for i in [*np.flatnonzero(odd).tolist(), n]:
                if i > start:
                    self.batch(np.arange(start, i))
                if i < n:
                    self.one(i)
                start = i + 1
        except _Handover as h:
            return h.k
        return None

    def data(self, idx: np.ndarray) -> tuple[bytes, pl.Series]:
        """The JSON lines of elements ``idx`` (contiguous) and each line's text."""
        seps = self.scan.seps
        offsets = seps[idx[0] : idx[-1] + 2] - seps[idx[0]]
        lo = int(seps[0])
        data = self.lines[int(seps[idx[0]]) - lo + 1 : int(seps[idx[-1] + 1]) - lo + 1]
        return data, _texts(data, offsets)

    def texts(self, idx: np.ndarray) -> pl.Series:
        """Each element's own text with the separator after it."""
        seps = self.scan.seps
        a, b = int(seps[idx[0]]) + 1, int(seps[idx[-1] + 1]) + 1
        return _texts(self.buf[a:b], seps[idx[0] : idx[-1] + 2] - seps[idx[0]])

    def batch(self, idx: np.ndarray) -> None:
        numbers = self.first + 1 + idx
        if self.fmt == "openai" and not self.options.messages_field:
            seps = self.scan.seps
            inner = memoryview(self.buf)[int(seps[idx[0]]) + 1 : int(seps[idx[-1] + 1])]
            array = b"".join((b"[", inner, b"]"))
            del inner
            every = idx[0] == 0 and idx[-1] == len(seps) - 2
            text = self.text if every else None
            got = openai_array(array, lambda: self.texts(idx), numbers, text)
            parses = (lambda: _parses(array, pl.read_json)) if got is None else None
        else:
            data, lines = self.data(idx)
            got = _convert_lines(data, lines, numbers, self.fmt, self.options)
            parses = (lambda: _parses(data, pl.read_ndjson)) if got is None else None
        if got is None:
            assert parses is not None
            if len(idx) > _MIN_SPLIT and not parses():
                mid = len(idx) // 2
                self.batch(idx[:mid])
                self.batch(idx[mid:])
                return
            for i in idx.tolist():
                self.one(i)
            return
        frame, mask, columns = got
        self.keys.update(columns)
        frame = frame.with_columns(
            (pl.lit("index ") + pl.col(R.LINE).cast(pl.String)).alias(R.LOCATOR)
        )
        self.frames.append(frame)
        for i in idx[mask.to_numpy()].tolist():
            self.one(i)

    def one(self, i: int) -> None:
        index = self.first + 1 + i
        text = self.element(i).decode("utf-8", "surrogateescape").strip(" \t\r\n")
        try:
            obj, end = self.decoder.raw_decode(text)
        except (json.JSONDecodeError, RecursionError):
            raise _Handover(i) from None
        if end != len(text):
            raise _Handover(i)
        if (
            text.count("[") + text.count("{") > MAX_DEPTH
            and nesting_depth(text.encode("utf-8", "surrogateescape")) > MAX_DEPTH
        ):
            self.bad.append(_deep(index, text))
            return
        got = _take(index, obj, text, self.convert, self.options, self.keys)
        if isinstance(got, QuarantineEntry):
            self.bad.append(got)
        else:
            self.rows.append(got)

    def frame(self) -> pl.DataFrame:
        frames = [f for f in [*self.frames, raw_frame(self.rows)] if f.height]
        if len(frames) > 1:
            return pl.concat(frames, how="diagonal").sort(R.LINE)
        return frames[0] if frames else pl.DataFrame(schema=RAW_SCHEMA)


def _texts(data: bytes | bytearray, offsets: np.ndarray) -> pl.Series:
    """Strings cut from UTF-8 ``data`` at ``offsets`` (no Python string per element)."""
    arr = pa.LargeStringArray.from_buffers(
        len(offsets) - 1, pa.py_buffer(offsets.astype(np.int64)), pa.py_buffer(data)
    )
    return arrow_series("_raw", arr)


def _parses(data: bytes, read: Callable[..., pl.DataFrame]) -> bool:
    try:
        read(data, infer_schema_length=None)
    except Exception:
        return False
    return True


def _convert_lines(
    data: bytes, lines: pl.Series, numbers: np.ndarray, fmt: str, options: ImportOptions
) -> tuple[pl.DataFrame, pl.Series, list[str]] | None:
    """The vectorised conversion of JSON lines for ``fmt`` (as ``jsonl.read_jsonl``)."""
    if options.messages_field and fmt not in ("openai", "json"):
        return None
    shape = "json" if options.messages_field else fmt
    return jsonl_batch(data, lines, numbers, shape, options)


class _Reader:
    """The file in blocks of about ``_BLOCK`` bytes in one reused buffer (a fresh 32 MB
    buffer per block cost its page faults again), each starting with the unfinished
    rest of the one before."""

    def __init__(self, fh: Any) -> None:
        self.fh = fh  # a buffered binary file (readinto)
        self.buf = bytearray()
        self.done = 0
        self.eof = False

    def fill(self, tail: bytes) -> bytearray:
        size = max(_BLOCK, len(tail) + _BLOCK // 4)
        if len(self.buf) != size:
            self.buf = bytearray(size)
        buf = self.buf
        buf[: len(tail)] = tail
        filled = len(tail)
        view = memoryview(buf)
        while filled < size:
            got = self.fh.readinto(view[filled:]) or 0
            if not got:
                self.eof = True
                break
            filled += got
            self.done += got
        del view
        if filled < size:
            del buf[filled:]  # the end of the file: the buffer is not reused
            self.buf = bytearray()
        return buf


def _fast(fh: BinaryIO, fmt: str, options: ImportOptions, total: int) -> Iterator[RawChunk]:
    convert = converter_for(fmt, options)
    keys: set[str] = set()
    reader = _Reader(fh)
    head = bytes(reader.fill(b""))
    done = reader.done
    body = head.removeprefix(BOM)
    start = len(body) - len(body.lstrip(_JSON_WS))
    if body[start : start + 1] != b"[":
        yield from _elements(_Stream(fh, body, done), fmt, options, None, total, 0, keys, False)
        return
    buf: bytes | bytearray = body[start:]
    del head, body
    index = 0  # elements before buf
    quick = fmt == "openai" and not options.messages_field
    while True:
        got = _quick(buf, reader.eof, index) if quick else None
        if got is not None:
            frame, columns, cut, closed = got
            keys.update(columns)
            index += frame.height
            yield RawChunk(frame, [], sorted(keys), reader.done, total)
            if closed:
                yield RawChunk(pl.DataFrame(schema=RAW_SCHEMA), [], sorted(keys), total, total)
                return
            buf = reader.fill(bytes(buf[cut:]))
            continue
        scan = _scan(buf)
        n = len(scan.seps) - 1
        if n == 0 and not (scan.closed or scan.broken or reader.eof):  # no whole element yet
            buf = reader.fill(bytes(buf))
            continue
        stop: int | None = None
        if n:
            block = _Block(buf, scan, index, fmt, options, convert, keys)
            stop = block.run()
            yield RawChunk(block.frame(), block.bad, sorted(keys), reader.done, total)
            del block
        if stop is None and scan.closed:
            yield RawChunk(pl.DataFrame(schema=RAW_SCHEMA), [], sorted(keys), total, total)
            return
        if stop is None and (scan.broken or reader.eof):
            stop = n  # the unfinished rest: the streaming reader says what is wrong
        if stop is not None:
            pos = int(scan.seps[stop]) + (1 if index + stop == 0 else 0)
            stream = _Stream(fh, bytes(buf[pos:]), reader.done)
            yield from _elements(stream, fmt, options, None, total, index + stop, keys, True)
            return
        index += n
        buf = reader.fill(bytes(buf[int(scan.seps[-1]) :]))


_FIRST_KEY = re.compile(rb'\s*\{\s*"([A-Za-z0-9_ -]+)"')
_TAIL = 1 << 18  # bytes searched back from a block's end for the last element start


def _quick(
    buf: bytes | bytearray, eof: bool, index: int
) -> tuple[pl.DataFrame, list[str], int, bool] | None:
    """OpenAI chats without the boundary scan: the block is cut before the last
    ``, {"<first key>"`` (or at the closing ``]`` at the end of the file) and taken
    whole when ``regular.openai_whole`` proves every element before the cut regular,
    which also proves the cut was between two elements (and that no element holds a
    control byte in a string, nesting or a non-object: Polars and the regex refuse
    them). (rows, keys, cut, closed); None: the scanned path decides."""
    first = _FIRST_KEY.match(buf, 1)
    if first is None:
        return None
    if eof:
        end = len(buf.rstrip(_JSON_WS)) - 1
        if end <= 0 or buf[end] != ord("]"):
            return None
        cut, closed = end, True
    else:
        start = max(len(buf) - _TAIL, 1)
        at = rb"\}\s*(,)\s*\{\s*\"" + re.escape(first.group(1)) + rb'"'
        found = list(re.finditer(at, memoryview(buf)[start:]))
        if not found:
            return None
        cut, closed = start + found[-1].start(1), False
    inner = memoryview(buf)[1:cut]
    if _SURROGATE_START.search(inner):  # a surrogate escape: the scan checks each one
        return None
    array = b"".join((b"[", inner, b"]"))
    del inner
    if buf.isascii():  # valid UTF-8 already: the text straight from the bytes
        whole = _texts(array, np.array([1, len(array) - 1], dtype=np.int64))
    else:
        try:
            whole = pl.Series("_raw", [array[1:-1].decode("utf-8")], dtype=pl.String)
        except UnicodeDecodeError:
            return None
    got = openai_whole(array, whole, index + 1)
    if got is None:
        return None
    frame = got[0].with_columns(
        (pl.lit("index ") + pl.col(R.LINE).cast(pl.String)).alias(R.LOCATOR)
    )
    return frame, got[2], cut, closed
