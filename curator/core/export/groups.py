"""Which records must stay on one side of a train/validation split.

Two records belong together when they share a dedup cluster, identical conversation
text, the same normalised user prompt (all user turns), or the same normalised final
assistant reply. The groups are the connected components of those links (a record
sharing a prompt with one record and a reply with another joins all three), found by
vectorised label propagation in numpy: no Python loop per record.

Final replies shorter than ``MIN_REPLY_WORDS`` words ("Have a great day") are not
linked: a closing pleasantry shared by a third of a task-dialogue set says nothing a
validation score could memorise, and linking it would put that third in one group.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import polars as pl

from curator.core import records as R

GROUP: Final = "_group"
CONTENT: Final = "_content"
PROMPT: Final = "_prompt"
REPLY: Final = "_reply"
MIN_REPLY_WORDS: Final = 8  # product default: shorter final replies do not link records
KEYS: Final = {"cluster": R.CLUSTER_ID, "conversation": CONTENT, "prompt": PROMPT, "reply": REPLY}

_ROLE = pl.element().struct.field("role")
_TEXT = pl.element().struct.field("content")


def _normalised(text: pl.Expr) -> pl.Expr:
    """Case, whitespace and punctuation folded: 'Where is my ORDER?' == 'where is my order'."""
    return text.str.to_lowercase().str.replace_all(r"[\s\p{P}]+", " ").str.strip_chars()


def content_key() -> pl.Expr:
    """The conversation's text (roles + contents) as one string, for identity checks."""
    return (
        pl.col(R.MESSAGES)
        .list.eval(_ROLE.fill_null("") + "\x1f" + _TEXT.fill_null(""))
        .list.join("\x1e")
    )


def link_keys(df: pl.DataFrame) -> pl.DataFrame:
    """``df`` with ``_content``, ``_prompt`` and ``_reply`` hashes (null where not linked)."""
    msgs = pl.col(R.MESSAGES)
    prompt = _normalised(
        msgs.list.eval(_TEXT.filter(_ROLE == "user").fill_null("")).list.join("\n")
    )
    reply = _normalised(
        msgs.list.eval(_TEXT.filter(_ROLE == "assistant")).list.last().fill_null("")
    )
    # Each normalised text once (an eager with_columns would build it per use); after
    # normalisation words are separated by single spaces, so words = spaces + 1.
    texts = df.select(prompt.alias("p"), reply.alias("r"))
    p, r = pl.col("p"), pl.col("r")
    words = (
        pl.when(r.str.len_bytes() > 0).then(r.str.count_matches(" ", literal=True) + 1).otherwise(0)
    )
    keys = texts.select(
        pl.when(p.str.len_bytes() > 0).then(p.hash()).alias(PROMPT),
        pl.when(words >= MIN_REPLY_WORDS).then(r.hash()).alias(REPLY),
    )
    return df.with_columns(content_key().hash().alias(CONTENT)).hstack(keys)


def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected components of ``n`` nodes with edges a[i]-b[i]: the smallest node of each."""
    label = np.arange(n, dtype=np.int64)
    while True:
        low = np.minimum(label[a], label[b])
        new = label.copy()
        np.minimum.at(new, a, low)
        np.minimum.at(new, b, low)
        while True:  # pointer jumping: follow labels to their root
            jumped = new[new]
            if np.array_equal(jumped, new):
                break
            new = jumped
        if np.array_equal(new, label):
            return label
        label = new


def group_keys(df: pl.DataFrame, keys: tuple[str, ...] = tuple(KEYS)) -> pl.DataFrame:
    """Adds ``_group`` — the cluster id ("c:...") or smallest record id ("r:...") of the
    record's component over the link ``keys`` — plus the link-key columns (kept when
    ``df`` already has them: computing them is most of the cost)."""
    have = all(c in df.columns for c in (CONTENT, PROMPT, REPLY))
    out = (df if have else link_keys(df)).with_row_index("_i")  # a second grouping reuses them
    a_parts, b_parts = [], []
    for key in keys:
        col = KEYS[key]
        linked = out.filter(pl.col(col).is_not_null()).select(
            "_i", pl.col("_i").min().over(col).alias("_root")
        )
        a_parts.append(linked.get_column("_i").to_numpy())
        b_parts.append(linked.get_column("_root").to_numpy())
    a = np.concatenate(a_parts).astype(np.int64) if a_parts else np.zeros(0, np.int64)
    b = np.concatenate(b_parts).astype(np.int64) if b_parts else np.zeros(0, np.int64)
    out = out.with_columns(pl.Series("_comp", _components(out.height, a, b)))
    name = pl.coalesce(
        pl.format("c:{}", pl.col(R.CLUSTER_ID).min().over("_comp")),
        pl.format("r:{}", pl.col(R.ID).min().over("_comp")),
    )
    return out.with_columns(name.alias(GROUP)).drop("_i", "_comp")


def shared_on_both_sides(df: pl.DataFrame, split: str) -> dict[str, int]:
    """Per link key: how many distinct values sit on both sides of ``split``."""
    out = {}
    for key, col in KEYS.items():
        if col not in df.columns:
            out[key] = 0
            continue
        both = (
            df.filter(pl.col(col).is_not_null())
            .group_by(col)
            .agg(pl.col(split).n_unique().alias("n"))
        )
        out[key] = int(both.filter(pl.col("n") > 1).height)
    return out


def grouped_counts(df: pl.DataFrame) -> dict[str, Any]:
    """Records kept together, by the link that joined them (a record may count under several)."""
    by_key = {}
    for key, col in KEYS.items():
        if col in df.columns:
            shared = (
                df.filter(pl.col(col).is_not_null()).group_by(col).len().filter(pl.col("len") > 1)
            )
            by_key[key] = int(shared.get_column("len").sum()) if shared.height else 0
    sizes = (
        df.group_by(GROUP).len().filter(pl.col("len") > 1)
        if GROUP in df.columns
        else pl.DataFrame()
    )
    return {
        "records_by_link": by_key,
        "groups": int(sizes.height),
        "records_in_groups": int(sizes.get_column("len").sum()) if sizes.height else 0,
    }


def _n(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


LEAK_KEYS: Final = (
    "clusters_spanning_both",
    "identical_conversations_spanning_both",
    "prompts_spanning_both",
    "replies_spanning_both",
)


def describe_leakage(leak: dict[str, Any]) -> str:
    """One sentence for the CLI, the GUI and the report: what is on both sides (should be
    nothing), what would have leaked without grouping, and what was grouped."""
    parts = {
        "clusters_spanning_both": ("duplicate cluster", "duplicate clusters"),
        "identical_conversations_spanning_both": (
            "identical conversation",
            "identical conversations",
        ),
        "prompts_spanning_both": ("user prompt", "user prompts"),
        "replies_spanning_both": ("final reply", "final replies"),
    }
    found = [_n(int(leak.get(k) or 0), *w) for k, w in parts.items() if leak.get(k)]
    text = ("On both sides: " + ", ".join(found) + ".") if found else "Nothing is on both sides."
    would = leak.get("would_have_leaked") or {}
    if would.get("prompts") or would.get("replies"):
        what = [
            _n(int(would[k]), one, many)
            for k, one, many in (
                ("prompts", "user prompt", "user prompts"),
                ("replies", "final reply", "final replies"),
            )
            if would.get(k)
        ]
        text += f" Without grouping, {' and '.join(what)} would have been on both sides."
    grouped = (leak.get("grouped") or {}).get("records_by_link") or {}
    kept = [
        f"{grouped[k]:,} sharing a {label}"
        for k, label in (("prompt", "user prompt"), ("reply", "final reply"))
        if grouped.get(k)
    ]
    if kept:
        text += f" Kept together: {', '.join(kept)}."
    whole = leak.get("groups_to_train_whole") or {}
    if whole.get("groups"):
        g = int(whole["groups"])
        text += (
            f" {_n(g, 'group', 'groups')} ({_n(int(whole['records']), 'record', 'records')}) "
            f"larger than the validation share went to train whole."
        )
    return text
