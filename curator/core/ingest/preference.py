"""Preference (DPO) records: one prompt, a chosen and a rejected reply -> one pair record.

Shapes read (``--format preference``, detected from the keys):

- OpenAI preference fine-tuning JSONL: ``{"input": {"messages": [...], "tools"?},
  "preferred_output": [assistant msg], "non_preferred_output": [assistant msg]}``;
- explicit-prompt DPO: ``{"prompt", "chosen", "rejected"}``, each a string or a
  message list (TRL's standard and conversational preference formats);
- implicit-prompt DPO: ``{"chosen": [...], "rejected": [...]}`` as two full
  conversations that share the prompt; the shared leading turns are the prompt;
- UltraFeedback-style: a ``prompt`` field and two full conversations that begin with it
  (other fields, e.g. scores, go to meta).

A pair becomes ``messages`` = prompt + chosen (what dedup, filters and readiness
read) and ``rejected_answer`` (records.py). The converter returns the rejected
reply inside the meta dict under :data:`REJECTED_KEY`; :func:`split_rejected`
takes it out again in ``pipeline.finalize``, so the generic readers (JSONL, JSON
array, Parquet/HF) need no preference code of their own.
"""

from __future__ import annotations

import json
from typing import Any, Final

import polars as pl

from curator.core import records as R
from curator.core.ingest.convert import Converted, _label, _rest, _text, _turns
from curator.core.ingest.model import BadRecord, describe_json_type, raw_message
from curator.core.ingest.options import ImportOptions

REJECTED_KEY: Final = "__curator_rejected__"
OPENAI_KEYS: Final = frozenset({"input", "preferred_output", "non_preferred_output"})
HINT: Final = (
    "a preference record needs {input, preferred_output, non_preferred_output} (OpenAI) "
    "or {prompt, chosen, rejected} / {chosen, rejected} (DPO)"
)


def _messages(value: Any, what: str) -> list[dict[str, Any]]:
    """A prompt or reply: text (one message) or a list of {role, content} messages."""
    if isinstance(value, str) or (
        isinstance(value, list)
        and value
        and all(isinstance(p, dict) and "type" in p for p in value)
    ):
        return [raw_message(None, _text(value, what))]
    if not isinstance(value, list):
        raise BadRecord(
            f"{what} is {describe_json_type(value)}, expected text or a list of messages"
        )
    return _turns({"m": value}, "m", "role", "content", f"{what}: expected messages")


def _reply(msgs: list[dict[str, Any]], what: str) -> dict[str, Any]:
    """The single assistant message a chosen/rejected side must be."""
    if len(msgs) != 1:
        raise BadRecord(
            f"{what} has {len(msgs)} messages; Curator keeps each answer of a pair as one "
            "assistant message (put earlier turns in the prompt)"
        )
    msg = dict(msgs[0])
    role = msg["role"] if msg["role"] is not None else "assistant"
    if role != "assistant":
        raise BadRecord(f"{what} is a {role!r} message; an answer must be an assistant message")
    if not (msg.get("content") or "").strip():
        raise BadRecord(f"{what} is empty; a pair needs two non-empty answers")
    msg["role"] = "assistant"
    return msg


def _prompt(msgs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not msgs:
        raise BadRecord("the prompt is empty; a pair needs the conversation the answers reply to")
    out = [{**m, "role": "user" if m["role"] is None else m["role"]} for m in msgs]
    if out[-1]["role"] == "assistant":
        raise BadRecord(
            "the prompt ends with an assistant turn; it must end with the turn the answers reply to"
        )
    return out


def _shared_prefix(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def preference(obj: dict[str, Any], options: ImportOptions) -> Converted:
    """One preference object -> (prompt + chosen messages, meta with the rejected reply)."""
    extra: dict[str, Any]
    if set(obj) >= OPENAI_KEYS:
        inp = obj["input"]
        if not isinstance(inp, dict):
            raise BadRecord(
                f"'input' is {describe_json_type(inp)}, expected an object with 'messages'"
            )
        prompt = _prompt(_turns(inp, "messages", "role", "content", "expected input.messages"))
        chosen = _reply(
            _messages(obj["preferred_output"], "'preferred_output'"), "'preferred_output'"
        )
        rejected = _reply(
            _messages(obj["non_preferred_output"], "'non_preferred_output'"),
            "'non_preferred_output'",
        )
        extra = _rest(obj, *OPENAI_KEYS)
        extra.update({k: v for k, v in inp.items() if k != "messages"})  # tools: as for chat
    elif {"chosen", "rejected"} <= set(obj):
        chosen_msgs = _messages(obj["chosen"], "'chosen'")
        rejected_msgs = _messages(obj["rejected"], "'rejected'")
        n = _shared_prefix(chosen_msgs, rejected_msgs)
        whole = n > 0 and max(len(chosen_msgs), len(rejected_msgs)) > 1
        if "prompt" in obj and whole:
            # UltraFeedback-style: a prompt field *and* two whole conversations that begin
            # with it. The shared turns are the prompt (with their roles).
            given = [m["content"] for m in _messages(obj["prompt"], "'prompt'")]
            shared = [m["content"] for m in chosen_msgs[:n]]
            if shared[-len(given) :] != given:
                raise BadRecord(
                    "'chosen' and 'rejected' are whole conversations whose shared turns are not "
                    "the 'prompt' field; give either the prompt and one answer each, or two "
                    "conversations that begin with the prompt"
                )
            prompt = _prompt(chosen_msgs[:n])
            chosen_msgs, rejected_msgs = chosen_msgs[n:], rejected_msgs[n:]
        elif "prompt" in obj:
            prompt = _prompt(_messages(obj["prompt"], "'prompt'"))
        else:  # implicit prompt: two whole conversations with a shared beginning
            if n == 0:
                raise BadRecord(
                    "no 'prompt' field and 'chosen' and 'rejected' share no leading turns; "
                    "add the prompt (" + HINT + ")"
                )
            prompt = _prompt(chosen_msgs[:n])
            chosen_msgs, rejected_msgs = chosen_msgs[n:], rejected_msgs[n:]
        chosen = _reply(chosen_msgs, "'chosen'")
        rejected = _reply(rejected_msgs, "'rejected'")
        extra = _rest(obj, "prompt", "chosen", "rejected")
    else:
        keys = ", ".join(map(repr, list(obj)[:12])) or "none"
        raise BadRecord(f"not a preference record (keys: {keys}); {HINT}")
    _label(rejected.get("name"), "the rejected answer's 'name'")
    extra[REJECTED_KEY] = rejected
    return [*prompt, chosen], extra


def split_rejected(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series | None]:
    """Take the rejected replies out of a raw chunk: (frame, replies or None).

    A vectorised reader gives them as a column (``columnar.REJECTED``); the per-row
    converter inside the meta JSON, which only those rows pay a JSON round trip for
    (others return at once after one substring scan).
    """
    from curator.core.ingest.columnar import REJECTED

    column = None
    if REJECTED in frame.columns:
        column = frame.get_column(REJECTED).alias(R.REJECTED_ANSWER).cast(R.MESSAGE_DTYPE)
        frame = frame.drop(REJECTED)
    meta = frame.get_column(R.META)
    marked = meta.str.contains(REJECTED_KEY, literal=True).fill_null(False)
    if frame.height == 0 or not marked.any():
        return frame, column
    rows = marked.arg_true()
    metas: list[str | None] = []
    replies: list[dict[str, Any] | None] = []
    for text in meta.gather(rows).to_list():
        obj = json.loads(text) if text else None
        reply = obj.pop(REJECTED_KEY, None) if isinstance(obj, dict) else None
        metas.append(
            None
            if obj is None
            else json.dumps(obj, ensure_ascii=False, default=str, separators=(",", ":"))
        )
        replies.append(
            None if reply is None else {k: reply.get(k) for k in R.MESSAGE_DTYPE.to_schema()}
        )
    new_meta = meta.clone().scatter(rows, pl.Series(metas, dtype=pl.String))
    full: list[dict[str, Any] | None] = [None] * frame.height
    for i, reply in zip(rows.to_list(), replies, strict=True):
        full[i] = reply
    per_row = pl.Series(R.REJECTED_ANSWER, full, dtype=R.MESSAGE_DTYPE)
    if column is not None:  # struct columns cannot be scattered into: pick per row
        per_row = (
            pl.select(pl.when(pl.lit(marked)).then(pl.lit(per_row)).otherwise(pl.lit(column)))
            .to_series()
            .alias(R.REJECTED_ANSWER)
        )
    return frame.with_columns(new_meta.alias(R.META)), per_row
