"""On the bundled sample data, every planted duplicate lands in a cluster with the right keeper."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from conftest import SAMPLE_DATA

from curator.cli.main import main
from curator.core import records as R
from curator.core.dedup import DedupSettings, dedup_job
from curator.core.jobs import run_job
from curator.core.workspace import Workspace

MANIFEST_PATH = SAMPLE_DATA / "planted.json"
pytestmark = pytest.mark.skipif(
    not MANIFEST_PATH.exists(), reason="sample_data/planted.json missing"
)


@pytest.fixture(scope="module")
def sample_frame(tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    manifest = json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))
    ws_path = tmp_path_factory.mktemp("sample") / "sample.curator"
    for name, info in manifest["files"].items():
        assert (
            main(["import", str(SAMPLE_DATA / name), "-w", str(ws_path), *info["import_args"]]) == 0
        )
    ws = Workspace.open(ws_path)
    run_job(dedup_job(ws, DedupSettings()))
    f = ws.frame()
    ticket = pl.col(R.META).str.json_path_match("$.ticket_id")
    # the manifest names CSV tickets as "ticket N", other records by their locator
    where = (
        pl.when(ticket.is_not_null()).then(pl.lit("ticket ") + ticket).otherwise(pl.col(R.LOCATOR))
    )
    return f.with_columns(where.alias("where"))


def _planted() -> list[dict[str, Any]]:
    manifest = json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))
    return [p for p in manifest["planted"] if p["kind"] in ("exact_duplicate", "near_duplicate")]


def _row(frame: pl.DataFrame, file: str, where: str) -> dict[str, Any]:
    source = Path(file).name if not file.startswith("transcripts/") else None
    rows = frame.filter(pl.col("where") == where)
    if source:
        rows = rows.filter(pl.col(R.SOURCE) == source)
    assert rows.height == 1, (file, where)
    return rows.row(0, named=True)


def test_every_planted_duplicate_points_at_its_keeper(sample_frame: pl.DataFrame) -> None:
    planted = _planted()
    assert len(planted) >= 10
    in_clusters: set[str] = set()
    for p in planted:
        row = _row(sample_frame, p["file"], p["where"])
        in_clusters.add(row[R.ID])
        if "duplicate_of" in p:
            keeper = _row(sample_frame, p["file"], p["duplicate_of"])
            in_clusters.add(keeper[R.ID])
            assert row[R.DUPLICATE_OF] == keeper[R.ID], (p, row[R.SIMILARITY])
            names = [f["name"] for f in row[R.FLAGS]]
            assert p["kind"] in names, (p, names)
            assert row[R.SIMILARITY] >= 0.8
        else:  # a near-duplicate group's keeper
            assert row[R.DUPLICATE_OF] is None and row[R.CLUSTER_ID] is not None, p


def test_nothing_unplanted_is_clustered(sample_frame: pl.DataFrame) -> None:
    planted_ids: set[str] = set()
    for p in _planted():
        planted_ids.add(_row(sample_frame, p["file"], p["where"])[R.ID])
        if "duplicate_of" in p:
            planted_ids.add(_row(sample_frame, p["file"], p["duplicate_of"])[R.ID])
    clustered = sample_frame.filter(pl.col(R.CLUSTER_ID).is_not_null())
    stray = clustered.filter(~pl.col(R.ID).is_in(list(planted_ids)))
    assert stray.height == 0, stray.select(R.SOURCE, "where", R.DUPLICATE_OF).to_dicts()
