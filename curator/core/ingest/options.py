"""Import options shared by the CLI, the GUI's import dialog and the demo."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from curator.core.errors import UsageError

FORMATS = (
    "openai",
    "prompt-completion",
    "sharegpt",
    "alpaca",
    "csv",
    "transcript",
    "parquet",
    "hf",
    "json",
    "preference",  # prompt/chosen/rejected pairs (OpenAI preference or DPO JSONL)
)


@dataclass(frozen=True)
class ImportOptions:
    """How to read a source. ``format="auto"`` detects it from the content."""

    format: str = "auto"
    messages_field: str | None = None
    role_field: str | None = None
    content_field: str | None = None
    conversation_column: str | None = None
    speaker_column: str | None = None
    text_column: str | None = None
    time_column: str | None = None
    role_map: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.format != "auto" and self.format not in FORMATS:
            raise UsageError(
                f"unknown format {self.format!r}; use one of auto, {', '.join(FORMATS)}"
            )
        for raw, role in self.role_map.items():
            if role not in ("system", "user", "assistant", "tool"):
                raise UsageError(
                    f"--role-map {raw}={role}: a speaker can map to system, user, assistant or tool"
                )

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_dict(), sort_keys=True))

    @staticmethod
    def parse_role_map(text: str | None) -> dict[str, str]:
        """``"Agent=assistant, Caller=user"`` -> ``{"Agent": "assistant", "Caller": "user"}``."""
        out: dict[str, str] = {}
        if not text:
            return out
        for part in text.split(","):
            part = part.strip()
            if not part:
                continue
            raw, sep, role = part.rpartition("=")
            raw, role = raw.strip(), role.strip().lower()
            if not sep or not raw or not role:
                raise UsageError(
                    f"--role-map: cannot read {part!r}; write SPEAKER=ROLE pairs separated by "
                    "commas, e.g. --role-map 'Agent=assistant,Caller=user'"
                )
            if role not in ("system", "user", "assistant", "tool"):
                raise UsageError(
                    f"--role-map: {part!r} maps to {role!r}; a speaker can map to "
                    "system, user, assistant or tool"
                )
            out[raw] = role
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (stored with each import for the audit trail)."""
        return asdict(self)
