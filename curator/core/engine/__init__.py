"""Where per-record work runs: in this process (``local``) or on a Ray cluster (``ray``).

The jobs (dedup, filters, import, export) are the same code on both engines: an
engine only decides where a pure per-batch function runs (``map_frame``) and, for
near-duplicates, where signatures are banded into candidate pairs. Everything a job
publishes is still written by the job itself at its end, so results are identical
and a cancelled or failed job publishes nothing on either engine.
"""

from __future__ import annotations

from curator.core.engine.base import (
    ENGINES,
    Engine,
    EngineFailure,
    LocalEngine,
    ReadAhead,
    engine_for,
    on_engine,
)

__all__ = [
    "ENGINES",
    "Engine",
    "EngineFailure",
    "LocalEngine",
    "ReadAhead",
    "engine_for",
    "on_engine",
]
