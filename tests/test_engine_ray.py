"""--engine ray gives the local engine's answers, on a real 2-worker Ray cluster.

The cluster is ``ray.cluster_utils.Cluster`` (a head with no CPUs plus two worker
nodes with small object stores), started once for the module. Both engines run on
copies of the same planted workspace (sample_data: exact and near duplicates and
every flag family), and the tests compare what a user sees: flags, clusters,
keepers and the exported bytes.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

ray = pytest.importorskip("ray", reason="Ray is not installed: pip install -e '.[ray]'")

from ray.cluster_utils import Cluster  # noqa: E402

from curator.cli.main import main  # noqa: E402
from curator.core.demo import build_demo  # noqa: E402
from curator.core.engine import EngineFailure, engine_for  # noqa: E402
from curator.core.engine.ray_engine import FAULT_ENV  # noqa: E402
from curator.core.jobs import run_job  # noqa: E402
from curator.core.pipeline import pipeline_job  # noqa: E402
from curator.core.workspace import Workspace  # noqa: E402

pytestmark = pytest.mark.ray

COMPARED = ["id", "status", "cluster_id", "duplicate_of", "similarity", "flags"]


@pytest.fixture(scope="module")
def fault_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("fault") / "step"
    path.write_text("")
    yield path


@pytest.fixture(scope="module")
def cluster(fault_file: Path) -> Iterator[Cluster]:
    mp = pytest.MonkeyPatch()
    mp.setenv(FAULT_ENV, str(fault_file))  # reaches the workers through the runtime env
    c = Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 0, "include_dashboard": False},
    )
    for _ in range(2):
        c.add_node(num_cpus=1, object_store_memory=150 * 1024 * 1024)
    c.wait_for_nodes()
    engine_for("ray", c.address)  # ray.init with the same runtime env as the CLI uses
    try:
        yield c
    finally:
        ray.shutdown()
        c.shutdown()
        mp.undo()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The planted sample-data workspace, imported but not yet run."""
    path = tmp_path_factory.mktemp("demo") / "planted.curator"
    run_job(build_demo(path, fresh=True))
    for name in ("results",):
        shutil.rmtree(path / name, ignore_errors=True)  # both engines start from nothing
    return path


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def _view(path: Path) -> pl.DataFrame:
    frame = Workspace.open(path).frame()
    return frame.select(COMPARED).sort("id")


def test_nodes_are_up(cluster: Cluster) -> None:
    alive = [n for n in ray.nodes() if n["Alive"]]
    assert len(alive) == 3
    assert ray.cluster_resources()["CPU"] == 2


def test_run_gives_the_local_flags_clusters_and_keepers(
    cluster: Cluster, demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local, remote = _copy(demo, tmp_path / "local.curator"), _copy(demo, tmp_path / "ray.curator")
    assert main(["run", "-w", str(local), "-q"]) == 0
    assert (
        main(["run", "-w", str(remote), "-q", "--engine", "ray", "--ray-address", cluster.address])
        == 0
    )
    a, b = _view(local), _view(remote)
    assert a.height > 800
    flagged = a.filter(pl.col("flags").list.len() > 0).height
    assert flagged > 100  # the planted problems were found at all
    assert a.filter(pl.col("duplicate_of").is_not_null()).height >= 10
    assert a.equals(b)
    # the near-duplicate pairs and the keepers come from the same pairs file
    pa_ = Workspace.open(local).read_result("dedup_pairs")
    pb_ = Workspace.open(remote).read_result("dedup_pairs")
    assert pa_ is not None and pb_ is not None
    assert pa_.sort("i", "j").equals(pb_.sort("i", "j"))

    # the exports are byte-identical: lines, and Parquet built from the same slices
    for fmt, names in (
        ("openai", ("train.jsonl", "validation.jsonl")),
        ("parquet", ("train.parquet", "validation.parquet")),
    ):
        for ws, out in ((local, tmp_path / f"{fmt}-local"), (remote, tmp_path / f"{fmt}-ray")):
            args = [
                "export",
                "-w",
                str(ws),
                "-o",
                str(out),
                "--format",
                fmt,
                "--include",
                "passing",
                "--split",
                "0.2",
                "--seed",
                "3",
                "-q",
            ]
            if ws == remote:
                args += ["--engine", "ray", "--ray-address", cluster.address]
            assert main(args) == 0
        for name in names:
            left, right = (
                (tmp_path / f"{fmt}-local" / name).read_bytes(),
                (tmp_path / f"{fmt}-ray" / name).read_bytes(),
            )
            assert left and left == right


def test_many_lsh_partitions_and_verify_ranges_give_the_local_pairs_and_counts(
    cluster: Cluster, demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At scale the driver splits LSH into many shuffle partitions and verification into
    many pairs of row ranges, and merges what they return; the planted corpus, cut as
    finely, must give the local engine's pairs, clusters and candidate count."""
    from curator.core.dedup import dedup_job, load_settings
    from curator.core.engine import ray_dedup

    local, remote = _copy(demo, tmp_path / "local.curator"), _copy(demo, tmp_path / "ray.curator")
    ws_l, ws_r = Workspace.open(local), Workspace.open(remote)
    want = run_job(dedup_job(ws_l, load_settings(ws_l)))
    monkeypatch.setattr(ray_dedup, "BAND_ROWS_PER_PARTITION", 5_000)
    monkeypatch.setattr(ray_dedup, "VERIFY_RANGE", 60)
    got = run_job(dedup_job(ws_r, load_settings(ws_r), engine=engine_for("ray", cluster.address)))
    assert want.candidate_pairs > 100 and want.near_duplicates > 0
    for field in ("candidate_pairs", "verified_pairs", "near_clusters", "duplicates"):
        assert getattr(got, field) == getattr(want, field), field
    pairs_l, pairs_r = ws_l.read_result("dedup_pairs"), ws_r.read_result("dedup_pairs")
    assert pairs_l is not None and pairs_r is not None
    assert pairs_l.sort("i", "j").equals(pairs_r.sort("i", "j"))
    cols = ["id", "cluster_id", "duplicate_of", "similarity"]
    assert ws_l.frame().select(cols).sort("id").equals(ws_r.frame().select(cols).sort("id"))


def test_codes_merged_from_many_tasks_are_counted_once() -> None:
    """A pair found by two LSH partitions (two bands) or by two verification tasks (a
    short text's bridge row) is one candidate, as in the local job."""
    import numpy as np

    from curator.core.engine.ray_dedup import _distinct

    chunks = [np.array([7, 3, 9], np.int64), np.array([3, 11], np.int64), np.array([], np.int64)]
    assert _distinct(chunks).tolist() == [3, 7, 9, 11]
    assert chunks == []  # released as merged
    assert _distinct([]).tolist() == []


def test_incremental_import_on_ray_matches_local(
    cluster: Cluster, demo: Path, tmp_path: Path
) -> None:
    """A new batch imported (and read) on Ray, matched against the stored signatures."""
    local, remote = _copy(demo, tmp_path / "local.curator"), _copy(demo, tmp_path / "ray.curator")
    assert main(["run", "-w", str(local), "-q"]) == 0
    assert (
        main(["run", "-w", str(remote), "-q", "--engine", "ray", "--ray-address", cluster.address])
        == 0
    )
    shards = tmp_path / "shards"
    shards.mkdir()
    lines = (
        (Path(__file__).resolve().parent.parent / "sample_data" / "chats_openai.jsonl")
        .read_text(encoding="utf-8")
        .splitlines()
    )
    # copies of planted records in new files: every one is a duplicate of an existing record
    (shards / "part-1.jsonl").write_text("\n".join(lines[:40]) + "\n", encoding="utf-8")
    (shards / "part-2.jsonl").write_text("\n".join(lines[40:90]) + "\n", encoding="utf-8")
    assert main(["import", str(shards), "-w", str(local), "-q"]) == 0
    assert (
        main(
            [
                "import",
                str(shards),
                "-w",
                str(remote),
                "-q",
                "--engine",
                "ray",
                "--ray-address",
                cluster.address,
            ]
        )
        == 0
    )
    assert main(["run", "-w", str(local), "-q"]) == 0
    assert (
        main(["run", "-w", str(remote), "-q", "--engine", "ray", "--ray-address", cluster.address])
        == 0
    )
    a, b = _view(local), _view(remote)
    assert a.equals(b)
    new = Workspace.open(local).frame().filter(pl.col("source").str.starts_with("part-"))
    assert new.height > 60
    assert new.filter(pl.col("duplicate_of").is_not_null()).height > 30


@pytest.mark.parametrize("step", ["signatures", "LSH bands", "filters"])
def test_a_worker_dying_fails_cleanly_and_publishes_nothing(
    cluster: Cluster, demo: Path, tmp_path: Path, fault_file: Path, step: str
) -> None:
    ws_path = _copy(demo, tmp_path / "ws.curator")
    results = ws_path / "results"
    before = sorted(p.name for p in results.iterdir()) if results.exists() else []
    fault_file.write_text(step)
    try:
        with pytest.raises(EngineFailure, match="nothing was published"):
            run_job(
                pipeline_job(Workspace.open(ws_path), engine=engine_for("ray", cluster.address))
            )
    finally:
        fault_file.write_text("")
    after = sorted(p.name for p in results.iterdir()) if results.exists() else []
    assert not [n for n in after if n.startswith(".")]  # no staging folder or spilled scores
    if step == "filters":  # dedup had finished and published; the filters published nothing
        assert not [n for n in after if n.startswith("scores_")]
    else:  # dedup publishes at its end: nothing of the run was written
        assert after == before
    if step == "signatures":  # the same run works once the cluster is healthy again
        run_job(pipeline_job(Workspace.open(ws_path), engine=engine_for("ray", cluster.address)))
        assert Workspace.open(ws_path).read_result("clusters") is not None


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    """name -> (inode, mtime) of the files in ``folder``: publishing renames change both."""
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("at", ["spilled", "finalising"])
def test_filters_cancelled_on_ray_publish_nothing_and_keep_the_previous_scores(
    cluster: Cluster, demo: Path, tmp_path: Path, at: str
) -> None:
    """Cancelled once some tasks' raw scores are spilled to disk, or once some filters
    are finalised and staged: no results file is replaced and the staging folder goes."""
    from curator.core.filters import score_job
    from curator.core.filters.job import CACHE_KEY_SETTING
    from curator.core.jobs import CancelToken, JobCancelled, Progress

    ws = Workspace.open(_copy(demo, tmp_path / "ws.curator"))
    engine = engine_for("ray", cluster.address)
    run_job(score_job(ws, engine=engine))
    results = ws.path / "results"
    before = _files(results)
    ws.set_setting(CACHE_KEY_SETTING, {})  # every filter scores again
    token = CancelToken()
    reached: list[str] = []

    def cancel(p: Progress) -> None:
        spilled = list(results.glob(".staging-*/raw/*.arrow"))
        staged = list(results.glob(".staging-*/*.parquet"))
        if (at == "spilled" and p.step == "filters" and spilled) or (
            at == "finalising" and p.message == "finalising scores" and staged
        ):
            reached.append(p.step)
            token.cancel()

    with pytest.raises(JobCancelled):
        run_job(score_job(ws, engine=engine), cancel, token)
    assert reached
    assert _files(results) == before
    assert ws.get_setting(CACHE_KEY_SETTING) == {}


def test_a_full_disk_while_spilling_scores_stops_the_job_and_publishes_nothing(
    cluster: Cluster, demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The driver spills each task's scores to the workspace's disk: disk full there is
    named as such, the cluster's remaining tasks are cancelled, nothing is published."""
    import errno

    from curator.core.filters import score_job

    ws = Workspace.open(_copy(demo, tmp_path / "ws.curator"))
    results = ws.path / "results"
    before = _files(results) if results.exists() else {}
    monkeypatch.setenv("CURATOR_FAIL_AT", f"spill:{errno.ENOSPC}")
    with pytest.raises(OSError) as info:
        run_job(score_job(ws, engine=engine_for("ray", cluster.address)))
    assert info.value.errno == errno.ENOSPC
    assert _files(results) == before  # no scores, no staging folder


def test_unreachable_address_and_missing_ray_are_clear_errors(
    monkeypatch: pytest.MonkeyPatch, demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from curator.core.engine import ray_engine

    with pytest.raises(Exception, match=r"cannot reach the Ray cluster at 127\.0\.0\.1:9"):
        ray_engine._check_reachable("127.0.0.1:9", timeout=2)
    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    assert main(["run", "-w", str(demo), "--engine", "ray"]) == 1
    err = capsys.readouterr().err
    assert "needs Ray" in err and "pip install" in err and "Traceback" not in err


@pytest.fixture(scope="module")
def local_run(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    """What the local engine finds on the planted workspace (the reference)."""
    path = _copy(demo, tmp_path_factory.mktemp("ref") / "local.curator")
    assert main(["run", "-w", str(path), "-q"]) == 0
    return _view(path)


def test_gui_run_on_ray_shows_cluster_progress_and_gives_the_local_results(
    qtbot: Any, cluster: Cluster, demo: Path, local_run: pl.DataFrame, tmp_path: Path
) -> None:
    """Run on a Ray cluster from the Pipeline tab: the bar moves through the cluster's
    stages, and the flags and clusters are the local engine's."""
    pytest.importorskip("pytestqt")
    from gui_helpers import close_window, make_window

    ws = Workspace.open(_copy(demo, tmp_path / "gui.curator"))
    w = make_window(qtbot, tmp_path, ws)
    p = w.pipeline
    p.engine_row.set_choice("ray", cluster.address)
    seen: list[str] = []
    worker = p.run()
    assert worker is not None
    worker.progressed.connect(
        lambda pr: seen.append(f"{pr.step}|{pr.message}|{p.step_label.text()}")
    )
    qtbot.waitUntil(lambda: p.worker is None, timeout=240_000)
    assert p.summary.text().startswith("Run finished"), p.summary.text()
    on_ray = [s for s in seen if "on Ray" in s]
    assert any(s.startswith("signatures|") for s in on_ray)
    assert any(s.startswith("filters|") for s in on_ray)
    assert any("on Ray" in s.split("|")[2] for s in on_ray)  # the label shows it
    assert _view(ws.path).equals(local_run)
    assert Workspace.open(ws.path).get_setting("run_engine")["engine"] == "ray"
    close_window(w)


def test_gui_cancel_on_ray_publishes_nothing(
    qtbot: Any, cluster: Cluster, demo: Path, tmp_path: Path
) -> None:
    pytest.importorskip("pytestqt")
    from gui_helpers import close_window, make_window

    ws = Workspace.open(_copy(demo, tmp_path / "cancel.curator"))
    results = ws.path / "results"
    before = sorted(q.name for q in results.glob("*.parquet")) if results.exists() else []
    w = make_window(qtbot, tmp_path, ws)
    p = w.pipeline
    p.engine_row.set_choice("ray", cluster.address)
    worker = p.run()
    assert worker is not None
    worker.progressed.connect(lambda pr: p.cancel() if "on Ray" in (pr.message or "") else None)
    with qtbot.waitSignal(worker.cancelled, timeout=120_000):
        pass
    qtbot.waitUntil(lambda: p.worker is None, timeout=30_000)
    assert "cancelled" in p.summary.text()
    after = sorted(q.name for q in results.glob("*.parquet")) if results.exists() else []
    assert after == before
    close_window(w)


def test_a_worker_dying_while_export_lines_are_built_publishes_nothing(
    cluster: Cluster, demo: Path, tmp_path: Path, fault_file: Path
) -> None:
    from curator.core.export.job import export_job
    from curator.core.export.options import ExportOptions

    ws = Workspace.open(_copy(demo, tmp_path / "ws.curator"))
    run_job(pipeline_job(ws))
    out = tmp_path / "out"
    opts = ExportOptions(output_dir=out, include="passing", split=0.2)
    fault_file.write_text("format")
    try:
        with pytest.raises(EngineFailure, match="nothing was published"):
            run_job(export_job(ws, opts, engine_for("ray", cluster.address)))
    finally:
        fault_file.write_text("")
    assert not out.exists()
    assert not list(tmp_path.glob(".out*"))  # no staging folder left behind
    run_job(export_job(ws, opts, engine_for("ray", cluster.address)))  # healthy again: it works
    assert (out / "train.jsonl").stat().st_size > 0


def test_a_sharded_import_on_ray_stages_parts_on_the_workers_like_local(
    cluster: Cluster, tmp_path: Path
) -> None:
    """Workers write the parts; skipped, damaged and repeated files end as they do locally."""
    lines = (
        (Path(__file__).resolve().parent.parent / "sample_data" / "chats_openai.jsonl")
        .read_text(encoding="utf-8")
        .splitlines()
    )
    shards = tmp_path / "shards"
    shards.mkdir()
    (shards / "a-damaged.parquet").write_bytes(b"PAR1 this is not a parquet file PAR1")
    (shards / "b-part.jsonl").write_text("\n".join(lines[:40]) + "\n", encoding="utf-8")
    (shards / "c-copy.jsonl").write_text("\n".join(lines[:40]) + "\n", encoding="utf-8")
    broken = [*lines[40:70], '{"messages": [{"role": "user", "content": "cut off', *lines[70:90]]
    (shards / "d-part.jsonl").write_text("\n".join(broken) + "\n", encoding="utf-8")
    outcome = {}
    for name, engine in (("local", []), ("ray", ["--engine", "ray", "--ray-address", cluster.address])):
        ws = tmp_path / f"{name}.curator"
        codes = [main(["import", str(shards), "-w", str(ws), "-q", *engine]) for _ in range(2)]
        w = Workspace.open(ws)  # (the second import finds nothing new)
        outcome[name] = (
            codes,
            w.records().sort("id"),
            w.quarantine().select("source", "line", "reason").sort("source", "line"),
            [(i.source, i.format, i.records) for i in w.imports()],
        )
        # no staged part of a skipped or failed file is left in the workspace
        assert not [p.name for p in (ws / "records").iterdir() if not p.name.startswith("import-")]
    local, remote = outcome["local"], outcome["ray"]
    assert local[0] == remote[0]  # the same exit codes
    assert local[1].height > 80 and "d-part.jsonl" in local[2].get_column("source").to_list()
    assert local[1].equals(remote[1])  # the same ids, messages and import ids
    assert local[2].equals(remote[2])
    assert local[3] == remote[3]
    assert ("c-copy.jsonl", "openai", 40) not in local[3]  # the copy was skipped, not imported
    assert any(src == "a-damaged.parquet" and fmt != "parquet" for src, fmt, _ in local[3])
