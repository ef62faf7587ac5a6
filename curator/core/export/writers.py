"""Atomic publishing of an export folder.

Everything is written into a hidden staging folder inside the output folder
(same filesystem, so renames are atomic), each file fsynced. Only when every
file is complete are they renamed into place, the manifest last; a previous
export's ``manifest.json`` is removed first, so a folder with a manifest is
always a complete export. A crash or a full disk while writing leaves the
previous export untouched and at most a staging folder, removed next time.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import polars as pl

from curator.core.errors import CuratorError
from curator.core.workspace import _fsync_dir

STAGING_PREFIX: Final = ".curator-export-"
MANIFEST: Final = "manifest.json"
CHUNK_ROWS: Final = 50_000
# Files an export may own; a new export removes the ones it does not rewrite.
OWNED: Final = (
    "train.jsonl", "validation.jsonl", "train.json", "validation.json",
    "train.parquet", "validation.parquet", "dataset", "dataset_info.json", "axolotl.yaml",
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
    pid_text = name[len(STAGING_PREFIX) :].split("-", 1)[0]
    if not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


class Staging:
    """A staging folder in ``output_dir``; ``publish()`` moves its files into place."""

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = output_dir
        self.dir = output_dir / f"{STAGING_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}"

    def __enter__(self) -> Staging:
        try:
            self.output_dir.mkdir(parents=True, exist_ok=True)
            for old in self.output_dir.glob(f"{STAGING_PREFIX}*"):
                if not _owner_alive(old.name):
                    shutil.rmtree(old, ignore_errors=True)
            self.dir.mkdir()
        except OSError as exc:
            raise CuratorError(f"cannot write to {self.output_dir}: {exc.strerror or exc}. Pick another -o folder.") from exc
        return self

    def __exit__(self, *exc: Any) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name: str) -> Path:
        return self.dir / name

    def write_lines(self, name: str, lines: pl.Series, *, json_array: bool = False) -> Iterator[int]:
        """Write one line per element (or a JSON array of them); yields lines written."""
        path = self.path(name)
        with open(path, "wb") as fh:
            if json_array:
                fh.write(b"[\n")
            for start in range(0, lines.len(), CHUNK_ROWS):
                chunk = lines.slice(start, CHUNK_ROWS).to_list()
                sep = ",\n" if json_array else "\n"
                text = sep.join(chunk)
                if json_array and start + CHUNK_ROWS < lines.len():
                    text += ",\n"
                elif not json_array:
                    text += "\n"
                fh.write(text.encode("utf-8"))
                yield min(lines.len(), start + CHUNK_ROWS)
            if json_array:
                fh.write(b"\n]\n" if lines.len() else b"]\n")
            fh.flush()
            os.fsync(fh.fileno())

    def write_text(self, name: str, text: str) -> None:
        path = self.path(name)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())

    def write_parquet(self, name: str, df: pl.DataFrame) -> None:
        path = self.path(name)
        df.write_parquet(path, compression="zstd")
        _fsync_file(path)

    def sync_tree(self, name: str) -> None:
        root = self.path(name)
        for f in root.rglob("*"):
            if f.is_file():
                _fsync_file(f)
        for d in [root, *(p for p in root.rglob("*") if p.is_dir())]:
            _fsync_dir(d)

    def publish(self, names: list[str], manifest_text: str) -> None:
        """Move staged files into place, remove stale owned files, then the manifest."""
        out = self.output_dir
        _fsync_dir(self.dir)
        (out / MANIFEST).unlink(missing_ok=True)
        _fsync_dir(out)
        for name in names:
            target = out / name
            if target.is_dir():
                trash = out / f"{STAGING_PREFIX}old-{uuid.uuid4().hex[:8]}"
                os.replace(target, trash)
                os.replace(self.path(name), target)
                shutil.rmtree(trash, ignore_errors=True)
            else:
                os.replace(self.path(name), target)
        for stale in OWNED:
            if stale not in names:
                p = out / stale
                if p.is_dir():
                    shutil.rmtree(p, ignore_errors=True)
                else:
                    p.unlink(missing_ok=True)
        self.write_text(MANIFEST, manifest_text)
        os.replace(self.path(MANIFEST), out / MANIFEST)
        _fsync_dir(out)


def check_output_dir(output_dir: Path) -> list[str]:
    """Files an export would replace in a folder that holds no Curator export.

    Refusing to overwrite someone's own ``train.jsonl`` is safer than guessing.
    """
    if not output_dir.exists():
        return []
    if not output_dir.is_dir():
        raise CuratorError(f"{output_dir} is a file; -o needs a folder.")
    if (output_dir / MANIFEST).exists():
        return []
    return [n for n in OWNED if (output_dir / n).exists()]
