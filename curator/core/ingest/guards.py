"""Guards against pathological lines and records, applied before any parsing.

One bad line must never fail its file, and one record must never cost minutes:

- nesting deeper than ``MAX_DEPTH`` (arrays/objects) is quarantined before
  ``json.loads`` (RecursionError near 1,000) or Polars' schema inference (which
  took minutes on a 20 KB file nested 500 deep) sees it;
- a lone UTF-16 surrogate escape (``\\ud800`` without its pair, or a lone
  ``\\udc00``) is quarantined: it is not text, cannot be written as UTF-8, and
  the fast path would have turned it into U+0000;
- a record with more than ``MAX_RECORD_BYTES`` of message text is quarantined
  (not scored on a prefix): no trainer context is that long, and scoring or
  tokenising it whole cost minutes and GiB. The quarantine keeps its reason and
  the first ``RAW_KEEP`` characters of the line.

The scans are vectorised over a chunk's bytes; only lines that could be deep
(many brackets) or hold a surrogate escape are looked at one by one.
"""

from __future__ import annotations

import json
import re
from typing import Final

import numpy as np
import polars as pl

from curator.core import records as R
from curator.core.ingest.lines import LineChunk
from curator.core.ingest.model import QuarantineEntry

MAX_DEPTH: Final = 64  # a chat record needs about 4 levels; metadata rarely more than 10
MAX_RECORD_BYTES: Final = 4 << 20  # 4 MiB of message text (about a million tokens)
RAW_KEEP: Final = 2000  # characters of a quarantined line kept as its raw text

LONE_SURROGATE: Final = (
    "holds a lone UTF-16 surrogate escape (\\ud800-\\udfff without its pair): "
    "not text; fix the exporter that wrote it"
)
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_PAIR = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_NOT_OPEN_OR_NL = bytes(b for b in range(256) if b not in b"[{\n")


def nesting_depth(line: bytes) -> int:
    """Deepest ``[``/``{`` nesting of a JSON line, brackets inside strings ignored."""
    bare = np.frombuffer(_STRING.sub(b'""', line), dtype=np.uint8)
    step = (bare == ord("[")).astype(np.int32) + (bare == ord("{"))
    step -= (bare == ord("]")).astype(np.int32) + (bare == ord("}"))
    return int(np.cumsum(step).max()) if len(step) else 0


def has_lone_surrogate(line: bytes) -> bool:
    if not _SURROGATE.search(_PAIR.sub(b"", line)):
        return False
    try:  # confirm: an escaped backslash before "u" is not a surrogate
        obj = json.loads(line)
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    except (ValueError, RecursionError):
        return False  # not JSON: the reader quarantines it with its own reason
    return False


def pathological_lines(chunk: LineChunk, idx: np.ndarray) -> dict[int, str]:
    """Index (into the chunk) -> reason, for the lines of ``idx`` to quarantine."""
    if len(idx) == 0:
        return {}
    arr = np.frombuffer(chunk.data, dtype=np.uint8)
    # brackets per line: the chunk with every byte but brackets and line ends deleted
    # (one C pass; every line of a chunk ends with a line break), then the gaps between
    # the line breaks. (A running sum over every byte cost more than parsing.)
    marks = np.frombuffer(chunk.data.translate(None, _NOT_OPEN_OR_NL), dtype=np.uint8)
    breaks = np.flatnonzero(marks == ord("\n"))
    opens_per_line = np.diff(breaks, prepend=-1) - 1
    if len(breaks) != len(chunk.starts):  # not cut at line breaks: count by position
        opens = np.flatnonzero((arr == ord("[")) | (arr == ord("{")))
        opens_per_line = np.searchsorted(opens, chunk.ends) - np.searchsorted(opens, chunk.starts)
    # positions of the few backslashes, counted per line by binary search
    if chunk.data.find(b"\\") < 0:  # no backslash at all (memchr, ~1 ms per 32 MB): no escape
        escapes = np.empty(0, dtype=np.int64)
    else:
        slashes = np.flatnonzero(arr[:-1] == ord("\\"))
        escapes = slashes[arr[slashes + 1] == ord("u")]
    starts, ends = chunk.starts[idx], chunk.ends[idx]

    def count(pos: np.ndarray) -> np.ndarray:
        return np.searchsorted(pos, ends) - np.searchsorted(pos, starts)

    out: dict[int, str] = {}
    for i in idx[opens_per_line[idx] > MAX_DEPTH].tolist():
        depth = nesting_depth(chunk.line(i))
        if depth > MAX_DEPTH:
            out[i] = (
                f"nested {depth} levels deep (arrays/objects; the limit is {MAX_DEPTH}): "
                "flatten the record or remove the nested field"
            )
    for i in idx[count(escapes) > 0].tolist():
        if i not in out and has_lone_surrogate(chunk.line(i)):
            out[i] = LONE_SURROGATE
    return out


def quarantine_lines(chunk: LineChunk, bad: dict[int, str]) -> list[QuarantineEntry]:
    entries = []
    for i, reason in sorted(bad.items()):
        line_no = chunk.first_line + i
        raw = chunk.data[int(chunk.starts[i]) : int(chunk.starts[i]) + RAW_KEEP * 4]
        text = raw.decode("utf-8", "replace")[:RAW_KEEP]
        entries.append(QuarantineEntry(line_no, f"line {line_no}", reason, text))
    return entries


def text_bytes() -> pl.Expr:
    """UTF-8 bytes of all message text of a record (content of every message)."""
    return (
        pl.col(R.MESSAGES)
        .list.eval(pl.element().struct.field("content").str.len_bytes())
        .list.sum()
        .fill_null(0)
    )


def oversized(records: pl.DataFrame) -> tuple[pl.DataFrame, list[QuarantineEntry]]:
    """(records within the size guard, quarantine entries for the others)."""
    if records.height == 0:
        return records, []
    size = records.select(text_bytes().alias("_b")).get_column("_b")
    big = size > MAX_RECORD_BYTES
    if not big.any():
        return records, []
    entries = []
    for row, n in zip(
        records.filter(big).iter_rows(named=True), size.filter(big).to_list(), strict=True
    ):
        first = (row[R.MESSAGES] or [{}])[0].get("content") or ""
        entries.append(
            QuarantineEntry(
                row[R.LINE],
                row[R.LOCATOR],
                f"the record holds {n / (1 << 20):,.1f} MiB of text, above the "
                f"{MAX_RECORD_BYTES >> 20} MiB limit per record (no trainer context is that long): "
                "split it into smaller conversations",
                first[:RAW_KEEP],
            )
        )
    return records.filter(~big), entries
