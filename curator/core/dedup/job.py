"""The dedup job: exact + MinHash near-duplicate clustering as a cancellable generator.

Incremental by construction: signatures are cached per normalised-text key
(two 64-bit hashes of the text) in ``dedup_signatures``; a re-run hashes only
texts it has never seen (new imports, edited records) and matches them against
every record in the workspace, approved ones included. The LSH index is rebuilt
from cached signatures on each run (cheap next to hashing). Nothing is written
until the end, so a cancelled run changes nothing.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
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
    with_review,
    write_clusters,
)
from curator.core.dedup.verify import exact_jaccard
from curator.core.engine import Engine
from curator.core.jobs import Job, Progress
from curator.core.locks import workspace_lock
from curator.core.workspace import Workspace

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
        sigs, short = compared_signatures(
            batch.get_column("text"),
            as_char=batch.get_column("as_char").to_numpy(),
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


def dedup_job(
    ws: Workspace, settings: DedupSettings, *, full: bool = False, engine: Engine | None = None
) -> Job[DedupSummary]:
    """Find exact and near duplicates; write clusters, flags and the signature cache.

    ``full`` recomputes the shared text and every signature; otherwise the
    stored shared text is reused (when the text settings are unchanged) and only
    unseen texts are hashed.
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
    yield Progress("reading", 0, None, "loading records")
    frame = ws.frame()
    nodes = _nodes(frame, s)
    yield Progress("normalising", frame.height, frame.height)

    # --- signatures for distinct eligible texts, cached by text key --------------
    texts = (
        nodes.filter(pl.col("scope1").is_not_null())
        .group_by("scope1", "scope2")
        .agg(pl.col("text").first(), pl.col(R.ID).min().alias("rep"))
        .sort("rep")
    )
    text_col = texts.get_column("text")
    # bridge texts also get a character signature (a pair is compared in its shorter
    # text's shingles: spaces.py), cached under a derived key
    text_words = (text_col.str.count_matches(" ", literal=True) + 1).to_numpy()
    bridge = bridge_rows(text_words, s.short_words)
    sig_rows = pl.concat(
        [
            texts.select("scope1", "scope2", "text", pl.lit(False).alias("as_char")),
            texts[bridge].select(
                "scope1",
                pl.col("scope2") ^ pl.lit(BRIDGE_KEY, dtype=pl.UInt64),
                "text",
                pl.lit(True).alias("as_char"),
            ),
        ]
    )
    stored = None if full else read_shared(ws, s.text_fingerprint())
    if stored is None:
        yield Progress("shared text", 0, None, "finding text most records share")
        shared = shared_text(text_col, s.ngram, s.shared_share, s.shared_min_texts)
    else:
        shared = stored
    passages = shared.filter(pl.col("kind") == PASSAGE).get_column("text").to_list()
    drop = shingle_hashes(shared.filter(pl.col("kind") == SHINGLE).get_column("text").to_list())
    fp = f"{s.signature_fingerprint()}|shared={shared_digest(shared)}"
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
    if engine is not None and engine.name != "local" and len(missing):
        out = yield from engine.map_frame(
            SignatureBatch(drop, passages, s),
            sig_rows.select("text", "as_char")[missing],
            step="signatures",
            batch_rows=_SIG_BATCH,
        )
        sigs[missing] = out.get_column("sig").to_numpy()
        n_short = int(out.get_column("short").sum()) - int(sig_rows["as_char"][missing].sum())
        missing_done = True
    else:
        missing_done = False
    for start in range(0, 0 if missing_done else len(missing), _SIG_BATCH):
        yield Progress("signatures", start, len(missing), f"{backend()} MinHash")
        idx = missing[start : start + _SIG_BATCH]
        sigs[idx], short = compared_signatures(
            sig_rows.get_column("text").gather(idx),
            as_char=sig_rows.get_column("as_char").gather(idx).to_numpy(),
            drop=drop,
            passages=passages,
            ngram=s.ngram,
            short_words=s.short_words,
            char_ngram=s.char_ngram,
            num_perm=num_perm,
            seed=s.seed,
        )
        n_short += int(short.sum()) - int(sig_rows.get_column("as_char").gather(idx).sum())
    yield Progress("signatures", len(missing), len(missing))

    # --- LSH candidates, verified -------------------------------------------------
    bands, rows = L.lsh_params(s.threshold, num_perm)
    near_pairs = pl.DataFrame(schema=PAIR_SCHEMA)
    n_candidates = n_verified = 0
    if texts.height >= 2:
        yield Progress("candidates", 0, None, f"LSH, {bands} bands x {rows} rows")
        banded = engine.band_pairs(sigs, bands, rows) if engine is not None else None
        cand = (yield from banded) if banded is not None else L.band_pairs(sigs, bands, rows)
        if len(bridge) and len(cand):
            cand = cand[bridged_candidates(cand, text_words < s.short_words, bridge)]
        # MinHash pre-filter (generous), then the exact Jaccard of the compared shingles
        cand = cand[L.estimate(sigs, cand) >= PAIR_FLOOR - 0.15] if len(cand) else cand
        cand = text_pairs(cand, texts.height, bridge)
        yield Progress("verifying", 0, len(cand), "exact Jaccard of each candidate pair")
        exact = exact_jaccard(
            text_col,
            cand,
            ngram=s.ngram,
            short_words=s.short_words,
            char_ngram=s.char_ngram,
            shared=shared.filter(pl.col("kind") == SHINGLE).get_column("text").to_list(),
            passages=passages,
        )
        keep = exact >= PAIR_FLOOR - 1e-9
        near_pairs = pl.DataFrame(
            {"i": cand[keep, 0], "j": cand[keep, 1], "similarity": exact[keep]},
            schema=PAIR_SCHEMA,
        )
        n_candidates = len(cand)
        n_verified = near_pairs.filter(pl.col("similarity") >= s.threshold - 1e-9).height

    para_pairs = pl.DataFrame(schema=PARA_SCHEMA)
    if s.paraphrase:
        yield Progress("paraphrases", 0, None, "same reply to a reworded prompt")
        para_pairs = paraphrase_pairs(frame, s)

    # --- clusters, keepers, flags ---------------------------------------------------
    yield Progress("clustering", 0, None)
    node_rows = (
        nodes.join(
            texts.select("scope1", "scope2").with_row_index("sig_row"),
            on=["scope1", "scope2"],
            how="left",
        )
        .select(list(NODE_SCHEMA.names()))
        .cast(NODE_SCHEMA)
    )
    clusters = assemble(
        with_review(node_rows, review_columns(ws)),
        near_pairs,
        s.threshold,
        overrides(ws),
        ws.clusters(),
        para_pairs if s.paraphrase else None,
        s.paraphrase_threshold,
    )
    cache_out = sig_rows.select("scope1", "scope2").with_columns(
        pl.Series("sig", sigs, dtype=pl.Array(pl.UInt32, num_perm)), pl.lit(fp).alias("fp")
    )

    # --- publish (only now: a cancelled run has written nothing) ---------------------
    yield Progress("writing", 0, None)
    ws.write_result(SIGNATURES, cache_out, compression="lz4")  # hashes: zstd only costs time
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
        records=frame.height,
        clusters=kinds.len(),
        exact_clusters=int((kinds == EXACT).sum()),
        near_clusters=int((kinds == NEAR).sum()),
        exact_duplicates=int((dups.get_column("kind") == EXACT).sum()),
        near_duplicates=int((dups.get_column("kind") == NEAR).sum()),
        paraphrase_duplicates=int((dups.get_column("kind") == PARAPHRASE).sum()),
        duplicates=dups.height,
        too_short=int((~nodes.get_column("near_ok")).sum()) if s.near else 0,
        shared_shingles=len(drop),
        shared_passages=len(passages),
        char_shingled=n_short,
        signatures_computed=len(missing),
        signatures_cached=sig_rows.height - len(missing),
        candidate_pairs=n_candidates,
        verified_pairs=n_verified,
        bands=bands,
        rows=rows,
        backend=backend() if len(missing) else "cached",
        seconds=round(time.perf_counter() - t0, 3),
    )
    ws.log_run("dedup", s.to_dict(), summary.to_dict())
    return summary
