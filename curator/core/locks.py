"""Advisory locks that say who holds them: one import, run or repair at a time.

A lock is ``WS/NAME.lock``, held with ``flock`` (released by the kernel when
the holder exits, even on ``kill -9``, so it never goes stale) and holding one
JSON line about the holder: pid, host, command line, since when.

``workspace_lock`` is the workspace's import/run lock (``WS/import.lock``):
imports publish record parts and ``run``/``dedup`` read them and write results
derived from them, so they exclude each other (a run never sees a part
published halfway through it). It is re-entrant within one thread (``run``
holds it and calls the dedup job, which takes it too); another thread of the
same process is refused like another process.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import sys
import threading
import time
from pathlib import Path
from types import TracebackType

from curator.core.workspace import WorkspaceError


class LockHeld(WorkspaceError):
    """Another process holds the lock; the message names it."""


def _holder_text(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return "another Curator process"
    since = time.strftime("%H:%M:%S", time.localtime(info.get("since", 0)))
    return (
        f"pid {info.get('pid')} on {info.get('host')} (`{info.get('command', '?')}`, since {since})"
    )


_HELD: dict[tuple[str, int], int] = {}  # (lock path, thread) -> depth: re-entry in one thread


class WorkspaceLock:
    """``with WorkspaceLock(ws_path, "import"): ...`` or acquire()/release()."""

    def __init__(self, folder: Path, name: str, doing: str = "an import") -> None:
        self.path = Path(folder) / f"{name}.lock"
        self.doing = doing
        self._fd: int | None = None
        self._key = (str(self.path.absolute()), threading.get_ident())
        self._reentered = False

    def acquire(self) -> None:
        self._key = (self._key[0], threading.get_ident())
        if _HELD.get(self._key):  # this thread holds it already (run -> dedup)
            _HELD[self._key] += 1
            self._reentered = True
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise LockHeld(
                f"cannot start {self.doing}: an import, run or repair is already running in "
                f"{self.path.parent}: {_holder_text(self.path)}. Wait for it to finish (one at a "
                "time per workspace), then run this again."
            ) from None
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "command": " ".join(
                os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv)
            )[:200],
            "since": time.time(),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        self._fd = fd
        _HELD[self._key] = 1

    def release(self) -> None:
        if self._reentered:
            _HELD[self._key] -= 1
            self._reentered = False
            return
        if self._fd is None:
            return
        _HELD.pop(self._key, None)
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> WorkspaceLock:
        self.acquire()
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def workspace_lock(folder: Path, doing: str) -> WorkspaceLock:
    """The workspace's import/run lock (see the module doc); ``doing`` names the caller
    in the refusal ("a run", "an import")."""
    return WorkspaceLock(folder, "import", doing)
