"""Run inside the axolotl venv: validate axolotl.yaml with axolotl's config schema and
tokenize every row with the prompt strategy it names (chat_template / alpaca_w_system).

usage: python check_axolotl.py EXPORT_DIR WORK_DIR  -> WORK_DIR/result.json:
  {"datasets": [{"path", "type", "rows", "trained": [decoded text with a loss per row]}]}
Paths in axolotl.yaml are relative: this runs from the export folder. The chat
template is axolotl's own qwen_25; the tokenizer is trained here (no download).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import yaml
from common import export_texts, train_tokenizer


def check(export: Path, work: Path) -> None:
    os.chdir(export)
    from axolotl.prompt_strategies import load as load_strategy
    from axolotl.utils.config import validate_config
    from axolotl.utils.data.shared import load_dataset_with_config
    from axolotl.utils.dict import DictDefault

    snippet = yaml.safe_load((export / "axolotl.yaml").read_text())
    from axolotl.utils.chat_templates import get_chat_template

    tok = train_tokenizer(export_texts(export), work / "tok")
    tok.chat_template = get_chat_template("qwen_25")
    tok.save_pretrained(str(work / "tok"))
    cfg = validate_config(
        DictDefault(
            {
                "base_model": str(work / "tok"),
                "chat_template": "qwen_25",
                "sequence_len": 100000,
                "micro_batch_size": 1,
                "gradient_accumulation_steps": 1,
                "num_epochs": 1,
                "learning_rate": 1e-5,
                "optimizer": "adamw_torch",
                "output_dir": str(work / "out"),
                **snippet,
            }
        )
    )
    out = []
    for ds_cfg in list(cfg.datasets) + list(cfg.test_datasets or []):
        ds = load_dataset_with_config(ds_cfg, use_auth_token=False)
        strategy = load_strategy(ds_cfg["type"], tok, cfg, ds_cfg)
        trained, text = [], []
        for row in ds:
            t = strategy.tokenize_prompt(row)
            text.append(tok.decode(t["input_ids"]))
            trained.append(
                tok.decode(
                    [i for i, lab in zip(t["input_ids"], t["labels"], strict=True) if lab != -100]
                )
            )
        out.append(
            {
                "path": ds_cfg["path"],
                "type": ds_cfg["type"],
                "rows": len(ds),
                "trained": trained,
                "text": text,
            }
        )
    (work / "result.json").write_text(json.dumps({"datasets": out}))


def main() -> None:
    """Arguments: EXPORT_DIR WORK_DIR [EXPORT_DIR WORK_DIR ...] (one import of the trainer for all)."""
    args = [Path(a) for a in sys.argv[1:]]
    for export, work in zip(args[::2], args[1::2], strict=True):
        work.mkdir(parents=True, exist_ok=True)
        check(export, work)


if __name__ == "__main__":
    main()
