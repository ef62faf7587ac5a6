"""Run inside the TRL venv: load a Curator export the way `trl sft --config trl_sft.yaml` does.

usage: python check_trl.py EXPORT_DIR WORK_DIR  -> WORK_DIR/result.json:
  {split: {"rows": n, "trained": [decoded loss-masked text per row], "text": [full text per row]}}
The train split comes from TRL's own dataset loader on trl_sft.yaml (validation from
`datasets.load_dataset(EXPORT_DIR)`, the card's configs), the chat
template is TRL's own qwen3_training.jinja (shipped in its wheel, with generation
marks), and the loss mask is the one SFTTrainer builds with assistant_only_loss on a
tiny randomly initialised Qwen3 (no download). The tokenizer is trained here.
"""

from __future__ import annotations

import json
import os
import sys
from importlib import resources
from pathlib import Path

import yaml
from common import export_texts, train_tokenizer


def check(export: Path, work: Path) -> None:
    os.chdir(export)  # trl_sft.yaml's paths are relative to the export folder
    import datasets
    from transformers import Qwen3Config, Qwen3ForCausalLM
    from trl import SFTConfig, SFTTrainer
    from trl.scripts.utils import DatasetConfig, DatasetMixtureConfig, get_dataset

    cfg = yaml.safe_load((export / "trl_sft.yaml").read_text())
    ds = get_dataset(
        DatasetMixtureConfig(datasets=[DatasetConfig(**d) for d in cfg["datasets"]])
    )  # TRL's loader
    card = datasets.load_dataset(str(export), cache_dir=str(work / "cache"))  # the card's splits
    if "validation" in card:
        ds["validation"] = card["validation"]
    tok = train_tokenizer(export_texts(export), work / "tok")
    template = resources.files("trl").joinpath("chat_templates/qwen3_training.jinja").read_text()
    tok.chat_template = template
    model = Qwen3ForCausalLM(
        Qwen3Config(
            vocab_size=len(tok),
            hidden_size=16,
            intermediate_size=32,
            num_hidden_layers=1,
            num_attention_heads=2,
            num_key_value_heads=1,
            head_dim=8,
            max_position_embeddings=8192,
        )
    )
    result = {}
    for split in ds:
        args = SFTConfig(
            output_dir=str(work / "out"),
            assistant_only_loss=cfg.get("assistant_only_loss", False),
            max_length=None,
            report_to=[],
            dataset_num_proc=None,
            use_cpu=True,
            bf16=False,
        )
        trainer = SFTTrainer(model=model, args=args, train_dataset=ds[split], processing_class=tok)
        prepared = trainer.train_dataset
        trained, text = [], []
        for ex in prepared:
            ids = ex["input_ids"]
            if "labels" in ex:  # the loss mask SFTTrainer built (-100: no loss)
                keep = [t != -100 for t in ex["labels"]]
            else:
                keep = [bool(m) for m in ex.get("assistant_masks") or [1] * len(ids)]
            trained.append(tok.decode([t for t, k in zip(ids, keep, strict=True) if k]))
            text.append(tok.decode(ids))
        result[split] = {
            "prepared_columns": prepared.column_names,
            "rows": len(prepared),
            "trained": trained,
            "text": text,
            "columns": ds[split].column_names,
        }
    (work / "result.json").write_text(json.dumps(result))


def main() -> None:
    """Arguments: EXPORT_DIR WORK_DIR [EXPORT_DIR WORK_DIR ...] (one import of the trainer for all)."""
    args = [Path(a) for a in sys.argv[1:]]
    for export, work in zip(args[::2], args[1::2], strict=True):
        work.mkdir(parents=True, exist_ok=True)
        check(export, work)


if __name__ == "__main__":
    main()
