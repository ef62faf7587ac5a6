"""Records sharing a normalised user prompt or final reply stay on one side of the split,
together with duplicate clusters; the manifest and report say what was grouped and
what would have leaked."""

from __future__ import annotations

import random

import numpy as np
import polars as pl
from test_export_support import M, add_records, export, read_jsonl

from curator.core import review
from curator.core.export.groups import _components, group_keys
from curator.core.readiness import build_report

LONG_REPLY = "I am an assistant made by the Example team and I cannot browse the web."


def _frame(convs: list[list[tuple[str, str]]]) -> pl.DataFrame:
    rows = [
        {
            "id": f"r{i:03d}",
            "cluster_id": None,
            "messages": [{"role": r, "content": t} for r, t in conv],
        }
        for i, conv in enumerate(convs)
    ]
    schema = {
        "id": pl.String,
        "cluster_id": pl.String,
        "messages": pl.List(pl.Struct({"role": pl.String, "content": pl.String})),
    }
    return pl.DataFrame(rows, schema=schema)


def _group_of(df: pl.DataFrame) -> list[str]:
    return group_keys(df).get_column("_group").to_list()


def test_a_shared_prompt_or_reply_links_records_transitively() -> None:
    df = _frame(
        [
            [("user", "Who made you?"), ("assistant", "A team of engineers.")],
            [("user", "who MADE you"), ("assistant", LONG_REPLY)],  # same prompt as 0
            [("user", "Can you browse?"), ("assistant", LONG_REPLY.upper())],  # same reply as 1
            [("user", "What is 2 + 2?"), ("assistant", "4.")],
        ]
    )
    g = _group_of(df)
    assert g[0] == g[1] == g[2] != g[3]


def test_short_closing_replies_do_not_link() -> None:
    df = _frame(
        [[("user", f"Book table {i}"), ("assistant", "Have a great day!")] for i in range(5)]
    )
    assert len(set(_group_of(df))) == 5


def test_components_match_a_plain_union_find() -> None:
    rng = random.Random(3)
    n = 300
    edges = [(rng.randrange(n), rng.randrange(n)) for _ in range(200)]
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        parent[max(ra, rb)] = min(ra, rb)
    want = [find(i) for i in range(n)]
    a, b = (np.array(x, dtype=np.int64) for x in zip(*edges, strict=True))
    assert _components(n, a, b).tolist() == want


def _qa(prompt: str, reply: str) -> list[dict[str, object]]:
    return [M("user", prompt), M("assistant", reply)]


def test_export_keeps_shared_replies_and_prompts_on_one_side(workspace, tmp_path) -> None:
    convs = []
    for i in range(25):  # pairs: two prompts with one identity reply, and one prompt asked twice
        reply = f"I am assistant number {i} made by the Example team, and I keep no memory."
        convs += [
            _qa(f"Who are you, question {i}?", reply),
            _qa(f"What are you, question {i}?", reply),
        ]
        convs += [
            _qa(f"Tell me a fact, topic {i}.", f"Fact {i}: water boils."),
            _qa(f"tell me a fact topic {i}", f"Fact {i}: it boils at 100 C."),
        ]
    convs += [_qa(f"Unrelated question {i}?", f"Unrelated answer {i}.") for i in range(50)]
    ids = add_records(workspace, convs)
    review.approve(workspace, ids)
    manifest = export(workspace, tmp_path / "out", split=0.2, seed=4)
    sides = {}
    for side in ("train", "validation"):
        for line in read_jsonl(tmp_path / "out" / f"{side}.jsonl"):
            sides.setdefault(side, []).append(line["messages"])
    replies = {s: {m[-1]["content"] for m in msgs} for s, msgs in sides.items()}
    prompts = {
        s: {
            " ".join(
                m[0]["content"].lower().replace(",", "").replace("?", "").replace(".", "").split()
            )
            for m in msgs
        }
        for s, msgs in sides.items()
    }
    assert not replies["train"] & replies["validation"]
    assert not prompts["train"] & prompts["validation"]
    leak = manifest["split"]["leakage"]
    assert leak["prompts_spanning_both"] == 0 and leak["replies_spanning_both"] == 0
    assert leak["would_have_leaked"]["replies"] > 0 and leak["would_have_leaked"]["prompts"] > 0
    assert leak["grouped"]["records_by_link"] == {
        "cluster": 0,
        "conversation": 0,
        "prompt": 50,
        "reply": 50,
    }
    check = build_report(workspace).check("split")
    assert check.level == "ok"
    assert (
        "Nothing is on both sides." in check.message
        and "Kept together: 50 sharing a user prompt" in check.message
    )


def test_a_group_larger_than_the_validation_share_goes_to_train_whole(workspace, tmp_path) -> None:
    convs = [_qa(f"Who are you, version {i}?", LONG_REPLY) for i in range(30)]
    convs += [_qa(f"Question {i}?", f"Answer {i}.") for i in range(70)]
    ids = add_records(workspace, convs)
    review.approve(workspace, ids)
    manifest = export(workspace, tmp_path / "out", split=0.1, seed=0)
    val = read_jsonl(tmp_path / "out" / "validation.jsonl")
    assert val and all(line["messages"][-1]["content"] != LONG_REPLY for line in val)
    assert manifest["split"]["leakage"]["groups_to_train_whole"] == {"groups": 1, "records": 30}
    assert "1 group (30 records) larger than the validation share went to train whole" in (
        build_report(workspace).check("split").message
    )


def test_report_blocks_an_old_export_that_leaked_a_prompt(workspace) -> None:
    add_records(workspace, [_qa("Hi?", "Hello.")])
    workspace.set_setting(
        "last_export",
        {
            "split": 0.1,
            "counts": {"train": 9, "validation": 1},
            "leaked_clusters": 0,
            "prompts_spanning_both": 2,
        },
    )
    c = build_report(workspace, include="passing").check("split")
    assert c.level == "block" and c.value == 2
    assert "On both sides: 2 user prompts." in c.message


def test_link_keys_match_the_per_use_definition_on_awkward_texts() -> None:
    """link_keys builds each normalised text once and counts words by spaces; the keys
    must equal the plain definition (regex word count, text rebuilt per use)."""
    from curator.core.export import groups as G

    replies = [
        "",
        "   ",
        "?!...",
        "one two three four five six seven",  # 7 words: not linked
        "one two three four five six seven eight",  # 8: linked
        "One,two;three—four\u00a0five\u2003six\tseven\neight!",  # unicode spaces, dashes
        "  a  b  c  d  e  f  g  h  ",
        "Émile's café: ünïcode wörds here, yes indeed friend",
    ]
    rows = [
        {
            "id": f"r{i}",
            "cluster_id": None,
            "messages": [{"role": "user", "content": t}, {"role": "assistant", "content": t}],
        }
        for i, t in enumerate(replies)
    ]
    rows.append(
        {"id": "none", "cluster_id": None, "messages": [{"role": "system", "content": "x"}]}
    )
    df = pl.DataFrame(rows)
    got = G.link_keys(df)
    msgs = pl.col("messages")
    prompt = G._normalised(
        msgs.list.eval(G._TEXT.filter(G._ROLE == "user").fill_null("")).list.join("\n")
    )
    reply = G._normalised(
        msgs.list.eval(G._TEXT.filter(G._ROLE == "assistant")).list.last().fill_null("")
    )
    want = df.with_columns(
        G.content_key().hash().alias(G.CONTENT),
        pl.when(prompt.str.len_chars() > 0).then(prompt.hash()).alias(G.PROMPT),
        pl.when(reply.str.count_matches(r"\S+") >= G.MIN_REPLY_WORDS)
        .then(reply.hash())
        .alias(G.REPLY),
    )
    assert got.select(G.CONTENT, G.PROMPT, G.REPLY).equals(
        want.select(G.CONTENT, G.PROMPT, G.REPLY)
    )
    assert got.get_column(G.REPLY).is_not_null().to_list()[3:6] == [False, True, True]
