"""The kit's Markdown: the few-shot prompt page, the retrieval README and the kit README."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from curator.core.baseline.fewshot import FewShot
    from curator.core.baseline.job import BaselineOptions

PROMPT_START = "<!-- system prompt: start -->"
PROMPT_END = "<!-- system prompt: end -->"


def fewshot_md(fs: FewShot, options: BaselineOptions) -> str:
    h = fs.how
    missed = h["topics_not_covered"]
    lines = [
        "# Few-shot system prompt",
        "",
        f"{len(fs.examples)} examples, {h['prompt_tokens']:,} tokens of a {h['budget_tokens']:,}-token budget "
        f"(cl100k_base count; other tokenizers differ by a few percent).",
        "",
        "## How the examples were chosen",
        "",
        f"- The records were grouped into {h['topics']} topics by TF-IDF over their user and assistant text "
        f"(seeded spherical k-means, seed {options.seed}); each topic is named by its top words.",
        "- Topics were visited largest first; each gave the record closest to its centre whose example still "
        "fitted the budget. Only records on the train side of the split are candidates, so none is in eval.jsonl.",
        f"- {h['topics_covered']} of {h['topics']} topics are shown, covering "
        f"{h['records_covered_share']:.0%} of the records.",
    ]
    if missed:
        shown = "; ".join(f"{m['label']} ({m['records']:,} records)" for m in missed[:10])
        lines.append(
            f"- Not shown (budget or --examples): {shown}. Raise --budget-tokens to include them."
        )
    lines += [
        "",
        "`fewshot.jsonl` lists the same examples with their record ids, topics and token counts.",
        "",
        "## System prompt",
        "",
        "Paste everything between the markers as the system message.",
        "",
        PROMPT_START,
        fs.prompt.rstrip("\n"),
        PROMPT_END,
        "",
    ]
    return "\n".join(lines)


def retrieval_md(p: dict[str, Any]) -> str:
    kinds = ", ".join(f"{k} {n:,}" for k, n in p["by_kind"].items()) or "none"
    return f"""# Retrieval passages

`passages.jsonl` holds {p["passages"]:,} passages ({kinds}): the sentences of assistant replies that
state facts that change (prices, stock, schedules, weather, policies, versions) — what the readiness
check "Data that changes" counts. Each line:

- `id`: a stable passage id (same text, same id across runs);
- `text`: the statements, to embed and retrieve;
- `kinds`: which kinds of changing fact it states;
- `record_ids`: the Curator records it came from (`curator show -w WS ID`);
- `question`: the first user message of the first such record, as context.

**Check the facts before loading them**: they are what the logs said at the time, not what is true
now. Update or delete stale passages; that is the point of keeping them out of the weights.

## Loading into a vector store

Any store that takes text + metadata works. With Chroma (`pip install chromadb`):

```python
import json, chromadb

rows = [json.loads(line) for line in open("retrieval/passages.jsonl", encoding="utf-8")]
col = chromadb.PersistentClient("kb").get_or_create_collection("facts")
col.add(ids=[r["id"] for r in rows], documents=[r["text"] for r in rows],
        metadatas=[{{"kinds": ",".join(r["kinds"]), "record_ids": ",".join(r["record_ids"])}} for r in rows])
hits = col.query(query_texts=["when does the store open?"], n_results=3)
```

With LangChain, LlamaIndex or pgvector: one document per line, `text` as the content,
the other fields as metadata. Put the top passages for a question into the user message
(or after the system prompt) under "Facts (current):".
"""


def _noise(n: int) -> int:
    """Half-width of a 95% interval on a pass rate near 50% with ``n`` items, in points."""
    return round(100 * 1.96 * math.sqrt(0.25 / max(n, 1)))


def kit_md(manifest: dict[str, Any], verdict: dict[str, Any], options: BaselineOptions) -> str:
    ev, fs, ps = manifest["eval"], manifest["fewshot"], manifest["passages"]
    vol = next((c for c in verdict.get("checks", []) if c.get("id") == "volatility"), None)
    seed, split = options.seed, options.split
    ws = manifest["workspace"]
    vol_line = f"\nData that changes: {vol['message']}\n" if vol else ""
    return f"""# Prompt/RAG baseline kit

Built by Curator {manifest["curator_version"]} from {manifest["records"]:,} records of `{ws}`
(`--include {options.include}`, seed {seed}, split {split}). Try this cheaper road before fine-tuning:
a base model with a good prompt and a retrieval source often does as well, and facts that change
stay current.

## Why: the readiness verdict

**{verdict.get("verdict", "?")}** — {verdict.get("verdict_message", "")}
{vol_line}
## Files

| file | what it is for |
|---|---|
| `eval.jsonl` | {ev["size"]:,} held-out conversations: `messages` (the context), `reference` (the logged assistant reply that follows it: the last one of at least 8 words, so a closing "Have a great day" is not what is tested), `topic`. Chosen as {ev["rule"]}. |
| `fewshot_prompt.md` | the system prompt for the baseline: {fs["examples"]} examples covering {fs["topics_covered"]} of {fs["topics"]} topics in {fs["prompt_tokens"]:,} tokens (budget {fs["budget_tokens"]:,}), and how they were chosen. |
| `fewshot.jsonl` | the same examples as data: record id, topic, similarity to the topic centre, tokens. |
| `retrieval/passages.jsonl` | {ps["passages"]:,} passages of facts that change, with the ids of the records they came from; see `retrieval/README.md`. |
| `manifest.json` | the numbers above, the topics, and Curator's signature. |

## Running the comparison

1. Export the training data with the **same split and seed**, so that no eval record (nor a near copy,
   a shared prompt or a shared reply) is in the training file:
   `curator export -w {ws} -o out/ --split {split} --seed {seed} --include {options.include}`.
   `eval.jsonl` is part of `out/validation.jsonl`; never train on it.
2. Fine-tune on `out/train.jsonl`.
3. For every line of `eval.jsonl` ask both systems for the next reply to `messages`:
   - baseline: the base model with the system prompt from `fewshot_prompt.md` (replace any system
     message of the line), plus the top 3 passages retrieved for the last user message;
   - fine-tuned: the fine-tuned model with `messages` as they are.
4. Score each reply against `reference` the same way for both (a rubric with an LLM judge, or
   pairwise preference; exact match is too strict for chat), and report per `topic` as well as overall.
   With {ev["size"]:,} items a pass rate is only known to about ±{_noise(ev["size"])} points (95%), so a smaller
   difference is noise.
5. Fine-tune only if it clearly wins; keep facts that change in retrieval either way.

Re-running `curator baseline -w {ws} -o DIR --seed {seed}` on the same data writes the same kit.
"""
