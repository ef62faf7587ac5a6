"""TRL's own code reads Curator's TRL preference export: DPOTrainer tokenizes it and trains a step.

TRL (with torch) is too heavy for the project venv, so the check runs in a separate
Python named by ``CURATOR_TRL_PYTHON`` (e.g. a venv made with ``pip install trl`` and a
CPU torch); without it the test is skipped and says so. Nothing is downloaded: the
script trains a tokenizer on the export and uses a chat template from TRL's wheel.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from pref_helpers import pair_workspace

from curator.core.export.job import export_job
from curator.core.export.options import ExportOptions
from curator.core.jobs import run_job

TRL_PYTHON = os.environ.get("CURATOR_TRL_PYTHON")
SCRIPT = Path(__file__).parent / "consumers" / "trl_preference_check.py"

pytestmark = [
    pytest.mark.consumer,
    pytest.mark.skipif(
        not TRL_PYTHON, reason="set CURATOR_TRL_PYTHON to a python that has trl (pip install trl)"
    ),
]


def test_dpo_trainer_tokenizes_and_trains_on_the_export(tmp_path):
    objs = [
        {
            "prompt": [
                {"role": "system", "content": "Answer briefly."},
                {"role": "user", "content": f"What is {i} plus {i}?"},
            ],
            "chosen": [{"role": "assistant", "content": f"It is {2 * i}."}],
            "rejected": [{"role": "assistant", "content": f"It is {2 * i + 1}."}],
        }
        for i in range(6)
    ]
    ws = pair_workspace(tmp_path, objs)
    out = tmp_path / "dpo"
    opts = ExportOptions(out, format="preference", include="passing", preference_style="trl")
    run_job(export_job(ws, opts))
    report_path = tmp_path / "report.json"
    proc = subprocess.run(
        [str(TRL_PYTHON), str(SCRIPT), str(out), str(report_path)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(report_path.read_text())
    assert report["rows"] == report["processed_rows"] == 6  # nothing dropped
    assert report["conversational"] is True
    assert report["rendered_chosen_has_answer"] and report["rendered_rejected_has_answer"]
    assert {"prompt_ids", "chosen_ids", "rejected_ids"} <= set(report["processed_columns"])
    assert report["first_chosen_decoded"].startswith("It is 0")
    assert "What is 0 plus 0" in report["first_prompt_decoded"].replace(" ?", "?")
    assert report["train_loss"] == pytest.approx(0.6931, abs=0.05)  # a step ran (log 2 at start)
