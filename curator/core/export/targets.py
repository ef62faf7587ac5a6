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


def data_facts(rows: Any, msgs: Any) -> Any:
    """:class:`~curator.core.export.snippets.DataFacts` of the rows to be written."""
    import polars as pl

    from curator.core.export import formats as F
    from curator.core.export.fixes import weight_stats
    from curator.core.export.snippets import DataFacts

    c = pl.col
    per = msgs.group_by(F.ROW).agg(
        c("tool_calls").is_not_null().any().alias("calls"),
        (c("role") == "system").any().alias("system"),
    )
    has_tools = (
        F.line_extras(rows).get_column("tools").is_not_null()
        if rows.height
        else pl.Series([], dtype=pl.Boolean)
    )
    tools = int(has_tools.sum())
    split = (
        rows.get_column("split") if "split" in rows.columns else pl.Series(["train"] * rows.height)
    )
    sys_rows = per.filter(c("system")).get_column(F.ROW)
    flags = pl.DataFrame(
        {
            "split": split,
            "tools": has_tools,
            "system": rows.get_column(F.ROW).is_in(sys_rows.implode()),
        }
    )
    by = flags.group_by("split").agg(c("tools").sum(), c("system").sum())
    w = weight_stats(msgs)
    return DataFacts(
        records=rows.height,
        tool_calls=int(per.get_column("calls").sum()),
        tools=int(tools),
        system=int(per.get_column("system").sum()),
        weight0_messages=w["weight0_messages"],
        weight0_records=w["weight0_records"],
        tools_by_split={str(r["split"]): int(r["tools"]) for r in by.iter_rows(named=True)},
        system_by_split={str(r["split"]): int(r["system"]) for r in by.iter_rows(named=True)},
    )


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
