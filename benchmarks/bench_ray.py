"""Benchmark: the whole pipeline on the local engine vs Ray with 1 and 2 worker nodes.

For each size, the same sharded OpenAI-JSONL corpus (``bench_import.generate``,
10 shards) goes through ``curator import`` (a folder of shards), ``curator run``
(dedup + every filter) and ``curator export`` in fresh processes, once per
engine configuration:

* local: ``--engine local`` (the default);
* ray-1 / ray-2: a ``ray.cluster_utils.Cluster`` on this machine (a head with no
  CPUs plus 1 or 2 worker nodes with one CPU each), joined with
  ``--engine ray --ray-address ADDR``.

Printed per stage: wall seconds, the ratio to local, the driver's peak RSS and
the largest peak RSS (VmHWM) of any Ray worker process (sampled every 0.2 s from /proc).
Results are checked equal (flags, clusters, export bytes) across configurations.

    pip install -e '.[ray]'
    python benchmarks/bench_ray.py --sizes 100000 1000000
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_import import generate  # noqa: E402

SHARDS = 10


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
    """Largest peak RSS (VmHWM) of any Ray worker process, sampled in a thread."""

    def __init__(self) -> None:
        self.worker_peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            for entry in os.listdir("/proc"):
                if entry.isdigit() and _is_ray_worker(entry):
                    self.worker_peak = max(self.worker_peak, _peak_kb(entry) * 1024)
            time.sleep(0.2)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def curator(args: list[str]) -> tuple[float, int, int]:
    """Wall seconds, the command's own peak RSS (bytes), the largest Ray worker peak."""
    t0 = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "curator", *args, "-q"], env=env, cwd=REPO)
    sampler = Sampler()
    _, status, usage = os.wait4(proc.pid, 0)
    sampler.stop()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"curator {' '.join(args)} failed")
    return time.perf_counter() - t0, usage.ru_maxrss * 1024, sampler.worker_peak


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for name in ("train.jsonl", "validation.jsonl"):
        h.update((folder / name).read_bytes())
    return h.hexdigest()[:16]


def run_config(name: str, shards: Path, root: Path, engine: list[str]) -> dict[str, object]:
    ws = root / f"{name}.curator"
    out = root / f"{name}-out"
    row: dict[str, object] = {"config": name}
    for stage, args in (
        ("import", ["import", str(shards), "-w", str(ws)]),
        ("run", ["run", "-w", str(ws)]),
        (
            "export",
            ["export", "-w", str(ws), "-o", str(out), "--include", "passing", "--split", "0.1"],
        ),
    ):
        seconds, driver, worker = curator(args + engine)
        row[stage] = (seconds, driver, worker)
    row["digest"] = digest(out)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    ap.add_argument("--configs", nargs="+", default=["local", "ray-1", "ray-2"])
    opts = ap.parse_args()
    from ray.cluster_utils import Cluster

    print(f"{os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}")
    for n in opts.sizes:
        with tempfile.TemporaryDirectory(prefix="bench-ray-") as tmp:
            root = Path(tmp)
            shards = root / "shards"
            shards.mkdir()
            per = -(-n // SHARDS)
            for k in range(SHARDS):
                generate(shards / f"part-{k:02d}.jsonl", min(per, n - k * per), seed=k)
            rows = []
            for config in opts.configs:
                if config == "local":
                    rows.append(run_config(config, shards, root, []))
                    continue
                workers = int(config.split("-")[1])
                cluster = Cluster(
                    initialize_head=True,
                    head_node_args={"num_cpus": 0, "include_dashboard": False},
                )
                for _ in range(workers):
                    cluster.add_node(num_cpus=1)
                cluster.wait_for_nodes()
                try:
                    rows.append(
                        run_config(
                            config,
                            shards,
                            root,
                            ["--engine", "ray", "--ray-address", cluster.address],
                        )
                    )
                finally:
                    cluster.shutdown()
            base = {stage: rows[0][stage][0] for stage in ("import", "run", "export")}  # type: ignore[index]
            print(f"\n{n:,} conversations ({SHARDS} shards)")
            print(
                f"{'config':<8} {'stage':<7} {'wall s':>8} {'x local':>8} {'driver RSS':>11} {'worker RSS':>11}"
            )
            for row in rows:
                for stage in ("import", "run", "export"):
                    s, d, w = row[stage]  # type: ignore[misc]
                    print(
                        f"{row['config']:<8} {stage:<7} {s:>8.1f} {s / base[stage]:>8.2f} "
                        f"{d / 2**20:>9.0f}MB {w / 2**20 if w else 0:>9.0f}MB"
                    )
            same = len({row["digest"] for row in rows}) == 1
            print(f"export bytes identical across configurations: {same}")


if __name__ == "__main__":
    main()
