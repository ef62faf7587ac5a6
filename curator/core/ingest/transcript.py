"""Plain-text transcripts: ``Speaker: text`` lines.

A line may start with a time (``[00:01:23]``, ``[2024-03-01 10:00:00]``,
``2024-03-01 10:00``, ``03/01/2024 10:00 AM``, ``2024-03-01T10:00:00Z``, ``10:00:05 -``); lines that do not start with a speaker
continue the previous message. Conversations are separated by ``---`` lines;
a file without ``---`` is split at blank lines only when every blank-line
block holds at least two turns (otherwise blank lines are just spacing and the
file is one conversation). Text before the first speaker is kept in ``meta``
as ``header``. Locators are ``lines A-B`` (1-based). A line that is not UTF-8
quarantines its conversation, naming the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from curator.core import records as R
from curator.core.ingest.lines import BOM
from curator.core.ingest.model import RAW_SCHEMA, QuarantineEntry, RawChunk, meta_json, raw_message
from curator.core.ingest.source import Tap, open_source

_DATE = r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})"
_TIME = (
    rf"(?:{_DATE}[ T,]\s*)?\d{{1,2}}:\d{{2}}(?::\d{{2}})?(?:[.,]\d+)?"
    r"(?:\s*[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?"
)
LINE_RE = re.compile(
    rf"^\s*(?:\[(?P<bt>[^\]]{{1,40}})\]\s*|(?P<t>{_TIME})\s*(?:[-|]\s*)?)?"
    r"(?P<speaker>[^\s:\[\]][^:\[\]]{0,39}?)\s*:\s?(?P<text>.*)$"
)
SEPARATOR = re.compile(r"^\s*-{3,}\s*$")
_HEAD_BYTES = 4 << 20


def speaker_line(line: str) -> re.Match[str] | None:
    m = LINE_RE.match(line)
    if m is None:
        return None
    speaker = m.group("speaker")
    # "Note: ..." style prose is still a speaker; URLs and times are not
    if speaker.lower() in ("http", "https") or speaker.isdigit() or len(speaker.split()) > 4:
        return None
    return m


def _blocks(lines: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    if any(SEPARATOR.match(t) for _, t in lines):
        out: list[list[tuple[int, str]]] = [[]]
        for n, t in lines:
            if SEPARATOR.match(t):
                out.append([])
            else:
                out[-1].append((n, t))
        return [b for b in out if any(t.strip() for _, t in b)]
    by_blank: list[list[tuple[int, str]]] = [[]]
    for n, t in lines:
        if not t.strip():
            if by_blank[-1]:
                by_blank.append([])
        else:
            by_blank[-1].append((n, t))
    by_blank = [b for b in by_blank if b]
    turns = [sum(1 for _, t in b if speaker_line(t)) for b in by_blank]
    if len(by_blank) > 1 and all(n >= 2 for n in turns):
        return by_blank
    whole = list(lines)
    return [whole] if any(t.strip() for _, t in whole) else []


def _conversation(block: list[tuple[int, str]]) -> tuple[dict[str, Any] | None, str | None]:
    msgs: list[dict[str, Any]] = []
    times: list[str | None] = []
    header: list[str] = []
    for _, text in block:
        m = speaker_line(text)
        if m is not None:
            msgs.append(raw_message(m.group("speaker").strip(), m.group("text")))
            times.append(m.group("bt") or m.group("t"))
        elif msgs:
            msgs[-1]["content"] = f"{msgs[-1]['content']}\n{text}"
        elif text.strip():
            header.append(text.strip())
    # trailing blank lines inside a message are spacing, not content
    for msg in msgs:
        msg["content"] = msg["content"].rstrip("\n")
    first, last = block[0][0], block[-1][0]
    if not msgs:
        return None, "no 'Speaker: text' lines found"
    meta: dict[str, Any] = {}
    if header:
        meta["header"] = "\n".join(header)
    if any(times):
        meta["times"] = times
    return {
        R.LINE: first,
        R.LOCATOR: f"lines {first}-{last}",
        R.MESSAGES: msgs,
        R.META: meta_json(meta),
    }, None


def read_transcript(
    path: Path, fmt: str, options: Any, limit: int | None = None, tap: Tap | None = None
) -> Iterator[RawChunk]:
    total = path.stat().st_size
    with open_source(path, tap) as fh:
        data = fh.read(_HEAD_BYTES if limit is not None else -1)
    if data.startswith(BOM):
        data = data[len(BOM) :]
    lines: list[tuple[int, str]] = []
    undecodable: dict[int, bytes] = {}
    for n, raw in enumerate(data.split(b"\n"), start=1):
        raw = raw.rstrip(b"\r")
        try:
            lines.append((n, raw.decode("utf-8")))
        except UnicodeDecodeError:
            undecodable[n] = raw
            lines.append((n, raw.decode("utf-8", "replace")))
    while lines and not lines[-1][1].strip():
        lines.pop()
    rows: list[dict[str, Any]] = []
    bad: list[QuarantineEntry] = []
    for block in _blocks(lines):
        first, last = block[0][0], block[-1][0]
        locator = f"lines {first}-{last}"
        raw_text = "\n".join(t for _, t in block)
        broken = [n for n, _ in block if n in undecodable]
        if broken:
            bad.append(
                QuarantineEntry(
                    broken[0],
                    locator,
                    f"line {broken[0]} is not valid UTF-8; re-save the file as UTF-8",
                    raw_text,
                )
            )
            continue
        row, problem = _conversation(block)
        if row is None:
            bad.append(QuarantineEntry(first, locator, problem or "unreadable", raw_text))
            continue
        rows.append(row)
        if limit is not None and len(rows) >= limit:
            break
    columns = sorted({m.group("speaker").strip() for _, t in lines if (m := speaker_line(t))})[:50]
    yield RawChunk(pl.DataFrame(rows, schema=RAW_SCHEMA), bad, columns, total, total)
