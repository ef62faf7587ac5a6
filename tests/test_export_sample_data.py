"""The issue's 'done when', on the bundled sample data: strict format check of every
line, no cluster on both sides, manifest numbers equal to the files, and a re-import
that gives back the same conversations."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from curator.core import records as R
from curator.core.cookbook import errors_for_line
from curator.core.jobs import run_job
from curator.core.workspace import Workspace

REPO = Path(__file__).resolve().parent.parent
SAMPLES = [REPO / "sample_data" / n for n in ("chats_openai.jsonl", "sharegpt.json", "alpaca.json")]
ingest = pytest.importorskip("curator.core.ingest")


def _strict_validator(name: str) -> Draft202012Validator:
    """Straight from the files in schemas/, independent of curator.core.export.schemas."""
    folder = REPO / "schemas"
    docs = [json.loads(p.read_text()) for p in folder.glob("*.schema.json")]
    registry = Registry().with_resources([(d["$id"], Resource.from_contents(d)) for d in docs])
    return Draft202012Validator(json.loads((folder / f"{name}.schema.json").read_text()), registry=registry)


def _canonical(messages):
    return json.dumps(
        [{k: (json.loads(v) if k == "tool_calls" and isinstance(v, str) else v)
          for k, v in m.items() if v is not None} for m in messages],
        sort_keys=True, ensure_ascii=False,
    )


@pytest.mark.skipif(not all(p.exists() for p in SAMPLES), reason="sample_data not generated")
def test_sample_data_export_is_strictly_valid_leak_free_counted_and_round_trips(tmp_path):
    from curator.core.dedup import DedupSettings, dedup_job
    from curator.core.export import ExportOptions, export_job

    ws = Workspace.open(tmp_path / "ws.curator", create=True)
    run_job(ingest.import_job(ws, SAMPLES, ingest.ImportOptions()))
    run_job(dedup_job(ws, DedupSettings()))
    out = tmp_path / "out"
    manifest = run_job(export_job(ws, ExportOptions(out, include="passing", split=0.2, seed=1, skip_invalid=True)))

    # 1. Every line passes the cookbook's checks and the schema, read straight from schemas/.
    strict = _strict_validator("openai_chat")
    sides: dict[str, list[str]] = {}
    for f in manifest["files"]:
        path = out / f["path"]
        lines = path.read_text(encoding="utf-8").splitlines()
        for raw in lines:
            obj = json.loads(raw)
            assert errors_for_line(obj) == [], raw
            assert not list(strict.iter_errors(obj)), raw
            assert obj["messages"][-1]["role"] == "assistant"
        # 3. The manifest's numbers are the files'.
        assert len(lines) == f["records"] == manifest["counts"][f["split"]]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == f["sha256"]
        sides[f["split"]] = [_canonical(json.loads(raw)["messages"]) for raw in lines]
    assert sum(manifest["counts"].values()) > 300

    # 2. No dedup cluster has a member on each side (members found by their text).
    frame = ws.frame()
    cluster_of: dict[str, set[str]] = {}
    for msgs, cluster in frame.select(R.MESSAGES, R.CLUSTER_ID).iter_rows():
        if cluster is not None:
            cluster_of.setdefault(_canonical(msgs), set()).add(cluster)
    train = {c for text in sides["train"] for c in cluster_of.get(text, ())}
    val = {c for text in sides["validation"] for c in cluster_of.get(text, ())}
    assert ws.clusters().height > 0 and train and not train & val
    assert manifest["split"]["leakage"]["clusters_spanning_both"] == 0

    # 4. Re-importing the export gives back exactly the exported conversations.
    again = Workspace.open(tmp_path / "again.curator", create=True)
    run_job(ingest.import_job(again, [out / "train.jsonl", out / "validation.jsonl"], ingest.ImportOptions()))
    assert again.quarantine().height == 0
    reimported = sorted(_canonical(m) for m in again.records().get_column(R.MESSAGES).to_list())
    assert reimported == sorted(sides["train"] + sides["validation"])
