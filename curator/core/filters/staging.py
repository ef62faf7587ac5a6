"""Score tables kept on disk while a filters job runs, published only at its end.

The driver of ``score_job`` holds about one filter's score tables at a time
(issue 15, "bounded memory"): an engine's raw score frames are spilled to
uncompressed Arrow IPC files as each task's result arrives (``RawSpill``), read
back one filter at a time, finalised, and written under staging names
(``StagedResults``); only when every filter is done are the staged files renamed
into ``results/``. A cancelled or failed job publishes nothing.

Everything lives in one folder, ``results/.staging-PID-*``
(``Workspace.staging_folder``): a killed process's folder is residue
(``integrity.residue``), removed by the next run and reported by ``curator check``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from curator.core.failures import as_os_error
from curator.core.faults import fault_point
from curator.core.workspace import Workspace, _fsync_dir, atomic_write_parquet


class RawSpill:
    """Raw score frames of an engine's tasks, one IPC file per task and result name.

    Tasks finish in any order; ``take`` reads a result's files back in task order,
    so the frame is in record order, as when the results were fetched in order."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder  # made by the first ``add``
        self.slots: dict[str, int] = {}  # result name -> number in the file names
        self.tasks: dict[str, list[int]] = {}  # result name -> tasks that spilled it

    def add(self, task: int, frames: Mapping[str, pl.DataFrame]) -> None:
        """Write one task's frames (uncompressed: read back once, soon, on this disk)."""
        self.folder.mkdir(exist_ok=True)
        for name, frame in frames.items():
            slot = self.slots.setdefault(name, len(self.slots))
            path = self._path(slot, task)
            try:
                fault_point("spill")
                frame.write_ipc(path, compression="uncompressed")
            except Exception as exc:
                os_error = as_os_error(exc, path)
                if os_error is not None and os_error is not exc:
                    raise os_error from exc  # disk full inside Polars: said as an OSError
                raise
            self.tasks.setdefault(name, []).append(task)

    def names(self) -> list[str]:
        return list(self.slots)

    def take(self, name: str) -> pl.DataFrame:
        """One result's frames stacked in task order (no copy); their files removed."""
        slot = self.slots.pop(name)
        paths = [self._path(slot, task) for task in sorted(self.tasks.pop(name))]
        frames = [pl.read_ipc(p) for p in paths]
        for p in paths:
            p.unlink()
        return pl.concat(frames, how="vertical_relaxed", rechunk=False)

    def _path(self, slot: int, task: int) -> Path:
        return self.folder / f"{slot:03d}-{task:06d}.arrow"


class StagedResults:
    """Results files written under staging names, renamed into ``results/`` at the end."""

    def __init__(self, ws: Workspace, folder: Path) -> None:
        self.ws = ws
        self.folder = folder
        self.names: list[str] = []

    def write(self, name: str, frame: pl.DataFrame) -> None:
        """The bytes ``ws.write_result`` would write, staged (fsynced, not yet visible)."""
        atomic_write_parquet(frame, self.folder / f"{name}.parquet")
        self.names.append(name)

    def publish(self) -> None:
        """Rename every staged file over its result, in the order written."""
        for name in self.names:
            fault_point("publish", f"{name}.parquet")
            os.replace(self.folder / f"{name}.parquet", self.ws.result_path(name))
        _fsync_dir(self.ws.path / "results")
        self.names = []
