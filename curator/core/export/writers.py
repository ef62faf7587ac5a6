"""Atomic publishing of an export folder: a fresh folder, then one rename.

The complete export (data files, snippets, manifest) is written into a fresh
hidden folder beside the target (same file system), each file fsynced. The
manifest carries a signature field. Publishing swaps the fresh folder with the
target in one atomic ``renameat2(RENAME_EXCHANGE)`` (or renames it into place
when there is no target yet), then deletes the previous export. A crash or a
full disk leaves either the old export or the new one, never a mix; a dead
process's fresh folder is removed next time. Only a folder that is empty or
holds a Curator export (signed manifest listing every entry) is replaced.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import polars as pl

from curator.core.errors import CuratorError
from curator.core.failures import as_os_error
from curator.core.faults import fault_point
from curator.core.workspace import _fsync_dir

STAGING_PREFIX: Final = ".curator-export-"
MANIFEST: Final = "manifest.json"
SIGNATURE: Final = "curator_signature"
_SIGNING_KEY: Final = b"curator export manifest v1\0"
NEW_MARK: Final = ".curator-new-"  # .NAME.curator-new-PID-XXXX beside NAME: being written
OLD_MARK: Final = ".curator-old-"  # the previous export during a fallback swap
_AT_FDCWD: Final = -100
_RENAME_EXCHANGE: Final = 2
CHUNK_ROWS: Final = 50_000
# Files an export may own; a new export removes the ones it does not rewrite.
OWNED: Final = (
    "train.jsonl",
    "validation.jsonl",
    "train.json",
    "validation.json",
    "train.parquet",
    "validation.parquet",
    "dataset",
    "dataset_info.json",
    "axolotl.yaml",
    "trl_sft.yaml",
    "llamafactory_sft.yaml",
    "openai_job.json",
    "README.md",
)


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def file_digest(path: Path) -> tuple[int, str]:
    """(bytes, sha256) of a file, or of every file in a folder in name order."""
    h = hashlib.sha256()
    size = 0
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for f in files:
        if path.is_dir():
            h.update(str(f.relative_to(path)).encode() + b"\0")
        with open(f, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
                size += len(block)
    return size, h.hexdigest()


def _owner_alive(name: str) -> bool:
    """True when a staging folder belongs to another export still running."""
    pid_text = name.rsplit(NEW_MARK, 1)[-1] if NEW_MARK in name else name[len(STAGING_PREFIX) :]
    pid_text = pid_text.split("-", 1)[0]
    if not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def sign(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest with its signature field: a hash of the rest under Curator's key,
    so a ``manifest.json`` that Curator did not write is never taken for one."""
    body = {k: v for k, v in manifest.items() if k != SIGNATURE}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(_SIGNING_KEY + text.encode("utf-8")).hexdigest()
    return {**body, SIGNATURE: f"sha256:{digest}"}


def read_curator_manifest(folder: Path) -> dict[str, Any] | None:
    """The folder's manifest when Curator wrote it (signature checks out), else None."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict):
        return None
    if SIGNATURE in manifest:
        return manifest if sign(manifest).get(SIGNATURE) == manifest[SIGNATURE] else None
    # An export from before signatures: Curator's keys, and only Curator's file names.
    legacy = {"curator_version", "files", "sources", "schema", "selection"} <= manifest.keys()
    return manifest if legacy and not (_entries(folder) - set(OWNED) - {MANIFEST}) else None


def _entries(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if not p.name.startswith(STAGING_PREFIX)}


def _fresh_dir(output_dir: Path) -> Path:
    return output_dir.parent / f".{output_dir.name}{NEW_MARK}{os.getpid()}-{uuid.uuid4().hex[:8]}"


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE); False
    where the system or file system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def recover(output_dir: Path) -> None:
    """Finish or undo a publish that a crash interrupted; remove dead staging folders.

    Only the fallback swap (no renameat2) has a window without ``output_dir``:
    the previous export then waits under an ``-old`` name and is put back."""
    parent = output_dir.parent
    if not parent.is_dir():
        return
    for p in parent.glob(f".{output_dir.name}{OLD_MARK}*"):
        if not output_dir.exists():
            os.replace(p, output_dir)
        else:
            shutil.rmtree(p, ignore_errors=True)
    for p in parent.glob(f".{output_dir.name}{NEW_MARK}*"):
        if not _owner_alive(p.name):
            shutil.rmtree(p, ignore_errors=True)
    if output_dir.is_dir():
        for old in output_dir.glob(f"{STAGING_PREFIX}*"):  # staging of older Curators
            if not _owner_alive(old.name):
                shutil.rmtree(old, ignore_errors=True)


class Staging:
    """A fresh folder beside ``output_dir``; ``publish()`` swaps it into place whole.

    Everything the export writes goes into the fresh folder (any file: data,
    manifest, snippets, cards), so the published folder is exactly what was
    staged, and a crash leaves the old export or the new one, never a mix.
    """

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = output_dir
        self.dir = _fresh_dir(output_dir)

    def __enter__(self) -> Staging:
        try:
            self.output_dir.parent.mkdir(parents=True, exist_ok=True)
            recover(self.output_dir)
            self.dir.mkdir()
        except OSError as exc:
            raise CuratorError(
                f"cannot write beside {self.output_dir} (the export is staged in a new folder next "
                f"to it): {exc.strerror or exc}. Pick another -o folder."
            ) from exc
        return self

    def __exit__(self, *exc: Any) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name: str) -> Path:
        return self.dir / name

    def write_lines(
        self, name: str, lines: pl.Series, *, json_array: bool = False
    ) -> Iterator[int]:
        """Write one line per element (or a JSON array of them); yields lines written."""
        with self.line_writer(name, json_array=json_array) as out:
            for start in range(0, lines.len(), CHUNK_ROWS):
                out.write(lines.slice(start, CHUNK_ROWS))
                yield min(lines.len(), start + CHUNK_ROWS)

    def line_writer(self, name: str, *, json_array: bool = False) -> LineWriter:
        """A staged file written chunk by chunk (``write_lines`` without the whole Series)."""
        return LineWriter(self.path(name), name, json_array)

    def table_writer(self, name: str, schema: Any, *, stream: bool = False) -> TableWriter:
        """A staged Parquet file (or, ``stream``, an Arrow IPC stream) written table by table."""
        return TableWriter(self.path(name), name, schema, stream)

    def write_text(self, name: str, text: str) -> None:
        path = self.path(name)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())

    def write_parquet(self, name: str, df: pl.DataFrame) -> None:
        path = self.path(name)
        try:
            df.write_parquet(path, compression="zstd")
        except Exception as exc:
            os_error = as_os_error(exc, path)
            if os_error is None or os_error is exc:
                raise
            raise os_error from exc
        _fsync_file(path)

    def write_arrow_parquet(self, name: str, table: Any) -> None:
        """A pyarrow Table as Parquet (keeps the table's exact Arrow types)."""
        import pyarrow.parquet as pq

        path = self.path(name)
        pq.write_table(table, path, compression="zstd")
        _fsync_file(path)

    def sync_tree(self, name: str) -> None:
        root = self.path(name)
        for f in root.rglob("*"):
            if f.is_file():
                _fsync_file(f)
        for d in [root, *(p for p in root.rglob("*") if p.is_dir())]:
            _fsync_dir(d)

    def publish(self, names: list[str] | None, manifest: dict[str, Any] | str) -> dict[str, Any]:
        """Sign and write the manifest, then swap the staged folder into place in one
        atomic rename. ``names`` is accepted for older callers: every staged file is
        published. Refuses (CuratorError) when the target holds files Curator did not
        write, checked again here in case they appeared since the preflight."""
        out = self.output_dir
        body: dict[str, Any] = json.loads(manifest) if isinstance(manifest, str) else manifest
        conflicts = check_output_dir(out)
        if conflicts:
            raise CuratorError(conflict_message(out, conflicts))
        published = sorted(p.name for p in self.dir.iterdir() if p.name != MANIFEST)
        signed = sign({**body, "published": [*published, MANIFEST]})
        self.write_text(MANIFEST, json.dumps(signed, indent=2, ensure_ascii=False) + "\n")
        _fsync_dir(self.dir)
        fault_point("export-staged")
        if out.exists():
            if _exchange(self.dir, out):
                fault_point("export-swapped")
            else:  # no atomic swap here: move the old one aside, then the new one in
                old = out.parent / f".{out.name}{OLD_MARK}{uuid.uuid4().hex[:8]}"
                os.replace(out, old)
                fault_point("export-moved-old")
                os.replace(self.dir, out)
                os.replace(old, self.dir)
            _fsync_dir(out.parent)
            shutil.rmtree(self.dir, ignore_errors=True)  # the previous export
        else:
            os.replace(self.dir, out)
        _fsync_dir(out.parent)
        fault_point("export-published")
        return signed


def conflict_message(output_dir: Path, conflicts: list[str]) -> str:
    shown = ", ".join(conflicts[:10]) + (
        f" and {len(conflicts) - 10} more" if len(conflicts) > 10 else ""
    )
    return (
        f"{output_dir} already holds {shown} not written by Curator (no Curator manifest.json lists "
        "them); refusing to overwrite it. Choose an empty or new folder, or move those files out."
    )


def check_output_dir(output_dir: Path) -> list[str]:
    """Entries of ``output_dir`` that Curator did not write (empty when it may be replaced).

    A folder is replaced only when it is empty or holds a Curator export whose
    signed manifest lists every entry: someone's own files are never deleted.
    """
    if not output_dir.exists():
        return []
    if not output_dir.is_dir():
        raise CuratorError(f"{output_dir} is a file; -o needs a folder.")
    entries = _entries(output_dir)
    if not entries:
        return []
    manifest = read_curator_manifest(output_dir)
    if manifest is None:
        return sorted(entries)
    listed = set(manifest.get("published") or [*OWNED, MANIFEST])
    return sorted(entries - listed)


class LineWriter:
    """One staged data file written in chunks: JSONL lines, or the elements of a JSON
    array (``[\n`` a``,\n``b ``\n]\n``); the bytes do not depend on the chunking.
    Synced to disk on a clean close; an exception leaves it to the staging cleanup."""

    def __init__(self, path: Path, name: str, json_array: bool) -> None:
        self.name = name
        self.json_array = json_array
        self.lines = 0
        self._fh = open(path, "wb")  # noqa: SIM115 - closed in __exit__
        if json_array:
            self._fh.write(b"[\n")

    def write(self, lines: pl.Series) -> None:
        for start in range(0, lines.len(), CHUNK_ROWS):
            chunk = lines.slice(start, CHUNK_ROWS).to_list()
            if not chunk:
                continue
            if self.json_array:
                text = (",\n" if self.lines else "") + ",\n".join(chunk)
            else:
                text = "\n".join(chunk) + "\n"
            self._fh.write(text.encode("utf-8"))
            self.lines += len(chunk)
            fault_point("export-write", self.name)

    def __enter__(self) -> LineWriter:
        return self

    def __exit__(self, kind: Any, *rest: Any) -> None:
        try:
            if kind is None:
                if self.json_array:
                    self._fh.write(b"\n]\n" if self.lines else b"]\n")
                self._fh.flush()
                os.fsync(self._fh.fileno())
        finally:
            self._fh.close()


class TableWriter:
    """One staged table file written a pyarrow table at a time: Parquet (zstd, a row group
    per table written) or an Arrow IPC stream (the file ``datasets.Dataset.from_file``
    memory-maps). Every table must have ``schema``. Synced to disk on a clean close."""

    def __init__(self, path: Path, name: str, schema: Any, stream: bool) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.name = name
        self.rows = 0
        self._path = path
        self._sink: Any = None
        if stream:
            self._sink = pa.OSFile(str(path), "wb")
            self._writer: Any = pa.ipc.new_stream(self._sink, schema)
        else:
            self._writer = pq.ParquetWriter(path, schema, compression="zstd")

    def write(self, table: Any) -> None:
        try:
            self._writer.write_table(table)
        except Exception as exc:
            os_error = as_os_error(exc, self._path)
            if os_error is None or os_error is exc:
                raise
            raise os_error from exc
        self.rows += table.num_rows
        fault_point("export-write", self.name)

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, kind: Any, *rest: Any) -> None:
        try:
            self._writer.close()
        finally:
            if self._sink is not None:
                self._sink.close()
        if kind is None:
            _fsync_file(self._path)
