"""``curator export -o -``: the export as JSONL on a stream, validated whole first.

The same selection, validation and line builders as the export job; nothing is
written until every selected record has passed (DESIGN.md: validate the whole
export first, then stream it), so a consumer never gets half a file followed by
an error. No folder, manifest or snippets: only the lines.
"""

from __future__ import annotations

from typing import Any, BinaryIO, Final

import polars as pl

from curator.core import records as R
from curator.core.errors import CuratorError, UsageError
from curator.core.export import formats as F
from curator.core.export import preference as P
from curator.core.export.job import _invalid_message, _nothing_message, _plan_job, _valid_rows
from curator.core.export.options import ExportOptions
from curator.core.jobs import Job, Progress

STREAMABLE: Final = ("openai", "sharegpt", "preference")
_CHUNK: Final = 20_000


def check_streamable(options: ExportOptions) -> None:
    """UsageError unless ``options`` describe one JSONL stream."""
    if options.format not in STREAMABLE:
        raise UsageError(
            f"-o - writes JSON Lines; --format {options.format} is not one line per record. "
            f"Use --format {' | '.join(STREAMABLE)}, or -o DIR."
        )
    if options.split is not None:
        raise UsageError(
            "-o - writes one stream; --split needs -o DIR (train and validation files)"
        )


def _lines(rows: pl.DataFrame, options: ExportOptions) -> pl.Series:
    if options.format == "preference":
        return P.lines(rows, P.style_of(options)).get_column(F.LINE)
    return F.LINE_BUILDERS[options.format](rows).get_column(F.LINE)


def stream_job(ws: Any, options: ExportOptions, out: BinaryIO) -> Job[dict[str, Any]]:
    """Validate the selection, then write its lines to ``out``; returns a summary.

    Raises CuratorError, having written nothing, when the selection is empty or a
    record is invalid (without ``skip_invalid``)."""
    check_streamable(options)
    yield Progress("select", 0, None, "reading the workspace")
    plan = yield from _plan_job(ws, options)
    if plan.frame.height == 0:
        raise CuratorError(_nothing_message(options, plan.excluded))
    n_invalid = plan.problems.get_column(R.ID).n_unique()
    if n_invalid and not options.skip_invalid:
        raise CuratorError(_invalid_message(options, plan.problems, n_invalid))
    rows = _valid_rows(plan, options)
    if rows.height == 0:
        raise CuratorError(
            f"all {plan.frame.height} selected records are invalid; nothing was written."
        )
    lines = _lines(rows.sort(F.ROW), options)
    for start in range(0, lines.len(), _CHUNK):
        chunk = lines.slice(start, _CHUNK).to_list()
        out.write(("\n".join(chunk) + "\n").encode("utf-8"))
        yield Progress("write", min(lines.len(), start + _CHUNK), lines.len(), "stdout")
    out.flush()
    return {
        "format": options.format,
        "include": options.include,
        "records": lines.len(),
        "selected": plan.frame.height,
        "excluded": plan.excluded,
        "skipped_invalid": n_invalid if options.skip_invalid else 0,
    }
