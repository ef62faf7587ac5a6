"""Checks on what the examples say: duplicates, degenerate text, PII and secrets,
refusals. One function per check id; each returns a Check."""

from __future__ import annotations

import polars as pl

from curator.core import records as R
from curator.core.readiness import metrics as M
from curator.core.readiness.model import NOT_MEASURED, Check, Context, Level, pct, plural, share
from curator.core.selection import selected_by_status


def _not_measured(ctx: Context, cid: str, title: str, threshold: str, why: str, source: str) -> Check:
    return Check(
        id=cid, title=title, level="warn", value=None, threshold=threshold,
        message=f"{title}: {NOT_MEASURED}.", why=why,
        next_step=f"Run `curator run -w {ctx.ws.path}` to score the records, then re-run the report.",
        source=source, measured=False,
    )


def check_exact_dups(ctx: Context) -> Check:
    th, g = ctx.th, ctx.good
    extra_ids = g.get_column(R.ID).filter(~g.get_column("conv_hash").is_first_distinct())
    n = extra_ids.len()
    frac = share(n, g.height)
    level: Level = "block" if frac > th.exact_dup_block_share else "warn" if n else "ok"
    set_aside = int(
        ctx.selected.join(ctx.clusters.filter(pl.col("kind") == "exact").select(R.ID), on=R.ID)
        .filter(pl.col(R.DUPLICATE_OF).is_not_null()).height
    )
    note = f" Dedup already set aside {set_aside:,} copies." if set_aside else ""
    if n:
        msg = f"{plural(n, 'good example')} ({pct(frac)}) {'repeats' if n == 1 else 'repeat'} another one exactly.{note}"
        nxt = "Run `curator dedup` to keep one copy of each, or reject the extras."
    else:
        msg = f"No good example repeats another exactly.{note}"
        nxt = "Nothing to do."
    return Check(
        id="exact_dups", title="Duplicates", level=level, value=frac,
        threshold=f"ok: 0 · warn: > 0 · block: > {pct(th.exact_dup_block_share)}", message=msg,
        why="Repeated examples are over-learned and make evaluation look better than it is.",
        next_step=nxt, source="Lee et al. 2021; Hernandez et al. 2022 (product default: over 10% blocks)",
        query=ctx.query("--flag", "exact_duplicate"),
        details={"copies": n, "set_aside_by_dedup": set_aside},
        examples=ctx.remember("exact_dups", extra_ids),
    )


def check_near_dups(ctx: Context) -> Check:
    th = ctx.th
    threshold = f"ok: < {pct(th.near_dup_warn_share)} · warn: >= {pct(th.near_dup_warn_share)}"
    why = "Many near-copies shrink the real size of the set and over-weight a few conversations."
    src = "datatrove, NeMo Curator, Lilac defaults (MinHash, Jaccard >= threshold); product default 5%"
    ran = ctx.ws.read_result("clusters") is not None or "near_duplicate" in ctx.families_seen
    if not ran:
        return _not_measured(ctx, "near_dups", "Near-duplicates", threshold, why, src)
    near = ctx.clusters.filter(pl.col("kind") == "near").select(R.CLUSTER_ID).unique()
    members = ctx.selected.join(near, on=R.CLUSTER_ID, how="semi") if near.height else ctx.selected.head(0)
    n, frac = members.height, share(members.height, ctx.selected.height)
    aside = int(members.get_column(R.DUPLICATE_OF).is_not_null().sum()) if n else 0
    msg = f"{pct(frac)} of selected records ({n:,}) sit in near-duplicate clusters"
    msg += f"; exports keep one per cluster, so {aside:,} are set aside." if aside else "."
    return Check(
        id="near_dups", title="Near-duplicates", level="warn" if frac >= th.near_dup_warn_share else "ok",
        value=frac, threshold=threshold, message=msg, why=why,
        next_step="Check each cluster's keeper in the duplicate view; the others stay out of the export."
        if n else "Nothing to do.",
        source=src, query=ctx.query("--flag", "near_duplicate"),
        details={"records": n, "set_aside": aside, "clusters": near.height},
        examples=ctx.remember("near_dups", members.get_column(R.ID)),
    )


def check_quality(ctx: Context) -> Check:
    threshold, src = "ok: 0 · warn: any", "Rae et al. 2021 (Gopher repetition rules), via datatrove"
    why = "Replies that loop or stop mid-sentence teach the model to loop or stop mid-sentence."
    if not ctx.measured("scores_repetition", "repetition"):
        return _not_measured(ctx, "quality", "Degenerate text", threshold, why, src)
    g = ctx.good
    cond = pl.col("fam_repetition") | pl.col("score_repetition")
    bad = g.filter(cond)
    n = bad.height
    by = M.flag_names_in(bad, "repetition")
    if n and bad.get_column("score_truncated").any():
        by["truncated reply"] = int(bad.get_column("score_truncated").sum())
    msg = (f"{plural(n, 'good example has', 'good examples have')} looping, repetitive or cut-off replies"
           + (f" ({', '.join(f'{k}: {v:,}' for k, v in list(by.items())[:4])})." if by else ".")) if n \
        else "No looping, repetitive or cut-off replies among the good examples."
    return Check(
        id="quality", title="Degenerate text", level="warn" if n else "ok", value=n,
        threshold=threshold, message=msg, why=why,
        next_step="Rewrite or reject those replies." if n else "Nothing to do.", source=src,
        query=ctx.query("--flag", "repetition"), details=by,
        examples=ctx.remember("quality", bad.get_column(R.ID)),
    )


def held_back_with(ctx: Context, family: str) -> pl.DataFrame:
    """Selected keepers (by status) that carry a ``family`` flag: id and flags.

    Reads the flat flags table first, so the million-row frame is only filtered by id.
    """
    flat = ctx.all_flags if ctx.all_flags is not None else ctx.ws.flags()
    named = flat.filter((pl.col("name") == family) | pl.col("name").str.starts_with(family + "."))
    if named.height == 0:
        return ctx.frame.select(R.ID, R.FLAGS).clear()
    # frame rows whose id carries the flag (one pass over the ids); among them the
    # selected keepers, then every row with a keeper's id, as before
    named_ids = named.get_column(R.ID).implode()
    rows = ctx.frame.select(pl.arg_where(pl.col(R.ID).is_in(named_ids))).to_series()
    cand = ctx.frame.select(R.ID, R.STATUS, R.DUPLICATE_OF, R.FLAGS)[rows]
    keepers = cand.filter(selected_by_status(ctx.include) & pl.col(R.DUPLICATE_OF).is_null()).get_column(R.ID)
    return cand.filter(pl.col(R.ID).is_in(keepers.implode())).select(R.ID, R.FLAGS)


def _by(counts: dict[str, int]) -> str:
    return f" ({', '.join(f'{k}: {v:,}' for k, v in list(counts.items())[:4])})" if counts else ""


def check_pii(ctx: Context) -> Check:
    """Personal data (pii.*) and secrets; business or public contact details (contact.*)
    are counted apart and never called personal data."""
    threshold = "ok: none · warn: personal data · block: any secret"
    src = "Presidio, NeMo Curator PII, BigCode pii, detect-secrets (product default: any secret blocks)"
    why = "A fine-tuned model can repeat what it was trained on, including customers' details and leaked keys."
    if not (ctx.measured("scores_pii", "pii") or "secret" in ctx.families_seen):
        return _not_measured(ctx, "pii", "PII and secrets", threshold, why, src)
    g = ctx.good
    secret = g.filter(pl.col("fam_secret") | pl.col("score_secret"))
    # A secret flag blocks its record, so it never reaches N_good; the records the
    # user selected (approved/passing keepers) that are held back by one still
    # need an action, or the export silently shrinks: count them here too.
    held = held_back_with(ctx, "secret")
    secret_ids = pl.concat([secret.get_column(R.ID), held.get_column(R.ID)]).unique(maintain_order=True)
    pii = g.filter(pl.col("fam_pii") | pl.col("score_pii"))
    contact = g.filter(pl.col("fam_contact") | pl.col("score_contact"))
    secret_by = M.flag_names_in(pl.concat([secret.select(R.ID, R.FLAGS), held]), "secret")
    pii_by, contact_by = M.flag_names_in(pii, "pii"), M.flag_names_in(contact, "contact")
    contact_note = (
        f" {plural(contact.height, 'good example gives', 'good examples give')} business or public contact "
        f"details{_by(contact_by)}: not personal data, nothing to redact." if contact.height else ""
    )
    level: Level
    if not g.height and not secret_ids.len():
        level, value, ids = "n/a", None, pl.Series([], dtype=pl.String)
        msg, nxt, q = "No good examples to scan.", "Approve examples first.", None
    elif secret_ids.len():
        level, value, ids = "block", secret_ids.len(), secret_ids
        msg = (f"{plural(secret_ids.len(), 'selected record contains', 'selected records contain')} secrets such as "
               f"API keys or passwords{_by(secret_by)}; {'it is' if secret_ids.len() == 1 else 'they are'} held out "
               "of the export until you act.")
        if pii.height:
            msg += f" {plural(pii.height, 'good example contains', 'good examples contain')} personal data{_by(pii_by)}."
        nxt = "Redact them (or reject the records) and rotate the leaked keys; nothing with a secret should be trained on."
        q = ctx.query("--flag", "secret")
    elif pii.height:
        level, value, ids = "warn", pii.height, pii.get_column(R.ID)
        msg = (f"{plural(pii.height, 'good example', 'good examples')} ({pct(share(pii.height, g.height))}) "
               f"{'contains' if pii.height == 1 else 'contain'} personal data{_by(pii_by)}.")
        nxt = "Redact it with placeholders such as <EMAIL_1>, or reject the records."
        q = ctx.query("--flag", "pii")
    else:
        level, value, ids = "ok", 0, pl.Series([], dtype=pl.String)
        msg, nxt, q = "No personal data or secrets found in the good examples.", "Nothing to do.", None
    return Check(
        id="pii", title="PII and secrets", level=level, value=value, threshold=threshold,
        message=msg + contact_note, why=why, next_step=nxt, source=src, query=q,
        details={"secret_records": secret_ids.len(), "pii_records": pii.height, "contact_records": contact.height,
                 "by_flag": {**secret_by, **pii_by}, "contact_by_flag": contact_by},
        examples=ctx.remember("pii", ids),
    )


def check_refusals(ctx: Context) -> Check:
    """Replies that decline or deflect; a reply reused across prompts is a canned reply,
    counted by the diversity check, not here."""
    th = ctx.th
    threshold = f"ok: < {pct(th.refusal_warn_share)} · warn: >= {pct(th.refusal_warn_share)}"
    src = "OpenAI fine-tuning best practices (a set with many refusals trains a model that over-refuses); product default 10%"
    why = "A model copies how often its examples refuse or deflect."
    if not ctx.measured("scores_refusal", "refusal"):
        return _not_measured(ctx, "refusals", "Refusals", threshold, why, src)
    g = ctx.good
    bad = g.filter(pl.col("fam_refusal") | pl.col("score_refusal"))
    frac = share(bad.height, g.height)
    warn = frac >= th.refusal_warn_share
    level: Level = "n/a" if not g.height else "warn" if warn else "ok"
    if not g.height:
        msg = "No good examples to read."
    else:
        msg = f"{pct(frac)} of good examples ({bad.height:,}) refuse or deflect"
        msg += "; a model trained on them learns to refuse too often." if warn else "."
    return Check(
        id="refusals", title="Refusals", level=level, value=frac if g.height else None,
        threshold=threshold, message=msg, why=why,
        next_step="Reject or rewrite most refusals so they match how often you want the model to decline."
        if warn else "Nothing to do.",
        source=src, query=ctx.query("--flag", "refusal"),
        details={"records": bad.height, "by_flag": M.flag_names_in(bad, "refusal")},
        examples=ctx.remember("refusals", bad.get_column(R.ID)),
    )
