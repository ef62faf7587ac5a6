"""Run inside the LLaMA-Factory venv: load a Curator export with LLaMA-Factory's own code.

usage: python check_llamafactory.py EXPORT_DIR WORK_DIR  -> WORK_DIR/result.json:
  {"aligned": {split: [[role, content], ...] per row, with "_system" first]},
   "sft_rows": {split: n}, "labels_text": {split: [decoded trained text per row]}}
It parses dataset_info.json (parser), converts rows (converter/align_dataset) and
builds the SFT dataset (get_dataset) with a BPE tokenizer trained here on the export's
own text and the qwen template. Needs no download.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from common import export_texts, train_tokenizer

os.environ.setdefault("DISABLE_VERSION_CHECK", "1")


def _stub_torchaudio() -> bool:
    """LLaMA-Factory's mm_plugin imports torchaudio at import time, for audio inputs only.
    PyPI has no torchaudio that loads beside the CPU torch 2.13 wheel on this machine, so
    the text-only SFT path runs with an empty stand-in module (reported in the output)."""
    try:
        import torchaudio  # noqa: F401
    except (ImportError, OSError):
        import importlib.machinery
        import types

        mod = types.ModuleType("torchaudio")
        mod.__spec__ = importlib.machinery.ModuleSpec("torchaudio", None)
        sys.modules["torchaudio"] = mod
        return True
    return False


def check(export: Path, work: Path) -> None:
    os.chdir(work)  # nothing may depend on the current folder
    stubbed = _stub_torchaudio()
    from llamafactory.data import get_dataset, get_template_and_fix_tokenizer
    from llamafactory.data.loader import _get_merged_dataset
    from llamafactory.hparams import get_train_args

    info = json.loads((export / "dataset_info.json").read_text())
    tok = train_tokenizer(export_texts(export), work / "tok")
    result: dict = {"aligned": {}, "sft_rows": {}, "labels_text": {}, "torchaudio_stubbed": stubbed}
    for name in info:
        split = name.split("_", 1)[1]
        model_args, data_args, training_args, _, _ = get_train_args(
            {
                "model_name_or_path": str(work / "tok"),
                "stage": "sft",
                "do_train": True,
                "dataset": name,
                "dataset_dir": str(export),
                "template": "qwen",
                "cutoff_len": 100000,
                "output_dir": str(work / "o"),
                "overwrite_cache": True,
                "preprocessing_num_workers": None,
                "report_to": "none",
                "finetuning_type": "lora",
            }
        )
        template = get_template_and_fix_tokenizer(tok, data_args)
        aligned = _get_merged_dataset([name], model_args, data_args, training_args, "sft")
        rows = []
        for ex in aligned:
            row = [["system", ex["_system"]]] + [
                [m["role"], m["content"]] for m in ex["_prompt"] + ex["_response"]
            ]
            rows.append({"turns": row, "tools": ex["_tools"]})
        result["aligned"][split] = rows
        module = get_dataset(
            template, model_args, data_args, training_args, stage="sft", tokenizer=tok
        )
        ds = module["train_dataset"]
        result["sft_rows"][split] = len(ds)
        result["labels_text"][split] = [
            tok.decode([t for t in ex["labels"] if t != -100], skip_special_tokens=False)
            for ex in ds
        ]
    if (
        export / "dataset"
    ).is_dir():  # the hf export under LLaMA-Factory's datasets (4.0): loads and prints
        import datasets

        dd = datasets.load_from_disk(str(export / "dataset"))
        result["hf_printed"] = {split: str(dd[split].features) + repr(dd[split]) for split in dd}
    (work / "result.json").write_text(json.dumps(result))


def main() -> None:
    """Arguments: EXPORT_DIR WORK_DIR [EXPORT_DIR WORK_DIR ...] (one import of the trainer for all)."""
    args = [Path(a) for a in sys.argv[1:]]
    for export, work in zip(args[::2], args[1::2], strict=True):
        work.mkdir(parents=True, exist_ok=True)
        check(export, work)


if __name__ == "__main__":
    main()
