"""Trainer profiles for ``curator export --target``: the format and options each trainer reads best.

A profile picks the export format (an explicit ``--format`` wins), says whether
the trainer honours per-turn ``weight`` itself, and names the ready-to-run
config it gets beside the data (paths relative to the export folder):

| target | format | weight 0 | config |
|---|---|---|---|
| openai | openai | honoured by the API | ``openai_job.json`` (the fine-tuning job request) |
| trl | trl (OpenAI lines, tool-call arguments as objects) | not maskable: trailing weight-0 turns cut | ``trl_sft.yaml`` (``trl sft --config``) |
| llamafactory | sharegpt | not maskable: trailing weight-0 turns cut | ``dataset_info.json`` + ``llamafactory_sft.yaml`` |
| axolotl | openai | masked (``message_field_training``) | ``axolotl.yaml`` |

Weight-0 turns that a trainer cannot mask and that cannot be cut (a trained
reply follows them) are counted and reported in the manifest, the CLI output
and the dataset card, with what to do about them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal

from curator.core.errors import UsageError

Target = Literal["openai", "trl", "llamafactory", "axolotl"]
TARGETS: Final[tuple[Target, ...]] = ("openai", "trl", "llamafactory", "axolotl")


@dataclass(frozen=True)
class TargetProfile:
    name: Target
    format: str  # the export format this trainer reads best
    title: str
    masks_weight: bool  # the trainer itself skips the loss of weight-0 turns
    config: str  # the config file written for this target


PROFILES: Final[dict[str, TargetProfile]] = {
    "openai": TargetProfile("openai", "openai", "OpenAI fine-tuning API", True, "openai_job.json"),
    "trl": TargetProfile("trl", "trl", "Hugging Face TRL (SFTTrainer)", False, "trl_sft.yaml"),
    "llamafactory": TargetProfile(
        "llamafactory", "sharegpt", "LLaMA-Factory", False, "llamafactory_sft.yaml"
    ),
    "axolotl": TargetProfile("axolotl", "openai", "axolotl (chat_template)", True, "axolotl.yaml"),
}

# Trainers that read each format, with whether they honour weight (for the manifest's notes).
MASKS_WEIGHT: Final = {"openai": True, "axolotl": True, "trl": False, "llamafactory": False}


def profile(target: str) -> TargetProfile:
    if target not in PROFILES:
        raise UsageError(f"unknown --target {target!r}; use one of {', '.join(TARGETS)}")
    return PROFILES[target]


def resolve_format(target: str | None, fmt: str | None) -> str:
    """The export format: an explicit ``--format`` wins, else the target's, else openai."""
    if fmt:
        return fmt
    return profile(target).format if target else "openai"


def cuts_untrained(target: str | None) -> bool:
    """Cut trailing weight-0 turns: for a target that cannot mask them itself."""
    return target is not None and not profile(target).masks_weight


def fact_columns(rows: Any, msgs: Any) -> Any:
    """Per row of ``rows`` (``_row`` order): calls, system, tools (booleans) and w0
    (weight-0 assistant messages), from its messages ``msgs``; :func:`facts_of` sums
    them. Row-local, so a sliced export computes them part by part."""
    import polars as pl

    from curator.core.export import formats as F

    c = pl.col
    per = msgs.group_by(F.ROW).agg(
        c("tool_calls").is_not_null().any().alias("calls"),
        (c("role") == "system").any().alias("system"),
        ((c("role") == "assistant") & (c("weight") == 0)).sum().cast(pl.Int64).alias("w0"),
    )
    tools = (
        F.line_extras(rows).select(F.ROW, c("tools").is_not_null().alias("tools"))
        if rows.height
        else pl.DataFrame(schema={F.ROW: pl.UInt32, "tools": pl.Boolean})
    )
    return (
        rows.select(F.ROW)
        .join(per, on=F.ROW, how="left", maintain_order="left")
        .join(tools, on=F.ROW, how="left", maintain_order="left")
        .with_columns(
            c("calls", "system", "tools").fill_null(False), c("w0").fill_null(0)
        )
    )


def facts_of(per: Any, split: Any = None) -> Any:
    """:class:`~curator.core.export.snippets.DataFacts` of :func:`fact_columns` rows;
    ``split``: each row's side (None: all train)."""
    import polars as pl

    from curator.core.export.snippets import DataFacts

    c = pl.col
    sides = split if split is not None else pl.Series(["train"] * per.height, dtype=pl.String)
    flags = per.select("tools", "system").with_columns(sides.alias("split"))
    by = flags.group_by("split").agg(c("tools").sum(), c("system").sum())
    return DataFacts(
        records=per.height,
        tool_calls=int(per.get_column("calls").sum()),
        tools=int(per.get_column("tools").sum()),
        system=int(per.get_column("system").sum()),
        weight0_messages=int(per.get_column("w0").sum()),
        weight0_records=int((per.get_column("w0") > 0).sum()),
        tools_by_split={str(r["split"]): int(r["tools"]) for r in by.iter_rows(named=True)},
        system_by_split={str(r["split"]): int(r["system"]) for r in by.iter_rows(named=True)},
    )


def data_facts(rows: Any, msgs: Any) -> Any:
    """:class:`~curator.core.export.snippets.DataFacts` of the rows to be written."""
    split = rows.get_column("split") if "split" in rows.columns else None
    return facts_of(fact_columns(rows, msgs), split)


def trainer_notes(options: Any, facts: Any, fixed: Any) -> list[str]:
    """What a trainer reading this export will do differently from what the records say."""
    from curator.core.export.snippets import llamafactory_refusal, trl_refusal

    notes = []
    masked = options.target is not None and PROFILES[options.target].masks_weight
    if facts.weight0_messages and not masked:
        who = PROFILES[options.target].title if options.target else "LLaMA-Factory and TRL"
        where = (
            "are followed by a trained reply, so they could not be cut"
            if fixed.untrained_cut_records or options.target
            else "are kept"
        )
        notes.append(
            f"{facts.weight0_messages} weight-0 assistant messages in {facts.weight0_records} records {where}; "
            f"{who} will train them (no per-turn loss mask). To keep them "
            "untrained, export with --target axolotl or --target openai (both honour weight), or edit or "
            "reject those records."
        )
    refusal = llamafactory_refusal(options, facts)
    if refusal:
        notes.append(f"No dataset_info.json (LLaMA-Factory): {refusal}.")
    refusal = trl_refusal(options, facts)
    if refusal:
        notes.append(f"No trl_sft.yaml (TRL): {refusal}.")
    return notes
