"""Checks on whether the data is worth baking into weights: diversity,
consistency, volatility. One function per check id; each returns a Check."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import polars as pl

from curator.core import records as R

from . import conflicts as C
from . import metrics as M
from . import volatility as V
from .model import Check, Context, Level, pct, plural, share


def _sample_note(ctx: Context) -> str:
    return f" (estimated on a seeded sample of {ctx.text.height:,} examples)" if ctx.sampled else ""


def diversity_values(ctx: Context) -> dict[str, Any]:
    """distinct-2 and compression ratio of assistant text, largest-cluster share."""
    texts = ctx.text.get_column("assistant_text") if ctx.text.height else pl.Series([], dtype=pl.String)
    words = M.sample_words(M.bounded_texts(texts, ctx.th.diversity_sample_words * 12), ctx.th.diversity_sample_words)
    d2 = M.distinct_n(words, 2)
    cr = M.compression_ratio(texts)
    largest: float | None = None
    if ctx.clusters.height and ctx.selected.height:
        sizes = ctx.selected.drop_nulls(R.CLUSTER_ID).group_by(R.CLUSTER_ID).len()
        if sizes.height:
            largest = float(sizes.get_column("len").max()) / ctx.selected.height  # type: ignore[arg-type]
    return {
        "distinct_2": None if d2 is None else round(d2, 4),
        "compression_ratio": None if cr is None else round(cr, 3),
        "largest_cluster_share": None if largest is None else round(largest, 4),
        "words_sampled": int(words.len()),
    }


def check_diversity(ctx: Context) -> Check:
    th = ctx.th
    v = diversity_values(ctx)
    problems = []
    if v["distinct_2"] is not None and v["distinct_2"] < th.diversity_min_distinct2:
        problems.append(f"few distinct word pairs (distinct-2 {v['distinct_2']:.2f})")
    if v["compression_ratio"] is not None and v["compression_ratio"] > th.diversity_max_compression:
        problems.append(f"replies compress {v['compression_ratio']:.1f}x (repetitive wording)")
    if v["largest_cluster_share"] is not None and v["largest_cluster_share"] > th.diversity_max_cluster_share:
        problems.append(f"one duplicate cluster holds {pct(v['largest_cluster_share'])} of the records")
    g = ctx.good
    canned = g.filter(pl.col("fam_diversity") | pl.col("score_canned")) if g.height else g
    canned_share = share(canned.height, g.height)
    v["canned_replies"], v["canned_share"] = canned.height, round(canned_share, 4)
    if canned.height and canned_share > th.diversity_max_canned_share:
        problems.append(f"{plural(canned.height, 'good example reuses', 'good examples reuse')} a reply verbatim "
                        f"across different prompts ({pct(canned_share)}, canned replies)")
    measured = v["distinct_2"] is not None or v["compression_ratio"] is not None
    level: Level
    if problems:
        level, msg = "warn", "The replies are narrow: " + "; ".join(problems) + "."
        nxt = "Add examples of other topics and phrasings, and collapse clusters of near-identical replies."
        if canned.height and canned_share > th.diversity_max_canned_share:
            nxt += " Keep a few canned replies and rewrite or reject the rest (`curator query --flag diversity`)."
    elif measured:
        level = "ok"
        d2, cr = v["distinct_2"], v["compression_ratio"]
        msg = (f"Replies vary: distinct-2 {'-' if d2 is None else f'{d2:.2f}'}, "
               f"compression ratio {'-' if cr is None else f'{cr:.1f}'}.")
        if canned.height:
            msg += f" {plural(canned.height, 'canned reply', 'canned replies')} ({pct(canned_share)}), under the warning line."
        nxt = "Nothing to do."
    elif not g.height:
        level, msg, nxt = "n/a", "No good examples to measure.", "Approve examples first."
    else:
        level, msg, nxt = "info", "Too little assistant text to measure diversity.", "Add examples first."
    return Check(
        id="diversity", title="Narrow data", level=level, value=v,
        threshold=(f"warn: distinct-2 < {th.diversity_min_distinct2} or compression ratio > "
                   f"{th.diversity_max_compression} or largest cluster > {pct(th.diversity_max_cluster_share)}"
                   f" or canned replies > {pct(th.diversity_max_canned_share)}"),
        message=msg + _sample_note(ctx),
        why="A model trained on narrow, repetitive replies becomes narrow and repetitive (overfitting).",
        next_step=nxt, source="Shaib et al. 2024 (distinct-n, compression ratio); LIMA; Deita (product defaults)",
        query=ctx.query("--flag", "diversity") if canned.height else
        ctx.query("--flag", "near_duplicate") if v["largest_cluster_share"] else None,
        details=v, examples=ctx.remember("diversity", canned.get_column(R.ID)) if canned.height else [],
    )


def check_consistency(ctx: Context) -> Check:
    """Same prompt, answers that disagree in substance (numbers, names, yes/no)."""
    t = ctx.text
    found = C.conflicts(t)
    n_prompts = found.get_column("_p").n_unique()
    n_records = found.height
    agreeing = C.paraphrase_prompts(t, found)
    by_reason = {r: int(found.filter(pl.col(r)).get_column("_p").n_unique()) for r in C.REASONS}
    query = None
    level: Level
    if not t.height:
        level, msg, nxt = "n/a", "No good examples, so no answers to compare.", "Approve examples first."
    elif n_prompts:
        level = "warn"
        first = t.filter(pl.col(R.ID) == found.get_column(R.ID)[0]).get_column("first_user")[0]
        needle = " ".join(str(first or "").split())[:60]
        query = ctx.query("--search", needle) if needle else None
        why = ", ".join(f"{plural(v, 'prompt')} {label}" for r, v in by_reason.items() if v
                        for label in [{"numbers": "with different numbers", "names": "with different names or days",
                                       "yes_no": "with yes and no"}[r]])
        msg = (f"{plural(n_prompts, 'user prompt')} {'gets' if n_prompts == 1 else 'get'} answers that disagree "
               f"in {plural(n_records, 'example')} ({why}){_sample_note(ctx)}.")
        nxt = "Make the answers agree (edit them) or keep the best one and reject the rest."
    else:
        level = "ok"
        msg = f"No user prompt gets answers that disagree{_sample_note(ctx)}."
        nxt = "Nothing to do."
    if agreeing > 0 and t.height:
        msg += (f" {plural(agreeing, 'prompt')} {'has' if agreeing == 1 else 'have'} reworded answers that agree "
                "(not counted).")
    return Check(
        id="consistency", title="Conflicting answers", level=level, value=n_prompts if t.height else None,
        threshold="ok: 0 · warn: any", message=msg,
        why="When the same question has different answers, the model learns to pick one at random.",
        next_step=nxt, source="OpenAI fine-tuning best practices (consistent examples)", query=query,
        details={"prompts": n_prompts, "records": n_records, "by_reason": by_reason,
                 "agreeing_paraphrase_prompts": agreeing, "sampled": ctx.sampled},
        examples=ctx.remember("consistency", found.get_column(R.ID)),
    )


def time_span(ctx: Context) -> dict[str, Any] | None:
    """First and last source timestamp found in the good examples' meta."""
    if not ctx.text.height or R.META not in ctx.text.columns:
        return None
    times = M.source_times(ctx.text.get_column(R.META)).drop_nulls()
    if times.len() == 0:
        return None
    first, last = times.min(), times.max()
    assert isinstance(first, datetime) and isinstance(last, datetime)
    return {
        "first": first.isoformat(timespec="seconds"),
        "last": last.isoformat(timespec="seconds"),
        "days": round((last - first).total_seconds() / 86400, 1),
        "records_with_time": int(times.len()),
    }


def check_volatility(ctx: Context) -> Check:
    """Share of good examples whose assistant states facts that change, by kind,
    with one example record per kind (see ``volatility.py`` for what is not counted)."""
    th, t = ctx.th, ctx.text
    kinds = [f"vol_{k}" for k in V.KINDS]
    if t.height:
        hits = t.filter(pl.any_horizontal([pl.col(k) for k in kinds]))
        by_kind = {k[4:]: int(t.get_column(k).sum()) for k in kinds}
        example = {k[4:]: str(t.filter(pl.col(k)).get_column(R.ID)[0]) for k in kinds if by_kind[k[4:]]}
        calculations = int(t.get_column("vol_calculation").sum())
    else:
        hits, by_kind, example, calculations = t, {}, {}, 0
    frac = share(hits.height, t.height)
    warn = frac >= th.volatility_warn_share
    span = time_span(ctx)
    found = sorted(((k, v) for k, v in by_kind.items() if v), key=lambda x: -x[1])
    level: Level
    if not t.height:
        level, msg, nxt = "n/a", "No good examples to read, so no changing facts counted.", "Approve examples first."
    else:
        level = "warn" if warn else "ok"
        if found:
            kinds_text = ", ".join(f"{V.LABELS[k]} {pct(share(v, t.height))}" for k, v in found)
            msg = f"{pct(frac)} of good examples ({hits.height:,}) state facts that change: {kinds_text}"
        else:
            msg = "No good example states prices, stock, schedules, weather, policies or versions as facts"
        msg += "; facts that change belong in retrieval (RAG), not in weights." if warn else "."
        if calculations:
            msg += f" Not counted: {plural(calculations, 'worked calculation')} (hypothetical numbers)."
        if span and span["days"] > th.volatility_span_days:
            msg += f" The sources span {span['days'] / 365.25:.1f} years, so some facts have likely changed."
        nxt = (
            "Move prices, stock, schedules and policies into a retrieval source and train on behaviour and style."
            if warn
            else "Nothing to do."
        )
    ctx.remember("volatility", hits.get_column(R.ID))
    return Check(
        id="volatility", title="Data that changes", level=level, value=frac if t.height else None,
        threshold=f"ok: < {pct(th.volatility_warn_share)} · warn: >= {pct(th.volatility_warn_share)}",
        message=msg + _sample_note(ctx),
        why="A fine-tuned model keeps stating the facts it was trained on after they change; retrieval stays current.",
        next_step=nxt,
        source="seed article ('Your data changes frequently -> use RAG'); Azure: knowledge belongs in retrieval (product default 20%)",
        details={"by_kind": by_kind, "example_by_kind": example, "calculations_not_counted": calculations,
                 "time_span": span, "sampled": ctx.sampled},
        examples=list(example.values())[:5],
    )
