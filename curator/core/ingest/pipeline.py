"""Reading a source end to end: reader -> roles -> repair -> records.

``finalize`` is shared by every reader: it maps speaker labels to roles,
quarantines conversations that cannot be imported (with the reason), repairs
structure and assigns stable ids.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from curator.core import records as R
from curator.core.errors import CuratorError
from curator.core.ingest.detect import detect_format
from curator.core.ingest.encoding import as_utf8, file_encoding
from curator.core.ingest.jsonl import read_jsonl
from curator.core.ingest.lines import BOM
from curator.core.ingest.model import QuarantineEntry, RawChunk
from curator.core.ingest.options import ImportOptions
from curator.core.ingest.preference import split_rejected
from curator.core.ingest.repair import explode_messages, needs_repair, repair, validate
from curator.core.ingest.source import Tap

_REC = "_rec"
_NOTES = "_reader_notes"
_REJ = "_rejected"


def file_hash(path: Path) -> str:
    """Content hash of a file (or of every file of a dataset folder).

    SHA-256 because CPUs hash it in hardware: about 2.5x faster than BLAKE2 here,
    which matters when the file is 2 GB.
    """
    h = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for f in files:
        if path.is_dir():
            h.update(str(f.relative_to(path)).encode())
        with open(f, "rb") as fh:
            while block := fh.read(8 << 20):
                h.update(block)
    return h.hexdigest()[:32]


def _is_json_array(path: Path) -> bool:
    """A ``[``-first file is one JSON array, unless its name says JSON Lines."""
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        return False
    with open(path, "rb") as fh:
        head = fh.read(4096)
    return head.removeprefix(BOM).lstrip().startswith(b"[")


def read_raw(
    path: Path, fmt: str, options: ImportOptions, limit: int | None = None, tap: Tap | None = None
) -> Iterator[RawChunk]:
    """The reader for ``fmt``, yielding raw chunks (UTF-16/32 text read as UTF-8).

    With a ``tap`` the reader reads the file once, through it: the tap's digest is
    the hash of exactly the bytes parsed (``ingest/source.py``)."""
    if fmt not in ("parquet", "hf") and file_encoding(path) is not None:
        return _read_transcoded(path, fmt, options, limit, tap)
    return _reader(path, fmt, options, limit, tap)


def _read_transcoded(
    path: Path, fmt: str, options: ImportOptions, limit: int | None, tap: Tap | None
) -> Iterator[RawChunk]:
    with as_utf8(path, tap) as utf8:  # the tap hashes the original; the copy is private
        yield from _reader(utf8, fmt, options, limit, None)


def _reader(
    path: Path, fmt: str, options: ImportOptions, limit: int | None, tap: Tap | None = None
) -> Iterator[RawChunk]:
    # each reader is imported when a file needs it (an import loads what it runs)
    if fmt in ("parquet", "hf"):
        from curator.core.ingest.tabular import read_tabular

        return read_tabular(path, fmt, options, limit, tap=tap)
    if fmt == "csv":
        from curator.core.ingest.csv_log import read_csv_log

        return read_csv_log(path, fmt, options, limit, tap)
    if fmt == "transcript":
        from curator.core.ingest.transcript import read_transcript

        return read_transcript(path, fmt, options, limit, tap)
    if path.is_dir():
        raise CuratorError(f"{path}: a folder cannot be read as {fmt}")
    if _is_json_array(path):
        from curator.core.ingest.json_array import read_json_array

        return read_json_array(path, fmt, options, limit, tap)
    return read_jsonl(path, fmt, options, limit, tap)


@dataclass
class Finalized:
    records: pl.DataFrame  # RECORD_SCHEMA (import_id 0)
    quarantine: list[QuarantineEntry] = field(default_factory=list)
    speakers: list[str] = field(default_factory=list)


def finalize(
    chunk: RawChunk,
    options: ImportOptions,
    *,
    source: str,
    source_path: str,
    identity: str | None,
) -> Finalized:
    """Roles, validation, repair and ids for one raw chunk (``identity`` None: ids
    left null, given later by ``with_ids``)."""
    quarantine = list(chunk.quarantine)
    if chunk.frame.height == 0:
        return Finalized(R.empty_records(), quarantine, [])
    frame, rejected = split_rejected(chunk.frame)
    msgs = explode_messages(frame)
    speakers = msgs.get_column("role").drop_nulls().unique().sort().to_list()
    msgs, problems = validate(frame, msgs, options.role_map)
    indexed = frame.with_row_index(_REC)
    if rejected is not None:
        indexed = indexed.with_columns(rejected.alias(_REJ))
    if chunk.notes is not None:
        indexed = indexed.with_columns(chunk.notes.alias(_NOTES))
    quarantine.extend(_entries(indexed.join(problems, on=_REC), chunk.raw_of))
    bad = problems.get_column(_REC)
    good = msgs.filter(~pl.col(_REC).is_in(bad.implode())) if len(bad) else msgs
    base = indexed.join(problems, on=_REC, how="anti") if len(bad) else indexed
    dirty = needs_repair(good)
    if len(dirty):
        per_rec, notes = repair(good.filter(pl.col(_REC).is_in(dirty.implode())))
        base = (
            base.join(per_rec.rename({R.MESSAGES: "_fixed"}), on=_REC, how="left")
            .join(notes, on=_REC, how="left")
            .with_columns(
                pl.when(pl.col(_REC).is_in(dirty.implode()))
                .then(pl.col("_fixed"))
                .otherwise(pl.col(R.MESSAGES).cast(R.MESSAGES_DTYPE))
                .alias(R.MESSAGES)
            )
        )
    else:
        base = base.with_columns(
            pl.col(R.MESSAGES).cast(R.MESSAGES_DTYPE), pl.lit(None, pl.List(pl.String)).alias(R.REPAIRS)
        )
    if chunk.notes is not None:  # the reader's notes come first: they happened first
        none = pl.lit([], pl.List(pl.String))
        base = base.with_columns(
            pl.concat_list(pl.col(_NOTES).fill_null(none), pl.col(R.REPAIRS).fill_null(none)).alias(R.REPAIRS)
        )
    empty = base.filter(pl.col(R.MESSAGES).is_null())
    quarantine.extend(
        _entries(
            empty.with_columns(pl.lit("no messages left: every message was empty").alias("reason")),
            chunk.raw_of,
        )
    )
    if empty.height:
        base = base.filter(pl.col(R.MESSAGES).is_not_null())
    out = base.select(
        _ids(identity, base.get_column(R.LOCATOR)),
        pl.lit(source).alias(R.SOURCE),
        pl.lit(source_path).alias(R.SOURCE_PATH),
        R.LOCATOR,
        R.LINE,
        pl.col(R.MESSAGES).cast(R.MESSAGES_DTYPE),
        R.META,
        pl.col(R.REPAIRS).fill_null(pl.lit([], pl.List(pl.String))),
        pl.lit(0, pl.Int64).alias(R.IMPORT_ID),
        (pl.col(_REJ) if rejected is not None else pl.lit(None, R.MESSAGE_DTYPE)).alias(R.REJECTED_ANSWER),
    )
    return Finalized(out, quarantine, speakers)


def _ids(identity: str | None, locators: pl.Series) -> pl.Series:
    """Record ids from the source's identity (None: not known yet, see ``with_ids``)."""
    if identity is None:
        return pl.repeat(None, len(locators), dtype=pl.String, eager=True).alias(R.ID)
    return R.record_id_series(identity, locators)


def with_ids(records: pl.DataFrame, identity: str) -> pl.DataFrame:
    """Ids for records finalised before their file's hash was known (the import
    hashes the bytes as it parses them, so the hash is known only at the end)."""
    return R.with_record_ids(records, identity)


def _entries(rows: pl.DataFrame, raw_of: Callable[[int], str | None] | None) -> list[QuarantineEntry]:
    """Quarantine entries for rejected conversations, with their original text
    (the source line when the reader can give it, else the messages as JSON)."""
    out = []
    for line, locator, reason, msgs in rows.select(R.LINE, R.LOCATOR, "reason", R.MESSAGES).iter_rows():
        raw = raw_of(line) if raw_of is not None and line is not None else None
        if raw is None and msgs is not None:
            raw = json.dumps(
                [{k: v for k, v in m.items() if v is not None} for m in msgs], ensure_ascii=False
            )
        out.append(QuarantineEntry(line, locator, reason, raw))
    return out


def sort_entries(entries: list[QuarantineEntry]) -> list[QuarantineEntry]:
    """File order: by line/row/index; whole-file entries (no line) first."""
    return sorted(entries, key=lambda q: -1 if q.line is None else q.line)


@dataclass
class Preview:
    """The head of a source as it would be imported, for the import dialog."""

    format: str
    records: pl.DataFrame
    quarantine: list[QuarantineEntry]
    columns: list[str]
    speakers: list[str]
    error: str | None = None


def resolve_format(path: Path, options: ImportOptions) -> str:
    return options.format if options.format != "auto" else detect_format(path, options)


def preview(path: Path, options: ImportOptions, limit: int = 20) -> Preview:
    """Read only the head of ``path`` and show what importing it would give."""
    path = Path(path)
    fmt = options.format
    try:
        fmt = resolve_format(path, options)
        records: list[pl.DataFrame] = []
        quarantine: list[QuarantineEntry] = []
        columns: list[str] = []
        speakers: set[str] = set()
        for chunk in read_raw(path, fmt, options, limit):
            done = finalize(chunk, options, source=path.name, source_path=str(path), identity="preview")
            records.append(done.records)
            quarantine.extend(done.quarantine)
            columns = chunk.columns or columns
            speakers.update(done.speakers)
            if sum(r.height for r in records) >= limit:
                break
    except CuratorError as exc:
        return Preview(fmt, R.empty_records(), [], [], [], str(exc))
    except OSError as exc:
        return Preview(fmt, R.empty_records(), [], [], [], f"{path}: cannot read it ({exc.strerror})")
    df = pl.concat(records).head(limit) if records else R.empty_records()
    error = unknown_speakers_hint(quarantine)
    return Preview(fmt, df, sort_entries(quarantine), columns, sorted(speakers), error)


def unknown_speakers_hint(quarantine: list[QuarantineEntry]) -> str | None:
    """A preview's error when speakers have no role yet: which, and the --role-map to write."""
    unknown = sorted({q.reason.split("'")[1] for q in quarantine if q.reason.startswith("unknown speaker")})
    if not unknown:
        return None
    names = ", ".join(repr(u) for u in unknown)
    pairs = ",".join(f"{u}=ROLE" for u in unknown)
    return f"unknown speaker(s) {names}; say which role each is with --role-map '{pairs}' (ROLE: user, assistant, system or tool)"
