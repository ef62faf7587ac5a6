"""`curator baseline`: the prompt/RAG baseline kit on small self-written data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curator.cli.main import main
from curator.core.baseline import BaselineOptions, baseline_job
from curator.core.baseline.readme import PROMPT_END, PROMPT_START
from curator.core.export.schemas import validator
from curator.core.jobs import run_job
from curator.core.tokens import count_texts
from curator.core.workspace import Workspace

TOPICS = {
    "refund": (
        "I returned the {p} and the refund for order {n} has not arrived yet.",
        "The refund for order {n} was issued; banks take three to five working days to show it on your card.",
    ),
    "delivery": (
        "Where is my parcel with the {p}, order {n}? The tracking page has not moved.",
        "Your parcel for order {n} is with the courier and the tracking will update once it is scanned.",
    ),
    "password": (
        "I cannot log in, the password reset email for my {p} account never comes.",
        "I sent a new reset link for your {p} account; check the spam folder and use it within an hour.",
    ),
    "store": (
        "When does the {p} store open on Saturday? Order {n} is waiting there.",
        "The {p} store opens at 9am on Saturday and closes at 6pm; order {n} is at the desk.",
    ),
}
PRODUCTS = [
    "kettle",
    "toaster",
    "lamp",
    "blender",
    "speaker",
    "camera",
    "heater",
    "drill",
    "mixer",
    "router",
]


def _write_source(path: Path, shared_prompt: int = 0) -> None:
    lines = []
    for t, (user, reply) in TOPICS.items():
        for i, p in enumerate(PRODUCTS * 2):
            n = f"{t[:2].upper()}-{1000 + i}"
            u = user.format(p=p, n=n)
            if (
                shared_prompt and i < shared_prompt
            ):  # the same prompt text in several records: one group
                u = user.format(p="kettle", n="SAME-1")
            if t == "refund" and i == 0:  # a price that changes
                reply = reply + " The kettle now costs $49.99 instead of $59.99."
            lines.append(
                {
                    "messages": [
                        {"role": "user", "content": u},
                        {"role": "assistant", "content": reply.format(p=p, n=n)},
                        {"role": "user", "content": "Thanks!"},
                        {"role": "assistant", "content": "Have a great day."},
                    ]
                }
            )
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")


@pytest.fixture
def ws_path(tmp_path: Path) -> Path:
    src = tmp_path / "chats.jsonl"
    _write_source(src, shared_prompt=4)
    ws = tmp_path / "w.curator"
    assert main(["import", str(src), "-w", str(ws), "-q"]) == 0
    return ws


def _kit(ws_path: Path, out: Path, **kw: object) -> dict:
    ws = Workspace.open(ws_path)
    opts = BaselineOptions(output_dir=out, include="passing", **kw)  # type: ignore[arg-type]
    return run_job(
        baseline_job(
            ws, opts, verdict={"verdict": "limited_data", "verdict_message": "few", "checks": []}
        )
    )


def _lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x]


def _files(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


def test_same_seed_same_kit_other_seed_other_eval(ws_path: Path, tmp_path: Path) -> None:
    _kit(ws_path, tmp_path / "a", seed=3)
    _kit(ws_path, tmp_path / "b", seed=3)
    _kit(ws_path, tmp_path / "c", seed=4)
    a, b, c = _files(tmp_path / "a"), _files(tmp_path / "b"), _files(tmp_path / "c")
    assert a == b
    assert a["eval.jsonl"] != c["eval.jsonl"]
    assert set(a) == {
        "README.md",
        "eval.jsonl",
        "fewshot.jsonl",
        "fewshot_prompt.md",
        "retrieval/README.md",
        "retrieval/passages.jsonl",
    }


def test_eval_is_disjoint_from_the_export_train_side(ws_path: Path, tmp_path: Path) -> None:
    _kit(ws_path, tmp_path / "kit", seed=1, split=0.25)
    assert (
        main(
            [
                "export",
                "-w",
                str(ws_path),
                "-o",
                str(tmp_path / "exp"),
                "--include",
                "passing",
                "--split",
                "0.25",
                "--seed",
                "1",
                "-q",
            ]
        )
        == 0
    )
    ev = _lines(tmp_path / "kit" / "eval.jsonl")
    train = _lines(tmp_path / "exp" / "train.jsonl")
    val = _lines(tmp_path / "exp" / "validation.jsonl")
    train_prompts = {json.dumps(x["messages"][:1], sort_keys=True) for x in train}
    val_prompts = {json.dumps(x["messages"][:1], sort_keys=True) for x in val}
    assert ev
    for line in ev:
        context = json.dumps(line["messages"][:1], sort_keys=True)
        assert context not in train_prompts  # not trained on, nor its shared prompt
        assert context in val_prompts
    shared = {x["messages"][0]["content"] for x in ev if "SAME-1" in x["messages"][0]["content"]}
    assert shared.isdisjoint(
        {x["messages"][0]["content"] for x in train}
    )  # a shared prompt stays on one side
    assert all(
        x["reference"] != "Have a great day." and x["messages"][-1]["role"] == "user" for x in ev
    )  # the closing pleasantry is not the test
    topics = {x["topic"] for x in ev}
    assert len(topics) >= 2  # stratified: more than one topic
    few = {x["id"] for x in _lines(tmp_path / "kit" / "fewshot.jsonl")}
    assert few.isdisjoint({x["id"] for x in ev})


def test_fewshot_prompt_respects_the_budget_and_covers_topics(
    ws_path: Path, tmp_path: Path
) -> None:
    for budget in (250, 1200):
        out = tmp_path / f"k{budget}"
        m = _kit(ws_path, out, budget_tokens=budget)
        md = (out / "fewshot_prompt.md").read_text(encoding="utf-8")
        prompt = md.split(PROMPT_START + "\n", 1)[1].split("\n" + PROMPT_END, 1)[0] + "\n"
        n = int(count_texts(__import__("polars").Series([prompt])).item())
        assert n <= budget
        assert m["fewshot"]["prompt_tokens"] == n
    small = _lines(tmp_path / "k250" / "fewshot.jsonl")
    big = _lines(tmp_path / "k1200" / "fewshot.jsonl")
    assert len(big) > len(small)
    assert len({x["topic"] for x in big}) == len(big)  # one per topic: diverse, not four refunds
    assert "Example 1" in (tmp_path / "k1200" / "fewshot_prompt.md").read_text(encoding="utf-8")


def test_passages_carry_record_ids_and_files_validate(ws_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "kit"
    _kit(ws_path, out)
    pas = _lines(out / "retrieval" / "passages.jsonl")
    ws = Workspace.open(ws_path)
    ids = set(ws.frame().get_column("id").to_list())
    texts = " ".join(p["text"] for p in pas)
    assert "$49.99" in texts and "9am" in texts
    assert all(p["record_ids"] and set(p["record_ids"]) <= ids for p in pas)
    store = next(p for p in pas if "9am" in p["text"])
    assert "schedule" in store["kinds"]
    assert (
        store["text"].startswith("User: When does the ") and "\nAssistant: The " in store["text"]
    )  # in context
    for name, schema in (
        ("eval.jsonl", "baseline_eval"),
        ("fewshot.jsonl", "baseline_fewshot"),
        ("retrieval/passages.jsonl", "baseline_passage"),
    ):
        v = validator(schema)
        for line in _lines(out / name):
            assert not list(v.iter_errors(line)), (name, line)


def test_cli_writes_the_kit_and_refuses_a_foreign_folder(
    ws_path: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "kit"
    assert (
        main(["baseline", "-w", str(ws_path), "-o", str(out), "--include", "passing", "--json"])
        == 0
    )
    m = json.loads(capsys.readouterr().out)
    assert m["eval"]["size"] == len(_lines(out / "eval.jsonl"))
    assert "curator export" in (out / "README.md").read_text(encoding="utf-8")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep", encoding="utf-8")
    assert (
        main(["baseline", "-w", str(ws_path), "-o", str(mine), "--include", "passing", "-q"]) == 1
    )
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "keep"
    assert main(["baseline", "-w", str(ws_path), "-o", str(out), "--budget-tokens", "10"]) == 2


def test_the_report_points_to_the_kit_when_data_is_limited(ws_path: Path, tmp_path: Path) -> None:
    from curator.core.readiness import build_report
    from curator.core.readiness.html import render_html

    rep = build_report(Workspace.open(ws_path), include="passing")
    assert rep.verdict == "limited_data"  # 80 records
    assert rep.baseline_kit is not None and rep.baseline_kit.startswith("curator baseline -w ")
    assert any(rep.baseline_kit in s for s in rep.next_steps)
    assert rep.to_json()["baseline_kit"] == rep.baseline_kit
    assert "curator baseline -w" in render_html(rep)
