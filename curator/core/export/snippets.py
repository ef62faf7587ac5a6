"""Ready-to-run trainer configs written beside the data, every path relative to the export folder.

So the folder can be copied to the training machine as is: LLaMA-Factory
resolves ``file_name`` against ``dataset_dir`` (the folder); axolotl, TRL and
the OpenAI upload read paths relative to where they run (the folder).

What each snippet declares follows the data (:class:`DataFacts`): a
``tools`` or ``system`` column is declared only when some row has one
(LLaMA-Factory reads declared columns from every row), and LLaMA-Factory gets
no entry for OpenAI-shaped files holding tool calls (it would crash on them;
ShareGPT is its form for tool calls) — the reason is in the manifest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

from curator.core.export.options import HF_FOLDER, ExportOptions

DATASET_INFO: Final = "dataset_info.json"
AXOLOTL: Final = "axolotl.yaml"
TRL: Final = "trl_sft.yaml"
LLAMAFACTORY: Final = "llamafactory_sft.yaml"
OPENAI: Final = "openai_job.json"
# manifest key (what reads it) -> file
SNIPPET_KEYS: Final = {
    DATASET_INFO: "llamafactory",
    LLAMAFACTORY: "llamafactory_train",
    AXOLOTL: "axolotl",
    TRL: "trl",
    OPENAI: "openai",
}
HF_SHARD: Final = "data-00000-of-00001.arrow"
NAME: Final = "curator"

_OPENAI_TAGS: Final = {
    "role_tag": "role",
    "content_tag": "content",
    "user_tag": "user",
    "assistant_tag": "assistant",
    "observation_tag": "tool",
    "system_tag": "system",
}
_SHAREGPT_TAGS: Final = {
    "role_tag": "from",
    "content_tag": "value",
    "user_tag": "human",
    "assistant_tag": "gpt",
    "observation_tag": "tool",
    "function_tag": "function_call",
    "system_tag": "system",
}


@dataclass(frozen=True)
class DataFacts:
    """What the exported rows hold, as far as a trainer config must know."""

    records: int = 0
    tool_calls: int = 0  # records with tool calls
    tools: int = 0  # records with tool definitions
    system: int = 0  # records with a system prompt
    weight0_messages: int = 0
    weight0_records: int = 0
    # per split: records with tool definitions / a system prompt (a column no row of a
    # file has is absent from that file, and LLaMA-Factory fails on a declared one)
    tools_by_split: dict[str, int] | None = None
    system_by_split: dict[str, int] | None = None

    def has_tools(self, split: str) -> bool:
        return bool(
            self.tools_by_split.get(split, 0) if self.tools_by_split is not None else self.tools
        )

    def has_system(self, split: str) -> bool:
        return bool(
            self.system_by_split.get(split, 0) if self.system_by_split is not None else self.system
        )


def data_file(options: ExportOptions, split: str) -> str:
    """The one file a trainer reads for a split, relative to the export folder."""
    if options.format == "hf":  # the split's single Arrow shard (save_to_disk with num_shards=1)
        return f"{HF_FOLDER}/{split}/{HF_SHARD}"
    return options.data_files()[split]


def llamafactory_refusal(options: ExportOptions, facts: DataFacts) -> str | None:
    """Why LLaMA-Factory gets no entry for this export, or None."""
    if options.format in ("openai", "hf", "parquet", "trl") and facts.tool_calls:
        return (
            f"{facts.tool_calls} record(s) have tool calls, which LLaMA-Factory cannot read from OpenAI-shaped "
            "files as they are (arguments come out double-encoded, or the row fails); export with "
            "--target llamafactory (ShareGPT with function_call/observation turns)"
        )
    return None


def trl_refusal(options: ExportOptions, facts: DataFacts) -> str | None:
    """Why TRL gets no config for this export, or None."""
    if options.format == "alpaca":
        return "Alpaca is not a conversational format for TRL; export with --target trl"
    if options.format == "sharegpt":
        return (
            "TRL renames ShareGPT's from/value keys but keeps the roles human/gpt, which chat templates do not "
            "render as user/assistant; export with --target trl"
        )
    if options.format != "trl" and facts.tool_calls:
        return (
            f"{facts.tool_calls} record(s) have tool calls whose arguments are JSON text in this format; chat "
            "templates that render arguments with tojson double-encode them; export with --target trl"
        )
    return None


def _entry(options: ExportOptions, split: str, facts: DataFacts) -> dict[str, Any]:
    file_name = data_file(options, split)
    if options.format == "alpaca":
        cols = {"prompt": "instruction", "query": "input", "response": "output"}
        if facts.has_system(split):
            cols["system"] = "system"
        return {"file_name": file_name, "columns": cols}
    if options.format == "sharegpt":
        cols = {"messages": "conversations"}
        if facts.has_tools(split):
            cols["tools"] = "tools"
        return {
            "file_name": file_name,
            "formatting": "sharegpt",
            "columns": cols,
            "tags": dict(_SHAREGPT_TAGS),
        }
    return {
        "file_name": file_name,
        "formatting": "sharegpt",
        "columns": {"messages": "messages"},
        "tags": dict(_OPENAI_TAGS),
    }


def llamafactory_dataset_info(
    options: ExportOptions, facts: DataFacts | None = None
) -> dict[str, Any]:
    """Entries for LLaMA-Factory's ``dataset_info.json`` (one per split); {} when refused."""
    facts = facts or DataFacts()
    if llamafactory_refusal(options, facts):
        return {}
    return {f"{NAME}_{s}": _entry(options, s, facts) for s in options.split_names()}


def llamafactory_yaml(options: ExportOptions) -> str:
    """The data part of a LLaMA-Factory SFT config (``llamafactory-cli train``)."""
    out = [
        "# LLaMA-Factory SFT data settings for this Curator export; add your model and training keys.",
        "# Run from this folder (dataset_dir is it): llamafactory-cli train llamafactory_sft.yaml",
        "stage: sft",
        "do_train: true",
        "dataset_dir: .",
        f"dataset: {NAME}_train",
    ]
    if options.split is not None:
        out.append(f"eval_dataset: {NAME}_validation")
    out += [
        "template: qwen  # the chat template of your model",
        "cutoff_len: 4096",
        "train_on_prompt: false",
    ]
    return "\n".join(out) + "\n"


def _axolotl_dataset(options: ExportOptions, split: str, facts: DataFacts) -> list[str]:
    path = json.dumps(data_file(options, split))
    ds_type = {"hf": "arrow", "parquet": "parquet"}.get(options.format, "json")
    lines = [f"  - path: {path}", f"    ds_type: {ds_type}", "    split: train"]
    if options.format == "alpaca":
        # alpaca_w_system keeps the system prompt (plain `alpaca` drops it)
        lines.append(
            "    type: alpaca_w_system.load" if facts.has_system(split) else "    type: alpaca"
        )
        return lines
    lines.append("    type: chat_template")
    if options.format == "sharegpt":
        lines += [
            "    field_messages: conversations",
            "    message_property_mappings:",
            "      role: from",
            "      content: value",
            "    roles:",
            "      system: [system]",
            "      user: [human]",
            "      assistant: [gpt, function_call]",
            "      tool: [tool]",
        ]
    else:
        lines += [
            "    field_messages: messages",
            "    message_property_mappings:",
            "      role: role",
            "      content: content",
        ]
    lines += [
        "    roles_to_train: [assistant]",
        "    message_field_training: weight  # per-turn weight 0 = do not train on this reply",
    ]
    return lines


def axolotl_yaml(options: ExportOptions, facts: DataFacts | None = None) -> str:
    """An axolotl ``datasets:`` (and ``test_datasets:``) block; run axolotl from this folder."""
    facts = facts or DataFacts()
    out = [
        "# axolotl datasets for this Curator export; paths are relative: run axolotl from this folder.",
        "datasets:",
    ]
    out += _axolotl_dataset(options, "train", facts)
    if options.split is not None:
        out.append("test_datasets:")
        out += _axolotl_dataset(options, "validation", facts)
    return "\n".join(out) + "\n"


def trl_yaml(options: ExportOptions) -> str:
    """A ``trl sft --config`` file (TRL's dataset mixture); run it from this folder."""
    ds_type = {"hf": "arrow", "parquet": "parquet"}.get(options.format, "json")
    out = [
        "# TRL SFT config for this Curator export; run from this folder: trl sft --config trl_sft.yaml",
        "# add model_name_or_path and your training keys. The validation split (if any) loads with",
        "# datasets.load_dataset(<this folder>) (README.md names the splits).",
        "datasets:",
        f"  - path: {ds_type}",
        f"    data_files: {json.dumps(data_file(options, 'train'))}",
        "    split: train",
        "assistant_only_loss: true  # loss on assistant turns only (needs a chat template with generation marks)",
    ]
    return "\n".join(out) + "\n"


def openai_job(options: ExportOptions) -> str:
    """The fine-tuning job request, with the files to upload first (relative names)."""
    body: dict[str, Any] = {
        "model": "gpt-4.1-mini-2025-04-14",
        "training_file": data_file(options, "train"),
        "method": {"type": "supervised"},
    }
    if options.split is not None:
        body["validation_file"] = data_file(options, "validation")
    note = (
        "upload each *_file with purpose=fine-tune, then replace its name by the returned file id"
    )
    return json.dumps({"_note": note, **body}, indent=2) + "\n"


def write_all(options: ExportOptions, facts: DataFacts, target: str | None) -> dict[str, str]:
    """file name -> text of every snippet this export gets."""
    out: dict[str, str] = {}
    info = llamafactory_dataset_info(options, facts)
    if info:
        out[DATASET_INFO] = json.dumps(info, indent=2) + "\n"
    out[AXOLOTL] = axolotl_yaml(options, facts)
    if not trl_refusal(options, facts):
        out[TRL] = trl_yaml(options)
    if target == "llamafactory" and info:
        out[LLAMAFACTORY] = llamafactory_yaml(options)
    if target == "openai" and options.format == "openai":
        out[OPENAI] = openai_job(options)
    return out
