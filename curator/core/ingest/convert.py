"""Per-object converters: one parsed JSON record -> raw messages + meta.

Used for JSON arrays, for JSONL in the non-OpenAI shapes, for Parquet/HF rows,
and as the fallback that pinpoints bad lines when a vectorised chunk fails.
Each raises :class:`BadRecord` with a reason a user can act on.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from curator.core.ingest.model import BadRecord, describe_json_type, raw_message
from curator.core.ingest.options import ImportOptions

Converted = tuple[list[dict[str, Any]], dict[str, Any]]


def _text(value: Any, what: str) -> str | None:
    """Content as text. A list of ``{"type": "text", "text": ...}`` parts is joined
    with newlines; anything else that is not a string is a bad record."""
    if value is None or isinstance(value, str):
        return value
    if (
        isinstance(value, list)
        and value
        and all(
            isinstance(p, dict) and p.get("type") == "text" and isinstance(p.get("text"), str)
            for p in value
        )
    ):
        return "\n".join(p["text"] for p in value)
    if isinstance(value, list):
        raise BadRecord(f"{what} is an array that is not a list of text parts; expected text")
    raise BadRecord(f"{what} is {describe_json_type(value)}, expected text")


def _label(value: Any, what: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise BadRecord(f"{what} is {describe_json_type(value)}, expected a string")


def _weight(value: Any, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value not in (0, 1):
        raise BadRecord(f"{what} is {json.dumps(value)}; weight must be 0 or 1")
    return int(value)


def _field(obj: dict[str, Any], path: str) -> Any:
    """``a.b`` walks nested objects; a missing step gives KeyError."""
    cur: Any = obj
    for step in path.split("."):
        if not isinstance(cur, dict) or step not in cur:
            raise KeyError(path)
        cur = cur[step]
    return cur


def _turns(
    obj: dict[str, Any], field: str, role_key: str, content_key: str, hint: str
) -> list[dict[str, Any]]:
    try:
        turns = _field(obj, field)
    except KeyError:
        keys = ", ".join(map(repr, list(obj)[:12])) or "none"
        raise BadRecord(f"no {field!r} field (keys: {keys}); {hint}") from None
    if not isinstance(turns, list):
        raise BadRecord(f"{field!r} is {describe_json_type(turns)}, expected a list of messages")
    out = []
    plain = role_key != content_key
    for i, turn in enumerate(turns, start=1):
        # the common turn: just the role and the content, both text (what the checks
        # below would give, without a call per field)
        if (
            plain
            and type(turn) is dict
            and len(turn) == 2
            and type(role := turn.get(role_key)) is str
            and type(content := turn.get(content_key)) is str
        ):
            out.append(raw_message(role, content))
            continue
        if not isinstance(turn, dict):
            raise BadRecord(f"message {i} is {describe_json_type(turn)}, expected an object")
        if role_key not in turn:
            raise BadRecord(f"message {i} has no {role_key!r} field")
        role = _label(turn.get(role_key), f"message {i} {role_key!r}")
        content = _text(turn.get(content_key), f"message {i} {content_key!r}")
        out.append(
            raw_message(
                role,
                content,
                name=_label(turn.get("name"), f"message {i} 'name'"),
                weight=_weight(turn.get("weight"), f"message {i} 'weight'"),
                tool_calls=None
                if turn.get("tool_calls") is None
                else json.dumps(turn["tool_calls"], ensure_ascii=False),
                tool_call_id=_label(turn.get("tool_call_id"), f"message {i} 'tool_call_id'"),
            )
        )
    return out


def _rest(obj: dict[str, Any], *used: str) -> dict[str, Any]:
    top = {u.split(".")[0] for u in used}
    return {k: v for k, v in obj.items() if k not in top}


def openai(obj: dict[str, Any], options: ImportOptions) -> Converted:
    msgs = _turns(obj, "messages", "role", "content", "expected OpenAI chat format")
    return msgs, _rest(obj, "messages")


def prompt_completion(obj: dict[str, Any], options: ImportOptions) -> Converted:
    for key in ("prompt", "completion"):
        if key not in obj:
            raise BadRecord(f"no {key!r} field (legacy prompt/completion format)")
    msgs = [
        raw_message("user", _text(obj["prompt"], "'prompt'")),
        raw_message("assistant", _text(obj["completion"], "'completion'")),
    ]
    return msgs, _rest(obj, "prompt", "completion")


def sharegpt(obj: dict[str, Any], options: ImportOptions) -> Converted:
    field = next(
        (f for f in ("conversations", "conversation", "messages") if f in obj), "conversations"
    )
    turns = obj.get(field)
    first = turns[0] if isinstance(turns, list) and turns and isinstance(turns[0], dict) else {}
    role_key, content_key = (
        ("role", "content") if "from" not in first and "role" in first else ("from", "value")
    )
    msgs = _turns(obj, field, role_key, content_key, "expected ShareGPT 'conversations'")
    used = [field]
    system = obj.get("system")
    if isinstance(system, str) and system.strip():
        msgs.insert(0, raw_message("system", system))
        used.append("system")
    return msgs, _rest(obj, *used)


def alpaca(obj: dict[str, Any], options: ImportOptions) -> Converted:
    for key in ("instruction", "output"):
        if key not in obj:
            raise BadRecord(f"no {key!r} field (Alpaca format needs instruction and output)")
    instruction = _text(obj["instruction"], "'instruction'") or ""
    extra = _text(obj.get("input"), "'input'") or ""
    user = f"{instruction}\n\n{extra}" if extra.strip() else instruction
    msgs = [raw_message("user", user), raw_message("assistant", _text(obj["output"], "'output'"))]
    used = ["instruction", "input", "output"]
    system = obj.get("system")
    if isinstance(system, str) and system.strip():
        msgs.insert(0, raw_message("system", system))
        used.append("system")
    return msgs, _rest(obj, *used)


def generic(obj: dict[str, Any], options: ImportOptions) -> Converted:
    field = options.messages_field or "messages"
    role_key = options.role_field or "role"
    content_key = options.content_field or "content"
    hint = "set --messages-field, --role-field and --content-field to the names your file uses"
    msgs = _turns(obj, field, role_key, content_key, hint)
    return msgs, _rest(obj, field)


CONVERTERS: dict[str, Callable[[dict[str, Any], ImportOptions], Converted]] = {
    "openai": openai,
    "prompt-completion": prompt_completion,
    "sharegpt": sharegpt,
    "alpaca": alpaca,
    "json": generic,
}


def converter_for(
    fmt: str, options: ImportOptions
) -> Callable[[dict[str, Any], ImportOptions], Converted]:
    if options.messages_field and fmt in ("openai", "json"):
        return generic
    if fmt == "preference":
        from curator.core.ingest.preference import preference

        return preference
    return CONVERTERS[fmt]
