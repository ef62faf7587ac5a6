"""The dedup job: exact + MinHash near-duplicate clustering as a cancellable generator.

Incremental by construction: signatures are cached per normalised-text key
(two 64-bit hashes of the text) in ``dedup_signatures``; a re-run hashes only
texts it has never seen (new imports, edited records) and matches them against
every record in the workspace, approved ones included. The LSH index is rebuilt
from cached signatures on each run (cheap next to hashing). Nothing is written
until the end, so a cancelled run changes nothing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from curator.core import records as R
from curator.core.dedup import lsh as L
from curator.core.dedup.clusters import EXACT, NEAR, PAIR_SCHEMA, PARAPHRASE, assemble
from curator.core.dedup.minhash import backend, compared_signatures, preload, shingle_hashes
from curator.core.dedup.normalize import assistant_chars, dedup_texts, text_key, word_count
from curator.core.dedup.overrides import overrides
from curator.core.dedup.paraphrase import PAIR_SCHEMA as PARA_SCHEMA
from curator.core.dedup.paraphrase import paraphrase_pairs
from curator.core.dedup.settings import DedupSettings, save_settings
from curator.core.dedup.shared import PASSAGE, SHINGLE, shared_digest, shared_text
from curator.core.dedup.spaces import BRIDGE_KEY, bridge_rows, bridged_candidates, text_pairs
from curator.core.dedup.store import (
    NODE_SCHEMA,
    NODES,
    PAIR_FLOOR,
    PAIRS,
    PARAPHRASES,
    SHARED,
    SIGNATURES,
    read_shared,
    read_signatures,
    review_columns,
    write_clusters,
)
from curator.core.dedup.verify import exact_jaccard
from curator.core.engine import Engine
from curator.core.jobs import Job, Progress
from curator.core.locks import workspace_lock
from curator.core.workspace import Workspace, atomic_write_parquet

_SIG_BATCH = 20_000  # texts per signature batch (one progress step each)


@dataclass(frozen=True)
class DedupSummary:
    records: int
    clusters: int
    exact_clusters: int
    near_clusters: int
    exact_duplicates: int
    near_duplicates: int
    paraphrase_duplicates: int  # near_duplicate.paraphrase (only with settings.paraphrase)
    duplicates: int
    too_short: int  # records kept out of near-dup matching (fewer than min_tokens words)
    shared_shingles: int  # word shingles most texts share, left out before comparing
    shared_passages: int  # the passages they form (left out of short texts)
    char_shingled: int  # of the signatures computed, texts short enough for character n-grams
    signatures_computed: int
    signatures_cached: int
    candidate_pairs: int
    verified_pairs: int
    bands: int
    rows: int
    backend: str
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _nodes(frame: pl.DataFrame, s: DedupSettings) -> pl.DataFrame:
    """Per record: exact and scope keys (null when not matched), text, tie-breakers."""
    texts = dedup_texts(frame.get_column(R.MESSAGES), s)
    df = pl.concat(
        [
            frame.select(R.ID, R.IMPORT_ID, R.LINE, assistant_chars().alias("assistant_chars")),
            texts,
        ],
        how="horizontal",
    ).with_columns(word_count(pl.col("text")).alias("words"))
    df = df.with_columns(
        *text_key(pl.col("exact_text"), "exact"), *text_key(pl.col("text"), "scope")
    )
    exact_ok = pl.lit(s.exact) & pl.col("has_content")
    near_ok = pl.lit(s.near) & (pl.col("words") >= s.min_tokens)
    return df.with_columns(
        pl.when(exact_ok).then(pl.col("exact1")).alias("exact1"),
        pl.when(exact_ok).then(pl.col("exact2")).alias("exact2"),
        pl.when(near_ok).then(pl.col("scope1")).alias("scope1"),
        pl.when(near_ok).then(pl.col("scope2")).alias("scope2"),
        near_ok.alias("near_ok"),
    ).drop("exact_text")


class SignatureBatch:
    """Texts -> (signature, short) for one batch: what an engine runs on its workers."""

    def __init__(self, drop: Any, passages: list[str], s: DedupSettings) -> None:
        self.drop = drop
        self.passages = passages
        self.s = s

    def __call__(self, batch: pl.DataFrame) -> pl.DataFrame:
        s = self.s
        words = batch.get_column("words").to_numpy() if "words" in batch.columns else None
        sigs, short = compared_signatures(
            batch.get_column("text"),
            as_char=batch.get_column("as_char").to_numpy(),
            words=words,
            drop=self.drop,
            passages=self.passages,
            ngram=s.ngram,
            short_words=s.short_words,
            char_ngram=s.char_ngram,
            num_perm=s.num_perm,
            seed=s.seed,
        )
        return pl.DataFrame(
            {
                "sig": pl.Series("sig", sigs, dtype=pl.Array(pl.UInt32, s.num_perm)),
                "short": pl.Series("short", short, dtype=pl.Boolean),
            }
        )


@dataclass
class Found:
    """What the candidate stage found, on either engine, for the shared tail to publish.

    ``nodes``: per record keys and tie-breakers (no text); ``texts``: one row per
    distinct compared text (``scope1``, ``scope2``) in text-row order (the ``i``,
    ``j`` of ``near_pairs``); ``signature_rows``: texts plus bridge texts' character
    signatures (``spaces.py``); ``publish_signatures`` writes the signature cache
    (called only when publishing).
    """

    records: int
    nodes: pl.DataFrame
    texts: pl.DataFrame
    signature_rows: int
    shared: pl.DataFrame
    drop: int
    passages: int
    near_pairs: pl.DataFrame
    candidates: int
    short: int
    computed: int
    publish_signatures: Callable[[], None]


def distinct_texts(nodes: pl.DataFrame, *aggs: pl.Expr) -> pl.DataFrame:
    """One row per distinct compared text, ordered by its smallest record id (the text row)."""
    return (
        nodes.filter(pl.col("scope1").is_not_null())
        .group_by("scope1", "scope2")
        .agg(*aggs, pl.col(R.ID).min().alias("rep"))
        .sort("rep")
    )


def signature_keys(texts: pl.DataFrame, bridge: np.ndarray, *cols: str) -> pl.DataFrame:
    """The signature rows: every text (word or character shingles as its length says),
    then each bridge text's character signature under a derived key (``as_char``)."""
    return pl.concat(
        [
            texts.select("scope1", "scope2", *cols, pl.lit(False).alias("as_char")),
            texts[bridge].select(
                "scope1",
                pl.col("scope2") ^ pl.lit(BRIDGE_KEY, dtype=pl.UInt64),
                *cols,
                pl.lit(True).alias("as_char"),
            ),
        ]
    )


def signature_fp(s: DedupSettings, shared: pl.DataFrame) -> str:
    return f"{s.signature_fingerprint()}|shared={shared_digest(shared)}"


def shared_parts(shared: pl.DataFrame) -> tuple[list[str], list[str]]:
    """(shingles, passages) of the shared text: what is left out before comparing."""
    shingles = shared.filter(pl.col("kind") == SHINGLE).get_column("text").to_list()
    return shingles, shared.filter(pl.col("kind") == PASSAGE).get_column("text").to_list()


def prefilter(cand: np.ndarray, sigs: np.ndarray) -> np.ndarray:
    """The MinHash pre-filter (generous) of signature-row candidate pairs."""
    return cand[L.estimate(sigs, cand) >= PAIR_FLOOR - 0.15] if len(cand) else cand


def exact_pairs(
    text_col: pl.Series,
    cand: np.ndarray,
    s: DedupSettings,
    shared: pl.DataFrame,
    words: np.ndarray | None = None,
) -> pl.DataFrame:
    """Text pairs (i, j) with the exact Jaccard of their compared shingles: i, j, similarity.

    ``words``: the texts' word counts (spaces + 1), when known."""
    shingles, passages = shared_parts(shared)
    exact = exact_jaccard(
        text_col,
        cand,
        ngram=s.ngram,
        short_words=s.short_words,
        char_ngram=s.char_ngram,
        shared=shingles,
        passages=passages,
        words=words,
    )
    return pl.DataFrame({"i": cand[:, 0], "j": cand[:, 1], "similarity": exact}, schema=PAIR_SCHEMA)


def kept_pairs(scored: pl.DataFrame) -> pl.DataFrame:
    """The verified near pairs stored (down to PAIR_FLOOR)."""
    return scored.filter(pl.col("similarity") >= PAIR_FLOOR - 1e-9)


def _found_locally(
    ws: Workspace, s: DedupSettings, full: bool, staging: Path | None = None
) -> Job[Found]:
    """Signatures, LSH candidates and verified pairs in this process.

    With ``staging`` the signature cache is written there as soon as it is complete
    (renamed into ``results/`` when publishing), so the clustering tail does not hold
    every text's signature; without, it is written from memory when publishing."""
    yield Progress("reading", 0, None, "loading records")
    frame = ws.frame()
    nodes = _nodes(frame, s)
    yield Progress("normalising", frame.height, frame.height)

    # --- signatures for distinct eligible texts, cached by text key --------------
    # spaces + 1 (the kernels' count: 1 for the empty text), counted once for every step
    words = pl.max_horizontal(pl.col("words").first(), 1).cast(pl.Int64).alias("words")
    texts = distinct_texts(nodes, pl.col("text").first(), words)
    text_col = texts.get_column("text")
    # bridge texts also get a character signature (a pair is compared in its shorter
    # text's shingles: spaces.py), cached under a derived key
    text_words = texts.get_column("words").to_numpy()
    bridge = bridge_rows(text_words, s.short_words)
    sig_rows = signature_keys(texts, bridge, "text", "words")
    stored = None if full else read_shared(ws, s.text_fingerprint())
    if stored is None:
        yield Progress("shared text", 0, None, "finding text most records share")
        shared = shared_text(text_col, s.ngram, s.shared_share, s.shared_min_texts)
    else:
        shared = stored
    shingles, passages = shared_parts(shared)
    drop = shingle_hashes(shingles)
    fp = signature_fp(s, shared)
    cache, cache_sigs = (None, None) if full else read_signatures(ws)
    num_perm = s.num_perm
    sigs = np.empty((sig_rows.height, num_perm), dtype=np.uint32)
    todo = np.ones(sig_rows.height, dtype=bool)
    if (
        cache is not None
        and cache_sigs is not None
        and cache.height
        and cache.get_column("fp")[0] == fp
    ):
        hit = (
            sig_rows.select("scope1", "scope2")
            .with_row_index("t")
            .join(cache.select("scope1", "scope2").with_row_index("c"), on=["scope1", "scope2"])
        )
        t_idx = hit.get_column("t").to_numpy().astype(np.int64)
        sigs[t_idx] = cache_sigs[hit.get_column("c").to_numpy().astype(np.int64)]
        todo[t_idx] = False
    missing = np.flatnonzero(todo)
    n_short = 0
    batch = SignatureBatch(drop, passages, s)
    for start in range(0, len(missing), _SIG_BATCH):
        yield Progress("signatures", start, len(missing), f"{backend()} MinHash")
        idx = missing[start : start + _SIG_BATCH]
        out = batch(sig_rows.select("text", "as_char", "words")[idx])
        sigs[idx] = out.get_column("sig").to_numpy()
        n_short += int(out.get_column("short").sum()) - int(sig_rows["as_char"][idx].sum())
    yield Progress("signatures", len(missing), len(missing))

    # --- LSH candidates, verified -------------------------------------------------
    bands, rows = L.lsh_params(s.threshold, num_perm)
    near_pairs = pl.DataFrame(schema=PAIR_SCHEMA)
    n_candidates = 0
    if texts.height >= 2:
        yield Progress("candidates", 0, None, f"LSH, {bands} bands x {rows} rows")
        cand = L.band_pairs(sigs, bands, rows)
        if len(bridge) and len(cand):
            cand = cand[bridged_candidates(cand, text_words < s.short_words, bridge)]
        cand = text_pairs(prefilter(cand, sigs), texts.height, bridge)
        yield Progress("verifying", 0, len(cand), "exact Jaccard of each candidate pair")
        near_pairs = kept_pairs(exact_pairs(text_col, cand, s, shared, text_words))
        n_candidates = len(cand)
    found = Found(
        records=frame.height,
        nodes=nodes.drop("text"),
        texts=texts.select("scope1", "scope2"),
        signature_rows=sig_rows.height,
        shared=shared,
        drop=len(drop),
        passages=len(passages),
        near_pairs=near_pairs,
        candidates=n_candidates,
        short=n_short,
        computed=len(missing),
        publish_signatures=lambda: None,
    )
    cache_out = sig_rows.select("scope1", "scope2").with_columns(
        pl.Series("sig", sigs, dtype=pl.Array(pl.UInt32, num_perm)), pl.lit(fp).alias("fp")
    )
    del frame, nodes, texts, text_col, sig_rows, sigs  # the texts go before the cache is written
    found.publish_signatures = _staged_signatures(ws, cache_out, staging)
    return found


def _staged_signatures(
    ws: Workspace, cache: pl.DataFrame, staging: Path | None
) -> Callable[[], None]:
    """What publishes the signature cache: a rename of the staged file (written now)
    or, without ``staging``, writing ``cache`` then (the same bytes either way)."""
    if staging is None:
        return lambda: ws.write_result(SIGNATURES, cache, compression="lz4")
    staged = staging / f"{SIGNATURES}.parquet"
    atomic_write_parquet(cache, staged, compression="lz4")  # hashes: zstd only costs time
    return lambda: os.replace(staged, ws.result_path(SIGNATURES))


def _node_rows(nodes: pl.DataFrame, texts: pl.DataFrame) -> pl.DataFrame:
    """NODE_SCHEMA per record: its keys, tie-breakers and sig_row (its text's row in ``texts``).

    Joined on scope1 alone when that is unique among the texts, then kept where scope2
    agrees too: the same rows as joining on both keys, without the two-key join's
    row-encoded keys (~250 bytes a record at its peak)."""
    cols = list(NODE_SCHEMA.names())
    keys = nodes.select("scope1", "scope2")
    if texts.get_column("scope1").is_unique().all():
        right = texts.select("scope1", pl.col("scope2").alias("t2")).with_row_index("sig_row")
        matched = pl.col("scope2") == pl.col("t2")
        joined = keys.join(right, on="scope1", how="left", maintain_order="left")
        rows = joined.select(pl.when(matched).then(pl.col("sig_row"))).to_series()
    else:  # a 64-bit key shared by two texts: join on both
        right = texts.select("scope1", "scope2").with_row_index("sig_row")
        joined = keys.join(right, on=["scope1", "scope2"], how="left", maintain_order="left")
        rows = joined.get_column("sig_row")
    sig_row = rows.cast(pl.Int64).alias("sig_row")
    return nodes.select(pl.col(c) if c != "sig_row" else sig_row for c in cols).cast(NODE_SCHEMA)


def dedup_job(
    ws: Workspace, settings: DedupSettings, *, full: bool = False, engine: Engine | None = None
) -> Job[DedupSummary]:
    """Find exact and near duplicates; write clusters, flags and the signature cache.

    ``full`` recomputes the shared text and every signature; otherwise the
    stored shared text is reused (when the text settings are unchanged) and only
    unseen texts are hashed. On a cluster engine (``engine.dedup_found``) the
    workers read the record parts and the driver gets only keys and pairs; the
    clustering and publishing below are the same code on both engines.
    """
    with workspace_lock(ws.path, "duplicate detection"):  # no part published mid-dedup
        return (yield from _dedup(ws, settings, full, engine))


def _dedup(
    ws: Workspace, settings: DedupSettings, full: bool, engine: Engine | None
) -> Job[DedupSummary]:
    t0 = time.perf_counter()
    s = settings
    if s.near:
        preload()  # numba start-up overlaps with reading and normalising
    remote = getattr(engine, "dedup_found", None)
    with ws.staging_folder() as staging:  # removed however the job ends
        return (yield from _staged(ws, s, full, remote, staging, t0))


def _staged(
    ws: Workspace, s: DedupSettings, full: bool, remote: Any, staging: Path, t0: float
) -> Job[DedupSummary]:
    """The candidate stage on either engine, then the clustering and publishing tail."""
    found = yield from (
        remote(ws, s, full) if remote is not None else _found_locally(ws, s, full, staging)
    )
    shared, near_pairs = found.shared, found.near_pairs
    too_short = int((~found.nodes.get_column("near_ok")).sum()) if s.near else 0
    bands, rows = L.lsh_params(s.threshold, s.num_perm)
    n_verified = near_pairs.filter(pl.col("similarity") >= s.threshold - 1e-9).height

    para_pairs = pl.DataFrame(schema=PARA_SCHEMA)
    if s.paraphrase:
        yield Progress("paraphrases", 0, None, "same reply to a reworded prompt")
        para_pairs = paraphrase_pairs(ws.frame(), s)  # (reads the messages here, on either engine)

    # --- clusters, keepers, flags ---------------------------------------------------
    yield Progress("clustering", 0, None)
    node_rows = _node_rows(found.nodes, found.texts)
    found.nodes = found.texts = pl.DataFrame()  # released: the tail holds node_rows per record
    clusters = assemble(
        node_rows,
        near_pairs,
        s.threshold,
        overrides(ws),
        ws.clusters(),
        para_pairs if s.paraphrase else None,
        s.paraphrase_threshold,
        review=review_columns(ws),
    )

    # --- publish (only now: a cancelled run has written nothing) ---------------------
    yield Progress("writing", 0, None)
    found.publish_signatures()
    # one row even with no shared text, so the settings it was found with are known
    none = pl.DataFrame({"kind": [None], "text": [None], "texts": [0]}, schema=shared.schema)
    stored_shared = pl.concat([shared, none]) if shared.height == 0 else shared
    ws.write_result(SHARED, stored_shared.with_columns(pl.lit(s.text_fingerprint()).alias("fp")))
    ws.write_result(NODES, node_rows)
    ws.write_result(PAIRS, near_pairs)
    ws.write_result(PARAPHRASES, para_pairs)
    write_clusters(ws, clusters)
    save_settings(ws, s)
    dups = clusters.filter(pl.col(R.DUPLICATE_OF).is_not_null())
    kinds = clusters.filter(pl.col(R.DUPLICATE_OF).is_null()).get_column("kind")
    summary = DedupSummary(
        records=found.records,
        clusters=kinds.len(),
        exact_clusters=int((kinds == EXACT).sum()),
        near_clusters=int((kinds == NEAR).sum()),
        exact_duplicates=int((dups.get_column("kind") == EXACT).sum()),
        near_duplicates=int((dups.get_column("kind") == NEAR).sum()),
        paraphrase_duplicates=int((dups.get_column("kind") == PARAPHRASE).sum()),
        duplicates=dups.height,
        too_short=too_short,
        shared_shingles=found.drop,
        shared_passages=found.passages,
        char_shingled=found.short,
        signatures_computed=found.computed,
        signatures_cached=found.signature_rows - found.computed,
        candidate_pairs=found.candidates,
        verified_pairs=n_verified,
        bands=bands,
        rows=rows,
        backend=backend() if found.computed else "cached",
        seconds=round(time.perf_counter() - t0, 3),
    )
    ws.log_run("dedup", s.to_dict(), summary.to_dict())
    return summary
