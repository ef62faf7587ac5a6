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
   (``lsh.bucket_chunks``). The driver merges the partitions' pair codes (``lsh.pair_codes``).
5. **verifying**: the candidates' texts and signatures are recomputed by row-group
   tasks into ranges of signature rows; one task per pair of ranges runs the local
   pre-filter and exact Jaccard (``dedup.job.prefilter``, ``exact_pairs``).

Signature rows are the local job's: each distinct text, then the bridge texts'
character signatures (``dedup.spaces``), so candidate and pair numbering match.

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
    nodes = _nodes(read_slice(sl, state), s)
    words = (pl.col("text").str.count_matches(" ", literal=True) + 1).alias("text_words")
    return (
        nodes.with_columns(words)
        .drop("text")
        .with_row_index("pos")
        .with_columns(pl.col("pos").cast(pl.Int64))
    )


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
    as_char: np.ndarray,
    batch: Callable[[pl.DataFrame], pl.DataFrame],
) -> pl.DataFrame:
    _fault("signatures")
    out = batch(pl.DataFrame({"text": _texts_at(sl, state, s, pos), "as_char": as_char}))
    return out.with_columns(
        pl.Series("sig_row", sig_row, dtype=pl.Int64),
        (pl.col("short") & ~pl.Series(as_char)).alias("short"),  # texts, not bridge rows
    )


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


def _bucket_pairs(m: int, *frames: pl.DataFrame) -> np.ndarray:
    """One partition's candidate pairs, as ``lsh.pair_codes`` of ``m`` signature rows."""
    _fault("LSH bands")
    df = pl.concat(frames)
    chunks = L.bucket_chunks(
        df.get_column("band").to_numpy(),
        df.get_column("key").to_numpy(),
        df.get_column("row").to_numpy(),
    )
    del df
    return L.pair_codes(chunks, m)


def _candidate_rows(
    sl: RecordSlice,
    state: pl.DataFrame,
    s: DedupSettings,
    pos: np.ndarray,
    sig_row: np.ndarray,
    as_char: np.ndarray,
    text_row: np.ndarray,
    rng: np.ndarray,
    ranges: int,
    batch: Callable[[pl.DataFrame], pl.DataFrame],
) -> list[pl.DataFrame] | pl.DataFrame:
    """Text and signature of candidate signature rows, split by verification range."""
    _fault("verifying")
    text = _texts_at(sl, state, s, pos)
    sigs = batch(pl.DataFrame({"text": text, "as_char": as_char})).get_column("sig")
    df = pl.DataFrame({"sig_row": sig_row, "text_row": text_row, "text": text, "sig": sigs})
    out = [df.filter(pl.Series(rng == k)) for k in range(ranges)]
    return out if ranges > 1 else out[0]  # (one return value: the frame itself)


def _verify(
    pairs: np.ndarray, n: int, s: DedupSettings, shared: pl.DataFrame, *frames: pl.DataFrame
) -> tuple[pl.DataFrame, np.ndarray]:
    """Signature-row pairs -> the local pre-filter -> text pairs with their exact Jaccard.

    Returns the kept pairs and the codes (``i * n + j``, ``n`` texts) of every pair
    scored: the driver counts the distinct ones, as the local job counts its candidates,
    without holding every scored row."""
    from curator.core.dedup import job as J

    _fault("verifying")
    reps = pl.concat(frames).unique("sig_row").sort("sig_row")
    rows = reps.get_column("sig_row").to_numpy()
    local = np.column_stack(
        [np.searchsorted(rows, pairs[:, 0]), np.searchsorted(rows, pairs[:, 1])]
    )
    sigs = np.ascontiguousarray(reps.get_column("sig").to_numpy(), dtype=np.uint32)
    kept = J.prefilter(local, sigs)
    text_of = reps.get_column("text_row").to_numpy()
    texts = reps.unique("text_row").sort("text_row")
    t_rows = texts.get_column("text_row").to_numpy()
    # text pairs in local numbering (the local job's text_pairs), then back to text rows
    as_text = np.searchsorted(t_rows, text_of)
    pairs_t = np.sort(as_text[kept], axis=1) if len(kept) else kept
    pairs_t = pairs_t[pairs_t[:, 0] != pairs_t[:, 1]] if len(pairs_t) else pairs_t
    pairs_t = np.unique(pairs_t, axis=0) if len(pairs_t) else pairs_t.reshape(0, 2)
    scored = J.exact_pairs(texts.get_column("text"), pairs_t, s, shared)
    i = t_rows[scored.get_column("i").to_numpy()]
    j = t_rows[scored.get_column("j").to_numpy()]
    near = J.kept_pairs(scored.with_columns(pl.Series("i", i), pl.Series("j", j)))
    return near, i.astype(np.int64) * n + j


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
        self,
        refs: Sequence[Any],
        step: str,
        detail: str = "on Ray",
        *,
        fetch: bool = True,
        sink: Callable[[Any], None] | None = None,
    ) -> Job[list[Any]]:
        """Results of ``refs`` in order (``fetch=False``: only wait, results stay on the
        cluster; ``sink``: each result handed over as its task finishes, in any order, and
        released, so the driver never holds them all; with no other reference to its ref,
        the object store frees it too); a Ray failure is an EngineFailure naming ``step``."""
        from curator.core.engine.ray_engine import _failed

        ray = self.ray
        left = list(refs)
        if sink is not None:
            refs = []  # keep no ref of a result once sunk
        self.pending = left
        total = len(left)
        try:
            yield Progress(step, 0, total, detail)
            while left:
                done, left = ray.wait(left, num_returns=len(left), timeout=0.5)
                self.pending = left
                if sink is not None:
                    while done:
                        sink(ray.get(done.pop(0)))
                yield Progress(step, total - len(left), total, detail)
            if sink is not None:
                return []
            if not fetch:
                ray.get(list(refs)[-1:])  # raises if a task failed (all are done)
                return []
            return list(ray.get(list(refs)))
        except ray.exceptions.RayError as exc:
            raise _failed(step, exc) from exc
        except (GeneratorExit, Exception):  # cancelled, or the sink failed (disk full):
            self.cancel()  # stop the cluster's work; nothing is published
            raise

    def cancel(self) -> None:
        for ref in self.pending:
            with contextlib.suppress(Exception):  # best effort: the job is being abandoned
                self.ray.cancel(ref, force=True)


def _by_slice(table: pl.DataFrame, which: np.ndarray) -> dict[int, pl.DataFrame]:
    """Rows ``which`` of ``table`` (numbered ``sig_row``) grouped by the slice of their rep."""
    sub = table.with_row_index("sig_row").filter(pl.Series(which))
    sub = sub.with_columns(pl.col("sig_row").cast(pl.Int64))
    return {int(k[0]): g for k, g in sub.group_by("slice", maintain_order=True)}  # type: ignore[arg-type]


def _col(g: pl.DataFrame, name: str) -> np.ndarray:
    return g.get_column(name).to_numpy()


def dedup_found(engine: Any, ws: Workspace, s: DedupSettings, full: bool) -> Job[Any]:
    """``dedup.job.Found`` computed on the cluster (see the module docstring)."""
    from curator.core.dedup import job as J
    from curator.core.dedup.minhash import shingle_hashes
    from curator.core.dedup.shared import SAMPLE, shared_text
    from curator.core.dedup.spaces import bridge_rows, bridged_candidates
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
        nodes,
        *(pl.col(c).sort_by(R.ID).first() for c in ("slice", "pos", "text_words")),
    )
    n = texts.height
    text_words = _col(texts, "text_words")
    bridge = bridge_rows(text_words, s.short_words)
    sig_keys = J.signature_keys(texts, bridge, "slice", "pos")  # the local job's row order
    m = sig_keys.height
    text_of = np.concatenate([np.arange(n, dtype=np.int64), bridge.astype(np.int64)])

    # 2. shared text: from the same sample the local job takes
    stored = None if full else read_shared(ws, s.text_fingerprint())
    if stored is None:
        pick = np.zeros(n, dtype=bool)
        if n > SAMPLE:
            step = n / SAMPLE
            pick[[int(i * step) for i in range(SAMPLE)]] = True
        else:
            pick[:] = True
        text_task = tasks.remote(_text_rows)
        refs = [
            text_task.remote(slices[k], state, s, _col(g, "pos"), _col(g, "sig_row"))
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
    batch_ref = ray.put(J.SignatureBatch(shingle_hashes(shingles), passages, s))
    fp = J.signature_fp(s, shared)

    # 3. signatures: cached ones read by workers from the cache file, the others computed
    todo = np.ones(m, dtype=bool)
    sig_refs: list[Any] = []
    cache_path = ws.result_path(SIGNATURES)
    cache_keys = None if full else ws.read_result(SIGNATURES, ["scope1", "scope2", "fp"])
    if cache_keys is not None and cache_keys.height and cache_keys.get_column("fp")[0] == fp:
        c_row = (
            cache_keys.select("scope1", "scope2")
            .join(
                sig_keys.select("scope1", "scope2").with_row_index("t"),
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
            sig_refs.append(cached_task.remote(str(cache_path), group, c_row[start : start + k]))
            start += k
    del cache_keys
    computed = int(todo.sum())
    sig_task = tasks.remote(_signature_rows)
    for k, g in _by_slice(sig_keys, todo).items():
        sig_refs.append(
            sig_task.remote(
                slices[k],
                state,
                s,
                _col(g, "pos"),
                _col(g, "sig_row"),
                _col(g, "as_char"),
                batch_ref,
            )
        )
    yield from tasks.gather(sig_refs, "signatures", "MinHash on Ray", fetch=False)
    count_task = tasks.remote(_count_short)
    n_short = sum((yield from tasks.gather([count_task.remote(r) for r in sig_refs], "signatures")))

    # 4. LSH: band keys hash-partitioned, each partition bucketed on a worker
    bands, rows = L.lsh_params(s.threshold, s.num_perm)
    cand = np.empty((0, 2), np.int64)
    if n >= 2:
        p = max(2, math.ceil(m * bands / BAND_ROWS_PER_PARTITION))
        band_task = tasks.remote(_band_keys, num_returns=p)
        keyed = [band_task.remote(r, bands, rows, p) for r in sig_refs]
        bucket_task = tasks.remote(_bucket_pairs)
        chunks = yield from tasks.gather(
            [bucket_task.remote(m, *[k[q] for k in keyed]) for q in range(p)],
            "LSH bands",
            f"{bands} bands x {rows} rows on Ray",
        )
        del keyed
        cand = _pairs_of_codes(_distinct(chunks), m)
        if len(bridge) and len(cand):
            cand = cand[bridged_candidates(cand, text_words < s.short_words, bridge)]

    # 5. verification of the candidates on workers, one task per pair of row ranges
    near = pl.DataFrame(schema=J.PAIR_SCHEMA)
    n_candidates = 0
    if len(cand):
        involved = np.unique(cand)
        ranges = max(1, math.ceil(len(involved) / VERIFY_RANGE))
        # int32 where the numbers fit: the candidates and their range pairs are the
        # driver's largest arrays (5M conversations: 42M pairs)
        narrow = ranges * ranges < 2**31
        rng_of: np.ndarray[Any, np.dtype[np.signedinteger[Any]]] = np.full(
            m, -1, dtype=np.int32 if narrow else np.int64
        )
        rng_of[involved] = np.arange(len(involved)) // VERIFY_RANGE
        del involved
        cand_task = tasks.remote(_candidate_rows, num_returns=ranges)
        held: list[list[Any]] = [[] for _ in range(ranges)]
        for k, g in _by_slice(sig_keys, rng_of >= 0).items():
            rows_k = _col(g, "sig_row")
            out = cand_task.remote(
                slices[k],
                state,
                s,
                _col(g, "pos"),
                rows_k,
                _col(g, "as_char"),
                text_of[rows_k],
                rng_of[rows_k],
                ranges,
                batch_ref,
            )
            for q, ref in enumerate(out if ranges > 1 else [out]):
                held[q].append(ref)
        # candidates grouped by (range of i, range of j) with one stable sort: each pair of
        # ranges is a contiguous run of the sorted candidates, in their original order
        range_pair = rng_of[cand[:, 0]] * ranges + rng_of[cand[:, 1]]
        order = np.argsort(range_pair, kind="stable")
        cand, range_pair = cand[order], range_pair[order]
        del order
        starts = np.flatnonzero(np.r_[True, range_pair[1:] != range_pair[:-1]])
        ends = np.r_[starts[1:], len(range_pair)]
        verify_task = tasks.remote(_verify)
        vrefs = []
        for lo, hi in zip(starts.tolist(), ends.tolist(), strict=True):
            a, b = divmod(int(range_pair[lo]), ranges)
            frames = held[a] + (held[b] if b != a else [])
            vrefs.append(verify_task.remote(cand[lo:hi], n, s, shared, *frames))
        del cand, range_pair, held
        kept: list[pl.DataFrame] = []
        codes: list[np.ndarray] = []

        def take(result: tuple[pl.DataFrame, np.ndarray]) -> None:
            kept.append(result[0])
            codes.append(result[1])

        yield from tasks.gather(vrefs, "verifying", "exact Jaccard on Ray", sink=take)
        del vrefs
        n_candidates = len(_distinct(codes))
        near = (
            pl.concat([k.select(J.PAIR_SCHEMA.names()).cast(J.PAIR_SCHEMA) for k in kept])
            .unique(["i", "j"])
            .sort("i", "j")
        )

    key_table = sig_keys.select("scope1", "scope2")

    def publish_signatures() -> None:
        _publish_signatures(ray, ws, sig_refs, key_table, s.num_perm, fp)

    return J.Found(
        records=nodes.height,
        nodes=nodes.drop("pos", "slice", "text_words"),
        texts=texts.select("scope1", "scope2"),
        signature_rows=m,
        shared=shared,
        drop=len(shingles),
        passages=len(passages),
        near_pairs=near,
        candidates=n_candidates,
        short=n_short,
        computed=computed,
        publish_signatures=publish_signatures,
    )


def _pairs_of_codes(codes: np.ndarray, m: int) -> np.ndarray:
    """``lsh.pairs_of_codes`` written straight into one array, int32 when the ``m``
    rows fit: 8 bytes a pair beside the codes, where stacking two int64 quotients took
    32 (the driver's peak of the LSH step)."""
    out = np.empty((len(codes), 2), dtype=np.int32 if m < 2**31 else np.int64)
    np.floor_divide(codes, m, out=out[:, 0], casting="unsafe")
    np.remainder(codes, m, out=out[:, 1], casting="unsafe")
    return out


def _distinct(chunks: list[np.ndarray]) -> np.ndarray:
    """The distinct int64 codes of ``chunks``, sorted; ``chunks`` is emptied on the way.

    One copy of the codes, sorted in place (``np.unique`` of a concatenation holds
    three: the chunks, their concatenation and its sorted copy)."""
    if not chunks:
        return np.empty(0, np.int64)
    codes = np.concatenate(chunks).astype(np.int64, copy=False)
    chunks.clear()
    codes.sort()
    if len(codes) < 2:
        return codes
    keep = np.empty(len(codes), dtype=bool)
    keep[0] = True
    np.not_equal(codes[1:], codes[:-1], out=keep[1:])
    return codes[keep]


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
