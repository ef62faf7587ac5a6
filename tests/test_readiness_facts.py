"""The flat per-record structure facts agree with a plain per-record reading."""

from __future__ import annotations

import itertools
import random

import polars as pl

from curator.core import records as R
from curator.core.cookbook import format_errors
from curator.core.readiness.facts import message_facts

ROLES = ["system", "user", "assistant", "tool", "bot", None]
CONTENTS = ["hi", "  ", "", None, "How do I reset it?", "Press the button.", "\n"]


def reference(msgs: list[dict] | None) -> dict[str, bool]:
    roles = [m["role"] or "" for m in msgs or []]
    non_sys = [r for r in roles if r != "system"]
    repeated = any(a == b and a in ("user", "assistant") for a, b in itertools.pairwise(non_sys))
    return {
        "no_user": "user" not in roles,
        "no_system": not roles or roles[0] != "system",
        "not_alternating": repeated or "system" in roles[1:],
        "last_not_assistant": not roles or roles[-1] != "assistant",
    }


def random_conversations(n: int, seed: int) -> list[list[dict] | None]:
    rng = random.Random(seed)
    out: list[list[dict] | None] = []
    for _ in range(n):
        k = rng.choice([0, 1, 2, 3, 4, 6])
        out.append(None if k == 6 and rng.random() < 0.3 else [
            R.message(rng.choice(ROLES), rng.choice(CONTENTS)) for _ in range(k)
        ])
    return out


def test_facts_match_a_per_record_reading() -> None:
    convs = random_conversations(400, seed=3)
    facts = message_facts(pl.Series(convs, dtype=R.MESSAGES_DTYPE))
    for i, conv in enumerate(convs):
        row = facts.row(i, named=True)
        assert {k: row[k] for k in reference(conv)} == reference(conv), (i, conv)
        assert row["n_messages"] == len(conv or [])


def test_format_suspects_cover_every_cookbook_error() -> None:
    convs = random_conversations(400, seed=5)
    df = pl.DataFrame({R.ID: [str(i) for i in range(len(convs))], R.MESSAGES: convs},
                      schema={R.ID: pl.String, R.MESSAGES: R.MESSAGES_DTYPE})
    suspects = set(df.get_column(R.ID).filter(message_facts(df.get_column(R.MESSAGES)).get_column("format_suspect")))
    with_errors = set(format_errors(df).get_column(R.ID))
    assert with_errors and with_errors <= suspects


def test_identical_conversations_share_a_hash_and_order_matters() -> None:
    a = [R.message("user", "hi"), R.message("assistant", "hello")]
    b = [R.message("assistant", "hello"), R.message("user", "hi")]
    h = message_facts(pl.Series([a, list(a), b], dtype=R.MESSAGES_DTYPE)).get_column("conv_hash").to_list()
    assert h[0] == h[1] != h[2]


def test_facts_in_chunks_equal_the_facts_in_one_pass(monkeypatch) -> None:
    from curator.core.readiness import facts as facts_module

    convs = random_conversations(997, seed=5)
    series = pl.Series("messages", convs, dtype=R.MESSAGES_DTYPE)
    whole = message_facts(series)
    monkeypatch.setattr(facts_module, "CHUNK", 64)  # 16 chunks, the last one short
    chunked = message_facts(series)
    assert chunked.height == 997
    assert chunked.equals(whole)
