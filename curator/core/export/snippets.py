"""Ready-to-paste trainer configs for an export: LLaMA-Factory and axolotl."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

from curator.core.export.options import ExportOptions

DATASET_INFO: Final = "dataset_info.json"
AXOLOTL: Final = "axolotl.yaml"
HF_SHARD: Final = "data-00000-of-00001.arrow"

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


def _entry(options: ExportOptions, file_name: str) -> dict[str, Any]:
    if options.format == "alpaca":
        return {
            "file_name": file_name,
            "columns": {"prompt": "instruction", "query": "input", "response": "output", "system": "system"},
        }
    if options.format == "sharegpt":
        return {
            "file_name": file_name,
            "formatting": "sharegpt",
            "columns": {"messages": "conversations", "tools": "tools"},
            "tags": dict(_SHAREGPT_TAGS),
        }
    return {
        "file_name": file_name,
        "formatting": "sharegpt",
        "columns": {"messages": "messages"},
        "tags": dict(_OPENAI_TAGS),
    }


def llamafactory_dataset_info(options: ExportOptions, name: str = "curator") -> dict[str, Any]:
    """Entries for LLaMA-Factory's ``data/dataset_info.json`` (one per split)."""
    out: dict[str, Any] = {}
    for split, file_name in options.data_files().items():
        if options.format == "hf":  # the split's single Arrow shard (save_to_disk with num_shards=1)
            file_name = f"{file_name}/{split}/{HF_SHARD}"
        out[f"{name}_{split}"] = _entry(options, str(options.output_dir.resolve() / file_name))
    return out


def _yaml_dataset(options: ExportOptions, path: Path, split: str) -> list[str]:
    q = json.dumps
    lines = [f"  - path: {q(str(path))}"]
    if options.format == "hf":
        lines.append(f"    split: {q(split)}")
    else:
        ds_type = "parquet" if options.format == "parquet" else "json"
        lines += [f"    ds_type: {ds_type}", "    split: train"]
    if options.format == "alpaca":
        lines.append("    type: alpaca")
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


def axolotl_yaml(options: ExportOptions) -> str:
    """An axolotl ``datasets:`` (and ``test_datasets:``) block for the exported files."""
    root = options.output_dir.resolve()
    files = options.data_files()
    out = [f"# axolotl datasets for the Curator export in {root}", "datasets:"]
    out += _yaml_dataset(options, root / files["train"], "train")
    if "validation" in files:
        out.append("test_datasets:")
        out += _yaml_dataset(options, root / files["validation"], "validation")
    return "\n".join(out) + "\n"
