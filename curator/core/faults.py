"""Fault-injection points for the fault tests (``tests/test_faults_*.py``).

Publishing code calls ``fault_point("step")`` between its steps. Normally this
is one environment lookup and nothing else. The tests set:

- ``CURATOR_KILL_AT=step[,step]``: the process ``os._exit``s at that step, as a
  power cut or ``kill -9`` would stop it (no cleanup, no ``finally``);
- ``CURATOR_FAIL_AT=step:ERRNO`` (or ``step=detail:ERRNO``): an ``OSError(ERRNO)`` is raised there (disk
  full is 28, permission denied 13, read-only file system 30);
- ``CURATOR_PAUSE_AT=step:FOLDER``: the process creates ``FOLDER/step.reached``
  and waits until ``FOLDER/step.go`` exists: a barrier that holds a race window
  open without sleeping for a guessed time.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Final

KILL_EXIT: Final = 77  # the exit code of a process stopped at a kill point


def fault_point(step: str, detail: str = "") -> None:
    """Stop, fail or pause here when a fault test asks for it; otherwise nothing.

    A test names the step (``write``) or the step and its detail, e.g. the file
    about to be written (``write=flags_filters.parquet``)."""
    kill = os.environ.get("CURATOR_KILL_AT")
    fail = os.environ.get("CURATOR_FAIL_AT")
    pause = os.environ.get("CURATOR_PAUSE_AT")
    if not (kill or fail or pause):
        return
    names = {step, f"{step}={detail}"}
    if kill and names & set(kill.split(",")):
        os._exit(KILL_EXIT)
    if fail:
        name, _, code = fail.rpartition(":")
        if name in names:
            number = int(code)
            raise OSError(number, os.strerror(number), detail or step)
    if pause:
        name, _, folder = pause.partition(":")
        if name in names:
            _barrier(Path(folder), step)


def _barrier(folder: Path, step: str) -> None:
    (folder / f"{step}.reached").touch()
    go = folder / f"{step}.go"
    deadline = time.monotonic() + 60
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
