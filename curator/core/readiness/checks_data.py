"""Checks on the shape and size of the data: format, volume, epochs, length,
roles, split, reviewed, cost. One function per check id; each returns a Check."""

from __future__ import annotations

from typing import Any

import polars as pl

from curator.core import records as R
from curator.core.cookbook import EXPLANATIONS, format_errors
from curator.core.export.groups import describe_leakage
from curator.core.readiness.model import Check, Context, Level, pct, plural, share
from curator.core.review_actor import decided_one_at_a_time

SRC_COOKBOOK = "openai-cookbook examples/Chat_finetuning_data_prep.ipynb"


def _counts_text(counts: dict[str, int], limit: int = 4) -> str:
    items = list(counts.items())
    text = ", ".join(f"{k}: {v:,}" for k, v in items[:limit])
    return text + (", ..." if len(items) > limit else "")


def check_format(ctx: Context) -> Check:
    suspects = ctx.good.filter(pl.col("format_suspect")).select(R.ID, "_row")
    errors = None
    if suspects.height:
        msgs = ctx.frame.get_column(R.MESSAGES).gather(suspects.get_column("_row"))
        errors = format_errors(pl.DataFrame({R.ID: suspects.get_column(R.ID), R.MESSAGES: msgs}))
    bad_ids = errors.get_column(R.ID).unique(maintain_order=True) if errors is not None else pl.Series([], dtype=pl.String)
    kinds: dict[str, int] = {}
    if errors is not None and errors.height:
        kinds = {k: int(v) for k, v in errors.group_by("kind").len().sort(["len", "kind"], descending=[True, False]).iter_rows()}
    n = bad_ids.len()
    if n:
        first = next(iter(kinds))
        msg = f"{plural(n, 'good example has', 'good examples have')} format errors a trainer would reject ({_counts_text(kinds)}; e.g. {EXPLANATIONS[first]})."
        nxt = "Fix them in the editor or reject them (`curator show ID` shows each), then re-run the report."
    else:
        msg = f"No format errors in {plural(ctx.n_good, 'good example')}."
        nxt = "Nothing to do."
    return Check(
        id="format", title="Format errors", level="block" if n else "ok", value=n,
        threshold="ok: 0 · block: any", message=msg,
        why="Trainers reject a file with malformed examples, so one bad line can fail the whole job.",
        next_step=nxt, source=SRC_COOKBOOK,
        query=ctx.query("--flag", "structure") if "structure" in ctx.families_seen else None,
        details={"by_kind": kinds}, examples=ctx.remember("format", bad_ids),
    )


def volume_band(n: int, ctx: Context) -> str:
    """What ``n`` good examples are enough for. Few-shot prompting is only advised when
    the data itself is small, not when thousands of records await review."""
    th = ctx.th
    waiting = ctx.waiting if ctx.include == "approved" else 0
    if n < th.volume_pilot:
        if waiting and n + waiting >= th.volume_pilot:
            return f"too few approved yet; {plural(waiting, 'more record passes', 'more records pass')} the filters and {'awaits' if waiting == 1 else 'await'} review"
        return "below every provider's pilot size; use few-shot prompting"
    if n < th.volume_ok:
        if waiting and n + waiting >= th.volume_ok:
            return f"enough for a pilot; {plural(waiting, 'more record passes', 'more records pass')} the filters and {'awaits' if waiting == 1 else 'await'} review"
        return "enough for a pilot only; compare against a prompt/RAG baseline first"
    return "enough to fine-tune; more helps as long as quality holds"


def check_volume(ctx: Context) -> Check:
    th, t, n = ctx.th, ctx.target, ctx.n_good
    block_below = max(th.volume_block, t.min_examples)
    level: Level = "block" if n < block_below else "warn" if n < th.volume_ok else "ok"
    msg = f"{plural(n, 'good example')}: {volume_band(n, ctx)}"
    if n < t.min_examples:
        msg += f"; {t.label} needs at least {t.min_examples:,}"
    msg += "." if n >= th.volume_ok else "; thousands are typical."
    if level == "block" and ctx.include == "approved" and ctx.waiting:
        nxt = (f"Review the {ctx.waiting:,} passing records (`curator gui`, or `curator review`); "
               "`curator report --include passing` previews the set as if they were approved.")
    elif level == "block":
        nxt = "Approve or collect more examples; until then use few-shot prompting or RAG."
    elif level == "warn":
        nxt = f"Run a pilot against a prompt/RAG baseline while you review towards {th.volume_ok:,}+ good examples."
    else:
        nxt = "Nothing to do."
    ctx.remember("volume", ctx.good.get_column(R.ID))
    if ctx.include == "approved" and ctx.waiting and level == "warn":
        nxt += " `curator report --include passing` previews the set if pending records were approved."
    return Check(
        id="volume", title="Limited data", level=level, value=n,
        threshold=f"ok: >= {th.volume_ok:,} · warn: {block_below:,}-{th.volume_ok - 1:,} · block: < {block_below:,}",
        message=msg,
        why="A model learns the pattern from examples; with too few good ones it learns little and prompting or RAG does better.",
        next_step=nxt,
        source="OpenAI: min 10, gains from 50-100; Google: start at 100, scale to thousands; Azure: 'hundreds, if not thousands'; LIMA: 1,000 curated; seed article: 'typically thousands'",
        query=ctx.query("--status", "approved") if ctx.include == "approved" else None,
        details={"good": n, "target_min_examples": t.min_examples, "pilot": th.volume_pilot, "ok": th.volume_ok},
    )


def check_epochs(ctx: Context) -> Check:
    th, t, n = ctx.th, ctx.target, ctx.n_good
    epochs = t.estimate_epochs(n)
    if epochs is None:
        return Check(
            id="epochs", title="Over-repetition", level="warn", value=None,
            threshold=f"ok: <= {th.epochs_warn_above} · warn: > {th.epochs_warn_above}",
            message="No good examples yet, so no epoch estimate.",
            why="A small set is repeated over many epochs, and repeated data is memorised rather than learned.",
            next_step="Approve examples first.", source=f"{SRC_COOKBOOK}; Hernandez et al. 2022",
        )
    over = epochs > th.epochs_warn_above
    rule = "the cookbook's automatic rule" if t.epochs_rule == "cookbook" else "its default"
    msg = f"{t.label} would run {plural(epochs, 'epoch')} on {plural(n, 'example')} ({rule})"
    msg += f": each example is seen {epochs} times, which invites memorising." if over else "."
    return Check(
        id="epochs", title="Over-repetition", level="warn" if over else "ok", value=epochs,
        threshold=f"ok: <= {th.epochs_warn_above} · warn: > {th.epochs_warn_above}", message=msg,
        why="A small set is repeated over many epochs, and repeated data is memorised rather than learned.",
        next_step="Add examples so fewer epochs are needed, or set the epochs yourself." if over else "Nothing to do.",
        source=f"{SRC_COOKBOOK} (3, raised to min(25, 100 // n) when n*3 < 100); Hernandez et al. 2022",
        details={"epochs": epochs, "rule": t.epochs_rule, "examples": n},
    )


def check_length(ctx: Context) -> Check:
    th, t, g = ctx.th, ctx.target, ctx.good
    over = g.filter(pl.col("tokens") > t.max_tokens) if g.height else g
    n_over = over.height
    frac = share(n_over, g.height)
    level: Level = "block" if frac > th.length_block_share else "warn" if n_over else "ok"
    longest = int(g.get_column("tokens").max() or 0) if g.height else 0  # type: ignore[arg-type]
    if n_over:
        msg = (f"{plural(n_over, 'good example')} ({pct(frac)}) {'is' if n_over == 1 else 'are'} longer than the "
               f"{t.max_tokens:,}-token limit of {t.label} and would be cut off; the longest has ~{longest:,} tokens.")
        nxt = "Split long conversations, trim them in the editor, or reject them."
    else:
        msg = f"All good examples fit the {t.max_tokens:,}-token limit of {t.label}; the longest has ~{longest:,} tokens (estimate)."
        nxt = "Nothing to do."
    return Check(
        id="length", title="Truncation", level=level, value=n_over,
        threshold=f"ok: none over {t.max_tokens:,} · warn: any · block: > {pct(th.length_block_share)} over",
        message=msg,
        why="Trainers cut or drop examples over the limit, so the model never sees how those conversations end.",
        next_step=nxt, source=f"{t.source} Product default: over {pct(th.length_block_share)} blocks.",
        query=ctx.query("--flag", "length") if "length" in ctx.families_seen else None,
        details={"limit": t.max_tokens, "over": n_over, "share": frac, "longest": longest},
        examples=ctx.remember("length", over.get_column(R.ID)),
    )


_ROLE_LABELS = {
    "no_user": "without a user turn",
    "no_system": "without a system message",
    "not_alternating": "with roles out of order",
    "last_not_assistant": "not ending with the assistant",
}


def check_roles(ctx: Context) -> Check:
    cols = [c for c in _ROLE_LABELS if c != "no_system" or ctx.th.roles_require_system]
    g = ctx.good
    counts = {c: int(g.get_column(c).sum()) for c in cols} if g.height else dict.fromkeys(cols, 0)
    any_bad = pl.any_horizontal([pl.col(c) for c in cols]) if cols else pl.lit(False)
    bad_ids = g.filter(any_bad).get_column(R.ID) if g.height else pl.Series([], dtype=pl.String)
    n = bad_ids.len()
    if n:
        parts = [f"{v:,} {_ROLE_LABELS[k]}" for k, v in counts.items() if v]
        msg = f"{plural(n, 'good example has', 'good examples have')} structure problems: " + ", ".join(parts) + "."
        nxt = "Fix the order or add the missing turn in the editor, or reject them"
        nxt += "; add the system prompt you will use in production." if counts.get("no_system") else "."
        if counts.get("last_not_assistant"):
            nxt += " `curator export` refuses examples that do not end with an assistant reply unless given --skip-invalid."
    else:
        msg = "Every good example has a user turn, alternating roles and ends with the assistant."
        nxt = "Nothing to do."
    return Check(
        id="roles", title="Structure", level="warn" if n else "ok", value=n,
        threshold="ok: none · warn: any", message=msg,
        why="The model learns to write the assistant turns; a missing user turn, roles out of order or a trailing user turn teach the wrong pattern, and some providers reject them.",
        next_step=nxt, source="openai-cookbook warnings (missing system/user messages); Bedrock and Together format rules",
        details=counts, examples=ctx.remember("roles", bad_ids),
    )


def _as_int(v: Any) -> int | None:
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int | float):
        return int(v)
    if isinstance(v, list | dict):
        return len(v)
    return None


def _split(level: Level, value: Any, message: str, next_step: str, details: dict[str, Any]) -> Check:
    return Check(
        id="split", title="Validation and leakage", level=level, value=value,
        threshold="ok: split present, no leak · warn: no split · block: leak", message=message,
        why="A held-out validation set is how you see whether training helped; if near-copies sit on both sides the scores look better than they are.",
        next_step=next_step,
        source="OpenAI API reference (the same data should not be in both training and validation files); Vertex recommends a validation set",
        details=details,
    )


def check_split(ctx: Context) -> Check:
    """Reads the exporter's ``last_export`` setting: split counts and leaks."""
    last = ctx.ws.get_setting("last_export", None)
    if not isinstance(last, dict):
        return _split("warn", None, "No validation split yet.",
                      "Export with `curator export --split 0.1` to hold out examples for checking the model.", {})
    counts = last["counts"] if isinstance(last.get("counts"), dict) else {}
    fraction = next((last[k] for k in ("split", "split_fraction", "fraction", "validation_fraction")
                     if isinstance(last.get(k), int | float)), None)
    validation = _as_int(counts.get("validation"))
    leak_keys = ("leaked_clusters", "identical_conversations_spanning_both", "prompts_spanning_both", "replies_spanning_both")
    leaked = sum(_as_int(last.get(k)) or 0 for k in leak_keys)
    stored = last.get("leakage")
    leak: dict[str, Any] = stored if isinstance(stored, dict) else {
        "clusters_spanning_both": _as_int(last.get("leaked_clusters")) or 0,
        **{k: _as_int(last.get(k)) or 0 for k in leak_keys[1:]},
    }
    details = {"fraction": fraction, "validation": validation, "train": _as_int(counts.get("train")),
               "leaked_clusters": _as_int(last.get("leaked_clusters")) or 0, "leaked": leaked, "leakage": leak,
               "at": last.get("at") or last.get("time") or last.get("created_at")}
    if leaked:
        return _split("block", leaked,
                      f"The last export has data on both sides of the train/validation split. {describe_leakage(leak)}",
                      "Export again: this version keeps clusters, shared prompts and shared replies on one side.", details)
    if not validation and not fraction:
        return _split("warn", 0, "The last export has no validation split.",
                      "Export again with `--split 0.1` to hold out examples for checking the model.", details)
    v = f"{validation:,} examples" if validation is not None else f"{fraction:.0%} of the examples"
    exported = sum(_as_int(x) or 0 for x in counts.values()) if counts else None
    skipped = _as_int(last.get("skipped_invalid")) or 0
    stale = ""
    if exported is not None and last.get("include", ctx.include) == ctx.include and exported + skipped != ctx.n_good:
        stale = f" It had {exported:,} examples; there are {ctx.n_good:,} good ones now, so export again before training."
    return _split("ok", validation if validation is not None else fraction,
                  f"The last export held out {v} for validation. {describe_leakage(leak)}{stale}",
                  "Export again after more review." if stale else "Nothing to do.", details)


def check_reviewed(ctx: Context) -> Check:
    """Share of good examples a person decided one at a time (bulk actions do not count)."""
    th, g = ctx.th, ctx.good
    single = ctx.fetched("single", lambda: decided_one_at_a_time(ctx.ws))
    is_single = pl.col(R.ID).is_in(single.get_column(R.ID).implode())
    reviewed = g.filter(is_single) if g.height else g
    bulk_approved = g.filter(~is_single & (pl.col(R.STATUS) == R.APPROVED)).height if g.height else 0
    n, frac = reviewed.height, share(reviewed.height, g.height)
    ctx.remember("reviewed", g.filter(~is_single).get_column(R.ID) if g.height else g.get_column(R.ID))
    who = single.filter(pl.col(R.ID).is_in(reviewed.get_column(R.ID).implode())) if n else single.clear()
    reviewers = {str(k): int(v) for k, v in who.group_by("reviewer").len().sort(["len", "reviewer"], descending=[True, False]).iter_rows()}
    bulk_note = (f" {bulk_approved:,} {plural(bulk_approved, 'was', 'were', bare=True)} approved in bulk, which does not count as review."
                 if bulk_approved else "")
    level: Level
    if not g.height:
        level, msg = "n/a", "No good examples, so there is nothing to review yet."
        nxt = "Approve examples one at a time in the app (`curator gui`) or with `curator review --ids ID`."
    elif frac >= th.reviewed_ok_share or n >= th.reviewed_ok_count:
        level = "ok"
        by = f" by {', '.join(reviewers)}" if 0 < len(reviewers) <= 3 else ""
        msg = f"A person decided {n:,} of {plural(g.height, 'good example')} one at a time{by} ({pct(frac)}).{bulk_note}"
        nxt = "Nothing to do; keep spot-checking new imports."
    else:
        level = "warn"
        need = max(0, min(th.reviewed_ok_count, int(th.reviewed_ok_share * g.height + 0.999)) - n)
        msg = (f"Only {n:,} of {plural(g.height, 'good example')} ({pct(frac)}) were decided by a person "
               f"one record at a time.{bulk_note}")
        nxt = (f"Read and decide at least {plural(max(need, 1), 'more record')} one at a time in the app "
               "(`curator gui`) or with `curator review --ids ID`.")
    return Check(
        id="reviewed", title="Human review", level=level, value=frac if g.height else None,
        threshold=(f"ok: >= {pct(th.reviewed_ok_share)} or >= {th.reviewed_ok_count:,} records decided one at a time"
                   " · warn: less (bulk approvals do not count)"),
        message=msg,
        why="Filters catch patterns, not wrong answers; a person reading examples one at a time is the only check that the answers are right.",
        next_step=nxt, source="seed article: 'Poor data quality: bad data = bad AI' (product default)",
        query=ctx.query("--status", "pending") if ctx.include == "passing" else ctx.query("--status", "approved"),
        details={"reviewed": n, "good": g.height, "bulk_approved": bulk_approved, "reviewers": reviewers},
    )


def billing_tokens(ctx: Context) -> int:
    if not ctx.n_good:
        return 0
    capped = ctx.good.select(pl.min_horizontal(pl.col("tokens"), pl.lit(ctx.target.max_tokens)).sum())
    return int(capped.item() or 0)


def check_cost(ctx: Context) -> Check:
    t = ctx.target
    epochs = t.estimate_epochs(ctx.n_good) or 0
    per_epoch = billing_tokens(ctx)
    total = epochs * per_epoch
    msg = (f"About {total:,} training tokens: {epochs} epochs x {per_epoch:,} tokens per epoch "
           f"for {t.label} (estimated with cl100k_base; the provider's count differs a little).")
    return Check(
        id="cost", title="Budget", level="info", value=total, threshold="information",
        message=msg, why="Providers bill by training tokens, so this is roughly what one training run costs.",
        next_step="Multiply by your provider's training price per token; trimming long examples lowers it.",
        source=f"{SRC_COOKBOOK} billing estimate: epochs x sum(min(limit, tokens))",
        details={"epochs": epochs, "tokens_per_epoch": per_epoch, "training_tokens": total, "limit": t.max_tokens},
    )
