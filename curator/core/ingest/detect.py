"""Format auto-detection from a file's name and first bytes, and source listing."""

from __future__ import annotations

import json
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from curator.core.errors import CuratorError
from curator.core.ingest.encoding import decode_head, wide_encoding
from curator.core.ingest.lines import BOM
from curator.core.ingest.options import ImportOptions

_HEAD = 256 << 10
_MAX_FIRST_LINE = 64 << 20  # a first line longer than the head is read up to this
TEXT_SUFFIXES = {".txt", ".log", ".transcript", ".md", ".text"}
CSV_SUFFIXES = {".csv", ".tsv"}
FORCE_HINT = (
    "name it with --format (openai, prompt-completion, sharegpt, alpaca, csv, transcript, "
    "parquet, hf, json, preference)"
)


# In a folder, only files with these suffixes (or none) are taken as data; the rest
# (README.md, scripts, images) are listed as skipped. A file named explicitly is
# always read, whatever its suffix.
DATA_SUFFIXES = frozenset(
    {"", ".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".txt", ".text", ".log", ".parquet", ".pq"}
)


def scan_sources(paths: Sequence[Path]) -> tuple[list[Path], list[Path]]:
    """(files to import, entries skipped), both sorted per folder.

    A folder means every data file in it (hidden files skipped); a ``datasets``
    save_to_disk folder is one source, not its files. Skipped and listed (see
    :func:`skip_reason`): files in a folder that are not data by their suffix,
    subfolders, broken symbolic links, and anything that is not a regular file
    (a FIFO would block the import forever), named or in a folder.
    """
    out: list[Path] = []
    skipped: list[Path] = []
    for p in map(Path, paths):
        if not p.exists():
            if p.is_symlink():
                raise CuratorError(f"{p}: a broken symbolic link (its target does not exist)")
            raise CuratorError(f"{p}: no such file or folder")
        if p.is_dir() and not is_hf_dataset(p):
            for f in sorted(p.iterdir()):
                if f.name.startswith("."):
                    continue
                if is_hf_dataset(f) or (f.is_file() and f.suffix.lower() in DATA_SUFFIXES):
                    out.append(f)
                else:
                    skipped.append(f)
        elif p.is_dir() or p.is_file():
            out.append(p)
        else:
            skipped.append(p)
    return out, skipped


def skip_reason(path: Path) -> str:
    """Why :func:`scan_sources` skipped ``path`` (shown beside its name)."""
    if path.is_symlink() and not path.exists():
        return "a broken symbolic link (its target does not exist): not read"
    if path.is_dir():
        return "a folder inside the folder: not read (name it to import its files)"
    if path.is_file():
        return "not a data file by its suffix: not read (name it to import it anyway)"
    if stat.S_ISFIFO(path.stat().st_mode):
        return "a named pipe (FIFO), not a file: not read (pipe data in with `curator import - --format F`)"
    return "not a regular file (a socket or device): not read"


def list_sources(paths: Sequence[Path]) -> list[Path]:
    """Files to import (see scan_sources)."""
    return scan_sources(paths)[0]


def is_hf_dataset(path: Path) -> bool:
    return path.is_dir() and (
        (path / "dataset_info.json").exists()
        or (path / "state.json").exists()
        or (path / "dataset_dict.json").exists()
    )


def shape_from_keys(keys: set[str], options: ImportOptions | None = None) -> str | None:
    """The record shape a set of JSON keys / column names says, or None."""
    if options is not None and options.messages_field:
        return "json"
    if {"preferred_output", "non_preferred_output"} <= keys or {"chosen", "rejected"} <= keys:
        return "preference"
    if "messages" in keys:
        return "openai"
    if keys & {"conversations", "conversation"}:
        return "sharegpt"
    if {"instruction", "output"} <= keys:
        return "alpaca"
    if {"prompt", "completion"} <= keys:
        return "prompt-completion"
    return None


def _head(path: Path) -> bytes:
    """The first bytes as UTF-8 (UTF-16/32 text decoded, byte order marks removed).

    At least the whole first line (up to 64 MB): one long JSON record on the first
    line still shows its keys.
    """
    with open(path, "rb") as fh:
        data = fh.read(_HEAD)
        if len(data) == _HEAD and b"\n" not in data:
            parts = [data]
            size = len(data)
            while size < _MAX_FIRST_LINE and (block := fh.read(min(4 << 20, _MAX_FIRST_LINE - size))):
                parts.append(block)
                size += len(block)
                if b"\n" in block:
                    break
            data = b"".join(parts)
    encoding = wide_encoding(data)
    if encoding is not None:
        return decode_head(data, encoding).removeprefix("\ufeff".encode())
    return data[len(BOM) :] if data.startswith(BOM) else data


def _first_json_object(text: str, lines_only: bool) -> Any:
    """The first record: the array's first element, or the first object line."""
    stripped = text.lstrip()
    decoder = json.JSONDecoder()
    if stripped.startswith("[") and not lines_only:
        rest = stripped[1:].lstrip()
        try:
            return decoder.raw_decode(rest)[0]
        except json.JSONDecodeError:
            return None
    for line in stripped.splitlines()[:20]:
        if line.strip():
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(obj, dict):
                return obj
    return None


def detect_format(path: Path, options: ImportOptions | None = None) -> str:
    """The format of ``path``, or a CuratorError that says which option to use."""
    path = Path(path)
    if path.is_dir():
        if is_hf_dataset(path):
            return "hf"
        raise CuratorError(f"{path}: a folder that is not a Hugging Face dataset; import its files")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return "parquet"
    head = _head(path)
    if not head.strip():
        raise CuratorError(f"{path.name}: the file is empty; there is nothing to import")
    if suffix in CSV_SUFFIXES:
        return "csv"
    if b"\x00" in head[:8192]:
        raise CuratorError(
            f"{path.name}: looks like a binary file, not text; if it is a Parquet file, "
            "rename it to .parquet or use --format parquet"
        )
    text = head.decode("utf-8", "replace")
    first = text.lstrip()[:1]
    from curator.core.ingest.transcript import speaker_line

    first_line = text.lstrip().split("\n", 1)[0]
    if first == "[" and suffix not in (".json", ".jsonl", ".ndjson") and speaker_line(first_line):
        return "transcript"  # "[00:00:05] Agent: ..." is a transcript, not a JSON array
    if first in ("[", "{"):
        obj = _first_json_object(text, lines_only=suffix in (".jsonl", ".ndjson"))
        if isinstance(obj, dict):
            shape = shape_from_keys(set(obj), options)
            if shape is not None:
                return shape
            keys = ", ".join(map(repr, list(obj)[:15]))
            raise CuratorError(
                f"{path.name}: JSON records with keys {keys} are not a chat format Curator "
                "knows; if they hold conversations, use --format json --messages-field F "
                "--role-field F --content-field F"
            )
        if len(head) >= _MAX_FIRST_LINE and b"\n" not in head:
            raise CuratorError(
                f"{path.name}: its first line is longer than {_MAX_FIRST_LINE >> 20} MB, too long "
                f"to detect the format from; {FORCE_HINT}"
            )
        if suffix in (".json", ".jsonl", ".ndjson") or first == "[":
            raise CuratorError(
                f"{path.name}: cannot read a JSON record at the start of the file; "
                f"fix the first lines or {FORCE_HINT}"
            )
    lines = [ln for ln in text.splitlines()[:200] if ln.strip()]
    speakers = sum(1 for ln in lines if speaker_line(ln))
    if speakers and (suffix in TEXT_SUFFIXES or speakers >= max(2, len(lines) // 3)):
        return "transcript"
    if lines and (lines[0].count(",") >= 2 or lines[0].count("\t") >= 2):
        return "csv"
    raise CuratorError(f"{path.name}: cannot tell the format; {FORCE_HINT}")
