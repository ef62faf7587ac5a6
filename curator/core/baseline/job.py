"""``baseline_job``: write the prompt/RAG baseline kit, validated, published atomically.

Rows are exactly what ``curator export --split F --seed S`` would write (the export's
own selection, fixes and split), so ``eval.jsonl`` sits on that export's validation
side and the few-shot examples on its train side.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import polars as pl

from curator import __version__
from curator.core import records as R
from curator.core.baseline import evalset, fewshot, passages, readme
from curator.core.baseline.topics import topics
from curator.core.errors import CuratorError, UsageError
from curator.core.export.groups import GROUP, MIN_REPLY_WORDS
from curator.core.export.job import _plan_job, _valid_rows
from curator.core.export.options import ExportOptions
from curator.core.export.schemas import validator
from curator.core.export.split import SPLIT
from curator.core.export.writers import Staging, check_output_dir, conflict_message
from curator.core.jobs import Job, Progress
from curator.core.readiness.metrics import role_text
from curator.core.selection import Include
from curator.core.workspace import Workspace

MIN_BUDGET: Final = 200
FILES: Final = ("README.md", "eval.jsonl", "fewshot_prompt.md", "fewshot.jsonl", "retrieval")


@dataclass(frozen=True)
class BaselineOptions:
    """Settings of one kit; ``split`` and ``seed`` must match the export it is compared with."""

    output_dir: Path
    include: Include = "approved"
    seed: int = 0
    split: float = 0.1
    budget_tokens: int = 2000
    max_examples: int | None = None
    eval_max: int = evalset.EVAL_MAX

    def __post_init__(self) -> None:
        object.__setattr__(self, "output_dir", Path(self.output_dir))
        if self.budget_tokens < MIN_BUDGET:
            raise UsageError(
                f"--budget-tokens {self.budget_tokens} is too small for a prompt with examples; "
                f"give at least {MIN_BUDGET} (e.g. a quarter of the model's context window)"
            )
        if self.max_examples is not None and self.max_examples < 1:
            raise UsageError(f"--examples must be at least 1, got {self.max_examples}")
        if self.eval_max < 1:
            raise UsageError(f"--eval-max must be at least 1, got {self.eval_max}")

    def export_options(self) -> ExportOptions:
        return ExportOptions(
            output_dir=self.output_dir,
            format="openai",
            include=self.include,
            split=self.split,
            seed=self.seed,
            skip_invalid=True,
        )


def _eval_line(r: dict[str, Any], labels: list[str]) -> dict[str, Any]:
    """The context and the reference reply: the last assistant turn of at least
    ``MIN_REPLY_WORDS`` words ("Have a great day" closes a task dialogue and tests nothing)."""
    msgs = fewshot.plain_messages(r[R.MESSAGES])
    turns = [i for i, m in enumerate(msgs) if m["role"] == "assistant" and i >= 1]
    substantive = [i for i in turns if len(msgs[i]["content"].split()) >= MIN_REPLY_WORDS]
    last = (substantive or turns or [-1])[-1]
    return {
        "id": r[R.ID],
        "messages": msgs[:last],
        "reference": msgs[last]["content"] if last >= 0 else "",
        "topic": int(r[evalset.TOPIC]),
        "topic_label": labels[int(r[evalset.TOPIC])],
        "group": r[GROUP],
    }


def _validate(name: str, schema: str, lines: list[dict[str, Any]]) -> None:
    v = validator(schema)
    for n, line in enumerate(lines, 1):
        err = next(iter(v.iter_errors(line)), None)
        if err is not None:
            where = "/".join(str(p) for p in err.absolute_path) or "(line)"
            raise CuratorError(
                f"{name} line {n} ({line.get('id')}) does not match schemas/{schema}.schema.json at "
                f"{where}: {err.message}. Nothing was written; please report this as a bug."
            )


def _jsonl(lines: list[dict[str, Any]]) -> pl.Series:
    return pl.Series(
        [json.dumps(x, ensure_ascii=False, sort_keys=True) for x in lines], dtype=pl.String
    )


def baseline_job(
    ws: Workspace, options: BaselineOptions, verdict: dict[str, Any] | None = None
) -> Job[dict[str, Any]]:
    """Write the kit; returns its manifest. ``verdict``: the readiness verdict to quote
    (``Report.to_json()`` keys verdict, verdict_message, checks); computed when None."""
    conflicts = check_output_dir(options.output_dir)
    if conflicts:
        raise CuratorError(conflict_message(options.output_dir, conflicts))
    eo = options.export_options()
    plan = yield from _plan_job(ws, eo)
    if plan.frame.height == 0:
        raise CuratorError(
            f"no records would be exported with --include {options.include}; approve records "
            "(curator review --approve ...) or use --include passing."
        )
    rows = _valid_rows(plan, eo)
    if rows.height < 2:
        raise CuratorError(
            f"{rows.height} valid record(s): a baseline kit needs at least two (one to evaluate on)."
        )
    yield Progress("topics", 0, rows.height, "TF-IDF topic groups")
    text = rows.select((role_text("user") + "\n" + role_text("assistant")).alias("t")).get_column(
        "t"
    )
    tp = topics(text, options.seed)
    rows = rows.with_columns(
        pl.Series(evalset.TOPIC, tp.topic), pl.Series("_similarity", tp.similarity)
    )
    yield Progress("topics", rows.height, rows.height, f"{tp.k} topics")
    yield Progress("eval", 0, None, "choosing held-out records")
    picked, eval_how = evalset.choose(rows, options.seed, options.eval_max)
    eval_lines = [
        _eval_line(r, tp.labels)
        for r in picked.select(R.ID, R.MESSAGES, evalset.TOPIC, GROUP).iter_rows(named=True)
    ]
    yield Progress("passages", 0, None, "facts that change")
    pas = passages.passages(rows)
    pas_lines = pas.to_dicts()
    yield Progress("few-shot", 0, None, f"budget {options.budget_tokens:,} tokens")
    fs = fewshot.choose(
        rows,
        tp.labels,
        tp.sizes,
        options.budget_tokens,
        options.max_examples,
        evalset.TOPIC,
        pas.height > 0,
    )
    _validate("eval.jsonl", "baseline_eval", eval_lines)
    _validate("fewshot.jsonl", "baseline_fewshot", fs.examples)
    _validate("retrieval/passages.jsonl", "baseline_passage", pas_lines)
    train_groups = set(rows.filter(pl.col(SPLIT) == "train").get_column(GROUP).to_list())
    if any(
        line["group"] in train_groups for line in eval_lines
    ):  # the split guarantees it; never publish otherwise
        raise CuratorError(
            "an eval record shares a group with training records; nothing was written (a bug)."
        )
    if verdict is None:
        from curator.core.readiness import build_report

        verdict = build_report(ws, include=options.include).to_json()
    passage_facts: dict[str, Any] = {
        "passages": pas.height,
        "records": int(pas.get_column("record_ids").list.len().sum() or 0) if pas.height else 0,
        "by_kind": _kind_counts(pas),
    }
    facts = {
        "records": rows.height,
        "topics": [
            {"topic": i, "label": lab, "records": n}
            for i, (lab, n) in enumerate(zip(tp.labels, tp.sizes, strict=True))
        ],
        "eval": eval_how,
        "fewshot": fs.how,
        "passages": passage_facts,
    }
    manifest = {
        "kind": "curator_baseline_kit",
        "curator_version": __version__,
        "workspace": str(ws.path),
        "include": options.include,
        "seed": options.seed,
        "split": options.split,
        "budget_tokens": options.budget_tokens,
        "files": list(FILES),
        **facts,
        "readiness": {
            "verdict": verdict.get("verdict"),
            "verdict_message": verdict.get("verdict_message"),
        },
    }
    yield Progress("publish", 0, None, str(options.output_dir))
    try:
        with Staging(options.output_dir) as stage:
            yield from _write(stage, "eval.jsonl", _jsonl(eval_lines))
            yield from _write(stage, "fewshot.jsonl", _jsonl(fs.examples))
            stage.write_text("fewshot_prompt.md", readme.fewshot_md(fs, options))
            stage.path("retrieval").mkdir()
            yield from _write(stage, "retrieval/passages.jsonl", _jsonl(pas_lines))
            stage.write_text("retrieval/README.md", readme.retrieval_md(passage_facts))
            stage.write_text("README.md", readme.kit_md(manifest, verdict, options))
            stage.sync_tree("retrieval")
            manifest = stage.publish(None, manifest)
    except OSError as exc:
        raise CuratorError(
            f"could not write the kit to {options.output_dir}: {exc.strerror or exc}. "
            "Nothing was published; free space or pick another -o folder."
        ) from exc
    ws.log_run(
        "baseline",
        {
            "output_dir": str(options.output_dir),
            "seed": options.seed,
            "split": options.split,
            "budget_tokens": options.budget_tokens,
        },
        {k: manifest[k] for k in ("records",)},
    )
    yield Progress("publish", 1, 1, str(options.output_dir))
    return manifest


def _write(stage: Staging, name: str, lines: pl.Series) -> Job[None]:
    for done in stage.write_lines(name, lines):
        yield Progress("write", done, lines.len(), name)


def _kind_counts(pas: pl.DataFrame) -> dict[str, int]:
    if not pas.height:
        return {}
    counts = pas.select(pl.col("kinds").explode()).to_series().value_counts().sort("kinds")
    return {str(k): int(n) for k, n in counts.iter_rows()}


__all__ = ["BaselineOptions", "baseline_job"]
