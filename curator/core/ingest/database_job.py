"""Importing a database query into a workspace, and previewing it.

The rows stream in batches (``database.read_batches``), with progress per
batch, into columnar frames; when the query is exhausted they are grouped
into conversations by the CSV log's ``group_rows`` and finalised like any
file. Only then is one part published (``Workspace.add_import``): a query
that fails, a missing column or a connection lost mid-stream publishes
nothing and is recorded as a failed import naming the query.

Record ids come from the target (without credentials) + query + the
conversation key, so importing again adds only conversations not yet in the
workspace.
"""

from __future__ import annotations

import polars as pl

from curator.core import records as R
from curator.core.errors import CuratorError
from curator.core.ingest.csv_log import group_rows
from curator.core.ingest.database import DatabaseSource, read_batches
from curator.core.ingest.guards import oversized
from curator.core.ingest.job import FAILED, WHOLE_FILE, FileResult, ImportSummary, _existing_ids
from curator.core.ingest.model import QuarantineEntry, RawChunk
from curator.core.ingest.options import ImportOptions
from curator.core.ingest.pipeline import Preview, finalize, sort_entries, unknown_speakers_hint
from curator.core.integrity import clean_residue
from curator.core.jobs import Job, Progress
from curator.core.locks import workspace_lock
from curator.core.workspace import Workspace

_ROW = "_row"  # as in csv_log: the 1-based row of the query result


def _rows(source: DatabaseSource, step: str, limit_rows: int | None = None) -> Job[pl.DataFrame]:
    frames: list[pl.DataFrame] = []
    for batch in read_batches(source, limit_rows):
        frames.append(batch.frame)
        yield Progress(step, batch.rows_done, None, f"{source.label}: {batch.rows_done:,} rows")
    df = pl.concat(frames, rechunk=True) if len(frames) > 1 else frames[0]
    return df.with_row_index(_ROW, offset=1).with_columns(pl.col(_ROW).cast(pl.Int64))


def _group(
    source: DatabaseSource, df: pl.DataFrame, options: ImportOptions, limit: int | None = None
) -> RawChunk:
    """The CSV log's grouping; a column error also names the query."""
    try:
        return group_rows(df, options, source.target, df.height, limit, keyed=True)
    except CuratorError as exc:
        raise CuratorError(f"{exc} Query: {source.query}") from None


def _stored_options(source: DatabaseSource, options: ImportOptions) -> dict[str, object]:
    return {**options.to_dict(), "query": source.query, "table": source.table}


def import_database_job(
    ws: Workspace, source: DatabaseSource, options: ImportOptions
) -> Job[ImportSummary]:
    """Import the rows of ``source``'s query; yields Progress, returns the ImportSummary."""
    lock = workspace_lock(ws.path, "an import")
    lock.acquire()
    try:
        clean_residue(ws)
        return (yield from _import_locked(ws, source, options))
    finally:
        lock.release()


def _import_locked(
    ws: Workspace, source: DatabaseSource, options: ImportOptions
) -> Job[ImportSummary]:
    summary = ImportSummary()
    result = FileResult(source=source.label, path=source.target, format=source.kind)
    summary.files.append(result)
    step = "import 1/1"
    yield Progress(step, 0, None, source.label)
    try:
        df = yield from _rows(source, step)
        chunk = _group(source, df, options)
        del df
        done = finalize(
            chunk, options, source=source.label, source_path=source.target, identity=source.identity
        )
        records, quarantine = done.records, done.quarantine
        kept, too_big = oversized(records)
        if too_big:
            quarantine.extend(too_big)
            records = kept
        quarantine = sort_entries(quarantine)
        if records.height == 0 and not quarantine:
            raise CuratorError(
                f"{source.target}: the query returned no rows; nothing to import. Query: {source.query}"
            )
    except CuratorError as exc:
        result.error = source.scrub(str(exc))
        _record_failure(ws, result, source, options)
        return summary
    existing = _existing_ids(ws)
    new = ~records.get_column(R.ID).is_in(existing.implode())
    fresh = records if new.all() else records.filter(new)
    row = ws.add_import(
        source=source.label,
        path=source.target,
        file_hash=source.identity,
        fmt=source.kind,
        options=_stored_options(source, options),
        records=fresh,
        quarantine=[(q.line, q.locator, q.reason, q.raw) for q in quarantine],
    )
    ws.supersede_quarantine(
        source.identity, row.import_id
    )  # this read's quarantine replaces earlier ones
    ws.drop_failed_imports(path=source.target, file_hash=source.identity)
    result.added = row.records
    result.skipped_existing = records.height - fresh.height
    if result.skipped_existing:
        ws.record_skipped(row.import_id, result.skipped_existing)
    result.quarantined = len(quarantine)
    result.quarantine = quarantine
    yield Progress("import", 1, 1, "done")
    return summary


def _record_failure(
    ws: Workspace, result: FileResult, source: DatabaseSource, options: ImportOptions
) -> None:
    """A failed read is kept as a failed import with one entry (no records), replacing an earlier one."""
    reason = (result.error or "could not be imported").removeprefix(f"{source.target}: ")
    entry = QuarantineEntry(None, WHOLE_FILE, reason, None)
    ws.drop_failed_imports(path=source.target, file_hash=source.identity)
    ws.add_import(
        source=source.label,
        path=source.target,
        file_hash=source.identity,
        fmt=FAILED,
        options=_stored_options(source, options),
        records=R.empty_records(),
        quarantine=[(entry.line, entry.locator, entry.reason, entry.raw)],
    )
    result.quarantined = 1
    result.quarantine = [entry]


def preview_database(source: DatabaseSource, options: ImportOptions, limit: int = 20) -> Preview:
    """The first conversations of the query's first rows, as the import dialog shows them."""
    try:
        job = _rows(source, "preview", limit_rows=max(limit * 50, 1000))
        try:
            while True:
                next(job)
        except StopIteration as stop:
            df = stop.value
        chunk = _group(source, df, options, limit)
        done = finalize(
            chunk, options, source=source.label, source_path=source.target, identity=source.identity
        )
    except CuratorError as exc:
        return Preview(source.kind, R.empty_records(), [], [], [], source.scrub(str(exc)))
    quarantine = sort_entries(done.quarantine)
    hint = unknown_speakers_hint(quarantine)
    return Preview(
        source.kind, done.records.head(limit), quarantine, chunk.columns, done.speakers, hint
    )
