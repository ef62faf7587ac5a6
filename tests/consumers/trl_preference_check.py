"""Run inside a venv with TRL: load a Curator preference export the way DPOTrainer does.

Usage: python trl_preference_check.py EXPORT_DIR REPORT.json  (the trainer logs to stdout).

No download: the tokenizer is trained here on the export's own text and given a
chat template shipped in TRL's wheel; the model is a tiny random Qwen2. DPOTrainer
tokenizes the dataset with its own code (prompt / chosen / rejected ids), then one
training step runs.
"""

from __future__ import annotations

import copy
import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import datasets
import trl
from tokenizers import Tokenizer, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM
from trl import DPOConfig, DPOTrainer
from trl.data_utils import apply_chat_template, is_conversational

SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<unk>"]


def main(folder: Path) -> dict:
    ds = datasets.load_dataset("json", data_files={"train": str(folder / "train.jsonl")})["train"]
    texts = []
    for row in ds:
        for side in ("prompt", "chosen", "rejected"):
            texts += [m["content"] for m in row[side]]
    core = Tokenizer(models.WordLevel(unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    core.train_from_iterator(
        [*texts, "system user assistant"], trainers.WordLevelTrainer(special_tokens=SPECIAL)
    )
    tok = PreTrainedTokenizerFast(
        tokenizer_object=core, eos_token="<|im_end|>", pad_token="<|endoftext|>", unk_token="<unk>"
    )
    template = Path(trl.__file__).parent / "chat_templates" / "qwen2_5.jinja"
    tok.chat_template = template.read_text()
    rendered = [apply_chat_template(dict(row), tok) for row in ds]
    model = Qwen2ForCausalLM(
        Qwen2Config(
            vocab_size=len(tok),
            hidden_size=16,
            intermediate_size=32,
            num_hidden_layers=1,
            num_attention_heads=2,
            num_key_value_heads=1,
            max_position_embeddings=512,
        )
    )
    with tempfile.TemporaryDirectory() as out:
        args = DPOConfig(
            output_dir=out,
            max_steps=1,
            per_device_train_batch_size=2,
            report_to=[],
            logging_steps=1,
            save_strategy="no",
            use_cpu=True,
            dataloader_num_workers=0,
        )
        trainer = DPOTrainer(
            model=model,
            ref_model=copy.deepcopy(model),
            args=args,
            train_dataset=ds,
            processing_class=tok,
        )
        processed = trainer.train_dataset
        first = processed[0]
        result = trainer.train()
    return {
        "trl": trl.__version__,
        "rows": len(ds),
        "conversational": all(is_conversational(dict(r)) for r in ds),
        "rendered_chosen_has_answer": all(
            r_src["chosen"][0]["content"] in r["chosen"]
            for r, r_src in zip(rendered, ds, strict=True)
        ),
        "rendered_rejected_has_answer": all(
            r_src["rejected"][0]["content"] in r["rejected"]
            for r, r_src in zip(rendered, ds, strict=True)
        ),
        "processed_rows": len(processed),
        "processed_columns": sorted(processed.column_names),
        "first_chosen_decoded": tok.decode(
            first.get("chosen_ids") or first.get("chosen_input_ids") or []
        ),
        "first_prompt_decoded": tok.decode(
            first.get("prompt_ids") or first.get("prompt_input_ids") or []
        ),
        "train_loss": float(result.training_loss),
    }


if __name__ == "__main__":
    Path(sys.argv[2]).write_text(json.dumps(main(Path(sys.argv[1]))))
