"""Benchmark: the whole pipeline on the local engine vs Ray with 1 and 2 worker nodes.

For each size, the same sharded OpenAI-JSONL corpus (``generate_shards``: cheap,
vectorised; 3% exact and 3% near copies planted; 10 shards) goes through ``curator import`` (a folder of shards), ``curator run``
(dedup + every filter) and ``curator export`` in fresh processes, once per
engine configuration:

* local: ``--engine local`` (the default);
* ray-1 / ray-2: a ``ray.cluster_utils.Cluster`` on this machine (a head with no
  CPUs plus 1 or 2 worker nodes with one CPU each), joined with
  ``--engine ray --ray-address ADDR``.

Printed per stage: wall seconds (and, within `run`, the run log's dedup and filter seconds), the ratio to local, the driver's peak RSS and
the largest peak RSS (VmHWM) of any Ray worker process (sampled every 0.2 s from /proc).
Results are checked equal (flags, clusters, export bytes) across configurations.

    pip install -e '.[ray]'
    python benchmarks/bench_ray.py --sizes 100000 1000000
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_import import WORDS  # noqa: E402

SHARDS = 10
POOL = 4_000  # distinct half-messages per role; a message is two halves (16M combinations)


def _pool(rng: np.random.Generator, lo: int, hi: int) -> np.ndarray:
    words = np.asarray(WORDS)
    lens = rng.integers(lo, hi, POOL)
    return np.asarray([" ".join(words[rng.integers(0, len(words), k)]) for k in lens])


def generate_shards(folder: Path, n: int, shards: int = SHARDS, seed: int = 0) -> None:
    """``n`` support chats in ``shards`` OpenAI-JSONL files, built with numpy/Polars.

    Each message is two halves drawn from pools of ``POOL`` word strings, 1-3
    exchanges a chat; 3% of chats are exact copies and 3% near copies (a reply
    with one word more) of an earlier chat, under new conversation ids.
    """
    import polars as pl

    rng = np.random.default_rng(seed)
    user = [_pool(rng, 3, 20), _pool(rng, 3, 20)]
    bot = [_pool(rng, 5, 40), _pool(rng, 5, 40)]
    idx = np.arange(n)
    ex = rng.integers(1, 4, n)

    def text(pools: list[np.ndarray], k: int) -> pl.Series:
        a = pl.Series(pools[0]).gather(rng.integers(0, POOL, n))
        b = pl.Series(pools[1]).gather(rng.integers(0, POOL, n))
        return (a + " " + b).alias(f"t{k}")

    cols = {f"u{k}": text(user, k) for k in range(3)} | {f"a{k}": text(bot, k) for k in range(3)}
    df = pl.DataFrame({"ex": ex, **cols})
    # plants: copy an earlier chat (exact), or copy it and add a word to its first reply (near)
    src = (idx * rng.random(n)).astype(np.int64)
    plant = rng.random(n)
    take = np.where(plant < 0.06, src, idx)
    df = df[take]
    near = pl.Series((plant >= 0.03) & (plant < 0.06))
    df = df.with_columns(
        pl.when(near).then(pl.col("a0") + " please").otherwise(pl.col("a0")).alias("a0")
    )

    def msg(role: str, col: str) -> pl.Expr:
        return pl.concat_str(pl.lit(f'{{"role": "{role}", "content": "'), pl.col(col), pl.lit('"}'))

    turns = [
        pl.concat_str(msg("user", f"u{k}"), pl.lit(", "), msg("assistant", f"a{k}"))
        for k in range(3)
    ]
    body = pl.concat_str(
        pl.lit(
            '{"messages": [{"role": "system", "content": "You are a helpful support agent for Acme."}, '
        ),
        turns[0],
        pl.when(pl.col("ex") >= 2).then(pl.lit(", ") + turns[1]).otherwise(pl.lit("")),
        pl.when(pl.col("ex") >= 3).then(pl.lit(", ") + turns[2]).otherwise(pl.lit("")),
        pl.lit('], "conversation_id": "c'),
        pl.Series(idx).cast(pl.String),
        pl.lit('"}'),
    )
    lines = df.select(body.alias("line"))
    per = -(-n // shards)
    for k in range(shards):
        part = lines.slice(k * per, per)
        part.write_csv(folder / f"part-{k:02d}.jsonl", include_header=False, quote_style="never")


def _peak_kb(pid: str) -> int:
    """VmHWM (peak resident set) of a process, in kB; 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _is_ray_worker(pid: str) -> bool:
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return cmd.startswith(b"ray::") or b"default_worker.py" in cmd


class Sampler:
    """Peak RSS (VmHWM) of the command's process and the largest of any Ray worker
    process, sampled in a thread. (Not the child's ``ru_maxrss``: Linux carries the
    parent's high-water mark into a forked child's, so a parent that generated a 5M
    corpus made every command look 18.8 GB.)"""

    def __init__(self, pid: int, cap: int | None = None) -> None:
        self.pid = str(pid)
        self.cap = cap  # bytes: the command is stopped when its peak passes this
        self.driver_peak = 0
        self.worker_peak = 0
        self.capped = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.driver_peak = max(self.driver_peak, _peak_kb(self.pid) * 1024)
            if self.cap and self.driver_peak > self.cap and not self.capped:
                self.capped = True  # stopped before the machine runs out (and kills others)
                with contextlib.suppress(OSError):
                    os.kill(int(self.pid), signal.SIGKILL)
            for entry in os.listdir("/proc"):
                if entry.isdigit() and _is_ray_worker(entry):
                    self.worker_peak = max(self.worker_peak, _peak_kb(entry) * 1024)
            time.sleep(0.2)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def curator(args: list[str], cap: int | None = None) -> tuple[float, int, int, bool]:
    """Wall seconds, the command's own peak RSS (bytes), the largest Ray worker peak, and
    whether it was stopped for passing ``cap`` bytes."""
    t0 = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "curator", *args, "-q"], env=env, cwd=REPO)
    sampler = Sampler(proc.pid, cap)
    # wait for the exit without reaping, so the last VmHWM can still be read
    os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
    sampler.stop()
    driver = max(sampler.driver_peak, _peak_kb(str(proc.pid)) * 1024)
    if proc.wait() != 0 and not sampler.capped:
        raise SystemExit(f"curator {' '.join(args)} failed")
    return time.perf_counter() - t0, driver, sampler.worker_peak, sampler.capped


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for name in ("train.jsonl", "validation.jsonl"):
        h.update((folder / name).read_bytes())
    return h.hexdigest()[:16]


def run_split(ws: Path) -> dict[str, float]:
    """The last ``curator run``'s own split (its run log): dedup and filter seconds, pairs."""
    import sqlite3

    con = sqlite3.connect(f"file:{ws / 'curator.db'}?mode=ro", uri=True)
    try:
        row = con.execute(
            "SELECT summary FROM runs WHERE kind='run' ORDER BY run_id DESC LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    steps = {st["step"]: st for st in json.loads(row[0])["steps"]} if row else {}
    dedup, flags = steps.get("dedup", {}), steps.get("flags", {})
    return {
        "dedup": float(dedup.get("seconds", 0.0)),
        "filters": float(flags.get("seconds", 0.0)),  # scoring + thresholds
        "candidate_pairs": int(dedup.get("candidate_pairs", 0)),
    }


def run_config(
    name: str, shards: Path, root: Path, engine: list[str], cap: int | None = None
) -> dict[str, object]:
    ws = root / f"{name}.curator"
    out = root / f"{name}-out"
    shutil.rmtree(ws, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    row: dict[str, object] = {"config": name, "load_before": round(os.getloadavg()[0], 1)}
    for stage, args in (
        ("import", ["import", str(shards), "-w", str(ws)]),
        ("run", ["run", "-w", str(ws)]),
        (
            "export",
            ["export", "-w", str(ws), "-o", str(out), "--include", "passing", "--split", "0.1"],
        ),
    ):
        seconds, driver, worker, capped = curator(args + engine, cap)
        row[stage] = (seconds, driver, worker)
        print(
            f"  {name} {stage}: {seconds:.1f} s, driver {driver / 2**20:,.0f} MB, largest "
            f"worker {worker / 2**20:,.0f} MB (load {os.getloadavg()[0]:.1f})"
            + (" STOPPED: over --max-rss-gb" if capped else ""),
            flush=True,
        )
        if capped:  # the later stages need this one's results
            row["stopped"] = stage
            (root / f"{name}.partial.json").write_text(json.dumps(row))
            break
        if stage == "run":
            row["split"] = run_split(ws)
        # each stage's figures are kept as soon as measured: a long run stopped midway
        # still shows what it got (the table reads finished configurations only)
        (root / f"{name}.partial.json").write_text(json.dumps(row))
    row["digest"] = None if "stopped" in row else digest(out)
    row["load_after"] = round(os.getloadavg()[0], 1)
    shutil.rmtree(ws, ignore_errors=True)  # a 5M workspace is gigabytes
    shutil.rmtree(out, ignore_errors=True)
    return row


def run_ray(config: str, shards: Path, root: Path, cap: int | None = None) -> dict[str, object]:
    """One Ray configuration on a fresh ``ray.cluster_utils.Cluster``: ray-N has N worker nodes."""
    from ray.cluster_utils import Cluster

    workers = int(config.split("-")[1])
    cluster = Cluster(
        initialize_head=True, head_node_args={"num_cpus": 0, "include_dashboard": False}
    )
    for _ in range(workers):
        cluster.add_node(num_cpus=1)
    cluster.wait_for_nodes()
    try:
        return run_config(
            config, shards, root, ["--engine", "ray", "--ray-address", cluster.address], cap
        )
    finally:
        cluster.shutdown()


def table(n: int, rows: list[dict[str, object]]) -> None:
    """The figures side by side: wall time, ratio to local, driver and worker peak RSS."""
    base = next((r for r in rows if r["config"] == "local"), None)
    print(f"\n{n:,} conversations ({SHARDS} shards)")
    print(
        f"{'config':<8} {'stage':<7} {'wall s':>8} {'x local':>8} {'s per 1M':>9} "
        f"{'driver RSS':>11} {'worker RSS':>11}  load"
    )
    for row in rows:
        for stage in ("import", "run", "export"):
            if stage not in row:
                print(
                    f"{row['config']:<8} {stage:<7} {'not run: an earlier stage was stopped':>40}"
                )
                continue
            if row.get("stopped") == stage:
                s, d, w = row[stage]  # type: ignore[misc]
                print(
                    f"{row['config']:<8} {stage:<7} stopped after {s:.0f} s with the driver "
                    f"at {d / 2**20:,.0f} MB (over --max-rss-gb)"
                )
                continue
            s, d, w = row[stage]  # type: ignore[misc]
            known = base is not None and stage in base and base.get("stopped") != stage
            ratio = f"{s / base[stage][0]:>8.2f}" if known else f"{'-':>8}"  # type: ignore[index]
            print(
                f"{row['config']:<8} {stage:<7} {s:>8.1f} {ratio} {s / n * 1e6:>9.0f} "
                f"{d / 2**20:>9.0f}MB {w / 2**20 if w else 0:>9.0f}MB  "
                f"{row['load_before']}->{row['load_after']}"
            )
    print(f"{'config':<8} {'dedup s':>8} {'filters s':>10} {'candidate pairs':>16}  (within run)")
    for row in rows:
        sp = row.get("split") or {}
        if sp:
            print(
                f"{row['config']:<8} {sp['dedup']:>8.1f} {sp['filters']:>10.1f} "
                f"{sp['candidate_pairs']:>16,}"
            )
    exported = {str(row["digest"]) for row in rows if row.get("digest")}
    n_out = sum(1 for row in rows if row.get("digest"))
    print(
        f"export bytes identical across the {n_out} configurations that exported: {len(exported) <= 1}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    ap.add_argument("--configs", nargs="+", default=["local", "ray-1", "ray-2"])
    ap.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="keep the corpus and each configuration's figures (JSON) here, so configurations "
        "can run one at a time and the table shows every figure measured so far",
    )
    ap.add_argument(
        "--max-rss-gb",
        type=float,
        default=None,
        help="stop a command whose own peak RSS passes this (the table says where it "
        "stopped), instead of letting it exhaust the machine",
    )
    opts = ap.parse_args()
    cap = int(opts.max_rss_gb * 2**30) if opts.max_rss_gb else None
    print(f"{os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}", flush=True)
    for n in opts.sizes:
        with tempfile.TemporaryDirectory(prefix="bench-ray-") as tmp:
            root = (opts.workdir or Path(tmp)) / str(n)
            shards = root / "shards"
            if not (shards / f"part-{SHARDS - 1:02d}.jsonl").exists():
                shards.mkdir(parents=True, exist_ok=True)
                t0 = time.perf_counter()
                generate_shards(shards, n)
                print(f"generated {n:,} in {time.perf_counter() - t0:.1f} s", flush=True)
            for config in opts.configs:
                row = (
                    run_config(config, shards, root, [], cap)
                    if config == "local"
                    else run_ray(config, shards, root, cap)
                )
                (root / f"{config}.json").write_text(json.dumps(row))
            rows = [
                json.loads((root / f"{c}.json").read_text())
                for c in ("local", "ray-1", "ray-2")
                if (root / f"{c}.json").exists()
            ]
            table(n, rows)


if __name__ == "__main__":
    main()
