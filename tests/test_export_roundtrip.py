"""An export imports back into a fresh workspace with identical conversations."""

from __future__ import annotations

import json

import pytest
from test_export_formats import RICH
from test_export_support import M, add_records, export, qa

from curator.core import records as R
from curator.core import review
from curator.core.jobs import run_job
from curator.core.workspace import Workspace

ingest = pytest.importorskip("curator.core.ingest")

TRICKY = [M("user", 'Quotes " and \\ backslash,\nnew line, tab\t, emoji 🙂, Ünïcödé, \u2028 separator'),
          M("assistant", "<b>not html</b> & {\"json\": true}")]
MULTI = [M("system", "Be kind."), M("user", "Hi", name="alice"), M("assistant", "Hello!", weight=0),
         M("user", "Where is my order?"), M("assistant", "It ships today.", weight=1)]
SINGLE = [M("system", "Be brief."), *qa(7)]

# format -> (conversations it can carry, what to import)
CASES = {
    "openai": ([RICH, MULTI, TRICKY, *[qa(i) for i in range(5)]], "{split}.jsonl"),
    "parquet": ([RICH, MULTI, TRICKY, *[qa(i) for i in range(5)]], "{split}.parquet"),
    "hf": ([RICH, MULTI, TRICKY, *[qa(i) for i in range(5)]], "dataset/{split}"),
    "sharegpt": ([MULTI, TRICKY, *[qa(i) for i in range(5)]], "{split}.jsonl"),  # tool-call ids do not fit
    "alpaca": ([SINGLE, TRICKY, *[qa(i) for i in range(5)]], "{split}.json"),
}


def _canonical(messages):
    return json.dumps(
        [{k: (json.loads(v) if k == "tool_calls" and v else v) for k, v in m.items()} for m in messages],
        sort_keys=True, ensure_ascii=False,
    )


def _conversations(ws, ids=None):
    frame = ws.frame()
    if ids is not None:
        frame = frame.filter(frame[R.ID].is_in(ids))
    return sorted(_canonical(m) for m in frame.get_column(R.MESSAGES).to_list())


@pytest.mark.parametrize("fmt", list(CASES))
def test_export_then_import_gives_back_the_same_conversations(fmt, workspace, tmp_path):
    convs, pattern = CASES[fmt]
    ids = add_records(workspace, convs)
    review.edit_message(workspace, ids[-1], 1, "An edited reply that must survive.")
    review.approve(workspace, ids)
    out = tmp_path / "out"
    manifest = export(workspace, out, format=fmt, split=0.3, seed=5)
    assert sum(manifest["counts"].values()) == len(convs)

    again = Workspace.open(tmp_path / "again.curator", create=True)
    sources = [out / pattern.format(split=s) for s in ("train", "validation")]
    summary = run_job(ingest.import_job(again, sources, ingest.ImportOptions(format=fmt)))
    assert again.quarantine().height == 0, again.quarantine().to_dicts()
    assert summary.added == len(convs)
    assert _conversations(again) == _conversations(workspace)
    assert any("An edited reply that must survive." in c for c in _conversations(again))
