"""The few-shot system prompt: one representative example per topic, within a token budget.

Candidates are records on the train side of the export split (never an eval or
validation record, so the baseline is judged on data it has not seen). Topics are
visited largest first; each contributes the record closest to its topic centre
(TF-IDF cosine) whose rendered example still fits the budget. Further rounds add a
second example per topic when ``max_examples`` allows. Tokens are counted with
``core/tokens.py`` (cl100k_base) on the exact prompt text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import polars as pl

from curator.core import records as R
from curator.core.export.split import SPLIT
from curator.core.tokens import count_texts

CANDIDATES: Final = 12  # per topic, the closest records considered
PREAMBLE: Final = (
    "You are the assistant in the conversations below. Answer new messages the way these examples do: "
    "the same tone, length, structure and policies."
)
RETRIEVAL: Final = (  # added when the kit has passages: the facts come from them, not from the examples
    " Facts that change (prices, stock, schedules, policies, versions) come from the retrieved passages given "
    "with the question, not from these examples; when no passage states a fact, say you will check rather than guess."
)
ROLE_NAMES: Final = {"system": "System", "user": "User", "assistant": "Assistant", "tool": "Tool"}


@dataclass(frozen=True)
class FewShot:
    prompt: str
    tokens: int
    examples: list[dict[str, Any]]
    how: dict[str, Any]


def plain_messages(messages: list[dict[str, Any]] | None) -> list[dict[str, str]]:
    """role + text content of each message (tool calls and empty turns left out)."""
    return [
        {"role": str(m["role"]), "content": str(m["content"])}
        for m in messages or []
        if m.get("content") not in (None, "")
    ]


def render_example(n: int, label: str, messages: list[dict[str, str]]) -> str:
    turns = "\n".join(
        f"{ROLE_NAMES.get(m['role'], m['role'])}: {m['content']}"
        for m in messages
        if m["role"] != "system"
    )
    return f"### Example {n} — {label}\n{turns}"


def render_prompt(blocks: list[str], retrieval: bool = True) -> str:
    head = PREAMBLE + (RETRIEVAL if retrieval else "")
    return head + "\n\n" + "\n\n".join(blocks) + "\n" if blocks else head + "\n"


def _candidates(rows: pl.DataFrame, topic: str) -> pl.DataFrame:
    train = rows.filter(pl.col(SPLIT) == "train")
    if train.height == 0:
        train = rows
    return (
        train.sort([topic, "_similarity", R.ID], descending=[False, True, False])
        .with_columns(pl.int_range(pl.len()).over(topic).alias("_rank"))
        .filter(pl.col("_rank") < CANDIDATES)
    )


def choose(
    rows: pl.DataFrame,
    labels: list[str],
    sizes: list[int],
    budget: int,
    max_examples: int | None,
    topic: str,
    retrieval: bool = True,
) -> FewShot:
    """Pick examples topic by topic (largest first) while the prompt fits ``budget`` tokens."""
    cand = _candidates(rows, topic)
    items = [
        {
            "id": r[R.ID],
            "topic": int(r[topic]),
            "similarity": float(r["_similarity"]),
            "messages": plain_messages(r[R.MESSAGES]),
        }
        for r in cand.select(R.ID, topic, "_similarity", R.MESSAGES).iter_rows(named=True)
    ]
    texts = pl.Series(
        [render_example(0, labels[i["topic"]], i["messages"]) for i in items], dtype=pl.String
    )
    for item, n in zip(items, count_texts(texts).to_list(), strict=True):
        item["tokens"] = int(n)
    by_topic: dict[int, list[dict[str, Any]]] = {}
    for item in items:
        by_topic.setdefault(item["topic"], []).append(item)
    limit = max_examples if max_examples is not None else len(labels)
    fixed = int(count_texts(pl.Series([PREAMBLE + (RETRIEVAL if retrieval else "")])).item()) + 2
    used, chosen = fixed, list[dict[str, Any]]()
    progress = True
    while progress and len(chosen) < limit:
        progress = False
        for t in range(len(labels)):
            if len(chosen) >= limit:
                break
            for item in by_topic.get(t, []):
                if item.get("picked") or used + item["tokens"] + 2 > budget:
                    continue
                item["picked"] = True
                chosen.append(item)
                used += item["tokens"] + 2
                progress = True
                break
    prompt, tokens = _fit(chosen, labels, budget, retrieval)
    total = sum(sizes) or 1
    covered = sorted({c["topic"] for c in chosen})
    examples = [
        {
            "id": c["id"],
            "position": n,
            "topic": c["topic"],
            "topic_label": labels[c["topic"]],
            "topic_share": round(sizes[c["topic"]] / total, 4),
            "similarity": round(c["similarity"], 4),
            "tokens": c["tokens"],
            "messages": c["messages"],
        }
        for n, c in enumerate(chosen, 1)
    ]
    skipped = [t for t in range(len(labels)) if t not in covered]
    how = {
        "method": "TF-IDF topic groups (seeded spherical k-means), closest-to-centre example per topic, "
        "largest topic first, within the token budget",
        "examples": len(examples),
        "budget_tokens": budget,
        "prompt_tokens": tokens,
        "topics": len(labels),
        "topics_covered": len(covered),
        "records_covered_share": round(sum(sizes[t] for t in covered) / total, 4),
        "topics_not_covered": [
            {"topic": t, "label": labels[t], "records": sizes[t]} for t in skipped
        ],
    }
    return FewShot(prompt, tokens, examples, how)


def _fit(
    chosen: list[dict[str, Any]], labels: list[str], budget: int, retrieval: bool
) -> tuple[str, int]:
    """The prompt text and its exact token count; drops the last example while it exceeds ``budget``."""
    while True:
        blocks = [
            render_example(n, labels[c["topic"]], c["messages"]) for n, c in enumerate(chosen, 1)
        ]
        prompt = render_prompt(blocks, retrieval)
        tokens = int(count_texts(pl.Series([prompt])).item())
        if tokens <= budget or not chosen:
            return prompt, tokens
        chosen.pop()
