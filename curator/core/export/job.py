"""The export job and its fast preflight: select, validate, split, write, publish."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import polars as pl

from curator.core import records as R
from curator.core.engine import Engine, LocalEngine
from curator.core.errors import CuratorError
from curator.core.export import card, fixes, snippets
from curator.core.export import formats as F
from curator.core.export import manifest as M
from curator.core.export import preference as P
from curator.core.export import sliced as S
from curator.core.export.arrow import plain_arrow
from curator.core.export.options import HF_FOLDER, ExportOptions
from curator.core.export.split import SPLIT, assign, leakage
from curator.core.export.targets import cuts_untrained, data_facts, facts_of, trainer_notes
from curator.core.export.validate import check
from curator.core.export.writers import (
    LineWriter,
    Staging,
    check_output_dir,
    conflict_message,
    file_digest,
)
from curator.core.jobs import DeferredInterrupt, Job, Progress, run_job
from curator.core.selection import exclusion_reason, exportable, override_summary
from curator.core.tokens import message_token_table
from curator.core.workspace import Workspace

_ESTIMATE_SAMPLE: Final = 5_000
_SHOW_PROBLEMS: Final = 20


@dataclass(frozen=True)
class Preflight:
    """What an export would do, computed without writing anything."""

    options: ExportOptions
    selected: int  # records the selection rule picks
    excluded: dict[str, int]  # reason -> records left out by the selection rule
    problems: pl.DataFrame  # id, kind, detail: lines that would be invalid
    invalid_records: int
    counts: dict[str, int]  # split -> records that would be written
    tokens: dict[str, int]  # split -> tokens (estimated unless tokens_exact)
    tokens_exact: bool
    leakage: dict[str, Any]
    conflicts: list[str]  # files in the output folder we would not overwrite
    warnings: list[str] = field(default_factory=list)

    @property
    def blocking_reason(self) -> str | None:
        """Why the export would fail, or None when it would succeed."""
        if self.conflicts:
            return _conflict_message(self.options, self.conflicts)
        if self.selected == 0:
            return _nothing_message(self.options, self.excluded)
        if self.invalid_records and not self.options.skip_invalid:
            return _invalid_message(self.options, self.problems, self.invalid_records)
        if self.options.split is not None and self.counts.get("validation", 0) == 0:
            return "the split left no records for validation; export without --split or add records"
        if sum(self.counts.values()) == 0:
            return "every selected record is invalid; nothing would be written"
        return None

    @property
    def ok(self) -> bool:
        return self.blocking_reason is None


@dataclass
class _Plan:
    frame: pl.DataFrame  # selected rows (with _row), split column when split applies
    excluded: dict[str, int]
    problems: pl.DataFrame
    msgs: pl.DataFrame
    clusters_present: bool
    fixes: fixes.FixReport = field(default_factory=fixes.FixReport)


def _nothing_message(options: ExportOptions, excluded: dict[str, int]) -> str:
    why = (
        ", ".join(f"{n} {reason}" for reason, n in sorted(excluded.items()))
        or "the workspace is empty"
    )
    hint = (
        "approve records (curator review --approve ...) or export with --include passing"
        if options.include == "approved"
        else "import records or undo rejections"
    )
    return f"nothing to export with --include {options.include} ({why}); {hint}."


def _invalid_message(options: ExportOptions, problems: pl.DataFrame, n: int) -> str:
    shown = [
        f"  {r[R.ID]}: {r['kind']}: {r['detail']}"
        for r in problems.head(_SHOW_PROBLEMS).iter_rows(named=True)
    ]
    more = (
        f"\n  ... and {problems.height - _SHOW_PROBLEMS} more problems"
        if problems.height > _SHOW_PROBLEMS
        else ""
    )
    return (
        f"{n} record(s) would not be valid {options.format} lines; nothing was written:\n"
        + "\n".join(shown)
        + more
        + "\nFix them (curator show -w WS ID), reject them, or pass --skip-invalid to leave them out"
        " (they are then listed in manifest.json)."
    )


def _conflict_message(options: ExportOptions, conflicts: list[str]) -> str:
    return conflict_message(options.output_dir, conflicts)


def _plan_job(ws: Workspace, options: ExportOptions) -> Generator[Progress, None, _Plan]:
    frame = ws.frame()
    keep = exportable(options.include)
    why = frame.filter(~keep).group_by(exclusion_reason(options.include).alias("why")).len()
    excluded = {str(r): int(n) for r, n in sorted(why.iter_rows()) if r is not None}
    sel = frame.filter(keep).with_row_index(F.ROW)
    yield Progress("validate", 0, sel.height, f"{sel.height:,} records")
    fixed = fixes.FixReport()
    if options.format != "preference":  # a pair's prompt and answers are checked by preference.py
        sel, fixed = fixes.apply(sel, cut_untrained=cuts_untrained(options.target))
    msgs = F.explode_messages(sel)
    if options.format == "preference":
        problems = P.check(sel, P.style_of(options))
    else:
        problems = pl.concat([check(sel, options.format, msgs), fixes.refused(sel, msgs)])
    yield Progress(
        "validate", sel.height, sel.height, f"{problems.get_column(R.ID).n_unique():,} invalid"
    )
    return _Plan(sel, excluded, problems, msgs, ws.read_result("clusters") is not None, fixed)


def _sliced_plan_job(
    ws: Workspace, options: ExportOptions, engine: Engine
) -> Generator[Progress, None, tuple[_Plan, S.Shared, S.SlicePlan]]:
    """``_plan_job`` for the line formats, with no frame of messages (``export.sliced``):
    the plan's frame is the light selection with link keys and facts."""
    light = S.light_frame(ws)
    keep = light.select(exportable(options.include)).to_series().fill_null(False)
    why = light.filter(~keep).group_by(exclusion_reason(options.include).alias("why")).len()
    excluded = {str(r): int(n) for r, n in sorted(why.iter_rows()) if r is not None}
    sel = light.filter(keep).with_row_index(F.ROW)
    yield Progress("validate", 0, sel.height, f"{sel.height:,} records")
    shared = S.Shared(
        ws.state(), options.format, cuts_untrained(options.target), P.style_of(options)
    )
    slices = S.SlicePlan.of(ws, keep.to_numpy())
    sel, problems, fixed = yield from S.plan_pass(engine, shared, slices, sel)
    yield Progress(
        "validate", sel.height, sel.height, f"{problems.get_column(R.ID).n_unique():,} invalid"
    )
    plan = _Plan(sel, excluded, problems, pl.DataFrame(), ws.read_result("clusters") is not None, fixed)
    return plan, shared, slices


def _plan(ws: Workspace, options: ExportOptions) -> _Plan:
    return run_job(_plan_job(ws, options))


def _valid_rows(plan: _Plan, options: ExportOptions) -> pl.DataFrame:
    bad = plan.problems.get_column(R.ID).unique()
    rows = plan.frame.filter(~pl.col(R.ID).is_in(bad.implode())) if bad.len() else plan.frame
    if rows.height == 0:
        return rows.with_columns(pl.lit(None, pl.String).alias(SPLIT))
    return assign(rows, options.split, options.seed)


def _counts(rows: pl.DataFrame, options: ExportOptions) -> dict[str, int]:
    got = dict(rows.group_by(SPLIT).len().iter_rows()) if rows.height else {}
    return {s: int(got.get(s, 0)) for s in options.split_names()}


def _estimate_tokens(rows: pl.DataFrame, options: ExportOptions) -> dict[str, int]:
    """Token totals per split from a sample's tokens-per-character ratio."""
    chars = rows.select(
        R.ID,
        SPLIT,
        pl.col(R.MESSAGES)
        .list.eval(pl.element().struct.field("content").str.len_chars())
        .list.sum()
        .alias("_c"),
    )
    sample = rows.sample(min(_ESTIMATE_SAMPLE, rows.height), seed=0)
    counted = message_token_table(sample.get_column(R.MESSAGES), sample.get_column(R.ID))
    s_chars = int(chars.join(sample.select(R.ID), on=R.ID, how="semi").get_column("_c").sum() or 0)
    ratio = int(counted.get_column("tokens").sum()) / max(1, s_chars)
    per = dict(chars.group_by(SPLIT).agg(pl.col("_c").sum()).iter_rows())
    return {s: round(int(per.get(s, 0) or 0) * ratio) for s in options.split_names()}


def preflight(ws: Workspace, options: ExportOptions) -> Preflight:
    """Counts, exclusions, problems, split sizes and token estimates; writes nothing."""
    plan = _plan(ws, options)
    conflicts = check_output_dir(options.output_dir)
    invalid = plan.problems.get_column(R.ID).n_unique()
    warnings: list[str] = []
    try:
        rows = (
            _valid_rows(plan, options)
            if options.skip_invalid
            else assign(plan.frame, options.split, options.seed)
        )
    except CuratorError as exc:
        warnings.append(str(exc))
        rows = plan.frame.with_columns(pl.lit("train").alias(SPLIT))
    if not plan.clusters_present and options.split is not None:
        warnings.append(
            "no dedup results: near-duplicate leakage is unchecked; run `curator dedup` first"
        )
    known = M.fresh_scores(ws, rows) if rows.height else None
    exact = rows.height - (known.height if known is not None else 0) <= _ESTIMATE_SAMPLE
    if rows.height == 0:
        tokens = dict.fromkeys(options.split_names(), 0)
    elif exact:
        tt = M.token_totals(M.token_table(ws, rows, known), rows.select(R.ID, SPLIT))
        tokens = {s: tt.get(s, {}).get("tokens", 0) for s in options.split_names()}
    else:
        tokens = _estimate_tokens(rows, options)
    return Preflight(
        options=options,
        selected=plan.frame.height,
        excluded=plan.excluded,
        problems=plan.problems,
        invalid_records=invalid,
        counts=_counts(rows, options),
        tokens=tokens,
        tokens_exact=exact,
        leakage=leakage(rows),
        conflicts=conflicts,
        warnings=warnings,
    )


def _datasets() -> Any:
    """The ``datasets`` module, offline and without progress bars."""
    os.environ["HF_DATASETS_OFFLINE"] = "1"
    os.environ["HF_HUB_OFFLINE"] = "1"
    import datasets

    datasets.disable_progress_bars()
    return datasets


def _save_hf(stage: Staging, splits: dict[str, Any]) -> None:
    """The staged ``datasets`` folder: one shard per split, so LLaMA-Factory can be
    pointed at a single .arrow file."""
    data = _datasets().DatasetDict(splits)
    data.save_to_disk(str(stage.path(HF_FOLDER)), num_shards=dict.fromkeys(splits, 1))
    del data
    stage.sync_tree(HF_FOLDER)


def _write_splits(
    stage: Staging,
    options: ExportOptions,
    by_split: dict[str, pl.DataFrame],
    total: int,
    engine: Engine | None = None,
) -> Generator[Progress, None, list[str]]:
    """Write each split's data into the staging folder; returns the staged names."""
    files = options.data_files()
    if options.format == "hf":
        yield Progress("write", 0, total, "datasets")
        ds = _datasets()
        _save_hf(
            stage,
            {
                name: ds.Dataset(plain_arrow(F.messages_table(df).to_arrow()))
                for name, df in by_split.items()
            },
        )
        yield Progress("write", total, total, "datasets")
        return [HF_FOLDER]
    written = 0
    for split, part in by_split.items():
        if options.format == "parquet":
            stage.write_arrow_parquet(files[split], plain_arrow(F.messages_table(part).to_arrow()))
        elif options.format == "preference":
            lines = P.lines(part, P.style_of(options)).get_column(F.LINE)
            for done in stage.write_lines(files[split], lines):
                yield Progress("write", written + done, total, files[split])
        else:
            # Lines are built batch by batch (on the engine's workers) and written as each
            # batch arrives: the whole split's lines never sit in memory at once.
            eng = engine or LocalEngine()
            with stage.line_writer(files[split], json_array=options.format == "alpaca") as out:

                def sink(batch: pl.DataFrame, out: LineWriter = out) -> None:
                    out.write(batch.get_column(F.LINE))

                built = eng.map_frame_into(
                    F.LINE_BUILDERS[options.format], part, sink, step="format"
                )
                try:
                    for p in built:
                        yield Progress("write", written + p.done, total, files[split])
                finally:
                    built.close()  # a cancelled export stops the engine's running batches
        written += part.height
        yield Progress("write", written, total, files[split])
    return list(files.values())


def _write_sliced(
    stage: Staging,
    options: ExportOptions,
    rows: pl.DataFrame,
    tokens_wanted: pl.Series,
    engine: Engine,
    shared: S.Shared,
    slices: S.SlicePlan,
) -> Generator[Progress, None, tuple[list[str], pl.DataFrame]]:
    """Pass 2 of the sliced export: every split's file, written slice by slice; returns
    the staged names and the token counts of the records ``tokens_wanted`` (ids) names."""
    files = options.data_files()
    # per selected record (_row): its side, or "" when it is left out (invalid)
    side = np.full(sum(r.size for r in slices.rows), "", object)
    side[rows.get_column(F.ROW).to_numpy()] = rows.get_column(SPLIT).to_numpy()
    want = np.zeros(side.size, bool)
    want[rows.filter(pl.col(R.ID).is_in(tokens_wanted.implode())).get_column(F.ROW).to_numpy()] = True
    counted: list[pl.DataFrame] = []
    total = rows.height
    written = 0
    hf = options.format == "hf"
    # datasets' save_to_disk takes whole datasets: each split is first streamed to an
    # Arrow file it memory-maps (outside the published names), then saved from there
    parts_dir = f"{HF_FOLDER}.parts"
    staged = {s: f"{parts_dir}/{s}.arrow" for s in files} if hf else files
    if hf:
        stage.path(parts_dir).mkdir()
    with contextlib.ExitStack() as stack:
        out: dict[str, Any] = {
            split: stack.enter_context(
                stage.table_writer(name, S.table_schema(), stream=hf)
                if options.format in S.TABLE_FORMATS
                else stage.line_writer(name, json_array=options.format == "alpaca")
            )
            for split, name in staged.items()
        }

        calls = []
        for k, sl in enumerate(slices.slices):
            ok = side[slices.rows[k]] != ""  # the slice's valid selected records
            if ok.any():
                r = slices.rows[k][ok]
                calls.append((sl, slices.pos[k][ok], r, side[r].astype(str), want[r]))

        def sink(got: dict[str, Any]) -> None:
            nonlocal written
            counted.append(got.pop("_tokens"))
            for split, data in got.items():
                out[split].write(data)
                written += len(data)

        built = engine.map_calls_into(S.lines_slice, shared, calls, sink, step="format")
        try:
            for p in built:
                yield Progress("write", written, total, f"{p.done} of {p.total} parts")
        finally:
            built.close()  # a cancelled export stops the engine's running slices
    if hf:
        yield Progress("write", total, total, "datasets")
        ds = _datasets()  # memory-mapped, not read into memory
        _save_hf(stage, {s: ds.Dataset.from_file(str(stage.path(n))) for s, n in staged.items()})
        shutil.rmtree(stage.path(parts_dir))
    yield Progress("write", total, total, ", ".join(dict.fromkeys(files.values())))
    tokens = pl.concat(counted) if counted else S.count_tokens(rows.head(0))
    return list(dict.fromkeys(files.values())), tokens


def _sliced_tokens(
    ws: Workspace,
    rows: pl.DataFrame,
    counted: pl.DataFrame,
    sample: pl.DataFrame | None,
    known: pl.DataFrame | None,
    engine: Engine,
    shared: S.Shared,
    slices: S.SlicePlan,
) -> Job[pl.DataFrame]:
    """``manifest.token_table`` from the counts pass 2 made: the length scores are used
    when the sample recounted matches them, else every record is counted (a third pass)."""
    if known is not None and sample is not None:
        now = sample.join(counted, on=R.ID, suffix="_now")
        if now.height == sample.height and not any(
            (now[c] != now[f"{c}_now"]).any() for c in M.TOKEN_COLUMNS
        ):
            todo = counted.join(known.select(R.ID), on=R.ID, how="anti")
            return pl.concat([todo, known])
    if known is None:
        return counted
    got: list[pl.DataFrame] = []
    keep = np.zeros(sum(r.size for r in slices.rows), bool)
    keep[rows.get_column(F.ROW).to_numpy()] = True
    calls = [
        (sl, slices.pos[k][keep[slices.rows[k]]], slices.rows[k][keep[slices.rows[k]]])
        for k, sl in enumerate(slices.slices)
        if keep[slices.rows[k]].any()
    ]
    yield from engine.map_calls_into(S.tokens_slice, shared, calls, got.append, step="tokens")
    return pl.concat(got) if got else counted.head(0)


def export_job(
    ws: Workspace, options: ExportOptions, engine: Engine | None = None
) -> Job[dict[str, Any]]:
    """Write the export; returns the manifest. Raises CuratorError, writing nothing,
    when the selection is empty, a line is invalid (without skip_invalid), or the
    output folder holds files Curator did not write."""
    return _export_job(ws, options, engine, sliced=options.format in S.SLICED_FORMATS)


def _export_job(
    ws: Workspace, options: ExportOptions, engine: Engine | None, *, sliced: bool
) -> Job[dict[str, Any]]:
    """``export_job``; ``sliced``: the line formats' path with no frame of messages
    (``export.sliced``), else the whole-frame path (tests compare the two)."""
    yield Progress("select", 0, None, "reading the workspace")
    conflicts = check_output_dir(options.output_dir)
    if conflicts:
        raise CuratorError(_conflict_message(options, conflicts))
    eng = engine or LocalEngine()
    if sliced:  # no frame of messages: the engine reads the parts (export.sliced)
        plan, shared, slices = yield from _sliced_plan_job(ws, options, eng)
    else:
        plan = yield from _plan_job(ws, options)
    if plan.frame.height == 0:
        raise CuratorError(_nothing_message(options, plan.excluded))
    n_invalid = plan.problems.get_column(R.ID).n_unique()
    if n_invalid and not options.skip_invalid:
        raise CuratorError(_invalid_message(options, plan.problems, n_invalid))
    yield Progress("split", 0, None, f"{n_invalid} invalid left out" if n_invalid else "")
    rows = _valid_rows(plan, options)
    if rows.height == 0:
        raise CuratorError(
            f"all {plan.frame.height} selected records are invalid; nothing was written."
        )
    yield Progress("tokens", 0, rows.height, "counting tokens")
    if sliced:  # counted while the lines are built; here, which records need counting
        candidates = M.fresh_candidates(ws, rows)
        known, sample = candidates if candidates else (None, None)
        wanted = (
            rows.get_column(R.ID)
            if known is None or sample is None
            else pl.concat(
                [
                    rows.select(R.ID).join(known, on=R.ID, how="anti").get_column(R.ID),
                    sample.get_column(R.ID),
                ]
            )
        )
    else:
        tokens = M.token_table(ws, rows)
    yield Progress("tokens", rows.height, rows.height)
    files_by_split = options.data_files()
    by_split = {s: rows.filter(pl.col(SPLIT) == s) for s in options.split_names()}
    hold = DeferredInterrupt()
    try:
        with Staging(options.output_dir) as stage:
            if sliced:
                facts = facts_of(rows.select(S.FACTS), rows.get_column(SPLIT))
                names, counted = yield from _write_sliced(
                    stage, options, rows, wanted, eng, shared, slices
                )
                tokens = yield from _sliced_tokens(
                    ws, rows, counted, sample, known, eng, shared, slices
                )
            else:
                facts = data_facts(rows, F.explode_messages(rows))
                names = yield from _write_splits(stage, options, by_split, rows.height, engine)
            # the SFT snippets would mislabel preference pairs
            configs = (
                {}
                if options.format == "preference"
                else snippets.write_all(options, facts, options.target)
            )
            for name, text in configs.items():
                stage.write_text(name, text)
            yield Progress("publish", 0, None, "hashing files")
            files = []
            for split, name in files_by_split.items():
                size, digest = file_digest(stage.path(name))
                files.append(
                    {
                        "split": split,
                        "path": name if options.format != "hf" else f"{name}/{split}",
                        "records": by_split[split].height,
                        "bytes": size,
                        "sha256": digest,
                    }
                )
            counts = {s: by_split[s].height for s in options.split_names()}
            leak = leakage(rows)
            skipped = plan.problems if options.skip_invalid else plan.problems.clear()
            manifest = M.build(
                ws,
                options,
                counts=counts,
                tokens=M.token_totals(tokens, rows.select(R.ID, SPLIT)),
                files=files,
                selection={
                    "selected": plan.frame.height,
                    "excluded": plan.excluded,
                    "overrides": override_summary(rows),
                },
                leakage=leak,
                skipped=skipped,
                clusters_present=plan.clusters_present,
            )
            manifest.update(
                name=ws.path.stem,
                target=options.target,
                fixes=plan.fixes.as_dict(),
                curation=card.curation(ws, rows.get_column(R.ID)),
                trainer_notes=trainer_notes(options, facts, plan.fixes),
                snippets={snippets.SNIPPET_KEYS[n]: n for n in configs},
            )
            readme = card.render(
                manifest,
                {s: snippets.data_file(options, s) for s in options.split_names()},
                card.features(options, facts),
            )
            stage.write_text(card.CARD, readme)
            names += [*configs, card.CARD]
            hold.start()  # from here the export finishes: a Ctrl-C is held until it is recorded
            manifest = stage.publish(names, manifest)
    except OSError as exc:
        if hold.stop():
            raise KeyboardInterrupt from exc
        raise CuratorError(
            f"could not write the export to {options.output_dir}: {exc.strerror or exc}. "
            "Nothing was published; a previous export there is unchanged. Free space or pick another -o folder."
        ) from exc
    except BaseException:
        hold.stop()
        raise
    summary = {
        "time": manifest["created_at"],
        "output_dir": str(options.output_dir.resolve()),
        "format": options.format,
        "include": options.include,
        "split": options.split,
        "seed": options.seed,
        "counts": counts,
        "leaked_clusters": leak["clusters_spanning_both"],
        "identical_conversations_spanning_both": leak["identical_conversations_spanning_both"],
        "prompts_spanning_both": leak.get("prompts_spanning_both", 0),
        "replies_spanning_both": leak.get("replies_spanning_both", 0),
        "leakage": {k: v for k, v in leak.items() if k != "leaked_cluster_ids"},
        "skipped_invalid": manifest["invalid"]["skipped"],
        "target": options.target,
    }
    try:
        ws.set_setting("last_export", summary)
        ws.log_run("export", options.settings(), summary)
    finally:
        if hold.stop():  # Ctrl-C came after the swap: the export is complete, say so
            manifest = {**manifest, "interrupted_after_publish": True}
    yield Progress("publish", 1, 1, str(options.output_dir))
    return manifest
