"""Speaker labels -> chat roles: built-in aliases plus the user's --role-map.

Matching is case-insensitive and ignores surrounding whitespace. A label that
is neither a role, an alias nor in the role map is never guessed: the
conversation is quarantined with a reason that names it and suggests
``--role-map``.
"""

from __future__ import annotations

from collections.abc import Iterable

ALIASES: dict[str, str] = {
    # canonical roles
    "system": "system",
    "user": "user",
    "assistant": "assistant",
    "tool": "tool",
    # people asking
    "human": "user",
    "customer": "user",
    "client": "user",
    "end-user": "user",
    "end user": "user",
    "end_user": "user",
    "enduser": "user",
    "caller": "user",
    "prompter": "user",
    # the side we train
    "gpt": "assistant",
    "chatgpt": "assistant",
    "bot": "assistant",
    "agent": "assistant",
    "support": "assistant",
    "model": "assistant",
    "ai": "assistant",
    # tools (ShareGPT function-calling dialects)
    "function": "tool",
    "observation": "tool",
    "function_response": "tool",
    "ipython": "tool",
}


def role_lookup(role_map: dict[str, str]) -> dict[str, str]:
    """Lower-cased label -> role, the user's map taking precedence over aliases."""
    out = dict(ALIASES)
    out.update({k.strip().lower(): v for k, v in role_map.items()})
    return out


def unknown_speaker_reason(label: str, position: int) -> str:
    return (
        f"unknown speaker {label!r} in message {position}; say which role it is with "
        f"--role-map '{label}=user' or '{label}=assistant'"
    )


def suggest_role_map(labels: Iterable[str]) -> str:
    """A --role-map skeleton for the unknown labels, for error messages."""
    return ",".join(f"{label}=ROLE" for label in labels)
