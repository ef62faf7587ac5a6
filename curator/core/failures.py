"""Turn the failures a user can meet (disk full, permission, read-only media, a
lock held by another process, damaged files) into messages that say which kind
it is, where, and what to do. Used by ``Workspace.open`` and the CLI/GUI."""

from __future__ import annotations

import errno
import os
import re
import sqlite3
from pathlib import Path

DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
PERMISSION = (errno.EACCES, errno.EPERM)


_OS_ERROR = re.compile(r"\(os error (\d+)\)")


def as_os_error(exc: BaseException, path: Path | str | None = None) -> OSError | None:
    """The OSError inside a Polars/Arrow error ("... (os error 28)"), or None."""
    if isinstance(exc, OSError) and exc.errno is not None:
        return exc
    m = _OS_ERROR.search(str(exc))
    if m is None:
        return None
    number = int(m.group(1))
    return OSError(number, os.strerror(number), str(path) if path is not None else None)


def kind(exc: BaseException) -> str | None:
    """ "disk_full", "permission", "read_only", "locked", "corrupt", or None."""
    if isinstance(exc, OSError):
        if exc.errno in DISK_FULL:
            return "disk_full"
        if exc.errno in PERMISSION:
            return "permission"
        if exc.errno == errno.EROFS:
            return "read_only"
        return None
    if isinstance(exc, sqlite3.Error):
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            return "locked"
        if "disk is full" in text or "database or disk is full" in text:
            return "disk_full"
        if "readonly" in text or "read-only" in text:
            return "read_only"
        if "malformed" in text or "not a database" in text or "corrupt" in text:
            return "corrupt"
        if "unable to open" in text:
            return "permission"
    return None


def explain(exc: BaseException, where: Path | None = None) -> str:
    """One sentence: what went wrong (by kind) and what to do."""
    place = str(getattr(exc, "filename", None) or where or "the workspace")
    detail = getattr(exc, "strerror", None) or str(exc)
    what = kind(exc)
    if what == "disk_full":
        return (
            f"the disk holding {place} is full ({detail}). Nothing half-written was kept; "
            "free some space and run the command again."
        )
    if what == "permission":
        return (
            f"permission denied for {place} ({detail}). Check who owns the folder "
            "(`ls -l`) or pick a folder you can write to."
        )
    if what == "read_only":
        return (
            f"{place} is on read-only media or a read-only file system ({detail}). "
            "Read-only commands (info, query, show, report) work there; copy the workspace "
            "to a writable disk to change it."
        )
    if what == "locked":
        return (
            f"the workspace at {where or place} is busy: another Curator process holds its "
            f"write lock ({detail}). Wait for it to finish (an import, run or bulk review) "
            "and run the command again."
        )
    if what == "corrupt":
        return (
            f"the workspace database in {where or place} is damaged ({detail}). Run "
            f"`curator check -w {where or 'WS'}` to see what is affected; restore curator.db "
            "from a backup if the journal is damaged."
        )
    return f"{detail}. Check that the folder exists and is writable, or pick another -w path."


def user_message(exc: BaseException) -> str | None:
    """:func:`explain` for the failures a user can meet (OS and SQLite errors), else None."""
    if isinstance(exc, OSError | sqlite3.Error):
        return explain(exc)
    return None
