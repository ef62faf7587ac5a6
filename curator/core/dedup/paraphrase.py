"""Paraphrases: the same reply to a reworded prompt, found offline (no model).

Opt-in (``DedupSettings.paraphrase``), reported as ``near_duplicate.paraphrase``.

1. Candidates, sub-quadratic: records whose replies (assistant turns,
   normalised) are the same text, or share an LSH band of their MinHash
   signatures at ``paraphrase_reply``. Replies under ``MIN_REPLY_WORDS`` words
   ("Yes.", "Thanks!") say nothing about the prompt and are skipped; a reply
   shared by more than ``MAX_GROUP`` records contributes its first
   ``MAX_GROUP`` (in id order), so one canned answer cannot make the work
   quadratic.
2. Verified pair by pair: the replies' estimated Jaccard must reach
   ``paraphrase_reply`` (a pair compared in its shorter reply's shingles,
   ``spaces.py``) and the replies must end with the same ``ENDING_WORDS``
   words, where the answer is (on GSM8K, 9 of the 10 reply pairs at 0.6 or
   more are a problem asked the other way round, whose worked answers share
   steps but conclude differently; the ending keeps only the tenth, a true
   rewording); the prompts' TF-IDF cosine (character 4-grams
   inside words, so "boil" meets "boiling"; inverse document frequency from
   a sample of the workspace's prompts) is the pair's similarity, kept down
   to ``FLOOR`` for the Pipeline page's live count.

Returned as plain frames (a, b record ids, similarity, reply) so another
engine can produce candidates and reuse the verification and clustering.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from curator.core import records as R
from curator.core.dedup import lsh as L
from curator.core.dedup.minhash import compared_signatures
from curator.core.dedup.normalize import normalised_turns
from curator.core.dedup.settings import DedupSettings
from curator.core.dedup.spaces import bridge_rows, bridged_candidates

MIN_REPLY_WORDS = 4
ENDING_WORDS = 8  # replies must end with the same words (the answer)
MAX_GROUP = 50
FLOOR = 0.3  # prompt cosine down to which verified pairs are stored
CHAR_N = 4
IDF_SAMPLE = 2_000
PAIR_SCHEMA = pl.Schema(
    {"a": pl.String, "b": pl.String, "similarity": pl.Float64, "reply": pl.Float64}
)


def _turns(messages: pl.Series, role: str, s: DedupSettings) -> pl.Series:
    """Normalised text of one role's turns per record (same order)."""
    msgs = normalised_turns(messages, s, "c")
    out = msgs.group_by("row", maintain_order=True).agg(
        pl.col("c").filter((pl.col("role") == role) & (pl.col("c") != "")).str.join(" ")
    )
    return out.sort("row").get_column("c").fill_null("")


def prompt_and_reply(frame: pl.DataFrame, s: DedupSettings) -> pl.DataFrame:
    """id, prompt (user turns), reply (assistant turns), normalised."""
    msgs = frame.get_column(R.MESSAGES)
    return pl.DataFrame(
        {
            R.ID: frame.get_column(R.ID),
            "prompt": _turns(msgs, "user", s),
            "reply": _turns(msgs, "assistant", s),
        }
    )


def candidate_pairs(texts: pl.DataFrame, s: DedupSettings) -> pl.DataFrame:
    """a, b (record ids, a < b), reply (estimated reply Jaccard) for records with similar replies."""
    words = pl.col("reply").str.count_matches(" ", literal=True) + 1
    ok = texts.filter((pl.col("reply") != "") & (words >= MIN_REPLY_WORDS))
    groups = (
        ok.sort(R.ID)
        .group_by("reply", maintain_order=True)
        .agg(pl.col(R.ID).head(MAX_GROUP).alias("ids"))
        .with_row_index("g")
    )
    # same reply text: every pair inside the group
    members = groups.select("g", "ids").explode("ids").rename({"ids": R.ID})
    same = (
        members.join(members, on="g", suffix="_b")
        .filter(pl.col(R.ID) < pl.col(f"{R.ID}_b"))
        .select(pl.col(R.ID).alias("a"), pl.col(f"{R.ID}_b").alias("b"), pl.lit(1.0).alias("reply"))
    )
    parts = [same]
    if groups.height >= 2:
        cand = _similar_replies(groups.get_column("reply"), s)
        near = (
            cand.join(members.rename({"g": "i", R.ID: "a"}), on="i")
            .join(members.rename({"g": "j", R.ID: "b"}), on="j")
            .select(
                pl.min_horizontal("a", "b").alias("a"),
                pl.max_horizontal("a", "b").alias("b"),
                pl.col("similarity").alias("reply"),
            )
        )
        parts.append(near)
    return pl.concat(parts).unique(["a", "b"], keep="first")


def _similar_replies(replies: pl.Series, s: DedupSettings) -> pl.DataFrame:
    """i, j, similarity: reply pairs at ``paraphrase_reply`` estimated Jaccard or more.

    A pair is compared in its shorter reply's shingles (``spaces.py``): bridge
    replies get a character signature too, banded with the rest.
    """
    opts = dict(
        ngram=s.ngram,
        short_words=s.short_words,
        char_ngram=s.char_ngram,
        num_perm=s.num_perm,
        seed=s.seed,
    )
    sigs, short = compared_signatures(replies, **opts)  # type: ignore[arg-type]
    words = (replies.str.count_matches(" ", literal=True) + 1).to_numpy()
    bridge = bridge_rows(words, s.short_words)
    if len(bridge):
        extra, _ = compared_signatures(
            replies.gather(bridge),
            as_char=np.ones(len(bridge), dtype=bool),
            **opts,  # type: ignore[arg-type]
        )
        sigs = np.vstack([sigs, extra])
    bands, rows = L.lsh_params(s.paraphrase_reply, s.num_perm)
    cand = L.band_pairs(sigs, bands, rows)
    if len(bridge) and len(cand):
        cand = cand[bridged_candidates(cand, short, bridge)]
    est = L.estimate(sigs, cand)
    keep = est >= s.paraphrase_reply - 1e-9
    text_of = np.concatenate([np.arange(replies.len(), dtype=np.int64), bridge])
    pairs = np.sort(text_of[cand[keep]], axis=1) if keep.any() else np.empty((0, 2), np.int64)
    return (
        pl.DataFrame(
            {"i": pairs[:, 0], "j": pairs[:, 1], "similarity": est[keep]},
            schema={"i": pl.Int64, "j": pl.Int64, "similarity": pl.Float64},
        )
        .filter(pl.col("i") != pl.col("j"))
        .group_by("i", "j")
        .agg(pl.col("similarity").max())
    )


def same_ending(texts: pl.DataFrame, pairs: pl.DataFrame) -> pl.Series:
    """Per pair (a, b ids): the two replies end with the same ``ENDING_WORDS`` words.

    The end of a reply is where its answer is: two worked answers that share
    their steps but conclude differently (a problem asked the other way round)
    are not the same reply.
    """
    tail = texts.select(
        R.ID, pl.col("reply").str.split(" ").list.tail(ENDING_WORDS).list.join(" ").alias("end")
    )
    out = (
        pairs.select("a", "b")
        .with_row_index("pair")
        .join(tail.rename({R.ID: "a", "end": "ea"}), on="a", how="left")
        .join(tail.rename({R.ID: "b", "end": "eb"}), on="b", how="left")
        .sort("pair")
    )
    return (out.get_column("ea") == out.get_column("eb")).fill_null(False)


def _grams(texts: pl.DataFrame) -> pl.DataFrame:
    """doc, gram: character 4-grams of each space-padded word (distinct per doc, with counts)."""
    w = (
        texts.select("doc", pl.col("prompt").str.split(" ").alias("w"))
        .explode("w")
        .filter(pl.col("w").is_not_null() & (pl.col("w") != ""))
        .select("doc", (pl.lit(" ") + pl.col("w") + pl.lit(" ")).alias("w"))
        .with_columns(pl.col("w").str.len_chars().alias("n"))
    )
    starts = pl.int_ranges(0, pl.max_horizontal(pl.col("n") - CHAR_N + 1, pl.lit(1)))
    return (
        w.with_columns(starts.alias("i"))
        .explode("i")
        .select("doc", pl.col("w").str.slice(pl.col("i"), CHAR_N).alias("gram"))
        .group_by("doc", "gram")
        .len("tf")
    )


def prompt_cosine(texts: pl.DataFrame, pairs: pl.DataFrame) -> pl.Series:
    """TF-IDF cosine (sublinear tf) of the two prompts of each pair (a, b ids), in pair order.

    Document frequencies come from an evenly spaced sample of at most
    ``IDF_SAMPLE`` prompts (a gram the sample lacks gets the rarest weight);
    vectors are built only for the prompts in a pair.
    """
    n_all = texts.height
    step = max(1, n_all // IDF_SAMPLE)
    sample = texts.select("prompt").gather_every(step).with_row_index("doc")
    n = sample.height
    idf = (
        _grams(sample)
        .group_by("gram")
        .len("df")
        .select("gram", (np.log((1 + n) / (1 + pl.col("df"))) + 1.0).alias("idf"))
    )
    rare = float(np.log(1 + n) + 1.0)
    involved = pl.concat([pairs.get_column("a"), pairs.get_column("b")]).unique().implode()
    docs = texts.filter(pl.col(R.ID).is_in(involved)).select(R.ID, "prompt").with_row_index("doc")
    vec = (
        _grams(docs)
        .join(docs.select("doc", R.ID), on="doc")
        .join(idf, on="gram", how="left")
        .select(R.ID, "gram", ((1 + pl.col("tf").log()) * pl.col("idf").fill_null(rare)).alias("w"))
    )
    norms = vec.group_by(R.ID).agg((pl.col("w") ** 2).sum().sqrt().alias("norm"))
    p = pairs.select("a", "b").with_row_index("pair")
    dots = (
        p.join(vec.rename({R.ID: "a", "w": "wa"}), on="a")
        .join(vec.rename({R.ID: "b", "w": "wb"}), on=["b", "gram"])
        .group_by("pair")
        .agg((pl.col("wa") * pl.col("wb")).sum().alias("dot"))
    )
    out = (
        p.join(dots, on="pair", how="left")
        .join(norms.rename({R.ID: "a", "norm": "na"}), on="a", how="left")
        .join(norms.rename({R.ID: "b", "norm": "nb"}), on="b", how="left")
        .sort("pair")
        .select(
            (pl.col("dot").fill_null(0.0) / (pl.col("na") * pl.col("nb")))
            .fill_nan(0.0)
            .fill_null(0.0)
            .alias("similarity")
        )
    )
    return out.get_column("similarity")


def paraphrase_pairs(frame: pl.DataFrame, s: DedupSettings) -> pl.DataFrame:
    """Verified paraphrase pairs: a, b, similarity (prompt cosine >= FLOOR), reply."""
    texts = prompt_and_reply(frame, s)
    cand = candidate_pairs(texts, s)
    if cand.height:
        cand = cand.filter(same_ending(texts, cand))
    if cand.height == 0:
        return pl.DataFrame(schema=PAIR_SCHEMA)
    sim = prompt_cosine(texts, cand)
    out = cand.with_columns(sim.alias("similarity")).filter(pl.col("similarity") >= FLOOR)
    return out.select(list(PAIR_SCHEMA.names())).cast(PAIR_SCHEMA)
