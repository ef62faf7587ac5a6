"""Tuning the recipe without re-scoring: live counts per step and applying a changed recipe.

Everything here reads stored scores / dedup pairs only (``count_flagged``,
``count_at_threshold``); nothing re-scores. The panel runs these in workers.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import polars as pl

from curator.core import records as R
from curator.core.dedup import (
    count_at_threshold,
    count_paraphrases_at,
    load_settings,
    reapply,
    save_settings,
)
from curator.core.filters import FILTERS, Recipe, apply_thresholds, count_flagged, stored_scores
from curator.core.filters.recipe import DEDUP_STEPS
from curator.core.workspace import Workspace

FAMILIES = {
    "exact_dedup": "exact_duplicate",
    "near_dedup": "near_duplicate",
    "paraphrase_dedup": "near_duplicate.paraphrase",
}
_KIND = {"exact_dedup": "exact", "near_dedup": "near", "paraphrase_dedup": "paraphrase"}


def flagged_now(ws: Workspace, family: str) -> int:
    """Records currently carrying a flag of this family."""
    fams = [family, "secret"] if family == "pii" else [family]
    names = pl.col("name")
    cond = pl.any_horizontal([(names == f) | names.str.starts_with(f + ".") for f in fams])
    return int(ws.flags().filter(cond).get_column(R.ID).n_unique())


def count_step(ws: Workspace, name: str, values: dict[str, Any]) -> tuple[int | None, int, str]:
    """(would flag, flagged now, note) for a step with these parameter values;
    reads stored scores / dedup pairs only."""
    if name in DEDUP_STEPS:
        cl = ws.clusters()
        kind = _KIND[name]
        now = int(cl.filter(pl.col(R.DUPLICATE_OF).is_not_null() & (pl.col("kind") == kind)).height)
        if ws.read_result("dedup_pairs") is None:
            return None, now, "not run yet"
        if name == "exact_dedup":
            return now, now, ""
        if name == "paraphrase_dedup":
            if not load_settings(ws).paraphrase:
                return None, now, "not run yet: enable, then Run"
            return count_paraphrases_at(ws, float(values["threshold"])), now, ""
        t = float(values["threshold"])
        note = ""
        last = load_settings(ws).threshold
        if t < last:
            note = f"at least (last run used {last:.2f})"
        return count_at_threshold(ws, t), now, note
    family = FAMILIES.get(name, name)
    now = flagged_now(ws, family)
    if stored_scores(ws, name) is None:
        return None, now, "not scored yet: Run"
    return count_flagged(ws, name, FILTERS[name].params_from(values)), now, ""


def apply_recipe(ws: Workspace, recipe: Recipe) -> dict[str, int]:
    """Save the recipe, re-cluster at a changed near-dup threshold, re-flag (no scoring)."""
    recipe.save_to(ws)
    s = recipe.dedup_settings(ws)
    cur = load_settings(ws)
    changes: dict[str, Any] = {}
    if s is not None and recipe.enabled("near_dedup") and s.threshold != cur.threshold:
        changes["threshold"] = s.threshold
    if (
        s is not None
        and cur.paraphrase
        and recipe.enabled("paraphrase_dedup")
        and s.paraphrase_threshold != cur.paraphrase_threshold
    ):
        changes["paraphrase_threshold"] = s.paraphrase_threshold
    if changes:
        save_settings(ws, dataclasses.replace(cur, **changes))
        reapply(ws)
    return apply_thresholds(ws, recipe)


def unscored(ws: Workspace) -> int:
    """Records that an enabled filter has not scored yet (imported since the last Run).

    The GUI says this after an import and on the Pipeline page, so nobody reads old
    counts as if they covered the new records."""
    ids = ws.record_ids()
    if ids.len() == 0:
        return 0
    recipe = Recipe.from_workspace(ws)
    missing = pl.repeat(False, ids.len(), eager=True)
    for name in FILTERS:
        if not recipe.enabled(name):
            continue
        scores = stored_scores(ws, name)
        if scores is None:
            return ids.len()
        for res, df in scores.items():  # scores_<name> has a row per scored record
            if res.startswith("scores_") and R.ID in df.columns:
                missing = missing | ~ids.is_in(df.get_column(R.ID).implode())
    return int(missing.sum())
