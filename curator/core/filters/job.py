"""Running filters over a workspace: score (cached), threshold, count, rescore.

Scores are computed on the effective messages (``ws.frame()``: reviewer edits
and redactions included) and stored per filter in ``results/scores_NAME``
with a ``msg_hash`` column. A re-run scores only records whose hash changed
or that are new; changing a parameter marked ``score_param`` rescores all.
Thresholds never recompute scores: ``apply_thresholds`` and
``count_flagged`` only read the stored columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

from curator.core import records as R
from curator.core.engine import Engine
from curator.core.filters import pairs
from curator.core.filters.base import (
    FILTERS,
    HASH_COL,
    Filter,
    FilterContext,
    Scores,
    empty_flags,
    messages_hash,
)
from curator.core.filters.recipe import Recipe
from curator.core.filters.staging import RawSpill, StagedResults
from curator.core.jobs import Job, Progress, run_job
from curator.core.query import records_per_flag
from curator.core.workspace import Workspace

CACHE_KEY_SETTING = "filter_cache"
_read_cache: dict[str, tuple[int, pl.DataFrame]] = {}


def _cache_keys(ws: Workspace) -> dict[str, Any]:
    stored = ws.get_setting(CACHE_KEY_SETTING)
    return stored if isinstance(stored, dict) else {}


def _read(ws: Workspace, name: str, memo: bool = True) -> pl.DataFrame | None:
    """A result file, memoised by modification time (sliders read it repeatedly;
    ``memo=False``: read, not kept, for a job that reads each file once)."""
    path = ws.result_path(name)
    if not memo:
        return ws.read_result_file(path)
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    key = str(path)
    hit = _read_cache.get(key)
    if hit is not None and hit[0] == mtime:
        return hit[1]
    df = ws.read_result_file(path)
    if df is None:
        return None
    _read_cache[key] = (mtime, df)
    return df


def stored_scores(
    ws: Workspace, name: str, prefix: str = "", *, memo: bool = True
) -> Scores | None:
    """The stored results of one filter, or None if it never ran (``prefix``
    ``pairs.PREFIX``: the scores of preference pairs' rejected side; ``memo=False``:
    not kept in the sliders' memo)."""
    out: Scores = {}
    for res in FILTERS[name].results:
        df = _read(ws, prefix + res, memo)
        if df is None:
            return None
        out[res] = df
    return out


def _effective(
    ws: Workspace, ids: Iterable[str] | None = None, *, rejected: bool = False
) -> pl.DataFrame:
    """id, messages, hash as scored; ``rejected``: pairs' prompt + rejected answer."""
    frame = ws.frame()
    df = pairs.rejected_side(frame) if rejected else frame.select(R.ID, R.MESSAGES)
    if ids is not None:
        df = df.filter(pl.col(R.ID).is_in(list(ids)))
    return df.with_columns(messages_hash(df.get_column(R.MESSAGES)))


def _merge(old: Scores | None, new: Scores, keep_ids: pl.Series) -> Scores:
    if old is None:
        return new
    out: Scores = {}
    for name, df in new.items():
        prev = old.get(name)
        if prev is None:
            out[name] = df
            continue
        prev = prev.filter(pl.col(R.ID).is_in(keep_ids.implode()))
        out[name] = pl.concat([prev, df], how="diagonal_relaxed") if prev.height else df
    return out


_LOCAL_BATCH = 50_000  # records scored at a time on the local engine (_score_local)
_SEP = "\x1f"  # filter name / result name in the keys of ScoreBatch's outputs


class ScoreBatch:
    """Every filter's ``score()`` on one batch: what an engine runs on its workers.

    One pass per batch for all filters (one cluster round trip, not one per filter).
    Scores are row-local by contract (workspace-wide statistics live in
    ``finalize()``), so the batches' outputs concatenated equal one local call's.
    """

    def __init__(self, specs: list[tuple[str, type[Filter], Any]]) -> None:
        self.specs = specs

    def __call__(self, batch: pl.DataFrame) -> Scores:
        out: Scores = {}
        for name, cls, params in self.specs:
            for res, frame in run_job(cls().score(batch, params)).items():
                out[f"{name}{_SEP}{res}"] = frame
        return out


def _score_local(f: Filter, df: pl.DataFrame, params: Any) -> Job[Scores]:
    """``f.score`` on ``df``, ``_LOCAL_BATCH`` records at a time, outputs concatenated.

    Scores are row-local by contract (as for ``ScoreBatch`` on an engine), so this
    equals one call on the whole frame; the batches bound what a filter's
    intermediate frames (exploded messages, words, n-grams) hold at once.
    """
    n = df.height
    if n <= _LOCAL_BATCH:
        return (yield from f.score(df, params))
    parts: dict[str, list[pl.DataFrame]] = {}
    for lo in range(0, n, _LOCAL_BATCH):
        batch = df.slice(lo, _LOCAL_BATCH)
        job = f.score(batch, params)
        while True:
            try:
                p = next(job)
            except StopIteration as stop:
                for res, frame in stop.value.items():
                    parts.setdefault(res, []).append(frame)
                break
            done = lo + (p.done * batch.height // p.total if p.total else 0)
            yield Progress(p.step, done, n, p.message)
    return _in_order(
        type(f), {res: pl.concat(fs, how="vertical_relaxed") for res, fs in parts.items()}
    )


def _in_order(cls: type[Filter], scores: Scores) -> Scores:
    """Batches' concatenated results as one call returns them (``Filter.sorted_by``)."""
    return {
        res: frame.sort(*cls.sorted_by[res]) if res in cls.sorted_by else frame
        for res, frame in scores.items()
    }


def _todo(df: pl.DataFrame, old: Scores | None, first: str) -> tuple[pl.DataFrame, pl.Series]:
    """(records to score, ids whose stored scores still hold)."""
    if old is not None and HASH_COL in old[first].columns:
        prev = old[first].select(R.ID, HASH_COL)
        keep = df.join(prev, on=[R.ID, HASH_COL], how="semi").get_column(R.ID)
        return df.join(prev, on=[R.ID, HASH_COL], how="anti"), keep
    return df, pl.Series(R.ID, [], dtype=pl.String)


Plan = list[tuple[str, type[Filter], Any, bool]]  # name, class, params, cache key matches


def _cached(ws: Workspace, name: str, valid: bool, prefix: str = "") -> Scores | None:
    """A filter's stored scores if its cache key matches (read once, not memoised)."""
    return stored_scores(ws, name, prefix, memo=False) if valid else None


def _stored_keys(ws: Workspace, name: str, cls: type[Filter], valid: bool) -> Scores | None:
    """Only the id and hash columns of a filter's stored first result (what ``_todo``
    reads), or None when ``_cached`` would give None; one filter's files read at a time."""
    old = _cached(ws, name, valid)
    if old is None:
        return None
    first = old[cls.results[0]]
    return {cls.results[0]: first.select(R.ID, HASH_COL) if HASH_COL in first.columns else first}


def _score_remote(
    ws: Workspace, remote: Any, ids: pl.DataFrame, plan: Plan, spill: RawSpill
) -> Job[tuple[dict[str, pl.DataFrame], int]]:
    """Score each planned filter's records on the cluster in one pass, the frames
    spilled to ``spill`` as the tasks finish; returns per filter the records it wants,
    and how many records were scored for any filter.

    ``remote`` reads the records on the workers (``RayEngine.remote_records``);
    ``ids`` holds only ids and message hashes, so the driver never holds messages."""
    df = ids.select(R.ID, HASH_COL)
    wanted = {
        name: _todo(df, _stored_keys(ws, name, cls, valid), cls.results[0])[0]
        for name, cls, _, valid in plan
    }
    union = pl.concat([w.select(R.ID) for w in wanted.values()]).unique() if wanted else df.head(0)
    specs = [(name, cls, params) for name, cls, params, _ in plan]
    yield from remote.score(ids, union.get_column(R.ID), ScoreBatch(specs), spill.add)
    return wanted, union.height


def _spilled(
    spill: RawSpill, name: str, cls: type[Filter], wanted: pl.DataFrame, n_scored: int
) -> Scores | None:
    """One filter's raw scores read back from the spill, in record order, only for the
    records it wanted (``n_scored``: records scored for any filter)."""
    out: Scores = {}
    for key in spill.names():
        filter_name, res = key.split(_SEP, 1)
        if filter_name != name:
            continue
        frame = spill.take(key)
        if wanted.height < n_scored:  # this filter's cache covers the others
            frame = frame.filter(pl.col(R.ID).is_in(wanted.get_column(R.ID).implode()))
        out[res] = frame
    return _in_order(cls, out) if out else None


def _score_filter(
    f: Filter,
    params: Any,
    df: pl.DataFrame,
    old: Scores | None,
    only_changed: bool,
    computed: Scores | None = None,
) -> Job[tuple[Scores, int]]:
    """Score the records of ``df`` not already in ``old`` with the same hash
    (``computed``: those scores, already computed on an engine)."""
    first = f.results[0]
    todo, keep = _todo(df, old if only_changed else None, first)
    if computed is not None:
        new = dict(computed)
    else:
        new = yield from _score_local(f, todo.select(R.ID, R.MESSAGES), params)
    new[first] = new[first].join(todo.select(R.ID, HASH_COL), on=R.ID, how="left")
    merged = _merge(old, new, keep)
    if old is not None:  # drop stored rows of records no longer in the workspace frame
        ids = df.get_column(R.ID).implode()
        merged = {k: v.filter(pl.col(R.ID).is_in(ids)) for k, v in merged.items()}
    return f.finalize(merged, params), todo.height


def score_job(
    ws: Workspace, recipe: Recipe | None = None, engine: Engine | None = None
) -> Job[dict[str, dict[str, int]]]:
    """Score every enabled filter; only new/changed records are computed.

    Returns {filter: {"scored": n, "reused": m}}. One filter at a time is finalised
    and staged on disk (``filters.staging``), so the driver holds about one filter's
    score tables; every staged file is published at the end (a cancelled or failed job
    leaves the previous scores in place)."""
    recipe = recipe or Recipe.from_workspace(ws)
    yield Progress("reading records", 0, None)
    make_remote = getattr(engine, "remote_records", None)
    remote_records = make_remote(ws) if make_remote is not None else None
    if remote_records is not None:  # workers read the records: ids and hashes come back
        ids, rej = yield from remote_records.hashes()
        df = ids.select(R.ID, HASH_COL)
    else:
        df = _effective(ws)
        rej = _effective(ws, rejected=True)  # preference pairs: the rejected answers too
    keys = _cache_keys(ws)
    new_keys = dict(keys)
    plan: Plan = []
    for name in recipe.enabled_filters():
        cls = FILTERS[name]
        params = recipe.filter_params(name)
        plan.append((name, cls, params, keys.get(name) == cls.cache_key(params)))
    with ws.staging_folder() as folder:
        staged = StagedResults(ws, folder)
        spill = RawSpill(folder / "raw")
        wanted: dict[str, pl.DataFrame] = {}
        n_scored = 0
        if remote_records is not None and df.height:
            wanted, n_scored = yield from _score_remote(ws, remote_records, ids, plan, spill)
        summary: dict[str, dict[str, int]] = {}
        for name, cls, params, valid in plan:
            computed = None
            if name in wanted:  # scored on the cluster: read back from the spill
                yield Progress(name, 0, None, "finalising scores")
                computed = _spilled(spill, name, cls, wanted.pop(name), n_scored)
            old = _cached(ws, name, valid)
            scores, n = yield from _score_filter(cls(), params, df, old, True, computed)
            del computed, old
            _stage(staged, scores)
            del scores  # written: the next filter's tables take its place
            if rej.height:
                old_r = _cached(ws, name, valid, pairs.PREFIX)
                scores_r, _ = yield from _score_filter(cls(), params, rej, old_r, True)
                _stage(staged, scores_r, pairs.PREFIX)
                del scores_r, old_r
            new_keys[name] = cls.cache_key(params)
            summary[name] = {"scored": n, "reused": df.height - n}
        staged.publish()
    ws.set_setting(CACHE_KEY_SETTING, new_keys)
    if remote_records is None:  # the records are in memory: the report's facts, per part
        from curator.core.readiness.facts_cache import write_missing

        write_missing(ws)
    return summary


def _stage(staged: StagedResults, scores: Scores, prefix: str = "") -> None:
    """Write one filter's finalised results under staging names."""
    for res, frame in scores.items():
        staged.write(prefix + res, frame)


def _context(ws: Workspace) -> FilterContext:
    return FilterContext(n_records=ws.record_count())


def apply_thresholds(ws: Workspace, recipe: Recipe | None = None) -> dict[str, int]:
    """Turn stored scores into the "filters" flags; returns records per flag name.

    Each filter's scores are read, flagged and dropped (not memoised: a run holds one
    filter's score tables at a time; the sliders' memo fills on their first count)."""
    recipe = recipe or Recipe.from_workspace(ws)
    ctx = _context(ws)
    parts = []
    rejected_parts: list[pl.DataFrame] = []
    for name in recipe.enabled_filters():
        scores = stored_scores(ws, name, memo=False)
        if scores is None:
            continue
        f = FILTERS[name]()
        params = recipe.filter_params(name)
        final = f.finalize(scores, params)
        if type(f).finalize is not Filter.finalize:
            # Workspace-wide columns that depend on thresholds (refusal's "boilerplate")
            # stay in step with the flags for readers of the score files.
            for res, frame in final.items():
                if not frame.equals(scores[res]):
                    ws.write_result(res, frame)
        parts.append(f.flag(final, params, ctx))
        del scores, final
        rejected_scores = stored_scores(ws, name, pairs.PREFIX, memo=False)
        if rejected_scores is not None:
            rejected_parts.append(f.flag(f.finalize(rejected_scores, params), params, ctx))
        del rejected_scores
    flags = pl.concat(parts) if parts else empty_flags()
    if rejected_parts:
        flags = pairs.merge_flags(flags, pl.concat(rejected_parts))
    ws.write_flags("filters", flags)
    return records_per_flag(flags)


def count_flagged(
    ws: Workspace,
    filter_name: str,
    params: Mapping[str, Any] | Any | None = None,
    flag: str | None = None,
) -> int:
    """Records a filter would flag with ``params`` (a dict or Params), from stored
    scores only; ``flag`` narrows to one flag name. 0 if the filter never ran."""
    cls = FILTERS[filter_name]
    if params is None or isinstance(params, Mapping):
        base = Recipe.from_workspace(ws).filter_params(filter_name)
        merged = {**{k: getattr(base, k) for k in base.__dataclass_fields__}, **(params or {})}
        params = cls.params_from(merged)
    scores = stored_scores(ws, filter_name)
    if scores is None:
        return 0
    f = cls()
    flags = f.flag(f.finalize(scores, params), params, _context(ws))
    if flag is not None:
        flags = flags.filter(pl.col("name") == flag)
    return int(flags.get_column(R.ID).n_unique())


def rescore(ws: Workspace, ids: Iterable[str], recipe: Recipe | None = None) -> dict[str, int]:
    """Recompute scores and flags for a few records (after an edit or redaction)."""
    ids = list(ids)
    recipe = recipe or Recipe.from_workspace(ws)
    keys = _cache_keys(ws)
    sides = [("", _effective(ws, ids)), (pairs.PREFIX, _effective(ws, ids, rejected=True))]
    for name in recipe.enabled_filters():
        cls = FILTERS[name]
        params = recipe.filter_params(name)
        if keys.get(name) != cls.cache_key(params):
            continue  # never scored with these settings: the next run scores everything
        for prefix, subset in sides:
            old = stored_scores(ws, name, prefix)
            if old is None or (prefix and subset.height == 0):
                continue
            f = cls()
            new = run_job(f.score(subset.select(R.ID, R.MESSAGES), params))
            first = cls.results[0]
            new[first] = new[first].join(subset.select(R.ID, HASH_COL), on=R.ID, how="left")
            all_ids = old[first].get_column(R.ID)
            keep = all_ids.filter(~all_ids.is_in(pl.Series(ids, dtype=pl.String).implode()))
            merged = f.finalize(_merge(old, new, keep), params)
            for res, frame in merged.items():
                ws.write_result(prefix + res, frame)
    return apply_thresholds(ws, recipe)
