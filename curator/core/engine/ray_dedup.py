"""Near-duplicates on a Ray cluster: workers read the records, the driver holds keys and pairs.

Stages (each a set of Ray tasks; a task's memory is one Parquet row group or one
shuffle partition, never the corpus):

1. **reading**: each task reads one row group of the workspace's record parts
   (``engine.parts``: the reviewer's edits applied from the small review-state
   table) and returns its node rows: ids, text keys, tie-breakers, no text.
2. **shared text** (full runs only): the evenly spaced sample of texts
   ``dedup.shared`` learns from is read back by row position.
3. **signatures**: each task re-reads its row group and hashes the texts whose
   key is not in the signature cache; cached signatures are read by workers from
   the cache file's row groups. Signature blocks stay in the object store.
4. **LSH bands**: each signature block's band keys are hash-partitioned; each
   partition task groups rows by (band, key) with the local rule
   (``lsh.bucket_chunks``). The driver merges the pairs (``lsh.unique_pairs``).
5. **verifying**: the candidates' texts and signatures are recomputed by row-group
   tasks into ranges of signature rows; one task per pair of ranges runs the local
   verification (``dedup.job.verify_pairs``).

The driver returns the same ``Found`` as the local stage; ``dedup_job`` clusters
and publishes with the same code. The signature cache is streamed block by block
from the object store into the results file at publish time.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Sequence
from typing import Any, Final

import numpy as np
import polars as pl
import pyarrow.parquet as pq

from curator.core import records as R
from curator.core.dedup import lsh as L
from curator.core.dedup.settings import DedupSettings
from curator.core.engine.parts import RecordSlice, read_slice, record_slices
from curator.core.jobs import Job, Progress
from curator.core.workspace import Workspace

BAND_ROWS_PER_PARTITION: Final = 4_000_000  # (band, key, row) triples per shuffle task
VERIFY_RANGE: Final = 50_000  # candidate texts per verification range


def _fault(step: str) -> None:
    from curator.core.engine.ray_engine import _fault as fault

    fault(step)


# --- worker functions ---------------------------------------------------------------
def _node_rows(sl: RecordSlice, state: pl.DataFrame, s: DedupSettings) -> pl.DataFrame:
    from curator.core.dedup.job import _nodes

    _fault("reading")
    nodes = _nodes(read_slice(sl, state), s).drop("text")
    return nodes.with_row_index("pos").with_columns(pl.col("pos").cast(pl.Int64))


def _texts_at(sl: RecordSlice, state: pl.DataFrame, s: DedupSettings, pos: np.ndarray) -> pl.Series:
    from curator.core.dedup.normalize import dedup_texts

    frame = read_slice(sl, state, [R.MESSAGES])[pos]
    return dedup_texts(frame.get_column(R.MESSAGES), s).get_column("text")


def _text_rows(
    sl: RecordSlice, state: pl.DataFrame, s: DedupSettings, pos: np.ndarray, sig_row: np.ndarray
) -> pl.DataFrame:
    return pl.DataFrame({"sig_row": sig_row, "text": _texts_at(sl, state, s, pos)})


def _signature_rows(
    sl: RecordSlice,
    state: pl.DataFrame,
    s: DedupSettings,
    pos: np.ndarray,
    sig_row: np.ndarray,
    batch: Callable[[pl.DataFrame], pl.DataFrame],
) -> pl.DataFrame:
    _fault("signatures")
    out = batch(pl.DataFrame({"text": _texts_at(sl, state, s, pos)}))
    return out.with_columns(pl.Series("sig_row", sig_row, dtype=pl.Int64))


def _cached_rows(path: str, group: int, sig_row: np.ndarray) -> pl.DataFrame:
    _fault("signatures")
    df = pl.from_arrow(pq.ParquetFile(path).read_row_group(group, columns=["sig"]))
    assert isinstance(df, pl.DataFrame)
    keep = sig_row >= 0
    return df.filter(pl.Series(keep)).with_columns(
        pl.Series("sig_row", sig_row[keep], dtype=pl.Int64), pl.lit(False).alias("short")
    )


def _band_keys(block: pl.DataFrame, bands: int, rows: int, parts: int) -> list[pl.DataFrame]:
    _fault("LSH bands")
    sigs = np.ascontiguousarray(block.get_column("sig").to_numpy(), dtype=np.uint32)
    row = block.get_column("sig_row").to_numpy()
    mult = L.multipliers(rows)
    keys = np.concatenate([L._band_keys(sigs, b, rows, mult) for b in range(bands)])
    frame = pl.DataFrame(
        {
            "band": np.repeat(np.arange(bands, dtype=np.int32), len(row)),
            "key": keys,
            "row": np.tile(row, bands),
        }
    )
    part = (keys % np.uint64(parts)).astype(np.int64)
    return [frame.filter(pl.Series(part == p)) for p in range(parts)]


def _bucket_pairs(*frames: pl.DataFrame) -> np.ndarray:
    _fault("LSH bands")
    df = pl.concat(frames)
    chunks = L.bucket_chunks(
        df.get_column("band").to_numpy(),
        df.get_column("key").to_numpy(),
        df.get_column("row").to_numpy(),
    )
    return np.concatenate(chunks).astype(np.int64) if chunks else np.empty((0, 2), np.int64)


def _candidate_rows(
    sl: RecordSlice,
    state: pl.DataFrame,
    s: DedupSettings,
    pos: np.ndarray,
    sig_row: np.ndarray,
    rng: np.ndarray,
    ranges: int,
    batch: Callable[[pl.DataFrame], pl.DataFrame],
) -> list[pl.DataFrame] | pl.DataFrame:
    _fault("verifying")
    text = _texts_at(sl, state, s, pos)
    sigs = batch(pl.DataFrame({"text": text})).get_column("sig")
    df = pl.DataFrame({"sig_row": sig_row, "text": text, "sig": sigs})
    out = [df.filter(pl.Series(rng == k)) for k in range(ranges)]
    return out if ranges > 1 else out[0]  # (one return value: the frame itself)


def _verify(
    pairs: np.ndarray, s: DedupSettings, shared: pl.DataFrame, *frames: pl.DataFrame
) -> pl.DataFrame:
    from curator.core.dedup.job import verify_pairs

    _fault("verifying")
    reps = pl.concat(frames).unique("sig_row").sort("sig_row")
    rows = reps.get_column("sig_row").to_numpy()
    local = np.column_stack(
        [np.searchsorted(rows, pairs[:, 0]), np.searchsorted(rows, pairs[:, 1])]
    )
    sigs = np.ascontiguousarray(reps.get_column("sig").to_numpy(), dtype=np.uint32)
    got = verify_pairs(reps.get_column("text"), sigs, local, s, shared)
    return got.with_columns(
        pl.Series("i", rows[got.get_column("i").to_numpy()]),
        pl.Series("j", rows[got.get_column("j").to_numpy()]),
    )


# --- the driver -------------------------------------------------------------------
class _Tasks:
    """Ray tasks with the engine's retries; waiting on them yields progress."""

    def __init__(self, engine: Any) -> None:
        from curator.core.engine.ray_engine import RETRIES

        self.ray = engine._ray
        self.retries = RETRIES
        self.pending: list[Any] = []

    def remote(self, fn: Callable[..., Any], num_returns: int = 1) -> Any:
        return self.ray.remote(max_retries=self.retries, num_returns=num_returns)(fn)

    def gather(
        self, refs: Sequence[Any], step: str, detail: str = "on Ray", *, fetch: bool = True
    ) -> Job[list[Any]]:
        """Results of ``refs`` in order (``fetch=False``: only wait, results stay on the
        cluster); a Ray failure is an EngineFailure naming ``step``."""
        from curator.core.engine.ray_engine import _failed

        ray = self.ray
        left = list(refs)
        self.pending = left
        total = len(left)
        try:
            yield Progress(step, 0, total, detail)
            while left:
                _, left = ray.wait(left, num_returns=len(left), timeout=0.5)
                self.pending = left
                yield Progress(step, total - len(left), total, detail)
            if not fetch:
                ray.get(list(refs)[-1:])  # raises if a task failed (all are done)
                return []
            return list(ray.get(list(refs)))
        except ray.exceptions.RayError as exc:
            raise _failed(step, exc) from exc
        except GeneratorExit:  # the job was cancelled: stop the cluster's work, publish nothing
            self.cancel()
            raise

    def cancel(self) -> None:
        for ref in self.pending:
            with contextlib.suppress(Exception):  # best effort: the job is being abandoned
                self.ray.cancel(ref, force=True)


def _by_slice(texts: pl.DataFrame, which: np.ndarray) -> dict[int, pl.DataFrame]:
    """Rows ``which`` of ``texts`` (sig rows) grouped by the slice holding their rep record."""
    sub = texts.with_row_index("sig_row").filter(pl.Series(which))
    return {int(k[0]): g for k, g in sub.group_by("slice", maintain_order=True)}


def dedup_found(engine: Any, ws: Workspace, s: DedupSettings, full: bool) -> Job[Any]:
    """``dedup.job.Found`` computed on the cluster (see the module docstring)."""
    from curator.core.dedup import job as J
    from curator.core.dedup.minhash import shingle_hashes
    from curator.core.dedup.shared import SAMPLE, shared_text
    from curator.core.dedup.store import SIGNATURES, read_shared

    slices = record_slices(ws)
    if not slices:
        return (yield from J._found_locally(ws, s, full))
    ray = engine._ray
    tasks = _Tasks(engine)
    state = ray.put(ws.state())
    # 1. node rows, in record order
    node_task = tasks.remote(_node_rows)
    parts = yield from tasks.gather(
        [node_task.remote(sl, state, s) for sl in slices], "reading", "records read on Ray"
    )
    nodes = pl.concat(
        [p.with_columns(pl.lit(k, pl.Int64).alias("slice")) for k, p in enumerate(parts)]
    )
    del parts
    texts = J.distinct_texts(
        nodes, pl.col("slice").sort_by(R.ID).first(), pl.col("pos").sort_by(R.ID).first()
    )
    n = texts.height
    text_task = tasks.remote(_text_rows)

    # 2. shared text: from the same sample the local job takes
    stored = None if full else read_shared(ws, s.text_fingerprint())
    if stored is None:
        pick = np.zeros(n, dtype=bool)
        if n > SAMPLE:
            step = n / SAMPLE
            pick[[int(i * step) for i in range(SAMPLE)]] = True
        else:
            pick[:] = True
        refs = [
            text_task.remote(
                slices[k],
                state,
                s,
                g.get_column("pos").to_numpy(),
                g.get_column("sig_row").to_numpy(),
            )
            for k, g in _by_slice(texts, pick).items()
        ]
        got = yield from tasks.gather(refs, "shared text", "reading the sample on Ray")
        sample = (
            pl.concat(got).sort("sig_row").get_column("text")
            if got
            else pl.Series("text", [], pl.String)
        )
        shared = shared_text(sample, s.ngram, s.shared_share, s.shared_min_texts)
    else:
        shared = stored
    shingles, passages = J.shared_parts(shared)
    batch = J.SignatureBatch(shingle_hashes(shingles), passages, s)
    fp = J.signature_fp(s, shared)

    # 3. signatures: cached ones read by workers, the others computed
    todo = np.ones(n, dtype=bool)
    refs = []
    cache_path = ws.result_path(SIGNATURES)
    cache_keys = None if full else ws.read_result(SIGNATURES, ["scope1", "scope2", "fp"])
    if cache_keys is not None and cache_keys.height and cache_keys.get_column("fp")[0] == fp:
        c_row = (
            cache_keys.select("scope1", "scope2")
            .join(
                texts.select("scope1", "scope2").with_row_index("t"),
                on=["scope1", "scope2"],
                how="left",
                maintain_order="left",
            )
            .get_column("t")
            .fill_null(-1)
            .cast(pl.Int64)
            .to_numpy()
        )
        todo[c_row[c_row >= 0]] = False
        meta = pq.ParquetFile(cache_path).metadata
        cached_task = tasks.remote(_cached_rows)
        start = 0
        for group in range(meta.num_row_groups):
            k = meta.row_group(group).num_rows
            refs.append(cached_task.remote(str(cache_path), group, c_row[start : start + k]))
            start += k
    del cache_keys
    computed = int(todo.sum())
    sig_task = tasks.remote(_signature_rows)
    batch_ref = ray.put(batch)
    for k, g in _by_slice(texts, todo).items():
        refs.append(
            sig_task.remote(
                slices[k],
                state,
                s,
                g.get_column("pos").to_numpy(),
                g.get_column("sig_row").to_numpy(),
                batch_ref,
            )
        )
    sig_refs = refs
    yield from tasks.gather(sig_refs, "signatures", "MinHash on Ray", fetch=False)
    count_task = tasks.remote(_count_short)
    n_short = sum((yield from tasks.gather([count_task.remote(r) for r in sig_refs], "signatures")))

    # 4. LSH: band keys hash-partitioned, each partition bucketed on a worker
    bands, rows = L.lsh_params(s.threshold, s.num_perm)
    cand = np.empty((0, 2), np.int64)
    if n >= 2:
        p = max(2, math.ceil(n * bands / BAND_ROWS_PER_PARTITION))
        band_task = tasks.remote(_band_keys, num_returns=p)
        keyed = [band_task.remote(r, bands, rows, p) for r in sig_refs]
        bucket_task = tasks.remote(_bucket_pairs)
        chunks = yield from tasks.gather(
            [bucket_task.remote(*[k[q] for k in keyed]) for q in range(p)],
            "LSH bands",
            f"{bands} bands x {rows} rows on Ray",
        )
        del keyed
        cand = L.unique_pairs([c for c in chunks if len(c)], n)

    # 5. verification of the candidates on workers
    near = pl.DataFrame(schema=J.PAIR_SCHEMA)
    if len(cand):
        involved = np.unique(cand)
        ranges = max(1, math.ceil(len(involved) / VERIFY_RANGE))
        rng_of = np.full(n, -1, dtype=np.int64)
        rng_of[involved] = np.arange(len(involved)) // VERIFY_RANGE
        want = rng_of >= 0
        cand_task = tasks.remote(_candidate_rows, num_returns=ranges)
        held: list[list[Any]] = [[] for _ in range(ranges)]
        for k, g in _by_slice(texts, want).items():
            rows_k = g.get_column("sig_row").to_numpy()
            out = cand_task.remote(
                slices[k],
                state,
                s,
                g.get_column("pos").to_numpy(),
                rows_k,
                rng_of[rows_k],
                ranges,
                batch_ref,
            )
            for q, ref in enumerate(out if ranges > 1 else [out]):
                held[q].append(ref)
        ra, rb = rng_of[cand[:, 0]], rng_of[cand[:, 1]]
        verify_task = tasks.remote(_verify)
        vrefs = []
        for a, b in np.unique(np.column_stack([ra, rb]), axis=0).tolist():
            sel = cand[(ra == a) & (rb == b)]
            frames = held[a] + (held[b] if b != a else [])
            vrefs.append(verify_task.remote(sel, s, shared, *frames))
        got = yield from tasks.gather(vrefs, "verifying", "exact Jaccard on Ray")
        near = pl.concat(got).sort("i", "j").select(J.PAIR_SCHEMA.names()).cast(J.PAIR_SCHEMA)

    key_table = texts.select("scope1", "scope2")

    def publish_signatures() -> None:
        _publish_signatures(ray, ws, sig_refs, key_table, s.num_perm, fp)

    return J.Found(
        records=nodes.height,
        nodes=nodes.drop("pos", "slice"),
        texts=key_table,
        shared=shared,
        drop=len(shingles),
        passages=len(passages),
        near_pairs=near,
        candidates=len(cand),
        short=n_short,
        computed=computed,
        publish_signatures=publish_signatures,
    )


def _count_short(block: pl.DataFrame) -> int:
    return int(block.get_column("short").sum())


def _publish_signatures(
    ray: Any, ws: Workspace, refs: list[Any], keys: pl.DataFrame, num_perm: int, fp: str
) -> None:
    """The signature cache from the object store, one block at a time, published atomically."""
    from curator.core.dedup.store import SIGNATURES
    from curator.core.workspace import atomic_write_batches

    schema = pl.Schema(
        {
            "scope1": pl.UInt64(),
            "scope2": pl.UInt64(),
            "sig": pl.Array(pl.UInt32(), num_perm),
            "fp": pl.String(),
        }
    )

    def blocks() -> Any:
        for ref in refs:
            block = ray.get(ref)
            rows = block.get_column("sig_row")
            yield keys[rows].with_columns(block.get_column("sig"), pl.lit(fp).alias("fp"))

    atomic_write_batches(blocks(), ws.result_path(SIGNATURES), schema)
