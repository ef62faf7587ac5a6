"""The on-disk workspace: Parquet snapshots, Parquet results, a SQLite journal.

Layout of ``NAME.curator/``::

    curator.db              SQLite (WAL): meta, imports, quarantine, journal,
                            review state, settings, runs
    records/import-NNNNNN.parquet   one file per import, never rewritten
    results/NAME.parquet    bulk job outputs (scores, flags, clusters), each
                            replaced atomically by the job that owns it

Bulk results live in Parquet rather than SQLite because the frame joins them
at a million rows; SQLite keeps what must survive a crash row by row (every
review action commits with ``synchronous=FULL`` before the call returns).
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal, cast

import numpy as np
import polars as pl

from curator.core import records as R
from curator.core.errors import CuratorError
from curator.core.failures import as_os_error
from curator.core.faults import fault_point
from curator.core.migrations import migrate

SCHEMA_VERSION = 4  # 2: journal.reviewer/how/batch_size; 3: state.rejected; 4: journal.overrode (core/migrations.py)
DB_NAME = "curator.db"

_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS imports (
    import_id INTEGER PRIMARY KEY,
    source TEXT NOT NULL, path TEXT NOT NULL, file_hash TEXT NOT NULL,
    format TEXT NOT NULL, options TEXT NOT NULL DEFAULT '{}',
    started_at TEXT NOT NULL, finished_at TEXT,
    records INTEGER NOT NULL DEFAULT 0, skipped_existing INTEGER NOT NULL DEFAULT 0,
    quarantined INTEGER NOT NULL DEFAULT 0, part TEXT
);
CREATE TABLE IF NOT EXISTS quarantine (
    qid INTEGER PRIMARY KEY, import_id INTEGER NOT NULL,
    source TEXT NOT NULL, path TEXT NOT NULL, line INTEGER, locator TEXT NOT NULL,
    reason TEXT NOT NULL, raw TEXT
);
CREATE TABLE IF NOT EXISTS journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, batch INTEGER NOT NULL,
    record_id TEXT NOT NULL, action TEXT NOT NULL,
    before TEXT NOT NULL, after TEXT NOT NULL, at REAL NOT NULL,
    undone INTEGER NOT NULL DEFAULT 0,
    reviewer TEXT, how TEXT, batch_size INTEGER, overrode TEXT
);
CREATE INDEX IF NOT EXISTS journal_batch ON journal(batch);
CREATE INDEX IF NOT EXISTS journal_record ON journal(record_id);
CREATE INDEX IF NOT EXISTS journal_undone ON journal(undone, batch);
CREATE TABLE IF NOT EXISTS state (
    record_id TEXT PRIMARY KEY, status TEXT NOT NULL, reason TEXT,
    messages TEXT, updated_at REAL NOT NULL, rejected TEXT
);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY, kind TEXT NOT NULL, params TEXT NOT NULL,
    started_at REAL NOT NULL, finished_at REAL, status TEXT NOT NULL, summary TEXT
);
"""


_STATE_COLUMNS = "record_id, status, reason, messages, updated_at, rejected"  # as _state_frame reads them


class WorkspaceError(CuratorError):
    """A workspace problem worth showing to the user verbatim."""


class WorkspaceDamaged(WorkspaceError):
    """The workspace (its database or a part) cannot be read; says what to do."""


SNAPSHOT_LIMIT = 1 << 30  # bytes of database + WAL copied to read them on read-only media
_SNAPSHOTS: dict[tuple[str, int, int], Any] = {}  # (db, WAL size, WAL mtime) -> TemporaryDirectory


def _read_only_media(db: Path, uri: str) -> sqlite3.Connection:
    """Read a workspace whose -shm file cannot be made (read-only media).

    ``immutable=1`` reads the database file alone and would silently miss
    transactions still in the WAL file (committed, not yet checkpointed), so
    with a non-empty WAL the database and its WAL are copied once per process
    to a temporary folder and read there (SQLite replays the WAL); above
    ``SNAPSHOT_LIMIT`` the open is refused, saying what to do.
    """
    wal = db.with_name(db.name + "-wal")
    try:
        st = wal.stat()
    except FileNotFoundError:
        st = None
    if st is None or st.st_size == 0:  # nothing beside the file: it is the whole database
        return sqlite3.connect(f"{uri}&immutable=1", uri=True, isolation_level=None)
    key = (str(db), st.st_size, st.st_mtime_ns)
    tmp = _SNAPSHOTS.get(key)
    if tmp is None:
        if db.stat().st_size + st.st_size > SNAPSHOT_LIMIT:
            raise WorkspaceError(
                f"{db.parent} is on read-only media and {wal.name} holds changes not yet "
                f"written into {db.name} ({st.st_size:,} bytes), which cannot be read here "
                "without copying more than "
                f"{SNAPSHOT_LIMIT >> 30} GiB. Copy the workspace folder to writable storage "
                "and open the copy."
            )
        import shutil
        import tempfile

        tmp = tempfile.TemporaryDirectory(prefix="curator-readonly-")
        for name in (db.name, wal.name):
            shutil.copyfile(db.with_name(name), Path(tmp.name) / name)
        _SNAPSHOTS[key] = tmp
    con = sqlite3.connect(Path(tmp.name) / db.name, timeout=30, isolation_level=None)
    con.execute("PRAGMA query_only=ON")  # a copy: nothing written to it could reach the media
    return con


def _connect(db: Path, *, readonly: bool) -> sqlite3.Connection:
    """A connection in WAL mode; read-only ones never write (not even the mode)."""
    if readonly:
        uri = f"{db.as_uri()}?mode=ro"
        try:
            con = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
            con.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        except sqlite3.OperationalError:
            # Read-only media: the -shm file cannot be made; nothing can change the file.
            con = _read_only_media(db, uri)
        return con
    con = sqlite3.connect(db, timeout=30, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("PRAGMA foreign_keys=ON")
    return con


def _is_sqlite(db: Path) -> bool:
    """Whether ``db`` (not empty) is an SQLite database, asked through SQLite itself.

    Never with ``open()``: closing any other descriptor of the file drops every
    POSIX lock this process's SQLite connections hold on it, so another process
    would take itself for the last user, checkpoint and delete the WAL and -shm
    files under our feet ("disk I/O error", and a risk of corruption).
    """
    try:
        con = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, timeout=30)
        try:
            con.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc):
            return False
    return True  # (or unreadable for another reason, which opening it will say)


def _is_damage(exc: OSError) -> bool:
    """An OSError that is about the file's content (arrow/parquet raise some as OSError)."""
    return exc.errno is None


def _create_database(db: Path) -> None:
    """Make a new database beside ``db`` and rename it into place, so a crash during
    creation never leaves a ``curator.db`` without tables or schema version."""
    tmp = db.with_name(f".{db.name}.{os.getpid()}.new")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.executescript(_DDL)
        con.execute("BEGIN IMMEDIATE")
        con.execute(
            "INSERT INTO meta VALUES ('schema_version', ?), ('created_at', ?)",
            (str(SCHEMA_VERSION), _now()),
        )
        con.execute("COMMIT")
    finally:
        con.close()
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, db)
    _fsync_dir(db.parent)


@dataclass(frozen=True)
class ImportRow:
    import_id: int
    source: str
    path: str
    file_hash: str
    format: str
    records: int
    skipped_existing: int
    quarantined: int
    part: str | None


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


QUARANTINE_RAW = 2000  # characters of a quarantined line's raw text kept (docs/ARCHITECTURE.md)
PART_DIGEST = "part_sha256:"  # settings key prefix: the sha256 of each record part


def part_digest(path: Path) -> str:
    """sha256 of a file, read in 8 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(8 << 20):
            h.update(block)
    return h.hexdigest()


def _part_number(name: str) -> str | None:
    stem = name.removeprefix("import-").removesuffix(".parquet")
    return stem if stem.isdigit() else None


def atomic_write_parquet(
    df: pl.DataFrame, path: Path, *, overwrite: bool = True, compression: str = "zstd"
) -> bool:
    """Write to a temp file, fsync, rename: readers never see half a file.

    With ``overwrite=False`` an existing ``path`` is left alone and False is
    returned (the file is linked into place, which fails when the name exists).
    A failed write (disk full) removes its temp file, so it does not keep the
    disk full. ``compression="lz4"`` suits data zstd cannot shrink (hashes).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        fault_point("write", path.name)
        df.write_parquet(tmp, compression=compression, statistics=False)  # type: ignore[arg-type]
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                return False
            finally:
                tmp.unlink(missing_ok=True)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        os_error = as_os_error(exc, path) if isinstance(exc, Exception) else None
        if os_error is not None and os_error is not exc:
            raise os_error from exc  # disk full inside Polars: say so, as an OSError
        raise
    _fsync_dir(path.parent)
    return True


# rows per row group of a staged part (the last one: the rest, written after the read),
# whatever the chunks the reader handed over
PART_ROWS = 50_000
# Snappy, not zstd: about half the CPU time to write (0.43 vs 0.84 CPU-s for 200k chats,
# measured with pyarrow's writer)
# and faster to read, for a part ~1.4x the size. Parts are read by Parquet readers
# only (Polars, pyarrow), which take any codec; `curator check` compares digests.
PART_CODEC: Literal["snappy"] = "snappy"
# Columns pyarrow dictionary-encodes when ``StagedPart.relabel`` writes a part again (the
# staged part itself is written by Polars' sink, which picks its own encodings): the
# few-valued ones (roles, the source, the import id, repair notes, the mostly-null
# message fields). Ids, locators, line numbers,
# message text and meta are nearly all distinct, so a dictionary for them was built
# only to be dropped again (Parquet falls back to plain past 1 MB of dictionary): about
# 8% of the part's encoding time, and the fallback left parts 2% larger than plain.
# Readers see no difference (the encoding is per column chunk; the values and types
# read back are the same).
PART_DICTIONARY = [
    R.SOURCE,
    R.SOURCE_PATH,
    R.IMPORT_ID,
    "repairs.list.element",
    *(
        f"{column}.{field}"
        for column in ("messages.list.element", R.REJECTED_ANSWER)
        for field in ("role", "name", "weight", "tool_calls", "tool_call_id")
    ),
]


class _HashingFile:
    """A file opened for writing whose every byte is also fed to SHA-256, in order
    (a part's digest without reading the part again)."""

    def __init__(self, path: Path) -> None:
        self.fh = open(path, "wb")  # noqa: SIM115 (closed by close(), after the writer)
        self.hash = hashlib.sha256()
        self.closed = False
        self.error: BaseException | None = None

    def write(self, data: Any) -> int:
        try:
            self.hash.update(data)
            return self.fh.write(data)
        except BaseException as exc:  # kept: a Parquet writer calling this may wrap it
            self.error = exc
            raise

    def tell(self) -> int:
        return self.fh.tell()

    def flush(self) -> None:
        self.fh.flush()

    def writable(self) -> bool:
        return True

    def close(self) -> None:
        if not self.closed:
            self.fh.flush()
            os.fsync(self.fh.fileno())
            self.fh.close()
            self.closed = True


# a chat part has no rejected_answer column (pairs' parts have it)
_CHAT_PART_SCHEMA = pl.Schema({k: v for k, v in R.RECORD_SCHEMA.items() if k != R.REJECTED_ANSWER})


class StagedPart:
    """A record part written while its file is still being read, for ``add_import``.

    Frames given to :meth:`add` (RECORD_SCHEMA, already without the ids the workspace
    has; ids set, or made by the writer from the source's identity: one BLAKE2 per
    record, in Python, off the reading thread) are written by a thread of their own,
    row group by row group, to
    a temp file in ``records/`` (``integrity.residue`` removes it if the process is
    killed), so the part's encoding and compression overlap the reading instead of
    following it. The part carries the import id ``import_id``, the one the next
    imports row gets (ids are not reused; only imports add rows, under the import
    lock); ``add_import`` checks it and writes the part again if it differs.

    A chat part has no ``rejected_answer`` column, a pair part has it (``pairs``);
    when a chunk does not fit that choice, it and everything after it are kept in
    memory instead and ``add_import`` writes the whole part the ordinary way.
    """

    def __init__(self, ws: Workspace | Path, import_id: int, pairs: bool) -> None:
        # a cluster worker stages into the workspace folder by path (a shared filesystem)
        folder = (ws if isinstance(ws, Path) else ws.path) / "records"
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f".staged-{import_id}.{os.getpid()}.{threading.get_ident()}.tmp"
        self.import_id = import_id
        self.pairs = pairs
        self.rows = 0  # rows given to the writer
        self.any_rejected = False
        self.held: list[pl.DataFrame] | None = None  # frames that did not fit, in order
        self.digest: str | None = None
        self._error: BaseException | None = None
        self._queue: queue.Queue[tuple[pl.DataFrame, str | None] | None] = queue.Queue(maxsize=2)
        # ids of the frames written, in order (writer thread); None once the part has
        # travelled to another process (the ids are sent beside it, not twice)
        self._ids: list[pl.Series] | None = []
        self._thread = threading.Thread(target=self._work, name="curator-part", daemon=True)
        self._thread.start()

    @property
    def height(self) -> int:
        return self.rows + sum(f.height for f in self.held or [])

    def add(self, records: pl.DataFrame, identity: str | None = None) -> None:
        """Stage ``records``; ``identity``: the source identity their ids (still null)
        are made from, on the writer's thread (see :meth:`ids`)."""
        if records.height == 0:
            return
        rejected = records.get_column(R.REJECTED_ANSWER).null_count() < records.height
        self.any_rejected |= rejected
        if self.held is None and rejected and not self.pairs:
            self.held = []
        if self.held is not None:
            self.held.append(records if identity is None else R.with_record_ids(records, identity))
            return
        self._check()
        self._queue.put((records, identity))
        self.rows += records.height

    def ids(self) -> pl.Series:
        """The ids of every record staged, in order (waits for the writer)."""
        self.finish()
        if self._ids is None:
            raise RuntimeError("a staged part's ids stay in the process that staged it")
        ids = self._ids + [f.get_column(R.ID) for f in self.held or []]
        return pl.concat(ids) if ids else pl.Series(R.ID, [], dtype=pl.String)

    def _check(self) -> None:
        if self._error is not None:
            raise self._error

    def _work(self) -> None:
        """The writer thread: Polars' streaming Parquet sink pulls the frames handed to
        :meth:`add` and cuts them into row groups of exactly PART_ROWS. Polars encodes
        columns on its thread pool, where pyarrow's writer encoded one after another on
        this thread (a million Alpaca records: 1.0 s and 1.7 CPU-s against 2.3 s and
        2.4 CPU-s)."""
        from polars.io.plugins import register_io_source

        schema = R.RECORD_SCHEMA if self.pairs else _CHAT_PART_SCHEMA
        out: _HashingFile | None = None
        ended = False  # the end marker (None) was taken from the queue
        raised: list[BaseException] = []  # what the frames' source raised, unwrapped

        def frames(first: tuple[pl.DataFrame, str | None]) -> Iterator[pl.DataFrame]:
            nonlocal ended
            item: tuple[pl.DataFrame, str | None] | None = first
            try:
                while item is not None:
                    frame, identity = item
                    if identity is not None:
                        frame = R.with_record_ids(frame, identity)
                    assert self._ids is not None
                    self._ids.append(frame.get_column(R.ID))
                    frame = frame.with_columns(pl.lit(self.import_id, pl.Int64).alias(R.IMPORT_ID))
                    del item
                    yield frame.select(schema.names()).cast(schema)
                    item = self._queue.get()
                ended = True
            except BaseException as exc:
                raised.append(exc)
                raise

        try:
            first = self._queue.get()
            if first is None:
                ended = True
                return  # nothing was given: no file
            out = _HashingFile(self.path)
            given = [first]  # the source takes it: this thread keeps no reference
            del first
            source = register_io_source(lambda *_: frames(given.pop()), schema=schema)
            source.sink_parquet(
                cast("IO[bytes]", out), compression=PART_CODEC, statistics=False, row_group_size=PART_ROWS
            )
            out.close()
            self.digest = out.hash.hexdigest()
        except BaseException as exc:  # raised again in the importing thread
            # the writer's own OSError (disk full) or the source's error, not Polars' wrapper
            cause = (out.error if out is not None else None) or (raised[0] if raised else exc)
            os_error = as_os_error(cause, self.path) if isinstance(cause, Exception) else None
            self._error = os_error if os_error is not None else cause
            while not ended and self._queue.get() is not None:
                pass
        finally:
            if out is not None and not out.closed:
                out.fh.close()

    def finish(self) -> None:
        """Wait for the writer; raise what it failed with."""
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        self._check()

    def __getstate__(self) -> dict[str, Any]:
        """A finished part travels (from a cluster worker to the importing process)
        as its file's path and what is known of it, without the writer thread."""
        self.finish()
        return {k: v for k, v in self.__dict__.items() if k not in ("_thread", "_queue", "_ids")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, _thread=None, _queue=None, _ids=None)

    def relabel(self, import_id: int) -> None:
        """The finished file written again, a row group at a time, with ``import_id`` in
        its import-id column (the import id it was staged with was taken meanwhile)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.finish()
        if import_id == self.import_id or not self.rows:
            self.import_id = import_id
            return
        tmp = self.path.with_name(f"{self.path.name}.relabel")
        try:
            src = pq.ParquetFile(self.path)
            out = _HashingFile(tmp)
            with pq.ParquetWriter(
                out,
                src.schema_arrow,
                compression=PART_CODEC,
                write_statistics=False,
                use_dictionary=PART_DICTIONARY,
            ) as writer:
                for g in range(src.num_row_groups):
                    table = src.read_row_group(g)
                    at = table.schema.get_field_index(R.IMPORT_ID)
                    ids = pa.array(np.full(table.num_rows, import_id), table.schema.field(at).type)
                    writer.write_table(table.set_column(at, table.schema.field(at), ids))
            out.close()
            os.replace(tmp, self.path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self.digest = out.hash.hexdigest()
        self.import_id = import_id

    def read(self) -> pl.DataFrame:
        """Every record given, in order (the written ones read back), import id 0."""
        frames = []
        if self.rows:
            written = pl.read_parquet(self.path).with_columns(pl.lit(0, pl.Int64).alias(R.IMPORT_ID))
            if R.REJECTED_ANSWER not in written.columns:
                written = written.with_columns(pl.lit(None, R.MESSAGE_DTYPE).alias(R.REJECTED_ANSWER))
            frames.append(written.select(list(R.RECORD_SCHEMA.names())))
        frames += [f.select(list(R.RECORD_SCHEMA.names())).cast(R.RECORD_SCHEMA) for f in self.held or []]
        return pl.concat(frames) if frames else R.empty_records()

    def fits(self, import_id: int) -> bool:
        """Whether the written file is the part as ``add_import`` would write it."""
        return (
            self.held is None
            and self.rows > 0
            and import_id == self.import_id
            and self.pairs == self.any_rejected
        )

    def discard(self) -> None:
        with suppress(BaseException):
            self.finish()
        self.path.unlink(missing_ok=True)


def atomic_write_batches(batches: Iterable[pl.DataFrame], path: Path, schema: pl.Schema) -> None:
    """Like ``atomic_write_parquet`` for a file written a batch (row group) at a time:
    only one batch is in memory; readers see the old file until the rename."""
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    arrow_schema = pl.DataFrame(schema=schema).to_arrow().schema
    try:
        fault_point("write", path.name)
        with pq.ParquetWriter(tmp, arrow_schema, compression="zstd") as writer:
            for batch in batches:
                writer.write_table(batch.select(list(schema.names())).cast(schema).to_arrow())
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class Workspace:
    """One open workspace. Thread-safe: each thread gets its own connection."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        # Set by jobs that rebuild derived data (run, dedup): an unreadable results
        # file then counts as missing and is rebuilt instead of failing the job.
        self.rebuild_damaged = False
        self.rebuilt: list[str] = []  # results files found damaged and dropped to rebuild
        self._local = threading.local()
        self._records_cache: tuple[tuple[str, ...], pl.DataFrame] | None = None
        self._state_cache: tuple[int, pl.DataFrame] | None = None
        self._override_cache: tuple[int, pl.DataFrame] | None = None
        self._lock = threading.RLock()

    # --- opening --------------------------------------------------------------
    @classmethod
    def open(
        cls, path: str | os.PathLike[str], *, create: bool = False, readonly: bool = False
    ) -> Workspace:
        """Open (or with ``create``, make) a workspace; OS and SQLite failures become
        WorkspaceErrors that name the folder, the kind of failure and what to do.

        ``readonly`` opens the database read-only (no write lock, works on
        read-only media); info, query, show and report use it.
        """
        try:
            return cls._open(path, create=create, readonly=readonly)
        except (OSError, sqlite3.Error) as exc:
            from curator.core.failures import explain

            raise WorkspaceError(
                f"cannot {'create or ' if create else ''}open the workspace at {path}: "
                + explain(exc, Path(path))
            ) from exc

    @classmethod
    def _open(cls, path: str | os.PathLike[str], *, create: bool, readonly: bool) -> Workspace:
        p = Path(path).expanduser().resolve()
        if p.exists() and not p.is_dir():
            raise WorkspaceError(f"{p} is a file, not a workspace folder. Pick another -w path.")
        db = p / DB_NAME
        if not db.exists():
            parts = sorted((p / "records").glob("import-*.parquet")) if p.is_dir() else []
            if parts:
                raise WorkspaceDamaged(
                    f"the workspace at {p} is damaged: {DB_NAME} is missing but records/ holds "
                    f"{len(parts)} record part(s). Restore {DB_NAME} from a backup; the parts are "
                    "left untouched. Or import the sources into a new workspace."
                )
            if not create:
                raise WorkspaceError(
                    f"{p} is not a Curator workspace (no {DB_NAME}). "
                    "Create one with `curator import SRC -w PATH`."
                )
            if p.exists() and any(p.iterdir()):
                raise WorkspaceError(
                    f"{p} exists and is not empty; refusing to turn it into a workspace. "
                    "Pick a new folder name, e.g. NAME.curator."
                )
            p.mkdir(parents=True, exist_ok=True)
            _create_database(db)
        elif db.stat().st_size == 0 or not _is_sqlite(db):
            if db.stat().st_size:
                raise WorkspaceDamaged(
                    f"the workspace at {p} is damaged: {db} is not an SQLite database. Nothing "
                    f"was changed. Restore {DB_NAME} from a backup; the record parts in records/ "
                    "are left untouched."
                )
            raise WorkspaceDamaged(
                f"the workspace at {p} is damaged: {db} is empty (0 bytes), so its imports, "
                "review decisions and settings are gone. Nothing was changed. Restore "
                f"{DB_NAME} from a backup; the record parts in records/ are left untouched "
                "(a 0-byte database is never taken as a new workspace)."
            )
        ws = cls(p, readonly=readonly)
        ws._check_schema()
        if not readonly:
            (p / "records").mkdir(exist_ok=True)
            (p / "results").mkdir(exist_ok=True)
            ws.db().executescript(_DDL)  # tables added since the workspace was made
        return ws

    def _check_schema(self) -> None:
        """Refuse a database without Curator's schema version; migrate an older one."""
        try:
            row = self.db().execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        except sqlite3.DatabaseError as exc:
            text = str(exc)
            if isinstance(exc, sqlite3.OperationalError) and "no such table" not in text:
                raise
            what = (
                "its pages are damaged"
                if "malformed" in text
                else "it is not a Curator database"
            )
            raise WorkspaceDamaged(
                f"the workspace at {self.path} is damaged: {self.path / DB_NAME}: {what} ({exc}). "
                f"Nothing was changed. Restore {DB_NAME} from a backup, or run "
                f"`curator check -w {self.path}` to see what is still readable."
            ) from exc
        if row is None:
            raise WorkspaceDamaged(
                f"the workspace at {self.path} is damaged: {self.path / DB_NAME} has no schema "
                f"version. Nothing was changed. Restore {DB_NAME} from a backup."
            )
        version = int(row[0])
        if version > SCHEMA_VERSION:
            raise WorkspaceError(
                f"{self.path} was written by a newer Curator (schema {version}); upgrade Curator."
            )
        if version < SCHEMA_VERSION:
            self._migrate(version)

    def _migrate(self, version: int) -> None:
        """Bring an older workspace forward (one transaction). A read-only open
        migrates through a short-lived writable connection; on read-only media it
        reads the older schema as it is."""
        con = self.db() if not self.readonly else None
        try:
            con = con or _connect(self.path / DB_NAME, readonly=False)
            con.execute("BEGIN IMMEDIATE")
            try:
                row = con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
                if int(row[0]) < SCHEMA_VERSION:  # (another process may have done it)
                    migrate(con, int(row[0]), SCHEMA_VERSION)
                    con.execute(
                        "UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION),)
                    )
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        except (sqlite3.OperationalError, OSError):
            if not self.readonly:
                raise
        finally:
            if self.readonly and con is not None:
                con.close()

    @property
    def name(self) -> str:
        return self.path.name

    # --- SQLite ---------------------------------------------------------------
    def db(self) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = _connect(self.path / DB_NAME, readonly=self.readonly)
            self._local.con = con
        return con

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: one consistent snapshot, no write lock taken."""
        con = self.db()
        if con.in_transaction:
            yield con
            return
        con.execute("BEGIN DEFERRED")
        try:
            yield con
        finally:
            con.execute("COMMIT")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT; the commit is durable when this exits."""
        con = self.db()
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    def close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None

    # --- settings ---------------------------------------------------------------
    def get_setting(self, key: str, default: Any = None) -> Any:
        row = self.db().execute("SELECT value FROM settings WHERE key=?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def set_setting(self, key: str, value: Any) -> None:
        with self.transaction() as con:
            con.execute(
                "INSERT INTO settings VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (key, json.dumps(value)),
            )

    # --- imports ------------------------------------------------------------------
    def imports(self) -> list[ImportRow]:
        rows = self.db().execute(
            "SELECT import_id, source, path, file_hash, format, records, skipped_existing,"
            " quarantined, part FROM imports WHERE finished_at IS NOT NULL ORDER BY import_id"
        )
        return [ImportRow(*r) for r in rows]

    def imported_hashes(self) -> set[str]:
        rows = self.db().execute("SELECT file_hash FROM imports WHERE finished_at IS NOT NULL")
        return {r[0] for r in rows}

    def add_import(
        self,
        *,
        source: str,
        path: str,
        file_hash: str,
        fmt: str,
        options: dict[str, Any],
        records: pl.DataFrame | None,
        quarantine: Iterable[tuple[int | None, str, str, str | None]],
        staged: StagedPart | None = None,
    ) -> ImportRow:
        """Publish one imported file: Parquet part first, then the DB rows.

        ``records`` must follow RECORD_SCHEMA (import_id is filled in here) and
        must already exclude ids present in the workspace; or (``records`` None)
        ``staged`` holds them, written already (see :class:`StagedPart`).
        ``quarantine`` rows are ``(line, locator, reason, raw)``. A crash before
        the commit leaves at most an orphan part file, which ``records()`` ignores.
        """
        with self._lock:
            with self.transaction() as con:
                cur = con.execute(
                    "INSERT INTO imports (source, path, file_hash, format, options, started_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (source, path, file_hash, fmt, json.dumps(options), _now()),
                )
                import_id = int(cur.lastrowid or 0)
            part: str | None = None
            digest: str | None = None
            height = 0
            if staged is not None:
                staged.finish()
                if staged.fits(import_id):
                    height = staged.rows
                    part = self._publish_staged(staged, import_id)
                    digest = staged.digest
                else:  # another import id, or a chunk that did not fit: the ordinary way
                    records = staged.read()
                    staged.discard()
            if records is not None:
                frame = records.with_columns(pl.lit(import_id, pl.Int64).alias(R.IMPORT_ID))
                if R.REJECTED_ANSWER not in frame.columns:
                    frame = frame.with_columns(pl.lit(None, R.MESSAGE_DTYPE).alias(R.REJECTED_ANSWER))
                frame = frame.select(list(R.RECORD_SCHEMA.names())).cast(R.RECORD_SCHEMA)
                if frame.get_column(R.REJECTED_ANSWER).null_count() == frame.height:
                    frame = frame.drop(R.REJECTED_ANSWER)  # chat parts stay as they always were
                height = frame.height
                if frame.height:
                    part = self._write_part(frame, import_id)
                    digest = part_digest(self.path / "records" / part)
            if part is not None:
                fault_point("import-part-published")
            q_rows = [
                (import_id, source, path, line, loc, reason, raw[:QUARANTINE_RAW] if raw else raw)
                for line, loc, reason, raw in quarantine
            ]
            with self.transaction() as con:
                con.executemany(
                    "INSERT INTO quarantine (import_id, source, path, line, locator, reason, raw)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    q_rows,
                )
                con.execute(
                    "UPDATE imports SET finished_at=?, records=?, quarantined=?, part=? WHERE import_id=?",
                    (_now(), height, len(q_rows), part, import_id),
                )
                if digest is not None:  # `curator check` compares it: a silent bit flip shows
                    con.execute(
                        "INSERT OR REPLACE INTO settings VALUES (?, ?)",
                        (f"{PART_DIGEST}{part}", json.dumps(digest)),
                    )
                fault_point("import-commit")
            self._records_cache = None
            return ImportRow(import_id, source, path, file_hash, fmt, height, 0, len(q_rows), part)

    def next_import_id(self) -> int:
        """The import id the next imports row gets (rowids: the largest one + 1)."""
        row = self.db().execute("SELECT COALESCE(MAX(import_id), 0) FROM imports").fetchone()
        return int(row[0]) + 1

    def _part_numbers(self, import_id: int) -> Iterator[int]:
        """Part numbers to try, first the import's own unless a part on disk or in the
        database has it: a part is never overwritten (not even after a restore)."""
        folder = self.path / "records"
        used = {int(m) for m in (_part_number(f.name) for f in folder.glob("import-*.parquet")) if m}
        used |= {int(m) for m in (_part_number(p) for p in self._parts()) if m}
        number = import_id if import_id not in used else max(used) + 1
        while True:
            yield number
            number += 1  # another process took it meanwhile

    def _write_part(self, frame: pl.DataFrame, import_id: int) -> str:
        """Publish a record part under a number no part on disk or in the database has."""
        for number in self._part_numbers(import_id):
            part = f"import-{number:06d}.parquet"
            target = self.path / "records" / part
            if atomic_write_parquet(frame, target, overwrite=False, compression=PART_CODEC):
                return part
        raise AssertionError("unreachable")

    def _publish_staged(self, staged: StagedPart, import_id: int) -> str:
        """Link the staged part's finished file into place (as ``_write_part`` would)."""
        folder = self.path / "records"
        try:
            for number in self._part_numbers(import_id):
                part = f"import-{number:06d}.parquet"
                fault_point("write", part)
                try:
                    os.link(staged.path, folder / part)
                except FileExistsError:
                    continue
                _fsync_dir(folder)
                return part
        finally:
            staged.path.unlink(missing_ok=True)
        raise AssertionError("unreachable")

    def import_options(self, file_hash: str) -> list[dict[str, Any]]:
        """Distinct option sets this file content was imported with."""
        rows = self.db().execute(
            "SELECT DISTINCT options FROM imports WHERE file_hash=? AND finished_at IS NOT NULL",
            (file_hash,),
        ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def supersede_quarantine(self, file_hash: str, import_id: int) -> None:
        """Drop quarantine rows of earlier imports of the same file content."""
        with self.transaction() as con:
            earlier = "SELECT import_id FROM imports WHERE file_hash=? AND import_id<>?"
            con.execute(f"DELETE FROM quarantine WHERE import_id IN ({earlier})", (file_hash, import_id))
            con.execute(
                "UPDATE imports SET quarantined=0 WHERE file_hash=? AND import_id<>?",
                (file_hash, import_id),
            )

    def succeeded_import_options(self, file_hash: str) -> list[dict[str, Any]]:
        """Like ``import_options`` but without failed imports (format "failed"),
        so a file that could not be read is read again on the next run."""
        rows = self.db().execute(
            "SELECT DISTINCT options FROM imports WHERE file_hash=? AND finished_at IS NOT NULL"
            " AND format<>'failed'",
            (file_hash,),
        ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def drop_failed_imports(self, *, path: str, file_hash: str | None = None) -> int:
        """Delete failed imports (format "failed") of this path, or of this content
        when ``file_hash`` is given, with their quarantine rows; returns how many.

        A retry of a failing file replaces its failure entry (no pile-up) and a
        successful import of the same file or content supersedes it.
        """
        failed = "SELECT import_id FROM imports WHERE format='failed' AND (path=? OR file_hash=?)"
        params = (path, file_hash if file_hash else None)
        with self.transaction() as con:
            con.execute(f"DELETE FROM quarantine WHERE import_id IN ({failed})", params)
            cur = con.execute(f"DELETE FROM imports WHERE import_id IN ({failed})", params)
            return int(cur.rowcount)

    def record_skipped(self, import_id: int, skipped: int) -> None:
        with self.transaction() as con:
            con.execute(
                "UPDATE imports SET skipped_existing=? WHERE import_id=?", (skipped, import_id)
            )

    def quarantine(self) -> pl.DataFrame:
        rows = self.db().execute(
            "SELECT import_id, source, path, line, locator, reason, raw FROM quarantine ORDER BY qid"
        ).fetchall()
        return pl.DataFrame(
            rows,
            schema={
                "import_id": pl.Int64,
                "source": pl.String,
                "path": pl.String,
                "line": pl.Int64,
                "locator": pl.String,
                "reason": pl.String,
                "raw": pl.String,
            },
            orient="row",
        )

    # --- records ----------------------------------------------------------------
    def _parts(self) -> tuple[str, ...]:
        return tuple(i.part for i in self.imports() if i.part)

    def records(self, columns: Sequence[str] | None = None) -> pl.DataFrame:
        """The imported snapshot, all parts, cached until the next import.

        ``columns``: only these record columns, in this order, read from the parts
        (projection pushdown: the readiness report skips the provenance columns)
        unless the whole snapshot is cached already; not cached themselves.

        An unreadable part raises WorkspaceDamaged naming the part and the source
        file to re-import (``curator repair`` quarantines it)."""
        parts = self._parts()
        with self._lock:
            if self._records_cache is not None and self._records_cache[0] == parts:
                df = self._records_cache[1]
                return df if columns is None else df.select(list(columns))
            if columns is not None:
                unknown = [c for c in columns if c not in R.RECORD_SCHEMA]
                if unknown:
                    raise ValueError(f"not record columns: {unknown}")
                return self._read_parts(parts, list(columns))
            df = self._read_parts(parts, None)
            self._records_cache = (parts, df)
            return df

    def _read_parts(self, parts: tuple[str, ...], columns: list[str] | None) -> pl.DataFrame:
        if not parts:
            empty = R.empty_records()
            return empty if columns is None else empty.select(columns)
        try:
            # Parts without preference pairs have no rejected_answer column: null.
            return pl.read_parquet(
                [self.path / "records" / p for p in parts],
                columns=columns,
                schema=R.RECORD_SCHEMA,
                missing_columns="insert",
            )
        except Exception as exc:  # polars/arrow/OS errors: find the part
            from curator.core.integrity import damaged_part_error

            raise damaged_part_error(self, parts, exc) from exc

    def record_ids(self) -> pl.Series:
        return self.records().get_column(R.ID)

    def record_count(self) -> int:
        row = self.db().execute(
            "SELECT COALESCE(SUM(records), 0) FROM imports WHERE finished_at IS NOT NULL"
        ).fetchone()
        return int(row[0])

    # --- review state -----------------------------------------------------------
    def state_version(self) -> int:
        """Bumped by every transaction that changes review state (any process)."""
        row = self.db().execute("SELECT value FROM meta WHERE key='state_version'").fetchone()
        return int(row[0]) if row else 0

    @staticmethod
    def bump_state_version(con: sqlite3.Connection) -> None:
        """Call inside the transaction that changes the ``state`` table."""
        con.execute(
            "INSERT INTO meta VALUES ('state_version', '1') ON CONFLICT(key) DO UPDATE "
            "SET value = CAST(value AS INTEGER) + 1"
        )

    def state(self) -> pl.DataFrame:
        """Current review state rows (only records a reviewer touched), cached per version."""
        with self._lock:
            version = self.state_version()
            if self._state_cache is not None and self._state_cache[0] == version:
                return self._state_cache[1]
            rows = self.db().execute(f"SELECT {_STATE_COLUMNS} FROM state").fetchall()
            df = self._state_frame(rows)
            self._state_cache = (version, df)
            return df

    def review_state(self) -> pl.DataFrame:
        """The review state the readiness report reads: id, status, edited_messages and
        edited_rejected of every row of :meth:`state` (without reason and time).

        Ids and statuses are read as two newline-joined strings from one query and
        split in Polars (a quarter of the time of fetching 333k rows one by one), the
        few edits row by row, in one read transaction; an id that holds a newline (or
        is null) makes the pieces disagree with the row count, and then the rows are
        fetched one by one. Served from :meth:`state`'s cache when that is current."""
        with self._lock:
            cached = self._state_cache
            if cached is not None and cached[0] == self.state_version():
                return cached[1].select(R.ID, R.STATUS, "edited_messages", "edited_rejected")
        with self.reading() as con:
            ids, statuses, n = con.execute(
                "SELECT group_concat(record_id, char(10)), group_concat(status, char(10)), count(*) FROM state"
            ).fetchone()
            edits = con.execute(
                "SELECT record_id, messages, rejected FROM state WHERE messages IS NOT NULL OR rejected IS NOT NULL"
            ).fetchall()
        schema = {R.ID: pl.String, "edited_messages": pl.String, "edited_rejected": pl.String}
        edited = pl.DataFrame(edits, schema=schema, orient="row")
        if not n:
            return pl.DataFrame(schema={R.ID: pl.String, R.STATUS: pl.String, **dict(list(schema.items())[1:])})
        split = pl.DataFrame({R.ID: [ids], R.STATUS: [statuses]}).select(
            pl.col(R.ID).str.split("\n"), pl.col(R.STATUS).str.split("\n")
        )
        lengths = split.select(pl.col(R.ID).list.len(), pl.col(R.STATUS).list.len()).row(0)
        if lengths != (n, n):
            return self.state().select(R.ID, R.STATUS, "edited_messages", "edited_rejected")
        rows = split.explode([R.ID, R.STATUS])
        if not edited.height:
            return rows.with_columns(pl.lit(None, pl.String).alias(c) for c in ("edited_messages", "edited_rejected"))
        return rows.join(edited, on=R.ID, how="left", maintain_order="left")

    def state_of(self, record_id: str) -> pl.DataFrame:
        """The state row of one record (empty if untouched), same columns as :meth:`state`;
        a point query, for the review pane's record detail."""
        rows = self.db().execute(f"SELECT {_STATE_COLUMNS} FROM state WHERE record_id=?", (record_id,)).fetchall()
        return self._state_frame(rows)

    @staticmethod
    def _state_frame(rows: list[Any]) -> pl.DataFrame:
        return pl.DataFrame(
            rows,
            schema={
                R.ID: pl.String,
                R.STATUS: pl.String,
                R.REASON: pl.String,
                "edited_messages": pl.String,
                R.REVIEWED_AT: pl.Float64,
                "edited_rejected": pl.String,
            },
            orient="row",
        )

    # --- results ------------------------------------------------------------------
    def result_path(self, name: str) -> Path:
        return self.path / "results" / f"{name}.parquet"

    @contextmanager
    def staging_folder(self) -> Iterator[Path]:
        """A fresh ``results/.staging-PID-*`` folder for a job's files until it publishes
        (same filesystem: publishing is a rename), removed with whatever is left in it
        however the job ends; a killed process's folder is residue (``integrity``)."""
        results = self.path / "results"
        results.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=f".staging-{os.getpid()}-", dir=results) as tmp:
            yield Path(tmp)

    def write_result(self, name: str, df: pl.DataFrame, *, compression: str = "zstd") -> None:
        atomic_write_parquet(df, self.result_path(name), compression=compression)

    def read_result(self, name: str, columns: Sequence[str] | None = None) -> pl.DataFrame | None:
        """A results file (only ``columns`` that it has, when given), None if absent."""
        p = self.result_path(name)
        return self.read_result_file(p, columns) if p.exists() else None

    def read_result_file(self, p: Path, columns: Sequence[str] | None = None) -> pl.DataFrame | None:
        """Read a results file. Results are derived: an unreadable one is rebuilt by
        ``run`` (counted as missing when ``rebuild_damaged``), otherwise named."""
        try:
            if columns is None:
                return pl.read_parquet(p)
            have = pl.read_parquet_schema(p)
            return pl.read_parquet(p, columns=[c for c in columns if c in have])
        except FileNotFoundError:
            return None
        except Exception as exc:
            if isinstance(exc, OSError) and not _is_damage(exc):
                raise
            if self.rebuild_damaged:
                p.unlink(missing_ok=True)
                self.rebuilt.append(p.name)
                return None
            raise WorkspaceDamaged(
                f"the results file {p} is damaged ({type(exc).__name__}: {str(exc)[:200]}). "
                f"Results are derived data: `curator run -w {self.path}` rebuilds it."
            ) from exc

    def delete_result(self, name: str) -> None:
        self.result_path(name).unlink(missing_ok=True)

    def write_flags(self, producer: str, flags: pl.DataFrame) -> None:
        """Replace the flags one producer (e.g. "filters", "dedup") owns."""
        df = flags.select(list(R.FLAGS_SCHEMA.names())).cast(R.FLAGS_SCHEMA)
        self.write_result(f"flags_{producer}", df)

    def flags(self) -> pl.DataFrame:
        """All flags from every producer: id, name, reason, severity."""
        files = sorted((self.path / "results").glob("flags_*.parquet"))
        frames = [df for df in map(self.read_result_file, files) if df is not None]
        if not frames:
            return pl.DataFrame(schema=R.FLAGS_SCHEMA)
        return self.apply_overrides(pl.concat(frames).cast(R.FLAGS_SCHEMA))

    def overrides(self) -> pl.DataFrame:
        """Approved records whose latest live approval overrode blocking flags:
        id, name (one row per flag). Cached per state version."""
        with self._lock:
            version = self.state_version()
            if self._override_cache is not None and self._override_cache[0] == version:
                return self._override_cache[1]
            rows = self.db().execute(
                "SELECT j.record_id, j.overrode FROM journal j JOIN state s ON s.record_id = j.record_id"
                " WHERE j.overrode IS NOT NULL AND j.undone = 0 AND s.status = 'approved' AND j.seq ="
                " (SELECT MAX(seq) FROM journal WHERE record_id = j.record_id AND undone = 0 AND action = 'approve')"
            ).fetchall()
            df = pl.DataFrame(rows, schema={R.ID: pl.String, "name": pl.String}, orient="row")
            df = df.with_columns(pl.col("name").str.split(", ")).explode("name")
            self._override_cache = (version, df)
            return df

    def apply_overrides(self, flags: pl.DataFrame) -> pl.DataFrame:
        """Blocking flags a person approved past read severity "overridden"."""
        over = self.overrides()
        if not over.height or not flags.height:
            return flags
        hit = flags.join(over.with_columns(pl.lit(True).alias("_o")), on=[R.ID, "name"], how="left")
        sev = pl.when(pl.col("_o").fill_null(False) & (pl.col("severity") == R.BLOCK))
        return hit.with_columns(sev.then(pl.lit(R.OVERRIDDEN)).otherwise(pl.col("severity")).alias("severity")).drop("_o")

    def clusters(self) -> pl.DataFrame:
        df = self.read_result("clusters")
        if df is None:
            return pl.DataFrame(schema=R.CLUSTERS_SCHEMA)
        return df.select(list(R.CLUSTERS_SCHEMA.names())).cast(R.CLUSTERS_SCHEMA)

    # --- the joined frame ----------------------------------------------------------
    def frame(self) -> pl.DataFrame:
        """Records with review state, effective messages, flags and clusters.

        ``messages`` is what would be exported (the reviewer's edit if any);
        ``edited`` says whether it differs from the imported snapshot.
        """
        from curator.core.frame import build_frame

        return build_frame(self.records(), self.state(), self.flags(), self.clusters())

    # --- runs ---------------------------------------------------------------------
    def log_run(self, kind: str, params: dict[str, Any], summary: dict[str, Any]) -> None:
        with self.transaction() as con:
            con.execute(
                "INSERT INTO runs (kind, params, started_at, finished_at, status, summary)"
                " VALUES (?, ?, ?, ?, 'done', ?)",
                (kind, json.dumps(params), time.time(), time.time(), json.dumps(summary)),
            )

    def last_run(self, kind: str) -> dict[str, Any] | None:
        row = self.db().execute(
            "SELECT params, summary, finished_at FROM runs WHERE kind=? ORDER BY run_id DESC LIMIT 1",
            (kind,),
        ).fetchone()
        if row is None:
            return None
        return {"params": json.loads(row[0]), "summary": json.loads(row[1]), "at": row[2]}
