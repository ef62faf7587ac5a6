"""Benchmark: our dedup job vs the naive datasketch loop, on planted near-duplicates.

Builds a synthetic support-chat corpus (Zipf vocabulary, shared greetings and
sign-offs) where some conversations are edited copies of others at known
Jaccard levels (computed exactly on the word 5-gram shingle sets), plus a few
verbatim copies. Then, in the same run:

* ours: the whole ``curator dedup -w WS`` command in a fresh process
  (interpreter start, imports, kernel load, reading the workspace, normalising,
  signatures, LSH, clustering, writing results);
* naive: per conversation ``MinHash()`` + ``update()`` per shingle,
  ``MinHashLSH.insert``, then ``query`` per conversation and a
  ``MinHash.jaccard`` check of each candidate, union of the pairs.

Recall: planted pairs (J >= 0.9, J >= 0.8) whose two records end up in the
same cluster. Precision: predicted duplicate links (ours: each flagged record
and its keeper; naive: verified pairs) whose exact Jaccard is at least
threshold - 0.1 (0.7), i.e. not a clearly different conversation.

    python benchmarks/bench_dedup.py --n 100000 [--naive-n 20000]

``--naive-n`` runs the naive loop on a subset and extrapolates its time
linearly to --n (it says so in the output).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from datasketch import MinHash, MinHashLSH  # noqa: E402

from curator.core import records as R  # noqa: E402
from curator.core.dedup import DedupSettings  # noqa: E402
from curator.core.dedup.minhash import backend  # noqa: E402
from curator.core.dedup.normalize import scope_text_of  # noqa: E402
from curator.core.dedup.shingles import shingle_set  # noqa: E402
from curator.core.workspace import Workspace  # noqa: E402

GREETINGS = [
    "hi thanks for contacting support my name is alex how can i help you today",
    "hello and welcome to the help desk i am happy to look into this for you",
    "good morning thank you for reaching out let me check that for you",
]
SIGNOFFS = [
    "is there anything else i can help you with today have a great day",
    "thanks for your patience and let us know if you need anything else",
]


def make_corpus(n: int, seed: int) -> tuple[list[list[tuple[str, str]]], list[tuple[int, int]]]:
    """Conversations and planted (original, copy) index pairs."""
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    vocab = np.array(
        [f"{rng.choice('bcdfghklmnprstvz')}{rng.choice('aeiou')}{i}" for i in range(40_000)]
    )
    zipf = np.minimum(nprng.zipf(1.15, size=n * 400), len(vocab)) - 1

    pos = 0
    convs: list[list[tuple[str, str]]] = []
    planted: list[tuple[int, int]] = []
    n_plants = n // 10
    n_base = n - n_plants
    for _ in range(n_base):
        turns = []
        for t in range(rng.randint(4, 8)):
            k = rng.randint(15, 45)
            text = " ".join(vocab[zipf[pos : pos + k]])
            pos = pos + k if pos + 2 * k < len(zipf) else 0
            if t == 1:
                text = rng.choice(GREETINGS) + " " + text
            turns.append(("user" if t % 2 == 0 else "assistant", text))
        turns[-1] = ("assistant", turns[-1][1] + " " + rng.choice(SIGNOFFS))
        convs.append(turns)
    for _ in range(n_plants):
        src = rng.randrange(n_base)
        if rng.random() < 0.1:
            copy = list(convs[src])  # verbatim copy
        else:
            copy = edit(convs[src], rng.uniform(0.5, 1.0), rng, vocab)
        planted.append((src, len(convs)))
        convs.append(copy)
    order = list(range(len(convs)))
    rng.shuffle(order)
    where = {old: new for new, old in enumerate(order)}
    return [convs[i] for i in order], [(where[a], where[b]) for a, b in planted]


def edit(
    conv: list[tuple[str, str]], target: float, rng: random.Random, vocab: np.ndarray
) -> list[tuple[str, str]]:
    """Replace scattered words so the shingle Jaccard lands near ``target``."""
    words = [(i, j) for i, (_, text) in enumerate(conv) for j in range(len(text.split()))]
    shingles = max(1, len(words) - 4)
    affected = shingles * (1 - target) / (1 + target)
    k = max(1, round(affected / 5))
    pieces = [text.split() for _, text in conv]
    for i, j in rng.sample(words, min(k, len(words))):
        pieces[i][j] = str(vocab[rng.randrange(len(vocab))])
    return [(role, " ".join(p)) for (role, _), p in zip(conv, pieces, strict=True)]


def build_workspace(path: Path, convs: list[list[tuple[str, str]]]) -> Workspace:
    ws = Workspace.open(path, create=True)
    rows = {
        R.ID: [f"{i:016x}" for i in range(len(convs))],
        R.SOURCE: ["bench.jsonl"] * len(convs),
        R.SOURCE_PATH: ["/bench/bench.jsonl"] * len(convs),
        R.LOCATOR: [f"line {i + 1}" for i in range(len(convs))],
        R.LINE: list(range(1, len(convs) + 1)),
        R.MESSAGES: [[R.message(role, text) for role, text in c] for c in convs],
        R.META: ["{}"] * len(convs),
        R.REPAIRS: [[] for _ in convs],
        R.IMPORT_ID: [0] * len(convs),
    }
    df = pl.DataFrame(rows, schema=R.RECORD_SCHEMA)
    ws.add_import(
        source="bench.jsonl",
        path="/bench/bench.jsonl",
        file_hash="bench",
        fmt="openai",
        options={},
        records=df,
        quarantine=[],
    )
    return ws


def union_find_labels(n: int, pairs: list[tuple[int, int]]) -> np.ndarray:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return np.array([find(i) for i in range(n)])


def naive(texts: list[str], threshold: float, num_perm: int) -> tuple[float, list[tuple[int, int]]]:
    t0 = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    mhs = []
    for i, text in enumerate(texts):
        m = MinHash(num_perm=num_perm)
        for sh in shingle_set(text, 5):
            m.update(sh.encode("utf-8"))
        lsh.insert(i, m)
        mhs.append(m)
    links = []
    for i, m in enumerate(mhs):
        for j in lsh.query(m):
            if j > i and m.jaccard(mhs[j]) >= threshold:
                links.append((i, j))
    return time.perf_counter() - t0, links


def exact_j(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def score(
    labels: np.ndarray,
    planted: list[tuple[int, int, float]],
    links: list[tuple[int, int]],
    sets: dict[int, set[str]],
    texts: list[str],
    floor: float,
) -> dict[str, float]:
    out = {}
    for level in (0.9, 0.8):
        sel = [(a, b) for a, b, j in planted if j >= level]
        found = sum(labels[a] == labels[b] for a, b in sel)
        out[f"recall@{level}"] = found / max(1, len(sel))
    good = 0
    for a, b in links:
        sa = sets.get(a) or shingle_set(texts[a], 5)
        sb = sets.get(b) or shingle_set(texts[b], 5)
        good += exact_j(sa, sb) >= floor
    out["precision"] = good / max(1, len(links))
    out["links"] = len(links)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--n", type=int, default=50_000)
    ap.add_argument(
        "--naive-n", type=int, default=None, help="run the naive loop on the first N (extrapolated)"
    )
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    t = time.perf_counter()
    print(
        f"cores: {os.cpu_count()}  signature backend: {backend()}  "
        f"(kernel load + self-test {time.perf_counter() - t:.2f} s, compiled once and cached on disk)"
    )
    t = time.perf_counter()
    convs, pairs = make_corpus(args.n, args.seed)
    settings = DedupSettings(threshold=args.threshold)
    messages = pl.Series(
        R.MESSAGES, [[R.message(r, x) for r, x in c] for c in convs], R.MESSAGES_DTYPE
    )
    texts = scope_text_of(messages, settings).to_list()
    sets: dict[int, set[str]] = {}
    planted = []
    for a, b in pairs:
        sets.setdefault(a, shingle_set(texts[a], 5))
        sets.setdefault(b, shingle_set(texts[b], 5))
        planted.append((a, b, exact_j(sets[a], sets[b])))
    js = np.array([j for _, _, j in planted])
    words = sum(len(x.split()) for x in texts) / len(texts)
    print(
        f"corpus: {len(convs):,} conversations, {words:.0f} words each on average, "
        f"{len(planted):,} planted pairs ({(js >= 0.9).sum():,} at J>=0.9, {(js >= 0.8).sum():,} at J>=0.8, "
        f"{(js < 0.8).sum():,} below) built in {time.perf_counter() - t:.1f} s"
    )

    with tempfile.TemporaryDirectory() as tmp:
        ws = build_workspace(Path(tmp) / "bench.curator", convs)
        # the whole command, as a user runs it: interpreter start, imports, kernel load, job
        cmd = [
            sys.executable,
            "-m",
            "curator",
            "dedup",
            "-w",
            str(ws.path),
            "--json",
            "--threshold",
            str(args.threshold),
        ]
        t = time.perf_counter()
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=REPO).stdout
        ours_s = time.perf_counter() - t
        summary = json.loads(out)
        t = time.perf_counter()
        again = json.loads(
            subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=REPO).stdout
        )
        rerun_s = time.perf_counter() - t
        cl = ws.clusters()
        idx = cl.select(
            pl.col(R.ID).str.to_integer(base=16).alias("i"),
            pl.col(R.DUPLICATE_OF).str.to_integer(base=16).alias("k"),
            pl.col(R.CLUSTER_ID).rank("dense").cast(pl.Int64).alias("c"),
        )
        labels = -np.arange(1, len(convs) + 1)
        labels[idx.get_column("i").to_numpy()] = idx.get_column("c").to_numpy()
        ours_links = [(a, b) for a, b in idx.drop_nulls("k").select("i", "k").iter_rows()]
        ours = score(labels, planted, ours_links, sets, texts, args.threshold - 0.1)

    nn = args.naive_n or len(texts)
    naive_s, naive_links = naive(texts[:nn], args.threshold, settings.num_perm)
    sub = [(a, b, j) for a, b, j in planted if a < nn and b < nn]
    naive_labels = union_find_labels(nn, naive_links)
    nv = score(naive_labels, sub, naive_links, sets, texts, args.threshold - 0.1)
    naive_full = naive_s * len(texts) / nn

    print(
        f"\nours : {ours_s:8.2f} s  {len(texts) / ours_s:10,.0f} docs/s  "
        f"recall@J>=0.9 {ours['recall@0.9']:.4f}  recall@J>=0.8 {ours['recall@0.8']:.4f}  "
        f"precision {ours['precision']:.4f} ({ours['links']:,} links)"
    )
    note = (
        "" if nn == len(texts) else f"  [ran on {nn:,}, time extrapolated x{len(texts) / nn:.1f}]"
    )
    print(
        f"naive: {naive_full:8.2f} s  {len(texts) / naive_full:10,.0f} docs/s  "
        f"recall@J>=0.9 {nv['recall@0.9']:.4f}  recall@J>=0.8 {nv['recall@0.8']:.4f}  "
        f"precision {nv['precision']:.4f} ({nv['links']:,} links){note}"
    )
    print(f"speed ratio (naive / ours): {naive_full / ours_s:.1f}x")
    print(
        f"ours, re-run on the same workspace (signatures cached): {rerun_s:.2f} s "
        f"({again['signatures_cached']:,} signatures reused)"
    )
    summary.pop("settings", None)
    print(f"ours detail: {summary}")


if __name__ == "__main__":
    main()
