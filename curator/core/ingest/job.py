"""The import job: many sources into a workspace, one published part per file.

Each file is read completely before anything of it is published, then
``Workspace.add_import`` writes its records and quarantine in one step. A
cancelled import therefore keeps the files finished before the cancel and
nothing of the file in progress. A file whose content hash was imported
before is skipped whole; otherwise only ids not yet in the workspace are added.

A file that cannot be imported at all (empty, binary, unknown format, a missing
mapped column, unreadable) is recorded as a failed import (format "failed", no
records) with one quarantine entry, locator "whole file", giving the reason. A
re-run reads it again and replaces that entry; a later successful import of the
same path or content removes it.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Generator, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from curator.core import records as R
from curator.core.engine import Engine, EngineFailure, ReadAhead
from curator.core.errors import CuratorError
from curator.core.failures import kind
from curator.core.faults import fault_point
from curator.core.ingest.detect import scan_sources, skip_reason
from curator.core.ingest.guards import oversized
from curator.core.ingest.model import QuarantineEntry
from curator.core.ingest.options import ImportOptions
from curator.core.ingest.pipeline import (
    file_hash,
    finalize,
    read_raw,
    resolve_format,
    sort_entries,
    with_ids,
)
from curator.core.ingest.prefetch import prefetch
from curator.core.ingest.source import Tap, reads_ahead, streams
from curator.core.integrity import clean_residue, damaged_part_error
from curator.core.jobs import Job, Progress
from curator.core.locks import workspace_lock
from curator.core.workspace import StagedPart, Workspace


@dataclass
class FileResult:
    source: str  # file name
    path: str
    format: str | None = None
    added: int = 0
    skipped_existing: int = 0
    quarantined: int = 0
    error: str | None = None  # the file could not be read at all
    already_imported: bool = False
    not_data: bool = False  # skipped, not read: see ``skipped`` for why
    skipped: str | None = None  # why it was not read (not data, a FIFO, a subfolder...)
    quarantine: list[QuarantineEntry] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["quarantine"] = [q._asdict() for q in self.quarantine]
        return d


@dataclass
class ImportSummary:
    files: list[FileResult] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)

    @property
    def skipped_existing(self) -> int:
        return sum(f.skipped_existing for f in self.files)

    @property
    def quarantined(self) -> int:
        return sum(f.quarantined for f in self.files)

    @property
    def failed(self) -> int:
        return sum(1 for f in self.files if f.error)

    @property
    def changed(self) -> bool:
        """Whether a file was read into the workspace (records or quarantined lines);
        failed files, kept only as a whole-file quarantine entry, do not count."""
        return any(
            f.error is None and not f.already_imported and not f.not_data for f in self.files
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": [f.to_dict() for f in self.files],
            "added": self.added,
            "skipped_existing": self.skipped_existing,
            "quarantined": self.quarantined,
            "failed": self.failed,
        }


def _existing_ids(ws: Workspace) -> pl.Series:
    parts = [ws.path / "records" / i.part for i in ws.imports() if i.part]
    if not parts:
        return pl.Series(R.ID, [], dtype=pl.String)
    try:
        return pl.scan_parquet(parts).select(R.ID).collect().get_column(R.ID)
    except Exception as exc:  # a damaged part: name it and its source, never "bug"
        raise damaged_part_error(ws, [p.name for p in parts], exc) from exc


def _existing_or_none(ws: Workspace, existing: pl.Series | None) -> pl.Series | None:
    """``_existing_ids`` (or ``existing`` when known), None for a damaged part: the file
    is then read the ordinary way and the damage raised where it always was."""
    if existing is not None:
        return existing
    try:
        return _existing_ids(ws)
    except CuratorError:
        return None


FAILED = "failed"  # the format of a failed import's row
WHOLE_FILE = "whole file"  # the locator of its quarantine entry


def _already(
    ws: Workspace,
    result: FileResult,
    digest: str,
    previous: dict[str, Any],
    failed: set[str],
    options: ImportOptions,
) -> bool:
    """Same bytes, same options: nothing new can come of it (marks ``result`` so).
    Different options (say, the --role-map a quarantine reason suggested) re-read it."""
    if digest not in previous or options.to_dict() not in ws.succeeded_import_options(digest):
        return False
    result.already_imported = True
    result.format = previous[digest].format
    result.skipped_existing = previous[digest].records
    if result.path in failed or digest in failed:  # it failed once; now it is in
        ws.drop_failed_imports(path=result.path, file_hash=digest)
    return True


def _hash_if_readable(path: Path) -> str | None:
    """A failed file's hash (so importing the same bytes later clears the failure)."""
    try:
        return file_hash(path)
    except OSError:
        return None


def _record_failure(
    ws: Workspace, result: FileResult, path: Path, digest: str | None, options: ImportOptions
) -> None:
    """Keep a file-level failure in the workspace's quarantine, replacing an earlier one."""
    reason = result.error or "could not be imported"
    for prefix in (f"{result.path}: ", f"{path}: ", f"{path.name}: "):
        if reason.startswith(prefix):
            reason = reason[len(prefix) :]
            break
    entry = QuarantineEntry(None, WHOLE_FILE, reason, None)
    ws.drop_failed_imports(path=result.path)
    ws.add_import(
        source=path.name,
        path=result.path,
        file_hash=digest or "",
        fmt=FAILED,
        options=options.to_dict(),
        records=R.empty_records(),
        quarantine=[(entry.line, entry.locator, entry.reason, entry.raw)],
    )
    result.quarantined = 1
    result.quarantine = [entry]


SPILL_BYTES = 512 << 20  # finalised records held in memory before spilling to disk
WAITING_BYTES = 256 << 20  # finalised records at most waiting for their file's hash (ids)


def finalised_chunks(
    path: Path,
    fmt: str,
    options: ImportOptions,
    source_path: str,
    step: str,
    tap: Tap | None = None,
) -> Iterator[tuple[pl.DataFrame, list[QuarantineEntry], Progress]]:
    """The file read chunk by chunk into finished records (ids still null: they need
    the file's hash, known at the end; see ``with_ids``) + quarantine (both engines)."""
    for chunk in prefetch(read_raw(path, fmt, options, tap=tap)):  # the next chunk read meanwhile
        done = finalize(chunk, options, source=path.name, source_path=source_path, identity=None)
        bad = list(done.quarantine)
        kept, too_big = oversized(done.records)  # the size guard (ingest/guards.py)
        if too_big:
            bad.extend(too_big)
        progress = Progress(step, chunk.done, chunk.total, path.name)
        records = kept if too_big else done.records
        del chunk, done, kept
        yield records, bad, progress


class SourceChanged(CuratorError):
    """The file changed while it was read: nothing of it is recorded."""


def _changed(path: Path, detail: str) -> SourceChanged:
    return SourceChanged(
        f"{path}: the file changed while it was being imported ({detail}); nothing of it was "
        "recorded. Import it again once it is complete (a file still being written cannot be "
        "imported)."
    )


def _digest_after(path: Path, tap: Tap | None, before: str | None) -> str:
    """The hash of the bytes read: the tap's, or (an untapped source) the hash taken
    before reading, which must still be the file's hash now."""
    if tap is not None:
        return tap.finish()
    assert before is not None
    if file_hash(path) != before:
        raise _changed(path, "its content is not what it was when the import began")
    return before


def stage_whole_file(
    ws_path: str,
    import_id: int,
    path: Path,
    fmt: str,
    options: ImportOptions,
    digest: str,
    source_path: str,
) -> tuple[StagedPart, pl.Series, list[QuarantineEntry], str]:
    """What a cluster engine's worker runs for one file: read it chunk by chunk (the
    local reader code), give each chunk its ids from ``digest`` (the hash the driver
    took) and write it straight into a staged part in the workspace folder
    ``ws_path`` (a shared filesystem), staged as import ``import_id``. Returns the
    finished part, the ids staged, the quarantine and the hash of the bytes read (not
    ``digest`` if the file changed meanwhile: the driver then refuses it). Memory holds
    a chunk or two, whatever the file's size; the records never reach the driver."""
    tap = Tap(path) if streams(path, fmt) else None
    staged = StagedPart(Path(ws_path), import_id, pairs=fmt == "preference")
    quarantine: list[QuarantineEntry] = []
    try:
        for records, bad, _ in finalised_chunks(path, fmt, options, source_path, "read", tap):
            quarantine.extend(bad)
            staged.add(records, identity=digest)
            del records
        # not _digest_after: a changed file is the driver's to refuse, not a worker error
        read = tap.finish() if tap is not None else file_hash(path)
        staged.finish()
    except BaseException:
        staged.discard()
        raise
    return staged, staged.ids(), sort_entries(quarantine), read


def _read_file(
    ws: Workspace,
    path: Path,
    fmt: str,
    options: ImportOptions,
    source_path: str,
    step: str,
) -> Generator[Progress, None, tuple[pl.DataFrame, list[QuarantineEntry], str]]:
    """Read one file into records + quarantine, in one pass that also hashes it:
    returns them with the hash of exactly the bytes parsed (``ingest/source.py``).

    Finalised chunks are kept in memory up to SPILL_BYTES; beyond that they are
    spilled to uncompressed Arrow files in a staging folder inside the
    workspace and read back once at the end, so a large file costs about one
    copy of its records in memory, not several.
    """
    quarantine: list[QuarantineEntry] = []
    held: list[pl.DataFrame] = []
    held_bytes = 0.0
    tap = Tap(path) if streams(path, fmt) else None
    before = None if tap is not None else file_hash(path)  # a folder / big Parquet: hashed twice
    with tempfile.TemporaryDirectory(prefix=f".staging-{os.getpid()}-", dir=ws.path) as tmp:
        parts: list[Path] = []
        for records, bad, progress in finalised_chunks(path, fmt, options, source_path, step, tap):
            quarantine.extend(bad)
            held.append(records)
            held_bytes += records.estimated_size()
            del records
            if held_bytes > SPILL_BYTES:
                parts.append(Path(tmp) / f"{len(parts):06d}.arrow")
                pl.concat(held, rechunk=False).write_ipc(parts[-1], compression="uncompressed")
                held, held_bytes = [], 0
            fault_point("import-chunk")
            yield progress
        digest = _digest_after(path, tap, before)
        frames = [pl.read_ipc(p) for p in parts] + held
        records = pl.concat(frames, rechunk=False) if frames else R.empty_records()
        return with_ids(records, digest), sort_entries(quarantine), digest


class _Hasher:
    """``file_hash(path)`` computed by a thread while the file is parsed (the ids of
    the records read need it before the tap's own hash is complete)."""

    def __init__(self, path: Path, known: str | None) -> None:
        self.value = known
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None
        if known is None:
            self.thread = threading.Thread(target=self._work, args=(path,), daemon=True)
            self.thread.start()

    def _work(self, path: Path) -> None:
        try:
            self.value = file_hash(path)
        except BaseException as exc:
            self.error = exc

    def ready(self) -> bool:
        """Whether :meth:`get` would return (or raise) without waiting."""
        return self.thread is None or not self.thread.is_alive()

    def get(self) -> str:
        if self.thread is not None:
            self.thread.join()
            self.thread = None
        if self.error is not None:
            raise self.error
        assert self.value is not None
        return self.value


class _TapDigest:
    """The digest of a tap that reads its file ahead (``Tap.digest``), as a ``_Hasher``."""

    def __init__(self, tap: Tap) -> None:
        self.tap = tap

    def ready(self) -> bool:
        return self.tap.digest_ready()

    def get(self) -> str:
        return self.tap.digest()


@dataclass
class _Staged:
    part: StagedPart
    quarantine: list[QuarantineEntry]
    digest: str  # the tap's: the hash of the bytes parsed
    identity: str  # the hash the ids were made from (``digest`` unless the file changed)
    total: int  # records read (before the ids already in the workspace were left out)
    fresh: pl.Series  # ids of the records staged
    # per chunk, the number of records staged and (when some were left out) all its records
    layout: list[tuple[int, pl.DataFrame | None]]

    def records(self) -> pl.DataFrame:
        """Every record read, in order, from the part and ``layout`` (ids of ``identity``)."""
        staged = self.part.read()
        frames, at = [], 0
        for kept, whole in self.layout:
            frames.append(staged.slice(at, kept) if whole is None else whole)
            at += kept
        return pl.concat(frames) if frames else R.empty_records()


def _read_staged(
    ws: Workspace,
    path: Path,
    fmt: str,
    options: ImportOptions,
    source_path: str,
    step: str,
    hashed: str | None,
    existing: pl.Series,
) -> Generator[Progress, None, _Staged]:
    """``_read_file`` on the local engine, writing the part while it reads: the file's
    hash is taken by a thread beside the reader (or is ``hashed``), so each chunk gets
    its ids at once, loses the ids the workspace has and goes to a :class:`StagedPart`.
    When the tap's hash of the bytes parsed is not that hash (the file changed while
    it was read), the caller gives the records the tap's ids instead (``records``)."""
    tap = Tap(path, ahead=reads_ahead(path)) if streams(path, fmt) else None
    before = None if tap is not None else (hashed or file_hash(path))
    identity: _Hasher | _TapDigest
    if tap is not None and tap.reads_ahead and hashed is None:
        identity = _TapDigest(tap)  # the tap hashes the file before it is parsed: no 2nd hash
    else:
        identity = _Hasher(path, hashed if tap is not None else before)
    staged = StagedPart(ws, ws.next_import_id(), pairs=fmt == "preference")
    quarantine: list[QuarantineEntry] = []
    layout: list[tuple[int, pl.DataFrame | None]] = []
    total = 0
    known = existing.implode()
    # chunks finalised before the file's hash is known (the ids need it): they wait
    # here, in order, while the next chunks are finalised, instead of the checks waiting
    # for the hash (at most WAITING_BYTES of them; then the import waits for the hash)
    waiting: list[pl.DataFrame] = []
    waiting_bytes = 0.0

    def stage(records: pl.DataFrame, digest: str) -> None:
        nonlocal total
        total += records.height
        if len(existing):  # the ids are needed here, to leave out those the workspace has
            records = with_ids(records, digest)
            kept = records.filter(~pl.col(R.ID).is_in(known))
            layout.append((kept.height, records if kept.height < records.height else None))
            staged.add(kept)
        else:  # the part's writer thread makes the ids, beside this thread's checks
            layout.append((records.height, None))
            staged.add(records, identity=digest)

    try:
        for records, bad, progress in finalised_chunks(path, fmt, options, source_path, step, tap):
            quarantine.extend(bad)
            waiting.append(records)
            waiting_bytes += records.estimated_size()
            del records
            if identity.ready() or waiting_bytes > WAITING_BYTES:
                digest = identity.get()
                for records in waiting:
                    stage(records, digest)
                waiting, waiting_bytes = [], 0
                del records
            fault_point("import-chunk")
            yield progress
        if waiting:
            digest = identity.get()
            for records in waiting:
                stage(records, digest)
            waiting = []
        digest = _digest_after(path, tap, before)
        staged.finish()
    except BaseException:
        staged.discard()
        raise
    return _Staged(staged, sort_entries(quarantine), digest, identity.get(), total, staged.ids(), layout)


def _discard(staged: _Staged | None) -> None:
    if staged is not None:
        staged.part.discard()


Identity = tuple[tuple[str, int, int, int, int], ...]


def _identity(path: Path) -> Identity:
    """Size, mtime, ctime and inode of a file (or of every file of a dataset folder).

    The ctime matters: a rewrite that keeps the size and sets the old mtime back
    still moves it (only the kernel sets it)."""
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    out = []
    for f in files:
        st = f.stat()
        out.append((str(f), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    return tuple(out)


def _check_unchanged(path: Path, before: Identity) -> None:
    after = _identity(path)
    if after != before:
        size = (sum(b[1] for b in before), sum(a[1] for a in after))
        detail = (
            f"{size[0]:,} -> {size[1]:,} bytes"
            if size[0] != size[1]
            else "same size, but it was written to"
        )
        raise _changed(path, detail)


def import_job(
    ws: Workspace, sources: Sequence[Path], options: ImportOptions, engine: Engine | None = None
) -> Job[ImportSummary]:
    """Import every source file; yields Progress, returns the ImportSummary.

    Holds the workspace's import lock throughout (one import at a time; the lock
    names its holder), so the ids and hashes already present are read inside it."""
    files, not_data = scan_sources([Path(s) for s in sources])
    lock = workspace_lock(ws.path, "an import")
    lock.acquire()
    try:
        clean_residue(ws)  # temp parts and staging folders of a killed import
        return (yield from _import_locked(ws, files, not_data, options, engine))
    finally:
        lock.release()


def _read_ahead(
    ws: Workspace, engine: Engine | None, files: list[Path], options: ImportOptions
) -> tuple[ReadAhead, dict[tuple[Any, ...], tuple[Any, ...]]] | None:
    """On a cluster engine, start staging every file on the workers (a window at a
    time); returns the read-ahead and its calls by (path, format, options, hash, source
    path). Each file is staged with the import id it gets if every file before it is
    imported (``StagedPart.relabel`` mends a part whose id was taken meanwhile)."""
    if engine is None or engine.name == "local" or not files:
        return None
    base = ws.next_import_id()
    calls: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for path in files:
        try:
            key = (path, resolve_format(path, options), options, file_hash(path), str(path.resolve()))
        except Exception:
            continue
        calls[key] = (str(ws.path.resolve()), base + len(calls), *key)
    return engine.read_ahead(stage_whole_file, list(calls.values())), calls


def _import_locked(
    ws: Workspace,
    files: list[Path],
    not_data: list[Path],
    options: ImportOptions,
    engine: Engine | None = None,
) -> Job[ImportSummary]:
    summary = ImportSummary()
    for path in not_data:
        summary.files.append(
            FileResult(
                source=path.name,
                path=str(path.absolute()),
                not_data=True,
                skipped=skip_reason(path),
            )
        )
    planned = _read_ahead(ws, engine, files, options)
    ahead, calls = planned if planned is not None else (None, {})
    done = False
    try:
        summary = yield from _import_files(ws, files, options, summary, ahead, calls)
        done = True
        return summary
    finally:
        if ahead is not None:  # parts staged for files never fetched (skipped); a failed
            ahead.close(_discard_part, wait=done)  # or cancelled job stops them instead


def _discard_part(result: Any) -> None:
    """A worker's staged file that was never published (``stage_whole_file``'s result)."""
    result[0].discard()


def _import_files(
    ws: Workspace,
    files: list[Path],
    options: ImportOptions,
    summary: ImportSummary,
    ahead: ReadAhead | None,
    calls: dict[tuple[Any, ...], tuple[Any, ...]],
) -> Job[ImportSummary]:
    imports = ws.imports()
    previous = {i.file_hash: i for i in imports if i.format != FAILED}
    failed = {i.path for i in imports if i.format == FAILED} | {
        i.file_hash for i in imports if i.format == FAILED
    }
    existing: pl.Series | None = None
    seen_paths = {i.path for i in imports if i.format != FAILED}
    for n, path in enumerate(files, start=1):
        result = FileResult(source=path.name, path=str(path.resolve()))
        summary.files.append(result)
        step = f"import {n}/{len(files)}"
        yield Progress(step, 0, None, path.name)
        digest: str | None = None
        staged: _Staged | None = None
        records: pl.DataFrame | None = None

        try:
            before = _identity(path)
            # A path imported before is hashed first, so an unchanged file is skipped
            # without being parsed; any other file is hashed as it is parsed (one read).
            hashed = None
            if result.path in seen_paths or ahead is not None:
                hashed = file_hash(path)
                if _already(ws, result, hashed, previous, failed, options):
                    continue
            fault_point("import-read")
            result.format = resolve_format(path, options)
            key = (path, result.format, options, hashed, result.path)
            if ahead is not None and hashed is not None and key in calls:
                part, ids, quarantine, digest = yield from ahead.get(calls[key], step)
                # the worker wrote the part: only its ids and quarantine came back
                staged = _Staged(part, quarantine, digest, hashed, ids.len(), ids, [(ids.len(), None)])
                records = None
            elif ahead is None and (existing := _existing_or_none(ws, existing)) is not None:
                # the local engine: the part is written as the file is read
                staged = yield from _read_staged(
                    ws, path, result.format, options, result.path, step, hashed, existing
                )
                records, quarantine, digest = None, staged.quarantine, staged.digest
            else:
                records, quarantine, digest = yield from _read_file(
                    ws, path, result.format, options, result.path, step
                )
            fault_point("import-hashed")
            _check_unchanged(path, before)
            if hashed is not None and digest != hashed:
                raise _changed(path, "its content is not what it was when the import began")
            if _already(ws, result, digest, previous, failed, options):  # the same bytes, another name
                _discard(staged)
                continue
            if staged is not None and staged.identity != digest:
                # the file changed while it was read and nothing could tell (coarse time
                # stamps): the ids are made from the hash of the bytes parsed, as always
                records = with_ids(staged.records(), digest)
                _discard(staged)
                staged = None
            if staged is not None and ahead is not None:
                existing = _existing_ids(ws) if existing is None else existing
                if staged.fresh.is_in(existing.implode()).any():
                    # staged on a worker that could not know: some of its records are in
                    # the workspace already (the same file, other options); read it back
                    records = staged.records()
                    _discard(staged)
                    staged = None
            height = staged.total if staged is not None else records.height  # type: ignore[union-attr]
            if height == 0 and not quarantine:
                raise CuratorError(f"{path.name}: no conversations found in it; nothing to import")
        except EngineFailure:
            _discard(staged)
            raise  # a worker died: the whole job stops, this file is not "failed"
        except SourceChanged as exc:
            _discard(staged)
            result.error = str(exc)
            continue  # refused: nothing recorded, not even a failure
        except CuratorError as exc:
            result.error = str(exc)
        except OSError as exc:
            if kind(exc) == "disk_full":
                _discard(staged)
                raise  # the workspace's disk, not the source: the whole import stops
            result.error = f"{path}: cannot read it ({exc.strerror or exc})"
        except Exception as exc:  # a reader bug must not lose the other files
            damaged = isinstance(exc, pl.exceptions.PolarsError) or type(exc).__module__.startswith(
                "pyarrow"
            )
            if damaged and result.format in ("parquet", "hf"):
                from curator.core.ingest.tabular import damaged_parquet

                result.error = str(damaged_parquet(path.name, exc))
            else:
                result.error = (
                    f"{path.name}: unexpected error while reading it ({type(exc).__name__}: {exc}); "
                    "nothing from this file was imported. This is a bug in Curator; please report it."
                )
        if result.error is not None:
            _discard(staged)
            _record_failure(ws, result, path, digest or _hash_if_readable(path), options)
            failed |= {result.path, digest or result.path}
            continue
        assert digest is not None and result.format is not None
        if existing is None:
            existing = _existing_ids(ws)
        fresh: pl.DataFrame | None = None
        if staged is not None:
            existing = existing.append(staged.fresh)
            total = staged.total
        else:
            assert records is not None
            new = ~records.get_column(R.ID).is_in(existing.implode())
            fresh = records if new.all() else records.filter(new)
            existing = existing.append(fresh.get_column(R.ID))
            total = records.height
        if staged is not None:  # staged ahead on a worker: its import id may have been taken
            staged.part.relabel(ws.next_import_id())
        try:
            row = ws.add_import(
                source=path.name,
                path=result.path,
                file_hash=digest,
                fmt=result.format,
                options=options.to_dict(),
                records=fresh,
                quarantine=[(q.line, q.locator, q.reason, q.raw) for q in quarantine],
                staged=staged.part if staged is not None else None,
            )
        finally:
            _discard(staged)
        if digest in previous:
            # This read supersedes the earlier ones: what still fails is quarantined again.
            ws.supersede_quarantine(digest, row.import_id)
        if result.path in failed or digest in failed:
            ws.drop_failed_imports(path=result.path, file_hash=digest)
        result.added = row.records
        result.skipped_existing = total - row.records
        if result.skipped_existing:
            ws.record_skipped(row.import_id, result.skipped_existing)
        result.quarantined = len(quarantine)
        result.quarantine = quarantine
        previous[digest] = row
    yield Progress("import", len(files), len(files), "done")
    return summary
