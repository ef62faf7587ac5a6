"""Build the demo workspace from the repository's ``sample_data/`` (Qt-free).

``build_demo`` imports every sample file with the options it needs, then runs
dedup and the quality filters when those modules are installed. It builds in
a temporary sibling folder and renames it into place at the end, so a
cancelled or failed build never leaves a half-built demo behind, and an
existing demo is only replaced (``fresh=True``) once the new one is complete.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curator.core.errors import CuratorError
from curator.core.jobs import Job, Progress
from curator.core.workspace import DB_NAME, Workspace

DEFAULT_DEMO_PATH = Path.home() / ".curator" / "demo.curator"
SAMPLE_DATA_ENV = "CURATOR_SAMPLE_DATA"

CSV_COLUMNS: dict[str, str] = {
    "conversation_column": "ticket_id",
    "speaker_column": "author_type",
    "text_column": "message",
    "time_column": "timestamp",
}


@dataclass(frozen=True)
class DemoSource:
    """One sample file (or folder) and the ImportOptions keyword arguments it needs."""

    name: str
    options: dict[str, Any] = field(default_factory=dict)


# The same options sample_data/README.md gives for `curator import` (formats auto-detected).
DEMO_SOURCES: tuple[DemoSource, ...] = (
    DemoSource("chats_openai.jsonl"),
    DemoSource("helpdesk_export.csv", CSV_COLUMNS),
    DemoSource("transcripts"),
    DemoSource("sharegpt.json"),
    DemoSource("alpaca.json"),
)


@dataclass
class DemoResult:
    path: Path
    created: bool  # False when an existing demo workspace was reused
    sample_data: Path
    imported: dict[str, dict[str, int]] = field(default_factory=dict)  # name -> added/quarantined
    pipeline: dict[str, Any] | None = None  # what the dedup/filter run returned
    pipeline_skipped: str | None = None  # why the pipeline did not run


def sample_data_dir() -> Path:
    """Where the sample files are: $CURATOR_SAMPLE_DATA, else ``sample_data/`` next to the package."""
    env = os.environ.get(SAMPLE_DATA_ENV)
    import curator

    candidate = Path(env) if env else Path(curator.__file__).resolve().parent.parent / "sample_data"
    missing = [s.name for s in DEMO_SOURCES if not (candidate / s.name).exists()]
    if missing:
        raise CuratorError(
            f"the demo needs the sample data, but {candidate} "
            f"{'does not exist' if not candidate.exists() else 'lacks ' + ', '.join(missing)}. "
            "The sample files ship with the source checkout: install it with `pip install -e .` "
            f"from the repository, or point {SAMPLE_DATA_ENV} at a copy of its sample_data/ folder."
        )
    return candidate


def is_built(path: Path) -> bool:
    return (path / DB_NAME).is_file() and any((path / "records").glob("*.parquet"))


def _pipeline_factory() -> tuple[Callable[[Workspace], Job[Any]] | None, str | None]:
    """The `curator run` job (dedup + filters), which the demo runs after importing."""
    from curator.core.pipeline import pipeline_job

    return pipeline_job, None


def _remove_workspace(path: Path) -> None:
    """Delete a workspace folder, refusing anything that does not look like one."""
    if not path.exists():
        return
    if not (path / DB_NAME).is_file() and any(path.iterdir()):
        raise CuratorError(
            f"{path} exists and is not a Curator workspace; refusing to delete it. "
            "Pick another demo path with -w."
        )
    shutil.rmtree(path)


def build_demo(path: Path | None = None, *, fresh: bool = False) -> Job[DemoResult]:
    """Build (or reuse) the demo workspace at ``path``; yields Progress, returns DemoResult."""
    target = Path(path or DEFAULT_DEMO_PATH).expanduser().resolve()
    data = sample_data_dir()
    if is_built(target) and not fresh:
        yield Progress("demo", 1, 1, "reusing the existing demo workspace")
        return DemoResult(target, created=False, sample_data=data)
    if target.exists() and not (target / DB_NAME).is_file() and any(target.iterdir()):
        raise CuratorError(
            f"{target} exists and is not a Curator workspace; refusing to build the demo there. "
            "Pick another path with -w."
        )

    from curator.core.ingest import ImportOptions, import_job

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.building-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    result = DemoResult(target, created=True, sample_data=data)
    published = False
    ws: Workspace | None = None
    try:
        ws = Workspace.open(staging, create=True)
        for n, src in enumerate(DEMO_SOURCES, start=1):
            yield Progress("demo", n - 1, len(DEMO_SOURCES), f"importing {src.name}")
            summary = yield from import_job(ws, [data / src.name], ImportOptions(**src.options))
            failed = [f"{f.source}: {f.error}" for f in summary.files if f.error]
            if failed:
                raise CuratorError("the demo import failed: " + "; ".join(failed))
            result.imported[src.name] = {"added": summary.added, "quarantined": summary.quarantined}
        make_pipeline, why = _pipeline_factory()
        if make_pipeline is None:
            result.pipeline_skipped = why
        else:
            outcome = yield from make_pipeline(ws)
            result.pipeline = outcome if isinstance(outcome, dict) else {"result": str(outcome)}
        ws.close()
        _remove_workspace(target)
        staging.rename(target)
        published = True
    finally:
        if ws is not None:
            ws.close()
        if not published:
            shutil.rmtree(staging, ignore_errors=True)
    yield Progress("demo", len(DEMO_SOURCES), len(DEMO_SOURCES), "done")
    return result
