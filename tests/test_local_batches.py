"""The local engine normalises and scores in batches: the results equal one pass.

Dedup normalises ``normalize._NORM_BATCH`` records at a time and the filters score
``filters.job._LOCAL_BATCH`` records at a time, so what a run holds at once does not
grow with the corpus. Scores are row-local by contract; this checks that every
result file of a run on the planted sample-data workspace (every flag family, exact
and near duplicates) is the same with tiny batches as with one batch.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from curator.core.dedup import normalize
from curator.core.demo import build_demo
from curator.core.filters import job as filters_job
from curator.core.jobs import Progress, run_job
from curator.core.pipeline import pipeline_job
from curator.core.workspace import Workspace


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("planted") / "planted.curator"
    run_job(build_demo(path, fresh=True))
    shutil.rmtree(path / "results", ignore_errors=True)
    return path


def _results(path: Path) -> dict[str, pl.DataFrame]:
    return {f.name: pl.read_parquet(f) for f in sorted((path / "results").glob("*.parquet"))}


def test_batched_normalising_and_scoring_give_the_one_pass_results(
    planted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = tmp_path / "whole.curator"
    shutil.copytree(planted, whole)
    run_job(pipeline_job(Workspace.open(whole)))

    batched = tmp_path / "batched.curator"
    shutil.copytree(planted, batched)
    monkeypatch.setattr(normalize, "_NORM_BATCH", 89)
    monkeypatch.setattr(filters_job, "_LOCAL_BATCH", 97)
    seen: list[Progress] = []
    run_job(pipeline_job(Workspace.open(batched)), on_progress=seen.append)

    records = Workspace.open(whole).record_count()
    assert records > 97 * 5  # many batches
    a, b = _results(whole), _results(batched)
    assert set(a) == set(b) and any(name.startswith("scores_") for name in a)
    for name in a:
        assert a[name].equals(b[name]), name
    assert (
        Workspace.open(whole)
        .flags()
        .sort("id", "name")
        .equals(Workspace.open(batched).flags().sort("id", "name"))
    )
    # the progress of a batched filter counts over all its records, never backwards past a batch
    scoring = [p for p in seen if p.step == "repetition" and p.total]
    assert scoring and all(p.total == records for p in scoring)
    assert max(p.done for p in scoring) > 97
